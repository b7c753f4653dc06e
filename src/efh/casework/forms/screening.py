"""The screening form: its questions come from the tool version the screening was made with, so
it is read from the POST by hand into a ``services.screening.Draft`` rather than declared as a
Django form (whose fields are fixed in code). Field names: ``answer-<code>`` and
``note-<code>`` for each question, and the decision's own fields."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from efh.casework.services.screening import Draft
from efh.casework.tool import questions

TEXT_FIELDS = (
    "child_words",
    "danger_statement",
    "safety_goal",
    "level",
    "level_reason",
    "route_reason",
    "signposting",
)


def draft_from_post(definition: dict[str, Any], post: QueryDict) -> Draft:
    answers = {}
    for q in questions(definition):
        code = q["code"]
        answers[code] = {
            "answer": post.get(f"answer-{code}", ""),
            "note": post.get(f"note-{code}", "")[:2000],
        }
    lead = post.get("lead_agency", "")
    return Draft(
        answers=answers,
        routes=post.getlist("routes"),
        lead_agency_id=int(lead) if lead.isdigit() else None,
        **{name: post.get(name, "")[:10000] for name in TEXT_FIELDS},
    )


def revision_from_post(post: QueryDict) -> int | None:
    value = post.get("revision", "")
    return int(value) if value.isdigit() else None
