"""Indexes for the auditors' screens: what a user looked at (portable), and on PostgreSQL which
searches showed a person (GIN, ``jsonb_path_ops``, on the two id lists of a search's detail)
and which entries name a person in their detail."""

from django.db import migrations, models

POSTGRES = [
    (
        "CREATE INDEX accesslog_search_results ON core_accesslogentry "
        "USING gin ((detail -> 'results') jsonb_path_ops)",
        "DROP INDEX IF EXISTS accesslog_search_results",
    ),
    (
        "CREATE INDEX accesslog_search_restricted ON core_accesslogentry "
        "USING gin ((detail -> 'restricted') jsonb_path_ops)",
        "DROP INDEX IF EXISTS accesslog_search_restricted",
    ),
    (
        "CREATE INDEX accesslog_detail_person ON core_accesslogentry ((detail -> 'person'))",
        "DROP INDEX IF EXISTS accesslog_detail_person",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement, _ in POSTGRES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _, statement in POSTGRES:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_access_log")]
    operations = [
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["user_id_at_time", "at"], name="accesslog_user_at"),
        ),
        migrations.RunPython(create, drop),
    ]
