"""The search index (``people.SearchName``): how names, postcodes and identifiers are normalised,
and how the index is kept in step with the records.

Each person record gives one row per word of its given and family names and of each alias,
one per postcode it has given, and one per identifier. Name words carry three sound-alike or
typo keys computed here (in Python, so both databases get the same keys): Metaphone and NYSIIS
(``jellyfish``) for names that sound alike but are spelt differently (Jon/John, Mohammed/
Muhammad), and the letters in sorted order ("anagram"), which is equal for two letters
swapped, the commonest typing slip (Smtih/Smith). PostgreSQL adds trigram similarity on top.

Kept current three ways, all bulk:

- the importer calls :func:`search_index_refresh_delivery` at the end of a successful import
  for the records the delivery added or changed;
- saving a record, alias or address one at a time (the platform's own forms) refreshes that
  record (receivers connected in ``PeopleConfig.ready``);
- ``efh search_index`` rebuilds the whole index (after a restore, or to be sure).

Removing an alias or address is rare and done by no screen yet; the removed key stays
searchable until the record is refreshed or the index rebuilt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

import jellyfish
from django.db import connection, models, transaction

from efh.people.models import Address, Alias, PersonRecord, SearchKind, SearchName

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u02bc]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_SPACES = re.compile(r"[\s\-]+")
_PNC_SEPARATED = re.compile(r"^([0-9]{2}|[0-9]{4})[\s/\-]+([0-9]{1,7}[A-Z])$")
_PNC_RUN = re.compile(r"^[0-9]{3,11}[A-Z]$")
# Full postcode (outward code, inward code) or a postcode district (outward code alone).
POSTCODE_FULL = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
CHUNK = 5_000
# Records from which a refresh drops the indexes and builds them again (_indexes_set_aside).
LARGE = 5_000
KEYS_PER_RECORD = 4
COLUMNS = (  # the table's column names, in the order of a Row
    "record_id",
    "kind",
    "text",
    "metaphone",
    "nysiis",
    "anagram",
    "date_of_birth",
    "is_child",
)
Row = tuple[int, str, str, str, str, str, date | None, bool | None]
# Plain strings (a row is written as it is; psycopg would write an Enum member by its name).
_GIVEN, _FAMILY, _ALIAS, _POSTCODE, _NHS, _UPN, _PNC = (
    k.value
    for k in (
        SearchKind.GIVEN,
        SearchKind.FAMILY,
        SearchKind.ALIAS,
        SearchKind.POSTCODE,
        SearchKind.NHS,
        SearchKind.UPN,
        SearchKind.PNC,
    )
)


@lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """Lower case, accents and apostrophes dropped, anything else not a letter or digit a
    space: ``"Zoë O'Brien-Smith"`` -> ``"zoe obrien smith"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain.casefold())
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


@lru_cache(maxsize=65_536)
def name_keys(word: str) -> tuple[str, str, str]:
    """(Metaphone, NYSIIS, sorted letters) of one normalised word; blank for a lone letter or
    a number, which only match exactly."""
    letters = "".join(c for c in word if c.isalpha())
    if len(letters) < 2:
        return "", "", ""
    return (
        jellyfish.metaphone(letters)[:32],
        jellyfish.nysiis(letters)[:32],
        "".join(sorted(letters))[:64],
    )


def canonical_postcode(text: str) -> str:
    """``"e28bg"``, ``"E2 8BG "`` -> ``"E2 8BG"``; a district (``"n16"``) -> ``"N16"``; anything
    else as upper case with single spaces (stored postcodes are kept as given)."""
    compact = _NOT_ALNUM.sub("", (text or "").upper())
    full = POSTCODE_FULL.match(compact)
    if full:
        return f"{full.group(1)} {full.group(2)}"
    return compact


def canonical_identifier(text: str) -> str:
    """Identifiers compared in upper case without spaces or hyphens, so an NHS number typed
    ``999 787 9430`` matches; a PNC id keeps one slash between year and number, however it was
    typed (``21 1227714q`` -> ``21/1227714Q``)."""
    upper = (text or "").upper().strip()
    pnc = _PNC_SEPARATED.match(upper)
    if pnc:
        return f"{pnc.group(1)}/{pnc.group(2)}"
    return _SPACES.sub("", upper)


def identifier_candidates(text: str) -> list[str]:
    """What a typed identifier may be stored as: itself, and for a PNC id typed without its
    slash (``211227714Q``) both ways of splitting the year (``21/...`` and ``2112/...``)."""
    canonical = canonical_identifier(text)
    candidates = [canonical] if canonical else []
    if _PNC_RUN.match(canonical):
        candidates += [f"{canonical[:n]}/{canonical[n:]}" for n in (2, 4) if len(canonical) > n + 1]
    return candidates


def record_rows(
    record_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    is_child: bool | None,
    nhs_number: str,
    upn: str,
    pnc_id: str,
    aliases: Iterable[str] = (),
    postcodes: Iterable[str] = (),
) -> list[Row]:
    """The index rows of one record (each key once)."""
    seen: set[tuple[str, str]] = set()
    rows: list[Row] = []

    def add(kind: str, text: str, keys: tuple[str, str, str] = ("", "", "")) -> None:
        if text and (kind, text) not in seen:
            seen.add((kind, text))
            rows.append((record_id, kind, text[:200], *keys, date_of_birth, is_child))

    for kind, value in ((_GIVEN, given_name), (_FAMILY, family_name)):
        for word in words(value):
            add(kind, word, name_keys(word))
    for alias in aliases:
        for word in words(alias):
            add(_ALIAS, word, name_keys(word))
    for postcode in postcodes:
        add(_POSTCODE, canonical_postcode(postcode))
    add(_NHS, canonical_identifier(nhs_number))
    add(_UPN, canonical_identifier(upn))
    add(_PNC, canonical_identifier(pnc_id))
    return rows


def _rows_for(records: models.QuerySet[PersonRecord]) -> tuple[int, Iterator[Row]]:
    """(How many records, their index rows) for every record in ``records``: three queries,
    whatever their number, all made before this returns. (The rows are written through the same connection, by a ``COPY``
    that cannot let another query run meanwhile, so nothing is read lazily.)"""
    aliases: dict[int, list[str]] = {}
    for record_id, name in Alias.objects.filter(record__in=records.values("pk")).values_list(
        "record_id", "name"
    ):
        aliases.setdefault(record_id, []).append(name)
    postcodes: dict[int, list[str]] = {}
    for record_id, postcode in (
        Address.objects.filter(record__in=records.values("pk"))
        .exclude(postcode="")
        .values_list("record_id", "postcode")
    ):
        postcodes.setdefault(record_id, []).append(postcode)
    fields = (
        "pk",
        "given_name",
        "family_name",
        "date_of_birth",
        "is_child",
        "nhs_number",
        "upn",
        "pnc_id",
    )
    found = list(records.order_by().values_list(*fields))
    return len(found), (
        row
        for pk, given, family, born, child, nhs, upn, pnc in found
        for row in record_rows(
            pk,
            given,
            family,
            born,
            child,
            nhs,
            upn,
            pnc,
            aliases=aliases.get(pk, ()),
            postcodes=postcodes.get(pk, ()),
        )
    )


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(rows: Iterable[Row]) -> int:
    """``COPY`` on PostgreSQL (several times faster than ``INSERT`` for a borough's index),
    ``executemany`` elsewhere."""
    table = connection.ops.quote_name(SearchName._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(COLUMNS))
        for chunk in _chunks(rows):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                [(*row[:6], connection.ops.adapt_datefield_value(row[6]), row[7]) for row in chunk],
            )
            count += len(chunk)
    return count


@contextmanager
def _indexes_set_aside() -> Iterator[None]:
    """Drop the index table's indexes (and on PostgreSQL its foreign key), and create them
    again when the block ends.

    For a large write (a borough's first import, a rebuild): building an index once over all
    the rows is several times faster than adding 400,000 keys one at a time to a GIN and six
    B-trees, and one join validates the foreign key where a trigger per row would (PostgreSQL's
    "Populating a Database" advice, as ``core.bulk`` does for the records). Runs inside the
    caller's transaction, so a failure restores everything; on PostgreSQL the table is locked
    until commit (searches wait, as they already wait on the tables a large import locks).
    """
    table = SearchName._meta.db_table
    quoted = connection.ops.quote_name(table)
    keys: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = %s::regclass",
                [table],
            )
            keys = cursor.fetchall()
            for name, _definition in keys:
                cursor.execute(
                    f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                f"{definition}"
            )


def _write(records: models.QuerySet[PersonRecord], *, everything: bool = False) -> int:
    count, rows = _rows_for(records)
    # Large: many records, and about as many keys to write as the index holds already.
    if count < LARGE or count * KEYS_PER_RECORD < SearchName.objects.count():
        if everything:
            SearchName.objects.all()._raw_delete(SearchName.objects.db)  # type: ignore[attr-defined]
        else:
            SearchName.objects.filter(record__in=records.values("pk"))._raw_delete(  # type: ignore[attr-defined]
                SearchName.objects.db
            )
        return _insert(rows)
    with _indexes_set_aside():
        if everything:
            SearchName.objects.all()._raw_delete(SearchName.objects.db)  # type: ignore[attr-defined]
        else:
            SearchName.objects.filter(record__in=records.values("pk"))._raw_delete(  # type: ignore[attr-defined]
                SearchName.objects.db
            )
        return _insert(rows)


@transaction.atomic
def search_index_refresh(records: models.QuerySet[PersonRecord]) -> int:
    """Replace the index rows of ``records`` (a queryset of person records); returns the rows
    written."""
    return _write(records)


def search_index_refresh_delivery(delivery_id: int) -> int:
    """Refresh the records a delivery added or changed (the importer stamps them with it)."""
    return search_index_refresh(PersonRecord.objects.filter(delivery_id=delivery_id))


@transaction.atomic
def search_index_rebuild() -> int:
    """Rebuild the whole index from the records; returns the rows written."""
    written = _write(PersonRecord.objects.all(), everything=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(SearchName._meta.db_table)}")
    return written


# --- one record at a time: the platform's own forms --------------------------------------------


def _on_record_saved(sender: Any, instance: PersonRecord, raw: bool = False, **kwargs: Any) -> None:
    search_index_refresh(PersonRecord.objects.filter(pk=instance.pk))


def _on_alias_or_address_saved(
    sender: Any, instance: Alias | Address, raw: bool = False, **kwargs: Any
) -> None:
    search_index_refresh(PersonRecord.objects.filter(pk=instance.record_id))


def connect() -> None:
    """Refresh a record's rows whenever it, or one of its aliases or addresses, is saved through
    the ORM one at a time. (Bulk writes send no signals: the importer refreshes at its end.)"""
    from django.db.models.signals import post_save

    post_save.connect(_on_record_saved, sender=PersonRecord, dispatch_uid="search_index_record")
    for model in (Alias, Address):
        post_save.connect(
            _on_alias_or_address_saved, sender=model, dispatch_uid=f"search_index_{model.__name__}"
        )
