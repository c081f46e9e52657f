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
>>> [DATE_GRADES[g] for g in date_grade(left[:2], pd.to_datetime(["1990-03-01", "1990-04-20"]).to_numpy(), None,
...                                     ["M", "D"])]
['equal_partial', 'lunar']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from linkage.normalize.ids import digit_matrix

from .paired import Paired, paired, per_value
from .text import NAME_GRADES, jaro_winkler, name_grade  # noqa: F401  (one namespace of kernels)

ID_GRADES = ("missing", "equal", "equal_legacy", "check_only", "sequence_only", "substitution", "transposition",
             "two_digits", "region_only", "shifted", "masked_equal", "different")
"""Grades of two ID numbers (see ``id_grade``)."""
SPOUSE_ID_GRADES = ("missing", "equal", "typo", "different")
DATE_GRADES = ("missing", "equal", "equal_partial", "day_month_swap", "typo", "near", "lunar", "same_year_month",
               "jan1_same_year", "same_year", "different")
"""equal_partial: one date is known to the month (or year) only and they agree that far; typo:
one digit of YYYYMMDD differs or two neighbouring digits are swapped; near: within NEAR_DAYS;
lunar: LUNAR_DAYS apart (a lunar-calendar birthday written as a solar date); jan1_same_year:
the same year and one of them 1 January (the day a clerk writes who knows only the year)."""
AGREE_GRADES = ("missing", "agree", "disagree")
PHONE_GRADES = ("missing", "equal", "last8_equal", "different")
SIMILARITY_GRADES = ("missing", "equal", "high", "medium", "low")
UNIT_GRADES = ("missing", "same_unit", "same_district", "different_district")

NEAR_DAYS = 7
LUNAR_DAYS = (18, 55)
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


ID_WIDTH = 20
"""Widest cleaned number compared (an 18-digit number with two digits added)."""


def _id_table(pc: Paired) -> tuple[np.ndarray, np.ndarray]:
    """Character matrix uint8 (k, ID_WIDTH) of the distinct values and their lengths (k,);
    length 0 for values that are not 14-20 ASCII characters (blank, garbage): those count as
    missing."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        text = pd.Series(pc.values, dtype=object).astype(str)
        lengths = text.str.len().to_numpy(dtype=np.int64)
        usable = (lengths >= 14) & (lengths <= ID_WIDTH) & text.map(str.isascii).to_numpy(dtype=bool)
        forms = np.where(usable, pc.values, "").astype(str) if len(usable) else np.zeros(0, dtype=str)
        return digit_matrix(forms, width=ID_WIDTH), np.where(usable, lengths, 0)

    return per_value(pc.categories, "id_chars", build)


def _one_dropped(longer: np.ndarray, shorter: np.ndarray, long_len: np.ndarray) -> np.ndarray:
    """bool (m,): deleting one character of ``longer`` (m, W) gives ``shorter`` (m, W); both
    zero-padded, ``long_len`` (m,) the longer's length."""
    found = np.zeros(len(longer), dtype=bool)
    width = longer.shape[1]
    for k in range(width):
        head = (longer[:, :k] == shorter[:, :k]).all(axis=1)
        tail = (longer[:, k + 1:] == shorter[:, k: width - 1]).all(axis=1)
        found |= head & tail & (k < long_len)
    return found


def id_grade(left, right, left_status, right_status) -> np.ndarray:
    """Grade two ID columns (the cleaned number: 18-character forms of 15/18-digit numbers, the
    digits as typed for a number of another length, '' when absent) and their statuses;
    int8 (p,) of ID_GRADES.

    equal_legacy: equal, and one side was typed in the 15-digit form.  check_only: the first
    17 digits agree.  sequence_only: only the sequence digits (15-17) differ, region and birth
    date agree: a typo there looks like a twin's number, so it is graded apart.  substitution:
    one of the first 17 digits differs (the check character may differ too).  transposition: two neighbouring characters swapped.  two_digits: two of
    the first 17 digits differ.  region_only: only the region (first six digits) differs (the
    county of today written for the county of first registration).  shifted: one digit dropped
    or added (a 17- or 19-digit number that is the other with one character deleted).
    masked_equal: one number's tail is a placeholder ('****', see ``linkage.normalize.ids``) and
    the first 14 digits (region and birth date) agree.
    """
    pc = paired(left, right)
    chars, lengths = _id_table(pc)
    grades = np.zeros(len(pc), dtype=np.int8)
    len_l, len_r = lengths[pc.left], lengths[pc.right]
    blank = (len_l == 0) | (len_r == 0)
    equal = pc.same() & ~blank
    legacy = _is(left_status, "legacy15") != _is(right_status, "legacy15")
    grades[equal] = np.where(legacy[equal], ID_GRADES.index("equal_legacy"), ID_GRADES.index("equal"))
    grades[~blank & ~equal] = ID_GRADES.index("different")
    rows = np.flatnonzero(~blank & ~equal & (len_l == 18) & (len_r == 18))
    a, b = chars[pc.left[rows], :18], chars[pc.right[rows], :18]
    diff = a != b
    first17 = diff[:, :17].sum(axis=1)
    check = diff[:, 17]
    swapped = diff[:, :-1] & diff[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])
    transposed = ((first17 == 2) & swapped[:, :16].any(axis=1)) | ((first17 == 1) & check & swapped[:, 16])
    region_only = (first17 > 1) & ~diff[:, 6:17].any(axis=1)
    sequence_only = (first17 > 0) & ~diff[:, :14].any(axis=1)
    grades[rows] = _select([(first17 == 0) & check, sequence_only, transposed, first17 == 1, first17 == 2, region_only],
                           [ID_GRADES.index(g) for g in ("check_only", "sequence_only", "transposition", "substitution",
                                                         "two_digits", "region_only")],
                           default=ID_GRADES.index("different"), size=len(rows))
    rows = np.flatnonzero(~blank & ~equal & (np.abs(len_l - len_r) == 1))
    l_longer = (len_l > len_r)[rows]
    longer = np.where(l_longer, pc.left[rows], pc.right[rows])
    shorter = np.where(l_longer, pc.right[rows], pc.left[rows])
    shifted = _one_dropped(chars[longer], chars[shorter], lengths[longer])
    grades[rows[shifted]] = ID_GRADES.index("shifted")
    masked = ~blank & ~equal & ((chars[pc.left, 14] == 42) | (chars[pc.right, 14] == 42))  # '*'
    prefix = (chars[pc.left, :14] == chars[pc.right, :14]).all(axis=1)
    grades[masked] = np.where(prefix[masked], ID_GRADES.index("masked_equal"), ID_GRADES.index("different"))
    return grades


def spouse_id_grade(left, right, left_status, right_status) -> np.ndarray:
    """``id_grade`` coarsened to SPOUSE_ID_GRADES; int8 (p,)."""
    coarse = np.array([0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3], dtype=np.int8)
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


def date_grade(left, right, left_precision=None, right_precision=None) -> np.ndarray:
    """Grade two date columns (datetime64, NaT when unknown) and their precisions ('D' day, 'M'
    month, 'Y' year; None: all days); int8 (p,) of DATE_GRADES."""
    days_l, days_r = _day_numbers(left), _day_numbers(right)
    grades = np.zeros(len(days_l), dtype=np.int8)
    known = (days_l != MISSING_DAY) & (days_r != MISSING_DAY)
    coarse_l = _precision_rank(left_precision, len(days_l))
    coarse_r = _precision_rank(right_precision, len(days_r))
    partial = known & ((coarse_l > 0) | (coarse_r > 0))
    grades[known & ~partial & (days_l == days_r)] = 1
    rows = np.flatnonzero(known & ~((days_l == days_r) & ~partial))
    codes, distinct = pd.factorize(np.concatenate([days_l[rows], days_r[rows]]))
    months, digits = _date_table(np.asarray(distinct, dtype=np.int64))
    code_l, code_r = codes[: len(rows)], codes[len(rows):]
    a, b = digits[code_l], digits[code_r]
    diff = a != b
    n_diff = diff.sum(axis=1)
    swapped = (diff[:, :-1] & diff[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])).any(axis=1)
    month_l, month_r = months[code_l], months[code_r]
    same_year = month_l // 12 == month_r // 12
    same_month = month_l == month_r
    coarse = np.maximum(coarse_l[rows], coarse_r[rows])
    equal_partial = (coarse > 0) & np.where(coarse == 1, same_month, same_year)
    day_month_swap = same_year & (a[:, 4:6] == b[:, 6:8]).all(axis=1) & (a[:, 6:8] == b[:, 4:6]).all(axis=1)
    apart = np.abs(days_l[rows] - days_r[rows])
    jan1 = (a[:, 4:8] == [0, 1, 0, 1]).all(axis=1) | (b[:, 4:8] == [0, 1, 0, 1]).all(axis=1)
    full = coarse == 0
    grades[rows] = _select(
        [equal_partial, (coarse > 0) & same_year, (coarse > 0), day_month_swap & full,
         ((n_diff == 1) | ((n_diff == 2) & swapped)) & full, apart <= NEAR_DAYS,
         (apart >= LUNAR_DAYS[0]) & (apart <= LUNAR_DAYS[1]), same_month, jan1 & same_year, same_year],
        [DATE_GRADES.index(g) for g in ("equal_partial", "same_year", "different", "day_month_swap", "typo", "near",
                                        "lunar", "same_year_month", "jan1_same_year", "same_year")],
        default=DATE_GRADES.index("different"), size=len(rows))
    return grades


def _precision_rank(precision, n: int) -> np.ndarray:
    """int8 (n,): 0 for a date known to the day, 1 to the month, 2 to the year only."""
    if precision is None:
        return np.zeros(n, dtype=np.int8)
    values = np.asarray(precision, dtype=object)
    return np.select([values == "M", values == "Y"], [1, 2], default=0).astype(np.int8)


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
