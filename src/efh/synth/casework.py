"""Casework history for an imported synthetic borough: what the front door and the case workers
would have done with its concerns, so that every casework screen shows real-looking work.

The exchange format carries no casework, so this writes to the database after ``efh import``
(and ``efh link``): ``efh synth_casework --seed S``, or :func:`make_casework` from the bench.

The model of the work
---------------------
*The front door.* ``casework.services.intake.intake_pull`` queues every concern and referral
about a child. The borough's events end on its ``as_of`` day; the casework is dated as if the
platform had been live all along: every arrival is the event's recording time moved on by the
whole number of days that brings the latest event to just before now. A child's
items are screened together: a screener takes the first item within a working day or two (now
and then later), and every item that arrives before the decision joins it. The answers are the
tool's questions, Yes / No / Not known with short notes, the platform's pre-filled answers
confirmed with their source; the level follows the harm types and the record (never a level the
tool's rules forbid) with a reason in words; the routes follow the level. The recent tail is
left in the queue: waiting (due today, due tomorrow, and some overdue) and a few being screened.

*Cases.* A route that opens a case opens one led by children's social care (or joins the
child's open case, as ``screening_decide`` does), allocated to one of its social workers (the
demo's ``social.worker`` among them, some allocated a few days later, some reallocated). Each
case then moves only along ``casework.states.MOVES``: assessment, strategy discussion (due in 2
working days; a section 47 enquiry makes the initial child protection conference due 15
working days later), the panel, a plan with 1-3 versions, goals and actions, reviews every
``review_weeks`` (some held late, so some are overdue today), then closure or step-down
requested and approved by the team manager (a few still waiting, a few returned), now and then
reopened. NRM referrals follow the 45-day (devolved) or 5-working-day reasonable-grounds
deadline and the 30-day conclusive-grounds wait, so every state has some. ``Case.next_due_on``
is worked out the way ``casework.selectors.due.due_items`` does.

The same seed, borough and ``today`` give the same rows: every draw comes from a
``random.Random`` seeded from the seed and the child, and nothing depends on set order or the
clock beyond ``today``. Nothing is written to the access log: this is generation, not someone's
work. Rows are written with ``bulk_create`` a few thousand children at a time.
"""

from __future__ import annotations

import random
import time as timer
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max
from psycopg.types.json import Jsonb

from efh.accounts.models import Agency, Role, Sector, User
from efh.casework.models import (
    CASE_ROUTES,
    Action,
    Allocation,
    Case,
    CaseState,
    ClosureKind,
    ClosureRequest,
    ClosureStatus,
    IntakeMark,
    NrmReferral,
    NrmState,
    PanelReferral,
    PanelReferralStatus,
    Plan,
    PlanVersion,
    QueueItem,
    Review,
    ReviewOutcome,
    Route,
    Screening,
    ScreeningState,
    ScreeningTool,
    StrategyDiscussion,
    Transition,
)
from efh.casework.services.intake import intake_pull
from efh.casework.states import MOVES
from efh.casework.tool import forbidden_levels, questions
from efh.concerns.models import Event, EventKind, EventPerson, HarmType, MissingEpisode
from efh.core.calendar import Calendar
from efh.core.clock import now as clock_now
from efh.core.models import Source
from efh.people.models import PersonRecord, Status, StatusKind

S = CaseState
CHUNK = 3000
UNUSABLE_PASSWORD = "!synthetic-staff-no-sign-in"  # noqa: S105 - starts with "!": unusable

EXPLOITATION = {"cce", "county_lines", "cse", "trafficking", "modern_slavery", "financial"}
SERIOUS = {"syv", "hsb", "radicalisation", "online", "tra"}
# Questions that the harm types make likely (the tool's default codes; others fall back).
LIKELY = {
    "cce": ("older_associates", "unexplained_money", "found_out_of_area", "arrested_with_others"),
    "county_lines": (
        "found_out_of_area",
        "unexplained_money",
        "older_associates",
        "missing_recent",
    ),
    "cse": ("sexual_health", "online_contact", "older_associates", "relationship_abuse"),
    "syv": ("carrying_weapon", "injuries", "violence_earlier", "peers_exploited"),
    "trafficking": ("found_out_of_area", "older_associates", "missing_recent"),
    "modern_slavery": ("unexplained_money", "older_associates"),
    "online": ("online_contact",),
    "tra": ("relationship_abuse",),
    "missing": ("missing_recent", "missing_earlier"),
    "dva": ("domestic_abuse",),
    "self_harm": ("mental_health", "camhs"),
    "substance": ("substance_misuse",),
    "financial": ("unexplained_money",),
}
SHORT = {
    "looked_after": "looked after",
    "send": "special educational needs",
    "domestic_abuse": "domestic abuse at home",
    "substance_misuse": "drug or alcohol use",
    "mental_health": "self-harm or mental health needs",
    "bereavement": "a recent bereavement",
    "isolation": "isolated from family",
    "missing_recent": "missing in the last 90 days",
    "unexplained_money": "money and phones that cannot be explained",
    "older_associates": "seen with older people",
    "found_out_of_area": "found out of the borough",
    "carrying_weapon": "thought to carry a knife",
    "injuries": "unexplained injuries",
    "sexual_health": "sexual health concerns",
    "online_contact": "contact online with adults",
    "arrested_with_others": "arrested with others",
    "missing_earlier": "went missing before",
    "exploited_earlier": "thought to be exploited before",
    "violence_earlier": "involved in serious violence before",
    "peers_exploited": "friends thought to be exploited",
    "peer_group_concern": "part of a peer group of concern",
    "relationship_abuse": "abuse in a relationship",
    "excluded": "excluded from school",
    "not_in_education": "on a reduced timetable",
    "attendance": "attendance has fallen",
    "social_care_open": "open to social care",
    "youth_justice": "known to youth justice",
    "camhs": "known to CAMHS",
}
YES_NOTES = (
    "Raised by the school's DSL this week.",
    "Police report of {date}.",
    "Mum says this has been going on since the summer.",
    "Seen by the youth worker, who shared it.",
    "Disclosed by the child to a teacher.",
    "From the return home interview.",
    "Health visitor and school both mention it.",
    "Confirmed by the allocated worker on the phone.",
)
UNKNOWN_NOTES = (
    "Not known to the referrer; to check with school.",
    "Family not yet spoken to.",
    "Asked police; waiting for a reply.",
    "No information either way on the record.",
)
NO_NOTES = ("Checked with school.", "Family say not.", "")
CHILD_WORDS = (
    'Says they are fine and were "just chilling" with friends.',
    'Said they go to the flat because "it\'s calm there, no one shouts".',
    "Says the older boys look out for them.",
    "Would not talk about the phone; said it was a present.",
    "Said they are scared to go to school because of a group outside.",
    "Says they want to go back to football and see their nan more.",
    'Told the teacher: "I owe them, I have to do it".',
    "Says nobody listens and that they can look after themselves.",
    "Said they would talk to the youth worker but not to police.",
    "Says home is better since their brother moved out.",
)
FAMILY_WORDS = (
    "Mum is worried and wants help with the evenings.",
    "Dad says the child has changed since starting year 9.",
    "The family want the child moved to another school.",
    "Grandmother, who cares for the child, agrees with the plan.",
    "Parents feel blamed; want the police to act against the adults.",
    "Mum asks for respite at weekends.",
)
DANGERS = (
    "We are worried that the child is being used by older people to {harm} and will be "
    "seriously hurt, arrested or go missing for longer.",
    "We are worried that the child is at risk of {harm} when missing, and that nobody will "
    "know where they are.",
    "We are worried that the adults around the child will harm them if they stop, and that "
    "the child will carry a weapon to protect themselves.",
)
SAFETY_GOALS = (
    "The child is in school every day, home by 9pm and knows who to call when worried.",
    "The child is not missing, and the adults exploiting them are disrupted.",
    "The child has a trusted adult they talk to each week and feels safe on the way to school.",
    "The family know the warning signs and call the worker or the police when they see them.",
)
GOALS = (
    ("The child is safe in the evenings", "A youth worker meets the child three evenings a week"),
    ("The child goes to school every day", "The school arranges a mentor and a morning check-in"),
    ("The child is not missing", "A return home interview after every episode; curfew agreed"),
    ("The adults around the child are disrupted", "Police share intelligence and visit the flat"),
    ("The child understands healthy relationships", "Six sessions with the sexual health nurse"),
    ("The family feel able to keep the child safe", "Weekly family support sessions"),
    ("The child's mental health improves", "CAMHS assessment and a GP appointment"),
    ("The child has something to do at weekends", "A place at the boxing club is arranged"),
)
ACTION_WHAT = (
    "Home visit to see the child and family",
    "Meet the child at school with the DSL",
    "Share the plan with the school and the GP",
    "Referral to CAMHS",
    "Refer to the youth service for a mentor",
    "Check the child's attendance with the school each week",
    "Complete the return home interview",
    "Request police intelligence on the associates named",
    "Arrange a place at the weekend boxing club",
    "Family group conference",
    "Speak to the housing officer about a move",
    "Update the chronology",
)
FAMILY_OWNERS = ("The family", "Mum", "The child with their youth worker", "Grandmother")
REASONS = {
    "open": "Front door: {route}",
    "start_assessment": "A child and family assessment is needed to understand the concerns.",
    "start_strategy": "Risk of significant harm: a strategy discussion with police and health.",
    "refer_to_panel": "Extra-familial risk that needs the partnership: referred to MACE.",
    "make_plan": "Assessment complete: a safety plan agreed with the child and family.",
    "hold_review": "Review of the plan held with the child and the professionals.",
    "request_closure": "The plan's goals are met and the risk has reduced.",
    "request_step_down": "Risk reduced: early help can hold the child with the school.",
    "approve_closure": "Agreed: the child is safe and the family know who to call.",
    "approve_step_down": "Agreed: step-down to early help, the school informed.",
    "return_request": "Returned: please complete the outstanding actions first.",
    "reopen": "New information: the child was found out of the borough again.",
}
ROUTE_REASONS = {
    Route.NFA: "No indicators of exploitation; the family accept support from universal services.",
    Route.EARLY_HELP: "Needs support but no risk of significant harm: early help offered.",
    Route.ASSESSMENT: "Several indicators present: a child and family assessment is needed.",
    Route.STRATEGY: "Risk of significant harm from people outside the family.",
    Route.PANEL: "Extra-familial harm linked to peers and places: MACE should consider.",
    Route.CONTEXT_CASE: "The place and the group are the concern as much as the child.",
    Route.NRM: "Indicators that the child is being trafficked to sell drugs.",
}
SIGNPOSTS = (
    "Family Hub (Hackney Marshes) parenting drop-in",
    "Young Hackney youth hub, evening sessions",
    "School nurse drop-in",
    "Off Centre counselling for young people",
    "Kooth online counselling",
    "St Giles Trust SOS+ programme",
    "The school's pastoral team",
)
STEP_DOWN_TO = (
    "Early help: Family Support Service",
    "Universal services: the school and the GP",
    "Young Hackney targeted youth support",
)
INFO_SHARED = (
    "Police shared two recent stops with older males; school reported falling attendance; "
    "health reported an A&E attendance with an unexplained injury.",
    "The child has been missing three times this month and was found out of the borough; "
    "police hold intelligence about the address.",
    "School and youth service describe new phones and clothes; the family are worried.",
)
ICPC_OUTCOMES = (
    ("Child protection plan: risk of significant harm (criminal exploitation).", True),
    ("No child protection plan; continue as a child in need with a safety plan.", False),
)
NRM_OUTCOMES = (
    "Conclusive grounds: the child was a victim of modern slavery (criminal exploitation).",
    "Conclusive grounds: not a victim on the balance of probabilities.",
)


class CaseworkExists(RuntimeError):
    """The database already holds casework; refused unless asked to replace it."""


class CaseworkRefused(RuntimeError):
    """Nothing to work on (no borough imported, no demo agencies, a production database)."""


@dataclass
class Staff:
    csc: Agency
    police: Agency | None
    screeners: list[User]
    screener_weights: list[float]
    workers: list[User]
    worker_weights: list[float]
    manager: User
    partners: list[User]
    made: int = 0


@dataclass
class Facts:
    """What the record says about a child, for the tool's pre-filled answers."""

    dob: date | None = None
    statuses: list[tuple[str, datetime, datetime | None, str]] = field(default_factory=list)
    missing: list[datetime] = field(default_factory=list)
    exclusions: list[tuple[datetime, str]] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)


@dataclass
class Item:
    event_id: int
    person_id: int
    arrived: datetime
    due: datetime
    harms: tuple[str, ...]


@dataclass
class Group:
    items: list[Item]
    taken: datetime
    decided: datetime
    state: str  # decided, in_progress, waiting


class World:
    """The clock, the calendar and everyone the work is done by."""

    def __init__(self, *, seed: int, now: datetime, offset: timedelta, staff: Staff) -> None:
        self.seed = seed
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = now.astimezone(self.tz).date()
        self.offset = offset
        self.staff = staff
        self.cal = Calendar()
        self._wd: dict[tuple[date, int], date] = {}
        self._due: dict[date, datetime] = {}
        self.tool = ScreeningTool.objects.order_by("-version").first()
        if self.tool is None:
            raise CaseworkRefused("No screening tool is configured (run the migrations)")
        self.questions = questions(self.tool.definition)
        self.levels = [lv["code"] for lv in self.tool.definition["levels"]]
        self.plan_weeks = {k: v[1] for k, v in settings.CASEWORK_PLAN_TYPES.items()}
        self.harm_ids: dict[str, int] = {}
        self.source_agency: dict[str, str] = {}
        self.source_agency_id: dict[str, int] = {}
        self.names = {u.pk: (u.get_full_name() or u.username, u) for u in self._users()}

    def _users(self) -> Iterable[User]:
        s = self.staff
        return [*s.screeners, *s.workers, s.manager, *s.partners]

    def wd(self, day: date, n: int) -> date:
        key = (day, n)
        if key not in self._wd:
            self._wd[key] = self.cal.add_working_days(day, n)
        return self._wd[key]

    def local(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def at(self, day: date, rng: random.Random, start: float = 9.0, end: float = 17.5) -> datetime:
        """A moment in working hours on ``day``, in UTC."""
        minutes = int(rng.uniform(start, end) * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def later(self, at: datetime, rng: random.Random, lo: int, hi: int) -> datetime:
        """A working moment ``lo``-``hi`` calendar days after ``at`` (on a working day)."""
        day = self.wd(self.local(at) + timedelta(days=rng.randint(lo, hi)), 0)
        moment = self.at(day, rng)
        return moment if moment > at else at + timedelta(minutes=rng.randint(20, 240))

    def later_wd(self, at: datetime, rng: random.Random, lo: int, hi: int) -> datetime:
        moment = self.at(self.wd(self.local(at), rng.randint(lo, hi)), rng)
        return moment if moment > at else at + timedelta(minutes=rng.randint(20, 240))

    def due_for(self, arrived: datetime) -> datetime:
        day = self.local(arrived)
        if day not in self._due:
            self._due[day] = self.cal.due_end_of_working_day(arrived, 1)
        return self._due[day]


def _pick(rng: random.Random, options: list[tuple[Any, float]]) -> Any:
    roll = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        roll -= weight
        if roll <= 0:
            return value
    return options[-1][0]


class CaseSim:
    """One case from its opening: moves only along ``states.MOVES``, each with its records."""

    def __init__(
        self,
        w: World,
        rng: random.Random,
        person_id: int,
        at: datetime,
        by: User,
        level: str,
        reason: str,
        partners: list[User],
    ) -> None:
        self.w, self.rng = w, rng
        staff = w.staff
        self.worker = rng.choices(staff.workers, weights=staff.worker_weights)[0]
        self.case = Case(
            person_id=person_id,
            lead_agency=staff.csc,
            level=level,
            opened_at=at,
            opened_by=by,
            updated_at=at,
        )
        self.state = S.OPEN
        self.transitions: list[Transition] = []
        self.allocations: list[Allocation] = []
        self.plans: list[Plan] = []
        self.versions: list[PlanVersion] = []
        self.reviews: list[Review] = []
        self.actions: list[tuple[Action, datetime | None]] = []
        self.sds: list[StrategyDiscussion] = []
        self.nrms: list[NrmReferral] = []
        self.closures: list[tuple[ClosureRequest, list[tuple[str, Any, str]]]] = []
        self.panel: list[PanelReferral] = []
        self.harms: set[int] = set()
        # Colleagues in other agencies who own actions: only those whose agency knows the child
        # (so that an action on their home page is for a child they may open).
        self.partners = partners
        self.plan: Plan | None = None
        self.reviews_left = 0
        self.step: tuple[datetime, str] | None = None
        self.alloc_step: tuple[datetime, str] | None = None
        self.last_at = at
        self.transitions.append(
            Transition(
                case=self.case, action="open", from_state="", to_state=S.OPEN, by=by, at=at,
                reason=reason,
            )
        )  # fmt: skip
        # Allocated at once, or a few working days later (an unallocated case meanwhile).
        if rng.random() < 0.7:
            self._allocate(at, by, self.worker, self.worker, "Allocated at the front door.")
        else:
            self._allocate(at, by, None, None, "Waiting for allocation by the team manager.")
            self.alloc_step = (w.later_wd(at, rng, 1, 4), "allocate")
        if rng.random() < 0.25:
            self.alloc_step = self.alloc_step or (w.later(at, rng, 30, 200), "reallocate")
        self._next(at)

    # --- allocation ------------------------------------------------------------------------
    def _allocate(
        self, at: datetime, by: User, lead: User | None, worker: User | None, reason: str
    ) -> None:
        if self.allocations:
            self.allocations[-1].ended_at = at
        self.allocations.append(
            Allocation(
                case=self.case, lead_agency=self.w.staff.csc, lead_practitioner=lead,
                allocated_worker=worker, started_at=at, by=by, reason=reason,
            )
        )  # fmt: skip
        self.case.lead_practitioner, self.case.allocated_worker = lead, worker
        self.last_at = max(self.last_at, at)

    def _do_alloc(self, at: datetime, what: str) -> None:
        manager = self.w.staff.manager
        if what == "allocate":
            self._allocate(at, manager, self.worker, self.worker, "Allocated to a social worker.")
            if self.rng.random() < 0.2:
                self.alloc_step = (self.w.later(at, self.rng, 30, 200), "reallocate")
            return
        others = [u for u in self.w.staff.workers if u.pk != self.worker.pk]
        if not others or self.state == S.CLOSED:
            return
        self.worker = self.rng.choice(others)
        self._allocate(
            at, manager, self.worker, self.worker,
            self.rng.choice(("Previous worker left the team.", "Caseload balanced across the "
                             "team.", "Moved to the adolescent team.")),
        )  # fmt: skip

    # --- the clock ---------------------------------------------------------------------------
    def advance(self, until: datetime) -> None:
        """Everything planned up to ``until`` happens, in time order."""
        while True:
            steps = [s for s in (self.step, self.alloc_step) if s is not None and s[0] <= until]
            if not steps:
                return
            at, what = min(steps)
            if (at, what) == self.alloc_step:
                self.alloc_step = None
                self._do_alloc(at, what)
            else:
                self.step = None
                self._do(at, what)

    def by(self) -> User:
        return self.case.allocated_worker or self.worker

    def move(self, action: str, at: datetime, by: User | None = None, reason: str = "") -> None:
        move = MOVES[action]
        if self.state not in move.sources:
            raise AssertionError(f"{action} is not allowed from {self.state}")
        target = move.target
        if action == "return_request":
            target = self.closures[-1][0].from_state
        self.transitions.append(
            Transition(
                case=self.case, action=action, from_state=self.state, to_state=target,
                by=by or self.by(), at=at, reason=reason or REASONS[action],
            )
        )  # fmt: skip
        before, self.state = self.state, target
        self.last_at = max(self.last_at, at)
        rng = self.rng
        if action == "start_strategy":
            self.strategy(at)
        elif action == "refer_to_panel":
            self.refer(at, reason or REASONS[action], None)
        elif action == "make_plan":
            self._make_plan(at)
        elif action in ("request_closure", "request_step_down"):
            self._request(at, action, before)
        elif action in ("approve_closure", "approve_step_down"):
            self.case.closed_at = at
            self.case.closed_as = "step_down" if action == "approve_step_down" else "closure"
            for plan in self.plans:
                if plan.ended_at is None:
                    plan.ended_at, plan.next_review_due = at, None
            self.plan = None
            if rng.random() < 0.05:
                self.step = (self.w.later(at, rng, 14, 90), "reopen")
                return
        elif action == "reopen":
            self.case.closed_at, self.case.closed_as = None, ""
        self._next(at)

    def _next(self, at: datetime) -> None:
        w, rng, state = self.w, self.rng, self.state
        if state == S.OPEN:
            self.step = (w.later_wd(at, rng, 3, 15), "start_assessment")
        elif state == S.ASSESSMENT:
            self.step = (w.later(at, rng, 10, 45), "after_assessment")
        elif state == S.STRATEGY:
            sd = self.sds[-1]
            if sd.held_on is None:
                self.step = None  # waiting for the discussion
            elif sd.section_47 and sd.icpc_held_on is None:
                self.step = None  # waiting for the conference
            else:
                base = sd.icpc_held_on or sd.held_on
                start = w.at(base, rng)
                self.step = (w.later(max(start, at), rng, 2, 12), "after_strategy")
        elif state == S.PANEL:
            self.step = (w.later(at, rng, 10, 35), "after_panel")
        elif state in (S.PLAN, S.REVIEW) and self.plan is not None:
            due = self.plan.next_review_due
            assert due is not None
            late = rng.randint(8, 35) if rng.random() < 0.15 else rng.randint(-6, 4)
            day = w.wd(max(due + timedelta(days=late), w.local(at) + timedelta(days=1)), 0)
            self.step = (w.at(day, rng), "hold_review")
        elif state in (S.CLOSURE_REQUESTED, S.STEP_DOWN_REQUESTED):
            self.step = (w.later_wd(at, rng, 1, 5), "decide")
        else:
            self.step = None

    def _do(self, at: datetime, what: str) -> None:
        rng = self.rng
        if what in ("start_assessment", "reopen"):
            self.move(what, at)
        elif what == "after_assessment":
            self.move(
                _pick(rng, [("make_plan", 60), ("request_closure", 12),
                    ("request_step_down", 10), ("start_strategy", 10),
                            ("refer_to_panel", 8)]),
                at,
            )  # fmt: skip
        elif what == "after_strategy":
            self.move(
                _pick(rng, [("make_plan", 72), ("start_assessment", 18), ("refer_to_panel", 10)]),
                at,
            )
        elif what == "after_panel":
            self.move(
                _pick(
                    rng, [("make_plan", 75), ("start_assessment", 15), ("request_step_down", 10)]
                ),
                at,
            )
        elif what == "hold_review":
            self._review(at)
        elif what == "decide":
            self._decide(at)
        elif what in MOVES and self.state in MOVES[what].sources:
            self.move(what, at)

    # --- records ---------------------------------------------------------------------------
    def strategy(self, at: datetime) -> StrategyDiscussion:
        w, rng = self.w, self.rng
        start = w.local(at)
        due = w.wd(start, 2)
        if rng.random() < 0.85:
            held: date | None = w.wd(start, rng.randint(0, 2))
            held = min(held, due)
        else:
            held = w.wd(due, rng.randint(1, 3))
        if held > w.today or (held == w.today and rng.random() < 0.5):
            held = None
        sd = StrategyDiscussion(case=self.case, due_on=due, created_at=at)
        if held is not None:
            s47 = rng.random() < 0.4
            names = w.names
            attendees = [
                {"name": names[self.by().pk][0], "agency": w.staff.csc.name},
                *(
                    {"name": names[u.pk][0], "agency": u.agency.name if u.agency else ""}
                    for u in rng.sample(w.staff.partners, min(3, len(w.staff.partners)))
                ),
            ]
            sd.held_on = held
            sd.attendees = attendees
            sd.information_shared = rng.choice(INFO_SHARED)
            sd.section_47 = s47
            sd.section_47_joint = (rng.random() < 0.7) if s47 else None
            sd.other_actions = rng.choice(
                ("Police to visit the address; school to share attendance daily.",
                 "Return home interviews after every episode; disruption at the park.",
                 "Health to offer a sexual health appointment; worker to see the child.")
            )  # fmt: skip
            sd.recorded_by = self.by()
            sd.recorded_at = min(w.at(held, rng, 14, 18), w.now)
            if s47:
                sd.icpc_due_on = w.wd(held, 15)
                if rng.random() < 0.85:
                    icpc = w.wd(held, rng.randint(11, 15))
                else:
                    icpc = w.wd(sd.icpc_due_on, rng.randint(1, 6))
                if icpc < w.today:
                    sd.icpc_held_on = icpc
                    sd.icpc_outcome = rng.choice(ICPC_OUTCOMES)[0]
        self.sds.append(sd)
        return sd

    def refer(self, at: datetime, reason: str, screening: Screening | None) -> None:
        for ref in self.panel:
            ref.status = PanelReferralStatus.LISTED
        self.panel.append(
            PanelReferral(
                case=self.case, screening=screening, reason=reason, referred_by=self.by(),
                referred_at=at,
            )
        )  # fmt: skip

    def nrm(self, at: datetime, by: User) -> None:
        w, rng = self.w, self.rng
        submitted = min(w.wd(w.local(at), rng.randint(0, 3)), w.today)
        devolved = rng.random() < 0.6
        staff = w.staff
        responder = staff.police if (staff.police and rng.random() < 0.3) else staff.csc
        ref = NrmReferral(
            case=self.case,
            first_responder=responder,
            submitted_on=submitted,
            devolved=devolved,
            rg_due_on=submitted + timedelta(days=45) if devolved else w.wd(submitted, 5),
            recorded_by=by,
            created_at=min(w.at(submitted, rng), w.now),
        )
        ref.updated_at = ref.created_at
        if devolved:
            rg = submitted + timedelta(days=rng.randint(18, 52))
        else:
            rg = w.wd(submitted, rng.randint(2, 8))
        if rg <= w.today:
            ref.rg_decided_on, ref.rg_positive = rg, rng.random() < 0.75
            ref.updated_at = min(w.at(rg, rng), w.now)
            if ref.rg_positive:
                self._nrm_cg(ref, rg)
            else:
                ref.state = NrmState.NEGATIVE_RG
                ref.outcome = "Negative reasonable grounds."
                if rng.random() < 0.7:
                    asked = rg + timedelta(days=rng.randint(5, 25))
                    if asked <= w.today:
                        ref.state = NrmState.RECONSIDERATION
                        ref.reconsideration_requested_on = asked
                        ref.updated_at = min(w.at(asked, rng), w.now)
                        answered = asked + timedelta(days=rng.randint(60, 240))
                        if answered <= w.today:
                            if rng.random() < 0.5:
                                ref.state = NrmState.NEGATIVE_RG
                                ref.reconsideration_outcome = "The original decision is upheld."
                            else:
                                ref.rg_positive = True
                                ref.reconsideration_outcome = (
                                    "Positive reasonable grounds on reconsideration."
                                )
                                self._nrm_cg(ref, answered)
                            ref.updated_at = min(w.at(answered, rng), w.now)
        self.nrms.append(ref)

    def _nrm_cg(self, ref: NrmReferral, rg: date) -> None:
        w, rng = self.w, self.rng
        ref.state = NrmState.AWAITING_CG
        ref.cg_earliest_on = rg + timedelta(days=30)
        cg = rg + timedelta(days=rng.randint(40, 220))
        if cg <= w.today:
            ref.state = NrmState.CONCLUDED
            ref.cg_decided_on, ref.cg_positive = cg, rng.random() < 0.8
            ref.outcome = NRM_OUTCOMES[0 if ref.cg_positive else 1]
            ref.updated_at = min(w.at(cg, rng), w.now)

    def _actions(self, at: datetime, n: int, plan: Plan | None, goals: list[dict]) -> None:
        w, rng = self.w, self.rng
        for _ in range(n):
            due = w.local(at) + timedelta(days=rng.randint(7, 35))
            roll = rng.random()
            owner: User | None = self.by()
            owner_name = ""
            if roll < 0.15 and self.partners:
                owner = rng.choice(self.partners)
            elif roll < 0.32:
                owner, owner_name = None, rng.choice(FAMILY_OWNERS)
            done_day = due + timedelta(
                days=rng.randint(10, 40) if rng.random() < 0.08 else rng.randint(-12, 5)
            )
            done_at = w.at(max(done_day, w.local(at) + timedelta(days=1)), rng)
            action = Action(
                case=self.case, plan=plan,
                goal=rng.choice(goals)["goal"] if goals else "",
                what=rng.choice(ACTION_WHAT), owner=owner, owner_name=owner_name, due_on=due,
                created_at=at, created_by=self.by(),
            )  # fmt: skip
            if done_at <= w.now:
                action.completed_at = done_at
                action.completed_by = owner or self.by()
            self.actions.append((action, done_at))

    def _make_plan(self, at: datetime) -> None:
        w, rng = self.w, self.rng
        goals = [{"goal": g, "happen": h} for g, h in rng.sample(GOALS, rng.randint(2, 4))]
        if self.plan is None:
            kind = "safety"
            sd = self.sds[-1] if self.sds else None
            if sd and sd.icpc_outcome.startswith("Child protection plan"):
                kind = "child_protection" if "child_protection" in w.plan_weeks else kind
            weeks = w.plan_weeks.get(kind, 6)
            self.plan = Plan(
                case=self.case, kind=kind, created_at=at, created_by=self.by(),
                review_weeks=weeks, revision=1,
            )  # fmt: skip
            self.plans.append(self.plan)
            self.reviews_left = _pick(rng, [(1, 10), (2, 20), (3, 20), (4, 18), (6, 17), (9, 15)])
            self._version(at, goals)
        elif self._count_versions(self.plan) < 3:
            self._version(at, goals)
        plan = self.plan
        plan.next_review_due = w.local(at) + timedelta(weeks=plan.review_weeks)
        self._actions(at, rng.randint(2, 4), plan, goals)

    def _count_versions(self, plan: Plan) -> int:
        return sum(1 for v in self.versions if v.plan is plan)

    def _version(self, at: datetime, goals: list[dict]) -> None:
        rng = self.rng
        assert self.plan is not None
        number = self._count_versions(self.plan) + 1
        self.versions.append(
            PlanVersion(
                plan=self.plan, number=number, goals=goals,
                child_words=rng.choice(CHILD_WORDS) if rng.random() < 0.85 else "",
                family_words=rng.choice(FAMILY_WORDS) if rng.random() < 0.7 else "",
                saved_at=at, saved_by=self.by(),
            )
        )  # fmt: skip
        if number > 1:
            self.plan.revision += 1

    def _review(self, at: datetime) -> None:
        w, rng = self.w, self.rng
        plan = self.plan
        assert plan is not None and plan.next_review_due is not None
        self.reviews_left -= 1
        if self.reviews_left <= 0:
            outcome = _pick(rng, [(ReviewOutcome.CLOSE, 50), (ReviewOutcome.STEP_DOWN, 50)])
        else:
            outcome = _pick(
                rng,
                [(ReviewOutcome.CONTINUE, 84), (ReviewOutcome.STEP_UP, 8),
                 (ReviewOutcome.STEP_DOWN, 4), (ReviewOutcome.CLOSE, 4)],
            )  # fmt: skip
        held = w.local(at)
        changed = {
            ReviewOutcome.CONTINUE: "Attendance is up and no missing episodes since the last "
            "review; the plan continues.",
            ReviewOutcome.STEP_UP: "Two missing episodes and a new associate: risk has risen.",
            ReviewOutcome.STEP_DOWN: "Goals mostly met; the school and early help can hold this.",
            ReviewOutcome.CLOSE: "Goals met: no missing episodes for three months, back in school.",
        }[outcome]
        self.reviews.append(
            Review(
                plan=plan, due_on=plan.next_review_due, held_on=held, outcome=outcome,
                what_changed=changed,
                child_words=rng.choice(CHILD_WORDS) if rng.random() < 0.8 else "",
                recorded_by=self.by(), recorded_at=at,
            )
        )  # fmt: skip
        plan.revision += 1
        plan.next_review_due = held + timedelta(weeks=plan.review_weeks)
        if (
            outcome == ReviewOutcome.CONTINUE
            and rng.random() < 0.35
            and self._count_versions(plan) < 3
        ):
            goals = [{"goal": g, "happen": h} for g, h in rng.sample(GOALS, rng.randint(2, 4))]
            self._version(at, goals)
        self._actions(at, rng.randint(0, 2), plan, [])
        self.move("hold_review", at, reason=f"Review held: {ReviewOutcome(outcome).label}.")
        follow = {
            ReviewOutcome.STEP_UP: rng.choice(("start_strategy", "refer_to_panel")),
            ReviewOutcome.STEP_DOWN: "request_step_down",
            ReviewOutcome.CLOSE: "request_closure",
        }.get(outcome)
        if follow:
            self.step = (w.later_wd(at, rng, 0, 3), follow)

    def _request(self, at: datetime, action: str, before: str) -> None:
        rng = self.rng
        kind = ClosureKind.STEP_DOWN if action == "request_step_down" else ClosureKind.CLOSURE
        open_items: list[tuple[str, Any, str]] = []
        for i, (act, _done) in enumerate(self.actions):
            if act.completed_at is not None and act.completed_at <= at:
                continue
            if rng.random() < 0.75 and at - timedelta(hours=2) > act.created_at:
                # Tidied up before asking.
                act.completed_at, act.completed_by = at - timedelta(hours=2), self.by()
                self.actions[i] = (act, act.completed_at)
            else:
                act.completed_at = act.completed_by = None
                self.actions[i] = (act, None)
                open_items.append(("action", act, "The family will carry this on with early help."))
        for ref in self.nrms:
            if ref.is_open:
                open_items.append(("nrm", ref, "The Home Office decision follows the child; the "
                                   "school is the contact."))  # fmt: skip
        request = ClosureRequest(
            case=self.case, kind=kind,
            reason=REASONS[action] + " " + rng.choice(
                ("No missing episodes since the plan began.", "The child is back in school full "
                 "time.", "The family and the school agree.")
            ),
            step_down_to=rng.choice(STEP_DOWN_TO) if kind == ClosureKind.STEP_DOWN else "",
            from_state=before, requested_by=self.by(), requested_at=at,
        )  # fmt: skip
        self.closures.append((request, open_items))

    def _decide(self, at: datetime) -> None:
        request = self.closures[-1][0]
        manager = self.w.staff.manager
        request.decided_by, request.decided_at = manager, at
        if self.rng.random() < 0.12:
            request.status = ClosureStatus.RETURNED
            request.comments = "Please complete the outstanding actions and see the child first."
            self.move("return_request", at, manager)
        else:
            request.status = ClosureStatus.APPROVED
            request.comments = "Agreed."
            action = (
                "approve_step_down" if request.kind == ClosureKind.STEP_DOWN else "approve_closure"
            )
            self.move(action, at, manager)

    def finish(self) -> None:
        """The case as it stands now: who holds it, its due items, its revision."""
        case = self.case
        case.state = self.state
        case.revision = len(self.transitions) + len(self.allocations) - 1
        case.updated_at = self.last_at
        for ref in self.panel:
            ref.status = PanelReferralStatus.LISTED
        if self.panel and self.state == S.PANEL:
            self.panel[-1].status = PanelReferralStatus.WAITING
        elif (
            self.panel
            and self.state == S.CLOSED
            and self.panel[-1].referred_at > (self.transitions[-1].at - timedelta(days=7))
        ):
            self.panel[-1].status = PanelReferralStatus.WITHDRAWN
        for plan in self.plans:
            if plan.ended_at is not None:
                plan.next_review_due = None
        case.next_due_on, case.next_due_what = None, ""
        if case.state == S.CLOSED:
            return
        items: list[tuple[date, str]] = []
        for plan in self.plans:
            if plan.ended_at is None and plan.next_review_due is not None:
                items.append((plan.next_review_due, "Review of the plan"))
        for act, _done in self.actions:
            if act.completed_at is None:
                items.append((act.due_on, f"Action: {act.what[:60]}"))
        for sd in self.sds:
            if sd.held_on is None:
                items.append((sd.due_on, "Strategy discussion"))
            elif sd.icpc_due_on and sd.icpc_held_on is None:
                items.append((sd.icpc_due_on, "Initial child protection conference"))
        for ref in self.nrms:
            if ref.state == NrmState.AWAITING_RG:
                items.append((ref.rg_due_on, "NRM reasonable-grounds decision"))
        for request, _ in self.closures:
            if request.status == ClosureStatus.PENDING:
                items.append(
                    (request.requested_at.date(), f"{request.get_kind_display()} approval")
                )
        if items:
            case.next_due_on, case.next_due_what = min(items)


# --- the front door --------------------------------------------------------------------------
def _screen_delay(rng: random.Random, recent: bool) -> int:
    if recent:  # a busy fortnight at the front door: more waits past the deadline
        return _pick(rng, [(0, 25), (1, 40), (2, 15), (3, 10), (4, 6), (6, 4)])
    return _pick(rng, [(0, 40), (1, 48), (2, 8), (3, 3), (5, 1)])


def _groups(w: World, rng: random.Random, items: list[Item]) -> list[Group]:
    """The child's items as screenings: each takes every item that arrives before it is
    decided; the last may still be waiting or in progress."""
    groups: list[Group] = []
    i = 0
    while i < len(items):
        first = items[i]
        recent = first.arrived > w.now - timedelta(days=14)
        day = w.wd(w.local(first.arrived), _screen_delay(rng, recent))
        decided = w.at(day, rng, 9.25, 17.5)
        if decided <= first.arrived + timedelta(minutes=15):
            decided = first.arrived + timedelta(minutes=rng.randint(20, 180))
        taken = max(first.arrived + timedelta(minutes=2), decided - timedelta(
            minutes=rng.randint(15, 90)))  # fmt: skip
        members = [first]
        i += 1
        while i < len(items) and items[i].arrived <= decided:
            members.append(items[i])
            i += 1
        state = "decided"
        if decided > w.now:
            state = "waiting"
            waited = w.now - first.arrived
            if (taken <= w.now or rng.random() < 0.15) and waited > timedelta(minutes=10):
                taken = first.arrived + waited * rng.uniform(0.5, 0.95)
                state = "in_progress"
        if state == "decided":
            groups.append(Group(members, taken, decided, state))
            continue
        # The tail: whatever arrived meanwhile waits (never a second screening in progress).
        rest = members + [m for m in items[i:] if m.arrived <= w.now]
        if state == "in_progress":
            held = [m for m in rest if m.arrived <= taken]
            groups.append(Group(held, taken, decided, state))
            rest = [m for m in rest if m.arrived > taken]
        if rest:
            groups.append(Group(rest, taken, decided, "waiting"))
        break
    return groups


def _prefills(w: World, facts: Facts, at: datetime) -> dict[str, dict[str, str]]:
    """What ``casework.selectors.queue.prefills`` would offer, from the record as it stood."""
    then = at - w.offset
    out: dict[str, dict[str, str]] = {}
    recent = [m for m in facts.missing if then - timedelta(days=90) <= m <= then]
    if recent:
        n = len(recent)
        out["missing_90d"] = {
            "answer": "yes",
            "source": f"{n} missing episode{'s' if n != 1 else ''} in the last 90 days on the "
            f"record, the latest on {max(recent):%d %B %Y}",
        }
    else:
        out["missing_90d"] = {
            "answer": "no",
            "source": "No missing episode in the last 90 days on the record",
        }
    excl = [e for e in facts.exclusions if then - timedelta(days=365) <= e[0] <= then]
    if excl:
        latest_at, latest_source = max(excl)
        n = len(excl)
        out["excluded"] = {
            "answer": "yes",
            "source": f"{n} exclusion{'s' if n != 1 else ''} in the last year, the latest on "
            f"{latest_at:%d %B %Y} ({w.source_agency.get(latest_source, latest_source)})",
        }
    live: dict[str, tuple[datetime, str]] = {}
    for kind, started, ended, source in facts.statuses:
        if started <= then and (ended is None or ended > then):
            live.setdefault(kind, (started, source))

    def said(kind: str) -> str:
        started, source = live[kind]
        return (
            f"{StatusKind(kind).label} since {started:%d %B %Y}, recorded by "
            f"{w.source_agency.get(source, source)}"
        )

    for kind, code in ((StatusKind.LOOKED_AFTER, "looked_after"), (StatusKind.SEND, "send")):
        if kind in live:
            out[code] = {"answer": "yes", "source": said(kind)}
    for kind in (StatusKind.CHILD_PROTECTION_PLAN, StatusKind.CHILD_IN_NEED):
        if kind in live:
            out["social_care"] = {"answer": "yes", "source": said(kind)}
            break
    return out


def _age(dob: date | None, day: date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _screen(
    w: World,
    rng: random.Random,
    group: Group,
    facts: Facts,
    prior: int,
    case: CaseSim | None,
) -> Screening:
    """A screening of the group's items: answers, level and routes (routes and level are only
    set on a decided one)."""
    harms = {h for it in group.items for h in it.harms}
    decider = rng.choices(w.staff.screeners, weights=w.staff.screener_weights)[0]
    offered_by_prefill = _prefills(w, facts, group.taken)
    offered = {
        q["code"]: offered_by_prefill[q["prefill"]]
        for q in w.questions
        if q.get("prefill") in offered_by_prefill
    }
    if case is not None and case.state != S.CLOSED:
        label = S(case.state).label
        for q in w.questions:
            if q.get("prefill") == "social_care":
                offered[q["code"]] = {
                    "answer": "yes",
                    "source": f"Open case on the platform ({label})",
                }
    exploit = harms & EXPLOITATION
    score = (
        (1.1 if exploit else 0.0)
        + 0.35 * len(exploit)
        + (0.6 if harms & SERIOUS else 0.0)
        + (0.3 if harms - EXPLOITATION - SERIOUS else 0.0)
        + (0.5 if offered_by_prefill.get("missing_90d", {}).get("answer") == "yes" else 0.0)
        + (0.3 if "excluded" in offered_by_prefill else 0.0)
        + 0.15 * min(prior, 4)
        + 0.15 * min(len(group.items) - 1, 4)
        + (0.4 if case is not None and case.state != S.CLOSED else 0.0)
        + rng.gauss(0, 0.55)
    )
    level_index = 0 if score < 0.6 else 1 if score < 2.0 else 2 if score < 2.8 else 3
    level_index = min(level_index, len(w.levels) - 1)
    p_yes = (0.02, 0.07, 0.16, 0.32)[min(level_index, 3)]
    likely = {q for h in harms for q in LIKELY.get(h, ())}
    answers: dict[str, dict[str, str]] = {}
    for q in w.questions:
        code = q["code"]
        known = offered.get(code)
        if known is not None and (known["answer"] == "yes" or rng.random() < 0.93):
            answers[code] = {"answer": known["answer"], "note": "", "source": known["source"]}
            continue
        p = min(0.85, p_yes + (0.45 if code in likely else 0.0))
        roll = rng.random()
        if roll < p:
            note = rng.choice(YES_NOTES).format(
                date=f"{w.local(group.items[0].arrived):%d %B}"
            ) if rng.random() < 0.55 else ""  # fmt: skip
            answers[code] = {"answer": "yes", "note": note}
        elif roll < p + 0.08:
            answers[code] = {
                "answer": "unknown",
                "note": rng.choice(UNKNOWN_NOTES) if rng.random() < 0.6 else "",
            }
        else:
            answers[code] = {
                "answer": "no",
                "note": rng.choice(NO_NOTES) if rng.random() < 0.1 else "",
            }
    screening = Screening(
        person_id=group.items[0].person_id,
        tool=w.tool,
        taken_by=decider,
        taken_at=group.taken,
        prefilled=offered,
        updated_at=group.taken,
    )
    if group.state == "in_progress":
        cut = rng.randint(0, len(w.questions) // 2)
        screening.answers = {q["code"]: answers[q["code"]] for q in w.questions[:cut]}
        screening.revision = 1 + (cut > 0)
        screening.updated_at = group.taken + timedelta(minutes=cut)
        if screening.updated_at > w.now:
            screening.updated_at = w.now
        return screening
    # The level: never one the tool's rules forbid for this child.
    age = _age(facts.dob, w.local(group.decided))
    forbidden = {r.level for r in forbidden_levels(w.tool.definition, age=age, answers=answers)}
    while w.levels[level_index] in forbidden and level_index + 1 < len(w.levels):
        level_index += 1
    level = w.levels[level_index]
    present = [
        SHORT.get(c, c.replace("_", " ")) for c, a in answers.items() if a["answer"] == "yes"
    ]
    words = {"cce": "criminal exploitation", "cse": "sexual exploitation", "syv": "serious "
             "youth violence", "county_lines": "county lines", "missing": "going missing"}  # fmt: skip
    harm_words = sorted(words.get(h, h.replace("_", " ")) for h in harms)
    if present:
        reason = f"Indicators present: {', '.join(present[:4])}."
    else:
        reason = "No indicators of exploitation present."
    if harm_words:
        reason += f" The concern is about {', '.join(harm_words[:3])}."
    if forbidden and level_index > 0:
        reason += " The tool's rule applies: never low for this child."
    routes = _routes(rng, level_index, harms, case is not None and case.state != S.CLOSED)
    screening.state = ScreeningState.DECIDED
    screening.answers = answers
    screening.level = level
    screening.level_reason = reason
    screening.routes = routes
    screening.route_reason = " ".join(ROUTE_REASONS[Route(r)] for r in routes[:2])
    if Route.NFA in routes:
        screening.signposting = rng.choice(SIGNPOSTS)
    if set(routes) & CASE_ROUTES:
        harm = rng.choice(harm_words) if harm_words else "be exploited"
        screening.danger_statement = rng.choice(DANGERS).format(harm=harm)
        screening.safety_goal = rng.choice(SAFETY_GOALS)
    if level_index >= 2 and rng.random() < 0.7:
        screening.child_words = rng.choice(CHILD_WORDS)
    screening.decided_by = decider
    screening.decided_at = group.decided
    screening.revision = rng.randint(2, 6)
    screening.updated_at = group.decided
    return screening


def _routes(rng: random.Random, level: int, harms: set[str], open_case: bool) -> list[str]:
    r = Route
    if level == 0:
        routes = _pick(rng, [([r.NFA], 80), ([r.EARLY_HELP], 20)])
    elif level == 1:
        routes = _pick(rng, [([r.NFA], 22), ([r.EARLY_HELP], 58), ([r.NFA, r.EARLY_HELP], 6),
                             ([r.ASSESSMENT], 14)])  # fmt: skip
    elif level == 2:
        routes = _pick(rng, [([r.ASSESSMENT], 40), ([r.STRATEGY], 10), ([r.ASSESSMENT, r.PANEL],
                             12), ([r.EARLY_HELP], 30), ([r.CONTEXT_CASE], 8)])  # fmt: skip
    else:
        routes = _pick(rng, [([r.STRATEGY], 40), ([r.STRATEGY, r.PANEL], 35), ([r.PANEL], 15),
                             ([r.ASSESSMENT], 10)])  # fmt: skip
    routes = list(routes)
    traffic = harms & {"trafficking", "modern_slavery", "county_lines"}
    if level >= 2 and ((traffic and rng.random() < 0.5) or ("cce" in harms and rng.random() < 0.2)):
        routes.append(r.NRM)
    if open_case and not set(routes) & CASE_ROUTES and rng.random() < 0.7:
        routes = [r.ASSESSMENT]  # joins the open case
    order = list(Route.values)
    return sorted({str(x) for x in routes}, key=order.index)


_ROUTE_MOVES = (
    (Route.STRATEGY, "start_strategy"),
    (Route.PANEL, "refer_to_panel"),
    (Route.ASSESSMENT, "start_assessment"),
)


@dataclass
class ChildWork:
    screenings: list[Screening] = field(default_factory=list)
    items: list[tuple[Item, Screening | None, datetime | None]] = field(default_factory=list)
    cases: list[CaseSim] = field(default_factory=list)


def simulate_child(w: World, person_id: int, items: list[Item], facts: Facts) -> ChildWork:
    """Everything the front door and the case workers did for one child, up to now."""
    rng = random.Random(f"{w.seed}:casework:{person_id}")
    work = ChildWork()
    case: CaseSim | None = None
    known = {w.source_agency_id.get(s) for s in facts.sources}
    partners = [u for u in w.staff.partners if u.agency_id in known]
    groups = _groups(w, rng, items)
    for n, group in enumerate(groups):
        if group.state == "waiting":
            work.items.extend((it, None, None) for it in group.items)
            continue
        if case is not None:
            case.advance(group.decided if group.state == "decided" else w.now)
        screening = _screen(w, rng, group, facts, n, case)
        work.screenings.append(screening)
        if group.state == "in_progress":
            work.items.extend((it, screening, None) for it in group.items)
            continue
        work.items.extend((it, screening, group.decided) for it in group.items)
        at = group.decided
        open_case = case if case is not None and case.state != S.CLOSED else None
        screening.case = open_case.case if open_case else None
        routes = set(screening.routes)
        if not routes & CASE_ROUTES:
            continue
        decider = screening.decided_by
        assert decider is not None
        if open_case is None:
            case = CaseSim(
                w, rng, person_id, at, decider, screening.level,
                f"Front door: {screening.route_reason}", partners,
            )  # fmt: skip
            work.cases.append(case)
        else:
            case = open_case
        case.case.level, case.case.level_reason = screening.level, screening.level_reason
        screening.case = case.case
        case.harms.update(w.harm_ids[h] for it in group.items for h in it.harms if h in w.harm_ids)
        reason = f"Front door: {screening.route_reason}"
        moved = next(
            (a for r, a in _ROUTE_MOVES if r in routes and case.state in MOVES[a].sources), None
        )
        if moved is not None:
            case.move(moved, at, decider, reason)
            if moved == "refer_to_panel":
                case.panel[-1].screening = screening
        if Route.STRATEGY in routes and moved != "start_strategy":
            case.strategy(at)
        if Route.PANEL in routes and moved != "refer_to_panel":
            case.refer(at, screening.route_reason, screening)
        if Route.NRM in routes and not any(n.is_open for n in case.nrms):
            case.nrm(at, case.by())
    if case is not None:
        case.advance(w.now)
    for sim in work.cases:
        sim.finish()
    return work


# --- staff -----------------------------------------------------------------------------------
FIRST_NAMES = (
    "Adaeze", "Bilal", "Chloe", "Dev", "Esra", "Femi", "Gabriela", "Hamza", "Imogen", "Jamal",
    "Kezia", "Luca", "Mariam", "Niall", "Olu", "Poppy", "Rashid", "Sinead", "Tariq", "Una",
    "Viktor", "Wren", "Yusuf", "Zara",
)  # fmt: skip


def _staff_user(username: str, first: str, role: Role, agency: Agency) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": "Example",
            "role": role,
            "agency": agency,
            "email": f"{username}@example.invalid",
            "password": UNUSABLE_PASSWORD,
        },
    )
    return user, created


def ensure_staff(items: int) -> Staff:
    """The people who do the work: the demo's screener, social worker and team manager where
    ``efh demo_accounts`` made them, and synthetic colleagues (no password: they never sign in)
    so that caseloads are realistic: one social worker for every 350 concerns over the two years
    (about 20 open cases each), one screener for every 3,500 (about 10 a day for two)."""
    csc = (
        Agency.objects.filter(code="childrens-social-care").first()
        or Agency.objects.filter(sector=Sector.SOCIAL_CARE).order_by("code").first()
    )
    if csc is None:
        raise CaseworkRefused(
            "No children's social care agency: run `efh demo_accounts` (make setup does) first"
        )
    police = Agency.objects.filter(sector=Sector.POLICE).order_by("code").first()
    roles = {r.code: r for r in Role.objects.filter(code__in=["practitioner", "screener",
                                                              "team_manager"])}  # fmt: skip
    if len(roles) < 3:
        raise CaseworkRefused("The practitioner, screener and team_manager roles are missing")
    demo = {u.username: u for u in User.objects.filter(
        username__in=["screener", "social.worker", "team.manager", "school.dsl",
                      "police.officer", "health.nurse", "youth.worker", "yjs.officer"]
    ).select_related("agency")}  # fmt: skip
    made = 0
    n_workers = max(4, round(items / 350))
    workers = [demo["social.worker"]] if "social.worker" in demo else []
    for i in range(1, n_workers + 1 - len(workers)):
        first = FIRST_NAMES[(i - 1) % len(FIRST_NAMES)]
        user, created = _staff_user(f"csc.sw{i:03d}", first, roles["practitioner"], csc)
        workers.append(user)
        made += created
    n_screeners = max(2, round(items / 3500))
    screeners = [demo["screener"]] if "screener" in demo else []
    for i in range(1, n_screeners + 1 - len(screeners)):
        first = FIRST_NAMES[-i % len(FIRST_NAMES)]
        user, created = _staff_user(f"frontdoor{i:02d}", first, roles["screener"], csc)
        screeners.append(user)
        made += created
    manager = demo.get("team.manager")
    if manager is None:
        manager, created = _staff_user("csc.manager01", "Morgan", roles["team_manager"], csc)
        made += created
    partners = [
        demo[u]
        for u in ("school.dsl", "police.officer", "health.nurse", "youth.worker", "yjs.officer")
        if u in demo
    ]
    # The demo's own people carry a full share: the screener two, the social worker one and a
    # half (a caseload, not the whole team's).
    sw = [1.5 if u.username == "social.worker" else 1.0 for u in workers]
    sc = [2.0 if u.username == "screener" else 1.0 for u in screeners]
    return Staff(csc, police, screeners, sc, workers, sw, manager, partners, made)


# --- reading the borough -----------------------------------------------------------------------
def _facts(person_ids: list[int]) -> dict[int, Facts]:
    facts: dict[int, Facts] = defaultdict(Facts)
    for pid, dob in (
        PersonRecord.objects.filter(person_id__in=person_ids, date_of_birth__isnull=False)
        .order_by("person_id", "-recorded_at", "pk")
        .values_list("person_id", "date_of_birth")
    ):
        if facts[pid].dob is None:
            facts[pid].dob = dob
    for pid, source in (
        PersonRecord.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "source")
        .values_list("person_id", "source")
        .distinct()
    ):
        facts[pid].sources.add(source)
    for pid, kind, started, ended, source in (
        Status.objects.filter(record__person_id__in=person_ids)
        .order_by("record__person_id", "started", "pk")
        .values_list("record__person_id", "kind", "started", "ended", "record__source")
    ):
        facts[pid].statuses.append((kind, started, ended, source))
    for pid, went in (
        MissingEpisode.objects.filter(record__person_id__in=person_ids)
        .order_by("went_missing_at", "pk")
        .values_list("record__person_id", "went_missing_at")
    ):
        facts[pid].missing.append(went)
    for pid, occurred, source in (
        EventPerson.objects.filter(
            record__person_id__in=person_ids, event__kind=EventKind.EXCLUSION
        )
        .order_by("event__occurred_at", "event_id")
        .values_list("record__person_id", "event__occurred_at", "event__source")
        .distinct()
    ):
        facts[pid].exclusions.append((occurred, source))
    return facts


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def casework_exists() -> tuple[int, int]:
    return Screening.objects.count(), Case.objects.count()


def casework_delete() -> None:
    """Every casework row (synthetic or not), and the queue, which the next pull makes again."""
    PanelReferral.objects.all().delete()
    NrmReferral.objects.all().delete()
    Review.objects.all().delete()
    Action.objects.all().delete()
    PlanVersion.objects.all().delete()
    Plan.objects.all().delete()
    ClosureRequest.objects.all().delete()
    StrategyDiscussion.objects.all().delete()
    Allocation.objects.all().delete()
    Transition.objects.all().delete()
    QueueItem.objects.all().delete()
    Screening.objects.all().delete()
    Case.harm_types.through.objects.all().delete()
    Case.objects.all().delete()
    IntakeMark.objects.all().delete()


def make_casework(
    *,
    seed: int,
    today: date | None = None,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the casework history of the imported borough; the rows made per table.

    ``today`` is the day the work is dated up to (default: today by ``efh.core.clock``; a given
    day means early afternoon on it). Refuses (:class:`CaseworkExists`) when there is casework
    already, unless ``replace``, which deletes every casework row first."""
    say = progress or (lambda _m: None)
    if getattr(settings, "PRODUCTION", False):
        raise CaseworkRefused("synthetic casework is never written when EFH_ENV=production")
    tz = ZoneInfo(settings.TIME_ZONE)
    if today is None:
        now = clock_now()
    else:
        now = datetime.combine(today, time(13, 30), tzinfo=tz).astimezone(UTC)
    screenings, cases = casework_exists()
    if screenings or cases:
        if not replace:
            raise CaseworkExists(
                f"The database already holds casework ({screenings:,} screenings, {cases:,} "
                "cases): nothing was written. Run with --replace to delete all casework and "
                "make it again."
            )
        say("deleting the casework there was")
        with transaction.atomic():
            casework_delete()
    latest = Event.objects.aggregate(top=Max("recorded_at"))["top"]
    if latest is None:
        raise CaseworkRefused("No events: import a borough (efh import DIR) first")
    # Whole days, so that the latest event arrives on or before now.
    offset = timedelta(days=(now - latest) // timedelta(days=1))
    if offset < timedelta(0):
        raise CaseworkRefused(
            f"today ({now.astimezone(tz).date()}) is before the borough's last event "
            f"({latest.astimezone(tz).date()})"
        )
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        say("pulling concerns and referrals into the queue")
        intake_pull()
        pairs = list(
            QueueItem.objects.order_by("person_id", "event_id").values_list("person_id", "event_id")
        )
        persons = sorted({p for p, _ in pairs})
        staff = ensure_staff(len(pairs))
        counts["staff accounts made"] = staff.made
        w = World(seed=seed, now=now, offset=offset, staff=staff)
        w.harm_ids = dict(HarmType.objects.values_list("code", "pk"))
        w.source_agency = dict(
            Source.objects.filter(agency__isnull=False).values_list("code", "agency__name")
        )
        w.source_agency_id = dict(
            Source.objects.filter(agency__isnull=False).values_list("code", "agency_id")
        )
        # The intake's rows are made again below with their history (arrival, screening).
        QueueItem.objects.all().delete()
        by_person: dict[int, list[int]] = defaultdict(list)
        for pid, eid in pairs:
            by_person[pid].append(eid)
        say(
            f"screening {len(pairs):,} items about {len(persons):,} children and running their cases"
        )
        for chunk in _chunks(persons, CHUNK):
            _write_chunk(w, chunk, by_person, counts)
            say(f"  {counts['screenings']:,} screenings, {counts['cases']:,} cases so far")
    return dict(counts)


def _write_chunk(
    w: World, persons: list[int], by_person: dict[int, list[int]], counts: dict[str, int]
) -> None:
    event_ids = [e for p in persons for e in by_person[p]]
    events: dict[int, tuple[datetime, list[str]]] = {}
    for eid, recorded in Event.objects.filter(pk__in=event_ids).values_list("pk", "recorded_at"):
        events[eid] = (recorded, [])
    for eid, code in (
        Event.harm_types.through.objects.filter(event_id__in=event_ids)
        .order_by("event_id", "harmtype__code")
        .values_list("event_id", "harmtype__code")
    ):
        events[eid][1].append(code)
    facts = _facts(persons)
    latest_arrival = w.now - timedelta(minutes=10)
    works: list[ChildWork] = []
    for pid in persons:
        items = []
        for eid in by_person[pid]:
            recorded, harms = events[eid]
            arrived = min(recorded + w.offset, latest_arrival)
            items.append(Item(eid, pid, arrived, w.due_for(arrived), tuple(harms)))
        items.sort(key=lambda it: (it.arrived, it.event_id))
        works.append(simulate_child(w, pid, items, facts[pid]))
    sims = [s for work in works for s in work.cases]
    _insert(Case, [s.case for s in sims])
    _insert(
        Case.harm_types.through,
        [
            Case.harm_types.through(case_id=s.case.pk, harmtype_id=h)
            for s in sims
            for h in sorted(s.harms)
        ],
    )
    _bulk(Transition, [t for s in sims for t in s.transitions], counts, "transitions")
    _bulk(Allocation, [a for s in sims for a in s.allocations], counts, "allocations")
    _bulk(Plan, [p for s in sims for p in s.plans], counts, "plans")
    _bulk(PlanVersion, [v for s in sims for v in s.versions], counts, "plan versions")
    _bulk(Review, [r for s in sims for r in s.reviews], counts, "reviews")
    _bulk(Action, [a for s in sims for a, _ in s.actions], counts, "actions")
    _bulk(StrategyDiscussion, [d for s in sims for d in s.sds], counts, "strategy discussions")
    _bulk(NrmReferral, [n for s in sims for n in s.nrms], counts, "NRM referrals")
    requests = []
    for s in sims:
        for request, open_items in s.closures:
            request.open_item_reasons = {f"{kind}:{obj.pk}": why for kind, obj, why in open_items}
            requests.append(request)
    _bulk(ClosureRequest, requests, counts, "closure requests")
    _bulk(Screening, [x for work in works for x in work.screenings], counts, "screenings")
    _bulk(PanelReferral, [r for s in sims for r in s.panel], counts, "panel referrals")
    _bulk(
        QueueItem,
        [
            QueueItem(
                event_id=it.event_id, person_id=it.person_id, arrived_at=it.arrived, due_at=it.due,
                screening=screening, screened_at=screened,
            )
            for work in works
            for it, screening, screened in work.items
        ],
        counts,
        "queue items",
    )  # fmt: skip
    counts["cases"] += len(sims)


def _bulk(model: Any, rows: list[Any], counts: dict[str, int], name: str) -> None:
    _insert(model, rows)
    counts[name] += len(rows)


def _insert(model: Any, rows: list[Any]) -> None:
    """``bulk_create``, or on PostgreSQL a ``COPY`` (several times faster at the bench's scale)
    with the primary keys drawn from the table's own sequence first, so that the rows that
    point at these get their ids and the sequence stays right for the platform's own inserts."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=2000)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        fields = list(meta.concrete_fields)
        for obj, pk in zip(rows, ids, strict=True):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        # psycopg adapts dates, times, numbers and text itself; JSON goes as jsonb.
        names = [(f.attname, isinstance(f, models.JSONField)) for f in fields]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in rows:
                values = obj.__dict__
                copy.write_row([Jsonb(values[name]) if js else values[name] for name, js in names])
    for obj in rows:
        obj._state.adding = False
        obj._state.db = "default"


def timed(fn: Callable[[], dict[str, int]]) -> tuple[dict[str, int], float]:
    started = timer.perf_counter()
    result = fn()
    return result, timer.perf_counter() - started
