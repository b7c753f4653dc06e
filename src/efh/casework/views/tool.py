"""The administrator's screens of the screening tool: its versions (who saved each, when, why,
and how many screenings were made with it), one version shown readably, and the editor that
saves the next version.

Who may is ``casework.policy_tool``'s (administrators only; a refusal is logged there); views
and saves are logged by ``casework.services.tool``. The editor never overwrites a version saved
by someone else since it was opened: it says so and keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods

from efh.accounts.http import AuthenticatedRequest
from efh.casework.forms.tool import ToolEditForm, definition_text
from efh.casework.policy_tool import (
    access_tool_version,
    require_tool_administrator,
    tool_versions_user_can_view,
)
from efh.casework.services.tool import (
    ToolStale,
    ToolUnchanged,
    definition_changes,
    screening_tool_save,
    screening_tool_viewed,
)
from efh.casework.tool import ANSWERS, PREFILLS, questions


def _who(user: Any) -> str:
    if user is None:
        return "The command line"
    return str(user.get_full_name() or user.get_username())


def readable(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as a page shows it: sections with their questions (and what the platform
    pre-fills), the levels, and each rule's condition in words."""
    texts = {q["code"]: q["text"] for q in questions(definition)}
    labels = {level["code"]: level["label"] for level in definition["levels"]}
    sections = [
        {
            "code": section["code"],
            "title": section["title"],
            "hint": section.get("hint", ""),
            "questions": [
                {
                    "code": q["code"],
                    "text": q["text"],
                    "hint": q.get("hint", ""),
                    "prefill": PREFILLS.get(q.get("prefill") or "", ""),
                }
                for q in section["questions"]
            ],
        }
        for section in definition["sections"]
    ]
    rules = []
    for rule in definition.get("rules", []):
        when = []
        if "age_under" in rule["when"]:
            when.append(f"the child is under {rule['when']['age_under']}")
        if "answer_yes" in rule["when"]:
            question = texts.get(rule["when"]["answer_yes"], rule["when"]["answer_yes"])
            when.append(f"the answer to “{question}” is {ANSWERS['yes']}")
        rules.append(
            {
                "code": rule["code"],
                "forbid": labels.get(rule["forbid"], rule["forbid"]),
                "when": " and ".join(when),
                "text": rule["text"],
            }
        )
    return {
        "name": definition["name"],
        "sections": sections,
        "levels": definition["levels"],
        "rules": rules,
        "answers": list(ANSWERS.values()),
        "question_count": len(texts),
    }


CHANGE_LABELS = {
    "sections_added": "Sections added",
    "sections_removed": "Sections removed",
    "questions_added": "Questions added",
    "questions_removed": "Questions removed",
    "levels_added": "Levels added",
    "levels_removed": "Levels removed",
    "rules_added": "Rules added",
    "rules_removed": "Rules removed",
}


def _names(definition: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What each code is called, by kind, to name what changed in words."""
    return {
        "sections": {s["code"]: s["title"] for s in definition["sections"]},
        "questions": {q["code"]: q["text"] for q in questions(definition)},
        "levels": {level["code"]: level["label"] for level in definition["levels"]},
        "rules": {r["code"]: r["text"] for r in definition.get("rules", [])},
    }


def changes_from(previous: dict[str, Any] | None, definition: dict[str, Any]) -> list[Any]:
    """``(label, [names])`` for what this version added and removed, compared with the one
    before it; empty if only wording, hints or order changed."""
    if previous is None:
        return []
    new, old = _names(definition), _names(previous)
    shown = []
    for key, codes in definition_changes(previous, definition).items():
        kind = key.rsplit("_", 1)[0]
        names = new[kind] if key.endswith("_added") else old[kind]
        shown.append((CHANGE_LABELS[key], [names.get(code, code) for code in codes]))
    return shown


@login_required
@require_GET
def tool_index(request: AuthenticatedRequest) -> HttpResponse:
    require_tool_administrator(request.user, screen="versions", request=request)
    versions = list(tool_versions_user_can_view(request.user))
    screening_tool_viewed(actor=request.user, screen="versions", request=request)
    return render(
        request,
        "casework/tool/index.html",
        {
            "versions": [{"tool": tool, "who": _who(tool.created_by)} for tool in versions],
            "current": versions[0] if versions else None,
        },
    )


@login_required
@require_GET
def tool_version(request: AuthenticatedRequest, version: int) -> HttpResponse:
    tool = access_tool_version(request.user, version, screen="version", request=request)
    versions = tool_versions_user_can_view(request.user)
    latest = versions.first()
    previous = versions.filter(version__lt=tool.version).first()
    screening_tool_viewed(actor=request.user, screen="version", version=version, request=request)
    return render(
        request,
        "casework/tool/version.html",
        {
            "tool": tool,
            "who": _who(tool.created_by),
            "used": tool.screenings.count(),
            "is_current": latest is not None and latest.version == tool.version,
            "current": latest,
            "shown": readable(tool.definition),
            "previous": previous,
            "changes": changes_from(previous.definition if previous else None, tool.definition),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tool_edit(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the current version's JSON (or ``?from=N``'s, to go back to an earlier one) and a
    note; POST: save the next version, or show every error with what was typed."""
    require_tool_administrator(request.user, screen="edit", request=request)
    current = tool_versions_user_can_view(request.user).first()
    based_on = current.version if current else None
    stale: ToolStale | None = None
    if request.method == "POST":
        form = ToolEditForm(request.POST)
        posted = str(request.POST.get("based_on", ""))
        based_on = int(posted) if posted.isdigit() else based_on
        if form.is_valid():
            try:
                tool = screening_tool_save(
                    actor=request.user,
                    definition=form.cleaned_data["definition"],
                    note=form.cleaned_data["note"],
                    based_on=form.cleaned_data["based_on"],
                    request=request,
                )
            except ToolUnchanged as unchanged:
                form.add_error(
                    "definition",
                    f"The tool is the same as version {unchanged.current.version}, the current "
                    "one: change it before saving a new version",
                )
            except ToolStale as error:
                stale = error
                saved = localtime(error.current.created_at)
                form.add_error(
                    None,
                    f"{_who(error.current.created_by)} saved version {error.current.version} "
                    f"at {saved:%H:%M} on {saved.day} {saved:%B %Y}, after you opened version "
                    f"{error.based_on}: nothing was saved. Your text is kept below; compare it "
                    f"with version {error.current.version} before you save again",
                )
            else:
                messages.success(request, f"Saved version {tool.version} of the screening tool")
                return redirect("casework:tool-version", version=tool.version)
    else:
        start = current
        wanted = request.GET.get("from", "")
        if wanted.isdigit():
            start = access_tool_version(request.user, int(wanted), screen="edit", request=request)
        form = ToolEditForm(
            initial={
                "definition": definition_text(start.definition) if start else "",
                "based_on": based_on,
            }
        )
        screening_tool_viewed(
            actor=request.user,
            screen="edit",
            version=start.version if start else None,
            request=request,
        )
    return render(
        request,
        "casework/tool/edit.html",
        {
            "form": form,
            "current": current,
            "stale": stale,
            # After a stale save, the next save is knowingly over the newer version.
            "based_on": stale.current.version if stale else based_on,
            # Every error, each linking to its field (the tool's faults all to the JSON).
            "errors": [
                *((e, "id_definition") for e in form.non_field_errors()),
                *((e, "id_definition") for e in form.errors.get("definition", [])),
                *((e, "id_note") for e in form.errors.get("note", [])),
                *((e, "id_definition") for e in form.errors.get("based_on", [])),
            ],
        },
    )
