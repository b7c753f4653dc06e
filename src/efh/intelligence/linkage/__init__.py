"""Identity linkage: a Fellegi-Sunter model (Splink) over the partnership's person records.

Frames in, frames out (Polars); no Django. The caller (the ``efh link`` job) reads person
records into a frame of ``INPUT_SCHEMA``, then:

- ``train(records)`` → ``LinkModel`` (saved as JSON with ``LinkModel.save``, re-used by later
  runs; retraining is explicit);
- ``predict(records, model)`` → scored candidate pairs (DuckDB, or ``engine="spark"``);
  ``predict_new(existing, new, model)`` for a new delivery without retraining;
- ``cluster(pairs, person_of=..., upper=..., cannot_link=...)`` → ``MergePlan`` list, honouring
  reviewers' "different people";
- ``explain(pair)`` → each field's agreement and weight in plain words, for the review screen;
  ``held_back(pair)`` → why a pair may not be linked automatically (a key of ``HELD_BACK``).

Bands (``Thresholds``): at or above ``upper`` link automatically when ``auto_allowed``; from
``lower`` to ``upper`` (or above ``upper`` but not ``auto_allowed``) clerical review; below
``lower`` leave apart. ``auto_allowed`` is false when either record has too little to compare
(``prepare.linkable_expr``: a strong identifier, or a family name with a date of birth, an
address or postcode, or a phone), when nothing but names and sex agrees (one record's PNC id
says nothing about a record that has none: ``engine.CORROBORATED_SQL``), and when the given
names disagree outright with no strong identifier in common (twins share everything else).
"""

from efh.intelligence.linkage.cluster import MergePlan, cluster
from efh.intelligence.linkage.engine import (
    AUTO_ALLOWED_SQL,
    count_comparisons,
    output_columns,
    predict,
    predict_new,
    train,
)
from efh.intelligence.linkage.explain import HELD_BACK, explain, held_back
from efh.intelligence.linkage.metrics import pairs_of_groups, pairs_of_labels, pairwise_scores
from efh.intelligence.linkage.model import (
    COMPARISON_NAMES,
    MODEL_VERSION,
    LinkModel,
    LinkModelError,
    Thresholds,
)
from efh.intelligence.linkage.prepare import INPUT_SCHEMA, prepare

__all__ = [
    "AUTO_ALLOWED_SQL",
    "COMPARISON_NAMES",
    "HELD_BACK",
    "INPUT_SCHEMA",
    "MODEL_VERSION",
    "LinkModel",
    "LinkModelError",
    "MergePlan",
    "Thresholds",
    "cluster",
    "count_comparisons",
    "explain",
    "held_back",
    "output_columns",
    "pairs_of_groups",
    "pairs_of_labels",
    "pairwise_scores",
    "predict",
    "predict_new",
    "prepare",
    "train",
]
