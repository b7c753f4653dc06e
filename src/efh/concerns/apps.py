from django.apps import AppConfig

from efh.people import extensions


class ConcernsConfig(AppConfig):
    name = "efh.concerns"
    label = "concerns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What the people app's merges and need-to-know policy take from this one.
        from efh.concerns import policy

        extensions.register_person_rows(
            "concern_draft", self.get_model("ConcernDraft"), "concern draft"
        )
        extensions.register_person_rows(
            "philomena_profile",
            self.get_model("PhilomenaProfile"),
            "Philomena profile",
            one_per_person=True,
        )
        extensions.register_agency_recorded(policy.recorded_by_agency)
