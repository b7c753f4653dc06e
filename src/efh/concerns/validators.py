"""Checks shared by the concern, missing-episode, return-interview and Philomena forms (and their
services): lengths of free text, UK postcodes, points in or near the partnership's area, and
plausible dates. Every message is a GOV.UK one that names the question.

The partnership's area comes from settings (see ``efh.config.settings``): ``EFH_POSTCODE_AREAS``
(the postcode areas a place in the borough can have, default ``E,EC,N`` for City & Hackney) and
``EFH_AREA_BOUNDS`` (south, west, north, east in WGS84 degrees: the box a point must fall in).
A child's home address may be anywhere in the country, so only the format of such a postcode
is checked (:func:`uk_postcode`); a place where something happened in the borough is also
checked against the areas (:func:`borough_postcode`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# --- Free text -------------------------------------------------------------------------------

LONG_TEXT = 10_000
"""What happened, circumstances, what the child said: about 1,500 words."""
CHILD_WORDS = 5_000
SHORT_TEXT = 200
"""A name and agency, a place described in a few words."""
NAME = 100
REASON = 2_000
SEARCH = 200

LIMITS: dict[str, tuple[str, int]] = {
    # name: (the question as a message starts it, the most characters allowed)
    "summary": ("What happened", LONG_TEXT),
    "child_words": ("The child's own words", CHILD_WORDS),
    "circumstances": ("Circumstances", LONG_TEXT),
    "found": ("Where they were found", 300),
    "missing_with_other": ("Anyone else they were missing with", SHORT_TEXT),
    "rhi_by": ("Who held the interview", SHORT_TEXT),
    "child_said": ("What the child said", LONG_TEXT),
    "next_steps": ("What happens next", LONG_TEXT),
    "reason": ("Why you are adding to or correcting this episode", REASON),
    "new_given": ("Given name", NAME),
    "new_family": ("Family name", NAME),
    "person_query": ("The name to search for", SEARCH),
    "philomena_description": ("Description", LONG_TEXT),
    "philomena_friends_and_associates": ("Friends and associates", LONG_TEXT),
    "philomena_addresses": ("Addresses", LONG_TEXT),
    "philomena_places_frequented": ("Places frequented", LONG_TEXT),
    "philomena_phones": ("Phones", LONG_TEXT),
    "philomena_social_media": ("Social media", LONG_TEXT),
    "philomena_transport": ("Transport", LONG_TEXT),
    "philomena_other": ("Anything else", LONG_TEXT),
    "place_query": ("The place to search for", SEARCH),
}


def too_long_message(question: str, limit: int) -> str:
    """ "Summary must be 5,000 characters or fewer"."""
    return f"{question} must be {limit:,} characters or fewer"


def length_error(name: str, value: str) -> str | None:
    """The message if ``value`` is longer than the limit for the field ``name``."""
    question, limit = LIMITS[name]
    return too_long_message(question, limit) if len(value) > limit else None


def limit_fields(form: Any) -> None:
    """Give each text field of ``form`` named in :data:`LIMITS` that limit, and every text field
    with a limit the GOV.UK message for it (instead of Django's "Ensure this value has at most
    ... characters")."""
    for name, field in form.fields.items():
        if not hasattr(field, "max_length"):
            continue
        if name in LIMITS:
            question, limit = LIMITS[name]
            field.max_length = limit
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs.pop("maxlength", None)  # the message, not a silent stop, says so
        elif field.max_length and "max_length" not in field.error_messages:
            question = re.sub(r"\s*\(optional\)|\?$", "", str(field.label or name)).strip()
            limit = field.max_length
        else:
            continue
        field.error_messages["max_length"] = too_long_message(question, limit)


def check_lengths(values: Mapping[str, str]) -> None:
    """Raise one ``ValidationError`` naming every field of ``values`` that is too long (for
    services, so that a call made without the form is held to the same limits)."""
    errors = {
        name: ValidationError(message)
        for name, value in values.items()
        if (message := length_error(name, value or "")) is not None
    }
    if errors:
        raise ValidationError(errors)


# --- Postcodes -------------------------------------------------------------------------------

# The format of a UK postcode (BS 7666, as in the Government Data Standards Catalogue): an
# outward code in one of six shapes (A9, A99, AA9, AA99, A9A, AA9A) with the letters each
# position can hold, a space, and an inward code of a digit and two letters (never C, I, K, M,
# O or V). GIR 0AA is the one exception.
UK_POSTCODE = re.compile(
    r"^(?:GIR 0AA|"
    r"(?:[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" [0-9][ABD-HJLNP-UW-Z]{2})$"
)
# Any text shaped like a postcode (to tell "a postcode typed wrong" from "a place's name").
LOOKS_LIKE_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

UK_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L
    LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA
    SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV
    YO ZE""".split()
)
"""The postcode areas of the United Kingdom, the Channel Islands and the Isle of Man (and BF,
British Forces), so that a well-shaped postcode in no real area (``ZZ9 9ZZ``) is refused."""

POSTCODE_EXAMPLE = "E8 1EA"


def normalise_postcode(text: str) -> str:
    """Upper case, one space before the inward code: ``e81ea`` -> ``E8 1EA``."""
    compact = re.sub(r"\s+", "", text).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcode_area(postcode: str) -> str:
    """The letters the postcode starts with: ``EC1A 1BB`` -> ``EC``."""
    match = re.match(r"^[A-Z]+", postcode)
    return match.group(0) if match else ""


def uk_postcode(text: str) -> str:
    """A real UK postcode, normalised; raises ``ValidationError`` with a GOV.UK message."""
    value = normalise_postcode(text)
    if not UK_POSTCODE.match(value) or (
        value != "GIR 0AA" and postcode_area(value) not in UK_POSTCODE_AREAS
    ):
        raise ValidationError(f"Enter a real postcode, like {POSTCODE_EXAMPLE}")
    return value


def partnership_postcode_areas() -> list[str]:
    raw = getattr(settings, "EFH_POSTCODE_AREAS", "E,EC,N")
    return [a.strip().upper() for a in str(raw).split(",") if a.strip()]


def borough_postcode(text: str) -> str:
    """A real UK postcode in one of the partnership's postcode areas (a place in the borough)."""
    value = uk_postcode(text)
    areas = partnership_postcode_areas()
    if areas and postcode_area(value) not in areas:
        listed = ", ".join(areas[:-1]) + (f" or {areas[-1]}" if len(areas) > 1 else areas[0])
        raise ValidationError(
            f"Enter a postcode in the partnership's area (starting {listed}), like "
            f"{POSTCODE_EXAMPLE}"
        )
    return value


# --- Points ----------------------------------------------------------------------------------


def area_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) from ``EFH_AREA_BOUNDS``."""
    raw = getattr(settings, "EFH_AREA_BOUNDS", "51.46,-0.19,51.63,0.06")
    south, west, north, east = (float(v) for v in str(raw).split(","))
    return south, west, north, east


def in_area(latitude: float, longitude: float) -> bool:
    south, west, north, east = area_bounds()
    return south <= latitude <= north and west <= longitude <= east


def check_point(latitude: float, longitude: float) -> None:
    """Raise if the point is outside the partnership's area and its margin."""
    if not in_area(latitude, longitude):
        south, west, north, east = area_bounds()
        raise ValidationError(
            "The point must be in or near the partnership's area: a latitude between "
            f"{south} and {north} and a longitude between {west} and {east}"
        )


# --- Dates -----------------------------------------------------------------------------------

EARLIEST_EVENT_YEAR = 1990
"""Nothing the platform records about an adolescent happened before this."""
CLOCK_SLACK = timedelta(minutes=5)
"""How far a device's clock may run ahead of the server's."""
OLDEST_AGE = 120
CHILD_RECORD_AGE = 25
"""The oldest a person on a child's record can be (care leavers and SEND support run to 25)."""


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birth_date_problem(born: date, *, today: date, child: bool | None = None) -> str | None:
    """Why a date of birth is not plausible, or None: not in the future, no more than 120
    years ago, and for a child no more than 25 years ago."""
    if born > today:
        return "Date of birth must be in the past"
    if age_on(born, today) >= OLDEST_AGE:
        return f"Date of birth must be after {today.year - OLDEST_AGE}"
    if child and age_on(born, today) >= CHILD_RECORD_AGE:
        return (
            f"Date of birth makes them {age_on(born, today)}: a child's date of birth must be "
            f"after {today.year - CHILD_RECORD_AGE}"
        )
    return None


def event_time_problem(when: datetime, *, now: datetime, question: str) -> str | None:
    """Why the time something happened is not plausible, or None: not after now (give or take
    the clock slack) and not before 1990. ``question`` starts the message ("When it happened")."""
    if when > now + CLOCK_SLACK:
        return f"{question} must be in the past"
    if when.year < EARLIEST_EVENT_YEAR:
        return f"{question} must be in {EARLIEST_EVENT_YEAR} or later"
    return None
