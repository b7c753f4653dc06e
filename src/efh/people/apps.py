from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "efh.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Keep the search index in step with records saved one at a time.
        from efh.people import search_index

        search_index.connect()
