from django.apps import AppConfig

from efh.web.sections import autodiscover


class WebConfig(AppConfig):
    name = "efh.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app's sections.py registers what it shows on the pages it contributes to.
        autodiscover()
