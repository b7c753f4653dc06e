from django.db import migrations

SOURCES = [
    ("police", "Police"),
    ("education", "Education"),
    ("health", "Health"),
    ("social_care", "Children's social care"),
    ("youth_justice", "Youth justice"),
    ("community_safety", "Community safety"),
    ("vcs", "Voluntary and community sector"),
    ("public", "Public reports"),
]


def seed(apps, schema_editor):
    Source = apps.get_model("core", "Source")
    for code, name in SOURCES:
        Source.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
