"""Compute once per distinct value: the one place that turns a column into its distinct values,
applies a function to those, and gathers the results back by index.

A register of a million women holds a few thousand units, names and dates repeat, and most
normalisers are Python per value: every stage that works value by value goes through
``per_distinct`` (a scalar function) or ``distinct_map`` (a vectorised one over a Series of the
distinct texts).  ``text_series`` is the common first step: str, NFKC, trimmed, blank-likes to ''.

>>> per_distinct(["a", "b", "a"], lambda v: f"<{v}>").tolist()
['<a>', '<b>', '<a>']
>>> distinct_map([" x", "x", None], lambda texts: texts + "!").tolist()
['x!', 'x!', '!']
>>> text_series(pd.Series(["  ５ ", "NaN", None, 3])).tolist()
['5', '', '', '3']
>>> text_slice(["330106001", "王芳;", None], 0, -1).tolist()
['33010600', '王芳', None]
>>> text_fullmatch(["13800138000", "138001380001", None], r"1[3-9][0-9]{9}").tolist()
[True, False, False]
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_BLANKS = {"nan", "none", "null", "nat"}


def _text(value: object) -> str:
    """One value of ``text_series``; ASCII is already NFKC, so only other text is normalised."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = value if type(value) is str else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.strip()
    return "" if len(text) < 5 and text.lower() in _BLANKS else text


_BLANK_CASINGS = frozenset(
    "".join(letters) for word in _BLANKS for letters in itertools.product(*((c, c.upper()) for c in word))
)
"""Every casing of the blank-likes: ``t in _BLANK_CASINGS`` is ``t.lower() in _BLANKS`` for NFKC
text (the only non-ASCII character that lower-cases to ASCII, the Kelvin sign, NFKC makes 'K')."""


def text_series(values: pd.Series) -> pd.Series:
    """str, NFKC (full-width digits and letters to half-width), trimmed; blank-likes to ''.
    Two passes of list comprehensions over (n,) values: object Series of shape (n,)."""
    nfkc = unicodedata.normalize
    texts = [(value if value.isascii() else nfkc("NFKC", value)).strip() if type(value) is str else _text(value)
             for value in pd.Series(values, dtype=object).to_numpy(dtype=object)]
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(["" if text in _BLANK_CASINGS else text for text in texts], index=index, dtype=object)


def factorize(values: Any, *, missing_as_value: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Codes int64 (n,) and distinct values object (k,) of a column.

    None/NaN are code -1 (``missing_as_value=False``, the caller maps -1 to a trailing entry)
    or a distinct value of their own (``missing_as_value=True``)."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=not missing_as_value)
    return codes.astype(np.int64, copy=False), np.asarray(distinct, dtype=object)


def distinct_values(values: Any) -> tuple[np.ndarray, pd.Series]:
    """The distinct values of a column with a trailing '' standing for the missing ones.

    Returns (codes int64 (n,), distinct object Series (k + 1,)): ``distinct.iloc[codes]`` is the
    column with None/NaN as ''.  A normaliser computes on ``distinct`` (k + 1 values, not n)
    and gathers its result with ``result[codes]``."""
    codes, distinct = factorize(values)
    codes = np.where(codes < 0, len(distinct), codes)
    return codes, pd.Series(np.append(distinct, ""), dtype=object)


def distinct_map(values: pd.Series | list | np.ndarray, transform: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """Apply a vectorised ``transform`` (Series of str -> Series) to the distinct values of a
    column and gather the results back.  Blank-like values (None, NaN, 'nan') arrive as ''.
    Returns object (n,)."""
    codes, distinct = distinct_values(values)
    return np.asarray(transform(text_series(distinct)).to_numpy(dtype=object), dtype=object)[codes]


def per_distinct(values: pd.Series | list | np.ndarray, function: Callable[[object], Any], *,
                 dtype: Any = object) -> np.ndarray:
    """Apply a scalar ``function`` once per distinct value of a column (for parsers with no
    vectorised form), missing values included as they are; array of shape (n,) of ``dtype``."""
    codes, distinct = factorize(values, missing_as_value=True)
    mapped = np.fromiter((function(value) for value in distinct), dtype=dtype, count=len(distinct))
    return mapped[codes]


def text_slice(values: Any, start: int = 0, stop: int | None = None) -> np.ndarray:
    """``value[start:stop]`` of each text (characters, negative positions from the end, as
    Python slices), by Arrow's kernel over the whole column; None stays None.  A column that is
    not all text (numbers among it) goes through pandas' ``.str[start:stop]``.  object (n,)."""
    raw = pd.Series(values, dtype=object).to_numpy(dtype=object)
    try:
        array = pa.array(raw, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return pd.Series(raw, dtype=object).str[start:stop].to_numpy(dtype=object)
    sliced = pc.utf8_slice_codeunits(array, start, np.iinfo(np.int64).max if stop is None else stop)
    return np.asarray(sliced.to_numpy(zero_copy_only=False), dtype=object)


def text_length(values: Any) -> np.ndarray:
    """Characters of each text (Arrow's kernel; 0 for None); int64 (n,).  ``text_slice``'s fallback
    for columns that are not all text."""
    raw = pd.Series(values, dtype=object).to_numpy(dtype=object)
    try:
        array = pa.array(raw, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return pd.Series(raw, dtype=object).fillna("").astype(str).str.len().to_numpy(dtype=np.int64)
    return pc.fill_null(pc.utf8_length(array), 0).to_numpy(zero_copy_only=False).astype(np.int64)


def text_fullmatch(values: Any, pattern: str) -> np.ndarray:
    """bool (n,): the whole text matches ``pattern`` (Arrow's RE2 over the column, anchored);
    False for None.  A column that is not all text, or a pattern RE2 does not take, goes
    through pandas' ``str.fullmatch``."""
    raw = pd.Series(values, dtype=object).to_numpy(dtype=object)
    try:
        array = pa.array(raw, type=pa.string(), from_pandas=True)
        found = pc.match_substring_regex(array, f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return pd.Series(raw, dtype=object).astype(str).str.fullmatch(pattern).to_numpy(dtype=bool)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)
