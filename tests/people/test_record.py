"""The person record page through Django's test client: every section from fixtures, the merged
chronology with its filters and pages, need to know (initials, handling code C, the 403 page),
the pseudonymised page, the access log, inert hostile text, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contexts.world import World, build_world, event, involve, record
from efh.concerns.models import MissingEpisode
from efh.concerns.selectors.chronology import RhiState, rhi_state
from efh.core.models import AccessLogEntry
from efh.people.models import (
    Address,
    Involvement,
    Person,
    PersonRecord,
    SharingDecision,
    Status,
)
from efh.people.policy import pseudonym
from efh.people.selectors.record import age_band

pytestmark = pytest.mark.django_db

RSQ = "\u2019"  # the typographic apostrophe the pages use


@pytest.fixture
def world(demo: Any) -> World:
    return build_world()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(person: Person, **query: Any) -> str:
    base = reverse("people:record", args=[person.pk])
    if not query:
        return base
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def text_of(response: Any) -> str:
    """The page's visible text, roughly: tags stripped, whitespace squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def chronology_titles(response: Any) -> list[str]:
    html = response.content.decode()
    section = html[html.index('id="chronology"') :]
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(
            r'<h3 class="govuk-heading-s govuk-!-margin-bottom-1">\s*([^<]+)', section
        )
    ]


# --- Sections --------------------------------------------------------------------------------


def test_identity_with_every_source_record_and_its_agency(demo: Any, world: World) -> None:
    response = client_for(demo["police.officer"]).get(url(world.ada))
    assert response.status_code == 200
    text = text_of(response)
    assert f"Child{RSQ}s record" in text
    # the newest record's name is the heading; both records are listed with their agencies
    assert re.search(r"<h1[^>]*>\s*Ada Lovelock-Smith\s*</h1>", response.content.decode())
    assert "Ada Lovelock " in text and "Ada Lovelock-Smith" in text
    assert "Metropolitan Police (Central East)" in text and "Hackney Education" in text
    assert "PNC 10/123456A" in text and "UPN A123456789012" in text
    assert "17 May 2010" in text
    assert "Little A" in text  # alias
    assert "1 Old Road, E5 0AA" in text and "2 New Street, E8 1AA" in text
    assert "Example Academy" in text
    assert "Known to 2 agencies" in text


def test_statuses_and_key_flags(demo: Any, world: World) -> None:
    text = text_of(client_for(demo["police.officer"]).get(url(world.ada)))
    assert re.search(r"Looked after 1 Jun 2025 Open", text)
    assert re.search(r"Child in need 1 Jan 2023 1 Jan 2024", text)
    assert "Missing now" in text
    assert "Missing 2 times in the last 90 days" in text
    assert "Return home interview overdue" in text


def test_open_actions_and_links(demo: Any, world: World) -> None:
    officer = demo["police.officer"]
    Involvement.objects.create(
        person=world.ada,
        user=demo["social.worker"],
        kind="allocated",
        started_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    Involvement.objects.create(
        person=world.ada,
        user=demo["school.dsl"],
        kind="involved",
        started_at=datetime(2025, 1, 5, tzinfo=UTC),
        ended_at=datetime(2025, 2, 5, tzinfo=UTC),
    )
    SharingDecision.objects.create(
        person=world.ada,
        shared_by=demo["screener"],
        to_agency=demo["youth.worker"].agency,
        scope="record",
        purpose="Mentoring <i>plan</i>",
        lawful_basis="6_1_e",
        condition="dpa_s1_p18",
        decided_at=datetime(2026, 1, 10, tzinfo=UTC),
    )
    response = client_for(officer).get(url(world.ada))
    html, text = response.content.decode(), text_of(response)
    assert "Kemal Example, Hackney Children and Families Service: allocated worker" in text
    assert "Tom Example" not in text  # that involvement has ended
    assert "Shared with Voluntary and community sector forum by Sam Example" in text
    assert "Mentoring &lt;i&gt;plan&lt;/i&gt;" in html
    pid = world.ada.pk
    assert f'href="{reverse("concerns:concern-new")}?person={pid}"' in html
    assert f'href="{reverse("concerns:missing-new")}?person={pid}"' in html
    assert f'href="{reverse("concerns:philomena", args=[pid])}"' in html
    assert f'href="{reverse("people:share", args=[pid])}"' in html
    # the open episode and the overdue interview, with links to the missing screens
    assert f'href="{reverse("concerns:missing", args=[world.still_missing.pk])}"' in html
    assert f'href="{reverse("concerns:missing-interview", args=[world.overdue.pk])}"' in html
    assert "Interview held within 72 hours Overdue: not held" in text


def test_adult_page_has_the_same_sections(demo: Any, world: World) -> None:
    response = client_for(demo["police.officer"]).get(url(world.dev))
    text = text_of(response)
    assert response.status_code == 200
    assert f"Adult{RSQ}s record" in text and f"Child{RSQ}s record" not in text
    for heading in ("Chronology", "Associations", "Identity and source records"):
        assert heading in text
    assert "Incident" in text and "Suspect" in text  # the incident, with his role
    # Ada is a child linked to him (the association is his victim's, pointing at him)
    assert re.search(r"Children \(1\).*Ada Lovelock-Smith", text)


# --- Chronology ------------------------------------------------------------------------------


def test_chronology_merges_events_missing_episodes_and_status_changes_newest_first(
    demo: Any, world: World
) -> None:
    response = client_for(demo["police.officer"]).get(url(world.ada))
    assert chronology_titles(response) == [
        "Missing from home",
        "Missing from care",
        "A&amp;E attendance",
        "Incident",
        "School exclusion",
        "Looked after started",
        "Child in need ended",
        "Child in need started",
    ]
    text = text_of(response)
    # agency of the source and the recorder; the role; harm types; the place links to its page
    assert "Agency City &amp; Hackney health services Recorded by Health records" in text
    assert "Role Victim" in text
    assert "Child criminal exploitation" in text
    assert f'href="{reverse("places:location", args=[world.park.pk])}"' in response.content.decode()


def test_recorder_is_the_user_who_recorded_it_on_the_platform(demo: Any, world: World) -> None:
    ev = event("concern", "police", datetime.now(tz=UTC) - timedelta(days=1), summary="Seen late")
    ev.recorded_by = demo["police.officer"]
    ev.save()
    involve(ev, world.ada_police, "subject", world.delivery)
    text = text_of(client_for(demo["screener"]).get(url(world.ada)))
    assert "Recorded by Priya Example, Metropolitan Police (Central East)" in text


def test_hostile_text_renders_inert(demo: Any, world: World) -> None:
    html = client_for(demo["police.officer"]).get(url(world.ada)).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "=HYPERLINK(&quot;http://evil.invalid&quot;,&quot;click&quot;)" in html
    assert "“=cmd|&#x27; /C calc&#x27;!A0”" in html


def test_filter_by_harm_type_keeps_matching_events_only(demo: Any, world: World) -> None:
    response = client_for(demo["police.officer"]).get(url(world.ada, harm_type="cce"))
    assert chronology_titles(response) == ["Incident"]


def test_filter_by_agency(demo: Any, world: World) -> None:
    client = client_for(demo["police.officer"])
    assert chronology_titles(client.get(url(world.ada, agency="education"))) == [
        "School exclusion",
        "Looked after started",
        "Child in need ended",
        "Child in need started",
    ]
    assert chronology_titles(client.get(url(world.ada, agency="met-police"))) == [
        "Missing from home",
        "Missing from care",
        "Incident",
    ]


def test_filter_by_date_range(demo: Any, world: World) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=45)
    end = today - timedelta(days=8)
    response = client_for(demo["police.officer"]).get(
        url(world.ada, date_from=f"{start:%d/%m/%Y}", date_to=f"{end:%d/%m/%Y}")
    )
    assert chronology_titles(response) == ["A&amp;E attendance", "Incident"]


def test_bad_filter_dates_get_govuk_errors_and_keep_what_was_typed(demo: Any, world: World) -> None:
    client = client_for(demo["police.officer"])
    response = client.get(url(world.ada, date_from="31/02/2026", date_to="1/1/2020"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "Enter a real date to filter from" in html
    assert 'value="31/02/2026"' in html
    # the valid filter still applies: nothing is after... up to 1 Jan 2020
    assert chronology_titles(response) == []
    response = client.get(url(world.ada, date_from="1/1/2026", date_to="1/1/2020"))
    assert "must be the same as or after the date to filter from" in response.content.decode()


def test_chronology_is_paginated_25_a_page(demo: Any, world: World) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(30):
        ev = event("intelligence", "police", base + timedelta(days=i), summary=f"Item {i:02d}")
        involve(ev, world.ada_police, "subject", world.delivery)
    client = client_for(demo["police.officer"])
    first = client.get(url(world.ada))
    total = 30 + 8
    assert f"Showing 1 to 25 of {total} entries" in text_of(first)
    assert len(chronology_titles(first)) == 25
    html = first.content.decode()
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = client.get(url(world.ada, page=2))
    assert f"Showing 26 to {total} of {total} entries" in text_of(second)
    assert len(chronology_titles(second)) == total - 25
    # newest first across the page break: page 1 ends on a later item than page 2 starts with
    assert "Item 29" in text_of(first) and "Item 00" in text_of(second)
    # the filters are kept in the page links
    filtered = client.get(url(world.ada, agency="met-police"))
    assert "agency=met-police&amp;page=2" in filtered.content.decode()


# --- Associations and need to know -----------------------------------------------------------


def test_friends_the_user_cannot_open_show_as_initials_without_a_link(
    demo: Any, world: World
) -> None:
    response = client_for(demo["police.officer"]).get(url(world.ada))
    html, text = response.content.decode(), text_of(response)
    assert "B.Q." in text and "Bea" not in text and "Quill" not in text
    assert reverse("people:record", args=[world.bea.pk]) not in html
    assert f'href="{reverse("people:record", args=[world.cal.pk])}">Cal Rowntree</a>' in html


def test_children_and_adults_are_listed_apart(demo: Any, world: World) -> None:
    text = text_of(client_for(demo["police.officer"]).get(url(world.ada)))
    children = text.index("Children (2)")
    adults = text.index("Adults (1)")
    assert (
        children < text.index("Cal Rowntree", children) < adults < text.index("Dev Stone", adults)
    )
    assert "Peer groups (1) " in text and "Mare Street group" in text
    assert "Places (1)" in text and "Schools and organisations (1)" in text


def test_handling_code_c_is_for_police_only(demo: Any, world: World) -> None:
    police = text_of(client_for(demo["police.officer"]).get(url(world.ada)))
    assert "Suspected exploiter" in police and "Police only" in police and "2BC" in police
    school = text_of(client_for(demo["school.dsl"]).get(url(world.ada)))
    assert "Suspected exploiter" not in school and "Adults (" not in school
    # the incident involving Dev is still there (events have no handling code) ...
    assert "Incident" in school
    # ... and the screener (children's social care) does not see the C association either
    screener = text_of(client_for(demo["screener"]).get(url(world.ada)))
    assert "Suspected exploiter" not in screener


def test_need_to_know_page(demo: Any, world: World) -> None:
    response = client_for(demo["youth.worker"]).get(url(world.ada))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Known to 2 agencies: ask the front door" in html
    assert "Ada" not in html and "Lovelock" not in html
    assert f'href="{reverse("people:break-glass", args=[world.ada.pk])}"' in html
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.detail["outcome"] == "refused"


def test_need_to_know_page_without_break_glass(demo: Any, world: World) -> None:
    response = client_for(demo["auditor"]).get(url(world.ada))
    assert response.status_code == 403
    assert "Known to 2 agencies: ask the front door" in response.content.decode()
    assert reverse("people:break-glass", args=[world.ada.pk]) not in response.content.decode()


def test_no_such_person_is_404(demo: Any, world: World) -> None:
    assert client_for(demo["police.officer"]).get("/people/999999/").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(url(world.ada))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# --- The pseudonymised page ------------------------------------------------------------------


def test_pseudonymised_page_shows_no_name_free_text_address_or_identifier(
    demo: Any, world: World
) -> None:
    response = client_for(demo["analyst"]).get(url(world.ada))
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert pseudonym(world.ada.pk) in text
    for secret in (
        "Ada",
        "Lovelock",
        "Little A",
        "Old Road",
        "New Street",
        "E8 1AA",
        "10/123456A",
        "A123456789012",
        "HYPERLINK",
        "alert(",
        "Excluded",
        "Mare Street",
        "Example Academy",
        "Cal",
        "B.Q.",
        "Dev",
        "17 May 2010",
    ):
        assert secret not in html, secret
    assert (
        "Age band" in text
        and age_band(world.ada_police.date_of_birth, timezone.localdate()) in text
    )
    assert "Female" in text and "White: English" in text
    assert "Ward of latest address Hackney Central" in text  # from the park at E8 1AA
    assert chronology_titles(response)[:4] == [
        "Missing from home",
        "Missing from care",
        "A&amp;E attendance",
        "Incident",
    ]
    assert "Child criminal exploitation" in text and "Metropolitan Police" in text
    # associations as counts only (the C one is not counted for a non-police analyst)
    assert "Children 2" in text and "Adults 0" in text and "Places 1" in text


# --- The access log --------------------------------------------------------------------------


def test_each_view_writes_one_access_log_entry_naming_the_sections(demo: Any, world: World) -> None:
    officer = demo["police.officer"]
    before = AccessLogEntry.objects.count()
    client_for(officer).get(url(world.ada, agency="met-police", page=1))
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.username == "police.officer"
    assert entry.object_type == "person" and entry.object_id == str(world.ada.pk)
    assert {"identity", "chronology", "associations", "next_steps"} <= set(entry.fields)
    assert entry.detail["grounds"] == ["agency_recorded"]
    assert entry.detail["filters"] == {"agency": "met-police"}

    client_for(demo["analyst"]).get(url(world.ada))
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.username == "analyst"
    assert "identity" not in entry.fields and "pseudonym" in entry.fields
    assert entry.detail["grounds"] == ["pseudonymised"]


# --- Return home interviews ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "offered", "completed", "declined", "text", "overdue"),
    [
        (None, None, None, False, "Still missing", False),
        (-1, None, None, False, "Held within 72 hours: Due by", False),
        (-80, None, None, False, "Held within 72 hours: Overdue", True),
        (
            -80,
            -10,
            None,
            False,
            "Offered within 72 hours: Met. Held within 72 hours: Overdue",
            True,
        ),
        (-80, -2, None, False, "Offered within 72 hours: Not met (78 hours)", True),
        (-100, -90, -80, False, "Offered within 72 hours: Met. Held within 72 hours: Met", False),
        (-100, -1, -1, False, "Held within 72 hours: Not met (99 hours)", False),
        # Offered at 48 hours, held at 100: the record page says what the episode page says.
        (
            -120,
            -72,
            -20,
            False,
            "Offered within 72 hours: Met. Held within 72 hours: Not met",
            False,
        ),
        (-100, None, None, True, "Declined by the child", False),
    ],
)
def test_rhi_state(
    returned: int | None,
    offered: int | None,
    completed: int | None,
    declined: bool,
    text: str,
    overdue: bool,
) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def h(n: int | None) -> datetime | None:
        return None if n is None else now + timedelta(hours=n)

    ep = MissingEpisode(
        went_missing_at=now - timedelta(days=10),
        returned_at=h(returned),
        rhi_offered_at=h(offered),
        rhi_completed_at=h(completed),
        rhi_declined=declined,
    )
    state: RhiState = rhi_state(ep, now)
    assert text in state.text
    assert state.overdue is overdue


# --- Queries ---------------------------------------------------------------------------------


def test_a_fixed_number_of_queries_however_long_the_record(
    demo: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(demo["police.officer"])
    client.get(url(world.ada))  # warm the session and caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world.ada)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(40):
        ev = event("incident", "police", base + timedelta(days=i), location=world.park)
        involve(ev, world.ada_police, "subject", world.delivery)
        other = record(Person.objects.create(), "police", "Friend", f"N{i}")
        involve(ev, other, "associate", world.delivery)
        Status.objects.create(
            record=world.ada_police,
            kind="send",
            started=base + timedelta(days=i),
            ended=base + timedelta(days=i, hours=1),
        )
    assert count() == small
    # On PostgreSQL the access log's savepoint and lock count as queries; the additions beside
    # other agencies' missing episodes take one query for the flags and one for the chronology.
    with django_assert_max_num_queries(42):
        client.get(url(world.ada))
    analyst = client_for(demo["analyst"])
    with django_assert_max_num_queries(40):
        assert analyst.get(url(world.ada)).status_code == 200


# --- A record shared for identity and chronology only ------------------------------------------


def _share_chronology(demo: Any, world: World) -> Any:
    youth = demo["youth.worker"]
    SharingDecision.objects.create(
        person=world.ada,
        shared_by=demo["screener"],
        to_agency=youth.agency,
        scope="chronology",
        purpose="Mentoring",
        lawful_basis="6_1_e",
        condition="dpa_s1_p18",
        decided_at=datetime(2026, 1, 10, tzinfo=UTC),
    )
    return youth


def test_a_chronology_only_share_shows_identity_and_chronology_and_nothing_else(
    demo: Any, world: World
) -> None:
    youth = _share_chronology(demo, world)
    response = client_for(youth).get(url(world.ada))
    assert response.status_code == 200
    html, text = response.content.decode(), text_of(response)
    assert "shared with you for the child" in text and "identity and chronology only" in text
    # identity and the chronology's events and missing episodes
    assert "Every source record" in text and "Ada" in text
    titles = chronology_titles(response)
    assert any(t.startswith("Missing from") for t in titles)
    assert not any(t.endswith("started") or t.endswith("ended") for t in titles)  # statuses
    # nothing else: addresses, statuses, associations, flags, missing episodes' next steps,
    # the Philomena profile, derived intelligence, who is involved and what is shared
    for absent in (
        'id="addresses"',
        'id="statuses"',
        'id="associations"',
        'id="flags-heading"',
        'id="derived-heading"',
        "Missing episodes and return home interviews",
        "Philomena profile</a>",
        "Involved practitioners",
        "Information sharing in force",
        "Looked after",
        "1 Old Road",
    ):
        assert absent not in html, absent
    entry = AccessLogEntry.objects.filter(object_type="person").latest("seq")
    assert entry.detail["scope"] == "chronology"
    assert set(entry.fields) == {"identity", "source_records", "aliases", "chronology"}


def test_a_whole_record_share_alongside_a_chronology_one_gives_the_whole_record(
    demo: Any, world: World
) -> None:
    youth = _share_chronology(demo, world)
    SharingDecision.objects.create(
        person=world.ada,
        shared_by=demo["screener"],
        to_user=youth,
        scope="record",
        purpose="Allocated mentor",
        lawful_basis="6_1_e",
        condition="dpa_s1_p18",
        decided_at=datetime(2026, 1, 11, tzinfo=UTC),
    )
    html = client_for(youth).get(url(world.ada)).content.decode()
    assert 'id="addresses"' in html and 'id="associations"' in html


@pytest.mark.parametrize("page", ["concerns:missing", "concerns:philomena"])
def test_a_chronology_only_share_does_not_open_missing_episodes_or_philomena(
    demo: Any, world: World, page: str
) -> None:
    youth = _share_chronology(demo, world)
    target = world.overdue.pk if page == "concerns:missing" else world.ada.pk
    response = client_for(youth).get(reverse(page, args=[target]))
    assert response.status_code == 403
    assert "identity and chronology only" in text_of(response)
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.action == "refused" and entry.detail["refused_because"] == "shared_chronology"
    assert entry.fields == []


def test_free_text_masks_the_names_of_people_the_user_cannot_open(demo: Any, world: World) -> None:
    """A practitioner who sees Bea as initials must not read her name in the summary."""
    seen = event(  # health's: police recording it would give police a need to know of Bea
        "concern",
        "health",
        datetime(2026, 3, 1, 18, 0, tzinfo=UTC),
        summary="Ada was with Bea Quill at the park; BEA said quill drove. Cal too.",
        child_words="Bea is my friend",
    )
    involve(seen, world.ada_police, "subject", world.delivery)
    involve(seen, PersonRecord.objects.get(person=world.bea), "associate", world.delivery)
    involve(seen, PersonRecord.objects.get(person=world.cal), "associate", world.delivery)
    text = text_of(client_for(demo["police.officer"]).get(url(world.ada)))
    assert "Ada was with B.Q. at the park; B.Q. said B.Q. drove. Cal too." in text
    assert "B.Q. is my friend" in text
    assert "Bea" not in text and "Quill" not in text and "BEA" not in text
    # a user who may open Bea's record reads her name
    screener = text_of(client_for(demo["screener"]).get(url(world.ada)))
    assert "Ada was with Bea Quill at the park" in screener


def test_pseudonymised_facts_come_from_whichever_record_holds_them(demo: Any, world: World) -> None:
    """The newest record may hold no ethnicity and an address at a postcode no known place
    shares: the page still says what an older record holds, and the ward from the postcode's
    sector."""
    child = Person.objects.create()
    older = record(child, "police", "Zed", "Example", ethnicity="B1", sex="M")
    newest = record(
        child, "education", "Zed", "Example", ethnicity="", sex="", recorded_at=datetime.now(UTC)
    )
    assert newest.recorded_at > older.recorded_at
    Address.objects.create(
        record=newest,
        address="9 Nowhere Row",
        postcode="E8 1ZZ",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    text = text_of(client_for(demo["analyst"]).get(url(child)))
    assert "Ethnicity Black: African" in text
    assert "Sex Male" in text
    assert f"Ward of latest address {world.park.ward.name}" in text
