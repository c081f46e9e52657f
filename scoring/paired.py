"""Paired columns: the left and right values of every candidate pair as codes into one table
of distinct values, so that a comparison runs once per distinct value (or distinct pair of
values) and is gathered back by index.

A comparator accepts plain arrays of shape (p,) or ``pd.Categorical`` columns that share
one category table (what ``scoring.features.compare`` passes: the frame's column factorised
once, its codes gathered by the pair positions, so nothing is hashed per pair).

>>> pc = paired(np.array(["王芳", "", "李娜"], dtype=object), np.array(["王芳", "王芳", None], dtype=object))
>>> list(pc.values), pc.left.tolist(), pc.right.tolist()
(['王芳', '', '李娜'], [0, 1, 2], [0, 0, 1])
>>> pc.blank().tolist()
[False, True, True]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Paired:
    """values: distinct values, object array of shape (k,) ('' for blanks);
    left, right: int64 codes into ``values``, each of shape (p,)."""

    values: np.ndarray
    left: np.ndarray
    right: np.ndarray

    def __len__(self) -> int:
        return len(self.left)

    def blank_values(self) -> np.ndarray:
        """bool (k,): the distinct value is blank."""
        return np.asarray(self.values == "", dtype=bool)

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
        width = np.int64(max(len(self.values), 1))
        key = self.left.astype(np.int64) * width + self.right.astype(np.int64)
        inverse, distinct = pd.factorize(key)
        distinct = np.asarray(distinct, dtype=np.int64)
        return distinct // width, distinct % width, inverse.astype(np.int64)


def _clean(values: np.ndarray) -> np.ndarray:
    """Object array with None/NaN turned into ''."""
    series = pd.Series(values, dtype=object)
    return series.where(series.notna(), "").astype(str).to_numpy(dtype=object)


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
        values = _clean(np.asarray(left.categories, dtype=object))
        return Paired(values, left.codes.astype(np.int64), right.codes.astype(np.int64))
    left_values = _clean(np.asarray(left, dtype=object))
    right_values = _clean(np.asarray(right, dtype=object))
    if len(left_values) != len(right_values):
        raise ValueError(f"left has {len(left_values)} values and right {len(right_values)}; pairs need one each")
    codes, values = pd.factorize(np.concatenate([left_values, right_values]))
    codes = codes.astype(np.int64)
    return Paired(np.asarray(values, dtype=object), codes[: len(left_values)], codes[len(left_values):])


def categorical_pairs(column: pd.Series | np.ndarray, rows_left: np.ndarray, rows_right: np.ndarray,
                      column_right: pd.Series | np.ndarray | None = None) -> tuple[pd.Categorical, pd.Categorical]:
    """A frame column (n,) factorised once and gathered at the pair rows: two Categoricals (p,).

    column_right: the right frame's column when linking two tables (factorised together).
    """
    if column_right is None:
        values = _clean(np.asarray(column, dtype=object))
        codes, categories = pd.factorize(values)
        codes_left = codes_right = codes
    else:
        left_values = _clean(np.asarray(column, dtype=object))
        codes, categories = pd.factorize(np.concatenate([left_values, _clean(np.asarray(column_right, dtype=object))]))
        codes_left, codes_right = codes[: len(left_values)], codes[len(left_values):]
    categories = pd.Index(np.asarray(categories, dtype=object), dtype=object)
    make = pd.Categorical.from_codes
    return (make(codes_left[rows_left], categories=categories, validate=False),
            make(codes_right[rows_right], categories=categories, validate=False))
