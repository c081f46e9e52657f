"""Whole-array helpers over records grouped by an int code ``grp`` (m,) in 0..G-1.

Each returns one value per group (shape (G,)) or per record, computed with numpy
(bincount, ufunc.at, reduceat) and never a Python loop over groups.

>>> grp = np.array([0, 0, 1, 2, 2, 2])
>>> join_per_group(grp, np.array(list("abcdef"), dtype=object), 4).tolist()
['a;b', 'c', 'd;e;f', '']
>>> group_extreme(np.array([1.0, 3.0, np.nan, 2.0, 5.0, 4.0]), grp, 3, "max").tolist()
[3.0, nan, 5.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from linkage.normalize.distinct import text_slice

_EPOCH = pd.Timestamp("1970-01-01")


def group_any(mask: np.ndarray, grp: np.ndarray, n_groups: int) -> np.ndarray:
    """bool (G,): some row of the group is set."""
    return np.bincount(grp[mask], minlength=n_groups)[:n_groups] > 0


def group_count(mask: np.ndarray, grp: np.ndarray, n_groups: int) -> np.ndarray:
    """int64 (G,): set rows per group."""
    return np.bincount(grp[mask], minlength=n_groups)[:n_groups]


def group_extreme(values: np.ndarray, grp: np.ndarray, n_groups: int, how: str) -> np.ndarray:
    """float (G,): max or min of the non-NaN values of each group, NaN where none."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    out = np.full(n_groups, -np.inf if how == "max" else np.inf)
    (np.maximum if how == "max" else np.minimum).at(out, grp[ok], values[ok])
    out[np.isinf(out)] = np.nan
    return out


def join_per_group(grp: np.ndarray, values: np.ndarray, n_groups: int, sep: str = ";") -> np.ndarray:
    """object (G,): the values of each group in row order joined by ``sep`` ('' for none)."""
    out = np.full(n_groups, "", dtype=object)
    if len(grp) == 0:
        return out
    order = np.argsort(grp, kind="stable")
    g = grp[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    joined = np.add.reduceat(np.asarray(values, dtype=object)[order] + sep, starts)
    out[g[starts]] = text_slice(joined, 0, -len(sep) or None)
    return out


def join_notes(*notes: np.ndarray, sep: str = "; ") -> np.ndarray:
    """Element-wise join of object arrays of notes, skipping blanks."""
    acc = np.asarray(notes[0], dtype=object)
    for note in notes[1:]:
        note = np.asarray(note, dtype=object)
        acc = np.where(acc == "", note, np.where(note == "", acc, acc + sep + note))
    return acc


def text_column(norm: pd.DataFrame, name: str) -> np.ndarray:
    """A column as an object array of str ('' where absent or blank)."""
    if name not in norm.columns:
        return np.full(len(norm), "", dtype=object)
    values = norm[name]
    raw = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):  # text and blanks: no str() per value
        out = raw.copy()
        out[pd.isna(raw)] = ""
        return out
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object, copy=True)


def day_numbers(values: Any) -> np.ndarray:
    """float (n,): days since 1970-01-01, NaN where blank or not a date."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    return ((stamps - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, copy=True)


def day_text(days: np.ndarray) -> np.ndarray:
    """object (n,): 'YYYY-MM-DD' of day numbers, '' for NaN."""
    stamps = pd.to_datetime(pd.Series(np.asarray(days, dtype=float)), unit="D", errors="coerce")
    return stamps.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)


def date_column(norm: pd.DataFrame, name: str) -> np.ndarray:
    return day_numbers(norm[name]) if name in norm.columns else np.full(len(norm), np.nan)


def first_per_group(mask: np.ndarray, grp: np.ndarray, n_groups: int, sort_key: np.ndarray) -> np.ndarray:
    """int64 (G,): the masked row with the smallest sort_key in each group, -1 where none."""
    rows = np.flatnonzero(mask)
    out = np.full(n_groups, -1, dtype=np.int64)
    order = rows[np.lexsort((rows, sort_key[rows], grp[rows]))]
    first = np.r_[True, grp[order][1:] != grp[order][:-1]] if len(order) else np.zeros(0, bool)
    out[grp[order][first]] = order[first]
    return out


def take(values: np.ndarray, rows: np.ndarray, fill: Any = "") -> np.ndarray:
    """values[rows] where rows >= 0, ``fill`` where rows is -1; object (len(rows),)."""
    out = np.full(len(rows), fill, dtype=object)
    ok = rows >= 0
    out[ok] = np.asarray(values, dtype=object)[rows[ok]]
    return out
