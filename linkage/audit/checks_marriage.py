"""Logic checks of marriage and spouse details (婚姻与配偶), part of the record registry.

Marital statuses: 未婚 (unmarried); 初婚/再婚/复婚/已婚 (currently married); 离婚/丧偶 (was
married).  婚姻变动日期 is the date of the latest change, so every married, divorced or widowed
woman needs one and an unmarried woman has none.  The legal marriage age (Marriage Law art. 6)
is 20 for women and 22 for men; the spouse's age comes from the spouse's ID number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import (
    CURRENTLY_MARRIED, ERROR, EVER_MARRIED, UNMARRIED, WARNING, CheckInput, Rule, age_at, dates, detail_text, isin,
)

BAD_SPOUSE_ID = ("bad_chars", "bad_length", "placeholder", "bad_region", "bad_date", "bad_check")


def _col(data: CheckInput, column: str) -> np.ndarray:
    return data.norm[column].to_numpy(dtype=object)


def _status_in(data: CheckInput, statuses: tuple[str, ...]) -> np.ndarray:
    return isin(_col(data, "marital_status"), statuses)


def _marriage(data: CheckInput) -> pd.Series:
    return dates(data.norm["marriage_date"])


def _raw_blank(data: CheckInput, field: str) -> np.ndarray:
    return data.raw_blank(field)


def spouse_birth(data: CheckInput) -> pd.Series:
    """Birth date inside the spouse's ID number where it is usable (valid or legacy), shape (n,)."""
    usable = isin(_col(data, "spouse_id_status"), ("valid", "legacy15"))
    digits = pd.Series(np.where(usable, _col(data, "spouse_id"), ""), dtype=object).astype(str).str[6:14]
    return pd.Series(pd.to_datetime(digits, format="%Y%m%d", errors="coerce"))


def married_without_date(data: CheckInput) -> np.ndarray:
    return _status_in(data, EVER_MARRIED) & _marriage(data).isna().to_numpy() & _raw_blank(data, "marriage_date")


def unmarried_with_date(data: CheckInput) -> np.ndarray:
    return _status_in(data, UNMARRIED) & _marriage(data).notna().to_numpy()


def marriage_date_unreadable(data: CheckInput) -> np.ndarray:
    return _marriage(data).isna().to_numpy() & ~_raw_blank(data, "marriage_date")


def marriage_after_as_of(data: CheckInput) -> np.ndarray:
    return (_marriage(data) > data.as_of).to_numpy()


def married_under_age(data: CheckInput):
    marriage = _marriage(data)
    age = age_at(dates(data.norm["birth"]), marriage)
    options = data.options
    legal = np.where(_col(data, "sex") == "M", options.legal_marriage_age_male, options.legal_marriage_age_female)
    mask = (age.notna() & (age < legal)).to_numpy()
    return mask, detail_text(mask, "婚姻变动日期", marriage, "时年龄", age, "岁,低于法定婚龄", legal, "岁")


def spouse_under_age(data: CheckInput):
    marriage = _marriage(data)
    age = age_at(spouse_birth(data), marriage)
    options = data.options
    legal = np.where(_col(data, "spouse_id_sex") == "F", options.legal_marriage_age_female,
                     options.legal_marriage_age_male)
    mask = (age.notna() & (age < legal)).to_numpy()
    return mask, detail_text(mask, "配偶在婚姻变动日期", marriage, "时年龄", age, "岁,低于法定婚龄", legal, "岁")


def married_without_spouse(data: CheckInput) -> np.ndarray:
    return (_status_in(data, CURRENTLY_MARRIED) & (_col(data, "spouse_name") == "")
            & (_col(data, "spouse_id_status") == "missing"))


def spouse_name_missing(data: CheckInput) -> np.ndarray:
    return (_status_in(data, CURRENTLY_MARRIED) & (_col(data, "spouse_name") == "")
            & (_col(data, "spouse_id_status") != "missing"))


def spouse_id_missing(data: CheckInput) -> np.ndarray:
    return (_status_in(data, CURRENTLY_MARRIED) & (_col(data, "spouse_name") != "")
            & (_col(data, "spouse_id_status") == "missing"))


def unmarried_with_spouse(data: CheckInput) -> np.ndarray:
    has_spouse = (_col(data, "spouse_name") != "") | (_col(data, "spouse_id_status") != "missing")
    return _status_in(data, UNMARRIED) & has_spouse


def spouse_same_sex(data: CheckInput):
    spouse_sex, own_sex = _col(data, "spouse_id_sex"), _col(data, "sex")
    mask = (spouse_sex != "") & (spouse_sex == own_sex)
    return mask, detail_text(mask, "配偶身份证号第17位表示", pd.Series(spouse_sex).map({"F": "女", "M": "男"}))


def spouse_id_invalid(data: CheckInput):
    status = _col(data, "spouse_id_status")
    mask = isin(status, BAD_SPOUSE_ID)
    reasons = pd.Series(status).map({"bad_chars": "含非法字符", "bad_length": "位数错误", "placeholder": "占位值",
                                     "bad_region": "地区码不存在", "bad_date": "出生日期不存在",
                                     "bad_check": "校验位错误"})
    return mask, detail_text(mask, "配偶身份证号", reasons)


def spouse_id_legacy15(data: CheckInput) -> np.ndarray:
    return _col(data, "spouse_id_status") == "legacy15"


def spouse_id_is_own(data: CheckInput) -> np.ndarray:
    spouse, own = _col(data, "spouse_id"), _col(data, "id_full")
    return (spouse != "") & (spouse == own)


MARRIAGE_RULES: tuple[Rule, ...] = (
    Rule("marriage_date_unreadable", ERROR, "marriage_date", "婚姻变动日期无法识别或不存在", marriage_date_unreadable),
    Rule("married_without_date", ERROR, "marriage_date", "已婚(或离婚、丧偶)但婚姻变动日期为空", married_without_date),
    Rule("unmarried_with_date", ERROR, "marriage_date", "未婚但填有婚姻变动日期", unmarried_with_date),
    Rule("marriage_after_as_of", ERROR, "marriage_date", "婚姻变动日期晚于清查基准日", marriage_after_as_of),
    Rule("married_under_age", ERROR, "marriage_date", "结婚时未到法定婚龄(女20岁,男22岁)", married_under_age),
    Rule("spouse_under_age", ERROR, "spouse_id_number", "配偶结婚时未到法定婚龄(按配偶身份证号)", spouse_under_age),
    Rule("married_without_spouse", ERROR, "spouse_name", "已婚但配偶姓名和身份证号均为空", married_without_spouse),
    Rule("spouse_name_missing", WARNING, "spouse_name", "已婚但配偶姓名为空", spouse_name_missing),
    Rule("spouse_id_missing", WARNING, "spouse_id_number", "已婚但配偶身份证号为空", spouse_id_missing),
    Rule("unmarried_with_spouse", ERROR, "spouse_name", "未婚但填有配偶信息", unmarried_with_spouse),
    Rule("spouse_same_sex", ERROR, "spouse_id_number", "配偶身份证号性别与本人相同", spouse_same_sex),
    Rule("spouse_id_invalid", ERROR, "spouse_id_number", "配偶身份证号无效", spouse_id_invalid),
    Rule("spouse_id_legacy15", WARNING, "spouse_id_number", "配偶仍使用15位旧身份证号", spouse_id_legacy15),
    Rule("spouse_id_is_own", ERROR, "spouse_id_number", "配偶身份证号与本人相同", spouse_id_is_own),
)
"""Marriage and spouse rules, in the order findings are listed."""
