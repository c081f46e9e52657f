"""Accuracy per error kind: which true pairs a clustering found, split by the errors their records carry.

A true pair (two records of one woman) carries every kind either of its records carries (truth column
``errors``, see :mod:`benchmarks.error_kinds`); a pair of look-alike women (twins, sisters, mother and
daughter, namesakes) is a pair that must stay apart.

>>> truth = pd.DataFrame({"record_id": list("abcd"), "person_id": ["x", "x", "y", "y"],
...                       "errors": ["", "name_homophone", "", "id_two_digits"]})
>>> r = recall_by_error_kind(truth, np.array([0, 0, 1, 2]))
>>> r.set_index("kind").loc[["name_homophone", "id_two_digits", "all"], "recall"].tolist()
[1.0, 0.0, 0.5]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.error_kinds import GROUPS, KINDS, kinds_mask
from benchmarks.generator import true_match_pairs


def recall_by_error_kind(truth: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """One row per error kind and group present, plus 'all': true_pairs, found, recall.

    truth: the generator's truth frame (row-aligned with ``labels``); labels: predicted cluster (n,).
    """
    pairs = true_match_pairs(truth)
    labels = np.asarray(labels)
    found = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    errors = truth["errors"].to_numpy(object)
    rows = [("all", "", len(pairs), int(found.sum()))]
    for name, kinds in [(k, (k,)) for k in KINDS] + [(g, v) for g, v in GROUPS.items()]:
        has = kinds_mask(errors, kinds)
        hit = has[pairs[:, 0]] | has[pairs[:, 1]]
        if hit.any():
            rows.append((name, "group" if name in GROUPS else "kind", int(hit.sum()), int((found & hit).sum())))
    out = pd.DataFrame(rows, columns=["kind", "level", "true_pairs", "found"])
    out["recall"] = out["found"] / out["true_pairs"].clip(lower=1)
    return out


def lookalike_merges(persons: pd.DataFrame, truth: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """Per look-alike kind: pairs of look-alike women and how many a clustering put together (false merges).

    A pair of women counts as merged when any record of one shares a cluster with any record of the other.
    """
    looks = persons[persons["lookalike_kind"] != ""]
    labels = np.asarray(labels)
    clusters = pd.DataFrame({"person_id": truth["person_id"].to_numpy(), "label": labels}).drop_duplicates()
    left = looks[["person_id", "lookalike_of", "lookalike_kind"]].merge(clusters, on="person_id")
    right = clusters.rename(columns={"person_id": "lookalike_of"})
    both = left.merge(right, on=["lookalike_of", "label"])
    merged = set(zip(both["person_id"], both["lookalike_of"]))
    kinds = looks["lookalike_kind"].to_numpy()
    hit = np.array([(a, b) in merged for a, b in zip(looks["person_id"], looks["lookalike_of"])], dtype=bool)
    out = pd.DataFrame({"kind": kinds, "merged": hit}).groupby("kind")["merged"].agg(["size", "sum"]).reset_index()
    return out.rename(columns={"size": "pairs", "sum": "merged"})
