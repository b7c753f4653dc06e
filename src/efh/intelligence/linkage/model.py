"""The comparisons and blocking rules of the linkage model, and the saved model (``LinkModel``).

The comparisons are defined here in code, once, with Splink's comparison creators; Splink turns
them into SQL for the engine in use (DuckDB or Spark). A saved model is Splink's own settings
JSON (with the trained m and u probabilities) plus our metadata block; to run it on another
engine the comparisons are generated for that engine's SQL dialect and the trained parameters
are copied in level by level (``settings_for_dialect``), because Splink keeps each level's SQL as
text in the dialect it was trained in.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from efh.intelligence.linkage.prepare import STRONG_IDENTIFIERS

MODEL_VERSION = 2
RETRAIN = "run `efh link --retrain` to train a new model"


@dataclass(frozen=True)
class Thresholds:
    """Match-weight bands: at or above ``upper`` a pair is linked automatically (if both records
    are ``linkable``); from ``lower`` up to ``upper`` it goes to the clerical review queue; below
    ``lower`` the records are left apart.

    Chosen on the ``efh synth`` delivery of 60,000 children, seed 7 (bench/linkage_accuracy.py),
    precision first: at ``upper`` = 10 the pairwise precision after clustering was 0.996 (recall
    0.941); at 8 it was 0.992, at 12 recall fell to 0.88. ``lower`` = 0 (a pair as likely as not
    before the prior): 8,907 pairs for review on that delivery, half of them true matches;
    below it true pairs are rare. On FEBRL4 an upper threshold of 0 would be better (F1 0.992
    against 0.983), as its prior is larger; thresholds are configurable per partnership.
    """

    upper: float = 3.0
    lower: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.upper) and math.isfinite(self.lower)):
            raise ValueError("thresholds must be finite match weights")
        if self.lower > self.upper:
            raise ValueError("the lower threshold must not be above the upper one")


class LinkModelError(Exception):
    """A saved model that is corrupt, foreign or incompatible with this version of the code."""


def _jw(col: str, threshold: float) -> cll.JaroWinklerLevel:
    return cll.JaroWinklerLevel(col, threshold)


def _name(column: str, description: str, words: tuple[str, str], key: tuple[str, str]) -> Any:
    """A name comparison: exact (term-frequency adjusted), one letter different, very similar,
    a shared word (``words``: an array column and its label), somewhat similar, sounding alike
    (``key``: the phonetic key column and its label), else. Given and family names differ only
    in those two."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True),
            cll.DamerauLevenshteinLevel(column, 1),
            _jw(column, 0.9),
            cll.ArrayIntersectLevel(words[0], 1).configure(label_for_charts=words[1]),
            _jw(column, 0.8),
            cll.ExactMatchLevel(key[0]).configure(label_for_charts=key[1]),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[Any]:
    """The Fellegi-Sunter comparisons, in order. Levels are listed best first."""
    given = _name(
        "given_name",
        "Given name",
        ("forenames", "one is among the other's aliases, nicknames or street names"),
        ("given_key", "sound alike (Catherine, Kathryn)"),
    )
    family = _name(
        "family_name",
        "Family name",
        ("surnames", "share one part of a double-barrelled name"),
        ("family_key", "sound alike (Husain, Hossain)"),
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) "
                "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                label_for_charts="day and month swapped",
                base_dialect_str="duckdb",
            ),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.CustomLevel(
                "substr(dob_l, 6, 5) = substr(dob_r, 6, 5)",
                label_for_charts="same day and month, another year",
                base_dialect_str="duckdb",
            ),
            cll.CustomLevel(
                "substr(dob_l, 1, 7) = substr(dob_r, 1, 7)",
                label_for_charts="same year and month",
                base_dialect_str="duckdb",
            ),
            cll.ElseLevel(),
        ],
    )
    sex = cl.ExactMatch("sex")
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_description="Address and postcode",
        comparison_levels=[
            cll.And(cll.NullLevel("address"), cll.NullLevel("postcode")),
            cll.And(cll.ExactMatchLevel("address"), cll.ExactMatchLevel("postcode")).configure(
                label_for_charts="same address and postcode"
            ),
            cll.ExactMatchLevel("address").configure(label_for_charts="same address"),
            cll.And(cll.ExactMatchLevel("postcode"), _jw("address", 0.9)).configure(
                label_for_charts="same postcode, similar address"
            ),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True).configure(
                label_for_charts="same postcode"
            ),
            cll.ExactMatchLevel("pc_sector").configure(label_for_charts="same postcode sector"),
            cll.ExactMatchLevel("pc_district").configure(label_for_charts="same postcode district"),
            cll.ElseLevel(),
        ],
    )
    ids = [cl.ExactMatch(c) for c in ("phone", "nhs_number", "upn", "pnc_id")]
    return [given, family, dob, sex, address, *ids]


COMPARISON_NAMES = (
    "given_name",
    "family_name",
    "dob",
    "sex",
    "address",
    "phone",
    "nhs_number",
    "upn",
    "pnc_id",
)

#: The comparisons that can corroborate a name: a pair agreeing on none of them (each is missing
#: from one record or both, or differs) is never linked automatically.
CORROBORATING = ("dob", "address", "phone", *STRONG_IDENTIFIERS)


def prediction_blocking_rules() -> list[Any]:
    """Candidate pairs for prediction: any one of these agreeing.

    The strong identifiers each; then date of birth with the phonetic key of either name
    (catches nicknames and changed surnames); both phonetic name keys with the year of birth or
    with the day and month (catches typed and swapped dates, and a year out); postcode, or phone,
    with either phonetic name key, and the exact given and family name where a date of birth is
    missing (catch records without a date of birth, or with a wrong one: a police record known
    by a name and a phone number, say).

    Measured with ``splink.blocking_analysis.count_comparisons_from_blocking_rules`` on an
    ``efh synth`` delivery of 530,000 children (1,000,000 person records): see
    tests/intelligence/test_linkage.py::test_blocking_stays_small and the bench.
    """
    return [
        block_on("nhs_number"),
        block_on("upn"),
        block_on("pnc_id"),
        block_on("dob", "family_key"),
        block_on("dob", "given_key"),
        block_on("given_key", "family_key", "dob_year"),
        block_on("given_key", "family_key", "dob_md"),
        block_on("postcode", "given_key"),
        block_on("postcode", "family_key"),
        block_on("phone", "given_key"),
        block_on("phone", "family_key"),
        # Exact names, only where a date of birth is missing (with both dates present the
        # rules above already find the pair; on a million records this one alone would add
        # over 20 million pairs of namesakes otherwise).
        "l.given_name = r.given_name AND l.family_name = r.family_name "
        "AND (l.dob IS NULL OR r.dob IS NULL)",
    ]


def settings_creator() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=prediction_blocking_rules(),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["linkable"],
        probability_two_random_records_match=1e-4,
    )


def settings_for_dialect(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model's settings with every level's SQL generated for ``dialect``.

    Parameters (m, u, term-frequency settings, the prior) are copied from ``trained``; the SQL
    comes from this module's comparisons, which the model's version check guarantees match.
    """
    fresh = settings_creator().create_settings_dict(dialect)
    out = json.loads(json.dumps(trained))
    out["sql_dialect"] = dialect
    out["blocking_rules_to_generate_predictions"] = fresh["blocking_rules_to_generate_predictions"]
    for comparison, new in zip(out["comparisons"], fresh["comparisons"], strict=True):
        for level, new_level in zip(
            comparison["comparison_levels"], new["comparison_levels"], strict=True
        ):
            level["sql_condition"] = new_level["sql_condition"]
    return out


class LinkModel:
    """A trained model: Splink's settings (with m and u probabilities) and our metadata."""

    def __init__(
        self,
        settings: dict[str, Any],
        *,
        thresholds: Thresholds | None = None,
        trained_at: str | None = None,
        records: int = 0,
    ) -> None:
        self.settings = settings
        self.thresholds = thresholds or Thresholds()
        self.trained_at = trained_at or datetime.now(UTC).isoformat(timespec="seconds")
        self.records = records

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.settings,
            "efh": {
                "efh_linkage_model": MODEL_VERSION,
                "comparisons": list(COMPARISON_NAMES),
                "thresholds": {"upper": self.thresholds.upper, "lower": self.thresholds.lower},
                "trained_at": self.trained_at,
                "records": self.records,
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=False)

    @classmethod
    def from_json(cls, text: str | bytes, *, origin: str = "the saved model") -> LinkModel:
        """Parse and check a saved model; LinkModelError says what is wrong and what to do."""

        def fail(what: str) -> LinkModelError:
            return LinkModelError(f"Linkage model {origin}: {what}; {RETRAIN}.")

        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise fail(f"not valid JSON ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("efh"), dict):
            raise fail("not an EFH linkage model (no 'efh' metadata block)")
        meta = data.pop("efh")
        if meta.get("efh_linkage_model") != MODEL_VERSION:
            raise fail(
                f"made for model version {meta.get('efh_linkage_model')!r}, "
                f"this code reads version {MODEL_VERSION}"
            )
        found = data.get("comparisons")
        if not isinstance(found, list):
            raise fail("it has no list of comparisons")
        names = [c.get("output_column_name") if isinstance(c, dict) else None for c in found]
        missing = [n for n in COMPARISON_NAMES if n not in names]
        if missing or len(names) != len(COMPARISON_NAMES):
            raise fail(
                f"its comparisons {names} are not the expected {list(COMPARISON_NAMES)}"
                + (f" (missing {missing})" if missing else "")
            )
        expected = settings_creator().create_settings_dict("duckdb")["comparisons"]
        for comparison, want in zip(found, expected, strict=True):
            name = comparison["output_column_name"]
            if name != want["output_column_name"]:
                raise fail(f"comparison {name!r} is out of order")
            levels = comparison.get("comparison_levels")
            if not isinstance(levels, list) or len(levels) != len(want["comparison_levels"]):
                raise fail(f"comparison {name!r} has the wrong number of levels")
            for i, level in enumerate(levels):
                if not isinstance(level, dict):
                    raise fail(f"comparison {name!r} level {i} is not an object")
                if level.get("is_null_level"):
                    continue
                for p in ("m_probability", "u_probability"):
                    v = level.get(p)
                    number = isinstance(v, int | float) and not isinstance(v, bool)
                    if not (number and math.isfinite(v) and 0.0 < v <= 1.0):  # type: ignore[arg-type,operator]
                        raise fail(
                            f"comparison {name!r} level {i} has {p} {v!r}, "
                            "which is not a number in (0, 1]"
                        )
        prior = data.get("probability_two_random_records_match")
        if not isinstance(prior, int | float) or not 0.0 < float(prior) < 1.0:
            raise fail(f"probability_two_random_records_match {prior!r} is not in (0, 1)")
        try:
            t = meta.get("thresholds") or {}
            thresholds = Thresholds(float(t["upper"]), float(t["lower"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"its thresholds are missing or invalid ({exc})") from None
        return cls(
            data,
            thresholds=thresholds,
            trained_at=str(meta.get("trained_at") or ""),
            records=int(meta.get("records") or 0),
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temporary file in the same directory, then ``os.replace``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.to_json())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LinkModel:
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise LinkModelError(
                f"Linkage model {path}: cannot be read ({exc.strerror}); {RETRAIN}."
            ) from None
        return cls.from_json(text, origin=str(path))

    def with_thresholds(self, thresholds: Thresholds) -> LinkModel:
        return LinkModel(
            self.settings, thresholds=thresholds, trained_at=self.trained_at, records=self.records
        )
