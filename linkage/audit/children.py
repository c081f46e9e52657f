"""Checks of the children table and the illegal-birth reports (子女信息与违法生育上报).

Each finding is keyed by the child row: ``record_id`` is the mother's record id
(mother_record_id), ``child_id`` the child's.  Rules on the mother's details (her ID, her
spouse's ID, household registration, residence) read her register record; when she is not
in the register only ``child_mother_not_in_register`` is reported for them.  The father's
household registration and residence are not in the register layout, so they are not
checked; the father's ID is the mother's spouse ID.

Birth order (孩次): children of one mother must not repeat an order (twins and triplets take
consecutive orders, 多胞胎按出生顺序分别计孩次), and a higher order must not be born before a
lower one (twins share a date, so equal dates on consecutive orders are fine).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..io import load
from ..normalize.dates import as_of_date
from ..prepare import Records
from .base import ERROR, WARNING, AuditOptions, CheckInput, Rule, age_at, dates, detail_text, \
    findings_for, isin
from .children_prepare import POLICIES, prepare_children

USABLE_ID = ("valid", "legacy15")
BAD_ID = ("bad_chars", "bad_length", "placeholder", "masked", "bad_region", "bad_date", "bad_check")


def _col(data: CheckInput, column: str) -> np.ndarray:
    return data.norm[column].to_numpy()


def _has_mother(data: CheckInput) -> np.ndarray:
    return _col(data, "mother_row") >= 0


def _illegal(data: CheckInput) -> np.ndarray:
    return _col(data, "illegal").astype(bool)


def _birth(data: CheckInput) -> pd.Series:
    return dates(data.norm["birth_date"])


def mother_not_in_register(data: CheckInput) -> np.ndarray:
    return ~_has_mother(data)


def birth_date_unreadable(data: CheckInput) -> np.ndarray:
    return _birth(data).isna().to_numpy() & ~data.raw_blank("birth_date")


def blank(field: str, *, illegal: bool):
    """The raw field is blank, on illegal-birth rows (``illegal``) or on the other rows."""
    def test(data: CheckInput) -> np.ndarray:
        return data.raw_blank(field) & (_illegal(data) == illegal)
    test.__name__ = f"{field}_blank_{'illegal' if illegal else 'other'}"
    return test


def birth_after_as_of(data: CheckInput) -> np.ndarray:
    return (_birth(data) > data.as_of).to_numpy()


def birth_before_mother_15(data: CheckInput):
    mother_birth = dates(data.norm["mother_birth"])
    age = age_at(mother_birth, _birth(data))
    mask = (age.notna() & (age < data.options.mother_min_age_at_birth)).to_numpy()
    return mask, detail_text(mask, "母亲出生", mother_birth, ",生育时", age, "岁")


def order_unreadable(data: CheckInput) -> np.ndarray:
    return np.isnan(_col(data, "birth_order").astype(float)) & ~data.raw_blank("birth_order")


def _ordered(data: CheckInput) -> pd.DataFrame:
    frame = pd.DataFrame({"mother": data.norm["mother_record_id"].to_numpy(dtype=object),
                          "order": _col(data, "birth_order").astype(float), "birth": _birth(data)})
    return frame


def order_repeated(data: CheckInput) -> np.ndarray:
    frame = _ordered(data)
    known = frame["order"].notna()
    return (known & frame.duplicated(["mother", "order"], keep=False)).to_numpy()


def order_contradicts_dates(data: CheckInput):
    """A child born strictly before the latest-born sibling of a strictly lower order."""
    frame = _ordered(data)
    known = frame[frame["order"].notna() & frame["birth"].notna()]
    latest = known.groupby(["mother", "order"], sort=True)["birth"].max().reset_index()
    latest["before"] = latest.groupby("mother")["birth"].cummax()
    latest["before"] = latest.groupby("mother")["before"].shift(1)
    merged = frame.reset_index().merge(latest[["mother", "order", "before"]], on=["mother", "order"], how="left")
    merged = merged.set_index("index").reindex(frame.index)
    before = dates(merged["before"])
    mask = (frame["birth"] < before).to_numpy()
    return mask, detail_text(mask, "孩次", frame["order"], "出生于", frame["birth"], ",但较低孩次的子女出生于", before)


def birth_interval_short(data: CheckInput):
    """Two children of one mother born more than one day and less than the minimum interval apart."""
    frame = _ordered(data)
    frame = frame[frame["birth"].notna()].sort_values(["mother", "birth"])
    gap = frame.groupby("mother")["birth"].diff().dt.days
    limit = data.options.min_birth_interval_days
    short = (gap > 1) & (gap < limit)
    mask = np.zeros(len(data), dtype=bool)
    mask[frame.index[short.to_numpy()]] = True
    return mask, detail_text(mask, "与上一个子女出生相隔", gap.reindex(range(len(data))), "天")


def sex_unreadable(data: CheckInput) -> np.ndarray:
    return (_col(data, "sex") == "") & ~data.raw_blank("sex")


def id_invalid(data: CheckInput) -> np.ndarray:
    return isin(_col(data, "id_status"), BAD_ID)


def id_birth_mismatch(data: CheckInput):
    from_id = dates(data.norm["id_birth"])
    mask = (from_id.notna() & _birth(data).notna() & (from_id != _birth(data))).to_numpy()
    return mask, detail_text(mask, "身份证号中出生日期为", from_id)


def id_sex_mismatch(data: CheckInput):
    from_id, recorded = _col(data, "id_sex"), _col(data, "sex")
    mask = (from_id != "") & (recorded != "") & (from_id != recorded)
    return mask, detail_text(mask, "身份证号第17位表示", pd.Series(from_id).map({"F": "女", "M": "男"}))


def policy_unknown(data: CheckInput) -> np.ndarray:
    policy = _col(data, "policy")
    return (policy != "") & ~isin(policy, POLICIES)


def mother_id_missing(data: CheckInput):
    mask = _illegal(data) & _has_mother(data) & ~isin(_col(data, "mother_id_status"), USABLE_ID)
    return mask, detail_text(mask, "母亲身份证号", data.norm["mother_id_status"].map(_status_zh))


def father_id_missing(data: CheckInput):
    mask = _illegal(data) & _has_mother(data) & ~isin(_col(data, "mother_spouse_id_status"), USABLE_ID)
    return mask, detail_text(mask, "母亲记录中配偶身份证号", data.norm["mother_spouse_id_status"].map(_status_zh))


def _status_zh(status: object) -> str:
    return {"missing": "为空", "placeholder": "为占位值", "bad_chars": "含非法字符", "bad_length": "位数错误",
            "bad_region": "地区码错误", "bad_date": "出生日期不存在", "bad_check": "校验位错误"}.get(str(status), "")


def mother_place_missing(place: str):
    def test(data: CheckInput) -> np.ndarray:
        code, address = _col(data, f"mother_{place}_code"), _col(data, f"mother_{place}_address")
        return _illegal(data) & _has_mother(data) & (code == "") & (address == "")
    test.__name__ = f"mother_{place}_missing"
    return test


def period_unreadable(data: CheckInput) -> np.ndarray:
    return _col(data, "period_bad").astype(bool)


def reported_before_birth(data: CheckInput):
    end = dates(data.norm["period_end"])
    mask = (end < _birth(data)).to_numpy()
    return mask, detail_text(mask, "上报期截止", end, "早于出生日期", _birth(data))


CHILD_RULES: tuple[Rule, ...] = (
    Rule("child_mother_not_in_register", ERROR, "mother_record_id", "子女的母亲记录编号在育龄妇女信息中不存在",
         mother_not_in_register),
    Rule("child_birth_date_unreadable", ERROR, "birth_date", "子女出生日期无法识别或不存在", birth_date_unreadable),
    Rule("child_birth_date_missing", WARNING, "birth_date", "子女出生日期为空", blank("birth_date", illegal=False)),
    Rule("child_birth_after_as_of", ERROR, "birth_date", "子女出生日期晚于清查基准日", birth_after_as_of),
    Rule("child_birth_before_mother_15", ERROR, "birth_date", "子女出生时母亲不满15岁", birth_before_mother_15),
    Rule("child_order_unreadable", ERROR, "birth_order", "孩次无法识别(应为1、2、3…)", order_unreadable),
    Rule("child_order_missing", WARNING, "birth_order", "孩次为空", blank("birth_order", illegal=False)),
    Rule("child_order_repeated", ERROR, "birth_order", "同一母亲的子女孩次重复(双胞胎也应按出生顺序分别计孩次)",
         order_repeated),
    Rule("child_order_contradicts_dates", ERROR, "birth_order", "孩次与出生日期先后矛盾", order_contradicts_dates),
    Rule("child_birth_interval_short", WARNING, "birth_date", "与上一个子女出生间隔过短,请核实", birth_interval_short),
    Rule("child_sex_unreadable", ERROR, "sex", "子女性别无法识别(应为男/女)", sex_unreadable),
    Rule("child_sex_missing", WARNING, "sex", "子女性别为空", blank("sex", illegal=False)),
    Rule("child_id_invalid", ERROR, "id_number", "子女身份证号无效", id_invalid),
    Rule("child_id_birth_mismatch", ERROR, "id_number", "子女身份证号与出生日期不符", id_birth_mismatch),
    Rule("child_id_sex_mismatch", ERROR, "id_number", "子女身份证号与性别不符", id_sex_mismatch),
    Rule("child_policy_unknown", WARNING, "policy", "政策属性应为政策内或政策外", policy_unknown),
    Rule("illegal_mother_id_missing", ERROR, "mother_id_number", "违法生育上报缺少母亲有效身份证号", mother_id_missing),
    Rule("illegal_father_id_missing", ERROR, "father_id_number", "违法生育上报缺少父亲(配偶)有效身份证号",
         father_id_missing),
    Rule("illegal_hukou_missing", ERROR, "mother_hukou", "违法生育上报缺少母亲户籍地", mother_place_missing("hukou")),
    Rule("illegal_residence_missing", ERROR, "mother_residence", "违法生育上报缺少母亲现居住地",
         mother_place_missing("residence")),
    Rule("illegal_sex_missing", ERROR, "sex", "违法生育上报缺少子女性别", blank("sex", illegal=True)),
    Rule("illegal_birth_date_missing", ERROR, "birth_date", "违法生育上报缺少子女出生日期",
         blank("birth_date", illegal=True)),
    Rule("illegal_order_missing", ERROR, "birth_order", "违法生育上报缺少孩次", blank("birth_order", illegal=True)),
    Rule("illegal_period_missing", ERROR, "reported_period", "违法生育上报缺少上报期",
         blank("reported_period", illegal=True)),
    Rule("reported_period_unreadable", ERROR, "reported_period", "上报期无法识别(如2025年12月)", period_unreadable),
    Rule("reported_before_birth", ERROR, "reported_period", "上报期早于子女出生日期", reported_before_birth),
)
"""Every children rule, in the order findings are listed."""


def check_children(children, records: Records, *, as_of: object = None, rules: tuple[Rule, ...] = CHILD_RULES,
                   options: AuditOptions | None = None) -> pd.DataFrame:
    """Findings (``base.FINDING_COLUMNS``) for a children table against the register.

    children: a path or a DataFrame in the children layout (CHILD_COLUMNS, English or Chinese
    headers), c rows; records: the register's ``Records``.  One row per (child row, rule).
    """
    raw = load(children, table="children")
    norm = prepare_children(raw, records)
    data = CheckInput(norm=norm, raw=raw, as_of=as_of_date(as_of), options=options or AuditOptions())
    return findings_for(rules, data, record_ids=norm["mother_record_id"].to_numpy(dtype=object),
                        unit_codes=norm["mother_unit_code"].to_numpy(dtype=object),
                        child_ids=norm["child_id"].to_numpy(dtype=object))
