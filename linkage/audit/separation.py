"""Household/residence separation (人户分离): who lives away from her household registration,
which unit manages her under the managing-unit rules, and what the holding unit does.

A record is *separated* when both codes are usable and her household registration and
residence differ at the street level (9 digits) -- or at the finest level both codes hold
when one is coarser (a 6-digit county household code is only compared at county level).
Two communities of one street are not a separation (the national definition counts
乡镇街道).  Blank or unusable codes are not guessed at: they are logic-check findings.

The managing unit comes from ``resolve.decide.managing_unit_for_records``, the same location
rules as the dedupe decision (residence after six months, else household registration).
The action:

- ``keep``: the managing unit is decided and the holding unit (unit_code) lies in it;
- ``transfer_out``: the managing unit is decided and is another unit -- a transfer-out
  (迁出) through the transfer platform to ``managing_unit_code``;
- ``verify``: no rule decides (e.g. no residence start date and no household code), or the
  rule lands on a county or coarser code (管理单位只到县级,须核实到街道).

With ``district`` only the records held by this district's units are listed (``scope.ours``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resolve.decide import managing_unit_for_records

from ..codes import codes_match, significant_codes, street_relation
from ..normalize.dates import as_of_date
from ..normalize.status import is_inactive
from ..prepare import Records
from .scope import ours

SEPARATION_COLUMNS = ["record_id", "unit_code", "name", "hukou_code", "residence_code", "residence_since",
                      "managing_unit_code", "rule", "evidence", "status", "action", "across_district"]
"""separation.csv: SCHEMA's columns plus the holding unit, the name, the residence start date,
the rule's evidence and status, and whether household and residence are in different districts."""



def separated(hukou: np.ndarray, residence: np.ndarray) -> np.ndarray:
    """Household registration and residence differ at street level; bool (n,).

    hukou, residence: code arrays of shape (n,) as in ``Records.norm``.
    """
    return street_relation(hukou, residence) == -1


def find_separation(records: Records, *, as_of: object = None, rules=None, district: str | None = None) -> pd.DataFrame:
    """One row per record in management whose household registration and residence differ.

    records: the register's ``Records`` (n rows).  rules: a ``resolve.RuleSet`` (the default
    rules when None).  district: this office's code (only its units' records are listed).
    Returns SEPARATION_COLUMNS, ordered by holding unit then record_id.
    """
    norm = records.norm.reset_index(drop=True)
    active = ~is_inactive(norm["status"]) & ours(norm["unit_code"], district)
    rows = np.flatnonzero(active & separated(norm["hukou_code"].to_numpy(dtype=object),
                                            norm["residence_code"].to_numpy(dtype=object)))
    subset = norm.iloc[rows].reset_index(drop=True)
    if not len(subset):
        return pd.DataFrame({column: pd.Series(dtype=object) for column in SEPARATION_COLUMNS})
    decided = managing_unit_for_records(subset, as_of=as_of_date(as_of), rules=rules)
    unit = subset["unit_code"].to_numpy(dtype=object)
    managing = decided["managing_unit_code"].to_numpy(dtype=object)
    is_decided = (decided["status"].to_numpy(dtype=object) == "decided") & (managing != "")
    in_own_unit = codes_match(significant_codes(unit), significant_codes(managing))
    action = np.where(~is_decided, "verify", np.where(in_own_unit, "keep", "transfer_out"))
    hukou, residence = subset["hukou_code"].astype(str), subset["residence_code"].astype(str)
    out = pd.DataFrame({
        "record_id": subset["record_id"].to_numpy(dtype=object),
        "unit_code": unit,
        "name": subset["name"].to_numpy(dtype=object),
        "hukou_code": hukou.to_numpy(dtype=object),
        "residence_code": residence.to_numpy(dtype=object),
        "residence_since": pd.to_datetime(subset["residence_since"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
        "managing_unit_code": np.where(is_decided, managing, ""),
        "rule": decided["rule"].to_numpy(dtype=object),
        "evidence": decided["evidence"].to_numpy(dtype=object),
        "status": np.where(is_decided, "decided", "undetermined"),
        "action": action,
        "across_district": (hukou.str[:6] != residence.str[:6]).to_numpy(),
    })
    return out.sort_values(["unit_code", "record_id"], kind="stable").reset_index(drop=True)[SEPARATION_COLUMNS]
