"""A predicted pair in plain words: for each field, what agreed or not and how much it counted.

The level wording is ours (the review screen speaks to practitioners, not to Splink's chart
labels); ``LEVELS`` follows the order of the levels in ``model.comparisons`` (best first,
without the null level), which a test checks.
"""

from __future__ import annotations

from typing import Any

from efh.intelligence.linkage.model import COMPARISON_NAMES, CORROBORATING
from efh.intelligence.linkage.prepare import STRONG_IDENTIFIERS

LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "dob": "Date of birth",
    "sex": "Sex",
    "address": "Address and postcode",
    "phone": "Phone",
    "nhs_number": "NHS number",
    "upn": "Unique pupil number",
    "pnc_id": "PNC id",
}

LEVELS: dict[str, list[str]] = {
    "given_name": [
        "the same",
        "one letter different",
        "very similar",
        "one is among the other's aliases, nicknames or street names",
        "somewhat similar",
        "sound alike",
        "different",
    ],
    "family_name": [
        "the same",
        "one letter different",
        "very similar",
        "share one part of a double-barrelled name",
        "somewhat similar",
        "sound alike",
        "different",
    ],
    "dob": [
        "the same",
        "day and month swapped",
        "one digit different",
        "same day and month, another year",
        "same year and month",
        "different",
    ],
    "sex": ["the same", "different"],
    "address": [
        "same address and postcode",
        "same address",
        "same postcode, similar address",
        "same postcode",
        "same postcode sector",
        "same postcode district",
        "different",
    ],
    "phone": ["the same", "different"],
    "nhs_number": ["the same", "different"],
    "upn": ["the same", "different"],
    "pnc_id": ["the same", "different"],
}
MISSING = "not recorded on one or both records"

#: Why a pair may not be linked automatically, whatever its weight (``auto_allowed`` false; the
#: rule is ``engine.AUTO_ALLOWED_SQL``): nothing but names and sex agree; the given names differ
#: and no identifier is shared; one of the records has too little to compare. Review pairs store
#: the key; the review screen words it (``people.models.HeldBack``).
HELD_BACK = ("names_only", "given_names_differ", "too_little")


def _strength(weight: float) -> str:
    if weight >= 6:
        return "strong evidence of the same person"
    if weight >= 2:
        return "some evidence of the same person"
    if weight > -2:
        return "little evidence either way"
    if weight > -6:
        return "some evidence of different people"
    return "strong evidence of different people"


def level_words(field: str, gamma: int) -> str:
    """The wording of comparison level ``gamma`` (Splink's value: -1 null, 0 the last level,
    counting up to the best)."""
    if gamma < 0:
        return MISSING
    levels = LEVELS[field]
    return levels[len(levels) - 1 - gamma]


def explain(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """Per field of a predicted pair (a row of ``predict``'s output, as a dict): ``field``,
    ``label``, ``level`` (words), ``weight`` (its contribution to the match weight, in bits,
    term-frequency adjustment included: +1 doubles the odds of a match) and ``words`` (one
    plain sentence for the review screen). Fields in the model's order."""
    out = []
    for field in COMPARISON_NAMES:
        gamma = int(pair[f"gamma_{field}"])
        weight = float(pair.get(f"mw_{field}") or 0.0) + float(
            pair.get(f"mw_tf_adj_{field}") or 0.0
        )
        level = level_words(field, gamma)
        label = LABELS[field]
        if gamma < 0:
            words = f"{label}: {MISSING}, so it counts neither way."
        else:
            words = f"{label}: {level} ({_strength(weight)}, {weight:+.1f})."
        out.append(
            {"field": field, "label": label, "level": level, "weight": weight, "words": words}
        )
    return out


def held_back(pair: dict[str, Any]) -> str:
    """Why a pair whose ``auto_allowed`` is false may not be linked automatically: a key of
    ``HELD_BACK``, from its comparison levels (Splink's gamma: -1 null, 0 disagrees, above 0
    some agreement). The two conditions of ``engine.AUTO_ALLOWED_SQL`` that the levels show are
    checked first; a pair meeting both was held back because a record has too little to compare
    (``prepare.linkable_expr``)."""
    gamma = {name: int(pair[f"gamma_{name}"]) for name in COMPARISON_NAMES}
    if not any(gamma[n] > 0 for n in CORROBORATING):
        return "names_only"
    if gamma["given_name"] == 0 and all(gamma[n] < 1 for n in STRONG_IDENTIFIERS):
        return "given_names_differ"
    return "too_little"
