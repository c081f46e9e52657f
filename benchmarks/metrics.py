"""Pairwise accuracy of a clustering against the truth, and the quality of a blocking pass.

Every tool in the benchmark ends with a cluster label per record.  Accuracy is pairwise
over those final clusters: the predicted pairs are all pairs of records inside one
predicted cluster, the true pairs all pairs inside one true entity, and precision, recall
and F1 compare the two sets.  When linking two tables only cross pairs count (one record
from each side).  Everything is counted from a contingency table of (predicted, true)
labels, so a million records cost a few group-bys, never a pair list.

>>> pred = np.array([0, 0, 1, 1, 2]); true = np.array([7, 7, 7, 8, 9])
>>> m = pairwise_scores(pred, true)
>>> (m.true_pairs, m.predicted_pairs, m.true_positives)
(3, 2, 1)
>>> round(m.f1, 3)
0.4
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PairScores:
    """Pair counts and the pairwise precision, recall and F1 they give."""

    true_pairs: int
    predicted_pairs: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs_in_groups(frame: pd.DataFrame, keys: list[str], side: np.ndarray | None) -> int:
    """Pairs inside each group of ``keys``: C(k, 2), or left x right counts when linking."""
    if side is None:
        sizes = frame.groupby(keys, sort=False).size().to_numpy(dtype=np.int64)
        return int((sizes * (sizes - 1) // 2).sum())
    counts = frame.assign(left=~side, right=side).groupby(keys, sort=False)[["left", "right"]].sum()
    return int((counts["left"].to_numpy(dtype=np.int64) * counts["right"].to_numpy(dtype=np.int64)).sum())


def pairwise_scores(predicted: np.ndarray, truth: np.ndarray, side: np.ndarray | None = None) -> PairScores:
    """Pairwise scores of a clustering.

    predicted, truth: int labels of shape (n,) (cluster and true entity of each record).
    side: optional bool (n,) marking records of the right table; then only cross pairs count.
    """
    frame = pd.DataFrame({"pred": np.asarray(predicted), "true": np.asarray(truth)})
    return PairScores(
        true_pairs=_pairs_in_groups(frame, ["true"], side),
        predicted_pairs=_pairs_in_groups(frame, ["pred"], side),
        true_positives=_pairs_in_groups(frame, ["pred", "true"], side),
    )


def blocking_scores(candidates: np.ndarray, truth_left: np.ndarray, truth_right: np.ndarray | None,
                    true_pairs: int) -> tuple[float, float]:
    """(pairs completeness, reduction ratio) of a candidate-pair array.

    candidates: int64 (p, 2) of row positions (left, right); for a dedupe ``truth_right`` is
    None and both columns index ``truth_left``.  Repeated pairs are counted once.
    """
    right = truth_left if truth_right is None else truth_right
    n_left, n_right = len(truth_left), len(right)
    if len(candidates):
        width = np.int64(max(n_right, n_left, 1))
        a, b = candidates[:, 0].astype(np.int64), candidates[:, 1].astype(np.int64)
        if truth_right is None:
            a, b = np.minimum(a, b), np.maximum(a, b)
        keep = a != b if truth_right is None else np.ones(len(a), dtype=bool)
        codes = np.unique(a[keep] * width + b[keep])
        a, b = codes // width, codes % width
        found = int((truth_left[a] == right[b]).sum())
        count = len(codes)
    else:
        found = count = 0
    possible = n_left * (n_left - 1) // 2 if truth_right is None else n_left * n_right
    completeness = found / true_pairs if true_pairs else 1.0
    reduction = 1.0 - count / possible if possible else 1.0
    return completeness, reduction


def components(n_nodes: int, links: np.ndarray) -> np.ndarray:
    """Connected-component labels (n_nodes,) int64 of an undirected graph given as links (m, 2)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    links = np.asarray(links, dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(links), dtype=np.int8), (links[:, 0], links[:, 1])), shape=(n_nodes, n_nodes))
    return connected_components(graph, directed=False)[1].astype(np.int64)
