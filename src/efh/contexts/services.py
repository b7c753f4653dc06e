"""Writes to the contexts app."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

from django.db import transaction

from efh.contexts.models import Ward

DEFAULT_WARDS = "wards_hackney.csv"


class WardFileError(ValueError):
    pass


@transaction.atomic
def wards_load(*, path: Path | None = None) -> tuple[int, int]:
    """Create or update the partnership's wards from a CSV (code, name, latitude, longitude).

    Without a path, loads the packaged City & Hackney wards. Returns (created, updated).
    """
    if path is None:
        text = resources.files("efh.contexts").joinpath("data", DEFAULT_WARDS).read_text("utf-8")
        name = DEFAULT_WARDS
    else:
        text = Path(path).read_text("utf-8-sig")
        name = str(path)
    rows = list(csv.DictReader(text.splitlines()))
    problems = []
    for line, row in enumerate(rows, start=2):
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{name}, line {line}: latitude and longitude must be numbers")
            continue
        if not row.get("code") or not row.get("name"):
            problems.append(f"{name}, line {line}: code and name are required")
        if not (49.8 <= lat <= 60.9 and -8.7 <= lon <= 1.8):
            problems.append(f"{name}, line {line}: the point is outside the UK")
    if problems:
        raise WardFileError("\n".join(problems))
    created = updated = 0
    for row in rows:
        _, was_created = Ward.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
            },
        )
        created += was_created
        updated += not was_created
    return created, updated
