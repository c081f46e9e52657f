"""Comparison features of a generic field profile (registers that are not the WIS layout, e.g. FEBRL),
one kind of field at a time.

Each function takes the normalised left and right frames and the pairs (int64 (p, 2)) and
returns named float32 columns of shape (p,).  A column's values at the pairs become codes into
one table of distinct values (``scoring.paired``), and string scores are computed once per
distinct pair of values (rapidfuzz ``process.cpdist``), then gathered back by index.

Field kinds and their features (one-hot grades, then a similarity; 'missing' when either
side is blank, so that blank never counts as agreement):

    name      exact, Jaro-Winkler >= .95 / .88 / .75, and the Jaro-Winkler score
    text      exact, Indel ratio >= .9 / .75, and the ratio
    date      exact, one edit (typo or swapped neighbours), day and month swapped, two
              edits, same year  (dates normalised to YYYYMMDD)
    id        exact, one edit, two edits  (letters and digits, upper case)
    postcode  exact, one edit, all but the last character equal
    exact     exact (categories such as a state or a house number)

>>> left = pd.DataFrame({"d": ["19900305", "19900305", "19900305", ""]})
>>> right = pd.DataFrame({"d": ["19900305", "19900503", "19900306", "19900305"]})
>>> cols = field_features("d", "date", left, right, np.array([[0, 0], [1, 1], [2, 2], [3, 3]]))
>>> [int(cols[k].argmax()) for k in ("d:exact", "d:day_month_swap", "d:one_edit", "d:missing")]
[0, 1, 2, 3]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, JaroWinkler

from .paired import Paired, RowSubset, paired

FIELD_KINDS = ("name", "text", "date", "id", "postcode", "exact")
NAME_CUTS = (0.95, 0.88, 0.75)
TEXT_CUTS = (0.9, 0.75)
SWAP_CUT = 0.88


def _column(left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray, left_name: str,
            right_name: str | None = None) -> Paired:
    """Column ``left_name`` of ``left`` and ``right_name`` (default the same) of ``right`` at the
    pairs, as codes into one table of distinct values."""
    rows = RowSubset(left, right, pairs)
    if right_name is None or right_name == left_name:
        codes_l, codes_r, categories = rows.codes(left_name)
        return Paired(categories, codes_l, codes_r)
    codes_l, _, cats_l = rows.codes(left_name)
    _, codes_r, cats_r = rows.codes(right_name)
    return paired(np.asarray(cats_l, dtype=object)[codes_l], np.asarray(cats_r, dtype=object)[codes_r])


def _scores(pc: Paired, scorer, dtype=np.float32) -> np.ndarray:
    """``scorer`` over every distinct (left, right) value pair, gathered back to (p,)."""
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
    """Named float32 (p,) feature columns of one field (see the module docstring for the kinds)."""
    pc = _column(left, right, pairs, column)
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
    values = pc.values
    digits = np.asarray(values, dtype="S8").view(np.uint8).reshape(len(values), 8) if len(values) else \
        np.zeros((0, 8), np.uint8)
    a, b = digits[pc.left], digits[pc.right]
    return ((a[:, :4] == b[:, :4]).all(axis=1) & (a[:, 4:6] == b[:, 6:8]).all(axis=1)
            & (a[:, 6:8] == b[:, 4:6]).all(axis=1) & (pc.left != pc.right))


def swapped_feature(first: str, second: str, left: pd.DataFrame, right: pd.DataFrame,
                    pairs: np.ndarray) -> dict[str, np.ndarray]:
    """'<first>~<second>:swapped': the two name columns agree crosswise (Jaro-Winkler >= .88
    both ways) better than straight; float32 (p,)."""
    cross_a = _column(left, right, pairs, first, second)
    cross_b = _column(left, right, pairs, second, first)
    straight = _column(left, right, pairs, first)
    sim_a = _scores(cross_a, JaroWinkler.normalized_similarity)
    sim_b = _scores(cross_b, JaroWinkler.normalized_similarity)
    sim_s = _scores(straight, JaroWinkler.normalized_similarity)
    swapped = ~cross_a.blank() & ~cross_b.blank() & (sim_a >= SWAP_CUT) & (sim_b >= SWAP_CUT) & (sim_a > sim_s)
    return {f"{first}~{second}:swapped": swapped.astype(np.float32)}


def compare_fields(fields: tuple[tuple[str, str], ...], swapped: tuple[str, ...], left: pd.DataFrame,
                   right: pd.DataFrame, pairs: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Every field's features for the pairs: matrix float32 (p, f) and the f names.

    fields: (column, kind) each; swapped: () or the two name columns clerks swap."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    columns: dict[str, np.ndarray] = {}
    for column, kind in fields:
        columns.update(field_features(column, kind, left, right, pairs))
    if swapped:
        columns.update(swapped_feature(*swapped, left, right, pairs))
    names = tuple(columns)
    matrix = np.column_stack([columns[n] for n in names]).astype(np.float32) if len(pairs) else \
        np.zeros((0, len(names)), dtype=np.float32)
    return matrix, names
