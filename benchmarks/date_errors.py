"""Birth dates as clerks also write them: two-digit years, Excel serials, year-month only.

Kernels over whole columns (days since 1970-01-01, shape (n,); the record's habitual format as an
index into :data:`benchmarks.corruptions.DATE_FORMATS`, shape (n,)).  Placeholders (1900-01-01,
YYYY-01-01) and lunar-calendar birthdays are day shifts, formatted as any other date.

>>> two_digit_years(np.array([5549]), np.array([0])).tolist()
['85-03-12']
>>> excel_serials(np.array([5549])).tolist()
['31118']
>>> year_months(np.array([5549, 5549]), np.array([0, 1])).tolist()
['1985-03', '198503']
"""

from __future__ import annotations

import numpy as np

EXCEL_EPOCH = -25569
"""Day 0 of Excel's serial numbers (1899-12-30) in days since 1970-01-01."""
PLACEHOLDER_1900 = -25567
"""1900-01-01 in days since 1970-01-01."""
_TWO_DIGIT = ("{y:02d}-{m:02d}-{d:02d}", "{y:02d}{m:02d}{d:02d}", "{y}/{m}/{d}", "{y:02d}.{m:02d}.{d:02d}", "{y:02d}年{m}月{d}日")
_YEAR_MONTH = ("{y:04d}-{m:02d}", "{y:04d}{m:02d}", "{y}/{m}", "{y:04d}.{m:02d}", "{y}年{m}月")


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dt = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = dt.astype("datetime64[M]")
    return (dt.astype("datetime64[Y]").astype(np.int64) + 1970, month.astype(np.int64) % 12 + 1,
            (dt - month.astype("datetime64[D]")).astype(np.int64) + 1)


def _render(days: np.ndarray, fmt: np.ndarray, formats: tuple[str, ...], two_digit: bool) -> np.ndarray:
    if len(days) == 0:
        return np.empty(0, dtype=object)
    uniq, inv = np.unique(np.asarray(days, dtype=np.int64) * 8 + np.asarray(fmt), return_inverse=True)
    day, f = np.divmod(uniq, 8)
    y, m, d = _ymd(day)
    y = y % 100 if two_digit else y
    text = [formats[k].format(y=a, m=b, d=c) for a, b, c, k in zip(y.tolist(), m.tolist(), d.tolist(), f.tolist())]
    return np.array(text + [""], dtype=object)[:-1][inv.reshape(-1)]


def two_digit_years(days: np.ndarray, fmt: np.ndarray) -> np.ndarray:
    """'85-03-12' (and 850312, 85/3/12, 85.03.12, 85年3月12日 by format), object (n,)."""
    return _render(days, fmt, _TWO_DIGIT, True)


def year_months(days: np.ndarray, fmt: np.ndarray) -> np.ndarray:
    """'1985-03' (and 198503, 1985/3, 1985.03, 1985年3月 by format), object (n,)."""
    return _render(days, fmt, _YEAR_MONTH, False)


def excel_serials(days: np.ndarray) -> np.ndarray:
    """The day count a spreadsheet shows for a date cell read as a number ('31118' for 1985-03-12), object (n,)."""
    return np.asarray(np.asarray(days, dtype=np.int64) - EXCEL_EPOCH).astype(str).astype(object)


def january_first(days: np.ndarray) -> np.ndarray:
    """Day of 1 January of the year of each day (n,)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def lunar_shift(rng: np.random.Generator, n: int) -> np.ndarray:
    """Offsets (n,) of a lunar-calendar birthday written as a solar date: 20-50 days, either way round.

    Written on the record, her lunar birthday is 20-50 days before the solar one; where the ID number
    holds the lunar date, the solar date on the record is as much later.
    """
    return rng.integers(20, 51, n) * np.where(rng.random(n) < 0.5, -1, 1)
