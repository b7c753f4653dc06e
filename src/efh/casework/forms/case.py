"""Forms of the case page: a move, allocation, the plan, an action, a review, a closure or
step-down request and a manager's decision on it. GOV.UK markup from ``web.forms``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from efh.casework.models import ClosureKind, ReviewOutcome
from efh.web.forms import DayField, GovukFormMixin, GovukRadios

MAX_GOAL_ROWS = 12


class MoveForm(GovukFormMixin, forms.Form):
    move = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why: a reason is needed for every step of a case"},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AllocationForm(GovukFormMixin, forms.Form):
    lead_practitioner = forms.TypedChoiceField(
        label="Lead practitioner",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The person the child, the family and the referrer contact.",
    )
    allocated_worker = forms.TypedChoiceField(
        label="Allocated worker", coerce=int, empty_value=None, required=False
    )
    reason = forms.CharField(
        label="Why the allocation changes",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the allocation changes"},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not allocated"), *workers]
        for name in ("lead_practitioner", "allocated_worker"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class ActionForm(GovukFormMixin, forms.Form):
    what = forms.CharField(
        label="What will be done", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = forms.TypedChoiceField(
        label="Who will do it", coerce=int, empty_value=None, required=False
    )
    owner_name = forms.CharField(
        label="Or name who will do it",
        help_text="Someone without an account: the child, a parent, a youth worker.",
        required=False,
        max_length=200,
    )
    due_on = DayField(label="By when", what="the date it will be done by")

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a person"), *workers]


class ReviewForm(GovukFormMixin, forms.Form):
    held_on = DayField(label="Date the review was held", what="the date the review was held")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ReviewOutcome.choices,
        widget=GovukRadios,
        required=False,
    )
    what_changed = forms.CharField(
        label="What has changed",
        help_text="For the child, since the plan was made or last reviewed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    child_words = forms.CharField(
        label="What the child says",
        help_text="In their words. Leave blank if they did not take part; say why in what has changed.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ClosureForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Close or step down", choices=ClosureKind.choices, widget=GovukRadios, required=False
    )
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    step_down_to = forms.CharField(
        label="For a step-down: who holds the child after it",
        help_text="Early help, their school, a youth service.",
        required=False,
        max_length=200,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ClosureDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("return", "Return with comments")],
        widget=GovukRadios,
        error_messages={"required": "Choose approve or return with comments"},
    )
    comments = forms.CharField(
        label="Comments",
        help_text="Needed to return it: what has to happen before it can be approved.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


def goals_from_post(post: QueryDict) -> list[dict[str, str]]:
    """The plan's goal rows (``goal-N``, ``happen-N``), in order, blank rows left out later."""
    rows = []
    for i in range(MAX_GOAL_ROWS + 1):
        goal, happen = post.get(f"goal-{i}"), post.get(f"happen-{i}")
        if goal is None and happen is None:
            continue
        rows.append({"goal": (goal or "")[:1000], "happen": (happen or "")[:2000]})
    return rows


def open_item_reasons_from_post(post: QueryDict, keys: list[str]) -> dict[str, str]:
    return {key: post.get(f"open-{key.replace(':', '-')}", "")[:1000] for key in keys}


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class StrategyForm(GovukFormMixin, forms.Form):
    held_on = DayField(label="Date held", what="the date the discussion was held")
    attendees = forms.CharField(
        label="Who took part",
        help_text="One a line: name, agency. For example: Sam Okafor, Police.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    information_shared = forms.CharField(
        label="Information shared", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    section_47 = forms.ChoiceField(
        label="Does a section 47 enquiry start?",
        choices=YES_NO,
        widget=GovukRadios,
        required=False,
    )
    section_47_joint = forms.ChoiceField(
        label="For a section 47 enquiry: joint (police and social care)?",
        choices=[("yes", "Joint"), ("no", "Single agency")],
        widget=GovukRadios,
        required=False,
    )
    other_actions = forms.CharField(
        label="Other actions agreed", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class IcpcForm(GovukFormMixin, forms.Form):
    icpc_held_on = DayField(label="Date of the conference", what="the date of the conference")
    icpc_outcome = forms.CharField(
        label="What the conference decided",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class NrmForm(GovukFormMixin, forms.Form):
    first_responder = forms.TypedChoiceField(
        label="First responder agency", coerce=int, empty_value=None, required=False
    )
    submitted_on = DayField(label="Date submitted", what="the date it was submitted")
    devolved = forms.ChoiceField(
        label="Does the partnership decide under devolved child decision-making?",
        help_text="Yes: reasonable grounds due within 45 days. No: within 5 working days.",
        choices=YES_NO,
        widget=GovukRadios,
        required=False,
    )

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["first_responder"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an agency"), *agencies]


class NrmStepForm(GovukFormMixin, forms.Form):
    step = forms.ChoiceField(
        label="What happened",
        choices=[
            ("rg", "Reasonable-grounds decision"),
            ("cg", "Conclusive-grounds decision"),
            ("reconsideration", "Reconsideration asked for"),
        ],
        widget=GovukRadios,
        required=False,
    )
    decided_on = DayField(label="Date", what="the date")
    positive = forms.ChoiceField(
        label="For a decision: was it positive?",
        choices=[("yes", "Positive"), ("no", "Negative")],
        widget=GovukRadios,
        required=False,
    )
    text = forms.CharField(
        label="Outcome or notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
