"""Cluster ids that do not move: the same register in any row order gives the same clusters and
ids, and a later run (``linkage update``) hands each cluster the id it had.

- ``canonical_pairs`` orients every candidate pair by record_id (left < right) and sorts the pairs
  so, which makes every later step (scores, ties between equal scores, splits) independent of the
  file's row order.
- ``inherit_ids`` names the clusters of a new run after those of the previous one: a cluster that
  gains or loses records keeps its id; a merge keeps the id of the older cluster (the one named
  first, then the smaller id) and records the other; a split keeps the id on the part holding
  the cluster's anchor (the record it is named after, else its smallest remaining record_id);
  every other cluster is new and is named "C-" + its smallest record_id, as in a first run (with a
  suffix "~2", "~3" ... when that id was ever used before, so no id ever names two clusters).

>>> rid = np.array(["b", "a", "c"], dtype=object)
>>> canonical_pairs(np.array([[0, 2], [0, 1]]), rid).tolist()
[[1, 0], [0, 2]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CLUSTER_META_COLUMNS = ["cluster_id", "anchor_record_id", "born"]
"""What the state keeps of each cluster of two or more: the record it is named after (for a split),
and the run number that named it (for a merge: the older cluster keeps its id)."""


def record_ranks(record_ids: np.ndarray) -> np.ndarray:
    """int64 (n,): each record's place among the sorted record_ids (as text)."""
    return pd.factorize(pd.Series(record_ids, dtype=object).astype(str), sort=True)[0].astype(np.int64)


def canonical_pairs(pairs: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """The same pairs (int64 (p, 2) row positions), each oriented so that record_id_l < record_id_r,
    sorted by (record_id_l, record_id_r): the file's row order no longer shows in them."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return pairs
    rank = record_ranks(record_ids)
    swap = rank[pairs[:, 0]] > rank[pairs[:, 1]]
    pairs = np.where(swap[:, None], pairs[:, ::-1], pairs)
    order = np.lexsort((rank[pairs[:, 1]], rank[pairs[:, 0]]))
    return np.ascontiguousarray(pairs[order])


@dataclass(frozen=True)
class Inherited:
    """ids: object (n,) the cluster id of each row; meta: CLUSTER_META_COLUMNS of every cluster of
    two or more; merged: (kept, absorbed) id pairs; split: (old id, new part id) pairs; used: every
    id ever given (for the next run)."""

    ids: np.ndarray
    meta: pd.DataFrame
    merged: list[tuple[str, str]]
    split: list[tuple[str, str]]
    used: set[str]


def first_ids(record_ids: np.ndarray, cluster_ids: np.ndarray, run: int = 1) -> pd.DataFrame:
    """CLUSTER_META_COLUMNS of a first run's clusters of two or more (ids 'C-' + smallest record_id,
    so the anchor is that record)."""
    frame = pd.DataFrame({"record_id": pd.Series(record_ids, dtype=object).astype(str),
                          "cluster_id": np.asarray(cluster_ids, dtype=object)})
    sizes = frame.groupby("cluster_id")["record_id"].transform("size")
    anchors = _smallest(frame[sizes.to_numpy() > 1], "cluster_id", "record_id")
    return pd.DataFrame({"cluster_id": anchors.index.to_numpy(dtype=object),
                         "anchor_record_id": anchors.to_numpy(dtype=object), "born": run})


def _smallest(frame: pd.DataFrame, by: str, column: str) -> pd.Series:
    """The smallest ``column`` text per ``by`` value, indexed by it (a sort, not a per-group min
    over Python strings)."""
    ordered = frame.sort_values([by, column], kind="stable").drop_duplicates(by)
    return pd.Series(ordered[column].to_numpy(dtype=object), index=ordered[by].to_numpy(dtype=object))


def inherit_ids(record_ids: np.ndarray, labels: np.ndarray, previous: pd.DataFrame, meta: pd.DataFrame,
                used: set[str], run: int) -> Inherited:
    """Ids of the clusters ``labels`` (int64 (n,)) given the previous run's ``previous``
    (record_id, cluster_id of every record then) and ``meta`` (CLUSTER_META_COLUMNS); ``run`` is this
    run's number (what a cluster named now is born as).

    A cluster that is exactly an earlier one (the same records, none new, none gone) keeps its id
    at once, by array arithmetic; only the others (a month's few) go through the rules."""
    texts = pd.Series(record_ids, dtype=object).astype(str).to_numpy(dtype=object)
    labels = np.asarray(labels, dtype=np.int64)
    prev_codes, prev_uniques = pd.factorize(previous["cluster_id"].to_numpy(dtype=object))
    code_of = pd.Series(prev_codes, index=previous["record_id"].astype(str).to_numpy(dtype=object))
    code = pd.Series(texts).map(code_of).fillna(-1).to_numpy(dtype=np.int64)
    if len(labels) == 0:
        return _inherit(texts, labels, np.zeros(0, dtype=object), meta, used, run)
    k = int(labels.max()) + 1
    low = np.full(k, np.iinfo(np.int64).max)
    high = np.full(k, -2, dtype=np.int64)
    np.minimum.at(low, labels, code)
    np.maximum.at(high, labels, code)
    count = np.bincount(labels, minlength=k)
    old_size = np.bincount(prev_codes, minlength=len(prev_uniques)) if len(prev_codes) else np.zeros(0, dtype=np.int64)
    settled = (low == high) & (low >= 0)
    settled[settled] = count[settled] == old_size[low[settled]]
    at_rest = settled[labels]
    ids = np.empty(len(texts), dtype=object)
    prev_ids = np.asarray(prev_uniques, dtype=object)
    ids[at_rest] = prev_ids[code[at_rest]]
    kept_ids = prev_ids[np.unique(code[at_rest])]  # an array: isin hashes it as is
    moving = np.flatnonzero(~at_rest)
    is_kept = meta["cluster_id"].isin(kept_ids).to_numpy()
    then = np.append(prev_ids, np.nan)[code[moving]]  # -1: a new record, NaN
    rest = _inherit(texts[moving], labels[moving], then, meta[~is_kept], set(used).union(kept_ids.tolist()), run)
    ids[moving] = rest.ids
    kept_meta = meta[is_kept]
    return Inherited(ids=ids, meta=pd.concat([kept_meta, rest.meta], ignore_index=True)[CLUSTER_META_COLUMNS],
                     merged=rest.merged, split=rest.split, used=rest.used)


def _inherit(texts: np.ndarray, labels: np.ndarray, prev_id: np.ndarray, meta: pd.DataFrame,
             used: set[str], run: int) -> Inherited:
    """``inherit_ids`` by its rules, for the rows of the clusters that changed; ``prev_id``: object
    (n,) each row's cluster id in the previous run, NaN for a new record."""
    n = len(texts)
    labels = np.asarray(labels, dtype=np.int64)
    known = pd.notna(prev_id)
    rows = pd.DataFrame({"row": np.flatnonzero(known), "old": prev_id[known], "rid": texts[known],
                         "label": labels[known]})
    anchor = pd.Series(meta["anchor_record_id"].to_numpy(dtype=object), index=meta["cluster_id"].to_numpy(dtype=object))
    born = pd.Series(meta["born"].to_numpy(dtype=np.int64), index=meta["cluster_id"].to_numpy(dtype=object))
    rows["is_anchor"] = rows["old"].map(anchor).to_numpy(dtype=object) == rows["rid"].to_numpy(dtype=object)
    # the owner of an old id: the new cluster holding its anchor, else its smallest remaining record
    rows = rows.sort_values(["old", "is_anchor", "rid"], ascending=[True, False, True], kind="stable")
    owners = rows.drop_duplicates("old")[["old", "label", "rid"]]
    # a record that was alone is younger than every cluster of two or more: joining one never renames it
    owners = owners.assign(born=owners["old"].map(born).fillna(np.iinfo(np.int64).max).astype(np.int64).to_numpy())
    # a new cluster owning several old ids keeps the oldest (first named, then smaller id)
    owners = owners.sort_values(["label", "born", "old"], kind="stable")
    keep = owners.drop_duplicates("label")
    merged = [(kept, other) for kept, other in zip(owners["label"].map(keep.set_index("label")["old"]), owners["old"])
              if kept != other]
    id_of_label = dict(zip(keep["label"].tolist(), keep["old"].tolist()))
    # every other cluster is new: 'C-' + its smallest record_id, never an id used before
    order = np.lexsort((texts, labels))
    first = order[np.r_[True, labels[order][1:] != labels[order][:-1]]] if n else order
    ids_of = {}
    taken = set(used) | set(id_of_label.values())
    for label, row in zip(labels[first].tolist(), first.tolist()):
        if label in id_of_label:
            ids_of[label] = id_of_label[label]
            continue
        base = candidate = "C-" + texts[row]
        k = 2
        while candidate in taken:
            candidate, k = f"{base}~{k}", k + 1
        taken.add(candidate)
        ids_of[label] = candidate
    ids = pd.Series(labels).map(ids_of).to_numpy(dtype=object)
    # a split: the parts of an old cluster that did not keep its id
    parts = rows.assign(new=ids[rows["row"].to_numpy()])[["old", "new"]].drop_duplicates()
    absorbed, olds = {(other, kept) for kept, other in merged}, set(parts["old"])
    split = [(old, new) for old, new in zip(parts["old"], parts["new"])
             if old != new and (old, new) not in absorbed and new not in olds]
    sizes = np.bincount(labels, minlength=int(labels.max(initial=-1)) + 1)[labels] if n else np.zeros(0, dtype=np.int64)
    grouped = pd.DataFrame({"cluster_id": ids, "rid": texts})[sizes > 1]
    smallest = _smallest(grouped, "cluster_id", "rid")
    meta_new = pd.DataFrame({"cluster_id": smallest.index.to_numpy(dtype=object)})
    meta_new["anchor_record_id"] = meta_new["cluster_id"].map(anchor).to_numpy(dtype=object)  # all new: NaN, not float
    present = set(zip(grouped["cluster_id"], grouped["rid"]))
    lost = [cid not in anchor.index or pd.isna(a) or (cid, a) not in present
            for cid, a in zip(meta_new["cluster_id"], meta_new["anchor_record_id"])]
    meta_new.loc[lost, "anchor_record_id"] = meta_new.loc[lost, "cluster_id"].map(smallest).to_numpy(dtype=object)
    meta_new["born"] = meta_new["cluster_id"].map(born).fillna(run).astype(np.int64)
    return Inherited(ids=ids, meta=meta_new[CLUSTER_META_COLUMNS], merged=merged, split=split,
                     used=set(used) | set(ids_of.values()))
