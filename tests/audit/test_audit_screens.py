"""The auditor's screens: who may use them, that each is itself logged, and that the lists
about one person and by one user hold exactly the right entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from efh.core.models import AccessLogEntry
from efh.core.services import access_log_record

AUDIT_URLS = [
    ("audit:index", {}),
    ("audit:person", {"person_id": 1}),
    ("audit:user", {"user_id": 1}),
    ("audit:break-glass", {}),
    ("audit:break-glass-review", {"pk": 1}),
]
NOT_AUDITORS = [
    "police.officer",
    "school.dsl",
    "social.worker",
    "youth.worker",
    "screener",
    "panel.chair",
    "analyst",
    "manager",
    "admin",
]


def _seqs(response) -> list[int]:
    return [entry.seq for entry in response.context["page"].object_list]


def _last() -> AccessLogEntry:
    return AccessLogEntry.objects.order_by("-seq").first()


def test_only_auditors_may_use_the_audit_screens(client, demo):
    before = AccessLogEntry.objects.count()
    for username in NOT_AUDITORS:
        client.force_login(demo[username])
        for name, kwargs in AUDIT_URLS:
            url = reverse(name, kwargs=kwargs)
            assert client.get(url).status_code == 403, (username, name)
            if name == "audit:break-glass-review":
                assert client.post(url, {"decision": "justified"}).status_code == 403
    assert AccessLogEntry.objects.count() == before  # nothing was shown, so nothing logged
    client.force_login(demo["auditor"])
    assert client.get(reverse("audit:index")).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), AUDIT_URLS)
def test_signed_out_visitors_are_sent_to_sign_in(client, db, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:sign-in")
    )


def test_the_index_shows_the_chain_head_and_is_itself_logged(client, demo):
    for n in range(3):
        access_log_record(
            actor=demo["police.officer"], action="view", object_type="person", object_id=n
        )
    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:index"))
    assert response.status_code == 200
    own = _last()
    assert (own.username, own.object_type, own.object_id) == ("auditor", "access_log", "index")
    assert own.detail == {"filter": {}, "page": 1}
    head = response.context["head"]
    # The screen's own entry is written first, so it is the head shown and the newest listed.
    assert head.seq == own.seq and head.hash == own.hash
    assert own.hash in response.content.decode()
    assert _seqs(response)[:4] == [own.seq, own.seq - 1, own.seq - 2, own.seq - 3]


def test_the_index_filters_and_logs_the_filter(client, demo):
    officer, nurse = demo["police.officer"], demo["health.nurse"]
    a = access_log_record(actor=officer, action="view", object_type="person", object_id=7)
    b = access_log_record(
        actor=officer,
        action="view",
        object_type="person",
        object_id=8,
        break_glass=True,
        reason="x" * 12,
    )
    c = access_log_record(
        actor=nurse, action="search", object_type="person_search", detail={"terms": "Ama"}
    )
    client.force_login(demo["auditor"])

    response = client.get(reverse("audit:index"), {"username": "POLICE.officer"})
    assert _seqs(response) == [b.seq, a.seq]
    assert _last().detail == {"filter": {"username": "POLICE.officer"}, "page": 1}

    response = client.get(reverse("audit:index"), {"break_glass_only": "on"})
    assert _seqs(response) == [b.seq]
    response = client.get(reverse("audit:index"), {"action": "search"})
    assert _seqs(response) == [c.seq]
    response = client.get(reverse("audit:index"), {"object_type": "person", "object_id": "7"})
    assert _seqs(response) == [a.seq]

    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    response = client.get(
        reverse("audit:index"), {"username": "health.nurse", "date_from": f"{today:%d %m %Y}"}
    )
    assert _seqs(response) == [c.seq]
    response = client.get(
        reverse("audit:index"), {"username": "health.nurse", "date_from": tomorrow.isoformat()}
    )
    assert _seqs(response) == []


def test_bad_filters_get_govuk_errors_and_keep_what_was_typed(client, demo):
    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:index"), {"date_from": "31 2 2026", "date_to": "soon"})
    html = response.content.decode()
    assert response.context["page"] is None
    assert "<title>Error: " in html
    assert "The date from must be a real date" in html
    assert "Enter the date to as a date, like 27 3 2026" in html
    assert 'value="soon"' in html
    assert _last().detail == {"invalid": ["date_from", "date_to"]}

    response = client.get(reverse("audit:index"), {"date_from": "2 3 2026", "date_to": "1 3 2026"})
    assert "The date to must be the same as or after the date from" in response.content.decode()


def test_picking_a_person_or_a_user_from_the_index(client, demo):
    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:index"), {"find_person": " 42 "})
    assert response["Location"] == reverse("audit:person", kwargs={"person_id": 42})
    response = client.get(reverse("audit:index"), {"find_user": "Health.Nurse"})
    assert response["Location"] == reverse(
        "audit:user", kwargs={"user_id": demo["health.nurse"].pk}
    )
    response = client.get(reverse("audit:index"), {"find_person": "Ada"})
    assert response.status_code == 400
    assert "The person\u2019s ID must be a number" in response.content.decode()
    response = client.get(reverse("audit:index"), {"find_user": "nobody.here"})
    assert "There is no account with the username nobody.here" in response.content.decode()


def test_who_looked_at_a_child(client, demo, make_person):
    child = make_person(source="police", given_name="Ada", family_name="Lovelace-Example")
    make_person(source="health", person=child, given_name="Ada", family_name="Example")
    other = make_person(source="police")
    officer, nurse, worker = demo["police.officer"], demo["health.nurse"], demo["youth.worker"]
    expected = [
        access_log_record(actor=officer, action="view", object_type="person", object_id=child.pk),
        access_log_record(
            actor=nurse,
            action="search",
            object_type="person_search",
            detail={"terms": "ada", "results": [other.pk, child.pk], "restricted": []},
        ),
        access_log_record(
            actor=worker,
            action="search",
            object_type="person_search",
            detail={"terms": "lovelace", "results": [], "restricted": [child.pk]},
        ),
        access_log_record(
            actor=officer,
            action="create",
            object_type="sharing_decision",
            object_id=99,
            detail={"person": child.pk},
        ),
        access_log_record(
            actor=worker,
            action="view",
            object_type="person",
            object_id=child.pk,
            reason="found at the station at 2am",
            break_glass=True,
        ),
    ]
    # Not about the child: another person, a search that did not find them, an entry whose
    # object id merely contains the child's id.
    access_log_record(actor=officer, action="view", object_type="person", object_id=other.pk)
    access_log_record(
        actor=nurse,
        action="search",
        object_type="person_search",
        detail={
            "terms": "x",
            "results": [other.pk, child.pk * 10 + 1],
            "restricted": [child.pk + 1000],
        },
    )
    access_log_record(actor=officer, action="view", object_type="person", object_id=f"{child.pk}0")
    access_log_record(actor=officer, action="view", object_type="location", object_id=child.pk)

    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:person", kwargs={"person_id": child.pk}))
    assert response.status_code == 200
    own = _last()
    assert own.object_type == "access_log" and own.detail["person"] == child.pk
    assert own.fields == ["given_name", "family_name", "date_of_birth"]
    # Newest first; the auditor's own look at the child is on the child's list too.
    assert _seqs(response) == [own.seq] + [e.seq for e in reversed(expected)]
    html = response.content.decode()
    assert "Who looked at Ada" in html
    assert "Lovelace-Example" in html and "1 January 2010" in html
    assert "found at the station at 2am" in html and "Break glass" in html
    assert demo["youth.worker"].agency.name in html

    response = client.get(
        reverse("audit:person", kwargs={"person_id": child.pk}), {"break_glass_only": "on"}
    )
    assert _seqs(response) == [expected[-1].seq]
    response = client.get(
        reverse("audit:person", kwargs={"person_id": child.pk}), {"action": "search"}
    )
    assert _seqs(response) == [expected[2].seq, expected[1].seq]


def test_an_unknown_person_with_nothing_logged_is_not_found(client, demo):
    client.force_login(demo["auditor"])
    assert client.get(reverse("audit:person", kwargs={"person_id": 987654})).status_code == 404


def test_what_a_user_looked_at(client, demo, make_person):
    child = make_person(source="police")
    officer, nurse = demo["police.officer"], demo["health.nurse"]
    mine = [
        access_log_record(actor=officer, action="view", object_type="person", object_id=child.pk),
        access_log_record(
            actor=officer, action="search", object_type="person_search", detail={"terms": "Kofi"}
        ),
        access_log_record(actor=officer, action="export", object_type="export", object_id=child.pk),
    ]
    access_log_record(actor=nurse, action="view", object_type="person", object_id=child.pk)
    access_log_record(actor=None, action="import", object_type="delivery", object_id=1)
    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:user", kwargs={"user_id": officer.pk}))
    assert response.status_code == 200
    assert _seqs(response) == [e.seq for e in reversed(mine)]
    html = response.content.decode()
    assert "What Priya Example looked at" in html and "Kofi" in html
    own = _last()
    assert own.object_id == "user" and own.detail == {"user": officer.pk, "filter": {}, "page": 1}

    response = client.get(
        reverse("audit:user", kwargs={"user_id": officer.pk}), {"action": "export"}
    )
    assert _seqs(response) == [mine[2].seq]
    assert _last().detail["filter"] == {"action": "export"}


def test_long_lists_are_paginated(client, demo):
    officer = demo["police.officer"]
    for n in range(120):
        access_log_record(actor=officer, action="view", object_type="person", object_id=n)
    client.force_login(demo["auditor"])
    url = reverse("audit:user", kwargs={"user_id": officer.pk})
    first = client.get(url, {"action": "view"})
    assert len(_seqs(first)) == 50 and first.context["page"].paginator.num_pages == 3
    assert "action=view&amp;page=2" in first.content.decode()
    last = client.get(url, {"action": "view", "page": 3})
    assert len(_seqs(last)) == 20
    assert (
        _seqs(last)[-1]
        == AccessLogEntry.objects.filter(username="police.officer").order_by("seq").first().seq
    )


@pytest.mark.parametrize("vendor", ["", "other"])
def test_searches_that_returned_the_child_on_each_path(demo, make_person, vendor):
    """This database's own path (JSON containment on PostgreSQL, json_each on SQLite) and the
    portable one (reading the lists in Python) find the same searches."""
    from efh.audit.selectors import _searches_returning

    child = make_person(source="police")
    hits = [
        access_log_record(
            actor=demo["health.nurse"],
            action="search",
            object_type="person_search",
            detail={"terms": "t", "results": [child.pk], "restricted": []},
        ),
        access_log_record(
            actor=demo["health.nurse"],
            action="search",
            object_type="person_search",
            detail={"terms": "t", "results": [], "restricted": [child.pk + 1, child.pk]},
        ),
    ]
    access_log_record(
        actor=demo["health.nurse"],
        action="search",
        object_type="person_search",
        detail={"terms": "t", "results": [child.pk + 1, str(child.pk)]},
    )
    access_log_record(
        actor=demo["health.nurse"],
        action="view",
        object_type="event",
        detail={"results": [child.pk]},
    )
    found = AccessLogEntry.objects.filter(_searches_returning(child.pk, vendor)).order_by("seq")
    assert [e.seq for e in found] == [e.seq for e in hits]
