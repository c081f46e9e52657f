"""Key management targets (重点管理对象) and households (集体户、空挂户): the checks WIS runs.

The campaign notice asks streets to check in full the records of women who are key targets
(无措施、现孕、产后一月) and the collective and registered-only households (集体户、空挂户信息要进行
全面的核对).  Two outputs come from here:

- named rules (``KEY_RULES``), findings like the other registries: a married woman with 无措施
  or a blank 节育措施, an unmarried one with a long-acting method (放环 / 结扎 / 皮埋), 产后一月
  with no child born in the last 42 days, 现孕 with a child born in the last three months (both
  read the children table; without one they are not checked), a 集体户 or 空挂户 record to
  check in full, and a household address holding more women than a family does;
- ``key_target_list``: the per-street check list (key_targets.csv), one row per record in
  management and category (无措施 / 现孕 / 产后一月 / 集体户 / 空挂户), with the findings it
  carries, so that a street checks every key target and not only those in error.

>>> import linkage.io, linkage.prepare
>>> frame = linkage.io.load(pd.DataFrame({"record_id": ["r1", "r2"], "unit_code": ["330106001", "330106001"],
...     "name": ["王芳", "李娜"], "marital_status": ["初婚", "未婚"], "contraception": ["无措施", "结扎"]}))
>>> found = run_key_checks(linkage.prepare.prepare(frame), as_of="2026-01-31")
>>> found[["record_id", "rule"]].values.tolist()
[['r1', 'married_no_method'], ['r2', 'unmarried_long_acting']]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from resolve.grouped import join_per_group

from ..codes import street_of
from ..io import load
from ..normalize.dates import as_of_date
from ..normalize.distinct import distinct_map, per_distinct
from ..normalize.status import is_inactive
from ..prepare import Records
from .base import CURRENTLY_MARRIED, ERROR, UNMARRIED, WARNING, AuditOptions, CheckInput, Rule, dates, \
    detail_text, findings_for, isin
from .children_prepare import prepare_children

NO_METHOD = "无措施"
PREGNANT = "现孕"
POSTPARTUM = "产后一月"
COLLECTIVE, REGISTERED_ONLY = "集体户", "空挂户"
KEY_CATEGORIES = (NO_METHOD, PREGNANT, POSTPARTUM, COLLECTIVE, REGISTERED_ONLY)
"""The categories of the check list, in the order a street reads them."""
KEY_TARGET_COLUMNS = ["street_code", "unit_code", "record_id", "name", "id_number", "category", "marital_status",
                      "contraception", "pregnancy", "household_type", "hukou_address", "latest_child_birth",
                      "findings", "checked", "note"]
"""key_targets.csv: the street (9 digits) and unit holding the record, who she is, why she is on
the list, the columns a clerk checks, the rules she breaks (';'-joined), and the blank ``checked``
and ``note`` columns the street fills in."""


def _col(data: CheckInput, column: str) -> np.ndarray:
    return data.norm[column].to_numpy(dtype=object)


def _text_has(values: np.ndarray, words: tuple[str, ...]) -> np.ndarray:
    """bool (n,): the text holds one of ``words``; computed once per distinct value."""
    pattern = re.compile("|".join(map(re.escape, words)) or "(?!)")
    return per_distinct(values, lambda text: bool(pattern.search(str(text))), dtype=bool)


def _married(data: CheckInput) -> np.ndarray:
    return isin(_col(data, "marital_status"), CURRENTLY_MARRIED)


def married_no_method(data: CheckInput) -> np.ndarray:
    return _married(data) & (_col(data, "contraception") == NO_METHOD)


def married_method_blank(data: CheckInput) -> np.ndarray:
    return _married(data) & (_col(data, "contraception") == "")


def unmarried_long_acting(data: CheckInput):
    mask = isin(_col(data, "marital_status"), UNMARRIED) & _text_has(_col(data, "contraception"),
                                                                     data.options.long_acting_methods)
    return mask, detail_text(mask, "节育措施为", data.norm["contraception"])


def _latest_child(data: CheckInput) -> pd.Series | None:
    """The latest birth date among her children (NaT: none), or None when no children table was given."""
    extra = data.extra or {}
    return None if extra.get("latest_child_birth") is None else dates(extra["latest_child_birth"])


def postpartum_without_child(data: CheckInput):
    latest = _latest_child(data)
    if latest is None:
        return np.zeros(len(data), dtype=bool)
    since = data.as_of - pd.Timedelta(days=data.options.postpartum_days)
    recent = ((latest >= since) & (latest <= data.as_of)).to_numpy()
    mask = _text_has(_col(data, "pregnancy"), (POSTPARTUM,)) & ~recent
    return mask, detail_text(mask, f"{data.options.postpartum_days}天内无子女出生记录(最近一孩出生", latest, ")")


def pregnant_after_recent_birth(data: CheckInput):
    latest = _latest_child(data)
    if latest is None:
        return np.zeros(len(data), dtype=bool)
    since = data.as_of - pd.Timedelta(days=data.options.recent_birth_days)
    recent = ((latest >= since) & (latest <= data.as_of)).to_numpy()
    mask = _text_has(_col(data, "pregnancy"), (PREGNANT,)) & recent
    return mask, detail_text(mask, "最近一孩出生于", latest, ",不足", str(data.options.recent_birth_days), "天")


def household_is(kind: str):
    def test(data: CheckInput) -> np.ndarray:
        return _col(data, "household_type") == kind
    test.__name__ = f"household_is_{kind}"
    return test


HOUSE_NUMBER = re.compile(r"\d+\s*[号室户]|\d+-\d+")
"""An address down to one household: a house or room number (12号, 501室, 3-2-501); an estate's
name alone (和湖家园) holds many households and is not counted."""


def crowded_household_address(data: CheckInput):
    """More distinct women (by ID number, else name) on one household code and address than
    ``max_women_per_address``, in households not marked 集体户 / 空挂户, where the address names
    one household (``HOUSE_NUMBER``)."""
    address = _col(data, "hukou_address")
    woman = np.where(_col(data, "id_full") != "", _col(data, "id_full"), _col(data, "name"))
    one_household = distinct_map(address, lambda texts: texts.str.contains(HOUSE_NUMBER)).astype(bool)
    usable = one_household & ~isin(_col(data, "household_type"), (COLLECTIVE, REGISTERED_ONLY))
    women = np.zeros(len(address), dtype=np.int64)
    rows = np.flatnonzero(usable)
    if len(rows):
        household = pd.factorize(pd.Series(_col(data, "hukou_code")[rows], dtype=object) + "|" + address[rows])[0]
        person = pd.factorize(woman[rows])[0].astype(np.int64)
        pairs = np.unique(household.astype(np.int64) * (int(person.max()) + 1) + person)
        per_household = np.bincount(pairs // (int(person.max()) + 1), minlength=int(household.max()) + 1)
        women[rows] = per_household[household]
    mask = usable & (women > data.options.max_women_per_address)
    return mask, detail_text(mask, "该户籍地址登记育龄妇女", women, "人")


KEY_RULES: tuple[Rule, ...] = (
    Rule("married_no_method", WARNING, "contraception", "重点管理对象:已婚无措施,请全面核查", married_no_method),
    Rule("married_method_blank", ERROR, "contraception", "已婚但节育措施为空,请补录(无措施也应填写)",
         married_method_blank),
    Rule("unmarried_long_acting", ERROR, "contraception", "未婚但节育措施为放环、结扎或皮埋", unmarried_long_acting),
    Rule("postpartum_without_child", ERROR, "pregnancy", "现孕情况为产后一月,但子女信息中近42天内无出生记录",
         postpartum_without_child),
    Rule("pregnant_after_recent_birth", WARNING, "pregnancy", "现孕,但子女信息中近三个月内有子女出生,请核实",
         pregnant_after_recent_birth),
    Rule("collective_household", WARNING, "household_type", "集体户,按通知要求全面核对户籍和居住信息",
         household_is(COLLECTIVE)),
    Rule("registered_only_household", WARNING, "household_type", "空挂户,按通知要求全面核对是否实际居住",
         household_is(REGISTERED_ONLY)),
    Rule("crowded_household_address", WARNING, "hukou_address",
         "同一户籍地址登记的育龄妇女过多,可能为集体户或空挂户未标注,请核对", crowded_household_address),
)
"""Key-target and household rules, in the order findings are listed."""


def latest_child_births(children: Any, records: Records) -> np.ndarray:
    """datetime64 (n,): each register record's latest child birth (NaT: no child), from a
    children table (path or frame, c rows) read as ``check_children`` reads it."""
    norm = prepare_children(load(children, table="children"), records)
    known = norm[(norm["mother_row"] >= 0) & norm["birth_date"].notna()]
    latest = np.full(len(records), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(known):
        per_mother = known.groupby("mother_row")["birth_date"].max()
        latest[per_mother.index.to_numpy(dtype=np.int64)] = per_mother.to_numpy(dtype="datetime64[ns]")
    return latest


NORM_COLUMNS = ("record_id", "unit_code", "name", "id_full", "marital_status", "contraception", "pregnancy",
                "household_type", "hukou_code", "hukou_address")
RAW_COLUMNS = ("id_number", "contraception", "pregnancy", "household_type", "hukou_address")
"""The columns the key rules and the check list read (only these are copied)."""


def _active(records: Records) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Row positions of the records in management, and their NORM_COLUMNS / RAW_COLUMNS."""
    rows = np.flatnonzero(~is_inactive(records.norm["status"].to_numpy(dtype=object)))
    norm = pd.DataFrame({c: records.norm[c].to_numpy(dtype=object)[rows] for c in NORM_COLUMNS})
    raw = pd.DataFrame({c: records.raw[c].to_numpy(dtype=object)[rows] for c in RAW_COLUMNS})
    return rows, norm, raw


def run_key_checks(records: Records, *, children: Any = None, as_of: object = None,
                   rules: tuple[Rule, ...] = KEY_RULES, options: AuditOptions | None = None,
                   latest_child: np.ndarray | None = None) -> pd.DataFrame:
    """Findings (``base.FINDING_COLUMNS``) of the key-target rules over the records in management.

    records: the register's ``Records`` (n); children: the children table or None (the two
    children rules are then not checked); latest_child: ``latest_child_births`` when already made.
    """
    if latest_child is None and children is not None:
        latest_child = latest_child_births(children, records)
    rows, norm, raw = _active(records)
    extra = {"latest_child_birth": None if latest_child is None else latest_child[rows]}
    data = CheckInput(norm=norm, raw=raw, as_of=as_of_date(as_of), options=options or AuditOptions(), extra=extra)
    return findings_for(rules, data, record_ids=norm["record_id"].to_numpy(dtype=object),
                        unit_codes=norm["unit_code"].to_numpy(dtype=object))


def key_target_list(records: Records, findings: pd.DataFrame, *, latest_child: np.ndarray | None = None) \
        -> pd.DataFrame:
    """The check list (KEY_TARGET_COLUMNS): every record in management that is a key target or
    in a 集体户 / 空挂户, once per category, ordered by street, category and record id.

    findings: the run's findings (record_id, child_id, rule), whose record rules are listed beside her.
    """
    rows, norm, raw = _active(records)
    contraception, pregnancy = norm["contraception"].to_numpy(dtype=object), norm["pregnancy"].to_numpy(dtype=object)
    household = norm["household_type"].to_numpy(dtype=object)
    married = isin(norm["marital_status"], CURRENTLY_MARRIED)
    masks = {NO_METHOD: married & ((contraception == NO_METHOD) | (contraception == "")),
             PREGNANT: _text_has(pregnancy, (PREGNANT,)), POSTPARTUM: _text_has(pregnancy, (POSTPARTUM,)),
             COLLECTIVE: household == COLLECTIVE, REGISTERED_ONLY: household == REGISTERED_ONLY}
    latest = pd.Series(latest_child[rows] if latest_child is not None else pd.NaT, index=norm.index,
                       dtype="datetime64[ns]")
    listed = np.zeros(len(norm), dtype=bool)
    for mask in masks.values():
        listed |= mask
    ids = norm["record_id"].astype(str)
    record_findings = findings[(findings["child_id"].astype(str) == "").to_numpy()
                               & findings["record_id"].astype(str).isin(ids[listed]).to_numpy()]
    at = pd.Index(ids).get_indexer(record_findings["record_id"].astype(str))
    joined = pd.Series(join_per_group(at, record_findings["rule"].to_numpy(dtype=object), len(norm)), index=ids)
    parts = []
    for rank, (category, mask) in enumerate(masks.items()):
        take = np.flatnonzero(mask)
        if not len(take):
            continue
        sub = norm.iloc[take]
        parts.append(pd.DataFrame({
            "street_code": street_of(sub["unit_code"].to_numpy(dtype=object)),
            "unit_code": sub["unit_code"].to_numpy(dtype=object), "record_id": sub["record_id"].to_numpy(dtype=object),
            "name": sub["name"].to_numpy(dtype=object), "id_number": raw["id_number"].to_numpy(dtype=object)[take],
            "category": category, "marital_status": sub["marital_status"].to_numpy(dtype=object),
            "contraception": sub["contraception"].to_numpy(dtype=object),
            "pregnancy": sub["pregnancy"].to_numpy(dtype=object), "household_type": household[take],
            "hukou_address": raw["hukou_address"].to_numpy(dtype=object)[take],
            "latest_child_birth": latest.iloc[take].dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object),
            "findings": joined.to_numpy(dtype=object)[take],
            "checked": "", "note": "", "_rank": rank}))
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in KEY_TARGET_COLUMNS})
    table = pd.concat(parts, ignore_index=True).sort_values(["street_code", "_rank", "record_id"], kind="stable")
    return table.reset_index(drop=True)[KEY_TARGET_COLUMNS]
