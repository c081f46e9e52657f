"""Notices drafted from the decisions: who must cancel or transfer which record, and why.

Every active record that a decided cluster does not keep in place is covered by one notice
(``NOTICE_COLUMNS``); one woman gets one notice per unit that must act (the unit holding the
records): a unit holding two of her records to cancel, or one to transfer and one to cancel,
gets one notice naming them all.  notices.csv has one row per record (SCHEMA.md): the rows
of one notice share its ``notice_id`` and its columns (kind, units, instruction, ``record_ids``
listing all its records), each row names its own record (``RECORD_LEVEL``) and what happens
to it (``action``: cancel / transfer_out); the notice's printed record comes first (the
transferred one, else the first by record_id).  Whose business a record is depends on ``district`` (this office's
6-digit code):

- an extra record of ours, she is managed here: ``cancel_in_district`` (区内重复注销), from
  the district office to the street holding it, naming the kept record and its unit;
- an extra record of ours, she is managed in another district: ``cancellation_notice``
  (注销通报), from our unit to her managing unit;
- an extra record of another district, she is managed here: ``request_cancellation``, from
  her managing unit to theirs, asking them to send a 注销通报 for their record;
- the kept record of ours held outside her managing unit (the unit holds no record of her):
  ``transfer_out`` (迁出, 交流给应管单位), from its unit to the managing unit;
- the same record held by another district, she is managed here: ``request_transfer``.

A record of another district in a cluster whose managing unit is also elsewhere gets no
notice (neither side is ours); a cluster with no record here gets notices only when she is
ours (the request kinds).  With ``district=None`` (a city-wide run) every record is seen from
its own district: an extra record gets ``cancel_in_district`` when she is managed in its
district and ``cancellation_notice`` otherwise; the request kinds never occur.  Undetermined
clusters get no notice, only a line on ``verification_list``.

Each notice travels by the channel its two units' places ask for (``via``: 区内通知, 迁入迁出平台,
or 流动人口信息通报 to another province), says first what to copy to the kept record (先补录)
when a record to cancel holds what it lacks, and names its units (a county code never bare):
``resolve.notice_details``.

Probability and reasons: the scored pair of the record with the kept record when there is
one (link 'direct'); otherwise the weakest link of the strongest path between them inside
the cluster (link 'path', ``link_records`` names that weakest pair): the maximin path, read
off a maximum spanning forest rooted at the kept records.  A transfer notice carries the
record's strongest scored pair in its cluster.  notice_id is 'N-' + the printed record's id (a
record is in at most one notice), so it is stable for the same input.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from linkage.normalize.distinct import text_slice
from linkage.normalize.status import is_inactive

from .grouped import first_per_group, group_any, join_per_group, text_column
from .notice_details import channels, copy_first, lacks, shown_units, unit_names

KINDS: dict[str, str] = {
    "cancel_in_district": "区内重复注销",
    "cancellation_notice": "注销通报",
    "request_cancellation": "请求对方发送注销通报",
    "transfer_out": "迁出",
    "request_transfer": "请求对方办理迁出",
}
"""kind -> its Chinese name.  How it travels (``via``) follows the two units' places
(``resolve.notice_details.channels``)."""

ROUTES: dict[tuple[str, bool, bool], str] = {
    ("extra", True, True): "cancel_in_district",
    ("extra", True, False): "cancellation_notice",
    ("extra", False, True): "request_cancellation",
    ("transfer", True, True): "transfer_out",
    ("transfer", True, False): "transfer_out",
    ("transfer", False, True): "request_transfer",
}
"""(role, record is ours, her managing unit is ours) -> kind; anything else gets no notice."""

INSTRUCTIONS: dict[str, str] = {
    "cancel_in_district": "请{to_unit}注销重复记录{record_list},保留{kept_unit}的记录{kept_record_id},"
                          "管理单位为{managing_unit}。",
    "cancellation_notice": "{from_unit}的记录{record_list}与{kept_unit}的记录{kept_record_id}为同一人,"
                           "按统计口径由{to_unit}管理,{from_unit}注销本单位记录,特此通报({via})。",
    "request_cancellation": "{to_unit}的记录{record_list}与{from_unit}的记录{kept_record_id}为同一人,"
                            "按统计口径由{from_unit}管理,请注销贵单位记录并通过{via}发送注销通报。",
    "transfer_out": "记录{record_id}({record_name})按统计口径应由{to_unit}管理,请{from_unit}办理迁出({via}),"
                    "交流给应管单位。",
    "request_transfer": "{to_unit}的记录{record_id}({record_name})按统计口径应由{from_unit}管理,"
                        "请通过{via}办理迁出至{from_unit}。",
}
ALSO_CANCEL = "同一单位另有同一人的重复记录{others},一并注销。"
"""Added to a transfer notice whose unit also holds duplicates of her (one notice, not two)."""
COPY_FIRST = "先补录:保留记录{kept_record_id}缺{copy_first},请先从{copy_from}补录到保留记录,再注销。"

NOTICE_COLUMNS = [
    "notice_id", "kind", "from_unit_code", "to_unit_code", "record_id", "kept_record_id", "rule", "reasons",
    "probability", "link", "link_records", "kind_label", "via", "channel", "evidence", "date", "cluster_id",
    "managing_unit_code", "rule_label", "record_ids", "record_unit_code", "record_unit_name", "record_name",
    "record_id_number", "kept_unit_code", "kept_unit_name", "kept_name", "kept_id_number", "from_unit_name",
    "to_unit_name", "managing_unit_name", "copy_first", "copy_from", "instruction", "action",
]
RECORD_LEVEL = ("record_id", "record_name", "record_id_number", "record_unit_name", "probability", "reasons", "link",
                "link_records")
"""The columns of notices.csv that are the row's record's own; the others are its notice's."""
VERIFICATION_COLUMNS = ["cluster_id", "record_ids", "units", "names", "missing", "evidence", "managing_unit_code",
                        "to_unit_codes", "date"]


@dataclass(frozen=True)
class DraftedNotices:
    """notices: one row per notice (``NOTICE_COLUMNS``, full ID numbers) -> notices.csv;
    verification: one row per undetermined cluster (``VERIFICATION_COLUMNS``)."""

    notices: pd.DataFrame
    verification: pd.DataFrame


def draft_notices(decisions: pd.DataFrame, norm: pd.DataFrame, cluster_ids: np.ndarray, pairs: np.ndarray,
                  probabilities: np.ndarray, reasons: np.ndarray, *, district: str | None, as_of: Any,
                  raw: pd.DataFrame | None = None) -> DraftedNotices:
    """Notices for the decided clusters of ``decisions`` (from ``resolve.decide``), and the
    verification list of the undetermined ones (``verification_list``).

    norm: normalised register, shape (n, m); cluster_ids: str (n,); pairs: int64 (p, 2) row
    positions; probabilities: float (p,); reasons: str (p,).  raw (optional, (n, k)): the
    conformed input, for ID numbers as the units typed them and unit names.  Notices are
    sorted by cluster_id and record_id.
    """
    notices = _notices(decisions, norm, cluster_ids, pairs, probabilities, reasons, district=district,
                       as_of=as_of, raw=raw)
    return DraftedNotices(notices, verification_list(decisions, district=district))


def _routes(decided: pd.DataFrame, norm: pd.DataFrame, cluster_ids: np.ndarray, district: str | None) -> pd.DataFrame:
    """One row per active record of a decided cluster that some unit of ours must act on: row,
    kept (row positions), kind, managing, ours_view, dec (row of ``decided``), role."""
    record_ids = text_column(norm, "record_id")
    decision_of = pd.Index(decided["cluster_id"].astype(str)).get_indexer(cluster_ids)
    rows = np.flatnonzero((decision_of >= 0) & ~is_inactive(text_column(norm, "status")))
    dec = decision_of[rows]
    kept = pd.Index(record_ids).get_indexer(decided["managing_record_id"].to_numpy(dtype=object)[dec])
    transfer = decided["action"].to_numpy(dtype=object)[dec] == "transfer_out"
    role = np.where(rows != kept, "extra", np.where(transfer, "transfer", ""))
    unit = text_column(norm, "unit_code")
    managing = decided["managing_unit_code"].astype(str).to_numpy(dtype=object)[dec]
    record_district = text_slice(unit[rows], 0, 6)
    ours_view = record_district if district is None else np.full(len(rows), str(district), dtype=object)
    record_ours = record_district == ours_view
    managing_ours = text_slice(managing, 0, 6) == ours_view
    kind = np.full(len(rows), "", dtype=object)
    for (route_role, r_ours, m_ours), name in ROUTES.items():
        kind[(role == route_role) & (record_ours == r_ours) & (managing_ours == m_ours)] = name
    take = kind != ""
    return pd.DataFrame({"row": rows[take], "kept": kept[take], "kind": kind[take], "managing": managing[take],
                         "ours_view": ours_view[take], "dec": dec[take], "role": role[take]})


def _notices(decisions: pd.DataFrame, norm: pd.DataFrame, cluster_ids: np.ndarray, pairs: np.ndarray,
             probabilities: np.ndarray, reasons: np.ndarray, *, district: str | None, as_of: Any,
             raw: pd.DataFrame | None) -> pd.DataFrame:
    """One notice per woman and unit that must act (the unit holding the records): a unit
    holding two of her records to cancel, or one to transfer and one to cancel, gets one."""
    as_of = pd.Timestamp(as_of)
    decided = decisions[decisions["status"] == "decided"].reset_index(drop=True)
    record_ids = text_column(norm, "record_id")
    cluster_ids = np.asarray(cluster_ids, dtype=object).astype(str)
    unit = text_column(norm, "unit_code")
    routes = _routes(decided, norm, cluster_ids, district)
    rows, kept, dec = (routes[c].to_numpy(dtype=np.int64) for c in ("row", "kept", "dec"))
    frame = pd.DataFrame({"kind": routes["kind"].to_numpy(dtype=object), "record_id": record_ids[rows],
                          "kept_record_id": record_ids[kept], "managing_unit_code": routes["managing"].to_numpy(object),
                          "record_unit_code": unit[rows], "kept_unit_code": unit[kept]})
    for column in ("cluster_id", "rule", "rule_label", "evidence"):
        frame[column] = decided[column].astype(str).to_numpy(dtype=object)[dec]
    names, id_numbers, unit_names_of = _details(norm, raw, np.r_[rows, kept])
    q = len(rows)
    frame["record_name"], frame["kept_name"] = names[:q], names[q:]
    frame["record_id_number"], frame["kept_id_number"] = id_numbers[:q], id_numbers[q:]
    frame["record_unit_name"], frame["kept_unit_name"] = unit_names_of[:q], unit_names_of[q:]
    prob, why, link, link_records = _links(len(norm), cluster_ids, pairs, probabilities, reasons, rows, kept, record_ids)
    frame["probability"], frame["reasons"], frame["link"], frame["link_records"] = np.round(prob, 4), why, link, link_records

    # one notice per (woman, unit holding the records): the transfer first, else the first record
    key = pd.factorize(frame["cluster_id"] + "|" + frame["record_unit_code"])[0]
    n_keys = int(key.max()) + 1 if len(key) else 0
    order = np.lexsort((frame["record_id"].to_numpy(dtype=object).astype(str), routes["role"].to_numpy() != "transfer",
                        key))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame))
    primary = first_per_group(np.ones(len(frame), dtype=bool), key, n_keys, rank.astype(float))
    extra = (routes["role"].to_numpy() == "extra")
    missing = lacks(norm, rows, kept)
    lacking = copy_first({k: group_any(v & extra, key, n_keys) for k, v in missing.items()})
    gives = extra & np.any(np.column_stack(list(missing.values())), axis=1) if q else np.zeros(0, dtype=bool)
    is_primary = np.zeros(len(frame), dtype=bool)
    is_primary[primary] = True
    shown = (frame["record_id"] + "(" + frame["record_name"] + ")").to_numpy(dtype=object)[order]
    k, rest = key[order], ~is_primary[order]
    all_ids = join_per_group(k, frame["record_id"].to_numpy(dtype=object)[order], n_keys)
    listed = join_per_group(k, shown, n_keys, sep="、")
    others = join_per_group(k[rest], shown[rest], n_keys, sep="、")
    copy_from = join_per_group(k[gives[order]], frame["record_id"].to_numpy(dtype=object)[order][gives[order]], n_keys,
                               sep="、")
    records = frame[list(RECORD_LEVEL)].copy()
    frame = frame.iloc[primary].reset_index(drop=True)
    frame["record_ids"], frame["record_list"], frame["others"] = all_ids, listed, others
    frame["copy_first"], frame["copy_from"] = lacking, copy_from

    office = np.where(frame["kind"] == "cancel_in_district", routes["ours_view"].to_numpy(object)[primary], "")
    sends = frame["kind"].isin(["cancellation_notice", "transfer_out"]).to_numpy()
    frame["from_unit_code"] = np.where(office != "", office, np.where(sends, frame["record_unit_code"],
                                                                      frame["managing_unit_code"]))
    frame["to_unit_code"] = np.where(sends, frame["managing_unit_code"], frame["record_unit_code"])
    frame["notice_id"] = "N-" + frame["record_id"]
    frame["kind_label"] = frame["kind"].map(KINDS)
    frame["channel"], frame["via"] = channels(frame["from_unit_code"].to_numpy(object), frame["to_unit_code"].to_numpy(object))
    frame["date"] = f"{as_of:%Y-%m-%d}"
    known = _known_unit_names(frame)
    for side in ("from_unit", "to_unit", "managing_unit"):
        frame[f"{side}_name"] = unit_names(frame[f"{side}_code"].to_numpy(dtype=object), known)
        frame[side] = shown_units(frame[f"{side}_code"].to_numpy(dtype=object), frame[f"{side}_name"].to_numpy(object))
    frame["kept_unit"] = shown_units(frame["kept_unit_code"].to_numpy(dtype=object),
                                     unit_names(frame["kept_unit_code"].to_numpy(dtype=object), known))
    frame["instruction"] = _instructions(frame)
    # one row per record: the notice's columns on each of its records, the record's own beside them
    out = frame.iloc[key].reset_index(drop=True)
    for column in RECORD_LEVEL:
        out[column] = records[column].to_numpy(dtype=object)
    out["action"] = np.where(routes["role"].to_numpy() == "transfer", "transfer_out", "cancel")
    out["_first"] = rank - rank[primary][key]  # the notice's printed record first
    out = out.sort_values(["cluster_id", "notice_id", "_first"], kind="stable").reset_index(drop=True)
    return out[NOTICE_COLUMNS]


def _known_unit_names(frame: pd.DataFrame) -> dict[str, str]:
    """Unit code -> the register's name for it, from the records the notices concern."""
    pairs = pd.DataFrame({"code": np.r_[text_column(frame, "record_unit_code"), text_column(frame, "kept_unit_code")],
                          "name": np.r_[text_column(frame, "record_unit_name"), text_column(frame, "kept_unit_name")]})
    pairs["name"] = pairs["name"].str.strip()
    pairs = pairs[pairs["name"] != ""]
    return pairs.drop_duplicates("code").set_index("code")["name"].to_dict()


def _instructions(frame: pd.DataFrame) -> np.ndarray:
    """object (n,): what to do, per notice: 先补录 first where the kept record lacks something,
    the kind's instruction, and for a transfer the duplicates the same unit cancels with it."""
    out = np.full(len(frame), "", dtype=object)
    for name, template in INSTRUCTIONS.items():
        chosen = (frame["kind"] == name).to_numpy()
        if chosen.any():
            out[chosen] = fill_template(template, frame[chosen])
    also = (frame["others"] != "").to_numpy() & frame["kind"].isin(["transfer_out", "request_transfer"]).to_numpy()
    if also.any():
        out[also] = out[also] + fill_template(ALSO_CANCEL, frame[also])
    first = (frame["copy_first"] != "").to_numpy()
    if first.any():
        out[first] = fill_template(COPY_FIRST, frame[first]) + out[first]
    return out


def verification_list(decisions: pd.DataFrame, *, district: str | None = None) -> pd.DataFrame:
    """One line per undetermined cluster: no notice, the units holding her records must verify.

    With ``district`` only clusters holding a record of that district are listed, and
    to_unit_codes names the units of this district; with None, every unit of the cluster.
    """
    und = decisions[decisions["status"] == "undetermined"].reset_index(drop=True)
    units = und["units"].astype(str).str.split(";").explode()
    units = units[units != ""]
    if district is not None:
        units = units[units.str[:6] == str(district)]
    units = units[~pd.DataFrame({"g": units.index, "u": units.to_numpy()}).duplicated().to_numpy()]
    grp = units.index.to_numpy(dtype=np.int64)
    to_units = join_per_group(grp, units.to_numpy(dtype=object), len(und))
    frame = pd.DataFrame({
        "cluster_id": und["cluster_id"], "record_ids": und["records"], "units": und["units"], "names": und["names"],
        "missing": und["missing"], "evidence": und["evidence"], "managing_unit_code": und["managing_unit_code"],
        "to_unit_codes": to_units, "date": und["date"],
    }, columns=VERIFICATION_COLUMNS)
    return frame[frame["to_unit_codes"] != ""].reset_index(drop=True)


def fill_template(template: str, frame: pd.DataFrame) -> np.ndarray:
    """``template.format(**row)`` for every row at once (str.format fields only); object (len(frame),)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field:
            out = out + frame[field].astype(str)
    return out.to_numpy(dtype=object)


def _details(norm: pd.DataFrame, raw: pd.DataFrame | None, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Names, full ID numbers (as typed when ``raw`` is given) and unit names of the rows ``at``
    (int (q,)); object (q,) each.  Only those rows are read: a notice concerns a few of them."""
    def rows_of(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        return frame[[c for c in columns if c in frame.columns]].iloc[at]

    picked = rows_of(norm, "name", "id_number", "id_full")
    names = text_column(picked, "name")
    ids = text_column(picked, "id_number")
    ids = np.where(ids == "", text_column(picked, "id_full"), ids)
    unit_names = np.full(len(at), "", dtype=object)
    if raw is not None and len(raw) == len(norm):
        typed_rows = rows_of(raw, "id_number", "unit_name")
        typed = pd.Series(text_column(typed_rows, "id_number"), dtype=object).str.strip().to_numpy(dtype=object)
        ids = np.where(typed != "", typed, ids)
        unit_names = text_column(typed_rows, "unit_name")
    return names, ids.astype(object), unit_names


def _links(n: int, cluster_ids: np.ndarray, pairs: np.ndarray, probabilities: np.ndarray, reasons: np.ndarray,
           src: np.ndarray, dst: np.ndarray, record_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Probability, reasons, link kind and weakest pair for each (src, dst) of row positions (q,)."""
    q = len(src)
    prob = np.full(q, np.nan)
    why = np.full(q, "", dtype=object)
    link = np.full(q, "none", dtype=object)
    weakest = np.full(q, "", dtype=object)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    same = cluster_ids[lo] == cluster_ids[hi] if len(pairs) else np.zeros(0, bool)
    keys, first = np.unique(lo[same] * n + hi[same], return_index=True)
    edge = np.flatnonzero(same)[first]
    p = np.nan_to_num(np.asarray(probabilities, dtype=float)[edge], nan=0.0)
    why_all = np.asarray(reasons, dtype=object)[edge]
    if q == 0 or len(keys) == 0:
        return prob, why, link, weakest

    def lookup(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wanted = np.minimum(a, b) * n + np.maximum(a, b)
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where(keys[at] == wanted, at, -1)

    direct = lookup(src, dst)
    hit = (direct >= 0) & (src != dst)
    prob[hit], why[hit], link[hit] = p[direct[hit]], why_all[direct[hit]], "direct"
    strongest = _strongest_incident(n, keys, p)
    own = src == dst
    has = own & (strongest[src] >= 0)
    prob[has], why[has], link[has] = p[strongest[src[has]]], why_all[strongest[src[has]]], "strongest"
    ends = np.c_[keys // n, keys % n]
    weakest[has] = record_ids[ends[strongest[src[has]], 0]] + "–" + record_ids[ends[strongest[src[has]], 1]]
    rest = ~hit & ~own
    if rest.any():
        bottleneck, via = _bottlenecks(n, ends, p, np.unique(dst[rest]), lookup)
        found = rest & (via[src] >= 0)
        e = via[src[found]]
        prob[found], why[found], link[found] = bottleneck[src[found]], why_all[e], "path"
        weakest[found] = record_ids[ends[e, 0]] + "–" + record_ids[ends[e, 1]]
    return prob, why, link, weakest


def _strongest_incident(n: int, keys: np.ndarray, p: np.ndarray) -> np.ndarray:
    """int64 (n,): the edge of highest probability at each row, -1 where none.  Both ends of each
    edge are listed side by side in the order of probability, so a row's first occurrence is at
    its strongest edge whichever end of it the row is (listing every low end before every high
    end once quoted a weaker pair than the one that linked).

    >>> _strongest_incident(3, np.array([0 * 3 + 1, 1 * 3 + 2]), np.array([0.99, 0.6])).tolist()
    [0, 0, 1]
    """
    order = np.argsort(-p, kind="stable")
    nodes = np.c_[keys[order] // n, keys[order] % n].ravel()
    edges = np.repeat(order, 2)
    best = np.full(n, -1, dtype=np.int64)
    seen, first = np.unique(nodes, return_index=True)
    best[seen] = edges[first]
    return best


def _bottlenecks(n: int, ends: np.ndarray, p: np.ndarray, roots: np.ndarray, lookup) -> tuple[np.ndarray, np.ndarray]:
    """For every row, the weakest probability (n+1,) and edge (n+1,) on its maximin path to a root.

    A super node S = n joins every root; the minimum spanning forest of weights 2 - p is a
    maximum spanning forest of p, whose tree paths are maximin paths.  The path minimum to S
    is then found by pointer doubling over the BFS predecessors (log2(depth) numpy steps).
    """
    S = n
    rows = np.r_[ends[:, 0], np.full(len(roots), S)]
    cols = np.r_[ends[:, 1], roots]
    weights = np.r_[2.0 - p, np.full(len(roots), 0.5)]
    graph = coo_matrix((weights, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    tree = minimum_spanning_tree(graph)
    _, pred = breadth_first_order(tree, S, directed=False, return_predecessors=True)
    reached = pred >= 0
    anc = np.where(reached, pred, S)
    anc[S] = S
    weak = np.full(n + 1, np.inf)
    via = np.full(n + 1, -1, dtype=np.int64)
    inner = np.flatnonzero(reached & (pred != S))
    via[inner] = lookup(inner, pred[inner])
    weak[inner] = p[via[inner]]
    while (anc[anc] != anc).any():
        better = weak[anc] < weak
        weak, via = np.where(better, weak[anc], weak), np.where(better, via[anc], via)
        anc = anc[anc]
    return weak, via
