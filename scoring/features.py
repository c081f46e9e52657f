"""Comparison features of candidate pairs: ``compare(left, right, pairs) -> Features``.

Every comparison is a group of columns named ``group:detail``: one 0/1 column per grade
except "missing" (a blank field is no evidence, the model's reference level), plus a 0/1
flag.  The raw grades travel with the matrix for the reasons.  What two ID numbers show about
the pair (``linkage.identity``: the same number, two valid numbers that differ only in their
region, birth date or sequence) is the ``id_pair`` comparison; pairs that cannot be one woman
never reach scoring (blocking leaves them out).

Jaro-Winkler of names and of their pinyin (``comparators.jaro_winkler``) is not a default
column: beside the graded name comparison it changed pairwise F1 on generated registers by
less than 0.0002, and it costs a string pass per pair.  A model for other registers can
add it (see ``linkage.generic``).

>>> norm = pd.DataFrame({"name": ["王芳", "王方", "李娜"], "id_full": ["", "", ""],
...                      "birth": pd.to_datetime(["1990-03-05", "1990-03-05", None])})
>>> f = compare(norm, norm, np.array([[0, 1], [0, 2]]))
>>> f.matrix.shape == (2, len(FEATURE_NAMES)), f.value("name:homophone").tolist(), f.value("birth:equal").tolist()
(True, [1.0, 0.0], [1.0, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from linkage.identity import BIRTH_ONLY, REGION_ONLY, SEQUENCE_ONLY, IdParts

from . import comparators as cmp
from .paired import RowSubset, categorical_pairs

FEATURE_VERSION = 3
"""Bumped whenever a comparison, a grade or a feature changes meaning (2: ``id_pair`` and
``sex`` in the matrix; the two-valid-numbers and legacy flags gone; 3: fuzzy pinyin, partial and
lunar dates, ID numbers two digits apart / in another county / shifted, how common an agreeing
value is)."""
ID_PAIR_GRADES = ("missing", "region_only", "birth_only", "sequence_only")
"""Two valid numbers that differ in one part only (``linkage.identity``); 'missing' otherwise."""

SPOUSE_NAME_GRADES = ("missing", "equal", "similar", "different")
_SPOUSE_NAME_COARSE = np.array([0, 1, 2, 2, 2, 2, 2, 3, 3], dtype=np.int8)

GRADED: dict[str, tuple[str, ...]] = {
    "id": cmp.ID_GRADES,
    "id_pair": ID_PAIR_GRADES,
    "name": cmp.NAME_GRADES,
    "birth": cmp.DATE_GRADES,
    "sex": cmp.AGREE_GRADES,
    "spouse_id": cmp.SPOUSE_ID_GRADES,
    "spouse_name": SPOUSE_NAME_GRADES,
    "phone": cmp.PHONE_GRADES,
    "residence_address": cmp.SIMILARITY_GRADES,
    "hukou_address": cmp.SIMILARITY_GRADES,
    "residence_code": cmp.AGREE_GRADES,
    "hukou_code": cmp.AGREE_GRADES,
    "unit": cmp.UNIT_GRADES,
}
"""Comparison -> its grades; code 0 is always 'missing'."""

IN_MATRIX: tuple[str, ...] = tuple(GRADED)
"""Comparisons whose grades are model columns.  Sex is one of them: a disagreement is
evidence, never a veto (a 男 typed on a woman; ``linkage.identity``)."""

FLAGS: tuple[str, ...] = ("birth:other_source_equal", "twin:sequence_and_name_differ", "twin:birthday_and_name_differ")
"""0/1 columns beside the grades: the birth dates disagree but a recorded or ID-encoded date of
one side equals one of the other; the numbers differ only in the sequence digits and the names
differ by more than a typo's sound or shape (twins: same county, same birthday, other names);
the same birthday, two numbers that differ and names that differ so (twins, one number typed
wrong)."""
TWIN_NAME_GRADES = ("dropped_char", "one_char", "surname_equal", "different")

AGREEING: dict[str, tuple[str, ...]] = {
    "name": ("equal", "homophone", "fuzzy_pinyin", "similar_shape"),
    "birth": ("equal", "equal_partial"),
    "phone": ("equal",),
    "residence_address": ("equal",),
    "hukou_address": ("equal",),
}
"""The grades at which a comparison agrees on a value; its ``<group>:commonness`` column then
holds log10 of how many records of the register hold that value (``linkage.normalize.frequency``:
0 for a value only she holds, 2 for one held by a hundred), 0 elsewhere.  The model weighs it:
an agreement on 王芳 or on a switchboard's phone counts for less than one on a rare value."""
COMMONNESS: tuple[str, ...] = tuple(f"{group}:commonness" for group in AGREEING)

FEATURE_NAMES: tuple[str, ...] = tuple(
    [f"{group}:{grade}" for group in IN_MATRIX for grade in GRADED[group][1:]] + list(FLAGS) + list(COMMONNESS)
)
"""Column names of ``Features.matrix``, in order."""

REASON_LABELS: dict[str, str] = {
    "id:equal": "身份证号一致", "id:equal_legacy": "身份证号一致(15位升18位)", "id:check_only": "身份证号仅校验位不同",
    "id:substitution": "身份证号一位之差", "id:transposition": "身份证号相邻两位颠倒", "id:different": "身份证号不同",
    "id_pair:region_only": "两个有效身份证号仅地区码不同", "id_pair:birth_only": "两个有效身份证号仅出生日期不同",
    "id_pair:sequence_only": "两个有效身份证号仅顺序码不同",
    "sex:agree": "性别一致", "sex:disagree": "性别不同",
    "twin:sequence_and_name_differ": "身份证号仅顺序码不同且名字不同(可能为双胞胎)",
    "twin:birthday_and_name_differ": "出生日期相同而身份证号与名字都不同(可能为双胞胎)",
    "id:sequence_only": "身份证号仅顺序码不同", "id:masked_equal": "身份证号前14位一致(一方后四位为占位值)", "id:two_digits": "身份证号两位之差", "id:region_only": "身份证号仅地区码不同", "id:shifted": "身份证号多一位或少一位",
    "name:equal": "姓名一致", "name:homophone": "姓名同音", "name:fuzzy_pinyin": "姓名读音相近(模糊音)",
    "name:similar_shape": "姓名形近",
    "name:dropped_char": "姓名多一字或少一字", "name:one_char": "姓名一字之差", "name:surname_equal": "仅姓氏相同",
    "name:different": "姓名不同",
    "birth:equal": "出生日期一致", "birth:equal_partial": "出生年月一致(一方只有年月)",
    "birth:lunar": "出生日期相差约一月(可能为农历生日)", "birth:jan1_same_year": "出生年份相同(一方为1月1日)",
    "birth:day_month_swap": "出生日期月日颠倒", "birth:typo": "出生日期一位之差",
    "birth:near": "出生日期相差数日", "birth:same_year_month": "出生年月相同", "birth:same_year": "出生年份相同",
    "birth:different": "出生日期不同", "birth:other_source_equal": "出生日期与身份证号所含日期一致",
    "spouse_id:equal": "配偶身份证号一致", "spouse_id:typo": "配偶身份证号近似", "spouse_id:different": "配偶身份证号不同",
    "spouse_name:equal": "配偶姓名一致", "spouse_name:similar": "配偶姓名相近", "spouse_name:different": "配偶姓名不同",
    "phone:equal": "联系电话一致", "phone:last8_equal": "联系电话后8位一致", "phone:different": "联系电话不同",
    "residence_address:equal": "现居住地址一致", "residence_address:high": "现居住地址相近",
    "residence_address:medium": "现居住地址部分相同", "residence_address:low": "现居住地址不同",
    "hukou_address:equal": "户籍地址一致", "hukou_address:high": "户籍地址相近",
    "hukou_address:medium": "户籍地址部分相同", "hukou_address:low": "户籍地址不同",
    "residence_code:agree": "现居住地代码一致", "residence_code:disagree": "现居住地代码不同",
    "hukou_code:agree": "户籍地代码一致", "hukou_code:disagree": "户籍地代码不同",
    "unit:same_unit": "同一管理单位", "unit:same_district": "同一区县的不同单位", "unit:different_district": "不同区县",
}
"""Reason text of each feature, as the offices read it."""


@dataclass(frozen=True, eq=False)
class Features:
    """matrix: float32 (p, f); names: the f column names (FEATURE_NAMES);
    grades: comparison -> int8 (p,) grade codes (see GRADED), plus 'id_relation' (codes of
    ``linkage.identity.RELATIONS``)."""

    matrix: np.ndarray
    names: tuple[str, ...]
    grades: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.matrix)

    def value(self, name: str) -> np.ndarray:
        """One column of the matrix by name, float32 (p,)."""
        return self.matrix[:, self.names.index(name)]

    def grade_names(self, comparison: str) -> np.ndarray:
        """The grade of ``comparison`` as its English name per pair, object (p,)."""
        return np.array(GRADED[comparison], dtype=object)[self.grades[comparison]]


class _Columns:
    """Gathers the left/right values of the pairs from one frame (dedupe) or two (link)."""

    def __init__(self, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray):
        self.rows = RowSubset(left, right, pairs)

    def text(self, name: str) -> tuple[pd.Categorical, pd.Categorical]:
        return categorical_pairs(self.rows, name)

    def dates(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.rows.values(name, lambda column: pd.to_datetime(column, errors="coerce")
                                .to_numpy(dtype="datetime64[ns]"))

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """float64 (p,) each; NaN where the column is absent or blank."""
        return self.rows.values(name, lambda column: pd.to_numeric(column, errors="coerce")
                                .to_numpy(dtype=np.float64))


def _other_source_equal(columns: _Columns, birth_grade: np.ndarray) -> np.ndarray:
    """bool (p,): birth grade is not 'equal' but a recorded or ID date of one side equals one of the other."""
    recorded_l, recorded_r = columns.dates("birth_date")
    encoded_l, encoded_r = columns.dates("id_birth")
    found = np.zeros(len(birth_grade), dtype=bool)
    for a in (recorded_l, encoded_l):
        for b in (recorded_r, encoded_r):
            found |= (a == b) & ~np.isnat(a)
    return found & (birth_grade != 1)


def _id_relation(columns: _Columns) -> np.ndarray:
    """int8 (p,): what the two ID numbers show (``linkage.identity.RELATIONS``)."""
    ids_l, ids_r = columns.text("id_full")
    status_l, status_r = columns.text("id_status")
    parts_l = IdParts.of(np.asarray(ids_l, dtype=object), np.asarray(status_l, dtype=object))
    parts_r = IdParts.of(np.asarray(ids_r, dtype=object), np.asarray(status_r, dtype=object))
    rows = np.arange(len(ids_l), dtype=np.int64)
    return parts_l.relation(np.c_[rows, rows], parts_r)


def _grades(columns: _Columns) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every comparison's grades (int8 (p,)) and 0/1 flags (p,)."""
    status_l, status_r = columns.text("id_status")
    spouse_l, spouse_r = columns.text("spouse_name")
    relation = _id_relation(columns)
    grades = {
        "id": cmp.id_grade(*columns.text("id_digits"), status_l, status_r),
        "id_pair": np.select([relation == REGION_ONLY, relation == BIRTH_ONLY, relation == SEQUENCE_ONLY],
                             [1, 2, 3], default=0).astype(np.int8),
        "name": cmp.name_grade(*columns.text("name")),
        "birth": cmp.date_grade(*columns.dates("birth"), *columns.text("birth_precision")),
        "sex": cmp.agree_grade(*columns.text("sex")),
        "spouse_id": cmp.spouse_id_grade(*columns.text("spouse_id"), *columns.text("spouse_id_status")),
        "spouse_name": _SPOUSE_NAME_COARSE[cmp.name_grade(spouse_l, spouse_r)],
        "phone": cmp.phone_grade(*columns.text("phone")),
        "residence_address": cmp.address_grade(*columns.text("residence_address")),
        "hukou_address": cmp.address_grade(*columns.text("hukou_address")),
        "residence_code": cmp.agree_grade(*columns.text("residence_code")),
        "hukou_code": cmp.agree_grade(*columns.text("hukou_code")),
        "unit": cmp.unit_grade(*columns.text("unit_code")),
    }
    _shared_values_say_nothing(columns, grades)
    sequence = (grades["id"] == cmp.ID_GRADES.index("sequence_only")) | (relation == SEQUENCE_ONLY)
    names_differ = np.isin(grades["name"], [cmp.NAME_GRADES.index(g) for g in TWIN_NAME_GRADES])
    extra = {"birth:other_source_equal": _other_source_equal(columns, grades["birth"]),
             "twin:sequence_and_name_differ": sequence & names_differ,
             "twin:birthday_and_name_differ": names_differ & (grades["birth"] == cmp.DATE_GRADES.index("equal"))
             & ~np.isin(grades["id"], [cmp.ID_GRADES.index(g) for g in ("missing", "equal", "equal_legacy")]),
             **_commonness(columns, grades)}
    grades["id_relation"] = relation
    return grades, extra


SHARED_VALUE_RECORDS = 5
"""A phone or address held by more records than this (an office's switchboard, a collective
household's one address) identifies no one: agreeing on it is no evidence, graded as missing."""
SHARED_FIELDS = {"phone": ("equal", "last8_equal"), "residence_address": ("equal",), "hukou_address": ("equal",)}


def _shared_values_say_nothing(columns: _Columns, grades: dict[str, np.ndarray]) -> None:
    """Agreements on a phone or address shared by more than SHARED_VALUE_RECORDS records of the
    register (``count_<field>``, ``linkage.normalize.frequency``) regraded as missing, in place.
    Below that the agreement keeps its grade and its commonness weighs it (``_commonness``)."""
    for group, agreeing in SHARED_FIELDS.items():
        count_l, count_r = columns.numbers(f"count_{group}")
        shared = np.fmax(count_l, count_r) > SHARED_VALUE_RECORDS
        if shared.any():
            agrees = np.isin(grades[group], [GRADED[group].index(grade) for grade in agreeing])
            grades[group] = np.where(agrees & shared, 0, grades[group]).astype(grades[group].dtype)


def _commonness(columns: _Columns, grades: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``<group>:commonness`` (float32 (p,)) of every AGREEING comparison (see there)."""
    out = {}
    for group, agreeing in AGREEING.items():
        codes = [GRADED[group].index(grade) for grade in agreeing]
        agrees = np.isin(grades[group], codes)
        count_l, count_r = columns.numbers(f"count_{group}")
        count = np.fmax(count_l, count_r)
        out[f"{group}:commonness"] = np.where(agrees & (count >= 1), np.log10(np.where(count >= 1, count, 1.0)),
                                              0.0).astype(np.float32)
    return out


def compare(left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> Features:
    """Features of candidate pairs.

    left, right: ``Records.norm`` frames (pass the same frame object when deduplicating);
    pairs: int (p, 2), column 0 row positions in ``left``, column 1 in ``right``.
    A column absent from a frame counts as blank.  Returns Features with matrix (p, f).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    columns = _Columns(left, right, pairs)
    grades, extra = _grades(columns)
    p, index = len(pairs), {name: i for i, name in enumerate(FEATURE_NAMES)}
    matrix = np.zeros((p, len(FEATURE_NAMES)), dtype=np.float32, order="F")
    flat = matrix.reshape(-1, order="F")  # a view: column j holds flat[j * p : (j + 1) * p]
    for group in IN_MATRIX:
        codes = grades[group]
        rows = np.flatnonzero(codes)
        column = index[f"{group}:{GRADED[group][1]}"] - 1 + codes[rows].astype(np.int64)
        flat[column * p + rows] = 1.0
    for name, values in extra.items():
        matrix[:, index[name]] = values
    return Features(matrix=matrix, names=FEATURE_NAMES, grades=grades)


def feature_spec() -> dict:
    """The register's features as plain data: version and names (what a model records)."""
    return {"version": FEATURE_VERSION, "names": list(FEATURE_NAMES)}


__all__ = ["Features", "compare", "feature_spec", "FEATURE_NAMES", "FEATURE_VERSION", "GRADED", "REASON_LABELS"]
