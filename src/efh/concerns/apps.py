from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "efh.concerns"
    label = "concerns"
    default_auto_field = "django.db.models.BigAutoField"
