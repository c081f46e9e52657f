"""Whose records an audit output lists: with ``--district`` only this district's.

Every output that lists records for action (separation.csv, sample.csv, findings.csv and the
rows of summary.csv) holds the records of this district's units; the 合计 row sums those
only.  A record of another district appears in a run's outputs only where a notice concerns
it (notices.csv, the dedupe's decisions).  A record whose unit code is blank stays: it is in
this office's register and its unit is what must be fixed.

>>> ours(np.array(["330106001", "330108002", "", "330106"], dtype=object), "330106").tolist()
[True, False, True, True]
>>> ours(np.array(["330108002"], dtype=object), None).tolist()
[True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ours(unit_codes: np.ndarray | pd.Series, district: str | None) -> np.ndarray:
    """bool (n,): the unit code lies in ``district`` (or is blank); all True without a district."""
    codes = pd.Series(np.asarray(unit_codes, dtype=object)).fillna("").astype(str).str.strip()
    if not district:
        return np.ones(len(codes), dtype=bool)
    return ((codes.str[:6] == str(district).strip()) | (codes == "")).to_numpy()
