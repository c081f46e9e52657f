"""The Python Record Linkage Toolkit (recordlinkage 0.16), configured as its documentation
and examples do.

Index: ``Block`` on exact keys plus ``SortedNeighbourhood`` on the name, the combination its
indexing guide recommends.  Compare: ``string`` with ``jarowinkler`` (names) or
``levenshtein`` (numbers, addresses) at a threshold, ``exact``, and ``date`` (which scores a
day/month swap 0.5); every comparison yields 0/1 (0.5 for a date swap), as its FEBRL examples
do.  Classify with either
  - ``ECMClassifier`` (unsupervised EM for the Fellegi-Sunter model; features binarised at
    0.4, so a date with day and month swapped (0.5) counts as agreement), or
  - ``LogisticRegressionClassifier`` fitted on labelled pairs of *other* data (for FEBRL the
    other FEBRL data sets, for the register a register generated with another seed).
recordlinkage returns matched pairs, not entities: clusters are their connected components
(``recordlinkage.network.ConnectedComponents`` does the same, slower).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl

from benchmarks.anchors.prep import febrl_frame, register_frame
from benchmarks.cases import Case
from benchmarks.output import ToolOutput, from_links

CLASSIFIERS = ("ecm", "logreg")


def _febrl_index() -> rl.Index:
    index = rl.Index()
    index.add(rl.index.Block("soc_sec_id"))
    index.add(rl.index.Block("date_of_birth"))
    index.add(rl.index.Block(["given_name", "postcode"]))
    index.add(rl.index.SortedNeighbourhood("surname", window=9))
    return index


def _febrl_compare() -> rl.Compare:
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.string("date_of_birth", "date_of_birth", method="levenshtein", threshold=0.85, label="date_of_birth")
    compare.string("soc_sec_id", "soc_sec_id", method="levenshtein", threshold=0.85, label="soc_sec_id")
    compare.exact("street_number", "street_number", label="street_number")
    compare.string("address_1", "address_1", method="levenshtein", threshold=0.85, label="address_1")
    compare.string("address_2", "address_2", method="levenshtein", threshold=0.85, label="address_2")
    compare.string("suburb", "suburb", method="levenshtein", threshold=0.85, label="suburb")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("state", "state", label="state")
    return compare


def _register_index() -> rl.Index:
    index = rl.Index()
    index.add(rl.index.Block("id_number"))
    index.add(rl.index.SortedNeighbourhood("id_number", window=5))
    index.add(rl.index.Block(["name_pinyin", "birth_date"]))
    index.add(rl.index.SortedNeighbourhood("name_pinyin", window=5, block_on="birth_date"))
    index.add(rl.index.Block("phone"))
    index.add(rl.index.Block("spouse_id_number"))
    return index


def _register_compare() -> rl.Compare:
    compare = rl.Compare()
    compare.exact("name", "name", label="name")
    compare.string("name_pinyin", "name_pinyin", method="jarowinkler", threshold=0.9, label="name_pinyin")
    compare.string("id_number", "id_number", method="levenshtein", threshold=0.9, label="id_number")
    compare.date("birth_date", "birth_date", label="birth_date")
    compare.exact("sex", "sex", label="sex")
    compare.exact("phone", "phone", label="phone")
    compare.string("residence_address", "residence_address", method="levenshtein", threshold=0.8,
                   label="residence_address")
    compare.string("hukou_address", "hukou_address", method="levenshtein", threshold=0.8, label="hukou_address")
    compare.exact("spouse_id_number", "spouse_id_number", label="spouse_id_number")
    compare.string("spouse_name", "spouse_name", method="jarowinkler", threshold=0.9, label="spouse_name")
    return compare


def _prepare(case: Case, table: pd.DataFrame) -> pd.DataFrame:
    frame = febrl_frame(table) if case.meta["suite"] == "febrl" else register_frame(table)
    if "birth_date" in frame.columns:
        frame["birth_date"] = pd.to_datetime(frame["birth_date"], format="%Y-%m-%d", errors="coerce")
    return frame


def _config(case: Case):
    if case.meta["suite"] == "febrl":
        return _febrl_index(), _febrl_compare()
    return _register_index(), _register_compare()


def _features(case: Case, frame: pd.DataFrame, other: pd.DataFrame | None = None) -> pd.DataFrame:
    index, compare = _config(case)
    pairs = index.index(frame) if other is None else index.index(frame, other)
    return compare.compute(pairs, frame) if other is None else compare.compute(pairs, frame, other)


def _trained_logreg(case: Case) -> rl.LogisticRegressionClassifier:
    """Fit on the case's labelled training tables (never the evaluated data)."""
    features, links = [], []
    for k, (table, entities) in enumerate(case.training()):
        frame = _prepare(case, table)
        x = _features(case, frame)
        i, j = x.index.get_level_values(0).to_numpy(), x.index.get_level_values(1).to_numpy()
        offset = 10_000_000 * k  # keep the pairs of different tables apart
        x.index = pd.MultiIndex.from_arrays([i + offset, j + offset])
        features.append(x)
        links.append(x.index[entities[i] == entities[j]])
    classifier = rl.LogisticRegressionClassifier()
    classifier.fit(pd.concat(features), links[0].append(links[1:]) if len(links) > 1 else links[0])
    return classifier


def run(case: Case, classifier: str = "ecm") -> ToolOutput:
    """Index, compare and classify the case's table(s); clusters from the matched pairs."""
    if classifier not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {classifier!r}; use one of {CLASSIFIERS}")
    left = _prepare(case, case.table("left"))
    right = _prepare(case, case.table("right")) if case.kind == "link" else None
    features = _features(case, left, right)
    if classifier == "ecm":
        model = rl.ECMClassifier(binarize=0.4)
        matches = model.fit_predict(features)
    else:
        matches = _trained_logreg(case).predict(features)
    candidates = np.stack([features.index.get_level_values(0), features.index.get_level_values(1)], axis=1)
    matched = np.stack([matches.get_level_values(0), matches.get_level_values(1)], axis=1) if len(matches) else \
        np.empty((0, 2), dtype=np.int64)
    return from_links(len(left), None if right is None else len(right), candidates, matched)
