from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "efh.contexts"
    label = "contexts"
    default_auto_field = "django.db.models.BigAutoField"
