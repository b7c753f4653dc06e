import json
from datetime import UTC, datetime
from pathlib import Path

from django.db import migrations

# Version 1 of the screening tool: the default (London practice), read from the file when the
# migration runs; a partnership's own versions come after (`efh screening-tool load FILE`).
DEFAULT = Path(__file__).resolve().parent.parent / "data" / "screening-tool-london.json"


def seed(apps, schema_editor):
    ScreeningTool = apps.get_model("casework", "ScreeningTool")
    if ScreeningTool.objects.exists():
        return
    definition = json.loads(DEFAULT.read_text(encoding="utf-8"))
    ScreeningTool.objects.create(
        version=1,
        name=definition["name"],
        definition=definition,
        note="The default tool, following London practice",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
