"""The cleaning a careful user does before handing a table to recordlinkage or Splink,
following their documentation: trim and lower-case text, upper-case ID numbers, parse
dates, keep the digits of phone numbers, blanks as nulls; for Chinese names also the
pinyin (pypinyin), the usual way to give string comparators something to work with.

Each function maps a table (strings, '' for blanks) to a new frame whose blanks are None.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

REGISTER_COLUMNS = ("name", "name_pinyin", "id_number", "birth_date", "sex", "phone", "residence_address",
                    "hukou_address", "spouse_id_number", "spouse_name")
FEBRL_TEXT = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
              "date_of_birth", "soc_sec_id")


def _blank_to_none(series: pd.Series) -> pd.Series:
    return series.where(series != "", None)


def _per_distinct(series: pd.Series, function) -> pd.Series:
    distinct = pd.Series(series.unique())
    return series.map(dict(zip(distinct, distinct.map(function))))


def _nfkc(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).strip()


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)) if name else ""


def _date(text: str) -> str:
    """'2026年1月31日', '2026/1/31', '20260131' ... -> '2026-01-31' ('' if not a date)."""
    parts = re.findall(r"\d+", text)
    if len(parts) == 1 and len(parts[0]) == 8:
        parts = [parts[0][:4], parts[0][4:6], parts[0][6:]]
    if len(parts) < 3:
        return ""
    stamp = pd.to_datetime(f"{parts[0]}-{parts[1]}-{parts[2]}", format="%Y-%m-%d", errors="coerce")
    return "" if stamp is pd.NaT else stamp.strftime("%Y-%m-%d")


def register_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The register columns a careful user compares, cleaned; blanks None.  Shape (n, 10)."""
    get = lambda c: table[c].astype(str) if c in table.columns else pd.Series([""] * len(table), dtype=object)
    out = pd.DataFrame(index=pd.RangeIndex(len(table)))
    out["name"] = _per_distinct(get("name"), _nfkc)
    out["name_pinyin"] = _per_distinct(out["name"], _pinyin)
    for column in ("id_number", "spouse_id_number"):
        out[column] = _per_distinct(get(column), lambda v: _nfkc(v).upper())
    out["birth_date"] = _per_distinct(get("birth_date"), _date)
    out["sex"] = _per_distinct(get("sex"), lambda v: {"女": "F", "2": "F", "男": "M", "1": "M"}.get(_nfkc(v), ""))
    out["phone"] = _per_distinct(get("phone"), lambda v: re.sub(r"\D", "", unicodedata.normalize("NFKC", v)))
    for column in ("residence_address", "hukou_address", "spouse_name"):
        out[column] = _per_distinct(get(column), _nfkc)
    return out.apply(_blank_to_none)


def febrl_frame(table: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns trimmed (the data is already lower case); blanks None.  Shape (n, 10)."""
    out = pd.DataFrame({c: table[c].astype(str).str.strip() for c in FEBRL_TEXT})
    return out.apply(_blank_to_none)
