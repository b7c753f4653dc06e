"""Pages composed of sections that several apps contribute.

A page that shows what several apps know (the person record, a place page) is owned by the
lowest app it is about (``people``, ``contexts``), which declares a :class:`SectionRegistry`.
Each app above contributes its sections in its own ``sections.py`` (found at start-up by
:func:`autodiscover`, as Django's admin finds ``admin.py`` and Wagtail its ``wagtail_hooks.py``),
so the owning app imports none of them: ``people`` knows nothing of concerns, contexts, the
intelligence picture or, later, casework, yet the record shows all of them.

A section names the fields it shows (the page's access-log entry lists them before the page is
built), the page levels it appears on, the slot it fills on the page and its place in that
slot. Its ``build`` takes the page's context and returns what its template needs, or ``None``
to leave the section out (nothing to show, or nothing this user may see).

People named by several sections are labelled in one query: a section asks the context's
:class:`LookupBatch` for the ids it needs, with a callback, and the page resolves them all at
once after every section is built.

Hand-written because it is small and specific: Wagtail's hooks registry would bring Wagtail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Section:
    key: str
    """Unique within its page; the template gets the built data as ``data``."""
    build: Callable[[Any], Any]
    template: str = ""
    """Rendered with ``data``; slots that render their items generically need none."""
    slot: str = "main"
    order: int = 100
    title: str = ""
    """The section's heading, listed in the page's contents (main slot); data with a ``title``
    of its own overrides it."""
    anchor: str = ""
    """The heading's id, for links to the section (default: the key)."""
    levels: tuple[str, ...] = ("full",)
    fields: tuple[str, ...] = ()
    """What the access-log entry names when the page shows this section."""
    detail: Callable[[HttpRequest], dict[str, Any]] | None = None
    """What the access-log entry records of the request for this section (filters, page)."""


@dataclass
class Built:
    section: Section
    data: Any

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def template(self) -> str:
        return self.section.template

    @property
    def title(self) -> str:
        return str(getattr(self.data, "title", "") or self.section.title)

    @property
    def anchor(self) -> str:
        return self.section.anchor or self.section.key


@dataclass
class Composed:
    """A page's built sections by slot, in order."""

    slots: dict[str, list[Built]] = field(default_factory=dict)

    def __getitem__(self, slot: str) -> list[Built]:
        """``sections.main`` in a template (its other attributes are not slots)."""
        return self.slots[slot]

    def get(self, key: str) -> Any:
        """One section's data (``None`` when it was left out)."""
        for built in self.all():
            if built.key == key:
                return built.data
        return None

    def all(self) -> Iterable[Built]:
        for items in self.slots.values():
            yield from items

    @property
    def forms(self) -> list[Any]:
        """The sections' forms (a chronology's filters), for the page's error summary."""
        return [b.data.form for b in self.all() if getattr(b.data, "form", None) is not None]

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.forms)


class SectionRegistry:
    def __init__(self, page: str, *, slots: tuple[str, ...]) -> None:
        self.page = page
        self.slots = slots
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> Section:
        if section.slot not in self.slots:
            raise ValueError(f"The {self.page} has no slot {section.slot!r}")
        if section.key in self._sections:
            raise ValueError(f"The {self.page} already has a section {section.key!r}")
        self._sections[section.key] = section
        return section

    def sections(self, level: str) -> list[Section]:
        return sorted(
            (s for s in self._sections.values() if level in s.levels),
            key=lambda s: (self.slots.index(s.slot), s.order, s.key),
        )

    def fields(self, level: str) -> list[str]:
        """Every field the page names at this level, each once, in page order."""
        return list(dict.fromkeys(f for s in self.sections(level) for f in s.fields))

    def detail(self, level: str, request: HttpRequest) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in self.sections(level):
            if s.detail is not None:
                out.update(s.detail(request))
        return out

    def compose(self, context: Any, level: str) -> Composed:
        """Build every section of the level; the caller then resolves the lookups they asked
        for (``context.labels``)."""
        composed = Composed({slot: [] for slot in self.slots})
        for s in self.sections(level):
            data = s.build(context)
            if data is not None:
                composed.slots[s.slot].append(Built(s, data))
        return composed


class LookupBatch:
    """Ids several sections need looked up (people's labels), resolved in one call."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._callbacks: list[Callable[[dict[int, Any]], None]] = []

    def request(self, ids: Iterable[int], apply: Callable[[dict[int, Any]], None]) -> None:
        self._ids.update(ids)
        self._callbacks.append(apply)

    def resolve(self, lookup: Callable[[list[int]], dict[int, Any]]) -> None:
        found = lookup(sorted(self._ids)) if self._ids else {}
        for apply in self._callbacks:
            apply(found)
        self._ids.clear()
        self._callbacks.clear()


def autodiscover() -> None:
    """Import every installed app's ``sections`` module, which registers its sections."""
    autodiscover_modules("sections")
