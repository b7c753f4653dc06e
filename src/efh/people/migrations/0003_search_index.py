"""The search index (``SearchName``), filled from the records already stored.

On PostgreSQL it also gets ``pg_trgm`` (a trusted extension: a database owner may create it) and
a trigram GIN index for typo-tolerant name matching; SQLite, the demo database, does without.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEX = (
    "CREATE INDEX searchname_text_trgm ON people_searchname USING gin (text gin_trgm_ops)"
)


def postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS searchname_text_trgm")


def fill(apps, schema_editor):
    """Index the records stored before this migration (a demo database imported earlier: a
    re-import of the same delivery is a no-op and would not fill it)."""
    PersonRecord = apps.get_model("people", "PersonRecord")
    if not PersonRecord.objects.exists():
        return
    from efh.people.search_index import search_index_rebuild

    search_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_need_to_know"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchName",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("given", "Given name"),
                            ("family", "Family name"),
                            ("alias", "Alias, nickname or street name"),
                            ("postcode", "Postcode"),
                            ("nhs", "NHS number"),
                            ("upn", "Unique pupil number"),
                            ("pnc", "PNC id"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "text",
                    models.CharField(
                        help_text="normalised: see search_index.normalise", max_length=200
                    ),
                ),
                ("metaphone", models.CharField(blank=True, max_length=32)),
                ("nysiis", models.CharField(blank=True, max_length=32)),
                (
                    "anagram",
                    models.CharField(
                        blank=True,
                        help_text="the letters sorted: equal for transposed letters",
                        max_length=64,
                    ),
                ),
                ("date_of_birth", models.DateField(blank=True, null=True)),
                ("is_child", models.BooleanField(null=True)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.personrecord",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["text"], name="searchname_text", opclasses=["varchar_pattern_ops"]
                    ),
                    models.Index(
                        condition=models.Q(("metaphone", ""), _negated=True),
                        fields=["metaphone"],
                        name="searchname_metaphone",
                    ),
                    models.Index(
                        condition=models.Q(("nysiis", ""), _negated=True),
                        fields=["nysiis"],
                        name="searchname_nysiis",
                    ),
                    models.Index(
                        condition=models.Q(("anagram", ""), _negated=True),
                        fields=["anagram"],
                        name="searchname_anagram",
                    ),
                    models.Index(fields=["date_of_birth"], name="searchname_dob"),
                ],
            },
        ),
        migrations.RunPython(postgres_indexes, drop_postgres_indexes, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
