"""Dates in the forms registers hold them, as clerks really write them.

Read to the day: 2026-01-31, 20260131, 2026/1/31, 2026.01.31, 2026年1月31日 (and datetimes read
from Excel, 2026-01-31 00:00:00); a two-digit year (85-03-12, 85/3/12, 850312, 85年3月12日: 19yy
when yy is after this year's two digits, else 20yy); an Excel serial number (31118 is
1985-03-12: days since 1899-12-30, read for 10000-60000 only).  Read to the month only: 1985-03,
1985/3, 1985年3月, 198503 (status 'month', the value the 1st of the month); a year alone: 1985,
1985年 (status 'year', the value 1 January).  Placeholders (1900-01-01 and earlier, 1899-12-30,
0000-00-00) are 'placeholder': no date, flagged.  Each text also says how it was written
(``DateColumn.form``: '' plain, 'two_digit_year', 'excel_serial'), so a clerk can be told.

>>> parse_dates(["2026-01-31", "20260131", "2026/1/31", "2026.01.31", "2026年1月31日", ""]).tolist()[:1]
[Timestamp('2026-01-31 00:00:00')]
>>> d = normalize_dates(["2026-02-30", "abc", "", "1990-5-6", "9197-12-18", "85-03-12", "31118", "1985-03",
...                      "198503", "1900-01-01", "1985"])
>>> list(d.status)
['bad_date', 'bad_date', 'missing', 'ok', 'bad_date', 'ok', 'ok', 'month', 'month', 'placeholder', 'year']
>>> [str(v.date()) for v in d.values[5:9]], list(d.form[5:7])
(['1985-03-12', '1985-03-12', '1985-03-01', '1985-03-01'], ['two_digit_year', 'excel_serial'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .distinct import distinct_values, text_fullmatch, text_series

_TIME = r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_RE = re.compile(r"^(\d{4}|\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + "$")
_COMPACT_RE = re.compile(r"^(\d{8}|\d{6})" + _TIME + "$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR_RE = re.compile(r"^(\d{4})\s*年?$")
_SERIAL_RE = re.compile(r"^(\d{5})(?:\.0+)?$")

MIN_YEAR, MAX_YEAR = 1800, 2200
"""Years a register date can have; others (9197, 0001) are typos, and beyond the range of
nanosecond timestamps anyway."""
PLACEHOLDER_BEFORE = pd.Timestamp("1900-01-02")
"""A date before this (1900-01-01, Excel's 1899-12-30 zero) is a placeholder, not a birth."""
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_RANGE = (10_000, 60_000)
"""Excel serials read as dates: 1927-05-18 to 2064-04-08."""


@dataclass(frozen=True)
class DateColumn:
    """values: datetime64[ns] of shape (n,), NaT where blank, unreadable or a placeholder (the
    1st of the month / 1 January where only the month / year is known);
    status: 'ok', 'month', 'year', 'placeholder', 'missing' or 'bad_date' per row;
    form: '' (plain), 'two_digit_year' or 'excel_serial': how a read date was written."""

    values: pd.Series
    status: np.ndarray
    form: np.ndarray

    @property
    def precision(self) -> np.ndarray:
        """object (n,): 'D' day, 'M' month, 'Y' year, '' no date."""
        return np.select([self.status == "ok", self.status == "month", self.status == "year"], ["D", "M", "Y"],
                         default="").astype(object)


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


def _two_digit(year: str) -> int:
    """A year written with two digits: 19yy when yy is after this year's two digits, else 20yy."""
    yy, now = int(year), pd.Timestamp.today().year % 100
    return 1900 + yy if yy > now else 2000 + yy


def _parse_one(text: str) -> tuple[float, float, float, str, str]:
    """(year, month, day, status, form) of one text that is not plain (see the module docstring);
    NaN where not read.  status here is 'ok', 'month', 'year' or 'bad_date'."""
    nan = float("nan")
    match = _DAY_RE.match(text)
    if match:
        year, month, day = match.groups()
        short = len(year) == 2
        return float(_two_digit(year) if short else int(year)), float(month), float(day), "ok", \
            "two_digit_year" if short else ""
    match = _COMPACT_RE.match(text)
    if match:
        digits = match.group(1)
        if len(digits) == 8:
            return float(digits[:4]), float(digits[4:6]), float(digits[6:]), "ok", ""
        if 1900 <= int(digits[:4]) <= 2100 and 1 <= int(digits[4:]) <= 12:  # 198503: year and month
            return float(digits[:4]), float(digits[4:]), 1.0, "month", ""
        return float(_two_digit(digits[:2])), float(digits[2:4]), float(digits[4:]), "ok", "two_digit_year"
    match = _MONTH_RE.match(text)
    if match:
        return float(match.group(1)), float(match.group(2)), 1.0, "month", ""
    match = _YEAR_RE.match(text)
    if match:
        return float(match.group(1)), 1.0, 1.0, "year", ""
    match = _SERIAL_RE.match(text)
    if match and SERIAL_RANGE[0] <= int(match.group(1)) <= SERIAL_RANGE[1]:
        day = EXCEL_EPOCH + pd.Timedelta(days=int(match.group(1)))
        return float(day.year), float(day.month), float(day.day), "ok", "excel_serial"
    return nan, nan, nan, "bad_date", ""


def _parse(texts: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse distinct texts (already NFKC and trimmed): datetime64 Series, status and form arrays."""
    values = texts.to_numpy(dtype=object)
    plain, fields = _plain_fields(values)
    numbers = np.full((len(values), 3), np.nan)
    numbers[plain] = fields
    status = np.full(len(values), "ok", dtype=object)
    form = np.full(len(values), "", dtype=object)
    other = np.flatnonzero(~plain & (texts.to_numpy(dtype=object) != ""))
    if len(other):
        parsed = [_parse_one(text) for text in values[other]]
        numbers[other] = [row[:3] for row in parsed]
        status[other] = [row[3] for row in parsed]
        form[other] = [row[4] for row in parsed]
    year = pd.Series(numbers[:, 0], index=texts.index)
    year = year.where(year.between(MIN_YEAR, MAX_YEAR))  # outside: a typo, not a date
    month = pd.Series(numbers[:, 1], index=texts.index)
    day = pd.Series(numbers[:, 2], index=texts.index)
    stamps = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
    placeholder = (stamps < PLACEHOLDER_BEFORE).to_numpy() | text_fullmatch(texts, r"0+[-/.]?0+[-/.]?0+")
    status = np.where(texts == "", "missing", np.where(placeholder, "placeholder",
                                                       np.where(stamps.notna(), status, "bad_date"))).astype(object)
    stamps = stamps.where(np.isin(status, ("ok", "month", "year")))
    return stamps, status, np.where(np.isin(status, ("ok", "month", "year")), form, "").astype(object)


def normalize_dates(values: pd.Series | list) -> DateColumn:
    """Parse a column of dates once per distinct value."""
    codes, distinct = distinct_values(values)
    stamps, status, form = _parse(text_series(distinct))  # the trailing '' (missing) parses as missing
    return DateColumn(stamps.iloc[codes].reset_index(drop=True).astype("datetime64[ns]"), status[codes], form[codes])


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
