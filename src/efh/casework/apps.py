from django.apps import AppConfig

from efh.people import extensions


class CaseworkConfig(AppConfig):
    name = "efh.casework"
    label = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A case gives its lead agency, lead practitioner and allocated worker need to know.
        from efh.casework import policy
        from efh.casework.selectors.outcome import concern_outcomes
        from efh.concerns.extensions import OutcomeProvider, register_outcome

        extensions.register_need_to_know(policy.works_on_case)
        # The referrer's answer on the concern's page.
        register_outcome(OutcomeProvider(concern_outcomes, "casework/outcome/_concern.html"))
        # A merge moves the absorbed child's casework to the survivor (and an unmerge back).
        extensions.register_person_rows("case", self.get_model("Case"), "case")
        extensions.register_person_rows("screening", self.get_model("Screening"), "screening")
        extensions.register_person_rows(
            "queue_item", self.get_model("QueueItem"), "concern at the front door"
        )
