"""What makes a notice one a clerk can act on: the channel, what to copy first, unit names.

* ``channels``: the channel follows the place.  Two units of one district: an in-district
  notice (区内通知); another district of the same province (same city or not): the WIS
  transfer platform (迁入迁出平台); another province: the floating-population notification
  (流动人口信息通报).
* ``copy_first``: what the kept record lacks that a record to be cancelled holds -- a valid
  ID number where the kept one is blank, a placeholder or invalid, a phone, the spouse's name
  or valid ID number.  The notice then says to copy it over first (先补录), so that cancelling
  a duplicate never loses what only it held.
* ``unit_names``: a name for every unit code a notice prints: the register's own unit name
  for a unit that holds records, else, for a county or coarser code, its GB/T 2260 name
  (``linkage.codes.region_label``), so that no county or province code prints bare.

>>> channels(np.array(["330106001", "330106001", "330106001"], dtype=object),
...          np.array(["330106002", "330108001", "340102001"], dtype=object))[1].tolist()
['区内通知', '迁入迁出平台', '流动人口信息通报']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.codes import STREET_DIGITS, region_label, significant_code
from linkage.normalize.distinct import per_distinct, text_slice

from .grouped import text_column

CHANNELS = {"in_district": "区内通知", "transfer_platform": "迁入迁出平台", "floating_population": "流动人口信息通报"}
"""channel -> how it travels (the notices' ``via``)."""

COPY_FIELDS = (("id", "身份证号"), ("phone", "联系电话"), ("spouse_name", "配偶姓名"), ("spouse_id", "配偶身份证号"))
"""What a kept record may lack that its duplicate holds, with the Chinese word the notice uses."""


def channels(from_codes: np.ndarray, to_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(channel, via), object (n,) each, for notices between units ``from_codes`` and ``to_codes`` (n,)."""
    a = pd.Series(from_codes, dtype=object).fillna("").astype(str)
    b = pd.Series(to_codes, dtype=object).fillna("").astype(str)
    district = text_slice(a, 0, 6) == text_slice(b, 0, 6)
    province = text_slice(a, 0, 2) == text_slice(b, 0, 2)
    channel = np.where(district, "in_district", np.where(province, "transfer_platform", "floating_population"))
    channel = channel.astype(object)
    return channel, pd.Series(channel, dtype=object).map(CHANNELS).to_numpy(dtype=object)


def lacks(norm: pd.DataFrame, records: np.ndarray, kept: np.ndarray) -> dict[str, np.ndarray]:
    """For each of ``COPY_FIELDS``: bool (q,), the record at row ``records[i]`` holds it and
    the kept record at row ``kept[i]`` does not (row positions, int (q,))."""
    columns = [c for c in ("id_status", "phone", "spouse_name", "spouse_id_status") if c in norm.columns]
    few = norm[columns]  # four columns of the rows concerned, not the whole register

    def has(rows: np.ndarray) -> dict[str, np.ndarray]:
        picked = few.iloc[rows]
        return {"id": text_column(picked, "id_status") == "valid", "phone": text_column(picked, "phone") != "",
                "spouse_name": text_column(picked, "spouse_name") != "",
                "spouse_id": text_column(picked, "spouse_id_status") == "valid"}

    mine, theirs = has(np.asarray(records, dtype=np.int64)), has(np.asarray(kept, dtype=np.int64))
    return {key: mine[key] & ~theirs[key] for key, _ in COPY_FIELDS}


def copy_first(missing: dict[str, np.ndarray]) -> np.ndarray:
    """object (q,): '身份证号、联系电话' -- what to copy to the kept record first ('' for nothing)."""
    q = len(next(iter(missing.values()))) if missing else 0
    out = np.full(q, "", dtype=object)
    for key, word in COPY_FIELDS:
        hit = np.asarray(missing.get(key, np.zeros(q, dtype=bool)), dtype=bool)
        out = np.where(hit, np.where(out == "", word, out + "、" + word), out)
    return out.astype(object)


def unit_names(codes: np.ndarray, known: dict[str, str]) -> np.ndarray:
    """object (n,): the name of each unit code: ``known`` (code -> the register's unit name)
    first, else the GB/T 2260 name of a county, city or province code, else ''."""
    def name(code: str) -> str:
        if known.get(code):
            return known[code]
        return region_label(code) if 0 < len(significant_code(code)) < STREET_DIGITS else ""

    return per_distinct(pd.Series(codes, dtype=object).fillna("").astype(str), name)


def shown_units(codes: np.ndarray, names: np.ndarray) -> np.ndarray:
    """object (n,): a unit as the instruction names it: '朝晖街道(330106003)', or the bare code
    when it has no name (a street no record of the register names)."""
    codes, names = np.asarray(codes, dtype=object).astype(str), np.asarray(names, dtype=object).astype(str)
    return np.where(names != "", names + "(" + codes + ")", codes).astype(object)
