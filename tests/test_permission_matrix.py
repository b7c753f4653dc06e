"""The permission matrix: every role against every view, allowed and denied, object by object.

Each row is one entry point (a URL name and the object it is about); each column a role. The
expected answer is the status code: 200 (allowed), 403 (denied), 302 (sent elsewhere: to sign
in, or on to the record). Denied answers must not contain the child's name. The object-level
cases are the issue's: a child the practitioner's agency recorded on, another agency's child, a
child shared with the practitioner's agency, and the same child after breaking the glass.

The command line (``efh import``, ``efh export``, ``efh audit verify``) is an operator's entry
point on the server, not a role's: it is covered by the ingest and access-log tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.concerns.models import ConcernDraft, MissingEpisode, MissingFrom, PhilomenaProfile
from efh.concerns.services.concern import PersonInConcern, concern_record
from efh.contexts.models import LocationKind, OrganisationKind
from efh.people.models import LawfulBasis, SharingScope, SpecialCategoryCondition
from factories import (
    LocationFactory,
    MissingEpisodeFactory,
    OrganisationFactory,
    SharingDecisionFactory,
)

ROLES = [
    "anonymous",
    "police.officer",  # agency practitioner (police)
    "screener",
    "panel.chair",
    "analyst",
    "manager",  # partnership manager
    "auditor",
    "admin",  # system administrator
]
CASEWORK_WIDE = {"screener": 200, "panel.chair": 200}
PSEUDONYMISED = {"analyst": 200, "manager": 200}
NO_PERSONAL = {"auditor": 403, "admin": 403}
ANON = {"anonymous": 302}
# The front door and the data-quality role review record links (Capability.LINK_REVIEW).
LINK_REVIEWERS = {"screener": 200, "data.quality": 200}


def expect(**codes: int) -> dict[str, int]:
    """Codes by role; usernames with dots are written with underscores here."""
    return {role.replace("_", "."): code for role, code in codes.items()}


# (case id, url name, kwargs key, query, expected code by role)
MATRIX: list[tuple[str, str, str | None, str, dict[str, int]]] = [
    ("home", "pages:home", None, "", {**ANON, **dict.fromkeys(ROLES[1:], 200)}),
    (
        "search",
        "people:search",
        None,
        "?q=Example",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "record: own agency's child",
        "people:record",
        "own",
        "",
        {**ANON, "police.officer": 200, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "record: another agency's child",
        "people:record",
        "other",
        "",
        {**ANON, "police.officer": 403, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "record: child shared with the practitioner's agency",
        "people:record",
        "shared",
        "",
        {**ANON, "police.officer": 200, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "record: an adult recorded by another agency",
        "people:record",
        "adult",
        "",
        {**ANON, "police.officer": 403, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "break glass: reason form",
        "people:break-glass",
        "other",
        "",
        {
            **ANON,
            "police.officer": 200,
            # They may open every record already: sent straight to it.
            "screener": 302,
            "panel.chair": 302,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "share: own agency's child",
        "people:share",
        "own",
        "",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "share: another agency's child",
        "people:share",
        "other",
        "",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "place page",
        "places:location",
        "location",
        "",
        {**ANON, "police.officer": 200, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "record a concern",
        "concerns:concern-new",
        None,
        "",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "record a concern about another agency's child",
        "concerns:concern-new",
        None,
        "?person={other}",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "record a missing episode: own agency's child",
        "concerns:missing-new",
        None,
        "?person={own}",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "record a missing episode: another agency's child",
        "concerns:missing-new",
        None,
        "?person={other}",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "missing episode: own agency's child",
        "concerns:missing",
        "episode_own",
        "",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "missing episode: another agency's child",
        "concerns:missing",
        "episode_other",
        "",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "return home interview: own agency's child",
        "concerns:missing-interview",
        "episode_own",
        "",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "return home interview: another agency's child",
        "concerns:missing-interview",
        "episode_other",
        "",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "Philomena profile: own agency's child",
        "concerns:philomena",
        "own",
        "",
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "Philomena profile: another agency's child",
        "concerns:philomena",
        "other",
        "",
        {
            **ANON,
            "police.officer": 403,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    *[
        (
            f"Philomena profile {page}: {whose} child",
            f"concerns:philomena-{page}",
            key,
            "",
            {
                **ANON,
                "police.officer": 200 if key == "own" else 403,
                **CASEWORK_WIDE,
                "analyst": 403,
                "manager": 403,
                **NO_PERSONAL,
            },
        )
        for page in ("edit", "print", "photo")
        for whose, key in (("own agency's", "own"), ("another agency's", "other"))
    ],
    (
        "organisation page",
        "places:organisation",
        "organisation",
        "",
        {**ANON, "police.officer": 200, **CASEWORK_WIDE, **PSEUDONYMISED, **NO_PERSONAL},
    ),
    (
        "confirmation of a concern the practitioner recorded",
        "concerns:concern-recorded",
        "concern",
        "",
        # Only its recorder sees the confirmation; to anyone else it does not exist.
        {
            **ANON,
            "police.officer": 200,
            "screener": 404,
            "panel.chair": 404,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    *[
        (
            f"audit: {name}",
            f"audit:{name}",
            key,
            "",
            {
                **ANON,
                **dict.fromkeys(
                    ["police.officer", "screener", "panel.chair", "analyst", "manager", "admin"],
                    403,
                ),
                "auditor": 200,
            },
        )
        for name, key in [
            ("index", None),
            ("person", "other"),
            ("user", "officer"),
            ("break-glass", None),
            ("break-glass-review", "glass"),
        ]
    ],
    *[
        (
            f"record linkage: {case}",
            name,
            key,
            query,
            {
                **ANON,
                **dict.fromkeys(
                    ["police.officer", "panel.chair", "analyst", "manager", "auditor", "admin"],
                    403,
                ),
                **LINK_REVIEWERS,
            },
        )
        for case, name, key, query in [
            ("review queue", "people:link-review", None, ""),
            ("not sure list", "people:link-review", None, "?list=not_sure"),
            ("one review pair", "people:link-pair", "review_pair", ""),
            ("merges", "people:merges", None, ""),
            ("undo a merge", "people:merge-undo", "merge", ""),
            ("merge two people", "people:merge-persons", None, "?a={merge_a}&b={merge_b}"),
            ("link runs", "people:link-runs", None, ""),
        ]
    ],
    *[
        (
            f"intelligence: {case}",
            name,
            key,
            "",
            {
                **ANON,
                **dict.fromkeys(
                    ["police.officer", "screener", "panel.chair", "auditor", "admin"], 403
                ),
                # Aggregates for analysts and partnership managers; people (by pseudonym) for
                # analysts only (Capability.INTELLIGENCE).
                "analyst": 200,
                "manager": 200 if aggregate else 403,
            },
        )
        for case, name, key, aggregate in [
            ("overview", "insight:overview", None, True),
            ("hotspots", "insight:hotspots", None, True),
            ("trends", "insight:trends", None, True),
            ("peer-group candidates", "insight:peer-groups", None, False),
            ("one peer-group candidate", "insight:peer-group", "peer_group", False),
            ("adults linked to several children", "insight:adults", None, False),
            ("one adult candidate", "insight:adult", "adult_candidate", False),
            ("children missing together", "insight:co-missing", None, False),
            ("one co-missing candidate", "insight:co-missing-group", "co_missing", False),
            ("one child's connections", "insight:person", "own", False),
            ("refreshes and their progress", "insight:refresh-runs", None, False),
        ]
    ],
    (
        "two-factor enrolment",
        "accounts:two-factor",
        None,
        "",
        {**ANON, **dict.fromkeys(ROLES[1:], 200)},
    ),
]

PERSONAL_KEYS = {
    "own",
    "other",
    "shared",
    "adult",
    "episode_own",
    "episode_other",
    "location",
    "organisation",
    "concern",
    "review_pair",
    "merge",
    "peer_group",
    "adult_candidate",
    "co_missing",
}
CHILD_NAMES = {
    "own": "Ottoline",
    "other": "Hildegard",
    "shared": "Winifred",
    "adult": "Bartholomew",
}


@pytest.fixture
def world(demo: dict[str, Any], make_person: Any) -> dict[str, Any]:
    """Two agencies' children, one shared, an adult, a place, missing episodes, a break glass."""
    from efh.people.models import BreakGlassAccess

    now = datetime.now(tz=UTC)
    own = make_person(source="police", given_name=CHILD_NAMES["own"], family_name="Quixley")
    other = make_person(
        source="education", given_name=CHILD_NAMES["other"], family_name="Zabrinski"
    )
    shared = make_person(source="education", given_name=CHILD_NAMES["shared"], family_name="Yarrow")
    adult = make_person(
        source="education",
        given_name=CHILD_NAMES["adult"],
        family_name="Adult",
        is_child=False,
        date_of_birth=datetime(1990, 5, 5, tzinfo=UTC).date(),
    )
    SharingDecisionFactory(
        person=shared,
        shared_by=demo["school.dsl"],
        from_agency=demo["school.dsl"].agency,
        to_agency=demo["police.officer"].agency,
        scope=SharingScope.WHOLE_RECORD,
        purpose="Joint safety planning after an exploitation concern",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        condition=SpecialCategoryCondition.SAFEGUARDING,
        consent_override_reason="Seeking consent would place the child at further risk",
        decided_at=now,
    )
    location = LocationFactory(name="Example Park", kind=LocationKind.PARK)

    def episode(person: Any, source: str, key: str) -> MissingEpisode:
        return MissingEpisodeFactory(
            source=source,
            source_id=key,
            record=person.records.get(),
            missing_from=MissingFrom.HOME,
            went_missing_at=now - timedelta(days=3),
            returned_at=now - timedelta(days=2),
        )

    organisation = OrganisationFactory(name="Example Academy", kind=OrganisationKind.SCHOOL)
    officer = demo["police.officer"]
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    for person in (own, other):
        PhilomenaProfile.objects.create(
            person=person,
            description="Tall, green coat",
            photo=png,
            photo_type="image/png",
            updated_at=now,
            updated_by=officer,
        )
    concern = concern_record(
        actor=officer,
        occurred_at=now - timedelta(hours=1),
        summary="Seen getting into a car with older males",
        people=[PersonInConcern(role="subject", person_id=own.pk)],
    )
    draft = ConcernDraft.objects.create(user=officer, data={"summary": ["half-written"]})
    glass = BreakGlassAccess.objects.create(
        person=other,
        user=demo["screener"],
        reason="Urgent: the child was found with a missing child I am working with",
        opened_at=now - timedelta(hours=5),
        expires_at=now - timedelta(hours=3),
        log_seq=1,
    )
    # Record linkage: a pair on the review queue, a merge, and two people to merge.
    from efh.people.models import ReviewPair
    from efh.people.services import persons_merge

    pair_a, pair_b = (
        make_person(source=s, given_name="Queued", family_name="Pairling").records.get()
        for s in ("police", "health")
    )
    review_pair = ReviewPair.objects.create(
        record_a=pair_a, record_b=pair_b, match_weight=2.5, match_probability=0.85, created_at=now
    )
    merge = persons_merge(
        actor=demo["data.quality"],
        survivor=make_person(given_name="Merged", family_name="Survivor"),
        absorbed=make_person(source="health", given_name="Merged", family_name="Absorbed"),
        reason="Same NHS number",
    )
    merge_a = make_person(given_name="Mergeable", family_name="One")
    merge_b = make_person(source="health", given_name="Mergeable", family_name="Two")
    candidates = _intelligence_candidates(own, other, adult)
    return {
        **candidates,
        "review_pair": review_pair.pk,
        "merge": merge.pk,
        "merge_a": merge_a.pk,
        "merge_b": merge_b.pk,
        "own": own.pk,
        "other": other.pk,
        "shared": shared.pk,
        "adult": adult.pk,
        "location": location.pk,
        "organisation": organisation.pk,
        "concern": concern.pk,
        "draft": draft.pk,
        "episode_own": episode(own, "police", "M1").pk,
        "episode_other": episode(other, "education", "M2").pk,
        "officer": demo["police.officer"].pk,
        "glass": glass.pk,
        "users": demo,
    }


def _intelligence_candidates(own: Any, other: Any, adult: Any) -> dict[str, str]:
    """A finished refresh with one candidate of each kind (efh.insight), about the two
    children and the adult: the codes by matrix key."""
    from efh.insight.models import Candidate, CandidateKind, CandidateMember, RefreshRun

    now = datetime.now(tz=UTC)
    run = RefreshRun.objects.create(
        status="succeeded", started_by="test", started_at=now, heartbeat_at=now, finished_at=now
    )
    codes = {}
    for key, kind, code, person in [
        ("peer_group", CandidateKind.PEER_GROUP, "PG-0001", None),
        ("adult_candidate", CandidateKind.ADULT, "AD-0001", adult),
        ("co_missing", CandidateKind.CO_MISSING, "CM-0001", None),
    ]:
        candidate = Candidate.objects.create(
            kind=kind,
            code=code,
            person=person,
            first_run=run,
            last_run=run,
            size=2,
            summary={"edges": [{"a": own.pk, "b": other.pk, "weight": 1.0}]},
        )
        CandidateMember.objects.bulk_create(
            [CandidateMember(candidate=candidate, person=p) for p in (own, other)]
        )
        codes[key] = code
    return codes


def url_for(name: str, key: str | None, query: str, world: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    if key is not None:
        param = {
            "people:link-pair": "pk",
            "people:merge-undo": "pk",
            "people:": "person_id",
            "concerns:philomena": "person_id",
            "audit:person": "person_id",
            "audit:user": "user_id",
            "concerns:concern-recorded": "event_id",
            "insight:person": "person_id",
            "insight:": "code",
        }
        arg = next((v for k, v in param.items() if name.startswith(k)), "pk")
        kwargs[arg] = world[key]
    return reverse(name, kwargs=kwargs) + query.format(**world)


CASES = [
    pytest.param(name, key, query, role, code, id=f"{case} | {role}")
    for case, name, key, query, codes in MATRIX
    for role, code in codes.items()
]


@pytest.mark.parametrize(("name", "key", "query", "role", "code"), CASES)
def test_permission_matrix(
    world: dict[str, Any], name: str, key: str | None, query: str, role: str, code: int
) -> None:
    from efh.core.models import AccessLogEntry

    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    logged = AccessLogEntry.objects.count()
    response = client.get(url_for(name, key, query, world))
    assert response.status_code == code, response.content[:2000]
    # The break-glass form shows nothing of the record but how many agencies know the person.
    about_someone = (key in PERSONAL_KEYS or "{" in query) and name != "people:break-glass"
    if code == 200 and about_someone:
        # Every view of personal data is in the access log.
        assert AccessLogEntry.objects.count() > logged
    if code == 302 and role == "anonymous":
        assert reverse("accounts:sign-in") in response["Location"]
    if code in (302, 403) and key in CHILD_NAMES:
        assert CHILD_NAMES[key].encode() not in response.content


# Entry points that take a POST: (case id, url name, kwargs key, form data, codes by role).
POST_MATRIX: list[tuple[str, str, str | None, dict[str, str], dict[str, int]]] = [
    (
        "search by name",
        "people:search",
        None,
        {"name": "Ottoline Quixley"},
        {
            **ANON,
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "autosave a concern draft",
        "concerns:concern-autosave",
        None,
        {"summary": "Half-written"},
        {
            "anonymous": 401,  # JSON: the page keeps the text until they sign in again
            "police.officer": 200,
            **CASEWORK_WIDE,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "discard the practitioner's concern draft",
        "concerns:concern-draft-delete",
        "draft",
        {},
        # Someone else's draft does not exist for them.
        {
            **ANON,
            "police.officer": 302,
            "screener": 404,
            "panel.chair": 404,
            "analyst": 403,
            "manager": 403,
            **NO_PERSONAL,
        },
    ),
    (
        "decide a review pair",
        "people:link-pair",
        "review_pair",
        {"decision": "not_sure"},
        {
            **ANON,
            **dict.fromkeys(
                ["police.officer", "panel.chair", "analyst", "manager", "auditor", "admin"], 403
            ),
            "screener": 302,
            "data.quality": 302,
        },
    ),
    (
        "undo a merge",
        "people:merge-undo",
        "merge",
        {"reason": "Different children"},
        {
            **ANON,
            **dict.fromkeys(
                ["police.officer", "panel.chair", "analyst", "manager", "auditor", "admin"], 403
            ),
            "screener": 302,
            "data.quality": 302,
        },
    ),
    *[
        (
            f"review a {case}",
            name,
            key,
            {"decision": "confirmed", "reason": "Discussed at the panel"},
            {
                **ANON,
                **dict.fromkeys(
                    ["police.officer", "panel.chair", "manager", "auditor", "admin"], 403
                ),
                "analyst": 302,
            },
        )
        for case, name, key in [
            ("peer-group candidate", "insight:peer-group", "peer_group"),
            ("adult candidate", "insight:adult", "adult_candidate"),
            ("co-missing candidate", "insight:co-missing-group", "co_missing"),
        ]
    ],
    (
        "start a link run (queued for the task worker)",
        "ingest:link-run-start",
        None,
        {},
        {
            **ANON,
            **dict.fromkeys(
                ["police.officer", "panel.chair", "analyst", "manager", "auditor", "admin"], 403
            ),
            "screener": 302,
            "data.quality": 302,
        },
    ),
    (
        "start a refresh of the intelligence picture (queued for the task worker)",
        "insight:refresh-start",
        None,
        {},
        {
            **ANON,
            **dict.fromkeys(
                ["police.officer", "screener", "panel.chair", "manager", "auditor", "admin"], 403
            ),
            "analyst": 302,
        },
    ),
    (
        "keep the session alive",
        "accounts:session-extend",
        None,
        {},
        {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ),
]

POST_CASES = [
    pytest.param(name, key, data, role, code, id=f"POST {case} | {role}")
    for case, name, key, data, codes in POST_MATRIX
    for role, code in codes.items()
]


@pytest.mark.parametrize(("name", "key", "data", "role", "code"), POST_CASES)
def test_permission_matrix_posts(
    world: dict[str, Any], name: str, key: str | None, data: dict[str, str], role: str, code: int
) -> None:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    kwargs: dict[str, Any] = {}
    if key == "draft":
        kwargs = {"draft_id": world[key]}
    elif name.startswith("insight:") and key is not None:
        kwargs = {"code": world[key]}
    elif key is not None:
        kwargs = {"pk": world[key]}
    response = client.post(reverse(name, kwargs=kwargs), data)
    assert response.status_code == code, response.content[:2000]
    if code == 302 and role == "anonymous":
        assert reverse("accounts:sign-in") in response["Location"]


def test_search_shows_another_agencys_child_only_as_known(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["police.officer"])
    response = client.post(reverse("people:search"), {"name": "Hildegard Zabrinski"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ask the front door" in page
    record = reverse("people:record", kwargs={"person_id": world["other"]})
    assert f'href="{record}"' not in page
    assert reverse("people:break-glass", kwargs={"person_id": world["other"]}) in page


def test_every_url_name_is_in_the_matrix() -> None:
    """A new view must join the matrix: every named route of the product appears in it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(resolver: URLResolver, prefix: str = "") -> set[str]:
        found = set()
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                found |= names(entry, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                found.add(f"{prefix}{entry.name}")
        return found

    covered = {name for _, name, *_ in MATRIX} | {name for _, name, *_ in POST_MATRIX} | ELSEWHERE
    # Casework's views have their own matrices (tests/casework/test_*_matrix.py), which
    # tests/casework/test_matrix_coverage.py checks cover every casework route.
    assert {n for n in names(get_resolver()) if not n.startswith("casework:")} - covered == set()


# Routes covered by their own tests rather than the matrix: sign-in and sign-out (anyone), and
# the two-factor verify step (the signed-in user's own session), which tests/accounts covers.
ELSEWHERE = {
    "accounts:sign-in",
    "accounts:sign-out",
    "accounts:two-factor-verify",
}


def test_break_glass_opens_the_record_for_that_user_only(world: dict[str, Any]) -> None:
    from efh.people.services import break_glass_open

    officer = world["users"]["police.officer"]
    url = reverse("people:record", kwargs={"person_id": world["other"]})
    client = Client()
    client.force_login(officer)
    assert client.get(url).status_code == 403
    break_glass_open(
        actor=officer,
        person_id=world["other"],
        reason="Child found with a police-known child tonight; need history",
    )
    response = client.get(url)
    assert response.status_code == 200
    assert CHILD_NAMES["other"].encode() in response.content
    colleague = Client()
    colleague.force_login(world["users"]["yjs.officer"])
    assert colleague.get(url).status_code == 403


def test_analyst_sees_a_pseudonymised_record_without_names(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["analyst"])
    response = client.get(reverse("people:record", kwargs={"person_id": world["own"]}))
    assert response.status_code == 200
    assert CHILD_NAMES["own"].encode() not in response.content
    assert b"Quixley" not in response.content


def test_analyst_with_a_casework_role_sees_names(world: dict[str, Any]) -> None:
    from efh.accounts.models import Role

    analyst = world["users"]["analyst"]
    analyst.agency = world["users"]["police.officer"].agency
    analyst.save()
    analyst.extra_roles.add(Role.objects.get(code="practitioner"))
    client = Client()
    client.force_login(analyst)
    response = client.get(reverse("people:record", kwargs={"person_id": world["own"]}))
    assert response.status_code == 200
    assert CHILD_NAMES["own"].encode() in response.content
