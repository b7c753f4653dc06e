"""Reads of the core app: checking the access log's hash chain (``efh audit verify``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from efh.core.audit import CHAINED_FIELDS, GENESIS, entry_hash
from efh.core.models import AccessLogEntry, AccessLogHead

if TYPE_CHECKING:
    pass


@dataclass
class ChainReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def access_log_verify() -> ChainReport:
    """Walk the chain in order and report every altered, missing or inserted entry."""
    report = ChainReport()
    previous_hash, previous_seq = GENESIS, 0
    rows = AccessLogEntry.objects.order_by("seq", "pk").values(*CHAINED_FIELDS, "hash", "pk")
    for row in rows.iterator(chunk_size=2000):
        report.entries += 1
        seq = row["seq"]
        if seq != previous_seq + 1:
            if seq <= previous_seq:
                report.problems.append(
                    f"entry #{seq}: out of order or inserted after #{previous_seq}"
                )
            else:
                missing = (
                    f"#{previous_seq + 1}"
                    if seq == previous_seq + 2
                    else f"#{previous_seq + 1} to #{seq - 1}"
                )
                report.problems.append(f"entries {missing}: deleted (the numbering jumps)")
        if row["prev_hash"] != previous_hash:
            report.problems.append(
                f"entry #{seq}: does not follow the entry before it (inserted, or one before it was deleted or altered)"
            )
        if entry_hash(row) != row["hash"]:
            report.problems.append(
                f"entry #{seq}: altered (its content no longer matches its hash)"
            )
        previous_hash, previous_seq = row["hash"], seq
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None:
        report.head_seq, report.head_hash = head.seq, head.hash
        if (head.seq, head.hash) != (previous_seq, previous_hash):
            report.problems.append(
                f"the log ends at #{previous_seq} but its head records #{head.seq}: "
                "entries were deleted from its end, or the head was altered"
            )
    elif report.entries:
        report.problems.append("the log's head record is missing")
    return report


# --- The auditor's screens --------------------------------------------------------------------
# Every read below is for someone holding Capability.AUDIT; each asks for the acting user and
# refuses anyone else, so a view that forgets its own check still cannot leak the log.
