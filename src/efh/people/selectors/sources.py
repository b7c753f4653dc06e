"""The configured sources (sending systems) with their agencies: whose record each row is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from efh.core.models import Source

if TYPE_CHECKING:
    from efh.accounts.models import Agency


@dataclass(frozen=True)
class SourceInfo:
    code: str
    name: str
    agency: Agency | None

    @property
    def agency_name(self) -> str:
        """Whose record it is: the agency, or the sending system where no agency owns it."""
        return self.agency.name if self.agency else self.name


class Sources(dict[str, SourceInfo]):
    """Every configured source by code, with its agency (one small query per page)."""

    @classmethod
    def load(cls) -> Sources:
        return cls(
            (s.code, SourceInfo(s.code, s.name, s.agency))
            for s in Source.objects.select_related("agency")
        )

    def info(self, code: str) -> SourceInfo:
        return self.get(code) or SourceInfo(code, code, None)

    def agency_choices(self) -> list[tuple[str, str]]:
        """Filter choices: one per agency owning a source, one per source no agency owns."""
        seen: dict[str, str] = {}
        for info in self.values():
            if info.agency is not None:
                seen.setdefault(info.agency.code, info.agency.name)
            else:
                seen.setdefault(f"source:{info.code}", info.name)
        return sorted(seen.items(), key=lambda kv: kv[1].lower())

    def codes_for(self, choice: str) -> list[str]:
        """The source codes an agency filter choice stands for."""
        if choice.startswith("source:"):
            return [choice.removeprefix("source:")]
        return [i.code for i in self.values() if i.agency is not None and i.agency.code == choice]
