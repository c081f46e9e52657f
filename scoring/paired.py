"""Paired columns: the left and right values of every candidate pair as codes into one table
of distinct values, so that a comparison runs once per distinct value (or distinct pair of
values) and is gathered back by index.

A comparator accepts plain arrays of shape (p,) or ``pd.Categorical`` columns that share
one category table (what ``scoring.features.compare`` passes: the frame's column factorised
once, its codes gathered by the pair positions, so nothing is hashed per pair).

Two caches keep repeated calls cheap when a pipeline scores millions of pairs in chunks:
a frame column's factorisation (keyed on the frame object and its column array, so a
replaced column is factorised again), and tables computed once per distinct value
(``per_value``: character matrices, ID digit matrices ...), keyed on the category index
object, which is immutable.  Frames are read-only while they are scored, as the pipeline
keeps them; after editing cells of a frame in place, call ``clear_caches()``.

>>> pc = paired(np.array(["王芳", "", "李娜"], dtype=object), np.array(["王芳", "王芳", None], dtype=object))
>>> list(pc.values), pc.left.tolist(), pc.right.tolist()
(['王芳', '', '李娜'], [0, 1, 2], [0, 0, 1])
>>> pc.blank().tolist()
[False, True, True]
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

_PER_VALUE: OrderedDict[tuple[int, str], tuple[pd.Index, Any]] = OrderedDict()
_PER_VALUE_SIZE = 96  # one compare() call of the register uses about 30 tables
_COLUMNS: OrderedDict[tuple, tuple[Any, ...]] = OrderedDict()
_COLUMNS_SIZE = 64


def clear_caches() -> None:
    """Forget every cached factorisation and per-value table."""
    _PER_VALUE.clear()
    _COLUMNS.clear()


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
    left_values = _clean(np.asarray(left, dtype=object))
    right_values = _clean(np.asarray(right, dtype=object))
    if len(left_values) != len(right_values):
        raise ValueError(f"left has {len(left_values)} values and right {len(right_values)}; pairs need one each")
    codes, values = pd.factorize(np.concatenate([left_values, right_values]))
    codes = codes.astype(np.int64)
    return Paired(_index(values), codes[: len(left_values)], codes[len(left_values):])


def _array(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[name].to_numpy(dtype=object)


def _pointer(array: np.ndarray) -> int:
    return int(array.__array_interface__["data"][0])


def encode_columns(left: pd.DataFrame, right: pd.DataFrame | None,
                   name: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """A column of one frame (``right`` None or the same frame) or of two, factorised together.

    Returns (codes of the left rows (n_l,), codes of the right rows (n_r,), categories (k,)).
    Cached per frame object and column array, so scoring pairs in chunks factorises once.
    """
    frames = (left,) if right is None or right is left else (left, right)
    arrays = [_array(frame, name) for frame in frames]
    key = (name,) + tuple((id(f), _pointer(a), len(a)) for f, a in zip(frames, arrays))
    hit = _COLUMNS.get(key)
    if hit is not None and all(ref() is f for ref, f in zip(hit[0], frames)):
        _COLUMNS.move_to_end(key)
        return hit[1], hit[2], hit[3]
    codes, categories = pd.factorize(_clean(np.concatenate(arrays)))
    codes = codes.astype(np.int64)
    split = len(arrays[0])
    codes_left, codes_right = (codes, codes) if len(frames) == 1 else (codes[:split], codes[split:])
    result = (codes_left, codes_right, _index(categories))
    _COLUMNS[key] = (tuple(weakref.ref(f) for f in frames),) + result
    while len(_COLUMNS) > _COLUMNS_SIZE:
        _COLUMNS.popitem(last=False)
    return result


def categorical_pairs(left: pd.DataFrame, right: pd.DataFrame | None, name: str, rows_left: np.ndarray,
                      rows_right: np.ndarray) -> tuple[pd.Categorical, pd.Categorical]:
    """Column ``name`` gathered at the pair rows: two Categoricals (p,) sharing one category table."""
    codes_left, codes_right, categories = encode_columns(left, right, name)
    make = pd.Categorical.from_codes
    return (make(codes_left[rows_left], categories=categories, validate=False),
            make(codes_right[rows_right], categories=categories, validate=False))
