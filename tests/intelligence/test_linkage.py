"""The linkage engine on small fixed data: accuracy floors, bad input, saved models,
incremental prediction, clustering with cannot-links, explanations and blocking size."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from efh.intelligence.linkage import (
    COMPARISON_NAMES,
    HELD_BACK,
    INPUT_SCHEMA,
    LinkModel,
    LinkModelError,
    MergePlan,
    Thresholds,
    cluster,
    count_comparisons,
    explain,
    held_back,
    pairwise_scores,
    predict,
    predict_new,
    prepare,
    train,
)
from efh.intelligence.linkage.explain import LEVELS
from efh.intelligence.linkage.model import settings_creator


def _record(uid: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "unique_id": uid, "source": "police", "given_name": "", "family_name": "",
        "other_names": [], "date_of_birth": None, "sex": "", "postcode": "", "address": "",
        "phone": "", "nhs_number": "", "upn": "", "pnc_id": "",
    }  # fmt: skip
    row.update(fields)
    return row


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=INPUT_SCHEMA)


# --- accuracy floors ------------------------------------------------------------------------


def test_febrl4_subset_f1(bench: Any) -> None:
    """FEBRL4's first 1,000 + 1,000 records: F1 of the automatic links at least 0.98."""
    records, truth = bench.read_febrl4(1000)
    model = train(records)
    pairs = predict(records, model)
    precision, recall, f1 = pairwise_scores(bench.auto_pairs(pairs, model.thresholds.upper), truth)
    assert f1 >= 0.98, (precision, recall, f1)
    assert precision >= 0.995


def test_synth_accuracy_floor(bench: Any, synth_small: dict[str, Any], synth_pairs: Any,
                              synth_model: LinkModel) -> None:  # fmt: skip
    """2,000 synthetic children (twins, same-named siblings, nicknames, swapped dates): after
    clustering at the default upper threshold, the engine alone (no contradiction check) meets
    the issue's targets for the 60,000-child borough: precision 0.995, F1 0.98 (measured here:
    1.000 and 0.991; the bench has the 60,000 run through the whole platform)."""
    ids = synth_small["records"]["unique_id"].to_list()
    linked = bench.clustered_pairs(synth_pairs, ids, synth_model.thresholds.upper)
    precision, recall, f1 = pairwise_scores(linked, synth_small["pairs"])
    assert precision >= 0.995, (precision, recall, f1)
    assert f1 >= 0.98, (precision, recall, f1)


# --- bad input ------------------------------------------------------------------------------


def test_first_name_only_is_never_linked_automatically(synth_model: LinkModel) -> None:
    full = {
        "given_name": "Zebedee",
        "family_name": "Quartermaine",
        "date_of_birth": date(2011, 5, 4),
        "sex": "M",
        "postcode": "E8 1AA",
        "address": "1 Example Road",
        "nhs_number": "9990000018",
    }
    rows = [
        _record(1, **full),
        _record(2, **full),  # a true duplicate: linked
        _record(3, given_name="Zebedee"),  # a first name only
        _record(4, given_name="Zebedee", postcode="E8 1AA", address="1 Example Road"),
        _record(5, given_name="Zebedee", date_of_birth=date(2011, 5, 4), sex="M"),
    ]
    pairs = predict(_frame(rows), synth_model, threshold_weight=-1000)
    assert {(1, 2)} <= set(zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True))
    weak = pairs.filter(
        pl.col("unique_id_l").is_in([3, 4, 5]) | pl.col("unique_id_r").is_in([3, 4, 5])
    )
    assert weak.height > 0  # they are scored (and can be reviewed) ...
    assert not weak["auto_allowed"].any()  # ... but never linked automatically
    plans = cluster(pairs, person_of={i: 100 + i for i in range(1, 6)}, upper=-1000, cannot_link=[])
    assert plans == [MergePlan(101, 102, (1, 2), plans[0].match_weight)]


def test_twins_are_not_linked_automatically(synth_model: LinkModel) -> None:
    same = {
        "family_name": "Okafor",
        "date_of_birth": date(2012, 3, 13),
        "sex": "F",
        "postcode": "E5 9LR",
        "address": "174 Kyverdale Road",
    }
    pairs = predict(
        _frame([_record(1, given_name="Ella", **same), _record(2, given_name="Grace", **same)]),
        synth_model,
        threshold_weight=-1000,
    )
    assert pairs.height == 1 and not pairs["auto_allowed"][0]


def test_names_alone_never_link_automatically(synth_model: LinkModel) -> None:
    """One record's PNC id says nothing about a record without one: two namesakes, one known by
    date of birth and address, the other by a PNC id alone, agree only on names and sex."""
    name = {"given_name": "Zebedee", "family_name": "Quartermaine", "sex": "M"}
    rows = [
        _record(1, **name, date_of_birth=date(2011, 5, 4), address="1 Example Road",
                postcode="E8 1AA"),
        _record(2, **name, pnc_id="17/2139782H"),
    ]  # fmt: skip
    pairs = predict(_frame(rows), synth_model, threshold_weight=-1000)
    assert pairs.height == 1
    row = pairs.row(0, named=True)
    assert not row["auto_allowed"] and held_back(row) == "names_only"
    assert cluster(pairs, person_of={1: 101, 2: 102}, upper=-1000, cannot_link=[]) == []


def test_held_back_names_the_rule_that_held_a_pair_back(synth_pairs: pl.DataFrame,
                                                         synth_model: LinkModel) -> None:  # fmt: skip
    """Every reason is one of HELD_BACK; a pair allowed to link meets the two conditions that
    ``held_back`` reads from the levels; the twins and first-name-only cases get their own."""
    held = synth_pairs.filter(~pl.col("auto_allowed"))
    reasons = {held_back(row) for row in held.iter_rows(named=True)}
    assert reasons <= set(HELD_BACK) and "names_only" in reasons
    for row in synth_pairs.filter(pl.col("auto_allowed")).iter_rows(named=True):
        assert held_back(row) == "too_little"  # i.e. neither level-based condition failed
    same = {"family_name": "Okafor", "date_of_birth": date(2012, 3, 13), "sex": "F",
            "postcode": "E5 9LR", "address": "174 Kyverdale Road"}  # fmt: skip
    twins = predict(
        _frame([_record(1, given_name="Ella", **same), _record(2, given_name="Grace", **same)]),
        synth_model,
        threshold_weight=-1000,
    )
    assert held_back(twins.row(0, named=True)) == "given_names_differ"
    thin = predict(
        _frame([_record(1, given_name="Ella", **same),
                _record(2, given_name="Ella", date_of_birth=date(2012, 3, 13))]),
        synth_model,
        threshold_weight=-1000,
    )  # fmt: skip
    assert not thin["auto_allowed"][0] and held_back(thin.row(0, named=True)) == "too_little"


def test_input_is_checked() -> None:
    with pytest.raises(ValueError, match="missing column 'upn'"):
        prepare(_frame([_record(1)]).drop("upn"))
    with pytest.raises(ValueError, match="unique"):
        prepare(_frame([_record(1), _record(1)]))


def test_prepare_cleans_the_fields() -> None:
    row = prepare(_frame([_record(
        7, given_name=" Mary-Jane ", family_name="O'Connor-SMITH", other_names=["Big M", ""],
        date_of_birth=date(2010, 1, 2), sex="f", postcode="e81aa", phone="+44 7700 900123",
        nhs_number="999 000 0018", pnc_id="21/8165832Y",
    )])).row(0, named=True)  # fmt: skip
    assert row["given_name"] == "mary-jane" and row["family_name"] == "oconnor-smith"
    assert row["forenames"] == ["mary", "jane", "big", "m"]
    assert row["surnames"] == ["oconnor", "smith"]
    assert (row["dob"], row["sex"], row["postcode"]) == ("2010-01-02", "f", "E8 1AA")
    assert (row["pc_sector"], row["pc_district"]) == ("E8 1", "E8")
    assert (row["phone"], row["nhs_number"], row["pnc_id"]) == (
        "07700900123",
        "9990000018",
        "218165832Y",
    )
    assert row["linkable"]


# --- saved models ---------------------------------------------------------------------------


def test_saved_model_predicts_identically(
    tmp_path: Path, synth_small: dict[str, Any], synth_model: LinkModel, synth_pairs: Any
) -> None:
    path = tmp_path / "model.json"
    synth_model.save(path)
    loaded = LinkModel.load(path)
    assert loaded.thresholds == synth_model.thresholds
    again = predict(synth_small["records"], loaded)
    assert again.equals(synth_pairs)
    assert list(tmp_path.iterdir()) == [path]  # the temporary file was renamed, not left


def _corrupt(text: str, how: str) -> str:
    data = json.loads(text)
    if how == "truncated":
        return text[: len(text) // 2]
    if how == "foreign":
        data.pop("efh")
    elif how == "version":
        data["efh"]["efh_linkage_model"] = 999
    elif how == "missing comparison":
        data["comparisons"] = data["comparisons"][:-1]
    elif how == "zero m":
        data["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0
    elif how == "text u":
        data["comparisons"][2]["comparison_levels"][1]["u_probability"] = "high"
    elif how == "thresholds":
        data["efh"]["thresholds"] = {"upper": 1}
    return json.dumps(data)


@pytest.mark.parametrize(
    "how",
    ["truncated", "foreign", "version", "missing comparison", "zero m", "text u", "thresholds"],
)
def test_corrupt_model_is_a_clear_error(tmp_path: Path, synth_model: LinkModel, how: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(_corrupt(synth_model.to_json(), how))
    with pytest.raises(LinkModelError, match=r"model\.json: .*efh link --retrain"):
        LinkModel.load(path)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LinkModelError, match="cannot be read"):
        LinkModel.load(tmp_path / "absent.json")


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="lower"):
        Thresholds(upper=1, lower=2)


# --- incremental ----------------------------------------------------------------------------


def test_predict_new_links_a_new_delivery_without_retraining(
    synth_small: dict[str, Any], synth_model: LinkModel, synth_pairs: Any
) -> None:
    """Hold back 50 records whose person has other records; link them as a new delivery."""
    records, truth = synth_small["records"], synth_small["truth"]
    sizes = truth.group_by("true_person_id").len()
    shared = truth.join(sizes.filter(pl.col("len") > 1), on="true_person_id")
    held = set(
        shared.group_by("true_person_id").agg(pl.col("unique_id").max())["unique_id"].to_list()[:50]
    )
    existing = records.filter(~pl.col("unique_id").is_in(held))
    new = records.filter(pl.col("unique_id").is_in(held))
    before = synth_model.to_json()
    pairs = predict_new(existing, new, synth_model)
    assert synth_model.to_json() == before
    found = set(zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True))
    # every pair involves a new record; none is existing-with-existing
    assert all(a in held or b in held for a, b in found)
    # the same pairs and weights a full run gives, for the pairs involving a new record
    full = synth_pairs.filter(pl.col("unique_id_l").is_in(held) | pl.col("unique_id_r").is_in(held))
    assert set(zip(full["unique_id_l"], full["unique_id_r"], strict=True)) == found
    joined = full.join(pairs, on=["unique_id_l", "unique_id_r"])
    assert (joined["match_weight"] - joined["match_weight_right"]).abs().max() < 1e-9
    true_new = {p for p in synth_small["pairs"] if p[0] in held or p[1] in held}
    linked = {p for p in found if p in true_new}
    assert len(linked) >= 0.9 * len(true_new)


# --- clustering -----------------------------------------------------------------------------


def _pairs(rows: list[tuple[int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"unique_id_l": [r[0] for r in rows], "unique_id_r": [r[1] for r in rows],
         "match_weight": [r[2] for r in rows], "auto_allowed": [True] * len(rows)},
    )  # fmt: skip


def test_cluster_joins_persons_and_is_flat() -> None:
    pairs = _pairs([(1, 2, 20.0), (2, 3, 15.0), (4, 5, 12.0), (6, 7, 5.0)])
    person_of = {1: 10, 2: 20, 3: 30, 4: 40, 5: 10, 6: 60, 7: 70}
    plans = cluster(pairs, person_of=person_of, upper=10, cannot_link=[])
    assert plans == [
        MergePlan(10, 20, (1, 2), 20.0),
        MergePlan(10, 30, (2, 3), 15.0),
        MergePlan(10, 40, (4, 5), 12.0),
    ]
    survivors = {p.survivor_id for p in plans}
    assert not survivors & {p.absorbed_id for p in plans}


def test_cluster_respects_cannot_link_between_persons() -> None:
    # 1-2 strong, 2-3 weaker: a reviewer said persons 10 and 30 are different people.
    pairs = _pairs([(1, 2, 20.0), (2, 3, 15.0), (3, 4, 14.0)])
    person_of = {1: 10, 2: 20, 3: 30, 4: 40}
    plans = cluster(pairs, person_of=person_of, upper=10, cannot_link=[(30, 10)])
    assert plans == [MergePlan(10, 20, (1, 2), 20.0), MergePlan(30, 40, (3, 4), 14.0)]
    groups = [{10, 20}, {30, 40}]
    for a, b in [(10, 30)]:
        assert not any(a in g and b in g for g in groups)


def test_cluster_ignores_pairs_below_upper_or_not_auto_and_same_person() -> None:
    pairs = _pairs([(1, 2, 9.9), (3, 4, 30.0), (5, 6, 30.0)]).with_columns(
        pl.Series("auto_allowed", [True, False, True])
    )
    plans = cluster(pairs, person_of={1: 1, 2: 2, 3: 3, 4: 4, 5: 7, 6: 7}, upper=10, cannot_link=[])
    assert plans == []


def test_cluster_handles_a_million_pairs_quickly() -> None:
    import time

    import numpy as np

    rng = np.random.default_rng(3)
    n = 1_000_000
    left = rng.integers(0, 1_500_000, n)
    right = left + rng.integers(1, 50, n)
    pairs = pl.DataFrame({"unique_id_l": left, "unique_id_r": right,
                          "match_weight": rng.uniform(10, 30, n), "auto_allowed": np.ones(n, bool)})  # fmt: skip
    ids = np.unique(np.concatenate([left, right]))
    started = time.perf_counter()
    plans = cluster(pairs, person_of=pl.DataFrame({"unique_id": ids, "person_id": ids}), upper=10,
                    cannot_link=[(int(left[0]), int(right[0]))])  # fmt: skip
    assert time.perf_counter() - started < 20  # generous: a few seconds on the 2-core machine
    assert plans and len({p.absorbed_id for p in plans}) == len(plans)


# --- explanations and blocking --------------------------------------------------------------


def test_explain_levels_follow_the_model() -> None:
    comparisons = settings_creator().create_settings_dict("duckdb")["comparisons"]
    assert [c["output_column_name"] for c in comparisons] == list(COMPARISON_NAMES)
    for c in comparisons:
        levels = [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")]
        assert len(levels) == len(LEVELS[c["output_column_name"]])


def test_explain_a_pair(synth_pairs: Any) -> None:
    pair = synth_pairs.sort("match_weight", descending=True).row(0, named=True)
    parts = explain(pair)
    assert [p["field"] for p in parts] == list(COMPARISON_NAMES)
    total = sum(p["weight"] for p in parts)
    prior = pair["match_weight"] - total  # the rest is the prior, the same for every pair
    other = synth_pairs.row(synth_pairs.height // 2, named=True)
    assert abs(other["match_weight"] - sum(p["weight"] for p in explain(other)) - prior) < 1e-6
    assert all(p["words"].startswith(p["label"]) for p in parts)


def test_blocking_stays_in_single_digits_per_record(synth_small: dict[str, Any]) -> None:
    """Comparisons per record: single-digit millions per million records needs < 10 here (on
    2,000 children it is about 2; measured on a million records by the bench)."""
    counts = count_comparisons(synth_small["records"])
    total = counts[-1]["cumulative"]
    assert 0 < total / synth_small["records"].height < 10


def test_pairwise_scores() -> None:
    assert pairwise_scores({(2, 1), (3, 4)}, {(1, 2), (5, 6)}) == (0.5, 0.5, 0.5)
    assert pairwise_scores(set(), {(1, 2)}) == (1.0, 0.0, 0.0)
