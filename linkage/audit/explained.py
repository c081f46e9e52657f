"""Explained errors (备注说明): findings the clerk has explained are 已说明, not errors.

The campaign notice: logic errors that WIS itself causes, or that come from a special case,
are explained in the remarks (对于系统原因或特殊情况产生的逻辑错误需要在备注中进行详细说明).  An
explanation comes from

- the record's ``remarks`` (备注): it explains the findings of the rules it names (by rule
  name, e.g. ``birth_date_mismatch_id``, or by the rule's Chinese message); a remark that
  names no rule explains the findings on the fields it names by their Chinese header
  (公安系统出生日期有误 explains the findings on 出生日期), and no other: a register's remarks
  hold every kind of note (外出务工, 二孩), and a note about something else hides no error;
- an ``--explained FILE`` (record_id / 记录编号, rule / 规则, 说明 / explanation; optional
  child_id / 子女编号): one row per explained finding; ``rule`` is a rule name or message.

An explained finding stays in findings.csv with ``explained`` = 已说明 and the text in
``explanation``, and leaves the error counts of the summary.  An explanation that names a rule
the record does not break (or a record that is not in the register, or a rule that does not
exist) is itself a finding, ``explanation_not_matched``, so that no explanation is filed
against nothing.

>>> findings = pd.DataFrame({"record_id": ["r1", "r1"], "child_id": ["", ""], "unit_code": ["330106001"] * 2,
...     "rule": ["id_bad_check", "hukou_code_missing"], "severity": ["error", "warning"],
...     "field": ["id_number", "hukou_code"], "message": ["身份证号校验位错误,号码可能录错", "户籍地代码为空"],
...     "value": ["", ""], "detail": ["", ""]})
>>> out = apply_explanations(findings, remarks=pd.DataFrame({"record_id": ["r1"], "unit_code": ["330106001"],
...     "remarks": ["id_bad_check: 公安系统号码即如此"]}))
>>> out[["rule", "explained"]].values.tolist()
[['id_bad_check', '已说明'], ['hukou_code_missing', '']]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..columns import REGISTER_COLUMNS
from ..errors import SchemaError
from ..io import read_table
from .base import FINDING_COLUMNS, WARNING, Rule

EXPLAINED = "已说明"
EXPLAINED_COLUMNS = ["explained", "explanation"]
"""Columns findings.csv gains: 已说明 (or '') and the explanation's text."""
NOT_MATCHED_RULE = Rule("explanation_not_matched", WARNING, "remarks",
                        "说明所针对的问题本记录并不存在(规则未触发、记录不在册或规则名无法识别),请核对说明",
                        lambda data: np.zeros(len(data), dtype=bool))
"""The finding an explanation that matches no finding becomes."""
EXPLAINED_HEADERS = {"记录编号": "record_id", "规则": "rule", "规则名": "rule", "问题": "rule", "说明": "explanation",
                     "备注": "explanation", "子女编号": "child_id", "note": "explanation"}


def read_explained(source: Any) -> pd.DataFrame:
    """An explained-findings file (path or frame) as record_id, child_id, rule, explanation (str).

    Raises SchemaError (Chinese first, naming the file and the column) when record_id or rule is absent.
    """
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_table(source)
    name = "<frame>" if isinstance(source, pd.DataFrame) else str(source)
    frame.columns = [EXPLAINED_HEADERS.get(str(c).strip(), str(c).strip().lower()) for c in frame.columns]
    for column in ("record_id", "rule"):
        if column not in frame.columns:
            raise SchemaError(f"{name}: 说明文件缺少列 {column}(记录编号、规则、说明);"
                              f" the explained-findings file needs column {column!r}", path=name, column=column)
    out = pd.DataFrame({column: frame[column].astype(str).str.strip() if column in frame.columns else ""
                        for column in ("record_id", "child_id", "rule", "explanation")})
    return out.fillna("")


def _rule_names(findings: pd.DataFrame, known: dict[str, str]) -> dict[str, str]:
    """Rule name or Chinese message -> rule name, over the known registry and this run's findings."""
    names = dict(known)
    names.update(dict(zip(findings["message"].astype(str), findings["rule"].astype(str))))
    names.update({rule: rule for rule in findings["rule"].astype(str)})
    return names


def _named_in_remarks(remarks: pd.DataFrame, vocabulary: dict[str, str]) -> pd.DataFrame:
    """(record_id, rule, explanation) for every rule a remark names; rule '' where it names none."""
    text = remarks["remarks"].astype(str).str.strip()
    remarks = remarks.assign(remarks=text)[text != ""]
    if not len(remarks):
        return pd.DataFrame(columns=["record_id", "rule", "explanation"])
    words = sorted(vocabulary, key=len, reverse=True)
    pattern = "(" + "|".join(map(re.escape, words)) + ")" if words else "(?!)"
    found = remarks["remarks"].str.findall(pattern)
    rows = remarks.assign(word=found).explode("word")
    rows["rule"] = rows["word"].map(vocabulary).fillna("")
    rows = rows.drop_duplicates(["record_id", "rule"])
    return pd.DataFrame({"record_id": rows["record_id"].astype(str), "rule": rows["rule"],
                         "explanation": rows["remarks"]}).reset_index(drop=True)


def apply_explanations(findings: pd.DataFrame, *, remarks: pd.DataFrame | None = None,
                       explained: pd.DataFrame | None = None, known_rules: dict[str, str] | None = None) \
        -> pd.DataFrame:
    """findings (FINDING_COLUMNS, f rows) with EXPLAINED_COLUMNS, plus one
    ``explanation_not_matched`` finding per explanation that matches none.

    remarks: record_id, unit_code, remarks of the register's records (the remarks column);
    explained: ``read_explained`` output; known_rules: rule name or message -> name of every
    rule that exists (a file may name a rule no record broke in this run).
    """
    out = findings.copy()
    out["explained"], out["explanation"] = "", ""
    vocabulary = _rule_names(findings, known_rules or {})
    unit_of = remarks.set_index(remarks["record_id"].astype(str))["unit_code"] if remarks is not None else None
    claims = []
    if remarks is not None and len(remarks):
        claims.append(_named_in_remarks(remarks, vocabulary).assign(child_id="", origin="备注"))
    if explained is not None and len(explained):
        mapped = explained.assign(rule=explained["rule"].map(lambda r: vocabulary.get(r, r)), origin="说明文件")
        claims.append(mapped)
    if not claims:
        return out
    claims = pd.concat(claims, ignore_index=True)
    key = out["record_id"].astype(str)
    child = out["child_id"].astype(str)
    unmatched = []
    for blanket, group in claims.groupby(claims["rule"] == "", sort=False):
        if blanket:  # a remark naming no rule explains her findings on the fields it names
            texts = group.drop_duplicates("record_id").set_index("record_id")["explanation"]
            hit = key.isin(texts.index) & (child == "") & (out["explained"] == "")
            said = key[hit].map(texts).fillna("").astype(str).to_numpy(dtype=str)
            header = out.loc[hit, "field"].map(REGISTER_COLUMNS).fillna("\0").astype(str).to_numpy(dtype=str)
            names = np.char.find(said, header) >= 0 if len(said) else np.zeros(0, dtype=bool)
            rows = out.index[hit][names]
            out.loc[rows, "explanation"] = said[names]
            continue
        merged = out.reset_index().merge(group, on=["record_id", "rule"], how="inner", suffixes=("", "_claim"))
        merged = merged[(merged["child_id_claim"].astype(str) == "") |
                        (merged["child_id_claim"].astype(str) == merged["child_id"].astype(str))]
        first = merged.drop_duplicates("index")
        out.loc[first["index"].to_numpy(), "explanation"] = first["explanation_claim"].to_numpy()
        matched = pd.MultiIndex.from_frame(merged[["record_id", "rule"]].astype(str))
        mine = pd.MultiIndex.from_frame(group[["record_id", "rule"]].astype(str))
        unmatched.append(group[~mine.isin(matched)])
    out.loc[out["explanation"] != "", "explained"] = EXPLAINED
    not_matched = pd.concat(unmatched, ignore_index=True) if unmatched else pd.DataFrame()
    if len(not_matched):
        ids = not_matched["record_id"].astype(str)
        in_register = ids.isin(unit_of.index).to_numpy() if unit_of is not None else np.ones(len(ids), dtype=bool)
        units = unit_of.reindex(ids).fillna("").to_numpy(dtype=object) if unit_of is not None else ""
        reason = np.where(~not_matched["rule"].isin(set(vocabulary.values())).to_numpy(), "规则名无法识别:",
                          np.where(in_register, "本记录未触发规则:", "记录编号不在册:"))
        rows = pd.DataFrame({
            "record_id": ids.to_numpy(dtype=object),
            "child_id": not_matched["child_id"].astype(str).to_numpy(dtype=object),
            "unit_code": units, "rule": NOT_MATCHED_RULE.name, "severity": NOT_MATCHED_RULE.severity,
            "field": NOT_MATCHED_RULE.field, "message": NOT_MATCHED_RULE.message,
            "value": not_matched["explanation"].to_numpy(dtype=object),
            "detail": (not_matched["origin"] + reason + not_matched["rule"]).to_numpy(dtype=object),
            "explained": "", "explanation": ""})
        out = pd.concat([out, rows], ignore_index=True)
    return out[[*FINDING_COLUMNS, *EXPLAINED_COLUMNS]]


def unexplained(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that count (not 已说明); all of them when the table has no ``explained`` column."""
    if "explained" not in findings.columns:
        return findings
    return findings[findings["explained"].astype(str) != EXPLAINED]


def known_rule_names(*registries: tuple[Rule, ...]) -> dict[str, str]:
    """name -> name and message -> name over rule registries (what an explanation may name)."""
    names: dict[str, str] = {}
    for registry in registries:
        for rule in registry:
            names[rule.name] = rule.name
            names[rule.message] = rule.name
    return names



def explained_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Per street (index: 9-digit street code, '' for none): explained, the findings 已说明."""
    from ..codes import street_of  # noqa: PLC0415 (kept beside its one use)

    done = findings["explained"].astype(str) == EXPLAINED if "explained" in findings.columns else \
        pd.Series(False, index=findings.index)
    street = pd.Series(street_of(findings["unit_code"].astype(str).to_numpy(dtype=object)), index=findings.index)
    return pd.DataFrame({"explained": done.groupby(street).sum()}).astype(np.int64)
