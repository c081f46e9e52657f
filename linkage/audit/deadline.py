"""The deadline for disputes (以WIS系统实际数据为准): undetermined groups closed after it.

The campaign notice: streets clear their records within the set time, and disputes caused by
missing it are settled by the data in WIS (因逾期造成的信息管理及争议均以WIS系统实际数据为准).
With ``--deadline DATE`` before the run's ``as_of``, a duplicate group whose managing unit the
rules could not decide is closed in favour of the unit that holds her in WIS first: the record
in management with the earliest 建档日期 (then the smaller record id) is kept, the decision's
rule says so (``deadline_wis_holder``), and the other units get the ordinary notices.

Only the managing unit is settled this way, never who she is: a group whose records hold two
different valid ID numbers (``linkage.identity.keep_apart``: perhaps two women, or a re-issued
number) stays on the verification list, as does a group with no registration date to go by.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

import resolve

from ..identity import keep_apart
from ..normalize.dates import as_of_date
from ..normalize.status import is_inactive
from .calendar import date_option

DEADLINE_RULE = "deadline_wis_holder"
DEADLINE_LABEL = "争议逾期未落实,以WIS系统实际数据为准:建档在先的单位管理"


def _identity_in_doubt(norm: pd.DataFrame, members: pd.DataFrame) -> set[str]:
    """Cluster ids among ``members`` (row, cluster) where two records may not be one woman."""
    pairs = members.merge(members, on="cluster", suffixes=("_l", "_r"))
    pairs = pairs[pairs["row_l"] < pairs["row_r"]]
    if not len(pairs):
        return set()
    apart = keep_apart(norm, pairs[["row_l", "row_r"]].to_numpy(dtype=np.int64))
    return set(pairs["cluster"].to_numpy()[apart > 0])


def close_past_deadline(duplicates: Any, *, deadline: object, as_of: object, district: str | None) -> Any:
    """``duplicates`` (a ``DedupeResult``) with its undetermined groups decided after ``deadline``.

    Returns the same result when ``as_of`` is not past the deadline or nothing is undetermined;
    else a copy with decisions, notices and the verification list redrawn.
    """
    when, limit = as_of_date(as_of), date_option(deadline, "--deadline")
    decisions = duplicates.decisions
    if when <= limit or not len(decisions) or not (decisions["status"] == "undetermined").any():
        return duplicates
    norm = duplicates.records.norm
    cluster_ids = np.asarray(duplicates.cluster_ids, dtype=object).astype(str)
    undetermined = decisions.loc[decisions["status"] == "undetermined", "cluster_id"].astype(str)
    active = ~is_inactive(norm["status"].to_numpy(dtype=object))
    rows = np.flatnonzero(np.isin(cluster_ids, undetermined.to_numpy()) & active)
    members = pd.DataFrame({"row": rows, "cluster": cluster_ids[rows],
                            "registered": pd.to_datetime(norm["registered_date"].to_numpy()[rows]),
                            "record_id": norm["record_id"].astype(str).to_numpy(dtype=object)[rows]})
    doubt = _identity_in_doubt(norm, members[["row", "cluster"]])
    members = members[~members["cluster"].isin(doubt) & members["registered"].notna()]
    first = members.sort_values(["cluster", "registered", "record_id"], kind="stable").drop_duplicates("cluster")
    if not len(first):
        return duplicates
    decided = decisions.copy()
    at = pd.Index(decided["cluster_id"].astype(str)).get_indexer(first["cluster"])
    units = norm["unit_code"].astype(str).to_numpy(dtype=object)[first["row"].to_numpy()]
    decided.loc[decided.index[at], "managing_record_id"] = first["record_id"].to_numpy()
    decided.loc[decided.index[at], "managing_unit_code"] = units
    decided.loc[decided.index[at], "rule"] = DEADLINE_RULE
    decided.loc[decided.index[at], "rule_label"] = DEADLINE_LABEL
    decided.loc[decided.index[at], "status"] = "decided"
    decided.loc[decided.index[at], "action"] = "keep"
    evidence = (decided.loc[decided.index[at], "evidence"].astype(str).to_numpy(dtype=object)
                + f";争议期限{limit:%Y-%m-%d}已过,以WIS实际数据为准:" + first["record_id"].to_numpy(dtype=object)
                + "建档最早(" + first["registered"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object) + ")")
    decided.loc[decided.index[at], "evidence"] = evidence
    scored = duplicates.scored
    drafted = resolve.draft_notices(decided, norm, cluster_ids, scored.pairs, scored.probabilities, scored.reasons,
                                    district=district, as_of=when, raw=duplicates.records.raw)
    return replace(duplicates, decisions=decided, notices=drafted.notices, verification=drafted.verification)
