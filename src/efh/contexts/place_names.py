"""One key for one real place, however each agency spells it.

Each agency sends its own record of a place, so "Upland Estate" arrives four times (police,
housing, school, youth service) and a school as "Upland Academy" from one system and
"UPLAND ACAD." from another. :func:`place_key` puts a name in one form: lower case, punctuation
and a trailing "(outside)"-style note dropped, "&" as "and", the usual abbreviations written
out (Est., Rd, St at the end, Acad.), and the words a kind of place is named with that agencies
add or leave off ("school" after "primary" or "academy", "overground" before "station",
"convenience" before "store"). With the postcode, it says which records are the same place.

Pure: no database, so it is tested on synthetic spellings directly.
"""

from __future__ import annotations

import re

# Abbreviations written out wherever they stand.
ABBREVIATIONS = {
    "est": "estate",
    "rd": "road",
    "acad": "academy",
    "ave": "avenue",
    "sq": "square",
    "stn": "station",
    "ctr": "centre",
    "center": "centre",
    "cofe": "ce",
    "sch": "school",
    "pk": "park",
    "ln": "lane",
    "gdns": "gardens",
    "ho": "house",
}
# Words dropped where they add nothing to tell two places apart.
DROPPED = {"the"}
# Two-word endings that mean one thing: the first kept, the second dropped.
SAME_ENDING = [
    (("primary", "school"), ("primary",)),
    (("academy", "school"), ("academy",)),
    (("high", "school"), ("high",)),
    (("infant", "school"), ("infants",)),
    (("infants", "school"), ("infants",)),
    (("junior", "school"), ("junior",)),
    (("community", "school"), ("community",)),
    (("overground", "station"), ("station",)),
    (("underground", "station"), ("station",)),
    (("tube", "station"), ("station",)),
    (("convenience", "store"), ("store",)),
    (("c", "of", "e"), ("ce",)),
]
# A trailing note that says where at the place, not which place.
NOTE = re.compile(r"\s*\((?:outside|near|nr|opposite|opp|behind|rear|by)\b[^)]*\)\s*$", re.I)


def name_words(name: str) -> list[str]:
    """The name's words in the one form (see the module's docstring)."""
    text = NOTE.sub("", name).lower()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    words = [ABBREVIATIONS.get(w, w) for w in words]
    # "St" at the end is a street; at the start ("St Mary's") a saint, left alone.
    if len(words) > 1 and words[-1] == "st":
        words[-1] = "street"
    words = [w for w in words if w not in DROPPED] or words
    changed = True
    while changed:
        changed = False
        for ending, replacement in SAME_ENDING:
            n = len(ending)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == ending:
                    words[i : i + n] = list(replacement)
                    changed = True
                    break
    # A lone trailing "school" ("Upland School" / "Upland") says nothing the postcode does not.
    if len(words) > 1 and words[-1] == "school":
        words = words[:-1]
    return words


def place_key(name: str, postcode: str = "") -> tuple[str, str]:
    """(normalised name, normalised postcode): equal for the same real place."""
    return (" ".join(name_words(name)), re.sub(r"\s+", "", postcode or "").upper())


def query_words(query: str) -> list[str]:
    """A search's words in the same form, so "Upland Estate" finds "UPLAND EST."."""
    return name_words(query)


def search_variants(word: str) -> list[str]:
    """What a typed word (in the one form) may look like in a stored name, for a database
    ``icontains`` pre-filter: the word, and each abbreviation of it."""
    variants = {word}
    variants |= {short for short, long in ABBREVIATIONS.items() if long == word}
    if word == "street":
        variants.add(" st")
    return sorted(variants)
