"""The platform's one clock: what every "now" is read from (an aware UTC datetime), so that a
test or a replay can move time in one place."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)
