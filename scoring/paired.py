"""Paired columns: the left and right values of every candidate pair as codes into one table
of distinct values, so that a comparison runs once per distinct value (or distinct pair of
values) and is gathered back by index.

A comparator accepts plain arrays of shape (p,) or ``pd.Categorical`` columns that share
one category table (what ``scoring.features.compare`` passes: the column factorised over
the rows the pairs use (``RowSubset``), its codes gathered by the pair positions, so
nothing is hashed per pair).

Tables computed once per distinct value (``per_value``: character matrices, ID digit
matrices ...) are cached, keyed on the category index object, which is immutable;
``clear_caches()`` forgets them.

>>> pc = paired(np.array(["王芳", "", "李娜"], dtype=object), np.array(["王芳", "王芳", None], dtype=object))
>>> list(pc.values), pc.left.tolist(), pc.right.tolist()
(['王芳', '', '李娜'], [0, 1, 2], [0, 0, 1])
>>> pc.blank().tolist()
[False, True, True]
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

_PER_VALUE: OrderedDict[tuple[int, str], tuple[pd.Index, Any]] = OrderedDict()
_PER_VALUE_SIZE = 96  # one compare() call of the register uses about 30 tables


def clear_caches() -> None:
    """Forget every cached per-value table."""
    _PER_VALUE.clear()


def per_value(categories: pd.Index, key: str, build: Callable[[], Any]) -> Any:
    """``build()`` for this category table, computed once and kept while the table is recent."""
    slot = (id(categories), key)
    hit = _PER_VALUE.get(slot)
    if hit is not None and hit[0] is categories:
        _PER_VALUE.move_to_end(slot)
        return hit[1]
    value = build()
    _PER_VALUE[slot] = (categories, value)
    while len(_PER_VALUE) > _PER_VALUE_SIZE:
        _PER_VALUE.popitem(last=False)
    return value


@dataclass(frozen=True)
class Paired:
    """categories: distinct values, an object Index of shape (k,) ('' for blanks, no NaN);
    left, right: int64 codes into it, each of shape (p,)."""

    categories: pd.Index
    left: np.ndarray
    right: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    @property
    def values(self) -> np.ndarray:
        """The distinct values as an object array (k,)."""
        return per_value(self.categories, "values", lambda: np.asarray(self.categories, dtype=object))

    def blank_values(self) -> np.ndarray:
        """bool (k,): the distinct value is blank."""
        return per_value(self.categories, "blank", lambda: np.asarray(self.values == "", dtype=bool))

    def blank(self) -> np.ndarray:
        """bool (p,): either side of the pair is blank."""
        blank = self.blank_values()
        return blank[self.left] | blank[self.right]

    def same(self) -> np.ndarray:
        """bool (p,): both sides hold the same value (blank or not)."""
        return self.left == self.right

    def combos(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct (left, right) code combinations.

        Returns (left codes (m,), right codes (m,), inverse (p,)) with
        ``left[inverse] == self.left`` and ``right[inverse] == self.right``.
        """
        width = np.int64(max(len(self.categories), 1))
        key = self.left.astype(np.int64) * width + self.right.astype(np.int64)
        inverse, distinct = pd.factorize(key)
        distinct = np.asarray(distinct, dtype=np.int64)
        return distinct // width, distinct % width, inverse.astype(np.int64)


def _clean(values: np.ndarray) -> np.ndarray:
    """Object array of str with None/NaN turned into ''."""
    series = pd.Series(values, dtype=object)
    return series.where(series.notna(), "").astype(str).to_numpy(dtype=object)


def _index(values: np.ndarray) -> pd.Index:
    return pd.Index(np.asarray(values, dtype=object), dtype=object)


def paired(left, right) -> Paired:
    """Codes of ``left`` and ``right`` (each of shape (p,)) into one table of distinct values.

    Two ``pd.Categorical`` with the same categories are used as they are (no hashing); any
    other input is factorised together.  Blank and missing values all become ''.
    """
    if (
        isinstance(left, pd.Categorical)
        and isinstance(right, pd.Categorical)
        and (left.categories is right.categories or left.categories.equals(right.categories))
        and not (left.codes < 0).any()
        and not (right.codes < 0).any()
    ):
        return Paired(left.categories, left.codes.astype(np.int64), right.codes.astype(np.int64))
    left_values, right_values = np.asarray(left, dtype=object), np.asarray(right, dtype=object)
    if len(left_values) != len(right_values):
        raise ValueError(f"left has {len(left_values)} values and right {len(right_values)}; pairs need one each")
    codes, categories = factorize_text(np.concatenate([left_values, right_values]))
    return Paired(categories, codes[: len(left_values)], codes[len(left_values):])


def _array(frame: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(rows), "", dtype=object)
    return frame[name].to_numpy(dtype=object)[rows]


def factorize_text(values: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Codes (n,) int64 into distinct values (k,) of an object array, None/NaN counted as ''.
    Hashes each value once; only the distinct values are turned into str."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    texts = _clean(np.append(np.asarray(distinct, dtype=object), ""))  # '' last, for the missing
    codes = np.where(codes < 0, len(texts) - 1, codes)
    merged, categories = pd.factorize(texts)  # str(1) and '1', or '' twice, become one value
    return merged.astype(np.int64)[codes], _index(categories)


class RowSubset:
    """The rows of one frame (dedupe) or two (link) that the pairs use, so that a column is
    factorised over those rows only (a quarter to a half of a register in a blocked run).

    pairs: int (p, 2) row positions.  ``codes(name)`` gives the codes of the pairs' left and
    right values, each (p,), and the categories (k,) they index."""

    def __init__(self, left: pd.DataFrame, right: pd.DataFrame | None, pairs: np.ndarray):
        self.left, self.right = left, (None if right is left else right)
        p = len(pairs)
        if self.right is None:
            self.used_l, inverse = np.unique(pairs.reshape(-1, order="F"), return_inverse=True)
            self.at_l, self.at_r = inverse[:p], inverse[p:]
            self.used_r = self.used_l[:0]
        else:
            self.used_l, self.at_l = np.unique(pairs[:, 0], return_inverse=True)
            self.used_r, at_r = np.unique(pairs[:, 1], return_inverse=True)
            self.at_r = at_r + len(self.used_l)

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
        values = _array(self.left, name, self.used_l)
        if self.right is not None:
            values = np.concatenate([values, _array(self.right, name, self.used_r)])
        codes, categories = factorize_text(values)
        return codes[self.at_l], codes[self.at_r], categories

    def values(self, name: str, convert: Callable[[pd.Series], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``convert`` of the column at the used rows, gathered to the pairs: (p,) each."""
        def side(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
            column = frame[name] if name in frame.columns else pd.Series(np.full(len(frame), None, dtype=object))
            return convert(column.iloc[rows])
        out = side(self.left, self.used_l)
        if self.right is not None:
            out = np.concatenate([out, side(self.right, self.used_r)])
        return out[self.at_l], out[self.at_r]


def categorical_pairs(rows: RowSubset, name: str) -> tuple[pd.Categorical, pd.Categorical]:
    """Column ``name`` gathered at the pair rows: two Categoricals (p,) sharing one category table."""
    codes_left, codes_right, categories = rows.codes(name)
    make = pd.Categorical.from_codes
    return (make(codes_left, categories=categories, validate=False),
            make(codes_right, categories=categories, validate=False))
