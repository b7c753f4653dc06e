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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.db import transaction

from efh.concerns.models import Event, EventPerson, MissingEpisode, MissingWith
from efh.contexts.models import Association, Location, Organisation, PeerGroup, Ward
from efh.core.models import Delivery, RecordVersion
from efh.ingest import bulk, selectors
from efh.ingest.linkage import NewPerson, assign_persons, identifiers
from efh.ingest.spec import FILES, FILES_BY_NAME, FileSpec
from efh.ingest.targets import model_for
from efh.ingest.validation import LINE, RAW, Known, Problem, read_delivery
from efh.ingest.validation import Delivery as CheckedDelivery
from efh.people.models import Address, Alias, Person, PersonRecord, Status, StatusKind

Progress = Callable[[str], None]
HASH = "_hash"
ID = "_id"
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
    digest = hashlib.sha256()
    for spec in FILES:
        file = path / spec.name
        if file.is_file():
            digest.update(spec.name.encode())
            with file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def delivery_import(*, path: Path, progress: Progress = lambda _m: None) -> ImportResult:
    """Validate and store a delivery; raise :class:`DeliveryRejected` if any row is invalid."""
    path = Path(path)
    if path.is_dir():
        fp = fingerprint(path)
        previous = selectors.delivery_by_fingerprint(fp)
        if previous is not None:
            return ImportResult(previous, dict(previous.files), {}, already_imported=True)
    stored = selectors.StoredKeys()
    checked = read_delivery(
        path,
        selectors.vocabulary(),
        known_for=lambda tables: Known(
            {name: stored.keys(FILES_BY_NAME[name], sources(tables)) for name in _REFERRED}
        ),
        progress=progress,
    )
    if checked.problems:
        raise DeliveryRejected(checked)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            fingerprint=fp, path=str(path.resolve()), files=checked.rows
        )
        loader = _Loader(delivery, checked.tables, stored, progress)
        loader.run()
        delivery.counts = loader.counts
        delivery.save(update_fields=["counts"])
    return ImportResult(delivery, checked.rows, loader.counts, checked.warnings)


_REFERRED = ("persons.csv", "locations.csv", "organisations.csv", "events.csv")


def sources(tables: dict[str, pl.DataFrame]) -> list[str]:
    return sorted({s for t in tables.values() for s in t["source"].unique().to_list()})


def _row_hash(frame: pl.DataFrame, spec: FileSpec) -> pl.Series:
    text = frame.select(pl.struct(list(spec.column_names)).struct.json_encode()).to_series()
    return pl.Series(
        HASH, [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in text], pl.String
    )


def _values(frame: pl.DataFrame, column: str) -> list[Any]:
    return frame[column].to_list()


class _Loader:
    """Writes one valid delivery. Each ``_load_*`` handles one file kind."""

    def __init__(
        self,
        delivery: Delivery,
        tables: dict[str, pl.DataFrame],
        stored: selectors.StoredKeys,
        progress: Progress,
    ):
        self.delivery = delivery
        self.tables = tables
        self.stored = stored
        self.progress = progress
        self.sources = sources(tables)
        self.ids: dict[str, pl.DataFrame] = {}  # file -> (source, source_id, _id)
        self.counts: dict[str, dict[str, int]] = {}
        self.now = datetime.now(tz=UTC)

    def run(self) -> None:
        for spec in FILES:
            if spec.name in self.tables:
                self.progress(f"storing {spec.name} ({self.tables[spec.name].height:,} rows)")
            getattr(self, "_load_" + spec.name.removesuffix(".csv"))(spec)

    # -- shared steps -------------------------------------------------------------------------

    def _split(self, spec: FileSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Incoming rows that are new, and those that changed (with their stored id)."""
        frame = self.tables.get(spec.name)
        stored = self.stored.keys(spec, self.sources, with_hash=True)
        if frame is None:
            self.ids[spec.name] = stored.select("source", "source_id", ID)
            empty = pl.DataFrame()
            return empty, empty
        frame = frame.with_columns(_row_hash(frame, spec))
        joined = frame.join(stored, on=["source", "source_id"], how="left")
        new = joined.filter(pl.col(ID).is_null()).drop(ID, "row_hash")
        changed = joined.filter(pl.col(ID).is_not_null() & (pl.col("row_hash") != pl.col(HASH)))
        new = new.with_columns(pl.Series(ID, bulk.allocate_ids(model_for(spec), new.height)))
        self.ids[spec.name] = pl.concat(
            [stored.select("source", "source_id", ID), new.select("source", "source_id", ID)]
        )
        self.counts[spec.kind] = {
            "new": new.height,
            "changed": changed.height,
            "unchanged": frame.height - new.height - changed.height,
        }
        self._versions(
            spec, pl.concat([new.select(_VERSION_COLUMNS), changed.select(_VERSION_COLUMNS)])
        )
        return new, changed

    def _versions(self, spec: FileSpec, rows: pl.DataFrame, key: pl.Series | None = None) -> None:
        if rows.is_empty():
            return
        keys = key.to_list() if key is not None else _values(rows, "source_id")
        bulk.insert_rows(
            RecordVersion,
            ["kind", "source", "key", "delivery_id", "line", "row_hash", "raw"],
            [
                [spec.kind.value] * rows.height,
                _values(rows, "source"),
                keys,
                [self.delivery.pk] * rows.height,
                _values(rows, LINE),
                _values(rows, HASH),
                _values(rows, RAW),
            ],
        )

    def _resolve(self, frame: pl.DataFrame, column: str, file: str, alias: str) -> pl.DataFrame:
        """Add ``alias``: the stored id of the record ``column`` names in ``file`` (or null)."""
        ids = self.ids[file].rename({"source_id": column, ID: alias})
        return frame.join(ids, on=["source", column], how="left")

    def _common(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        n = frame.height
        return {
            "id": _values(frame, ID),
            "source": _values(frame, "source"),
            "source_id": _values(frame, "source_id"),
            "delivery_id": [self.delivery.pk] * n,
            "row_hash": _values(frame, HASH),
        }

    def _insert(self, model: type, columns: dict[str, list[Any]]) -> None:
        bulk.insert_rows(model, list(columns), list(columns.values()))

    def _update(self, model: Any, frame: pl.DataFrame, values: dict[str, list[Any]]) -> None:
        if frame.is_empty():
            return
        values = {
            "delivery_id": [self.delivery.pk] * frame.height,
            "row_hash": _values(frame, HASH),
            **values,
        }
        objects = []
        for i, pk in enumerate(_values(frame, ID)):
            obj = model(pk=pk)
            for name, column in values.items():
                setattr(obj, name, column[i])
            objects.append(obj)
        model.objects.bulk_update(objects, list(values), batch_size=500)

    # -- places -------------------------------------------------------------------------------

    def _wards(self, frame: pl.DataFrame) -> list[int | None]:
        wards = list(Ward.objects.values_list("id", "latitude", "longitude"))
        lat = frame["latitude"].to_numpy()
        lon = frame["longitude"].to_numpy()
        if not wards:
            return [None] * frame.height
        ids = np.array([w[0] for w in wards])
        wlat = np.radians([w[1] for w in wards])
        wlon = np.radians([w[2] for w in wards])
        plat, plon = np.radians(lat)[:, None], np.radians(lon)[:, None]
        # Haversine distance to each ward's point; nearest within WARD_RADIUS_KM.
        a = (
            np.sin((wlat - plat) / 2) ** 2
            + np.cos(plat) * np.cos(wlat) * np.sin((wlon - plon) / 2) ** 2
        )
        km = 2 * 6371.0 * np.arcsin(np.sqrt(a))
        nearest = np.nanargmin(np.where(np.isnan(km), np.inf, km), axis=1)
        best = km[np.arange(len(lat)), nearest]
        return [
            int(ids[j]) if d <= WARD_RADIUS_KM else None for j, d in zip(nearest, best, strict=True)
        ]

    def _place_values(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        return {
            "name": _values(frame, "name"),
            "kind": _values(frame, "kind"),
            "latitude": _values(frame, "latitude"),
            "longitude": _values(frame, "longitude"),
            "postcode": _postcodes(frame),
            "ward_id": self._wards(frame) if frame.height else [],
        }

    def _load_places(self, spec: FileSpec, model: type) -> None:
        new, changed = self._split(spec)
        if not new.is_empty():
            self._insert(model, {**self._common(new), **self._place_values(new)})
        self._update(model, changed, self._place_values(changed))

    def _load_organisations(self, spec: FileSpec) -> None:
        self._load_places(spec, Organisation)

    def _load_locations(self, spec: FileSpec) -> None:
        self._load_places(spec, Location)

    # -- persons ------------------------------------------------------------------------------

    def _person_values(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        frame = self._resolve(frame, "school_source_id", "organisations.csv", "_school")
        age_at_record = (
            pl.col("recorded_at").dt.date().dt.year() - pl.col("date_of_birth").dt.year()
        ) - (
            pl.col("recorded_at").dt.date().dt.ordinal_day()
            < pl.col("date_of_birth").dt.ordinal_day()
        ).cast(pl.Int32)
        is_child = frame.select(
            pl.coalesce(pl.col("is_child"), age_at_record < 18).alias("c")
        ).to_series()
        return {
            "given_name": _values(frame, "given_name"),
            "family_name": _values(frame, "family_name"),
            "date_of_birth": _values(frame, "date_of_birth"),
            "sex": _values(frame, "sex"),
            "ethnicity": _values(frame, "ethnicity"),
            "nhs_number": _values(frame, "nhs_number"),
            "upn": _values(frame, "upn"),
            "pnc_id": _values(frame, "pnc_id"),
            "phone": _values(frame, "phone"),
            "is_child": is_child.to_list(),
            "school_id": _values(frame, "_school"),
            "recorded_at": _values(frame, "recorded_at"),
        }

    def _link(self, new: pl.DataFrame, changed: pl.DataFrame) -> tuple[list[int], dict[int, int]]:
        """Persons for new records, and repointed persons for stored records (id -> person)."""
        changed_ids = set(_values(changed, ID))
        records: list[tuple[tuple[str, int], int | None, tuple[str, ...]]] = [
            (("stored", pk), person, identifiers(nhs, upn, pnc))
            for pk, person, nhs, upn, pnc in selectors.records_with_identifiers()
            if pk not in changed_ids
        ]
        stored_person = dict(selectors.persons_of(changed_ids)) if changed_ids else {}
        for pk, nhs, upn, pnc in changed.select(ID, "nhs_number", "upn", "pnc_id").iter_rows():
            records.append((("stored", pk), stored_person[pk], identifiers(nhs, upn, pnc)))
        for pk, nhs, upn, pnc in new.select(ID, "nhs_number", "upn", "pnc_id").iter_rows():
            records.append((("new", pk), None, identifiers(nhs, upn, pnc)))
        assigned: dict[Any, int | NewPerson] = assign_persons(records)
        fresh = sorted({p.n for p in assigned.values() if isinstance(p, NewPerson)})
        person_ids = bulk.allocate_ids(Person, len(fresh))
        by_new = dict(zip(fresh, person_ids, strict=True))
        self._insert(Person, {"id": person_ids, "created_at": [self.now] * len(person_ids)})

        def final(p: int | NewPerson) -> int:
            return by_new[p.n] if isinstance(p, NewPerson) else p

        current = {key: person for key, person, _ids in records}
        moves = {
            key[1]: final(p)
            for key, p in assigned.items()
            if key[0] == "stored" and final(p) != current[key]
        }
        return [final(assigned[("new", pk)]) for pk in _values(new, ID)], moves

    def _load_persons(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        if new.is_empty() and changed.is_empty():
            return
        new_persons, moves = self._link(new, changed)
        if not new.is_empty():
            self._insert(
                PersonRecord,
                {**self._common(new), "person_id": new_persons, **self._person_values(new)},
            )
        values = self._person_values(changed)
        self._update(PersonRecord, changed, values)
        for pk, person in moves.items():
            PersonRecord.objects.filter(pk=pk).update(person_id=person)
        if moves:
            Person.objects.filter(records__isnull=True).delete()
        self._details(new, changed)

    def _details(self, new: pl.DataFrame, changed: pl.DataFrame) -> None:
        """Aliases, addresses and statuses: inserted for new records, reconciled for changed."""
        if not changed.is_empty():
            Alias.objects.filter(record_id__in=_values(changed, ID)).delete()
        both = pl.concat([new.select(ID, "other_names"), changed.select(ID, "other_names")])
        aliases = both.explode("other_names").filter(pl.col("other_names").is_not_null())
        self._insert(
            Alias,
            {
                "record_id": _values(aliases, ID),
                "name": _values(aliases, "other_names"),
                "kind": ["alias"] * aliases.height,
            },
        )
        given = new.filter((pl.col("address") != "") | pl.col("postcode").is_not_null())
        self._insert(
            Address,
            {
                "record_id": _values(given, ID),
                "address": _values(given, "address"),
                "postcode": _postcodes(given),
                "valid_from": _values(given, "recorded_at"),
                "valid_to": [None] * given.height,
            },
        )
        status_columns = {
            "looked_after": StatusKind.LOOKED_AFTER,
            "send": StatusKind.SEND,
            "child_protection_plan": StatusKind.CHILD_PROTECTION_PLAN,
        }
        for column, kind in status_columns.items():
            on = new.filter(pl.col(column) == True)  # noqa: E712 - a Polars expression
            self._insert(
                Status,
                {
                    "record_id": _values(on, ID),
                    "kind": [kind.value] * on.height,
                    "started": _values(on, "recorded_at"),
                    "ended": [None] * on.height,
                },
            )
        for row in changed.iter_rows(named=True):
            self._reconcile(row, status_columns)

    def _reconcile(self, row: dict[str, Any], status_columns: dict[str, StatusKind]) -> None:
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
        for column, kind in status_columns.items():
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

    def _event_values(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        frame = self._resolve(frame, "location_source_id", "locations.csv", "_location")
        frame = self._resolve(frame, "location_source_id", "organisations.csv", "_organisation")
        frame = frame.with_columns(
            pl.when(pl.col("_location").is_null())
            .then(pl.col("_organisation"))
            .alias("_organisation")
        )
        return {
            "kind": _values(frame, "kind"),
            "occurred_at": _values(frame, "occurred_at"),
            "recorded_at": _values(frame, "recorded_at"),
            "location_id": _values(frame, "_location"),
            "organisation_id": _values(frame, "_organisation"),
            "latitude": _values(frame, "latitude"),
            "longitude": _values(frame, "longitude"),
            "summary": _values(frame, "summary"),
        }

    def _load_events(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        if not new.is_empty():
            self._insert(Event, {**self._common(new), **self._event_values(new)})
        self._update(Event, changed, self._event_values(changed))
        through = Event.harm_types.through
        if not changed.is_empty():
            through.objects.filter(event_id__in=_values(changed, ID)).delete()
        harms = pl.concat([new.select(ID, "harm_types"), changed.select(ID, "harm_types")])
        harms = harms.explode("harm_types").filter(pl.col("harm_types").is_not_null())
        codes = selectors.harm_type_ids()
        self._insert(
            through,
            {
                "event_id": _values(harms, ID),
                "harmtype_id": [codes[c] for c in _values(harms, "harm_types")],
            },
        )

    def _load_event_people(self, spec: FileSpec) -> None:
        frame = self.tables.get(spec.name)
        if frame is None:
            return
        frame = self._resolve(frame, "event_source_id", "events.csv", "event_id")
        frame = self._resolve(frame, "person_source_id", "persons.csv", "record_id")
        stored = selectors.event_people_keys(self.sources)
        new = frame.join(stored, on=["event_id", "record_id", "role"], how="anti")
        self.counts[spec.kind] = {
            "new": new.height,
            "changed": 0,
            "unchanged": frame.height - new.height,
        }
        self._insert(
            EventPerson,
            {
                "event_id": _values(new, "event_id"),
                "record_id": _values(new, "record_id"),
                "role": _values(new, "role"),
                "source": _values(new, "source"),
                "delivery_id": [self.delivery.pk] * new.height,
            },
        )
        key = new.select(
            pl.concat_str(["event_source_id", "person_source_id", "role"], separator="|")
        ).to_series()
        new = new.with_columns(_row_hash(new, spec))
        self._versions(spec, new, key)

    # -- associations and missing episodes ----------------------------------------------------

    def _groups(self, frame: pl.DataFrame) -> pl.DataFrame:
        wanted = (
            frame.filter(pl.col("other_kind") == "group")
            .select("source", "other_source_id")
            .unique()
        )
        existing = selectors.peer_group_ids(wanted.rows())
        missing = [
            pair for pair in wanted.sort("source", "other_source_id").rows() if pair not in existing
        ]
        if missing:
            PeerGroup.objects.bulk_create(PeerGroup(source=s, name=n) for s, n in missing)
            existing = selectors.peer_group_ids(wanted.rows())
        return frame.join(
            pl.DataFrame(
                [(s, n, i) for (s, n), i in existing.items()],
                schema={"source": pl.String, "other_source_id": pl.String, "_group": pl.Int64},
                orient="row",
            ),
            on=["source", "other_source_id"],
            how="left",
        ).with_columns(
            pl.when(pl.col("other_kind") == "group").then(pl.col("_group")).alias("_group")
        )

    def _association_values(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        frame = self._resolve(frame, "person_source_id", "persons.csv", "_record")
        for file, alias, kind in (
            ("persons.csv", "_other", "person"),
            ("locations.csv", "_location", "location"),
            ("organisations.csv", "_organisation", "organisation"),
        ):
            frame = self._resolve(frame, "other_source_id", file, alias).with_columns(
                pl.when(pl.col("other_kind") == kind).then(pl.col(alias)).alias(alias)
            )
        frame = self._groups(frame)
        return {
            "record_id": _values(frame, "_record"),
            "other_kind": _values(frame, "other_kind"),
            "other_record_id": _values(frame, "_other"),
            "location_id": _values(frame, "_location"),
            "organisation_id": _values(frame, "_organisation"),
            "group_id": _values(frame, "_group"),
            "kind": _values(frame, "kind"),
            "first_seen": _values(frame, "first_seen"),
            "last_seen": _values(frame, "last_seen"),
            "source_evaluation": _values(frame, "source_evaluation"),
            "intelligence_evaluation": _values(frame, "intelligence_evaluation"),
            "handling_code": _values(frame, "handling_code"),
        }

    def _load_associations(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        if not new.is_empty():
            self._insert(Association, {**self._common(new), **self._association_values(new)})
        self._update(Association, changed, self._association_values(changed))

    def _missing_values(self, frame: pl.DataFrame) -> dict[str, list[Any]]:
        frame = self._resolve(frame, "person_source_id", "persons.csv", "_record")
        frame = self._resolve(frame, "found_location_source_id", "locations.csv", "_location")
        frame = self._resolve(
            frame, "found_location_source_id", "organisations.csv", "_organisation"
        )
        frame = frame.with_columns(
            pl.when(pl.col("_location").is_null())
            .then(pl.col("_organisation"))
            .alias("_organisation")
        )
        return {
            "record_id": _values(frame, "_record"),
            "missing_from": _values(frame, "missing_from"),
            "went_missing_at": _values(frame, "went_missing_at"),
            "reported_at": _values(frame, "reported_at"),
            "returned_at": _values(frame, "returned_at"),
            "found_location_id": _values(frame, "_location"),
            "found_organisation_id": _values(frame, "_organisation"),
            "found_latitude": _values(frame, "found_latitude"),
            "found_longitude": _values(frame, "found_longitude"),
            "rhi_offered_at": _values(frame, "rhi_offered_at"),
            "rhi_completed_at": _values(frame, "rhi_completed_at"),
        }

    def _load_missing_episodes(self, spec: FileSpec) -> None:
        new, changed = self._split(spec)
        if not new.is_empty():
            self._insert(MissingEpisode, {**self._common(new), **self._missing_values(new)})
        self._update(MissingEpisode, changed, self._missing_values(changed))
        if not changed.is_empty():
            MissingWith.objects.filter(episode_id__in=_values(changed, ID)).delete()
        companions = (
            pl.concat(
                [
                    new.select(ID, "source", "missing_with"),
                    changed.select(ID, "source", "missing_with"),
                ]
            )
            .explode("missing_with")
            .filter(pl.col("missing_with").is_not_null())
        )
        companions = self._resolve(companions, "missing_with", "persons.csv", "_record")
        self._insert(
            MissingWith,
            {"episode_id": _values(companions, ID), "record_id": _values(companions, "_record")},
        )


_VERSION_COLUMNS = ["source", "source_id", LINE, HASH, RAW]


def _postcodes(frame: pl.DataFrame) -> list[str]:
    return frame["postcode"].fill_null("").to_list()


__all__ = ["DeliveryRejected", "ImportResult", "delivery_import", "fingerprint"]
