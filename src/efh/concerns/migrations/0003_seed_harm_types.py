from django.db import migrations

# The exchange-format codes (formats/EXCHANGE.md); partnerships may add or deactivate types.
HARM_TYPES = [
    ("cce", "Child criminal exploitation"),
    ("county_lines", "County lines"),
    ("cse", "Child sexual exploitation"),
    ("syv", "Serious youth violence"),
    ("trafficking", "Trafficking"),
    ("modern_slavery", "Modern slavery"),
    ("online", "Online harm"),
    ("tra", "Teenage relationship abuse"),
    ("hsb", "Harmful sexual behaviour"),
    ("radicalisation", "Radicalisation and extremism"),
    ("missing", "Missing from home, care or education"),
    ("dva", "Domestic violence and abuse"),
    ("neglect", "Adolescent neglect"),
    ("self_harm", "Self-harm and suicide"),
    ("substance", "Substance misuse"),
    ("financial", "Financial exploitation"),
]


def seed(apps, schema_editor):
    HarmType = apps.get_model("concerns", "HarmType")
    for order, (code, name) in enumerate(HARM_TYPES):
        HarmType.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
