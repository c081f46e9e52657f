"""Dates in the forms registers hold them: 2026-01-31, 20260131, 2026/1/31, 2026.01.31,
2026年1月31日 (and datetimes read from Excel).

>>> parse_dates(["2026-01-31", "20260131", "2026/1/31", "2026.01.31", "2026年1月31日", ""]).tolist()[:1]
[Timestamp('2026-01-31 00:00:00')]
>>> bool(parse_dates(["2026年1月31日"]).iloc[0] == pd.Timestamp("2026-01-31"))
True
>>> d = normalize_dates(["2026-02-30", "abc", "", "1990-5-6", "9197-12-18"])
>>> list(d.status)
['bad_date', 'bad_date', 'missing', 'ok', 'bad_date']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .contact import text_series

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$"
)


MIN_YEAR, MAX_YEAR = 1800, 2200
"""Years a register date can have; others (9197, 0001) are typos, and beyond the range of
nanosecond timestamps anyway."""


@dataclass(frozen=True)
class DateColumn:
    """values: datetime64[ns] of shape (n,), NaT where blank or unreadable;
    status: 'ok', 'missing' or 'bad_date' per row."""

    values: pd.Series
    status: np.ndarray


def _parse(texts: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse distinct texts (already NFKC and trimmed): datetime64 Series and status array."""
    parts = texts.str.extract(_DATE_RE)
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    year = numbers[0].where(numbers[0].between(MIN_YEAR, MAX_YEAR))  # outside: a typo, not a date
    month = numbers[1].where(numbers[1].notna(), numbers[3])
    day = numbers[2].where(numbers[2].notna(), numbers[4])
    stamps = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
    status = np.where(stamps.notna(), "ok", np.where(texts == "", "missing", "bad_date")).astype(object)
    return stamps, status


def normalize_dates(values: pd.Series | list) -> DateColumn:
    """Parse a column of dates once per distinct value."""
    series = pd.Series(values, dtype=object)
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    stamps, status = _parse(text_series(pd.Series(distinct, dtype=object)))
    stamps = pd.concat([stamps, pd.Series([pd.NaT], dtype="datetime64[ns]")], ignore_index=True)
    status = np.append(status, "missing")
    return DateColumn(stamps.iloc[codes].reset_index(drop=True).astype("datetime64[ns]"), status[codes])


def parse_dates(values: pd.Series | list) -> pd.Series:
    """The datetime64 column of ``normalize_dates``."""
    return normalize_dates(values).values
