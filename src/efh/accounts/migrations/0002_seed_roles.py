from django.db import migrations

ROLES = [
    (
        "practitioner",
        "Agency practitioner",
        "Records concerns and works with children known to their agency.",
    ),
    ("screener", "Front-door screener", "Screens concerns and decides the route."),
    ("panel_chair", "Panel chair", "Chairs the extra-familial harm panel (MACE)."),
    ("analyst", "Analyst", "Builds the intelligence picture from partnership data."),
    (
        "partnership_manager",
        "Partnership manager",
        "Leads the partnership's response and reports to the board.",
    ),
    ("auditor", "Auditor", "Audits access, retention and quality."),
    (
        "sysadmin",
        "System administrator",
        "Configures the platform; sees no case records by role alone.",
    ),
]


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name, description in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
