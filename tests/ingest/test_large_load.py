"""Large loads: on PostgreSQL the loaded tables' foreign keys are dropped for the load and added
back, validated, before commit; on failure they come back with the rollback."""

from __future__ import annotations

import pytest
from django.db import connection

from efh.ingest import services
from efh.ingest.services import delivery_import
from efh.people.models import PersonRecord

from .helpers import copy_delivery

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="foreign keys are rebuilt on PostgreSQL only"
)


def _foreign_keys() -> list[tuple[str, str, str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_delivery_is_large_from_the_setting_and_when_it_outgrows_what_is_stored(
    db, tmp_path, settings
):
    seen = []
    original = services._Loader.is_large

    def is_large(self, incoming):
        seen.append(original(self, incoming))
        return seen[-1]

    services._Loader.is_large = is_large
    try:
        settings.EFH_IMPORT_BULK_ROWS = 17
        delivery_import(path=copy_delivery(tmp_path / "first"))  # 16 rows: below the setting
        settings.EFH_IMPORT_BULK_ROWS = 1
        small = tmp_path / "small"
        small.mkdir()
        (small / "locations.csv").write_text(
            (tmp_path / "first" / "locations.csv").read_text() + "police,LOC-2,Somewhere,park,,,\n"
        )
        delivery_import(path=small)  # 2 rows, fewer than the 10 places, people, events stored
        settings.EFH_IMPORT_BULK_ROWS = 16
        again = copy_delivery(tmp_path / "again")
        (again / "persons.csv").write_text(
            (again / "persons.csv").read_text().replace("P-1,", "P-1b,").replace("P-2,", "P-2b,")
        )
        delivery_import(path=again)  # 16 rows, more than the 11 stored
    finally:
        services._Loader.is_large = original
    assert seen == [False, False, True]


@postgres_only
def test_a_large_load_puts_back_every_foreign_key_validated(db, tmp_path, settings):
    settings.EFH_IMPORT_BULK_ROWS = 1
    before = _foreign_keys()
    assert before and all(valid for *_rest, valid in before)

    delivery_import(path=copy_delivery(tmp_path / "d"))

    assert _foreign_keys() == before
    assert PersonRecord.objects.count() == 6


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_load_that_fails_keeps_its_foreign_keys(tmp_path, settings, monkeypatch):
    settings.EFH_IMPORT_BULK_ROWS = 1
    before = _foreign_keys()

    def fail(self, spec):
        assert _foreign_keys() != before  # dropped for the load
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services._Loader, "_load_missing_episodes", fail)
    with pytest.raises(RuntimeError, match="disk is full"):
        delivery_import(path=copy_delivery(tmp_path / "d"))

    assert _foreign_keys() == before
    assert PersonRecord.objects.count() == 0
