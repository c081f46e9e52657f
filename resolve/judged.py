"""Pairs a clerk has judged (是同一人 / 不是同一人) bind every later run.

A pair judged the same woman is a match whatever its score (must-link: its probability becomes
1.0, and it is added when blocking did not find it).  A pair judged two women can never share a
cluster (cannot-link): it is told to the clustering through its ``apart=`` hook, on top of
``linkage.identity.keep_apart`` (the register's one rule), so the split of a component that holds
it goes as every other split does.

>>> norm = pd.DataFrame({"record_id": ["a", "b", "c"]})
>>> j = Judged.of(pd.DataFrame({"record_id_l": ["a", "b"], "record_id_r": ["c", "c"], "match": ["1", "0"]}))
>>> pairs, p = j.bind(norm, np.array([[0, 1], [1, 2]]), np.array([0.9, 0.95]))
>>> pairs.tolist(), p.tolist()
([[0, 1], [1, 2], [0, 2]], [0.9, 0.95, 1.0])
>>> j.apart(lambda norm, pairs: np.zeros(len(pairs), dtype=np.int8))(norm, pairs).tolist()
[0, 2, 0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from linkage.errors import ConfigError
from linkage.identity import NEVER

JUDGED_COLUMNS = ["record_id_l", "record_id_r", "match"]
SAME_WORDS = {"1", "是同一人", "是", "同一人", "true", "yes", "match"}
DIFFERENT_WORDS = {"0", "不是同一人", "否", "不同人", "false", "no", "non-match"}
"""How a judgement may be written; anything else (不确定, blank) binds nothing."""
SAME_REASON = "人工判定为同一人"


def judgement_column(labels: pd.DataFrame) -> str:
    """The column of ``labels`` that holds the judgement: match, 判定 or 判断."""
    for name in ("match", "判定", "判断"):
        if name in labels.columns:
            return name
    raise ConfigError("判定表缺少判定列 (match / 判定 / 判断) — the judged pairs need a column match, 判定 or 判断")


@dataclass(frozen=True)
class Judged:
    """Judged pairs as record ids: same and different, object (k, 2) each, left < right."""

    same: np.ndarray
    different: np.ndarray

    @classmethod
    def of(cls, labels: pd.DataFrame | None) -> "Judged":
        """From a table of record_id_l, record_id_r and a judgement (``judgement_column``); the
        latest row of a pair wins."""
        empty = np.zeros((0, 2), dtype=object)
        if labels is None or not len(labels):
            return cls(empty, empty)
        for column in ("record_id_l", "record_id_r"):
            if column not in labels.columns:
                raise ConfigError(f"判定表缺少列 {column} (the judged pairs need record_id_l and record_id_r)")
        word = labels[judgement_column(labels)].astype(str).str.strip().str.lower()
        left = labels["record_id_l"].astype(str).str.strip().to_numpy(dtype=object)
        right = labels["record_id_r"].astype(str).str.strip().to_numpy(dtype=object)
        frame = pd.DataFrame({"l": np.where(left < right, left, right), "r": np.where(left < right, right, left),
                              "same": word.isin(SAME_WORDS).to_numpy(), "different": word.isin(DIFFERENT_WORDS).to_numpy()})
        frame = frame[(frame["same"] | frame["different"]) & (frame["l"] != frame["r"])]
        frame = frame.drop_duplicates(["l", "r"], keep="last")
        pick = lambda mask: frame.loc[mask, ["l", "r"]].to_numpy(dtype=object).reshape(-1, 2)  # noqa: E731
        return cls(pick(frame["same"]), pick(frame["different"]))

    def __len__(self) -> int:
        return len(self.same) + len(self.different)

    def table(self) -> pd.DataFrame:
        """JUDGED_COLUMNS, match 1 / 0: what a state keeps."""
        return pd.DataFrame({"record_id_l": np.r_[self.same[:, 0], self.different[:, 0]],
                             "record_id_r": np.r_[self.same[:, 1], self.different[:, 1]],
                             "match": ["1"] * len(self.same) + ["0"] * len(self.different)}, dtype=object)

    def merged(self, newer: "Judged") -> "Judged":
        """These judgements with ``newer``'s, the newer winning on a pair judged twice."""
        return Judged.of(pd.concat([self.table(), newer.table()], ignore_index=True))

    @staticmethod
    def _rows(norm: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
        """int64 (k, 2) row positions of the pairs ``ids`` present in ``norm`` (others dropped)."""
        index = pd.Index(norm["record_id"].astype(str))
        rows = np.c_[index.get_indexer(ids[:, 0]), index.get_indexer(ids[:, 1])].astype(np.int64).reshape(-1, 2)
        return rows[(rows >= 0).all(axis=1)]

    def bind(self, norm: pd.DataFrame, pairs: np.ndarray, probabilities: np.ndarray,
             reasons: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """The pairs with the judged-same ones at probability 1.0 (appended where blocking missed
        them, left record_id < right); probabilities float64 (p',); with ``reasons`` (object (p,)),
        also the reasons, SAME_REASON first on the judged pairs."""
        rows = self._rows(norm, self.same)
        if not len(rows):
            return (pairs, probabilities) if reasons is None else (pairs, probabilities, reasons)
        width = np.int64(max(len(norm), 1))
        keys = np.minimum(pairs[:, 0], pairs[:, 1]) * width + np.maximum(pairs[:, 0], pairs[:, 1])
        wanted = np.minimum(rows[:, 0], rows[:, 1]) * width + np.maximum(rows[:, 0], rows[:, 1])
        probabilities = probabilities.copy()
        bound = np.isin(keys, wanted)
        probabilities[bound] = 1.0
        extra = rows[~np.isin(wanted, keys)]
        pairs, probabilities = np.r_[pairs, extra].astype(np.int64).reshape(-1, 2), np.r_[probabilities, np.ones(len(extra))]
        if reasons is None:
            return pairs, probabilities
        reasons = np.asarray(reasons, dtype=object).copy()
        reasons[bound] = [SAME_REASON + ("; " + r if r else "") for r in reasons[bound]]
        return pairs, probabilities, np.r_[reasons, np.full(len(extra), SAME_REASON, dtype=object)]

    def apart(self, base: Callable[[pd.DataFrame, np.ndarray], np.ndarray]) -> Callable[[pd.DataFrame, np.ndarray], np.ndarray]:
        """``base`` (int8 (p,) of ``linkage.identity``'s codes) with judged-different pairs NEVER."""
        if not len(self.different):
            return base

        def apart(norm: pd.DataFrame, pairs: np.ndarray) -> np.ndarray:
            out = np.asarray(base(norm, pairs), dtype=np.int8).copy()
            rows = self._rows(norm, self.different)
            if len(rows) and len(pairs):
                width = np.int64(max(len(norm), 1))
                keys = np.minimum(pairs[:, 0], pairs[:, 1]) * width + np.maximum(pairs[:, 0], pairs[:, 1])
                wanted = np.minimum(rows[:, 0], rows[:, 1]) * width + np.maximum(rows[:, 0], rows[:, 1])
                out[np.isin(keys, wanted)] = NEVER
            return out

        return apart


def load_judged(source) -> Judged:
    """Judged pairs from a path (the filled review workbook, whose first sheet is 待判定, or a CSV),
    a DataFrame, a Judged, or None (none)."""
    if source is None or isinstance(source, Judged):
        return source or Judged.of(None)
    if isinstance(source, pd.DataFrame):
        return Judged.of(source)
    from linkage.io import read_table

    return Judged.of(read_table(source, table="other"))
