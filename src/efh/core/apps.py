from django.apps import AppConfig

from efh.core import policies


class CoreConfig(AppConfig):
    name = "efh.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app's policy.py registers its resources' permission policies.
        policies.autodiscover()
