"""The screening tool's definition: what a valid one is, and the default (London practice).

A partnership changes its tool without code: ``efh screening-tool load FILE`` or the
administrator's screen store a new version after :func:`validate_definition` accepts it. Each
screening keeps the version it was made with. The tool shows which indicators are present and
why; it computes no score and no level (PRACTICE.md: no opaque risk scores).

Hand-written because the shape is the platform's own: a JSON Schema library would check types
but not the cross-references (a rule naming a level or a question the tool has not got) that
make a clear error for an administrator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).parent / "data" / "screening-tool-london.json"

ANSWERS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
PREFILLS = {
    "missing_90d": "Missing episodes in the last 90 days",
    "excluded": "School exclusions in the last year",
    "looked_after": "Looked-after status",
    "send": "Special educational needs or disability status",
    "social_care": "An open case or a child protection or child in need status",
}
CONDITIONS = {"age_under", "answer_yes"}


class ToolInvalid(ValueError):
    """The definition is not a tool: ``errors`` says every problem, with where it is."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def default_definition() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    return definition


def _text(obj: Any, key: str, where: str, errors: list[str], required: bool = True) -> None:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{where}: {key!r} must be {'non-empty ' if required else ''}text")


def validate_definition(definition: Any) -> dict[str, Any]:
    """The definition if it is a valid tool; raises :class:`ToolInvalid` listing every error."""
    errors: list[str] = []
    if not isinstance(definition, dict):
        raise ToolInvalid(["the tool must be a JSON object with sections, levels and rules"])
    _text(definition, "name", "the tool", errors)
    sections = definition.get("sections")
    codes: set[Any] = set()
    if not isinstance(sections, list) or not sections:
        errors.append("the tool: 'sections' must be a non-empty list")
        sections = []
    section_codes: set[Any] = set()
    for i, section in enumerate(sections, 1):
        where = f"section {i}"
        if not isinstance(section, dict):
            errors.append(f"{where}: must be an object")
            continue
        _text(section, "code", where, errors)
        _text(section, "title", where, errors)
        _text(section, "hint", where, errors, required=False)
        if section.get("code") in section_codes:
            errors.append(f"{where}: code {section.get('code')!r} is used twice")
        section_codes.add(section.get("code"))
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(f"{where}: 'questions' must be a non-empty list")
            continue
        for j, q in enumerate(questions, 1):
            qwhere = f"{where}, question {j}"
            if not isinstance(q, dict):
                errors.append(f"{qwhere}: must be an object")
                continue
            _text(q, "code", qwhere, errors)
            _text(q, "text", qwhere, errors)
            _text(q, "hint", qwhere, errors, required=False)
            code = q.get("code")
            if isinstance(code, str) and code in codes:
                errors.append(f"{qwhere}: question code {code!r} is used twice")
            codes.add(code)
            prefill = q.get("prefill")
            if prefill is not None and prefill not in PREFILLS:
                errors.append(
                    f"{qwhere}: prefill {prefill!r} is not one the platform knows "
                    f"({', '.join(sorted(PREFILLS))})"
                )
    levels = definition.get("levels")
    level_codes: set[Any] = set()
    if not isinstance(levels, list) or not levels:
        errors.append("the tool: 'levels' must be a non-empty list")
        levels = []
    for i, level in enumerate(levels, 1):
        _text(level, "code", f"level {i}", errors)
        _text(level, "label", f"level {i}", errors)
        if isinstance(level, dict):
            level_codes.add(level.get("code"))
    rules = definition.get("rules", [])
    if not isinstance(rules, list):
        errors.append("the tool: 'rules' must be a list")
        rules = []
    for i, rule in enumerate(rules, 1):
        where = f"rule {i}"
        if not isinstance(rule, dict):
            errors.append(f"{where}: must be an object")
            continue
        _text(rule, "code", where, errors)
        _text(rule, "text", where, errors)
        if rule.get("forbid") not in level_codes:
            errors.append(
                f"{where}: forbids level {rule.get('forbid')!r}, which the tool has not got"
            )
        when = rule.get("when")
        if not isinstance(when, dict) or not when or set(when) - CONDITIONS:
            errors.append(f"{where}: 'when' must name one of {', '.join(sorted(CONDITIONS))}")
            continue
        if "age_under" in when and not isinstance(when["age_under"], int):
            errors.append(f"{where}: 'age_under' must be a whole number of years")
        if "answer_yes" in when and when["answer_yes"] not in codes:
            errors.append(
                f"{where}: 'answer_yes' names question {when['answer_yes']!r}, which the tool has not got"
            )
    if errors:
        raise ToolInvalid(errors)
    return definition


@dataclass(frozen=True)
class RuleApplies:
    code: str
    level: str
    text: str


def forbidden_levels(
    definition: dict[str, Any], *, age: int | None, answers: dict[str, Any]
) -> list[RuleApplies]:
    """The rules that apply to this child, each with the level it forbids and its text."""
    applies = []
    for rule in definition.get("rules", []):
        when = rule["when"]
        hit = True
        if "age_under" in when:
            hit = hit and age is not None and age < when["age_under"]
        if "answer_yes" in when:
            hit = hit and (answers.get(when["answer_yes"]) or {}).get("answer") == "yes"
        if hit:
            applies.append(RuleApplies(rule["code"], rule["forbid"], rule["text"]))
    return applies


def questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for s in definition["sections"] for q in s["questions"]]
