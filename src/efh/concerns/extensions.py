"""Extension points of the concerns app, filled by the apps above it at start-up.

``concerns`` sits beneath ``casework`` in the layers, so it cannot ask the front door what
became of a concern; the casework app registers a provider here instead, and the concern's page
shows what the provider returns (the referrer's answer, issue 12)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutcomeProvider:
    """``outcomes(event_ids) -> {event_id: outcome}``, shown with ``template`` (given
    ``outcome`` and ``labels``: person id to the label the viewer may see)."""

    outcomes: Callable[[Iterable[int]], dict[int, Any]]
    template: str


_outcome_providers: list[OutcomeProvider] = []


def register_outcome(provider: OutcomeProvider) -> None:
    if provider not in _outcome_providers:
        _outcome_providers.append(provider)


def outcome_providers() -> list[OutcomeProvider]:
    return list(_outcome_providers)
