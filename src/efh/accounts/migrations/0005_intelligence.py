from django.db import migrations

# The intelligence picture (issue 5): analysts review derived candidates. Copied values, so this
# migration never changes when efh.core.access does.


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    analyst = Role.objects.filter(code="analyst").first()
    if analyst and "intelligence" not in analyst.capabilities:
        analyst.capabilities = [*analyst.capabilities, "intelligence"]
        analyst.save(update_fields=["capabilities"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_link_review")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
