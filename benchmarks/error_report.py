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

from benchmarks.error_kinds import GROUPS, KINDS
from benchmarks.generator import true_match_pairs


def recall_by_error_kind(truth: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """One row per error kind and group present, plus 'all': true_pairs, found, recall.

    truth: the generator's truth frame (row-aligned with ``labels``); labels: predicted cluster (n,).
    """
    pairs = true_match_pairs(truth)
    labels = np.asarray(labels)
    found = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    codes, texts = pd.factorize(truth["errors"].to_numpy(object))  # each distinct errors text parsed once
    sets = [set(t.split(";")) for t in texts]
    rows = [("all", "", len(pairs), int(found.sum()))]
    for name, kinds in [(k, (k,)) for k in KINDS] + [(g, v) for g, v in GROUPS.items()]:
        has = np.array([bool(s & set(kinds)) for s in sets] + [False])[codes]
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
    labels = pd.factorize(np.asarray(labels))[0].astype(np.int64)
    codes, uniq = pd.factorize(truth["person_id"].to_numpy())
    index = pd.Index(uniq)
    width = np.int64(labels.max() + 1 if len(labels) else 1)
    held = np.unique(codes.astype(np.int64) * width + labels)  # (person, cluster) pairs that occur
    a, b = index.get_indexer(looks["person_id"]), index.get_indexer(looks["lookalike_of"])
    person_of_held, label_of_held = np.divmod(held, width)
    order = np.argsort(person_of_held, kind="stable")
    starts = np.searchsorted(person_of_held[order], np.arange(len(uniq) + 1))
    counts = starts[a + 1] - starts[a]  # clusters of each look-alike woman, then each checked for her twin
    pair = np.repeat(np.arange(len(looks)), counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    label = label_of_held[order][np.repeat(starts[a], counts) + offs]
    hit = np.zeros(len(looks), bool)
    hit[pair[np.isin(b[pair].astype(np.int64) * width + label, held)]] = True
    out = pd.DataFrame({"kind": looks["lookalike_kind"].to_numpy(), "merged": hit})
    out = out.groupby("kind")["merged"].agg(["size", "sum"]).reset_index()
    return out.rename(columns={"size": "pairs", "sum": "merged"})
