"""Writes about missing episodes, return home interviews and Philomena profiles.

Each service is keyword-only, atomic, re-checks what the database would refuse (so a bad call
gets a ``ValidationError`` with a readable message rather than an ``IntegrityError``), and writes
its access-log entry in the same transaction.

An episode recorded on the platform is a sourced row like an imported one: ``source`` is the
recording agency's platform source, ``raw`` the JSON of what was submitted and ``row_hash`` a
hash of it. Every change rewrites both, so the hash is how an edit made from an older copy is
recognised (:class:`StaleEdit`); a Philomena profile uses its ``revision`` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from efh.concerns.models import (
    CORRECTABLE_FIELDS,
    TIMED_FIELDS,
    MissingEpisode,
    MissingEpisodeAddendum,
    MissingFrom,
    MissingWith,
    PhilomenaProfile,
)
from efh.concerns.policy import can_record
from efh.concerns.selectors.missing import (
    companion_record,
    episode_submitted,
    episode_version,
    openable_person_ids,
    record_for_recording,
)
from efh.concerns.validators import check_lengths
from efh.core import clock
from efh.core.changes import created, field_changes
from efh.core.models import AccessAction, ObjectType, Source
from efh.core.services import access_log_record, platform_provenance, platform_raw

if TYPE_CHECKING:
    from efh.accounts.models import User

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}

PROFILE_TEXT_FIELDS = [
    "description",
    "friends_and_associates",
    "addresses",
    "places_frequented",
    "phones",
    "social_media",
    "transport",
    "other",
]


class StaleEdit(Exception):
    """Someone else saved a change after the form was loaded; nothing was saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale edit")
        self.current = current


def photo_type(data: bytes) -> str | None:
    """The image type by its first bytes (never by the file's name or the browser's word)."""
    for magic, content_type in PHOTO_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def _now() -> datetime:
    return clock.now()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _require_recorder(actor: User) -> None:
    if not can_record(actor):
        raise PermissionDenied("Recording needs a role that records and an agency to record for")


def _check_times(
    *,
    went_missing_at: datetime,
    reported_at: datetime | None,
    returned_at: datetime | None,
    offered_at: datetime | None = None,
    completed_at: datetime | None = None,
    declined: bool = False,
    now: datetime,
) -> None:
    """The database's check constraints, and the common-sense ones, as readable messages."""
    nouns = {
        "went_missing_at": "When they went missing",
        "reported_at": "When they were reported missing",
        "returned_at": "When they returned",
        "rhi_offered_at": "When the interview was offered",
        "rhi_completed_at": "When the interview took place",
    }
    errors: dict[str, str] = {}
    for name, value in [
        ("went_missing_at", went_missing_at),
        ("reported_at", reported_at),
        ("returned_at", returned_at),
        ("rhi_offered_at", offered_at),
        ("rhi_completed_at", completed_at),
    ]:
        if value is not None and value > now:
            errors[name] = f"{nouns[name]} must be in the past"
    if reported_at is not None and reported_at < went_missing_at:
        errors.setdefault("reported_at", f"{nouns['reported_at']} must be after they went missing")
    if returned_at is not None and returned_at < went_missing_at:
        errors.setdefault("returned_at", f"{nouns['returned_at']} must be after they went missing")
    if (offered_at or completed_at) and returned_at is None:
        errors.setdefault("returned_at", "Enter when they returned before recording the interview")
    if returned_at is not None:
        if offered_at is not None and offered_at < returned_at:
            errors.setdefault(
                "rhi_offered_at", f"{nouns['rhi_offered_at']} must be after they returned"
            )
        if completed_at is not None and completed_at < returned_at:
            errors.setdefault(
                "rhi_completed_at", f"{nouns['rhi_completed_at']} must be after they returned"
            )
    if offered_at and completed_at and completed_at < offered_at:
        errors.setdefault(
            "rhi_completed_at", f"{nouns['rhi_completed_at']} must be after it was offered"
        )
    if declined and completed_at is not None:
        errors.setdefault(
            "rhi_declined", "The interview cannot be both declined and have taken place"
        )
    if errors:
        raise ValidationError({name: ValidationError(message) for name, message in errors.items()})


@transaction.atomic
def missing_episode_record(
    *,
    actor: User,
    person_id: int,
    missing_from: str,
    went_missing_at: datetime,
    reported_at: datetime | None = None,
    returned_at: datetime | None = None,
    found: str = "",
    missing_with: list[int] | None = None,
    circumstances: str = "",
    request: HttpRequest | None = None,
) -> MissingEpisode:
    """Record a missing episode of a child the actor may open (the view has checked that).

    Companions must be people the actor may open: naming anyone else would tell the actor who
    exists, so they are refused whatever the reason."""
    _require_recorder(actor)
    if missing_from not in MissingFrom.values:
        raise ValidationError({"missing_from": "Select where they went missing from"})
    _check_times(
        went_missing_at=went_missing_at,
        reported_at=reported_at,
        returned_at=returned_at,
        now=_now(),
    )
    check_lengths({"found": found, "circumstances": circumstances})
    record = record_for_recording(actor, person_id)
    if record is None:
        raise ValidationError("This person has no record to add an episode to")
    companions = sorted(set(missing_with or []) - {person_id})
    refused = set(companions) - openable_person_ids(actor, companions)
    if refused:
        raise ValidationError(
            {"missing_with": f"You cannot name person {min(refused)}: you may not open them"}
        )
    submitted = {
        "person_id": person_id,
        "missing_from": missing_from,
        "went_missing_at": _iso(went_missing_at),
        "reported_at": _iso(reported_at),
        "returned_at": _iso(returned_at),
        "found": found,
        "missing_with": companions,
        "circumstances": circumstances,
        "recorded_by": actor.username,
        "recorded_at": _iso(_now()),
    }
    episode = MissingEpisode.objects.create(
        **platform_provenance(actor.agency, submitted),
        record=record,
        missing_from=missing_from,
        went_missing_at=went_missing_at,
        reported_at=reported_at,
        returned_at=returned_at,
        found_description=found.strip(),
        circumstances=circumstances,
        recorded_by=actor,
    )
    for companion in companions:
        companion_rec = companion_record(actor, companion)
        if companion_rec is not None:
            MissingWith.objects.get_or_create(episode=episode, record=companion_rec)
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.MISSING_EPISODE,
        object_id=episode.pk,
        fields=[k for k, v in submitted.items() if v not in (None, "", [])],
        detail={
            "person_id": person_id,
            "record": f"{record.source}/{record.source_id}",
            "changes": created(
                {
                    k: v
                    for k, v in submitted.items()
                    if k not in {"person_id", "recorded_by", "recorded_at"}
                    and v not in (None, "", [])
                },
            ),
        },
        request=request,
    )
    return episode


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _compose_summary(child_said: str, next_steps: str) -> str:
    return "\n\n".join(
        part
        for part in (
            f"What the child said:\n{child_said}" if child_said else "",
            f"What happens next:\n{next_steps}" if next_steps else "",
        )
        if part
    )


def edits_in_place(actor: User, episode: MissingEpisode) -> bool:
    """Whether the actor's change is made to the episode itself: only to an episode their own
    agency recorded on the platform, and only while no other agency has added to it. Anything
    else (an import, another agency's entry) gets the actor's own addendum beside it."""
    if not episode.is_platform_entry or actor.agency is None:
        return False
    if episode.source != Source.platform_code(actor.agency.code):
        return False
    return not MissingEpisodeAddendum.objects.filter(episode=episode).exists()


@transaction.atomic
def missing_episode_interview_record(
    *,
    actor: User,
    episode_id: int,
    expected_row_hash: str,
    returned_at: datetime | None,
    rhi_offered_at: datetime | None,
    rhi_completed_at: datetime | None,
    rhi_declined: bool,
    rhi_by: str,
    child_said: str,
    next_steps: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> MissingEpisode:
    """Record the return and the return home interview on an episode.

    On an episode the actor's agency recorded on the platform (and no one else has added to),
    the episode itself changes. On any other (imported from an agency's system, or recorded by
    another agency) nothing of it changes: the actor's agency adds a
    :class:`~efh.concerns.models.MissingEpisodeAddendum` stating the fields that differ, with
    ``reason`` (required) saying why; pages show it beside the original.

    Raises :class:`StaleEdit` (saving nothing) when the episode or its addenda changed after the
    form was loaded, i.e. ``episode_version`` is no longer ``expected_row_hash``. The access-log
    entry holds ``{"field": [old, new]}`` for every changed field."""
    _require_recorder(actor)
    episode = MissingEpisode.objects.select_for_update().get(pk=episode_id)
    if episode_version(episode) != expected_row_hash:
        raise StaleEdit(episode)
    _check_times(
        went_missing_at=episode.went_missing_at,
        reported_at=episode.reported_at,
        returned_at=returned_at,
        offered_at=rhi_offered_at,
        completed_at=rhi_completed_at,
        declined=rhi_declined,
        now=_now(),
    )
    check_lengths(
        {"rhi_by": rhi_by, "child_said": child_said, "next_steps": next_steps, "reason": reason}
    )
    new: dict[str, Any] = {
        "returned_at": returned_at,
        "rhi_offered_at": rhi_offered_at,
        "rhi_completed_at": rhi_completed_at,
        "rhi_declined": rhi_declined,
        "rhi_by": rhi_by,
        "rhi_child_said": child_said,
        "rhi_next_steps": next_steps,
    }
    old = episode.current_values()
    for name in TIMED_FIELDS:
        # The form reads times to the minute: the same minute as stored is no change.
        if _same_minute(old[name], new[name]):
            new[name] = old[name]
    changes = field_changes(old, new)
    if not changes:
        return episode
    if not edits_in_place(actor, episode):
        return _add_addendum(actor, episode, new, changes, reason.strip(), request)
    returned_at, rhi_offered_at, rhi_completed_at = (new[name] for name in TIMED_FIELDS)
    episode.returned_at = returned_at
    episode.rhi_offered_at = rhi_offered_at
    episode.rhi_completed_at = rhi_completed_at
    episode.rhi_declined = rhi_declined
    episode.rhi_by = rhi_by
    episode.rhi_summary = _compose_summary(child_said, next_steps)
    submitted = episode_submitted(episode)
    submitted.update(
        {
            "returned_at": _iso(returned_at),
            "rhi_offered_at": _iso(rhi_offered_at),
            "rhi_completed_at": _iso(rhi_completed_at),
            "rhi_declined": rhi_declined,
            "rhi_by": rhi_by,
            "rhi_child_said": child_said,
            "rhi_next_steps": next_steps,
            "updated_by": actor.username,
            "updated_at": _iso(_now()),
        }
    )
    episode.raw, episode.row_hash = platform_raw(submitted)
    episode.save(
        update_fields=[
            "returned_at",
            "rhi_offered_at",
            "rhi_completed_at",
            "rhi_declined",
            "rhi_by",
            "rhi_summary",
            "raw",
            "row_hash",
        ]
    )
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE,
        object_type=ObjectType.MISSING_EPISODE,
        object_id=episode.pk,
        fields=sorted(changes),
        detail={"person_id": episode.record.person_id, "changes": changes},
        request=request,
    )
    return episode


def _add_addendum(
    actor: User,
    episode: MissingEpisode,
    new: dict[str, Any],
    changes: dict[str, list[Any]],
    reason: str,
    request: HttpRequest | None,
) -> MissingEpisode:
    if not reason:
        raise ValidationError(
            {"reason": ValidationError("Enter why you are adding to or correcting this episode")}
        )
    stated = [name for name in CORRECTABLE_FIELDS if name in changes]
    submitted = {
        "episode": f"{episode.source}/{episode.source_id}",
        **{name: _iso(new[name]) if name in TIMED_FIELDS else new[name] for name in stated},
        "reason": reason,
        "recorded_by": actor.username,
        "recorded_at": _iso(_now()),
    }
    addendum = MissingEpisodeAddendum.objects.create(
        **platform_provenance(actor.agency, submitted),
        episode=episode,
        fields=stated,
        reason=reason,
        recorded_at=_now(),
        recorded_by=actor,
        **{name: new[name] for name in stated},
    )
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE,
        object_type=ObjectType.MISSING_EPISODE,
        object_id=episode.pk,
        fields=sorted(changes),
        detail={
            "person_id": episode.record.person_id,
            "changes": changes,
            "addendum": f"{addendum.source}/{addendum.source_id}",
            "kept_beside": f"{episode.source}/{episode.source_id}",
        },
        reason=reason,
        request=request,
    )
    return episode


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


def photo_check(data: bytes) -> Photo:
    """A photo the profile may hold: JPEG or PNG by its bytes, at most 2 MB."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": "The photo must be smaller than 2 MB"})
    content_type = photo_type(data)
    if content_type is None:
        raise ValidationError({"photo": "The photo must be a JPEG or PNG"})
    return Photo(data, content_type)


@transaction.atomic
def philomena_profile_save(
    *,
    actor: User,
    person_id: int,
    expected_revision: int,
    texts: dict[str, str],
    photo: bytes | None = None,
    remove_photo: bool = False,
    request: HttpRequest | None = None,
) -> PhilomenaProfile:
    """Create or change a child's Philomena profile.

    Raises :class:`StaleEdit` (saving nothing) if the profile's revision is no longer the one the
    form was loaded with (0: there was no profile)."""
    _require_recorder(actor)
    unknown = set(texts) - set(PROFILE_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    checked = photo_check(photo) if photo is not None else None
    profile = PhilomenaProfile.objects.select_for_update().filter(person_id=person_id).first()
    current = profile.revision if profile is not None else 0
    if current != expected_revision:
        raise StaleEdit(profile)
    creating = profile is None
    if profile is None:
        profile = PhilomenaProfile(person_id=person_id)
    check_lengths({f"philomena_{name}": texts.get(name, "") for name in PROFILE_TEXT_FIELDS})
    before = {name: getattr(profile, name) for name in PROFILE_TEXT_FIELDS}
    changes = field_changes(before, {name: texts.get(name, "") for name in PROFILE_TEXT_FIELDS})
    changed = list(changes)
    had_photo = bool(profile.photo)
    for name in PROFILE_TEXT_FIELDS:
        setattr(profile, name, texts.get(name, ""))
    if checked is not None:
        profile.photo, profile.photo_type = checked.data, checked.content_type
        changed.append("photo")
    elif remove_photo and profile.photo:
        profile.photo, profile.photo_type = None, ""
        changed.append("photo")
    if "photo" in changed:
        changes["photo"] = [
            "a photo" if had_photo else None,
            "a new photo" if profile.photo else None,
        ]
    if not changed and not creating:
        return profile
    profile.revision = current + 1
    profile.updated_at = _now()
    profile.updated_by = actor
    profile.save()
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE if creating else AccessAction.UPDATE,
        object_type=ObjectType.PHILOMENA_PROFILE,
        object_id=person_id,
        fields=changed,
        detail={"revision": profile.revision, "changes": changes},
        request=request,
    )
    return profile
