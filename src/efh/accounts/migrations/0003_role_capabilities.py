from django.db import migrations, models

# The capabilities of the seeded roles (efh.core.access.STANDARD_ROLES at the time of writing;
# copied so that this migration never changes when that module does).
CAPABILITIES = {
    "practitioner": ["casework", "record", "break_glass"],
    "screener": ["casework", "partnership_wide", "record", "break_glass"],
    "panel_chair": ["casework", "partnership_wide", "record", "break_glass"],
    "analyst": ["pseudonymised"],
    "partnership_manager": ["pseudonymised"],
    "auditor": ["audit"],
    "sysadmin": ["administer"],
}
# Two-factor sign-in is switched on per role by an administrator (Role.requires_mfa); it starts
# off so that the demo accounts sign in with a password alone.
MFA: set[str] = set()


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, capabilities in CAPABILITIES.items():
        Role.objects.filter(code=code).update(capabilities=capabilities, requires_mfa=code in MFA)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_roles")]
    operations = [
        migrations.AddField(
            model_name="role",
            name="capabilities",
            field=models.JSONField(
                blank=True, default=list, help_text="names from efh.core.access.Capability"
            ),
        ),
        migrations.AddField(
            model_name="role",
            name="requires_mfa",
            field=models.BooleanField(
                default=False, help_text="Holders must sign in with a one-time code as well"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="extra_roles",
            field=models.ManyToManyField(
                blank=True,
                help_text="Further roles held (an analyst who also does casework, say)",
                related_name="+",
                to="accounts.role",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
