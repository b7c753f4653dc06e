from django.apps import AppConfig

from efh.people import extensions


class CaseworkConfig(AppConfig):
    name = "efh.casework"
    label = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A case gives its lead agency, lead practitioner and allocated worker need to know.
        from efh.casework import policy

        extensions.register_need_to_know(policy.works_on_case)
        # A merge moves the absorbed child's casework to the survivor (and an unmerge back).
        extensions.register_person_rows("case", self.get_model("Case"), "case")
        extensions.register_person_rows("screening", self.get_model("Screening"), "screening")
        extensions.register_person_rows(
            "queue_item", self.get_model("QueueItem"), "concern at the front door"
        )
