"""Vectorised comparison kernels: left values (p,), right values (p,) -> int8 grades or float32.

Every grade table starts with "missing" (code 0): either side blank, no evidence either way.
String inputs may be plain arrays or ``pd.Categorical`` sharing categories (see
``scoring.paired``).  Whatever depends on one value (ID digits, a name's characters, an
address's length) is computed once per distinct value and gathered by code; the pairwise
part is numpy over the pairs that need it (not blank, not identical), or rapidfuzz
``process.cpdist`` for string similarity.

>>> ids = ["11010519491231002X", "11010519491231002X", "110105194912310029", ""]
>>> other = ["11010519491231002X", "11010519491321002X", "11010519491231002X", "11010519491231002X"]
>>> [ID_GRADES[g] for g in id_grade(ids, other, ["valid"] * 4, ["valid"] * 4)]
['equal', 'transposition', 'check_only', 'missing']
>>> left = pd.to_datetime(["1990-03-05", "1990-03-05", "1990-03-05", "1990-03-05", None]).to_numpy()
>>> right = pd.to_datetime(["1990-05-03", "1990-03-15", "1990-02-28", "1990-11-30", "1990-03-05"]).to_numpy()
>>> [DATE_GRADES[g] for g in date_grade(left, right)]
['day_month_swap', 'typo', 'near', 'same_year', 'missing']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from linkage.normalize.ids import digit_matrix

from .paired import Paired, paired, per_value
from .text import NAME_GRADES, jaro_winkler, name_grade  # noqa: F401  (one namespace of kernels)

ID_GRADES = ("missing", "equal", "equal_legacy", "check_only", "substitution", "transposition", "different")
"""Grades of two ID numbers (18-character forms of any 15/18-digit number)."""
SPOUSE_ID_GRADES = ("missing", "equal", "typo", "different")
DATE_GRADES = ("missing", "equal", "day_month_swap", "typo", "near", "same_year_month", "same_year", "different")
"""typo: one digit of YYYYMMDD differs or two neighbouring digits are swapped; near: within NEAR_DAYS."""
AGREE_GRADES = ("missing", "agree", "disagree")
PHONE_GRADES = ("missing", "equal", "last8_equal", "different")
SIMILARITY_GRADES = ("missing", "equal", "high", "medium", "low")
UNIT_GRADES = ("missing", "same_unit", "same_district", "different_district")

NEAR_DAYS = 7
MISSING_DAY = np.iinfo(np.int64).min
ADDRESS_CUTS = (0.9, 0.7)
"""Share of the shorter address found in order in the other (LCS / shorter length): at or
above the first 'high', the second 'medium'."""


def _is(values, label: str) -> np.ndarray:
    """bool (p,): values == label, cheap for Categoricals."""
    if isinstance(values, pd.Categorical):
        categories = values.categories
        if label not in categories:
            return np.zeros(len(values), dtype=bool)
        return np.asarray(values.codes == categories.get_loc(label))
    return np.asarray(pd.Series(values, dtype=object).to_numpy() == label, dtype=bool)


def _select(conditions: list[np.ndarray], grades: list[int], default: int, size: int) -> np.ndarray:
    """First matching condition wins; int8 (p,)."""
    if size == 0:
        return np.empty(0, dtype=np.int8)
    return np.select(conditions, grades, default=default).astype(np.int8)


def _id_table(pc: Paired) -> tuple[np.ndarray, np.ndarray]:
    """Digit matrix uint8 (k, 18) of the distinct values and bool (k,) for values that are not
    an 18-character ASCII number (blank, garbage): those count as missing."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        text = pd.Series(pc.values, dtype=object).astype(str)
        usable = ((text.str.len() == 18) & text.map(str.isascii).astype(bool)).to_numpy(dtype=bool)
        forms = np.where(usable, pc.values, "").astype(str) if len(usable) else np.zeros(0, dtype=str)
        return digit_matrix(forms), ~usable

    return per_value(pc.categories, "id_digits", build)


def id_grade(left, right, left_status, right_status) -> np.ndarray:
    """Grade two ID columns (18-character forms, '' when absent) and their statuses; int8 (p,).

    equal_legacy: equal, and one side was typed in the 15-digit form.  check_only: the first
    17 digits agree.  substitution: one of the first 17 digits differs (the check character
    may differ too, when one side was upgraded from 15 digits).  transposition: two
    neighbouring characters swapped.
    """
    pc = paired(left, right)
    digits, unusable = _id_table(pc)
    grades = np.zeros(len(pc), dtype=np.int8)
    blank = unusable[pc.left] | unusable[pc.right]
    equal = pc.same() & ~blank
    legacy = _is(left_status, "legacy15") != _is(right_status, "legacy15")
    grades[equal] = np.where(legacy[equal], 2, 1)
    rows = np.flatnonzero(~blank & ~equal)
    a, b = digits[pc.left[rows]], digits[pc.right[rows]]
    diff = a != b
    first17 = diff[:, :17].sum(axis=1)
    check = diff[:, 17]
    swapped = diff[:, :-1] & diff[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])
    transposed = ((first17 == 2) & swapped[:, :16].any(axis=1)) | ((first17 == 1) & check & swapped[:, 16])
    grades[rows] = _select([(first17 == 0) & check, transposed, first17 == 1], [3, 5, 4], default=6, size=len(rows))
    return grades


def spouse_id_grade(left, right, left_status, right_status) -> np.ndarray:
    """``id_grade`` coarsened to SPOUSE_ID_GRADES; int8 (p,)."""
    coarse = np.array([0, 1, 1, 2, 2, 2, 3], dtype=np.int8)
    return coarse[id_grade(left, right, left_status, right_status)]


def _day_numbers(values) -> np.ndarray:
    """Days since 1970-01-01 of a datetime64 array (p,), int64; NaT becomes MISSING_DAY."""
    stamps = np.asarray(values, dtype="datetime64[ns]")
    days = stamps.astype("datetime64[D]").astype(np.int64)
    days[np.isnat(stamps)] = MISSING_DAY
    return days


def _date_table(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For distinct days (u,): year * 12 + month - 1 (int64 (u,)) and YYYYMMDD digits uint8 (u, 8)."""
    stamps = days.astype("datetime64[D]")
    months = stamps.astype("datetime64[M]")
    month_number = months.astype(np.int64)
    year, month = month_number // 12 + 1970, month_number % 12 + 1
    day = (stamps - months.astype("datetime64[D]")).astype(np.int64) + 1
    ymd = year * 10000 + month * 100 + day
    digits = ((ymd[:, None] // 10 ** np.arange(7, -1, -1, dtype=np.int64)) % 10).astype(np.uint8)
    return month_number, digits


def date_grade(left, right) -> np.ndarray:
    """Grade two date columns (datetime64, NaT when unknown); int8 (p,) of DATE_GRADES."""
    days_l, days_r = _day_numbers(left), _day_numbers(right)
    grades = np.zeros(len(days_l), dtype=np.int8)
    known = (days_l != MISSING_DAY) & (days_r != MISSING_DAY)
    grades[known & (days_l == days_r)] = 1
    rows = np.flatnonzero(known & (days_l != days_r))
    codes, distinct = pd.factorize(np.concatenate([days_l[rows], days_r[rows]]))
    months, digits = _date_table(np.asarray(distinct, dtype=np.int64))
    code_l, code_r = codes[: len(rows)], codes[len(rows):]
    a, b = digits[code_l], digits[code_r]
    diff = a != b
    n_diff = diff.sum(axis=1)
    swapped = (diff[:, :-1] & diff[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])).any(axis=1)
    month_l, month_r = months[code_l], months[code_r]
    same_year = month_l // 12 == month_r // 12
    day_month_swap = same_year & (a[:, 4:6] == b[:, 6:8]).all(axis=1) & (a[:, 6:8] == b[:, 4:6]).all(axis=1)
    grades[rows] = _select(
        [day_month_swap, (n_diff == 1) | ((n_diff == 2) & swapped),
         np.abs(days_l[rows] - days_r[rows]) <= NEAR_DAYS, month_l == month_r, same_year],
        [2, 3, 4, 5, 6], default=7, size=len(rows))
    return grades


def agree_grade(left, right) -> np.ndarray:
    """agree / disagree / missing of two categorical columns (sex, codes); int8 (p,)."""
    pc = paired(left, right)
    return _select([pc.blank(), pc.same()], [0, 1], default=2, size=len(pc))


def phone_grade(left, right) -> np.ndarray:
    """equal / last 8 digits equal / different / missing of two digit-only phones; int8 (p,)."""
    pc = paired(left, right)

    def build() -> tuple[np.ndarray, np.ndarray]:
        text = pd.Series(pc.values, dtype=object).astype(str)
        return pd.factorize(text.str[-8:])[0], (text.str.len() < 8).to_numpy()

    codes, short = per_value(pc.categories, "last8", build)
    tail_equal = (codes[pc.left] == codes[pc.right]) & ~short[pc.left]
    return _select([pc.blank(), pc.same(), tail_equal], [0, 1, 2], default=3, size=len(pc))


def unit_grade(left, right) -> np.ndarray:
    """same unit / same district (first 6 digits) / different district / missing; int8 (p,)."""
    pc = paired(left, right)
    codes = per_value(pc.categories, "first6",
                      lambda: pd.factorize(pd.Series(pc.values, dtype=object).astype(str).str[:6])[0])
    same_district = codes[pc.left] == codes[pc.right]
    return _select([pc.blank(), pc.same(), same_district], [0, 1, 2], default=3, size=len(pc))


def text_similarity(left, right, *, scorer=fuzz.ratio) -> np.ndarray:
    """rapidfuzz similarity (0-100 for the fuzz scorers) of two text columns, once per distinct
    pair of values; float32 (p,), 0 where either side is blank."""
    pc = paired(left, right)
    if len(pc) == 0:
        return np.empty(0, dtype=np.float32)
    combo_l, combo_r, inverse = pc.combos()
    values = pc.values
    scores = process.cpdist(values[combo_l].tolist(), values[combo_r].tolist(), scorer=scorer,
                            workers=-1, dtype=np.float32)
    blank = pc.blank_values()
    scores[blank[combo_l] | blank[combo_r]] = 0.0
    return np.asarray(scores, dtype=np.float32)[inverse]


def address_grade(left, right) -> np.ndarray:
    """Two address columns graded by the share of the shorter found in order in the longer
    (LCS, rapidfuzz over the pairs whose addresses differ) into SIMILARITY_GRADES; int8 (p,)."""
    pc = paired(left, right)
    grades = np.zeros(len(pc), dtype=np.int8)
    blank = pc.blank()
    grades[~blank & pc.same()] = 1
    rows = np.flatnonzero(~blank & ~pc.same())
    if len(rows) == 0:
        return grades
    codes_l, codes_r = pc.left[rows], pc.right[rows]  # nearly every pair of addresses is distinct
    values = pc.values
    common = process.cpdist(values[codes_l].tolist(), values[codes_r].tolist(), scorer=LCSseq.similarity,
                            workers=-1, dtype=np.int32)
    lengths = per_value(pc.categories, "length", lambda: pd.Series(values, dtype=object).str.len().to_numpy())
    share = common / np.maximum(np.minimum(lengths[codes_l], lengths[codes_r]), 1)
    high, medium = ADDRESS_CUTS
    grades[rows] = _select([share >= high, share >= medium], [2, 3], default=4, size=len(rows))
    return grades
