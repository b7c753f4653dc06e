"""What each role may do: the capabilities a role grants, by name.

A :class:`~efh.accounts.models.Role` is configured with a list of these capabilities (seeded for
the standard roles, editable by an administrator). Every permission policy asks for a capability
by name here, never for a role by name, so that a partnership can define roles of its own.

Which *records* a capability reaches is each resource's policy (``people.policy`` for persons):
this module only says what kind of access a role has.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Capability(StrEnum):
    CASEWORK = "casework"
    """Open the records of people the user has a need to know about (their agency recorded on
    the person, they are involved or allocated, or the record was shared with them)."""

    PARTNERSHIP_WIDE = "partnership_wide"
    """Open every person's record: the front door and the panel, whose work is every child."""

    RECORD = "record"
    """Record concerns, missing episodes and return home interviews, and share records."""

    BREAK_GLASS = "break_glass"
    """Open a record without a standing need to know, giving a reason; flagged for review."""

    PSEUDONYMISED = "pseudonymised"
    """See aggregates and pseudonymised records (no names, addresses or identifiers)."""

    AUDIT = "audit"
    """Read the access log; review break-glass accesses."""

    LINK_REVIEW = "link_review"
    """Review the pairs of records linkage could not decide; merge and unmerge people. Shows the
    identity details of the records under review, not their chronology."""

    INTELLIGENCE = "intelligence"
    """See the intelligence picture: peer-group candidates, adults linked to many children and
    children missing together (people pseudonymised), and confirm or dismiss them with a reason."""

    SCREEN = "screen"
    """Work the front door: take concerns from the screening queue, screen them and decide the
    route (open or join a case, a strategy discussion, the panel, an NRM referral)."""

    MANAGE = "manage"
    """Manage a team of their agency: see its workers' cases and overdue items, approve or
    return closures and step-downs of the cases their agency leads, and allocate them."""

    ADMINISTER = "administer"
    """Manage accounts and configuration; by itself sees no case records."""


CAPABILITY_LABELS = {
    Capability.CASEWORK: "Casework on a need-to-know basis",
    Capability.PARTNERSHIP_WIDE: "Every person's record (front door, panel)",
    Capability.RECORD: "Record concerns and missing episodes; share records",
    Capability.BREAK_GLASS: "Break glass, with a reason, for audit review",
    Capability.PSEUDONYMISED: "Aggregates and pseudonymised records",
    Capability.AUDIT: "The access log and break-glass reviews",
    Capability.LINK_REVIEW: "Review record links; merge and unmerge people",
    Capability.INTELLIGENCE: "The intelligence picture: review derived candidates",
    Capability.SCREEN: "Screen concerns at the front door and decide the route",
    Capability.MANAGE: "Manage a team: allocation, closure and step-down approval",
    Capability.ADMINISTER: "Accounts and configuration",
}

# The seeded roles. A deployment may change these in the admin; migrations seed them once.
STANDARD_ROLES: dict[str, frozenset[Capability]] = {
    "practitioner": frozenset({Capability.CASEWORK, Capability.RECORD, Capability.BREAK_GLASS}),
    "screener": frozenset(
        {
            Capability.CASEWORK,
            Capability.PARTNERSHIP_WIDE,
            Capability.RECORD,
            Capability.BREAK_GLASS,
            Capability.LINK_REVIEW,
            Capability.SCREEN,
        }
    ),
    "team_manager": frozenset(
        {Capability.CASEWORK, Capability.RECORD, Capability.BREAK_GLASS, Capability.MANAGE}
    ),
    "panel_chair": frozenset(
        {
            Capability.CASEWORK,
            Capability.PARTNERSHIP_WIDE,
            Capability.RECORD,
            Capability.BREAK_GLASS,
        }
    ),
    "analyst": frozenset({Capability.PSEUDONYMISED, Capability.INTELLIGENCE}),
    "partnership_manager": frozenset({Capability.PSEUDONYMISED}),
    "data_quality": frozenset({Capability.LINK_REVIEW}),
    "auditor": frozenset({Capability.AUDIT}),
    "sysadmin": frozenset({Capability.ADMINISTER}),
}


def capabilities_of(capability_lists: Iterable[Iterable[str]]) -> frozenset[Capability]:
    """The union of several roles' capability lists; unknown names are ignored."""
    known = {c.value for c in Capability}
    return frozenset(Capability(c) for caps in capability_lists for c in caps if c in known)
