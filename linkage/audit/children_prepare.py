"""The children table (子女信息) normalised for the checks, with each child's mother's columns.

>>> parse_birth_orders(["1", "第二孩", "3孩", "二胎", "", "x", "0"]).tolist()
[1.0, 2.0, 3.0, 2.0, nan, nan, nan]
>>> [str(d.date()) if d is not pd.NaT else "" for d in parse_periods(["2025年12月", "2025", "2025Q1", "?", ""])[0]]
['2025-12-31', '2025-12-31', '2025-03-31', '', '']
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..normalize.contact import normalize_sexes, normalize_texts
from ..normalize.distinct import per_distinct
from ..normalize.dates import MAX_YEAR, MIN_YEAR, normalize_dates
from ..normalize.ids import normalize_ids
from ..prepare import Records

ILLEGAL_POLICY = "政策外"
POLICIES = ("政策内", "政策外")
POLICY_ALIASES = {"计划外": "政策外", "计划内": "政策内"}
"""Older registers write 计划外 / 计划内 (the campaign notice's 计划外): read as 政策外 / 政策内."""
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ORDER_RE = re.compile(r"^第?\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:孩|胎|个)?$")
_PERIOD_RE = re.compile(r"^(\d{4})\s*(?:年)?\s*(?:[-/.]?\s*(?:(\d{1,2})\s*月?|[Qq第]\s*([1-4])\s*季?度?))?$")
MOTHER_COLUMNS = ("birth", "id_status", "id_number", "spouse_id_status", "spouse_id", "hukou_code",
                  "hukou_address", "residence_code", "residence_address", "unit_code", "name")
"""Columns of the mother's register record copied beside each child as ``mother_<column>``."""


def _order_one(raw: object) -> float:
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _ORDER_RE.match(text)
    if not match:
        return np.nan
    token = match.group(1)
    value = int(token) if token.isdigit() else _NUMERALS[token]
    return float(value) if value >= 1 else np.nan


def parse_birth_orders(values: pd.Series | list) -> np.ndarray:
    """孩次 as a float array (n,): 1, '1', '第一孩', '二胎' ...; NaN where blank or unreadable."""
    return per_distinct(values, _order_one).astype(float)


def _period_one(raw: object) -> pd.Timestamp | None:
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _PERIOD_RE.match(text)
    if match:
        year, month, quarter = match.groups()
        if (month and not 1 <= int(month) <= 12) or not MIN_YEAR <= int(year) <= MAX_YEAR:
            return None
        last_month = int(month) if month else (int(quarter) * 3 if quarter else 12)
        return pd.Timestamp(int(year), last_month, 1) + pd.offsets.MonthEnd(0)
    parsed = normalize_dates([text])
    return parsed.values.iloc[0] if parsed.status[0] == "ok" else None


def parse_periods(values: pd.Series | list) -> tuple[pd.Series, np.ndarray]:
    """上报期 as the last day of the period (datetime64 (n,)) and whether it was unreadable (bool (n,))."""
    series = pd.Series(values, dtype=object).fillna("").astype(str)
    parsed = per_distinct(series, lambda value: _period_one(value) if value.strip() else None)
    ends = pd.Series(pd.to_datetime(pd.Series(parsed, dtype=object)), dtype="datetime64[ns]")
    bad = (ends.isna().to_numpy() & (series.str.strip() != "").to_numpy())
    return ends, bad


def prepare_children(children: pd.DataFrame, records: Records) -> pd.DataFrame:
    """Normalised children, shape (c, k), same row positions as the conformed ``children``.

    Columns: child_id, mother_record_id, mother_row (register row position, -1 when the mother
    is not in the register), sex, birth_date, birth_order (float), id_status, id_birth, id_sex,
    policy, illegal (bool), period_end, period_bad, and ``mother_<column>`` for MOTHER_COLUMNS
    (blank / NaT where the mother is not in the register).
    """
    out = pd.DataFrame({
        "child_id": children["child_id"].to_numpy(dtype=object),
        "mother_record_id": children["mother_record_id"].astype(str).str.strip().to_numpy(dtype=object),
    })
    register_ids = pd.Index(records.norm["record_id"].astype(str))
    out["mother_row"] = register_ids.get_indexer(out["mother_record_id"])
    out["sex"] = normalize_sexes(children["sex"])
    out["birth_date"] = normalize_dates(children["birth_date"]).values.to_numpy()
    out["birth_order"] = parse_birth_orders(children["birth_order"])
    ids = normalize_ids(children["id_number"])
    out["id_status"], out["id_birth"], out["id_sex"] = ids.status, ids.birth_date, ids.sex
    out["policy"] = pd.Series(normalize_texts(children["policy"]), dtype=object).replace(POLICY_ALIASES).to_numpy()
    out["illegal"] = out["policy"].to_numpy() == ILLEGAL_POLICY
    ends, bad = parse_periods(children["reported_period"])
    out["period_end"], out["period_bad"] = ends.to_numpy(), bad
    present = out["mother_row"].to_numpy() >= 0
    rows = np.where(present, out["mother_row"].to_numpy(), 0)
    for column in MOTHER_COLUMNS:
        source = records.norm[column]
        if len(source) == 0:
            values = pd.Series([None] * len(out), dtype=source.dtype if source.dtype.kind == "M" else object)
        else:
            values = source.iloc[rows].reset_index(drop=True)
        if values.dtype.kind == "M":
            out[f"mother_{column}"] = values.where(present).to_numpy()
        else:
            out[f"mother_{column}"] = np.where(present, values.astype(object).to_numpy(), "")
    return out
