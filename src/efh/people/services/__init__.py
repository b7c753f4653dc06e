"""Writes about persons, each logged in the same transaction: the need-to-know grounds
(involvements, information-sharing decisions, break-glass accesses: ``access``) and identity
linkage (merging and unmerging people, review decisions: ``linking``).

Everything the single ``people.services`` module exported is re-exported here, so existing
imports keep working."""

from efh.people.services.access import (
    break_glass_open,
    break_glass_review,
    involvement_start,
    sharing_decision_record,
)
from efh.people.services.linking import (
    MergeError,
    MergePlan,
    UnmergeBlocked,
    link_decide,
    merge_undo,
    persons_merge,
    persons_merge_many,
)

__all__ = [
    "MergeError",
    "MergePlan",
    "UnmergeBlocked",
    "break_glass_open",
    "break_glass_review",
    "involvement_start",
    "link_decide",
    "merge_undo",
    "persons_merge",
    "persons_merge_many",
    "sharing_decision_record",
]
