from django.apps import AppConfig

from efh.people import extensions


class PeopleConfig(AppConfig):
    name = "efh.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Keep the search index in step with records saved one at a time.
        from efh.people import search_index

        search_index.connect()
        for kind, model, label in (
            ("involvement", "Involvement", "involvement"),
            ("sharing_decision", "SharingDecision", "information-sharing decision"),
            ("break_glass", "BreakGlassAccess", "break-glass access"),
        ):
            extensions.register_person_rows(kind, self.get_model(model), label)
