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

from ..errors import ConfigError
from .distinct import distinct_values, text_series

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


_NO_MATCH = (None,) * 5


def _groups(text: str) -> tuple:
    match = _DATE_RE.search(text)
    return match.groups() if match else _NO_MATCH


def _plain_fields(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts of the form YYYY-MM-DD (or . / 年 月 as separators) or YYYYMMDD (ASCII digits)
    and their year, month and day, read by integer arithmetic.  values: object (n,) of str.
    Returns (mask bool (n,), float (mask.sum(), 3))."""
    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    wide = np.asarray(values, dtype="U10")
    matrix = wide.view(np.uint32).reshape(len(wide), 10).astype(np.int64) - 48
    digit = (matrix >= 0) & (matrix <= 9)
    first_sep = np.isin(matrix[:, 4], [ord(c) - 48 for c in "-/.年"])  # the separators _DATE_RE allows
    second_sep = np.isin(matrix[:, 7], [ord(c) - 48 for c in "-/.月"])
    dashed = (lengths == 10) & digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & first_sep & second_sep
    compact = (lengths == 8) & digit[:, :8].all(axis=1)
    plain = dashed | compact
    m = matrix[plain]
    month_at = np.where(dashed[plain], 5, 4)[:, None]
    rows = np.arange(len(m))[:, None]
    year = m[:, :4] @ np.array([1000, 100, 10, 1], dtype=np.int64)
    month = m[rows, month_at + [0, 1]] @ np.array([10, 1], dtype=np.int64)
    day = m[rows, month_at * 2 - 2 + [0, 1]] @ np.array([10, 1], dtype=np.int64)
    return plain, np.c_[year, month, day].astype(float)


def _parse(texts: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse distinct texts (already NFKC and trimmed): datetime64 Series and status array."""
    values = texts.to_numpy(dtype=object)
    plain, fields = _plain_fields(values)
    numbers = np.full((len(values), 3), np.nan)
    numbers[plain] = fields
    if not plain.all():
        groups = [_groups(text) for text in values[~plain]]
        parts = pd.DataFrame(groups, columns=range(5), dtype=object).apply(pd.to_numeric, errors="coerce")
        numbers[~plain] = np.c_[parts[0], parts[1].where(parts[1].notna(), parts[3]),
                                parts[2].where(parts[2].notna(), parts[4])]
    year = pd.Series(numbers[:, 0], index=texts.index)
    year = year.where(year.between(MIN_YEAR, MAX_YEAR))  # outside: a typo, not a date
    month = pd.Series(numbers[:, 1], index=texts.index)
    day = pd.Series(numbers[:, 2], index=texts.index)
    stamps = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
    status = np.where(stamps.notna(), "ok", np.where(texts == "", "missing", "bad_date")).astype(object)
    return stamps, status


def normalize_dates(values: pd.Series | list) -> DateColumn:
    """Parse a column of dates once per distinct value."""
    codes, distinct = distinct_values(values)
    stamps, status = _parse(text_series(distinct))  # the trailing '' (missing) parses as missing
    return DateColumn(stamps.iloc[codes].reset_index(drop=True).astype("datetime64[ns]"), status[codes])


def parse_dates(values: pd.Series | list) -> pd.Series:
    """The datetime64 column of ``normalize_dates``."""
    return normalize_dates(values).values


def as_of_date(value: object | None) -> pd.Timestamp:
    """The clean-up's reference date (``--as-of``): a date-like value, or today (midnight) when
    None or blank.  Raises ConfigError for anything that is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return pd.Timestamp.today().normalize()
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"as_of: {value!r} is not a date; give it as 2026-01-31") from exc
    if pd.isna(stamp):
        raise ConfigError(f"as_of: {value!r} is not a date; give it as 2026-01-31")
    return stamp.normalize()
