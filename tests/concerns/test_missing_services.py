"""Recording missing episodes, return home interviews and Philomena profiles (services)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from efh.concerns.models import (
    MissingEpisode,
    MissingEpisodeAddendum,
    MissingWith,
    PhilomenaProfile,
)
from efh.concerns.services.missing import (
    StaleEdit,
    missing_episode_interview_record,
    missing_episode_record,
    philomena_profile_save,
    photo_check,
)
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def ago(**kwargs: Any) -> datetime:
    return datetime.now(tz=UTC) - timedelta(**kwargs)


def record_one(user: Any, child: Any, **overrides: Any) -> MissingEpisode:
    values: dict[str, Any] = {
        "actor": user,
        "person_id": child.pk,
        "missing_from": "care",
        "went_missing_at": ago(days=3),
        "reported_at": ago(days=3) + timedelta(hours=1),
        "returned_at": None,
        "found": "",
        "missing_with": [],
        "circumstances": "Left the children's home after an argument",
    }
    values.update(overrides)
    return missing_episode_record(**values)


def test_record_episode_on_the_users_agency_record(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="education")
    make_person(source="police", person=child)
    friend = make_person(source="police")
    episode = record_one(officer, child, missing_with=[friend.pk], found="E5 8HX")

    assert episode.record.source == "police"  # the officer's agency's record, not education's
    assert episode.source == "efh-met-police"
    assert len(episode.source_id) == 32
    assert episode.delivery_id is None and episode.line is None
    assert episode.recorded_by == officer
    episode.refresh_from_db()
    assert episode.found_description == "E5 8HX"
    assert episode.circumstances == "Left the children's home after an argument"
    raw = json.loads(episode.raw)
    assert raw["found"] == "E5 8HX"
    assert raw["missing_with"] == [friend.pk]
    assert len(episode.row_hash) == 32
    assert MissingWith.objects.filter(episode=episode, record__person=friend).exists()
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "missing_episode",
        str(episode.pk),
    )
    assert entry.username == "police.officer"
    assert "circumstances" in entry.fields
    assert entry.detail["changes"]["circumstances"] == [
        None,
        "Left the children's home after an argument",
    ]


def test_record_episode_falls_back_to_any_record(demo: Any, make_person: Any) -> None:
    screener = demo["screener"]  # sees every child, none recorded by their agency
    child = make_person(source="health")
    episode = record_one(screener, child)
    assert episode.record.source == "health"
    assert episode.source == "efh-childrens-social-care"


def test_companions_must_be_people_the_user_may_open(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    stranger = make_person(source="health")
    with pytest.raises(ValidationError) as error:
        record_one(demo["police.officer"], child, missing_with=[stranger.pk])
    assert "may not open" in str(error.value)
    assert not MissingEpisode.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"returned_at": ago(days=4)}, "returned_at"),
        ({"reported_at": ago(days=4)}, "reported_at"),
        ({"went_missing_at": datetime.now(tz=UTC) + timedelta(days=1)}, "went_missing_at"),
        ({"missing_from": "the moon"}, "missing_from"),
    ],
)
def test_record_refuses_impossible_times(
    demo: Any, make_person: Any, overrides: dict[str, Any], field: str
) -> None:
    child = make_person(source="police")
    with pytest.raises(ValidationError) as error:
        record_one(demo["police.officer"], child, **overrides)
    assert field in error.value.message_dict
    assert not MissingEpisode.objects.exists()


def test_recording_needs_the_record_capability(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    with pytest.raises(PermissionDenied):
        record_one(demo["analyst"], child)


def interview(user: Any, episode: MissingEpisode, **overrides: Any) -> MissingEpisode:
    values: dict[str, Any] = {
        "actor": user,
        "episode_id": episode.pk,
        "expected_row_hash": episode.row_hash,
        "returned_at": ago(days=2),
        "rhi_offered_at": ago(days=2) + timedelta(hours=2),
        "rhi_completed_at": ago(days=1),
        "rhi_declined": False,
        "rhi_by": "Ife Example, Safe Choices",
        "child_said": "I was at a friend's flat",
        "next_steps": "Refer to the exploitation panel",
    }
    values.update(overrides)
    return missing_episode_interview_record(**values)


def test_interview_updates_hash_raw_and_logs_changed_fields(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police")
    episode = record_one(officer, child)
    before = episode.row_hash
    updated = interview(officer, episode)
    updated.refresh_from_db()
    assert updated.row_hash != before
    assert updated.rhi_by == "Ife Example, Safe Choices"
    assert "I was at a friend's flat" in updated.rhi_summary
    raw = json.loads(updated.raw)
    assert raw["rhi_next_steps"] == "Refer to the exploitation panel"
    assert raw["circumstances"] == "Left the children's home after an argument"  # kept
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == "update"
    assert set(entry.fields) >= {"returned_at", "rhi_completed_at", "rhi_by", "rhi_child_said"}
    assert "missing_from" not in entry.fields
    # Old and new value of every changed field.
    assert entry.detail["changes"]["rhi_by"] == ["", "Ife Example, Safe Choices"]
    assert entry.detail["changes"]["returned_at"] == [None, updated.returned_at.isoformat()]  # type: ignore[union-attr]
    assert entry.detail["changes"]["rhi_child_said"] == ["", "I was at a friend's flat"]
    assert set(entry.detail["changes"]) == set(entry.fields)
    assert not MissingEpisodeAddendum.objects.exists()  # the officer's own: edited in place


def test_stale_interview_edit_is_refused(demo: Any, make_person: Any) -> None:
    officer, worker = demo["police.officer"], demo["screener"]
    child = make_person(source="police")
    episode = record_one(officer, child)
    loaded = episode.row_hash
    interview(worker, episode, rhi_by="Sam Example", reason="Held by our service")
    entries = AccessLogEntry.objects.count()
    with pytest.raises(StaleEdit) as stale:
        interview(officer, episode, expected_row_hash=loaded, rhi_by="Priya Example")
    assert stale.value.current.current_values()["rhi_by"] == "Sam Example"
    episode.refresh_from_db()
    assert episode.current_values()["rhi_by"] == "Sam Example"
    assert AccessLogEntry.objects.count() == entries


def imported_episode(child: Any, **values: Any) -> MissingEpisode:
    """An episode as the police system sent it (a delivery's row, not the platform's)."""
    went = ago(days=5)
    fields: dict[str, Any] = {
        "source": "police",
        "source_id": "MISS-00017",
        "row_hash": "f" * 32,
        "raw": '{"missing_from": "home"}',
        "record": child.records.get(),
        "missing_from": "home",
        "went_missing_at": went,
        "reported_at": went + timedelta(hours=1),
        "returned_at": went + timedelta(hours=20),
        "rhi_summary": "Said little",
    }
    fields.update(values)
    return MissingEpisode.objects.create(**fields)


def test_another_agencys_import_is_never_edited_in_place(demo: Any, make_person: Any) -> None:
    school = demo["school.dsl"]
    child = make_person(source="police")
    episode = imported_episode(child)
    before = MissingEpisode.objects.values().get(pk=episode.pk)
    earlier = episode.returned_at - timedelta(hours=2)  # type: ignore[operator]
    with pytest.raises(ValidationError) as error:
        interview(school, episode, returned_at=earlier, rhi_offered_at=None, rhi_completed_at=None)
    assert "reason" in error.value.message_dict  # why, before anything is kept
    assert not MissingEpisodeAddendum.objects.exists()
    interview(
        school,
        episode,
        returned_at=earlier,
        rhi_offered_at=None,
        rhi_completed_at=None,
        rhi_by="",
        child_said="Said little",
        next_steps="",
        reason="Seen at breakfast club at 8:15am, two hours before the police time",
    )
    assert MissingEpisode.objects.values().get(pk=episode.pk) == before  # untouched
    addendum = MissingEpisodeAddendum.objects.get()
    assert addendum.episode == episode
    assert addendum.source == f"efh-{school.agency.code}"
    assert addendum.delivery_id is None and addendum.recorded_by == school
    assert addendum.fields == ["returned_at"]  # only what differs
    assert addendum.returned_at == earlier
    assert addendum.reason.startswith("Seen at breakfast club")
    episode = MissingEpisode.objects.get(pk=episode.pk)
    assert episode.current_values()["returned_at"] == earlier
    assert episode.original_values()["returned_at"] == before["returned_at"]
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id) == (
        "update",
        "missing_episode",
        str(episode.pk),
    )
    assert entry.detail["changes"] == {
        "returned_at": [before["returned_at"].isoformat(), earlier.isoformat()]
    }
    assert entry.reason.startswith("Seen at breakfast club")
    assert entry.detail["kept_beside"] == "police/MISS-00017"


def test_own_agencys_import_also_gets_an_addendum(demo: Any, make_person: Any) -> None:
    """An import is the sending system's record, replaced by its next delivery: the platform
    adds beside it, even for the agency that sent it."""
    officer = demo["police.officer"]
    child = make_person(source="police")
    episode = imported_episode(child)
    interview(officer, episode, reason="Interview by our missing person coordinator")
    episode.refresh_from_db()
    assert episode.rhi_completed_at is None and episode.row_hash == "f" * 32
    assert episode.current_values()["rhi_by"] == "Ife Example, Safe Choices"
    assert episode.rhi(now=ago(seconds=0)).held.status == "met"


def test_interview_without_changes_writes_nothing(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    episode = record_one(officer, make_person(source="police"), returned_at=ago(days=2))
    entries = AccessLogEntry.objects.count()
    same = interview(
        officer,
        episode,
        returned_at=episode.returned_at,
        rhi_offered_at=None,
        rhi_completed_at=None,
        rhi_by="",
        child_said="",
        next_steps="",
    )
    assert same.row_hash == episode.row_hash
    assert AccessLogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"returned_at": None}, "returned_at"),
        ({"rhi_completed_at": ago(days=2) + timedelta(hours=1)}, "rhi_completed_at"),
        ({"rhi_offered_at": ago(days=2, hours=1)}, "rhi_offered_at"),
        ({"rhi_declined": True}, "rhi_declined"),
        ({"rhi_completed_at": datetime.now(tz=UTC) + timedelta(hours=1)}, "rhi_completed_at"),
    ],
)
def test_interview_refuses_impossible_times(
    demo: Any, make_person: Any, overrides: dict[str, Any], field: str
) -> None:
    officer = demo["police.officer"]
    episode = record_one(officer, make_person(source="police"))
    with pytest.raises(ValidationError) as error:
        interview(officer, episode, **overrides)
    assert field in error.value.message_dict


def test_profile_create_update_and_stale(demo: Any, make_person: Any) -> None:
    officer, worker = demo["police.officer"], demo["screener"]
    child = make_person(source="police")
    profile = philomena_profile_save(
        actor=officer,
        person_id=child.pk,
        expected_revision=0,
        texts={"description": "Tall, <script>alert(1)</script>", "phones": "=HYPERLINK(1)"},
        photo=PNG,
    )
    assert profile.revision == 1
    assert profile.description == "Tall, <script>alert(1)</script>"  # stored as typed
    assert profile.phones == "=HYPERLINK(1)"
    assert profile.photo_type == "image/png"
    created = AccessLogEntry.objects.order_by("-seq").first()
    assert created is not None
    assert (created.action, created.object_type) == ("create", "philomena_profile")
    assert set(created.fields) == {"description", "phones", "photo"}

    philomena_profile_save(
        actor=worker, person_id=child.pk, expected_revision=1, texts={"description": "Short"}
    )
    updated = AccessLogEntry.objects.order_by("-seq").first()
    assert updated is not None and updated.action == "update"
    assert set(updated.fields) == {"description", "phones"}
    assert updated.detail["changes"] == {
        "description": ["Tall, <script>alert(1)</script>", "Short"],
        "phones": ["=HYPERLINK(1)", ""],
    }
    with pytest.raises(StaleEdit) as stale:
        philomena_profile_save(
            actor=officer, person_id=child.pk, expected_revision=1, texts={"description": "Mine"}
        )
    assert stale.value.current.description == "Short"
    profile = PhilomenaProfile.objects.get(person=child)
    assert (profile.revision, profile.description, profile.updated_by) == (2, "Short", worker)
    assert bytes(profile.photo) == PNG  # kept when no new photo is sent

    philomena_profile_save(
        actor=worker, person_id=child.pk, expected_revision=2, texts={}, remove_photo=True
    )
    profile.refresh_from_db()
    assert profile.photo is None and profile.revision == 3


def test_profile_on_a_child_someone_else_created_is_stale(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    philomena_profile_save(
        actor=demo["screener"], person_id=child.pk, expected_revision=0, texts={}
    )
    with pytest.raises(StaleEdit):
        philomena_profile_save(
            actor=demo["police.officer"], person_id=child.pk, expected_revision=0, texts={}
        )


def test_photo_check() -> None:
    assert photo_check(PNG).content_type == "image/png"
    assert photo_check(JPEG).content_type == "image/jpeg"
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        photo_check(b"GIF89a" + b"\x00" * 10)
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        photo_check(b"%PDF-1.7 looks like a photo.jpg")
    with pytest.raises(ValidationError, match="2 MB"):
        photo_check(PNG + b"\x00" * (2 * 1024 * 1024))


def test_a_time_resubmitted_to_the_minute_is_no_change(demo: Any, make_person: Any) -> None:
    """The form reads times to the minute: the stored seconds are not a correction."""
    child = make_person(source="police")
    episode = imported_episode(child)
    assert episode.returned_at is not None
    typed = episode.returned_at.replace(second=0, microsecond=0)
    interview(
        demo["school.dsl"],
        episode,
        returned_at=typed,
        rhi_offered_at=None,
        reason="Interview held",
    )
    addendum = MissingEpisodeAddendum.objects.get()
    assert "returned_at" not in addendum.fields
    assert "rhi_completed_at" in addendum.fields
