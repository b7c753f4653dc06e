from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The auditors' screens: who looked at whom and why, and the break-glass review. The
    access log itself (its model and the service that writes it) is ``efh.core``'s."""

    name = "efh.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
