"""Writes to the accounts app."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from efh.accounts.models import Agency, Partnership, Role, Sector, User
from efh.core.access import Capability
from efh.core.models import AccessAction, ObjectType, Source
from efh.core.services import access_log_record

# One agency per sector of the partnership; demo accounts belong to these.
DEMO_AGENCIES = [
    ("met-police", "Metropolitan Police (Central East)", Sector.POLICE),
    ("education", "Hackney Education", Sector.EDUCATION),
    ("health", "City & Hackney health services", Sector.HEALTH),
    ("childrens-social-care", "Hackney Children and Families Service", Sector.SOCIAL_CARE),
    ("youth-justice", "Hackney Youth Justice Service", Sector.YOUTH_JUSTICE),
    ("community-safety", "Hackney Community Safety", Sector.COMMUNITY_SAFETY),
    ("vcs", "Voluntary and community sector forum", Sector.VCS),
    ("partnership", "City & Hackney Safeguarding Children Partnership", Sector.PARTNERSHIP),
]

# (username, first name, last name, role, agency): every role, practitioners in every sector.
DEMO_USERS = [
    ("police.officer", "Priya", "Example", "practitioner", "met-police"),
    ("school.dsl", "Tom", "Example", "practitioner", "education"),
    ("health.nurse", "Amara", "Example", "practitioner", "health"),
    ("social.worker", "Kemal", "Example", "practitioner", "childrens-social-care"),
    ("yjs.officer", "Grace", "Example", "practitioner", "youth-justice"),
    ("community.safety", "Dan", "Example", "practitioner", "community-safety"),
    ("youth.worker", "Ife", "Example", "practitioner", "vcs"),
    ("screener", "Sam", "Example", "screener", "childrens-social-care"),
    ("team.manager", "Maya", "Example", "team_manager", "childrens-social-care"),
    ("panel.chair", "Ruth", "Example", "panel_chair", "childrens-social-care"),
    ("data.quality", "Jo", "Example", "data_quality", "partnership"),
    ("analyst", "Chen", "Example", "analyst", "community-safety"),
    ("manager", "Lola", "Example", "partnership_manager", "partnership"),
    ("auditor", "Nadia", "Example", "auditor", "partnership"),
    ("admin", "Alex", "Example", "sysadmin", "partnership"),
]
DEMO_PASSWORD_SUFFIX = "-demo-2026"  # noqa: S105 - demo-only, refused in production


class DemoRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    agency: str


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create the demo partnership, agencies and one account per role (idempotent).

    Passwords are printed by ``make demo``; they are demo-only and refused in production.
    """
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused("demo accounts are never created when EFH_ENV=production")
    partnership, _ = Partnership.objects.get_or_create(
        code="city-hackney", defaults={"name": settings.PARTNERSHIP_NAME}
    )
    agencies = {}
    for code, name, sector in DEMO_AGENCIES:
        agencies[code], _ = Agency.objects.get_or_create(
            code=code, defaults={"name": name, "sector": sector, "partnership": partnership}
        )
    # The seeded sending systems are named after the sectors; each belongs to that agency.
    for code, _, sector in DEMO_AGENCIES:
        Source.objects.filter(code=sector.value, agency__isnull=True).update(agency=agencies[code])
    roles = {r.code: r for r in Role.objects.all()}
    accounts = []
    for username, first, last, role, agency in DEMO_USERS:
        password = username.replace(".", "-") + DEMO_PASSWORD_SUFFIX
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": roles[role],
                "agency": agencies[agency],
                "email": f"{username}@example.invalid",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        accounts.append(DemoAccount(username, password, roles[role].name, agencies[agency].name))
    return accounts


# --- Two-factor (TOTP) devices -------------------------------------------------------------
# One authenticator app per user: enrolling again replaces the old one, so a lost phone is
# dealt with by `efh mfa reset <username>` and enrolling afresh.
TOTP_DEVICE_NAME = "Authenticator app"


def mfa_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (the same one on a reload,
    so the QR code a user has already scanned stays valid until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def mfa_enrolment_confirm(*, user: User, device: TOTPDevice) -> None:
    """The user proved they hold the secret: the device becomes their one confirmed device."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()


def mfa_devices_remove(*, user: User) -> int:
    """Forget every two-factor device of a user (turned off, or a lost phone); returns how many."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def role_mfa_set(*, role: Role, required: bool) -> None:
    role.requires_mfa = required
    role.save(update_fields=["requires_mfa"])


@transaction.atomic
def role_configure(
    *, code: str, capabilities: list[str], name: str = "", description: str = ""
) -> Role:
    """Create a role or change what it may do. Capability names are checked against
    ``core.access.Capability``; the change is written to the access log (ADMIN)."""
    known = {c.value for c in Capability}
    unknown = [c for c in capabilities if c not in known]
    if unknown:
        raise ValueError(
            f"unknown capabilities: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    role = Role.objects.filter(code=code).first()
    if role is None:
        if not name:
            raise ValueError(f"no role {code!r}: give --name to create it")
        role = Role(code=code)
    before = list(role.capabilities or [])
    role.name = name or role.name
    role.description = description or role.description
    role.capabilities = sorted(set(capabilities))
    role.full_clean()
    role.save()
    access_log_record(
        actor=None,
        action=AccessAction.ADMIN,
        object_type=ObjectType.ROLE,
        object_id=role.code,
        fields=["capabilities", "name", "description"],
        detail={"capabilities_before": before, "capabilities": role.capabilities},
    )
    return role


SOURCE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@transaction.atomic
def source_add(*, code: str, name: str, agency_code: str = "") -> Source:
    """Configure a sending system, so that deliveries from it can be imported, or change its
    name or agency. The code is what the exchange format's ``source`` column carries; the
    platform's own sources (``efh-<agency>``) are the platform's and cannot be added by hand.
    Written to the access log (ADMIN) with the old and new values."""
    code = code.strip()
    name = name.strip()
    if not SOURCE_CODE.match(code):
        raise ValueError(
            f"source code {code!r}: use 1 to 32 lower-case letters, digits and hyphens, "
            "starting with a letter or digit (for example met-police)"
        )
    if code.startswith("efh-"):
        raise ValueError(f"source code {code!r}: codes starting efh- are the platform's own")
    if len(name) > 120:
        raise ValueError("the source's name must be 120 characters or fewer")
    agency = None
    if agency_code:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True))
            raise ValueError(f"no agency {agency_code!r} (known: {known or 'none'})")
    source = Source.objects.select_for_update().filter(code=code).first()
    before = (
        {"name": source.name, "agency": source.agency.code if source.agency else ""}
        if (source)
        else None
    )
    if source is None:
        if not name:
            raise ValueError(f"no source {code!r}: give --name to add it")
        source = Source(code=code)
    source.name = name or source.name
    if agency_code:
        source.agency = agency
    source.full_clean()
    source.save()
    after = {"name": source.name, "agency": source.agency.code if source.agency else ""}
    access_log_record(
        actor=None,
        action=AccessAction.ADMIN,
        object_type=ObjectType.SOURCE,
        object_id=source.code,
        fields=["name", "agency"],
        detail={"before": before, "after": after},
    )
    return source
