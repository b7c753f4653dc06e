"""Importing a delivery: validate everything, then store all of it or nothing.

``delivery_import`` is the one write entry point (HackSoft-style service). It reads and checks
the whole delivery first (:mod:`efh.ingest.validation`); any problem rejects the delivery before
a single row is written. Valid deliveries are stored in one transaction, in dependency order,
with the rows exactly as received kept in ``core.RecordVersion``. A record already stored with
the same content is left alone, so importing a delivery twice changes nothing; a corrected record
updates the stored one and adds a version, so its history stays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection, models, transaction

from efh.concerns.models import Event, EventPerson, MissingEpisode, MissingWith
from efh.contexts.models import Association, Location, Organisation, PeerGroup
from efh.core import bulk, clock
from efh.core.models import AccessAction, Delivery, ObjectType, RecordVersion
from efh.core.services import access_log_record
from efh.ingest import selectors
from efh.ingest.linkage import NewPerson, assign_persons, identifiers
from efh.ingest.spec import FILES, FILES_BY_NAME, FileSpec
from efh.ingest.targets import model_for
from efh.ingest.validation import HASH, LINE, RAW, DeliveryReader, Known, Problem
from efh.ingest.validation import Delivery as CheckedDelivery
from efh.people.models import (
    Address,
    Alias,
    Person,
    PersonRecord,
    SearchName,
    Status,
    StatusKind,
)
from efh.people.search_index import search_index_refresh_delivery

Progress = Callable[[str], None]
ID = "_id"
LOCAL_TIME = "Europe/London"
# A place further than this from every ward's point is outside the partnership's area.
WARD_RADIUS_KM = 2.5


class DeliveryRejected(Exception):
    """The delivery has invalid rows; nothing was stored."""

    def __init__(self, checked: CheckedDelivery):
        super().__init__(f"{len(checked.problems)} problem(s) in {checked.path}")
        self.checked = checked

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems


@dataclass
class ImportResult:
    delivery: Delivery
    rows: dict[str, int]
    counts: dict[str, dict[str, int]]
    warnings: list[str] = field(default_factory=list)
    already_imported: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def fingerprint(path: Path) -> str:
    """SHA-256 over the exchange files' names and bytes: a delivery's identity."""
    return _survey(path)[0]


def _survey(path: Path) -> tuple[str, int]:
    """One read of the delivery's files: its fingerprint, and its rows near enough to size it
    (lines less headers)."""
    digest = hashlib.sha256()
    lines = 0
    for spec in FILES:
        file = path / spec.name
        if file.is_file():
            digest.update(spec.name.encode())
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    lines += chunk.count(b"\n")
            lines -= 1
    return digest.hexdigest(), max(lines, 0)


def delivery_import(*, path: Path, progress: Progress = lambda _m: None) -> ImportResult:
    """Validate and store a delivery; raise :class:`DeliveryRejected` if any row is invalid.

    One import runs at a time: everything, from reading the stored keys to the commit, happens
    in one transaction holding the import lock, so two deliveries cannot both add a record.
    Files are checked one at a time, in load order, on a second thread, and each is stored as
    soon as it and everything before it is valid; at the first problem storing stops, reading
    goes on to report every problem, and the transaction is rolled back: nothing is kept.
    """
    path = Path(path)
    with transaction.atomic():
        _lock_imports()
        fp, size = _survey(path) if path.is_dir() else ("", 0)
        previous = selectors.delivery_by_fingerprint(fp) if fp else None
        if previous is not None:
            return ImportResult(previous, dict(previous.files), {}, already_imported=True)
        stored = selectors.StoredKeys()
        known = Known({name: stored.keys(FILES_BY_NAME[name]) for name in _REFERRED})
        reader = DeliveryReader(path, selectors.vocabulary(), known, progress)
        if not reader.open():
            raise DeliveryRejected(reader.result())
        delivery = Delivery.objects.create(fingerprint=fp, path=str(path.resolve()))
        loader = _Loader(delivery, stored, progress)
        large = loader.is_large(size)
        if large:
            progress("large delivery: foreign keys are checked once, after loading")
        with bulk.foreign_keys_rebuilt(LOADED_MODELS) if large else nullcontext():
            for spec, table in reader.in_background():
                if not reader.problems:
                    loader.load(spec, table)
            if reader.problems:
                raise DeliveryRejected(reader.result())
        checked = reader.result()
        delivery.files = checked.rows
        delivery.counts = loader.counts
        delivery.save(update_fields=["files", "counts"])
        persons = loader.counts.get("person", {})
        if persons.get("new") or persons.get("changed"):  # index the records added or changed
            progress("refreshing the search index")
            search_index_refresh_delivery(delivery.pk)
        if large:
            progress("refreshing the planner's statistics")
            bulk.statistics_refreshed(
                [m._meta.db_table for m in LOADED_MODELS] + [SearchName._meta.db_table]
            )
        access_log_record(
            actor=None,
            action=AccessAction.IMPORT,
            object_type=ObjectType.DELIVERY,
            object_id=delivery.pk,
            detail={"path": delivery.path, "counts": loader.counts},
        )
    return ImportResult(delivery, checked.rows, loader.counts, checked.warnings)


def _lock_imports() -> None:
    """Serialise imports (PostgreSQL: a transaction-scoped advisory lock; SQLite, the
    single-user demo database, serialises writers itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('efh.ingest.delivery_import'))")
            # Check foreign keys as each COPY ends rather than all at commit: the loader writes
            # referenced rows first, and immediate checks skip the deferred-trigger queue (about
            # a quarter of their cost on a borough's delivery).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


_REFERRED = ("persons.csv", "locations.csv", "organisations.csv", "events.csv")
_REFERRED_ONWARDS = {*_REFERRED, "missing_episodes.csv"}


def _values(frame: pl.DataFrame, column: str) -> list[Any]:
    return frame[column].to_list()


class _Loader:
    """Writes one valid delivery. Each ``_load_*`` handles one file kind."""

    def __init__(self, delivery: Delivery, stored: selectors.StoredKeys, progress: Progress):
        self.delivery = delivery
        self.tables: dict[str, pl.DataFrame] = {}
        self.stored = stored
        self.progress = progress
        self.ids: dict[str, pl.DataFrame] = {}  # file -> (source, source_id, _id)
        self.counts: dict[str, dict[str, int]] = {}
        self.now = clock.now()

    def is_large(self, incoming: int) -> bool:
        """At least ``EFH_IMPORT_BULK_ROWS`` rows, and more than are already stored."""
        stored = sum(self.stored.keys(FILES_BY_NAME[name]).height for name in _REFERRED)
        return incoming >= settings.EFH_IMPORT_BULK_ROWS and incoming > stored

    def load(self, spec: FileSpec, table: pl.DataFrame) -> None:
        """Store one checked file; the files it refers to have been stored before it."""
        self.tables[spec.name] = table
        self.progress(f"storing {spec.name} ({table.height:,} rows)")
        getattr(self, "_load_" + spec.name.removesuffix(".csv"))(spec)

    # -- shared steps -------------------------------------------------------------------------

    def _split(self, spec: FileSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Incoming rows that are new, and those that changed (with their stored id)."""
        frame = self.tables[spec.name]
        stored = self.stored.keys(spec, with_hash=True)
        joined = frame.join(stored, on=["source", "source_id"], how="left")
        new = joined.filter(pl.col(ID).is_null()).drop(ID, "row_hash")
        changed = joined.filter(pl.col(ID).is_not_null() & (pl.col("row_hash") != pl.col(HASH)))
        self.ids[spec.name] = stored.select("source", "source_id", ID)
        self.counts[spec.kind] = {
            "new": new.height,
            "changed": changed.height,
            "unchanged": frame.height - new.height - changed.height,
        }
        if not changed.is_empty():
            self._keep_history(spec, model_for(spec), changed)
        return new, changed

    def _keep_history(self, spec: FileSpec, model: Any, changed: pl.DataFrame) -> None:
        """Move the versions that ``changed`` replaces into RecordVersion."""
        ids = _values(changed, ID)
        for start in range(0, len(ids), 500):
            old = model.objects.filter(pk__in=ids[start : start + 500]).values_list(
                "id", "source", "source_id", "delivery_id", "line", "row_hash", "raw"
            )
            RecordVersion.objects.bulk_create(
                RecordVersion(
                    kind=spec.kind,
                    record_id=pk,
                    source=source,
                    key=key,
                    delivery_id=delivery,
                    line=line,
                    row_hash=row_hash,
                    raw=raw,
                    superseded_by=self.delivery,
                )
                for pk, source, key, delivery, line, row_hash, raw in old
            )

    def _resolve(self, frame: pl.DataFrame, column: str, file: str, alias: str) -> pl.DataFrame:
        """Add ``alias``: the stored id of the record ``column`` names in ``file`` (or null)."""
        if file not in self.ids:  # not in this delivery: what is stored
            self.ids[file] = self.stored.keys(FILES_BY_NAME[file], with_hash=True).select(
                "source", "source_id", ID
            )
        ids = self.ids[file].rename({"source_id": column, ID: alias})
        return frame.join(ids, on=["source", column], how="left")

    def _provenance(self, frame: pl.DataFrame) -> list[pl.Expr]:
        return [
            *([pl.col(ID).alias("id")] if ID in frame.columns else []),
            pl.col("source"),
            pl.col("source_id"),
            pl.lit(self.delivery.pk, pl.Int64).alias("delivery_id"),
            pl.col(LINE).alias("line"),
            pl.col(HASH).alias("row_hash"),
            pl.col(RAW).alias("raw"),
        ]

    def _write(
        self,
        spec: FileSpec,
        new: pl.DataFrame,
        changed: pl.DataFrame,
        values: list[pl.Expr],
    ) -> pl.DataFrame:
        """Insert the new rows and update the changed ones with ``values`` (field-named exprs).

        Returns the new rows with the ids the database gave them, which later files' rows
        refer to (read back by key: cheaper than reserving ids from the sequence beforehand).
        """
        model: Any = model_for(spec)
        if new.is_empty():
            if new.width:
                new = new.with_columns(pl.lit(None, pl.Int64).alias(ID))
        else:
            before = bulk.max_id(model)
            bulk.insert_frame(model, new.select(*self._provenance(new), *values))
            if spec.name in _REFERRED_ONWARDS:
                given = pl.DataFrame(
                    list(
                        model.objects.filter(id__gt=before).values_list("source", "source_id", "id")
                    ),
                    schema={"source": pl.String, "source_id": pl.String, ID: pl.Int64},
                    orient="row",
                )
                new = new.join(given, on=["source", "source_id"], how="left")
                self.ids[spec.name] = pl.concat([self.ids[spec.name], given])
        if changed.is_empty():
            return new
        update = changed.select(*self._provenance(changed), *values).drop("source", "source_id")
        fields = [c for c in update.columns if c != "id"]
        objects = []
        for row in update.iter_rows(named=True):
            obj = model(pk=row["id"])
            for name in fields:
                setattr(obj, name, row[name])
            objects.append(obj)
        model.objects.bulk_update(objects, fields, batch_size=500)
        return new

    # -- places -------------------------------------------------------------------------------

    def _with_wards(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``_ward``: the nearest ward within WARD_RADIUS_KM of the place, if any."""
        wards = selectors.ward_points()
        if frame.is_empty() or not wards:
            return frame.with_columns(pl.lit(None, pl.Int64).alias("_ward"))
        ids = np.array([w[0] for w in wards])
        wlat = np.radians([w[1] for w in wards])
        wlon = np.radians([w[2] for w in wards])
        plat = np.radians(frame["latitude"].to_numpy())[:, None]
        plon = np.radians(frame["longitude"].to_numpy())[:, None]
        # Haversine distance from every place to every ward's point.
        a = (
            np.sin((wlat - plat) / 2) ** 2
            + np.cos(plat) * np.cos(wlat) * np.sin((wlon - plon) / 2) ** 2
        )
        km = np.where(np.isnan(a), np.inf, 2 * 6371.0 * np.arcsin(np.sqrt(np.nan_to_num(a))))
        nearest = np.argmin(km, axis=1)
        best = km[np.arange(frame.height), nearest]
        ward = pl.Series("_ward", np.where(best <= WARD_RADIUS_KM, ids[nearest], -1), pl.Int64)
        return frame.with_columns(pl.when(ward >= 0).then(ward).alias("_ward"))

    def _load_places(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        values = [
            pl.col("name"),
            pl.col("kind"),
            pl.col("latitude"),
            pl.col("longitude"),
            pl.col("postcode").fill_null(""),
            pl.col("_ward").alias("ward_id"),
        ]
        self._write(spec, self._with_wards(new), self._with_wards(changed), values)

    def _load_organisations(self, spec: FileSpec) -> None:
        self._load_places(spec)

    def _load_locations(self, spec: FileSpec) -> None:
        self._load_places(spec)

    # -- persons ------------------------------------------------------------------------------

    def _person_values(self) -> list[pl.Expr]:
        recorded = pl.col("recorded_at").dt.convert_time_zone(LOCAL_TIME).dt.date()
        born = pl.col("date_of_birth")
        age = (
            recorded.dt.year()
            - born.dt.year()
            - (
                (recorded.dt.month() * 100 + recorded.dt.day())
                < (born.dt.month() * 100 + born.dt.day())
            ).cast(pl.Int32)
        )
        return [
            pl.col("_person").alias("person_id"),
            pl.col("given_name"),
            pl.col("family_name"),
            pl.col("date_of_birth"),
            pl.col("sex"),
            pl.col("ethnicity"),
            pl.col("nhs_number"),
            pl.col("upn"),
            pl.col("pnc_id"),
            pl.col("phone"),
            pl.coalesce(pl.col("is_child"), age < 18).alias("is_child"),
            pl.col("_school").alias("school_id"),
            pl.col("recorded_at"),
        ]

    def _link(
        self, new: pl.DataFrame, changed: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, int]]:
        """Give new and changed records their person; also return stored records to repoint."""
        changed_ids = set(_values(changed, ID))
        # People joined by record linkage (``efh link``) or by a reviewer hold records that share
        # no identifier: their records are tied together here so that no import splits them.
        linked = selectors.persons_joined_by_linkage()

        def keys(person: int | None, nhs: str, upn: str, pnc: str) -> tuple[str, ...]:
            tie = (f"person:{person}",) if person in linked else ()
            return identifiers(nhs, upn, pnc) + tie

        records: list[tuple[tuple[str, int], int | None, tuple[str, ...]]] = [
            (("stored", pk), person, keys(person, nhs, upn, pnc))
            for pk, person, nhs, upn, pnc in selectors.records_with_identifiers()
            if pk not in changed_ids
        ]
        stored_person = selectors.persons_of(changed_ids) if changed_ids else {}
        for pk, nhs, upn, pnc in changed.select(ID, "nhs_number", "upn", "pnc_id").iter_rows():
            person = stored_person[pk]
            records.append((("stored", pk), person, keys(person, nhs, upn, pnc)))
        for row, (nhs, upn, pnc) in enumerate(
            new.select("nhs_number", "upn", "pnc_id").iter_rows()
        ):
            records.append((("new", row), None, identifiers(nhs, upn, pnc)))
        assigned: dict[Any, int | NewPerson] = assign_persons(records)
        fresh = sorted({p.n for p in assigned.values() if isinstance(p, NewPerson)})
        person_ids = bulk.allocate_ids(Person, len(fresh))
        by_new = dict(zip(fresh, person_ids, strict=True))
        bulk.insert_frame(
            Person,
            pl.DataFrame({"id": person_ids}, schema={"id": pl.Int64}).with_columns(
                created_at=pl.lit(self.now)
            ),
        )

        def final(p: int | NewPerson) -> int:
            return by_new[p.n] if isinstance(p, NewPerson) else p

        current = {key: person for key, person, _ids in records}
        moves = {
            key[1]: final(p)
            for key, p in assigned.items()
            if key[0] == "stored" and key[1] not in changed_ids and final(p) != current[key]
        }
        new = new.with_columns(
            pl.Series(
                "_person", [final(assigned[("new", row)]) for row in range(new.height)], pl.Int64
            )
        )
        changed = changed.with_columns(
            pl.Series(
                "_person",
                [final(assigned[("stored", pk)]) for pk in _values(changed, ID)],
                pl.Int64,
            )
        )
        return new, changed, moves

    def _load_persons(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        if new.is_empty() and changed.is_empty():
            return
        new, changed, moves = self._link(new, changed)
        new = self._resolve(new, "school_source_id", "organisations.csv", "_school")
        changed = self._resolve(changed, "school_source_id", "organisations.csv", "_school")
        # Persons that records are about to leave: deleted below if left with none.
        before = selectors.persons_of(list(moves))
        vacated = set(selectors.persons_of([*moves, *_values(changed, ID)]).values())
        new = self._write(spec, new, changed, self._person_values())
        by_person: dict[int, list[int]] = {}
        for pk, person in moves.items():
            by_person.setdefault(person, []).append(pk)
        for person, pks in by_person.items():
            PersonRecord.objects.filter(pk__in=pks).update(person_id=person)
        self._follow(moves, before)
        if vacated:
            # A person a merge names is kept (empty), so the merge can be undone.
            Person.objects.filter(
                pk__in=vacated,
                records__isnull=True,
                merges_in__isnull=True,
                merges_out__isnull=True,
            ).delete()
        self._details(new, changed)

    def _follow(self, moves: dict[int, int], before: dict[int, int]) -> None:
        """A person all of whose identifier-bearing records moved to one other person (a new
        record bridged the two) is wholly that person: its records without an identifier (joined
        to it by record linkage) follow, so no child is left in two parts. ``before``: each
        moved record's person before the move."""
        went: dict[int, set[int]] = {}
        for pk, old in before.items():
            went.setdefault(old, set()).add(moves[pk])
        for old, targets in went.items():
            if len(targets) != 1:
                continue
            left = PersonRecord.objects.filter(person_id=old)
            if not left.exclude(nhs_number="", upn="", pnc_id="").exists():
                left.update(person_id=targets.pop())

    def _details(self, new: pl.DataFrame, changed: pl.DataFrame) -> None:
        """Aliases, addresses and statuses: inserted for new records, reconciled for changed."""
        if not changed.is_empty():
            Alias.objects.filter(record_id__in=_values(changed, ID)).delete()
        both = pl.concat([new.select(ID, "other_names"), changed.select(ID, "other_names")])
        aliases = both.explode("other_names").filter(pl.col("other_names").is_not_null())
        bulk.insert_frame(
            Alias,
            aliases.select(
                pl.col(ID).alias("record_id"),
                pl.col("other_names").alias("name"),
                pl.lit("alias").alias("kind"),
            ),
        )
        given = new.filter((pl.col("address") != "") | (pl.col("postcode") != ""))
        bulk.insert_frame(
            Address,
            given.select(
                pl.col(ID).alias("record_id"),
                pl.col("address"),
                pl.col("postcode").fill_null(""),
                pl.col("recorded_at").alias("valid_from"),
            ),
        )
        for column, kind in STATUS_COLUMNS.items():
            bulk.insert_frame(
                Status,
                new.filter(pl.col(column)).select(
                    pl.col(ID).alias("record_id"),
                    pl.lit(kind.value).alias("kind"),
                    pl.col("recorded_at").alias("started"),
                ),
            )
        for row in changed.iter_rows(named=True):
            self._reconcile(row)

    def _reconcile(self, row: dict[str, Any]) -> None:
        record, when = row[ID], row["recorded_at"]
        address, postcode = row["address"], row["postcode"] or ""
        current = Address.objects.filter(record_id=record, valid_to__isnull=True).first()
        if (address or postcode) and (
            current is None or (current.address, current.postcode) != (address, postcode)
        ):
            start = max(when, current.valid_from) if current else when
            if current:
                Address.objects.filter(pk=current.pk).update(valid_to=start)
            Address.objects.create(
                record_id=record, address=address, postcode=postcode, valid_from=start
            )
        for column, kind in STATUS_COLUMNS.items():
            open_status = Status.objects.filter(
                record_id=record, kind=kind, ended__isnull=True
            ).first()
            if row[column] is True and open_status is None:
                Status.objects.create(record_id=record, kind=kind, started=when)
            elif row[column] is False and open_status is not None:
                Status.objects.filter(pk=open_status.pk).update(
                    ended=max(when, open_status.started)
                )

    # -- events -------------------------------------------------------------------------------

    def _with_place(self, frame: pl.DataFrame, column: str) -> pl.DataFrame:
        """Add ``_location`` or ``_organisation`` for the place ``column`` names (location first)."""
        frame = self._resolve(frame, column, "locations.csv", "_location")
        frame = self._resolve(frame, column, "organisations.csv", "_organisation")
        return frame.with_columns(
            pl.when(pl.col("_location").is_null())
            .then(pl.col("_organisation"))
            .alias("_organisation")
        )

    def _load_events(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        values = [
            pl.col("kind"),
            pl.col("occurred_at"),
            pl.col("recorded_at"),
            pl.col("_location").alias("location_id"),
            pl.col("_organisation").alias("organisation_id"),
            pl.col("latitude"),
            pl.col("longitude"),
            pl.col("summary"),
        ]
        new = self._with_place(new, "location_source_id") if not new.is_empty() else new
        changed = (
            self._with_place(changed, "location_source_id") if not changed.is_empty() else changed
        )
        new = self._write(spec, new, changed, values)
        through = Event.harm_types.through
        if not changed.is_empty():
            through.objects.filter(event_id__in=_values(changed, ID)).delete()
        both = [f.select(ID, "harm_types") for f in (new, changed) if not f.is_empty()]
        if not both:
            return
        codes = pl.DataFrame(
            list(selectors.harm_type_ids().items()),
            schema={"harm_types": pl.String, "harmtype_id": pl.Int64},
            orient="row",
        )
        harms = pl.concat(both).explode("harm_types").filter(pl.col("harm_types").is_not_null())
        bulk.insert_frame(
            through,
            harms.join(codes, on="harm_types").select(pl.col(ID).alias("event_id"), "harmtype_id"),
        )

    def _load_event_people(self, spec: FileSpec) -> None:
        frame = self.tables[spec.name]
        frame = self._resolve(frame, "event_source_id", "events.csv", "event_id")
        frame = self._resolve(frame, "person_source_id", "persons.csv", "record_id")
        stored = selectors.event_people_keys(frame["source"].unique().sort().to_list())
        new = frame.join(stored, on=["event_id", "record_id", "role"], how="anti")
        self.counts[spec.kind] = {
            "new": new.height,
            "changed": 0,
            "unchanged": frame.height - new.height,
        }
        bulk.insert_frame(
            EventPerson,
            new.select(
                "event_id",
                "record_id",
                "role",
                "source",
                pl.lit(self.delivery.pk, pl.Int64).alias("delivery_id"),
                pl.col(LINE).alias("line"),
                pl.col(RAW).alias("raw"),
            ),
        )

    # -- associations and missing episodes ----------------------------------------------------

    def _with_group(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``_group``: the peer group a ``group`` association names, created if new."""
        wanted = (
            frame.filter(pl.col("other_kind") == "group")
            .select("source", "other_source_id")
            .unique()
            .sort("source", "other_source_id")
        )
        existing = selectors.peer_group_ids(wanted.rows())
        missing = [pair for pair in wanted.rows() if pair not in existing]
        if missing:
            PeerGroup.objects.bulk_create(PeerGroup(source=s, name=n) for s, n in missing)
            existing = selectors.peer_group_ids(wanted.rows())
        groups = pl.DataFrame(
            [(s, n, i) for (s, n), i in existing.items()],
            schema={"source": pl.String, "other_source_id": pl.String, "_group": pl.Int64},
            orient="row",
        )
        return frame.join(groups, on=["source", "other_source_id"], how="left").with_columns(
            pl.when(pl.col("other_kind") == "group").then(pl.col("_group")).alias("_group")
        )

    def _with_targets(self, frame: pl.DataFrame) -> pl.DataFrame:
        if frame.is_empty():
            return frame
        frame = self._resolve(frame, "person_source_id", "persons.csv", "_record")
        for file, alias, kind in (
            ("persons.csv", "_other", "person"),
            ("locations.csv", "_location", "location"),
            ("organisations.csv", "_organisation", "organisation"),
        ):
            frame = self._resolve(frame, "other_source_id", file, alias).with_columns(
                pl.when(pl.col("other_kind") == kind).then(pl.col(alias)).alias(alias)
            )
        return self._with_group(frame)

    def _load_associations(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        values = [
            pl.col("_record").alias("record_id"),
            pl.col("other_kind"),
            pl.col("_other").alias("other_record_id"),
            pl.col("_location").alias("location_id"),
            pl.col("_organisation").alias("organisation_id"),
            pl.col("_group").alias("group_id"),
            pl.col("kind"),
            pl.col("first_seen"),
            pl.col("last_seen"),
            pl.col("source_evaluation"),
            pl.col("intelligence_evaluation"),
            pl.col("handling_code"),
        ]
        self._write(spec, self._with_targets(new), self._with_targets(changed), values)

    def _load_missing_episodes(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        values = [
            pl.col("_record").alias("record_id"),
            pl.col("missing_from"),
            pl.col("went_missing_at"),
            pl.col("reported_at"),
            pl.col("returned_at"),
            pl.col("_location").alias("found_location_id"),
            pl.col("_organisation").alias("found_organisation_id"),
            pl.col("found_latitude"),
            pl.col("found_longitude"),
            pl.col("rhi_offered_at"),
            pl.col("rhi_completed_at"),
        ]
        prepared = []
        for frame in (new, changed):
            if not frame.is_empty():
                frame = self._resolve(frame, "person_source_id", "persons.csv", "_record")
                frame = self._with_place(frame, "found_location_source_id")
            prepared.append(frame)
        new, changed = prepared
        new = self._write(spec, new, changed, values)
        if not changed.is_empty():
            MissingWith.objects.filter(episode_id__in=_values(changed, ID)).delete()
        both = [f.select(ID, "source", "missing_with") for f in (new, changed) if not f.is_empty()]
        if not both:
            return
        companions = (
            pl.concat(both).explode("missing_with").filter(pl.col("missing_with").is_not_null())
        )
        companions = self._resolve(companions, "missing_with", "persons.csv", "_record")
        bulk.insert_frame(
            MissingWith,
            companions.select(pl.col(ID).alias("episode_id"), pl.col("_record").alias("record_id")),
        )


# Every table an import writes to (their foreign keys are rebuilt around a large load).
LOADED_MODELS: list[type[models.Model]] = [
    RecordVersion,
    Organisation,
    Location,
    Person,
    PersonRecord,
    Alias,
    Address,
    Status,
    Event,
    Event.harm_types.through,
    EventPerson,
    PeerGroup,
    Association,
    MissingEpisode,
    MissingWith,
]

STATUS_COLUMNS = {
    "looked_after": StatusKind.LOOKED_AFTER,
    "send": StatusKind.SEND,
    "child_protection_plan": StatusKind.CHILD_PROTECTION_PLAN,
}


__all__ = ["DeliveryRejected", "ImportResult", "delivery_import", "fingerprint"]
