"""Vectorised comparison kernels: left values (p,), right values (p,) -> int8 grades or float32.

Every grade table starts with "missing" (code 0): either side blank, no evidence either way.
String inputs may be plain arrays or ``pd.Categorical`` sharing categories (see
``scoring.paired``); work is done once per distinct value or distinct pair of values.

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

from .paired import Paired, paired
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


def _id_form(pc: Paired) -> Paired:
    """Values that are not an 18-character ASCII number count as blank (missing)."""
    usable = np.array([len(v) == 18 and v.isascii() for v in pc.values], dtype=bool)
    if usable.all() or not len(usable):
        return pc
    return Paired(np.where(usable, pc.values, "").astype(object), pc.left, pc.right)


def id_grade(left, right, left_status, right_status) -> np.ndarray:
    """Grade two ID columns (18-character forms, '' when absent) and their statuses; int8 (p,).

    equal_legacy: equal, and one side was typed in the 15-digit form.  check_only: the first
    17 digits agree.  substitution: one of the first 17 digits differs (the check character
    may differ too, when one side was upgraded from 15 digits).  transposition: two
    neighbouring characters swapped.
    """
    pc = _id_form(paired(left, right))
    n = len(pc)
    digits = digit_matrix(pc.values.astype(str)) if len(pc.values) else np.zeros((0, 18), np.uint8)
    a, b = digits[pc.left], digits[pc.right]
    diff = a != b
    first17 = diff[:, :17].sum(axis=1)
    check = diff[:, 17]
    swapped = diff[:, :-1] & diff[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])
    transposed = ((first17 == 2) & swapped[:, :16].any(axis=1)) | ((first17 == 1) & check & swapped[:, 16])
    legacy = _is(left_status, "legacy15") != _is(right_status, "legacy15")
    equal = pc.same()
    return _select(
        [pc.blank(), equal & legacy, equal, (first17 == 0) & check, transposed, first17 == 1],
        [0, 2, 1, 3, 5, 4], default=6, size=n,
    )


def both_valid_different(left, right, left_status, right_status) -> np.ndarray:
    """bool (p,): both numbers pass every check (18-digit, MOD 11-2) and still differ.

    One wrong digit or one swap of neighbours cannot keep a valid check character, so two
    valid different numbers belong to two different women (twins, sisters), not to a typo.
    """
    pc = _id_form(paired(left, right))
    return _is(left_status, "valid") & _is(right_status, "valid") & ~pc.same() & ~pc.blank()


def spouse_id_grade(left, right, left_status, right_status) -> np.ndarray:
    """``id_grade`` coarsened to SPOUSE_ID_GRADES; int8 (p,)."""
    coarse = np.array([0, 1, 1, 2, 2, 2, 3], dtype=np.int8)
    return coarse[id_grade(left, right, left_status, right_status)]


def _date_parts(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """days since epoch, year, month, day (int64 (p,)) and NaT mask of a datetime64 array."""
    stamps = np.asarray(values, dtype="datetime64[ns]")
    missing = np.isnat(stamps)
    days = stamps.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return days.astype(np.int64), year, month, day, missing


def date_grade(left, right) -> np.ndarray:
    """Grade two date columns (datetime64, NaT when unknown); int8 (p,) of DATE_GRADES."""
    days_l, year_l, month_l, day_l, missing_l = _date_parts(left)
    days_r, year_r, month_r, day_r, missing_r = _date_parts(right)
    ymd_l, ymd_r = year_l * 10000 + month_l * 100 + day_l, year_r * 10000 + month_r * 100 + day_r
    powers = 10 ** np.arange(8, dtype=np.int64)
    digits_l = (ymd_l[:, None] // powers) % 10
    digits_r = (ymd_r[:, None] // powers) % 10
    diff = digits_l != digits_r
    swapped = (diff[:, :-1] & diff[:, 1:] & (digits_l[:, :-1] == digits_r[:, 1:])
               & (digits_l[:, 1:] == digits_r[:, :-1])).any(axis=1)
    typo = (diff.sum(axis=1) == 1) | ((diff.sum(axis=1) == 2) & swapped)
    same_year = year_l == year_r
    return _select(
        [missing_l | missing_r, days_l == days_r,
         same_year & (month_l == day_r) & (day_l == month_r), typo,
         np.abs(days_l - days_r) <= NEAR_DAYS, same_year & (month_l == month_r), same_year],
        [0, 1, 2, 3, 4, 5, 6], default=7, size=len(days_l),
    )


def agree_grade(left, right) -> np.ndarray:
    """agree / disagree / missing of two categorical columns (sex, codes); int8 (p,)."""
    pc = paired(left, right)
    return _select([pc.blank(), pc.same()], [0, 1], default=2, size=len(pc))


def phone_grade(left, right) -> np.ndarray:
    """equal / last 8 digits equal / different / missing of two digit-only phones; int8 (p,)."""
    pc = paired(left, right)
    last8, codes = np.unique(pd.Series(pc.values, dtype=object).str[-8:].to_numpy(dtype=str), return_inverse=True)
    short = np.array([len(v) < 8 for v in pc.values], dtype=bool)
    tail_equal = (codes[pc.left] == codes[pc.right]) & ~short[pc.left]
    return _select([pc.blank(), pc.same(), tail_equal], [0, 1, 2], default=3, size=len(pc))


def unit_grade(left, right) -> np.ndarray:
    """same unit / same district (first 6 digits) / different district / missing; int8 (p,)."""
    pc = paired(left, right)
    districts, codes = np.unique(pd.Series(pc.values, dtype=object).str[:6].to_numpy(dtype=str), return_inverse=True)
    same_district = codes[pc.left] == codes[pc.right]
    return _select([pc.blank(), pc.same(), same_district], [0, 1, 2], default=3, size=len(pc))


def text_similarity(left, right, *, scorer=fuzz.ratio) -> np.ndarray:
    """rapidfuzz similarity 0-100 of two text columns, once per distinct pair; float32 (p,), 0 if blank."""
    pc = paired(left, right)
    return _similarity(pc, scorer)


def _similarity(pc: Paired, scorer) -> np.ndarray:
    if len(pc) == 0:
        return np.empty(0, dtype=np.float32)
    combo_l, combo_r, inverse = pc.combos()
    scores = process.cpdist(pc.values[combo_l].tolist(), pc.values[combo_r].tolist(), scorer=scorer,
                            workers=-1, dtype=np.float32)
    blank = pc.blank_values()
    scores[blank[combo_l] | blank[combo_r]] = 0.0
    return np.asarray(scores, dtype=np.float32)[inverse]


def address_grade(left, right) -> np.ndarray:
    """Two address columns graded by the share of the shorter found in order in the longer
    (LCS, once per distinct pair) into SIMILARITY_GRADES; int8 (p,)."""
    pc = paired(left, right)
    if len(pc) == 0:
        return np.empty(0, dtype=np.int8)
    combo_l, combo_r, inverse = pc.combos()
    a, b = pc.values[combo_l].tolist(), pc.values[combo_r].tolist()
    common = process.cpdist(a, b, scorer=LCSseq.similarity, workers=-1, dtype=np.int32)
    lengths = np.fromiter((len(v) for v in pc.values), dtype=np.int64, count=len(pc.values))
    shorter = np.maximum(np.minimum(lengths[combo_l], lengths[combo_r]), 1)
    share = (common / shorter)[inverse]
    high, medium = ADDRESS_CUTS
    return _select([pc.blank(), pc.same(), share >= high, share >= medium], [0, 1, 2, 3], default=4, size=len(pc))
