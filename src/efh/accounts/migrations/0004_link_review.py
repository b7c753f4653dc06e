from django.db import migrations

# Identity linkage (issue 4): the front door reviews record links, and a data-quality role does
# nothing else. Copied values, so this migration never changes when efh.core.access does.


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    screener = Role.objects.filter(code="screener").first()
    if screener and "link_review" not in screener.capabilities:
        screener.capabilities = [*screener.capabilities, "link_review"]
        screener.save(update_fields=["capabilities"])
    Role.objects.get_or_create(
        code="data_quality",
        defaults={
            "name": "Data quality officer",
            "description": "Reviews the record links linkage could not decide; merges and "
            "unmerges people.",
            "capabilities": ["link_review"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_capabilities")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
