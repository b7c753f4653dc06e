from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "efh.panel"
    label = "panel"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Panels (MACE)"
