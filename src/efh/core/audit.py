"""The access log's hash chain: how an entry's hash is computed (shared by writing and checking).

A hand-written chain because what is needed is small and exact: SHA-256 over a canonical JSON of
the entry's content and the previous hash; no library adds to that.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "at",
    "user_id_at_time",
    "username",
    "role",
    "agency",
    "action",
    "object_type",
    "object_id",
    "fields",
    "detail",
    "reason",
    "break_glass",
    "origin",
    "prev_hash",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def entry_hash(values: dict[str, Any]) -> str:
    """SHA-256 of the entry's chained fields, in a canonical JSON form."""
    content = {name: _canonical(values[name]) for name in CHAINED_FIELDS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
