"""Logic checks of register records (逻辑错误): a registry of named rules and ``run_checks``.

Each rule is one small vectorised function over ``CheckInput`` (the normalised columns of
``linkage.prepare`` and the raw strings) returning a bool mask of shape (n,), and one line in
``RECORD_RULES``.  To add a rule: write the function, add ``Rule(name, severity, field,
message, function)`` to the registry, add a test that fires it and one that a clean record
does not.

>>> import linkage.io, linkage.prepare
>>> frame = linkage.io.load(pd.DataFrame({"record_id": ["r1"], "unit_code": ["330106001"],
...     "name": ["王芳"], "id_number": ["330106199001011235"], "sex": ["女"]}))
>>> found = run_checks(linkage.prepare.prepare(frame), as_of="2026-01-31")
>>> found["rule"].tolist()
['id_bad_check', 'birth_missing', 'hukou_code_missing', 'residence_code_missing', 'marital_status_missing']
>>> found.loc[0, "detail"]
'按前17位校验位应为X'
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..codes import well_formed_codes
from ..normalize.dates import as_of_date
from ..normalize.ids import check_characters, digit_matrix
from ..normalize.status import KNOWN_STATUSES, is_inactive
from ..prepare import Records
from .base import (
    CURRENTLY_MARRIED, ERROR, EVER_MARRIED, MARITAL_STATUSES, UNMARRIED, WARNING,
    AuditOptions, CheckInput, Rule, age_at, dates, detail_text, findings_for, isin,
)
from .checks_marriage import MARRIAGE_RULES

BAD_ID_STATUSES = ("bad_chars", "bad_length", "placeholder", "masked", "bad_region", "bad_date", "bad_check")
ID_STATUS_ZH = {"bad_chars": "含非法字符", "bad_length": "位数错误", "placeholder": "占位值",
                "bad_region": "地区码错误", "bad_date": "出生日期不存在", "bad_check": "校验位错误",
                "legacy15": "15位旧号", "missing": "空", "valid": "有效"}
_NAME_CHARS = r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•‧・．.\s\u3000]*$"


def _col(data: CheckInput, column: str) -> np.ndarray:
    return data.norm[column].to_numpy(dtype=object)


def _raw_blank(data: CheckInput, field: str) -> np.ndarray:
    return data.raw_blank(field)


# --- ID number -------------------------------------------------------------------------------

def _id_status(status: str):
    def test(data: CheckInput) -> np.ndarray:
        return _col(data, "id_status") == status
    test.__name__ = f"id_status_is_{status}"
    return test


def id_bad_check(data: CheckInput):
    """Detail: the check character the first 17 digits call for."""
    mask = _col(data, "id_status") == "bad_check"
    expected = np.full(len(mask), "", dtype=object)
    rows = np.flatnonzero(mask)
    if len(rows):
        first17 = digit_matrix(_col(data, "id_full")[rows].astype(str))[:, :17] - 48
        expected[rows] = check_characters(first17)
    return mask, detail_text(mask, "按前17位校验位应为", expected)


def id_bad_date(data: CheckInput):
    mask = _col(data, "id_status") == "bad_date"
    return mask, detail_text(mask, "身份证号第7-14位为", pd.Series(_col(data, "id_full")).str[6:14])


def id_bad_region(data: CheckInput):
    mask = _col(data, "id_status") == "bad_region"
    return mask, detail_text(mask, "地区码", pd.Series(_col(data, "id_full")).str[:6], "不存在")


# --- birth date, sex, age --------------------------------------------------------------------

def birth_date_mismatch_id(data: CheckInput):
    recorded, from_id = dates(data.norm["birth_date"]), dates(data.norm["id_birth"])
    mask = (recorded.notna() & from_id.notna() & (recorded != from_id)).to_numpy()
    return mask, detail_text(mask, "登记为", recorded, ",身份证号中为", from_id)


def sex_mismatch_id(data: CheckInput):
    recorded, from_id = _col(data, "recorded_sex"), _col(data, "id_sex")
    mask = (recorded != "") & (from_id != "") & (recorded != from_id)
    zh = pd.Series(from_id).map({"F": "女", "M": "男"})
    return mask, detail_text(mask, "身份证号第17位表示", zh)


def sex_male(data: CheckInput) -> np.ndarray:
    return _col(data, "sex") == "M"


def sex_unreadable(data: CheckInput) -> np.ndarray:
    return (_col(data, "recorded_sex") == "") & ~_raw_blank(data, "sex")


def sex_missing(data: CheckInput) -> np.ndarray:
    return (_col(data, "sex") == "") & _raw_blank(data, "sex")


def birth_missing(data: CheckInput) -> np.ndarray:
    return dates(data.norm["birth"]).isna().to_numpy() & _raw_blank(data, "birth_date")


def age_out_of_range(data: CheckInput):
    birth = dates(data.norm["birth"])
    age = age_at(birth, data.as_of)
    options = data.options
    mask = (age.notna() & ((age < options.min_age) | (age > options.max_age))).to_numpy()
    return mask, detail_text(mask, f"截至{data.as_of:%Y-%m-%d}年龄", age, "岁(出生", birth, ")")


def unreadable_date(field: str):
    def test(data: CheckInput) -> np.ndarray:
        return dates(data.norm[field]).isna().to_numpy() & ~_raw_blank(data, field)
    test.__name__ = f"{field}_unreadable"
    return test


# --- required fields and codes ---------------------------------------------------------------

def name_blank(data: CheckInput) -> np.ndarray:
    return _col(data, "name") == ""


def name_unusual_chars(data: CheckInput) -> np.ndarray:
    raw = data.raw["name"].astype(str)
    return (~raw.str.match(_NAME_CHARS)).to_numpy() & (_col(data, "name") != "")


def unit_code_blank(data: CheckInput) -> np.ndarray:
    return _col(data, "unit_code") == ""


def unit_code_malformed(data: CheckInput) -> np.ndarray:
    codes = _col(data, "unit_code")
    return ~well_formed_codes(codes, (9, 12)) & ~_raw_blank(data, "unit_code")


def code_malformed(field: str):
    def test(data: CheckInput) -> np.ndarray:
        return ~well_formed_codes(_col(data, field), (6, 9, 12)) & ~_raw_blank(data, field)
    test.__name__ = f"{field}_malformed"
    return test


def code_missing(field: str):
    def test(data: CheckInput) -> np.ndarray:
        return _raw_blank(data, field)
    test.__name__ = f"{field}_missing"
    return test


def status_unknown(data: CheckInput) -> np.ndarray:
    return ~isin(_col(data, "status"), KNOWN_STATUSES)


# --- other dates -----------------------------------------------------------------------------

def residence_since_after_as_of(data: CheckInput) -> np.ndarray:
    return (dates(data.norm["residence_since"]) > data.as_of).to_numpy()


def residence_since_before_birth(data: CheckInput) -> np.ndarray:
    return (dates(data.norm["residence_since"]) < dates(data.norm["birth"])).to_numpy()


def registered_date_after_as_of(data: CheckInput) -> np.ndarray:
    return (dates(data.norm["registered_date"]) > data.as_of).to_numpy()


def marital_status_unknown(data: CheckInput) -> np.ndarray:
    status = _col(data, "marital_status")
    return (status != "") & ~isin(status, MARITAL_STATUSES)


def marital_status_missing(data: CheckInput) -> np.ndarray:
    return _col(data, "marital_status") == ""


def pregnant_long_acting(data: CheckInput) -> np.ndarray:
    pregnant = pd.Series(_col(data, "pregnancy"), dtype=object).astype(str).str.contains("现孕", regex=False)
    methods = "|".join(map(re.escape, data.options.long_acting_methods)) or "(?!)"
    long_acting = pd.Series(_col(data, "contraception"), dtype=object).astype(str).str.contains(methods)
    return (pregnant & long_acting).to_numpy()


ID_RULES: tuple[Rule, ...] = (
    Rule("id_missing", WARNING, "id_number", "身份证号为空,请补录", _id_status("missing")),
    Rule("id_placeholder", ERROR, "id_number", "身份证号为占位值(如全0),请填写真实号码", _id_status("placeholder")),
    Rule("id_masked", ERROR, "id_number", "身份证号后四位为占位值(如0000、XXXX),请填写完整号码", _id_status("masked")),
    Rule("id_bad_chars", ERROR, "id_number", "身份证号含非法字符(只能是数字,末位可为X)", _id_status("bad_chars")),
    Rule("id_bad_length", ERROR, "id_number", "身份证号位数错误(应为18位)", _id_status("bad_length")),
    Rule("id_bad_region", ERROR, "id_number", "身份证号前6位地区码不存在", id_bad_region),
    Rule("id_bad_date", ERROR, "id_number", "身份证号中的出生日期不存在", id_bad_date),
    Rule("id_bad_check", ERROR, "id_number", "身份证号校验位错误,号码可能录错", id_bad_check),
    Rule("id_legacy15", WARNING, "id_number", "仍在使用15位旧身份证号,请换为18位", _id_status("legacy15")),
)

PERSON_RULES: tuple[Rule, ...] = (
    Rule("name_blank", ERROR, "name", "姓名为空", name_blank),
    Rule("name_unusual_chars", WARNING, "name", "姓名含数字、字母或符号,请核对", name_unusual_chars),
    Rule("unit_code_blank", ERROR, "unit_code", "管理单位代码为空", unit_code_blank),
    Rule("unit_code_malformed", ERROR, "unit_code", "管理单位代码应为9位街道或12位社区代码,前6位为区县代码",
         unit_code_malformed),
    Rule("status_unknown", WARNING, "status", "状态应为在管、注销或迁出", status_unknown),
    Rule("sex_unreadable", ERROR, "sex", "性别无法识别(应为男/女)", sex_unreadable),
    Rule("sex_missing", WARNING, "sex", "性别为空且无法从身份证号推出", sex_missing),
    Rule("sex_mismatch_id", ERROR, "sex", "登记性别与身份证号不符", sex_mismatch_id),
    Rule("sex_male", ERROR, "sex", "性别为男,不应登记在育龄妇女信息中", sex_male),
    Rule("birth_date_unreadable", ERROR, "birth_date", "出生日期无法识别或不存在", unreadable_date("birth_date")),
    Rule("birth_missing", ERROR, "birth_date", "出生日期为空且身份证号无效,无法确定年龄", birth_missing),
    Rule("birth_date_mismatch_id", ERROR, "birth_date", "登记出生日期与身份证号不符", birth_date_mismatch_id),
    Rule("age_out_of_range", ERROR, "birth_date", "年龄不在15-49岁之间,不属于育龄妇女", age_out_of_range),
    Rule("hukou_code_missing", WARNING, "hukou_code", "户籍地代码为空", code_missing("hukou_code")),
    Rule("hukou_code_malformed", ERROR, "hukou_code", "户籍地代码应为6/9/12位行政区划代码", code_malformed("hukou_code")),
    Rule("residence_code_missing", WARNING, "residence_code", "现居住地代码为空", code_missing("residence_code")),
    Rule("residence_code_malformed", ERROR, "residence_code", "现居住地代码应为9位街道或12位社区代码",
         code_malformed("residence_code")),
    Rule("residence_since_unreadable", ERROR, "residence_since", "现居住地起始日期无法识别",
         unreadable_date("residence_since")),
    Rule("residence_since_after_as_of", ERROR, "residence_since", "现居住地起始日期晚于清查基准日",
         residence_since_after_as_of),
    Rule("residence_since_before_birth", ERROR, "residence_since", "现居住地起始日期早于出生日期",
         residence_since_before_birth),
    Rule("registered_date_unreadable", WARNING, "registered_date", "建档日期无法识别", unreadable_date("registered_date")),
    Rule("registered_date_after_as_of", WARNING, "registered_date", "建档日期晚于清查基准日", registered_date_after_as_of),
    Rule("marital_status_missing", WARNING, "marital_status", "婚姻状况为空", marital_status_missing),
    Rule("marital_status_unknown", ERROR, "marital_status", "婚姻状况应为未婚/初婚/再婚/复婚/离婚/丧偶",
         marital_status_unknown),
    Rule("pregnant_long_acting", WARNING, "contraception", "现孕但节育措施为长效措施(放环/结扎/皮埋),请核实",
         pregnant_long_acting),
)

RECORD_RULES: tuple[Rule, ...] = ID_RULES + PERSON_RULES + MARRIAGE_RULES
"""Every record rule, in the order findings are listed."""


def run_checks(records: Records, *, as_of: object = None, rules: tuple[Rule, ...] = RECORD_RULES,
               options: AuditOptions | None = None, district: str | None = None,
               include_inactive: bool = False) -> pd.DataFrame:
    """Findings (``base.FINDING_COLUMNS``) of every rule over the register's records.

    records: ``linkage.prepare.prepare`` output for n records.  Only records in management
    (any 状态 but 注销 / 迁出) are checked unless ``include_inactive``: a cancelled or transferred
    record is no longer this unit's to correct.  ``district`` reaches the rules as
    ``data.extra["district"]`` (for rules an office adds).  Returns one row per (record, rule) broken.
    """
    norm = records.norm.reset_index(drop=True)
    raw = records.raw.reset_index(drop=True)
    if not include_inactive:
        active = np.flatnonzero(~is_inactive(norm["status"]))
        norm, raw = norm.iloc[active].reset_index(drop=True), raw.iloc[active].reset_index(drop=True)
    data = CheckInput(norm=norm, raw=raw, as_of=as_of_date(as_of), options=options or AuditOptions(),
                      extra={"district": district})
    return findings_for(rules, data, record_ids=norm["record_id"].to_numpy(dtype=object),
                        unit_codes=norm["unit_code"].to_numpy(dtype=object))


__all__ = ["RECORD_RULES", "ID_RULES", "PERSON_RULES", "MARRIAGE_RULES", "run_checks", "CURRENTLY_MARRIED",
           "EVER_MARRIED", "UNMARRIED", "ID_STATUS_ZH", "BAD_ID_STATUSES"]
