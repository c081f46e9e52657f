"""Clusters of records that are one woman: connected components of the matched pairs,
split where a component joins records that cannot be the same woman.

A component is split by constrained agglomeration: its matched pairs are taken strongest
first and a pair is skipped when joining it would put two records that must stay apart into
the same cluster (``linkage.identity.keep_apart``: two records that cannot be one woman, and
two records with valid numbers one part apart that were not matched directly).  The skipped
pairs are the recorded split.

>>> norm = pd.DataFrame({"record_id": ["a", "b", "c"], "id_number": ["", "", ""], "sex": ["F", "F", "F"]})
>>> c = cluster(norm, np.array([[0, 1]]), np.array([0.9]), threshold=0.5)
>>> list(c.cluster_ids), c.sizes.tolist()
(['C-a', 'C-a', 'C-c'], [2, 2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from blocking.kernels import pairs_from_keys
from linkage.identity import NEVER, UNLESS_MATCHED, keep_apart

SPLIT_COLUMNS = ["cluster_id", "record_id_l", "record_id_r", "probability", "reason"]


@dataclass(frozen=True)
class Clustering:
    """labels: int64 (n,) cluster number per row; record_ids: object (n,); sizes: int64 (n,)
    size of each row's cluster; splits: one row per matched pair left out to keep impossible
    records apart.  cluster_ids, str (n,) stable ids ("C-" + the smallest record_id of the
    cluster), are made on first use: a caller that needs only the labels never pays for them."""

    labels: np.ndarray
    record_ids: np.ndarray
    sizes: np.ndarray
    splits: pd.DataFrame
    given_ids: np.ndarray | None = None
    """object (n,): ids carried over from an earlier run (``resolve.stable_ids``), else None."""

    @cached_property
    def cluster_ids(self) -> np.ndarray:
        if self.given_ids is not None:
            return self.given_ids
        return _stable_ids(self.labels, self.record_ids)

    def with_ids(self, ids: np.ndarray) -> "Clustering":
        """The same clusters under other ids (object (n,), one per row, equal within a cluster):
        what an update gives a cluster that keeps the id it had (``resolve.stable_ids``)."""
        ids = np.asarray(ids, dtype=object)
        splits = self.splits.copy()
        splits["cluster_id"] = ids[self.rows_of(splits["record_id_l"])]  # a split's cluster: its left record's
        splits = splits.sort_values(["cluster_id", "record_id_l", "record_id_r"], kind="stable", ignore_index=True)
        return Clustering(labels=self.labels, record_ids=self.record_ids, sizes=self.sizes, splits=splits,
                          given_ids=ids)

    @cached_property
    def _row_index(self) -> pd.Index:
        return pd.Index(self.record_ids)

    def rows_of(self, record_ids: pd.Series | np.ndarray) -> np.ndarray:
        """int64 (m,): the row of each of ``record_ids`` (each one of this clustering's records); the
        index of the records is built once per clustering, however often it is asked."""
        rows = self._row_index.get_indexer(np.asarray(record_ids, dtype=object))
        if (rows < 0).any():
            raise KeyError(f"not records of this clustering: {np.asarray(record_ids)[rows < 0][:5].tolist()}")
        return rows.astype(np.int64)

    def table(self) -> pd.DataFrame:
        """clusters.csv: record_id, cluster_id, cluster_size — every input record exactly once,
        sorted by cluster_id and record_id (a cluster's records together; the file's row order
        never shows: the same register shuffled gives the same bytes)."""
        ids, records = self.cluster_ids, pd.Series(self.record_ids, dtype=object).astype(str).to_numpy(dtype=object)
        order = np.lexsort((pd.factorize(records, sort=True)[0], pd.factorize(ids, sort=True)[0]))
        return pd.DataFrame({"record_id": self.record_ids[order], "cluster_id": ids[order],
                             "cluster_size": self.sizes[order]})


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label per row, int64 (n,): the smallest row of its component (scipy's
    connected components over the sparse graph of the pairs; a row without a match is its own)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)).tocsr()
    _, component = connected_components(graph, directed=False)
    distinct, first = np.unique(component, return_index=True)  # a component's first row is its smallest
    smallest = np.empty(int(distinct[-1]) + 1, dtype=np.int64)
    smallest[distinct] = first
    return smallest[component]


def _split(members: np.ndarray, edges: np.ndarray, probs: np.ndarray, forbidden: set[tuple[int, int]],
           rank: np.ndarray) -> tuple[dict[int, int], list[int]]:
    """Constrained agglomeration of one component: returns root per member and skipped edge indices.
    Edges are taken strongest first; equal probabilities in the order of their records' ids
    (``rank``: int64 (n,), each row's place among the sorted record_ids), never of their rows."""
    root = {int(m): int(m) for m in members}
    groups = {int(m): {int(m)} for m in members}

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    skipped = []
    low, high = np.minimum(rank[edges[:, 0]], rank[edges[:, 1]]), np.maximum(rank[edges[:, 0]], rank[edges[:, 1]])
    for e in np.lexsort((high, low, -probs)):
        a, b = find(int(edges[e, 0])), find(int(edges[e, 1]))
        if a == b:
            continue
        if any((min(x, y), max(x, y)) in forbidden for x in groups[a] for y in groups[b]):
            skipped.append(int(e))
            continue
        root[b] = a
        groups[a] |= groups.pop(b)
    return {int(m): find(int(m)) for m in members}, skipped


def _by_label(labels: np.ndarray, keys: np.ndarray) -> dict[int, np.ndarray]:
    """Positions of ``labels`` grouped by label, for the labels in ``keys``."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.searchsorted(sorted_labels, keys, side="left")
    ends = np.searchsorted(sorted_labels, keys, side="right")
    return {int(k): order[a:b] for k, a, b in zip(keys, starts, ends)}


def _split_components(labels: np.ndarray, edges: np.ndarray, probs: np.ndarray, conflicts: np.ndarray,
                      record_ids: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Split every component holding a conflicting pair; returns new labels and the skipped pairs."""
    labels = labels.copy()
    next_label = int(labels.max()) + 1
    components = np.unique(labels[conflicts[:, 0]])
    edges_of = _by_label(labels[edges[:, 0]], components)
    members_of = _by_label(labels, components)
    conflicts_of = _by_label(labels[conflicts[:, 0]], components)
    split_rows = []
    members = np.flatnonzero(np.isin(labels, components))
    rank = np.full(len(labels), -1, dtype=np.int64)
    rank[members] = pd.factorize(pd.Series(record_ids[members], dtype=object).astype(str), sort=True)[0]
    for component in components.tolist():
        in_component = edges_of[component]
        forbidden = {(int(min(a, b)), int(max(a, b))) for a, b in conflicts[conflicts_of[component]]}
        roots, skipped = _split(members_of[component], edges[in_component], probs[in_component], forbidden, rank)
        new_label = {}
        for member, root in roots.items():
            if root not in new_label:
                new_label[root] = component if not new_label else next_label
                next_label += 0 if new_label[root] == component else 1
            labels[member] = new_label[root]
        for e in skipped:
            a, b = sorted(edges[in_component[e]].tolist(), key=lambda row: rank[row])  # record_id_l < record_id_r
            split_rows.append({"record_id_l": record_ids[a], "record_id_r": record_ids[b],
                               "probability": float(probs[in_component[e]]), "reason": "kept_apart", "row_l": int(a)})
    return labels, split_rows


def cluster(
    norm: pd.DataFrame,
    pairs: np.ndarray,
    probabilities: np.ndarray,
    *,
    threshold: float,
    max_component: int = 500,
    apart: Callable[[pd.DataFrame, np.ndarray], np.ndarray] | None = None,
) -> Clustering:
    """Cluster the rows of ``norm`` from scored pairs.

    pairs: int64 (p, 2) row positions; probabilities: float (p,).  Pairs at or above
    ``threshold`` are matches.  Components larger than ``max_component`` are not checked for
    impossible members (they are reported by size for review instead).  ``apart(norm, pairs)``
    tells, int8 (p,), which pairs can never share a cluster (``NEVER``) and which only when they
    are a match themselves (``UNLESS_MATCHED``); default ``linkage.identity.keep_apart``, the
    register's one rule.
    """
    apart = apart or keep_apart
    n = len(norm)
    record_ids = norm["record_id"].to_numpy(dtype=object)
    matched = probabilities >= threshold
    edges, probs = pairs[matched], probabilities[matched]
    labels = _components(n, edges)
    sizes = np.bincount(labels, minlength=n)[labels]
    checkable = (sizes > 1) & (sizes <= max_component)
    inside = pairs_from_keys(np.where(checkable, labels, -1), max_block_size=max_component)
    inside = inside[np.isin(labels[inside[:, 0]], np.unique(labels[checkable]))] if len(inside) else inside
    conflicts = inside[_conflicting(apart(norm, inside), inside, edges, n)]
    split_rows: list[dict] = []
    if len(conflicts):
        labels, split_rows = _split_components(labels, edges, probs, conflicts, record_ids)
    labels = pd.factorize(labels)[0].astype(np.int64)
    sizes = np.bincount(labels, minlength=n)[labels] if n else np.zeros(0, dtype=np.int64)
    splits = pd.DataFrame(split_rows, columns=SPLIT_COLUMNS[1:])
    split_at = np.asarray([row["row_l"] for row in split_rows], dtype=np.int64)
    splits.insert(0, "cluster_id", _stable_ids(labels, record_ids, split_at))
    splits = splits.sort_values(["cluster_id", "record_id_l", "record_id_r"], kind="stable", ignore_index=True)
    return Clustering(labels=labels, record_ids=record_ids, sizes=sizes.astype(np.int64), splits=splits)


def _conflicting(apart: np.ndarray, inside: np.ndarray, edges: np.ndarray, n: int) -> np.ndarray:
    """bool (q,): pairs of one component that must not end up in one cluster: ``NEVER``, and
    ``UNLESS_MATCHED`` ones that are not themselves a matched edge."""
    conflict = apart == NEVER
    maybe = np.flatnonzero(apart == UNLESS_MATCHED)
    if len(maybe):
        width = np.int64(max(n, 1))
        matched = np.sort(edges.min(axis=1) * width + edges.max(axis=1))
        keys = inside[maybe].min(axis=1) * width + inside[maybe].max(axis=1)
        at = np.minimum(np.searchsorted(matched, keys), max(len(matched) - 1, 0))
        direct = (matched[at] == keys) if len(matched) else np.zeros(len(keys), dtype=bool)
        conflict[maybe[~direct]] = True
    return conflict


def _stable_ids(labels: np.ndarray, record_ids: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """"C-" + the smallest record_id in each cluster (the same input gives the same ids), for
    every row or for ``rows`` (int (m,)).  Object (n,) or (m,).  A record alone is its own
    smallest, so only the rows of clusters of two or more are compared."""
    rows = np.arange(len(labels)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, dtype=object)
    texts = pd.Series(record_ids, dtype=object).astype(str).to_numpy(dtype=object)
    grouped = np.flatnonzero(np.bincount(labels)[labels] > 1)
    ranks, sorted_ids = pd.factorize(texts[grouped], sort=True)
    smallest = np.full(int(labels.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(smallest, labels[grouped], len(sorted_ids))  # marks the grouped clusters
    np.minimum.at(smallest, labels[grouped], ranks)
    chosen = smallest[labels[rows]]
    own = texts[rows]
    ids = np.where(chosen >= 0, np.append(np.asarray(sorted_ids, dtype=object), "")[chosen], own)
    return ("C-" + pd.Series(ids, dtype=object)).to_numpy(dtype=object)
