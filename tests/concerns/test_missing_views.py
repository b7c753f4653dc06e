"""The missing-episode, interview and Philomena screens through Django's test client:
who may open them, what is logged, what bad input gets back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from efh.concerns.models import MissingEpisode, PhilomenaProfile
from efh.concerns.selectors.missing import episode_version
from efh.concerns.services.missing import missing_episode_record, philomena_profile_save
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def parts(prefix: str, when: datetime) -> dict[str, str]:
    from django.utils import timezone

    local = timezone.localtime(when)
    return {
        f"{prefix}_day": str(local.day),
        f"{prefix}_month": str(local.month),
        f"{prefix}_year": str(local.year),
        f"{prefix}_time": f"{local:%H:%M}",
    }


def episode_of(user: Any, child: Any, **kw: Any) -> MissingEpisode:
    now = datetime.now(tz=UTC)
    return missing_episode_record(
        actor=user,
        person_id=child.pk,
        missing_from="home",
        went_missing_at=kw.pop("went", now - timedelta(days=2)),
        circumstances="Did not come home from school",
        **kw,
    )


def test_record_an_episode(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police", given_name="Ada", family_name="Example")
    friend = make_person(source="police", given_name="Bo", family_name="Friend")
    went = datetime.now(tz=UTC) - timedelta(hours=30)
    data = {
        "missing_from": "care",
        **parts("went_missing_at", went),
        **parts("reported_at", went + timedelta(hours=2)),
        "found": "<b>Clapton</b> Square",
        "missing_with_other": str(friend.pk),
        "circumstances": "=cmd|' /C calc'!A0 <script>alert(1)</script>",
    }
    url = reverse("concerns:missing-new") + f"?person={child.pk}"
    response = client_for(officer).post(url, data)
    assert response.status_code == 302
    episode = MissingEpisode.objects.get()
    assert response["Location"] == reverse("concerns:missing", kwargs={"pk": episode.pk})
    assert episode.returned_at is None
    page = client_for(officer).get(response["Location"])
    html = page.content.decode()
    assert "Ada Example" in html
    assert "Bo Friend" in html
    assert "Still missing" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Clapton&lt;/b&gt; Square" in html
    assert reverse("people:record", kwargs={"person_id": child.pk}) in html
    assert reverse("concerns:philomena", kwargs={"person_id": child.pk}) in html
    view = AccessLogEntry.objects.order_by("-seq").first()
    assert view is not None
    assert (view.action, view.object_id, view.detail["missing_episode"]) == (
        "view",
        str(child.pk),
        episode.pk,
    )


def test_missing_with_shows_initials_for_people_the_user_may_not_open(
    demo: Any, make_person: Any
) -> None:
    child = make_person(source="police")
    make_person(source="education", person=child)
    secret = make_person(source="police", given_name="Cara", family_name="Hidden")
    episode = episode_of(demo["police.officer"], child, missing_with=[secret.pk])
    html = client_for(demo["school.dsl"]).get(f"/missing/{episode.pk}/").content.decode()
    assert "C.H." in html
    assert "Cara" not in html


def test_errors_keep_what_was_typed(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    went = datetime.now(tz=UTC) - timedelta(hours=5)
    data = {
        "missing_from": "home",
        **parts("went_missing_at", went),
        **parts("returned_at", went - timedelta(hours=1)),
        "reported_at_day": "31",
        "reported_at_month": "2",
        "reported_at_year": "2026",
        "reported_at_time": "10:00",
        "found": "E8 1AA",
        "missing_with_other": "abc",
        "circumstances": "",
    }
    url = reverse("concerns:missing-new") + f"?person={child.pk}"
    response = client_for(demo["police.officer"]).post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Record a missing episode" in html
    assert "When they returned must be after they went missing" in html
    assert "When they were reported missing must be a real date" in html
    assert "Enter person numbers only" in html
    assert "Enter the circumstances" in html
    assert 'value="E8 1AA"' in html
    assert 'value="31"' in html
    assert 'href="#id_returned_at_0"' in html
    assert not MissingEpisode.objects.exists()


def test_future_dates_and_unknown_companions_are_refused(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    hidden = make_person(source="health")
    data = {
        "missing_from": "education",
        **parts("went_missing_at", datetime.now(tz=UTC) + timedelta(days=2)),
        "missing_with_other": f"{hidden.pk}, 99999999",
        "circumstances": "x",
    }
    url = reverse("concerns:missing-new") + f"?person={child.pk}"
    html = client_for(demo["police.officer"]).post(url, data).content.decode()
    assert "When they went missing must be in the past" in html
    assert f"You cannot name person {hidden.pk}" in html
    assert not MissingEpisode.objects.exists()


@pytest.mark.parametrize("username", ["school.dsl", "analyst", "auditor"])
def test_other_agencies_and_analysts_are_refused(
    demo: Any, make_person: Any, username: str
) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police")
    make_person(source="health", person=child)
    episode = episode_of(officer, child)
    philomena_profile_save(
        actor=officer, person_id=child.pk, expected_revision=0, texts={}, photo=PNG
    )
    client = client_for(demo[username])
    urls = [
        reverse("concerns:missing-new") + f"?person={child.pk}",
        reverse("concerns:missing", kwargs={"pk": episode.pk}),
        reverse("concerns:missing-interview", kwargs={"pk": episode.pk}),
        reverse("concerns:philomena", kwargs={"person_id": child.pk}),
        reverse("concerns:philomena-edit", kwargs={"person_id": child.pk}),
        reverse("concerns:philomena-print", kwargs={"person_id": child.pk}),
        reverse("concerns:philomena-photo", kwargs={"person_id": child.pk}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"PNG" not in response.content
    if username == "school.dsl":
        assert "known to 2 agencies: ask the front door" in response.content.decode()
    post = client.post(urls[0], {"missing_from": "home", "circumstances": "x"})
    assert post.status_code == 403
    assert MissingEpisode.objects.count() == 1


def test_refusals_are_logged(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    client_for(demo["school.dsl"]).get(reverse("concerns:philomena", args=[child.pk]))
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.username, entry.detail["outcome"]) == ("school.dsl", "refused")


def test_anonymous_users_sign_in_first(make_person: Any) -> None:
    child = make_person(source="police")
    response = Client().get(reverse("concerns:philomena", args=[child.pk]))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_no_person_or_no_episode_is_404(demo: Any) -> None:
    client = client_for(demo["police.officer"])
    assert client.get(reverse("concerns:missing-new")).status_code == 404
    assert client.get(reverse("concerns:missing-new") + "?person=x").status_code == 404
    assert client.get(reverse("concerns:missing", args=[987654])).status_code == 404
    assert client.get(reverse("concerns:philomena", args=[987654])).status_code == 404


def test_interview_met_and_stale_edit(demo: Any, make_person: Any) -> None:
    officer, screener = demo["police.officer"], demo["screener"]
    child = make_person(source="police")
    returned = datetime.now(tz=UTC) - timedelta(hours=50)
    episode = episode_of(officer, child, went=returned - timedelta(hours=20), returned_at=returned)
    url = reverse("concerns:missing-interview", kwargs={"pk": episode.pk})
    form = client_for(officer).get(url).content.decode()
    assert f'value="{episode.row_hash}"' in form
    assert "Due by" in form
    mine = {
        "row_hash": episode.row_hash,
        **parts("returned_at", returned),
        **parts("rhi_completed_at", returned + timedelta(hours=24)),
        "rhi_by": "Priya Example",
        "child_said": "Mine: I stayed with my cousin",
        "next_steps": "Safety plan",
    }
    # The screener's agency did not record the episode: their answers become their addendum.
    theirs = {**mine, "rhi_by": "Sam Example", "child_said": "Theirs", "reason": "We held it"}
    assert client_for(screener).post(url, theirs).status_code == 302
    response = client_for(officer).post(url, mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this episode after you opened it" in html
    assert "Sam Example" in html  # their version
    assert "Mine: I stayed with my cousin" in html  # what I typed
    episode.refresh_from_db()
    assert episode.rhi_by == ""  # the officer's own episode is as the officer left it
    assert episode.current_values()["rhi_by"] == "Sam Example"
    version = episode_version(episode)
    assert f'value="{version}"' in html  # saving again is now deliberate
    # Once another agency has added to it, the officer's change is added beside it too.
    assert "Why are you adding to or correcting this episode?" in html
    mine["row_hash"] = version
    again = client_for(officer).post(url, mine)
    assert "Enter why you are adding to or correcting this episode" in again.content.decode()
    mine["reason"] = "Our interview, after theirs"
    assert client_for(officer).post(url, mine).status_code == 302
    episode.refresh_from_db()
    assert episode.current_values()["rhi_by"] == "Priya Example"
    page = client_for(officer).get(reverse("concerns:missing", args=[episode.pk])).content
    assert b"Met" in page and b"Not met" not in page
    assert b"Our interview, after theirs" in page and b"We held it" in page


def test_interview_not_met_and_errors(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police")
    returned = datetime.now(tz=UTC) - timedelta(days=6)
    episode = episode_of(officer, child, went=returned - timedelta(hours=3))
    url = reverse("concerns:missing-interview", kwargs={"pk": episode.pk})
    bad = {
        "row_hash": episode.row_hash,
        **parts("rhi_completed_at", returned + timedelta(hours=80)),
        "rhi_declined": "on",
    }
    html = client_for(officer).post(url, bad).content.decode()
    assert "<title>Error:" in html
    assert "Enter when they returned before recording the interview" in html
    assert "Enter who held the interview" in html
    good = {
        "row_hash": episode.row_hash,
        **parts("returned_at", returned),
        **parts("rhi_completed_at", returned + timedelta(hours=80)),
        "rhi_by": "Ife",
    }
    assert client_for(officer).post(url, good).status_code == 302
    page = client_for(officer).get(reverse("concerns:missing", args=[episode.pk])).content
    assert b"Not met (80 hours)" in page


def test_profile_edit_photo_and_inert_text(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police", given_name="Ada", family_name="Example")
    client = client_for(officer)
    url = reverse("concerns:philomena-edit", kwargs={"person_id": child.pk})
    gif = SimpleUploadedFile("photo.png", b"GIF89a" + b"\x00" * 20, content_type="image/png")
    response = client.post(
        url, {"revision": "0", "description": "<script>x()</script>", "photo": gif}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The photo must be a JPEG or PNG" in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html  # kept, inert
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024))
    html = client.post(url, {"revision": "0", "photo": big}).content.decode()
    assert "The photo must be smaller than 2 MB" in html
    assert not PhilomenaProfile.objects.exists()

    png = SimpleUploadedFile("me.png", PNG, content_type="image/png")
    response = client.post(
        url,
        {"revision": "0", "description": "<script>x()</script>", "phones": "=1+1", "photo": png},
    )
    assert response.status_code == 302
    page = client.get(reverse("concerns:philomena", args=[child.pk])).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "=1+1" in page
    assert "Last updated" in page and "Priya Example" in page
    assert "Still to fill in" in page
    photo = client.get(reverse("concerns:philomena-photo", args=[child.pk]))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert photo["Cache-Control"] == "private, no-store"
    assert photo.content == PNG
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.object_type, entry.fields) == ("philomena_profile", ["photo"])
    printed = client.get(reverse("concerns:philomena-print", args=[child.pk]))
    assert printed.status_code == 200 and b"Ada Example" in printed.content


def test_profile_stale_edit(demo: Any, make_person: Any) -> None:
    officer, screener = demo["police.officer"], demo["screener"]
    child = make_person(source="police")
    url = reverse("concerns:philomena-edit", kwargs={"person_id": child.pk})
    assert 'name="revision" value="0"' in client_for(officer).get(url).content.decode()
    assert (
        client_for(screener).post(url, {"revision": "0", "transport": "Bus 38"}).status_code == 302
    )
    response = client_for(officer).post(url, {"revision": "0", "transport": "Bus 242"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this profile after you opened it" in html
    assert "Bus 38" in html and "Bus 242" in html
    assert 'name="revision" value="1"' in html
    assert PhilomenaProfile.objects.get().transport == "Bus 38"


def test_photo_without_profile_is_404(demo: Any, make_person: Any) -> None:
    child = make_person(source="police")
    response = client_for(demo["police.officer"]).get(
        reverse("concerns:philomena-photo", args=[child.pk])
    )
    assert response.status_code == 404


def police_import(child: Any, **values: Any) -> MissingEpisode:
    went = datetime.now(tz=UTC) - timedelta(days=6)
    fields: dict[str, Any] = {
        "source": "police",
        "source_id": "MISS-00042",
        "row_hash": "e" * 32,
        "raw": '{"missing_from": "home"}',
        "record": child.records.get(source="police"),
        "missing_from": "home",
        "went_missing_at": went,
        "returned_at": went + timedelta(hours=10),
    }
    fields.update(values)
    return MissingEpisode.objects.create(**fields)


def test_a_police_import_is_added_to_not_edited(demo: Any, make_person: Any) -> None:
    """Issue 11: a school practitioner changed the return time of an episode imported from the
    police, and the page still said "Imported from police"."""
    school = demo["school.dsl"]
    child = make_person(source="education", given_name="Ada", family_name="Example")
    make_person(source="police", person=child)
    episode = police_import(child)
    returned = episode.returned_at
    assert returned is not None
    url = reverse("concerns:missing-interview", kwargs={"pk": episode.pk})
    form = client_for(school).get(url).content.decode()
    assert "It will not be changed: what you save is added beside it" in form
    assert "Why are you adding to or correcting this episode?" in form
    earlier = returned - timedelta(hours=3)
    data = {"row_hash": episode.row_hash, **parts("returned_at", earlier)}
    refused = client_for(school).post(url, data).content.decode()
    assert "Enter why you are adding to or correcting this episode" in refused
    data["reason"] = "She was at breakfast club at 7am"
    assert client_for(school).post(url, data).status_code == 302

    stored = MissingEpisode.objects.get(pk=episode.pk)
    assert (stored.returned_at, stored.row_hash) == (returned, "e" * 32)  # never edited
    page = client_for(school).get(reverse("concerns:missing", args=[episode.pk])).content.decode()
    assert "Imported from police" in page
    assert "Correction by" in page and school.agency.name in page
    assert "She was at breakfast club at 7am" in page
    assert "Add to or correct this episode" in page
    entry = AccessLogEntry.objects.filter(action="update", object_type="missing_episode").get()
    assert list(entry.detail["changes"]) == ["returned_at"]
    assert entry.detail["changes"]["returned_at"][0] == returned.isoformat()

    record = client_for(school).get(reverse("people:record", args=[child.pk])).content.decode()
    assert f"Added by {school.agency.name}" in record
    assert "She was at breakfast club at 7am" in record


def test_one_72_hour_rule_on_every_page(demo: Any, make_person: Any) -> None:
    """Offered at 48 hours and held at 100: the episode page, the record page and the Philomena
    page each show both measures, labelled, and agree."""
    officer = demo["police.officer"]
    child = make_person(source="police")
    returned = datetime.now(tz=UTC) - timedelta(days=10)
    episode = police_import(
        child,
        went_missing_at=returned - timedelta(hours=5),
        returned_at=returned,
        rhi_offered_at=returned + timedelta(hours=48),
        rhi_completed_at=returned + timedelta(hours=100),
        rhi_by="Ife Example",
    )
    pages = {
        "episode": reverse("concerns:missing", args=[episode.pk]),
        "record": reverse("people:record", args=[child.pk]),
        "philomena": reverse("concerns:philomena", args=[child.pk]),
    }
    for name, url in pages.items():
        html = " ".join(client_for(officer).get(url).content.decode().split())
        offered = html.index("ffered within 72 hours")
        held = html.index("eld within 72 hours")
        assert ">Met<" in html[offered : offered + 200], name
        assert ">Not met (100 hours)<" in html[held : held + 200], name
        assert "Overdue" not in html, name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"circumstances": "c" * 10_001}, "Circumstances must be 10,000 characters or fewer"),
        ({"found": "ZZ9 9ZZ"}, "Enter a real postcode, like E5 8HX, or the name of the place"),
        ({"went_missing_at_year": "1989"}, "When they went missing must be in 1990 or later"),
    ],
)
def test_episode_limits_and_postcodes(
    demo: Any, make_person: Any, change: dict[str, str], message: str
) -> None:
    child = make_person(source="police")
    went = datetime.now(tz=UTC) - timedelta(hours=30)
    data = {
        "missing_from": "care",
        **parts("went_missing_at", went),
        "circumstances": "Left after an argument",
        **change,
    }
    url = reverse("concerns:missing-new") + f"?person={child.pk}"
    response = client_for(demo["police.officer"]).post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MissingEpisode.objects.exists()


def test_a_found_postcode_anywhere_in_the_country_is_kept_normalised(
    demo: Any, make_person: Any
) -> None:
    child = make_person(source="police")
    went = datetime.now(tz=UTC) - timedelta(hours=30)
    data = {
        "missing_from": "home",
        **parts("went_missing_at", went),
        "circumstances": "County lines",
        "found": "b1 1bb",
    }
    url = reverse("concerns:missing-new") + f"?person={child.pk}"
    assert client_for(demo["police.officer"]).post(url, data).status_code == 302
    assert MissingEpisode.objects.get().found_description == "B1 1BB"


def test_interview_and_profile_limits(demo: Any, make_person: Any) -> None:
    officer = demo["police.officer"]
    child = make_person(source="police")
    returned = datetime.now(tz=UTC) - timedelta(hours=10)
    episode = episode_of(officer, child, went=returned - timedelta(hours=5), returned_at=returned)
    url = reverse("concerns:missing-interview", kwargs={"pk": episode.pk})
    data = {
        "row_hash": episode.row_hash,
        **parts("returned_at", returned),
        "child_said": "s" * 10_001,
    }
    html = client_for(officer).post(url, data).content.decode()
    assert "What the child said must be 10,000 characters or fewer" in html
    edit = reverse("concerns:philomena-edit", args=[child.pk])
    html = client_for(officer).post(edit, {"revision": "0", "other": "o" * 10_001}).content.decode()
    assert "Anything else must be 10,000 characters or fewer" in html
    assert not PhilomenaProfile.objects.exists()
