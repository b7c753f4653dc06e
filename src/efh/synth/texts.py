"""Free-text summaries of events, as practitioners write them (commas, quotes, the odd line break).

No template starts with ``=``, ``+``, ``-`` or ``@``, so no summary looks like a spreadsheet formula.
"""

from __future__ import annotations

import numpy as np

HARM_WORDS = {
    "cce": "criminal exploitation",
    "county_lines": "county lines",
    "cse": "sexual exploitation",
    "syv": "serious youth violence",
    "trafficking": "trafficking",
    "modern_slavery": "modern slavery",
    "online": "online harm",
    "tra": "teenage relationship abuse",
    "hsb": "harmful sexual behaviour",
    "radicalisation": "radicalisation",
    "missing": "going missing",
    "dva": "domestic abuse at home",
    "neglect": "neglect",
    "self_harm": "self-harm",
    "substance": "drug and alcohol use",
    "financial": "financial exploitation",
    "": "general welfare",
}

TEMPLATES = {
    "incident": (
        "Report of a fight near {place}, {n} young people dispersed on police arrival",
        "{name} reported being assaulted by a group, minor injuries, CCTV requested",
        'Neighbour called about "lots of shouting" and a car driving off at speed near {place}',
        "Robbery of a mobile phone, suspects on e-bikes, one wearing a balaclava",
        "Disturbance at {place}; officers raised concerns about {harm}",
    ),
    "stop_search": (
        "Stopped near {place} under s.23 Misuse of Drugs Act, nothing found",
        "Search of {name} near {place}: small amount of cannabis, words of advice given",
        "Stopped with others near {place}, £340 in cash and two phones seized",
        "Search under s.1 PACE after a report of a bladed article, nothing found",
    ),
    "arrest": (
        "{name} arrested on suspicion of possession with intent to supply, released under investigation",
        "Arrest for affray following an incident at {place}",
        "{name} arrested out of borough with class A drugs, believed to be county lines",
    ),
    "intelligence": (
        "Intelligence suggests {name} is holding drugs for older males, linked to {label}",
        "Information received that {name} has been seen getting into cars near {place} late at night",
        "Source reports young people being recruited at {place}; {harm} suspected",
        'Young people heard referring to a group called "{label}" near {place}',
    ),
    "concern": (
        "{name} seen with older males and new expensive clothes; staff worried",
        "Concern about {name}'s online contact with unknown adults",
        "{name} disclosed worries about {harm} to a member of staff",
        "Parent reports {name} coming home late, with unexplained money and a second phone",
    ),
    "exclusion": (
        "Fixed-term exclusion, 5 days, for persistent disruptive behaviour",
        "Suspension after a fight with another pupil, {name} refused to engage",
        "Permanent exclusion after bringing a bladed article to school",
    ),
    "ae_attendance": (
        "Attended A&E with a laceration to the left hand, account inconsistent",
        "Presented intoxicated, brought in by friends, discharged to parent",
        "Attended after an overdose, referred to CAMHS",
        "Stab wound to the leg, police informed",
    ),
    "referral": (
        "Referral to children's social care: {harm}",
        "{name} referred for early help, family agrees",
        "Referral to the exploitation panel, concerns about {harm}",
    ),
}
UPDATES = (
    "\nUpdate: {name} seen again near {place}, no further action.",
    "\nUpdate: strategy discussion held, actions agreed.",
)


def summaries(
    rng: np.random.Generator,
    kind: np.ndarray,
    harm: np.ndarray,
    name: np.ndarray,
    place: np.ndarray,
    label: np.ndarray,
    n_people: np.ndarray,
) -> np.ndarray:
    """One summary per event (about 15% left empty)."""
    n = len(kind)
    u = rng.random((n, 4))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if u[i, 0] < 0.15:
            out[i] = ""
            continue
        options = TEMPLATES[kind[i]]
        text = options[int(u[i, 1] * len(options))]
        first_harm = harm[i].split(";")[0] if harm[i] else ""
        values = {
            "name": name[i] or "Young person",
            "place": place[i] or "the scene",
            "label": label[i] or "a local group",
            "harm": HARM_WORDS.get(first_harm, first_harm),
            "n": max(3, int(n_people[i]) + 2),
        }
        text = text.format(**values)
        if u[i, 2] < 0.02:
            text += UPDATES[int(u[i, 3] * len(UPDATES))].format(**values)
        out[i] = text
    return out
