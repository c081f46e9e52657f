"""Is a place in the district?  From its code, or -- where the code is blank -- from the address.

Shared-platform extracts often leave the residence or household code blank but keep the
address text ("浙江省杭州市西湖区星桥街道…").  A place is:

- ``here`` when its code (6+ digits) lies in one of the districts, or the code is blank and the
  address names the district (its GB/T 2260 name, e.g. 西湖区) or one of its streets (the
  register's own unit names, e.g. 小河街道);
- ``away`` when its code lies elsewhere, or the code is blank and the address names another
  province, city or county (any GB/T 2260 name of three characters or more that is not the
  district or one of its parents);
- ``unknown`` otherwise (blank, or an address such as "花山苑1幢3单元402室").

>>> names = PlaceNames.for_districts(("330106",), street_names=("小河街道",))
>>> place_status(np.array(["330106001", "", "", "", ""], dtype=object),
...              np.array(["", "杭州市西湖区文三路1号", "小河街道明溪家园", "浙江省杭州市滨江区某路", "花山苑1幢"], dtype=object),
...              names).tolist()
['here', 'here', 'here', 'away', 'unknown']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..codes import region_names
from ..normalize.distinct import per_distinct
from .base import isin

@dataclass(frozen=True)
class PlaceNames:
    """Names that put an address in the district (``here``) or outside it (``away``)."""

    districts: tuple[str, ...]
    here: tuple[str, ...]
    away: tuple[str, ...]

    @classmethod
    def for_districts(cls, districts: tuple[str, ...], *, street_names: tuple[str, ...] = ()) -> "PlaceNames":
        names = region_names()
        ours = {name for code in districts for name in names.get(code, "").split(";") if len(name) >= 2}
        ancestors = {code[:2] + "0000" for code in districts} | {code[:4] + "00" for code in districts}
        others = {name for code, joined in names.items() if code not in districts and code not in ancestors
                  for name in joined.split(";") if len(name) >= 3}
        others -= ours
        streets = {s for s in street_names if len(s) >= 3}
        return cls(tuple(districts), tuple(sorted(ours | streets)), tuple(sorted(others)))


def _contains_any(texts: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """Whether each text contains one of ``names``, bool (n,); one scan per distinct text that only
    looks up substrings ending in a character some name ends with (a set lookup, not a regex)."""
    if not names:
        return np.zeros(len(texts), dtype=bool)
    table = frozenset(names)
    endings = frozenset(name[-1] for name in names)
    lengths = sorted({len(name) for name in names})

    def found(text: str) -> bool:
        return any(text[max(0, end + 1 - size):end + 1] in table
                   for end, char in enumerate(text) if char in endings for size in lengths if size <= end + 1)

    return per_distinct(texts.astype(str), found, dtype=bool)


def place_status(codes: np.ndarray, addresses: np.ndarray, names: PlaceNames) -> np.ndarray:
    """'here', 'away' or 'unknown' per row; codes and addresses of shape (n,)."""
    code = pd.Series(codes, dtype=object).fillna("").astype(str)
    text = pd.Series(addresses, dtype=object).fillna("").astype(str)
    usable = (code.str.len() >= 6).to_numpy()
    code_here = isin(code.str[:6], names.districts)
    text_here = _contains_any(text, names.here)
    text_away = _contains_any(text, names.away) & ~text_here
    status = np.where(text_here, "here", np.where(text_away, "away", "unknown")).astype(object)
    return np.where(usable, np.where(code_here, "here", "away"), status)


def street_names(norm: pd.DataFrame, raw: pd.DataFrame, districts: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the district's streets as the register's units are named (unit_name of 9-digit units)."""
    units = norm["unit_code"].astype(str)
    mask = (units.str.len() == 9).to_numpy() & isin(units.str[:6], districts)
    names = raw["unit_name"].astype(str).str.strip()[mask]
    return tuple(sorted(name for name in names.unique() if name.endswith(("街道", "镇", "乡"))))
