"""Writes of the core app: the access log."""

from __future__ import annotations

import getpass
import hashlib
import json
import uuid
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest

from efh.core import clock
from efh.core.audit import GENESIS, entry_hash
from efh.core.models import AccessAction, AccessLogEntry, AccessLogHead, ObjectType

OBJECT_TYPES = frozenset(ObjectType.values)


def _command_line() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):  # no name for this operating-system account
        return "command line"


CHAIN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('efh.core.access_log'))"


@transaction.atomic
def access_log_record(
    *,
    actor: Any | None,
    action: AccessAction | str,
    object_type: str = "",
    object_id: str | int = "",
    fields: list[str] | None = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
    break_glass: bool = False,
    request: HttpRequest | None = None,
    origin: str = "",
) -> AccessLogEntry:
    """Append one entry to the access log, chained to the one before it.

    ``actor`` is the signed-in user, or None for the command line (then ``origin`` names the
    operating-system account). Call it in the same transaction as the view or change it records.
    """
    if object_type and object_type not in OBJECT_TYPES:
        raise ValueError(
            f"unknown access-log object type {object_type!r}: name it in core.models.ObjectType"
        )
    if connection.vendor == "postgresql":  # one writer at a time extends the chain
        with connection.cursor() as cursor:
            cursor.execute(CHAIN_LOCK)
    head = AccessLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AccessLogHead.objects.create(pk=1, seq=0, hash=GENESIS)
    if request is not None and not origin:
        origin = request.META.get("REMOTE_ADDR", "")
    if actor is None and not origin:
        origin = _command_line()
    values: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": clock.now(),
        "user_id_at_time": getattr(actor, "pk", None),
        "username": getattr(actor, "username", "") or "system",
        "role": str(getattr(actor, "role", "") or ""),
        "agency": str(getattr(actor, "agency", "") or ""),
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "fields": list(fields or []),
        "detail": dict(detail or {}),
        "reason": reason,
        "break_glass": break_glass,
        "origin": origin,
        "prev_hash": head.hash,
    }
    entry = AccessLogEntry.objects.create(**values, hash=entry_hash(values))
    AccessLogHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def platform_source(agency: Any) -> Any:
    """The source for what the agency's staff record on the platform itself (``efh-<agency>``),
    made on first use, so that every record names the agency that made it."""
    from efh.core.models import Source

    code = Source.platform_code(agency.code)
    source, _ = Source.objects.get_or_create(
        code=code, defaults={"name": f"{agency.name} (on the platform)", "agency": agency}
    )
    return source


def platform_raw(submitted: Any) -> tuple[str, str]:
    """What staff submitted on the platform, as a record's ``raw`` (JSON) and its ``row_hash``
    (which changes with every edit, so that a stale edit is caught)."""
    raw = json.dumps(submitted, sort_keys=True, ensure_ascii=False, default=str)
    return raw, hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def platform_provenance(agency: Any, submitted: Any) -> dict[str, Any]:
    """The provenance fields of a record staff of ``agency`` make on the platform: its agency's
    platform source, a fresh id, no delivery or line, and what was submitted."""
    raw, row_hash = platform_raw(submitted)
    return {
        "source": platform_source(agency).code,
        "source_id": uuid.uuid4().hex,
        "delivery": None,
        "line": None,
        "raw": raw,
        "row_hash": row_hash,
    }


def start_refused(
    *, actor: Any, object_type: str, why: str, request: HttpRequest | None = None
) -> None:
    """A refused start of a long job from the web (no capability, or one already queued or
    running), logged as refused with why, in its own transaction (the start's rolled back)."""
    with transaction.atomic():
        access_log_record(
            actor=actor,
            action=AccessAction.CREATE,
            object_type=object_type,
            detail={"outcome": "refused", "why": why},
            request=request,
        )
