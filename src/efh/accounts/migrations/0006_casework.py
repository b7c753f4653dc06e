from django.db import migrations

# Casework (issue 12): the front door screens; team managers approve closures. Copied values,
# so this migration never changes when efh.core.access does.


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    screener = Role.objects.filter(code="screener").first()
    if screener and "screen" not in screener.capabilities:
        screener.capabilities = [*screener.capabilities, "screen"]
        screener.save(update_fields=["capabilities"])
    Role.objects.get_or_create(
        code="team_manager",
        defaults={
            "name": "Team manager",
            "description": "Manages a team of an agency: allocation, closure and step-down "
            "approval, the team's overdue work.",
            "capabilities": ["casework", "record", "break_glass", "manage"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_intelligence")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
