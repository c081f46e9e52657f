"""Comparison features of the generic profile, one kind of field at a time.

Each function takes the normalised left and right frames and the pairs (int64 (p, 2)) and
returns named float32 columns of shape (p,).  A column is factorised once (n values), its
codes gathered at the pairs, and string scores computed once per distinct pair of values,
then gathered back by index.

>>> left = pd.DataFrame({"d": ["19900305", "19900305", "19900305", ""]})
>>> right = pd.DataFrame({"d": ["19900305", "19900503", "19900306", "19900305"]})
>>> cols = field_features("d", "date", left, right, np.array([[0, 0], [1, 1], [2, 2], [3, 3]]))
>>> [int(cols[k].argmax()) for k in ("d:exact", "d:day_month_swap", "d:one_edit", "d:missing")]
[0, 1, 2, 3]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, JaroWinkler


NAME_CUTS = (0.95, 0.88, 0.75)
TEXT_CUTS = (0.9, 0.75)


@dataclass(frozen=True)
class Paired:
    """values: distinct values, object (k,) ('' for blank); left, right: int64 codes (p,)."""

    values: np.ndarray
    left: np.ndarray
    right: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    def blank(self) -> np.ndarray:
        """bool (p,): either side blank."""
        blank = self.values == ""
        return blank[self.left] | blank[self.right]

    def same(self) -> np.ndarray:
        """bool (p,): both sides hold the same value."""
        return self.left == self.right

    def combos(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (left, right) code pairs: left (m,), right (m,), inverse (p,)."""
        width = np.int64(max(len(self.values), 1))
        inverse, distinct = pd.factorize(self.left * width + self.right)
        distinct = np.asarray(distinct, dtype=np.int64)
        return distinct // width, distinct % width, inverse.astype(np.int64)


def paired(left: np.ndarray, right: np.ndarray | None, rows_left: np.ndarray, rows_right: np.ndarray) -> Paired:
    """Codes of two columns (n,) and (m,) (``right`` None: the same column) gathered at the pair rows."""
    columns = [pd.Series(left, dtype=object)] + ([] if right is None else [pd.Series(right, dtype=object)])
    joined = pd.concat(columns, ignore_index=True)
    codes, values = pd.factorize(joined.where(joined.notna(), "").astype(str))
    codes = codes.astype(np.int64)
    right_codes = codes if right is None else codes[len(left):]
    return Paired(np.asarray(values, dtype=object), codes[rows_left], right_codes[rows_right])


def _paired(column: str, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> Paired:
    other = None if right is left else right[column].to_numpy(dtype=object)
    return paired(left[column].to_numpy(dtype=object), other, pairs[:, 0], pairs[:, 1])


def _scores(pc: Paired, scorer, dtype=np.float32) -> np.ndarray:
    """scorer over every distinct (left, right) value pair, gathered back to (p,)."""
    if len(pc) == 0:
        return np.zeros(0, dtype=dtype)
    lc, rc, inverse = pc.combos()
    values = pc.values
    scores = process.cpdist(values[lc].tolist(), values[rc].tolist(), scorer=scorer, dtype=dtype, workers=-1)
    return np.asarray(scores)[inverse]


def _graded(prefix: str, missing: np.ndarray, grades: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One-hot columns: missing first, then each grade where it is the first that holds."""
    out = {f"{prefix}:missing": missing.astype(np.float32)}
    taken = missing.copy()
    for name, holds in grades.items():
        now = holds & ~taken
        out[f"{prefix}:{name}"] = now.astype(np.float32)
        taken |= now
    return out


def field_features(column: str, kind: str, left: pd.DataFrame, right: pd.DataFrame,
                   pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Named float32 (p,) feature columns of one field (see ``linkage.generic`` for the kinds)."""
    pc = _paired(column, left, right, pairs)
    missing, exact = pc.blank(), pc.same()
    if kind == "name":
        sim = _scores(pc, JaroWinkler.normalized_similarity)
        out = _graded(column, missing, {"exact": exact, **{f"jw{int(c * 100)}": sim >= c for c in NAME_CUTS}})
        out[f"{column}:similarity"] = np.where(missing, 0.0, sim).astype(np.float32)
        return out
    if kind == "text":
        sim = _scores(pc, Indel.normalized_similarity)
        out = _graded(column, missing, {"exact": exact, **{f"ratio{int(c * 100)}": sim >= c for c in TEXT_CUTS}})
        out[f"{column}:similarity"] = np.where(missing, 0.0, sim).astype(np.float32)
        return out
    if kind in ("date", "id", "postcode"):
        edits = _scores(pc, OSA.distance, dtype=np.int32)
        grades = {"exact": exact, "one_edit": edits == 1}
        if kind == "date":
            grades["day_month_swap"] = _day_month_swap(pc)
            grades["two_edits"] = edits == 2
            grades["same_year"] = _prefix_equal(pc, 4)
        elif kind == "id":
            grades["two_edits"] = edits == 2
        else:
            grades["prefix"] = _prefix_equal(pc, -1)
        return _graded(column, missing, grades)
    return _graded(column, missing, {"exact": exact})


def _prefix_equal(pc: Paired, cut: int) -> np.ndarray:
    """bool (p,): the values agree on their first ``cut`` characters (negative: all but the last)."""
    heads = pd.Series(pc.values, dtype=object).str[:cut].to_numpy(dtype=object)
    codes = pd.factorize(heads)[0]
    return codes[pc.left] == codes[pc.right]


def _day_month_swap(pc: Paired) -> np.ndarray:
    """bool (p,): YYYYMMDD dates with the same year whose month and day are swapped."""
    digits = np.asarray(pc.values, dtype="S8").view(np.uint8).reshape(len(pc.values), 8) if len(pc.values) else \
        np.zeros((0, 8), np.uint8)
    a, b = digits[pc.left], digits[pc.right]
    return ((a[:, :4] == b[:, :4]).all(axis=1) & (a[:, 4:6] == b[:, 6:8]).all(axis=1)
            & (a[:, 6:8] == b[:, 4:6]).all(axis=1) & (pc.left != pc.right))


def swapped_feature(first: str, second: str, left: pd.DataFrame, right: pd.DataFrame,
                    pairs: np.ndarray) -> dict[str, np.ndarray]:
    """'<first>~<second>:swapped': the two name columns agree crosswise (Jaro-Winkler >= .88
    both ways) better than straight; float32 (p,)."""
    cross_a = paired(left[first].to_numpy(dtype=object), right[second].to_numpy(dtype=object), pairs[:, 0], pairs[:, 1])
    cross_b = paired(left[second].to_numpy(dtype=object), right[first].to_numpy(dtype=object), pairs[:, 0], pairs[:, 1])
    straight = _paired(first, left, right, pairs)
    sim_a = _scores(cross_a, JaroWinkler.normalized_similarity)
    sim_b = _scores(cross_b, JaroWinkler.normalized_similarity)
    sim_s = _scores(straight, JaroWinkler.normalized_similarity)
    swapped = ~cross_a.blank() & ~cross_b.blank() & (sim_a >= 0.88) & (sim_b >= 0.88) & (sim_a > sim_s)
    return {f"{first}~{second}:swapped": swapped.astype(np.float32)}
