"""Values made safe for the spreadsheet programs offices open our files in (Excel, WPS, LibreOffice).

* CSV: a text value that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be
  run as a formula when the file is opened (``=HYPERLINK(...)`` in a street name); it is written
  with a leading apostrophe (OWASP's advice: ``'=HYPERLINK(...)``), which spreadsheets show as
  text and which ``unescape_csv_text`` (and every reader of this package) takes off again.
* Excel: a cell is a string or a number, never a formula (``linkage.io.write_excel`` types every
  text cell as a string); characters a workbook cannot hold (control characters other than tab,
  line feed and carriage return) are replaced by '?' and counted, never a crash.

Each works once per distinct value of a column.

>>> escape_csv_text(["=1+1", "-5", "王芳", "", "'=x"]).tolist()
["'=1+1", "'-5", '王芳', '', "''=x"]
>>> unescape_csv_text(pd.Series(["'=1+1", "'-5", "'abc", "''=x"])).tolist()
['=1+1', '-5', "'abc", "'=x"]
>>> excel_text("a\\x07b")
'a?b'
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV value as a formula."""
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_NOT_IN_WORKBOOK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters openpyxl refuses (IllegalCharacterError) and Excel cannot store."""


def _needs_escape(texts: pd.Series) -> np.ndarray:
    """bool (n,): the text begins with a formula character, or is already escaped (so that an
    apostrophe the value really had is kept when read back)."""
    first = texts.str[:1]
    return (first.isin(FORMULA_START) | texts.str.match(_ESCAPED)).to_numpy(dtype=bool)


def escape_csv_text(values: Any) -> np.ndarray:
    """object (n,): each str value that a spreadsheet would run as a formula, with a leading
    apostrophe; other values (numbers, blanks, ordinary text) as they are."""
    values = pd.Series(values, dtype=object)
    raw = values.to_numpy(dtype=object)
    try:  # the first character of every value in one C pass: most columns have nothing to escape
        first = raw.astype("U1")
    except (TypeError, ValueError):
        first = None
    if first is not None and not np.isin(first, FORMULA_START + ("'",)).any():
        return raw
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return values.to_numpy(dtype=object)
    distinct = pd.Series(uniques, dtype=object)
    is_text = distinct.map(type).to_numpy() == str
    texts = distinct.where(is_text, "").astype(str)
    escape = is_text & _needs_escape(texts)
    if not escape.any():
        return values.to_numpy(dtype=object)
    shown = distinct.to_numpy(dtype=object).copy()
    shown[escape] = "'" + texts[escape].to_numpy(dtype=object)
    out = values.to_numpy(dtype=object).copy()
    known = codes >= 0
    out[known] = shown[codes[known]]
    return out


def escape_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text column escaped (``escape_csv_text``); numeric columns untouched.
    Returns ``frame`` itself when nothing needs escaping, else a shallow copy."""
    changed: dict[str, np.ndarray] = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            escaped = escape_csv_text(values)
            if not _same(escaped, values):
                changed[position] = escaped
    if not changed:
        return frame
    out = frame.copy(deep=False)
    for position, escaped in changed.items():
        out.isetitem(position, escaped)
    return out


def _same(escaped: np.ndarray, values: pd.Series) -> bool:
    original = values.to_numpy(dtype=object)
    return escaped is original or bool(np.all((escaped == original) | pd.isna(original)))


def unescape_csv_text(texts: pd.Series) -> pd.Series:
    """The inverse of ``escape_csv_text`` on a column of str read from a CSV: one leading
    apostrophe taken off where a formula character (or another apostrophe) follows it."""
    codes, uniques = pd.factorize(texts)
    distinct = pd.Series(uniques, dtype=object).astype(str)
    escaped = distinct.str.match(_ESCAPED).to_numpy(dtype=bool)
    if not escaped.any():
        return texts
    distinct[escaped] = distinct[escaped].str[1:]
    return pd.Series(distinct.to_numpy(dtype=object)[codes], index=texts.index, dtype=object, name=texts.name)


def unescape_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column of a frame of str read from a CSV through ``unescape_csv_text`` (in place)."""
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            unescaped = unescape_csv_text(values)
            if unescaped is not values:
                frame.isetitem(position, unescaped)
    return frame


def excel_text(value: str) -> str:
    """``value`` with the characters a workbook cannot hold replaced by '?'."""
    return _NOT_IN_WORKBOOK.sub("?", value)


def has_excel_illegal(value: str) -> bool:
    return _NOT_IN_WORKBOOK.search(value) is not None
