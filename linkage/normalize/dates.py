"""Dates in the forms registers hold them: 2026-01-31, 20260131, 2026/1/31, 2026.01.31,
2026年1月31日 (and datetimes read from Excel).

>>> parse_dates(["2026-01-31", "20260131", "2026/1/31", "2026.01.31", "2026年1月31日", ""]).tolist()[:1]
[Timestamp('2026-01-31 00:00:00')]
>>> bool(parse_dates(["2026年1月31日"]).iloc[0] == pd.Timestamp("2026-01-31"))
True
>>> d = normalize_dates(["2026-02-30", "abc", "", "1990-5-6"])
>>> list(d.status)
['bad_date', 'bad_date', 'missing', 'ok']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$"
)


@dataclass(frozen=True)
class DateColumn:
    """values: datetime64[ns] of shape (n,), NaT where blank or unreadable;
    status: 'ok', 'missing' or 'bad_date' per row."""

    values: pd.Series
    status: np.ndarray


def _parse_one(raw: object) -> tuple[pd.Timestamp | None, str]:
    if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NaT:
        return None, "missing"
    if isinstance(raw, (pd.Timestamp, np.datetime64)) or hasattr(raw, "year"):
        return pd.Timestamp(raw), "ok"
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text or text.lower() in {"nan", "nat", "none", "null"}:
        return None, "missing"
    match = _DATE_RE.match(text)
    if not match:
        return None, "bad_date"
    year, month, day, month8, day8 = match.groups()
    try:
        return pd.Timestamp(int(year), int(month or month8), int(day or day8)), "ok"
    except ValueError:
        return None, "bad_date"


def normalize_dates(values: pd.Series | list) -> DateColumn:
    """Parse a column of dates once per distinct value."""
    series = pd.Series(values, dtype=object)
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    parsed = [_parse_one(value) for value in distinct]
    stamps = pd.Series([p[0] for p in parsed], dtype="datetime64[ns]")
    status = np.array([p[1] for p in parsed], dtype=object)
    return DateColumn(stamps.iloc[codes].reset_index(drop=True), status[codes])


def parse_dates(values: pd.Series | list) -> pd.Series:
    """The datetime64 column of ``normalize_dates``."""
    return normalize_dates(values).values
