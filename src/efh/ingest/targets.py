"""Which model stores each exchange file's records."""

from __future__ import annotations

from django.db import models

from efh.concerns.models import Event, MissingEpisode
from efh.contexts.models import Association, Location, Organisation
from efh.core.models import RecordKind
from efh.ingest.spec import FileSpec
from efh.people.models import PersonRecord

MODELS: dict[str, type[models.Model]] = {
    RecordKind.ORGANISATION: Organisation,
    RecordKind.LOCATION: Location,
    RecordKind.PERSON: PersonRecord,
    RecordKind.EVENT: Event,
    RecordKind.ASSOCIATION: Association,
    RecordKind.MISSING_EPISODE: MissingEpisode,
}


def model_for(spec: FileSpec) -> type[models.Model]:
    return MODELS[spec.kind]
