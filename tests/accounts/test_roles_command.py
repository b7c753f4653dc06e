"""``efh roles``: roles are configured by capability, with clear errors, and logged."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from efh.accounts.models import Role, User
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("roles", *args, stdout=out)
    return out.getvalue()


def test_lists_the_seeded_roles_with_their_capabilities(seeded) -> None:
    listing = run()
    assert "practitioner" in listing and "casework, record, break_glass" in listing
    assert "break_glass" in listing


def test_create_a_role_and_it_grants_what_it_lists(seeded) -> None:
    run("set", "dpo", "--name", "Data protection officer", "--capabilities", "audit")
    role = Role.objects.get(code="dpo")
    assert role.capabilities == ["audit"]
    user = User.objects.create(username="dpo.user", role=role)
    assert user.can("audit") and not user.can("casework")
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.object_id) == ("admin", "role", "dpo")


def test_change_a_role(seeded) -> None:
    run("set", "analyst", "--capabilities", "pseudonymised,casework")
    assert Role.objects.get(code="analyst").capabilities == ["casework", "pseudonymised"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "analyst", "--capabilities", "everything"), "unknown capabilities: everything"),
        (("set", "newrole", "--capabilities", "audit"), "give --name to create it"),
        (("set", "analyst"), "efh roles set CODE"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(seeded, args, message) -> None:
    before = list(Role.objects.order_by("code").values_list("code", "capabilities"))
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert list(Role.objects.order_by("code").values_list("code", "capabilities")) == before
