"""A refused request is logged as a refusal, never as a view of what it would have shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contexts.world import World, build_world
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo: Any) -> World:
    return build_world()


@pytest.mark.parametrize("page", ["concerns:missing", "concerns:philomena"])
def test_an_analysts_refusal_is_logged_as_refused_with_no_fields(
    demo: Any, world: World, page: str
) -> None:
    client = Client()
    client.force_login(demo["analyst"])
    target = world.overdue.pk if page == "concerns:missing" else world.ada.pk
    before = AccessLogEntry.objects.count()
    response = client.get(reverse(page, args=[target]))
    assert response.status_code == 403
    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["refused"]
    assert entries[0].fields == [] and entries[0].detail["refused_because"] == "pseudonymised"
    assert not AccessLogEntry.objects.filter(action="view", username="analyst").exists()


def test_a_need_to_know_refusal_is_logged_as_refused(demo: Any, world: World) -> None:
    client = Client()
    client.force_login(demo["youth.worker"])
    response = client.get(reverse("people:record", args=[world.ada.pk]))
    assert response.status_code == 403
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.detail["refused_because"]) == ("refused", "need_to_know")
