"""The follow-up run (整改复查): what a later register fixed of an earlier run's findings and notices.

``linkage followup EARLIER_OUT LATER_REGISTER -o OUT`` audits the later register with the same
checks (``audit``: findings, key targets, birth clues, duplicates, the sample for the March
spot check) and compares it with the earlier run's folder:

- each finding (record_id, child_id, rule) of either run: 已整改 (earlier, gone later: fixed,
  or the record left management / the register -- ``note`` says which), 未整改 (in both), 新增
  (later only), 已说明 (still there but explained: not counted open);
- each earlier notice: 已办理 when every record it names is no longer in management (注销 /
  迁出) or no longer in the register, else 未办理;
- duplicates left: records in management in a later duplicate group with another record in
  management of this district (``duplicates_left``) or of another district of the same city
  (``duplicates_left_city``: 原则上本区及本市范围内不应再出现重复管理信息);
- per street (followup_summary.csv): findings_before, fixed, open, new, notices_done,
  notices_open, duplicates_left, duplicates_left_city, fixed_share.

The findings compared are those the earlier findings.csv holds; an earlier run whose folder
has no findings.csv or notices.csv is an error that names the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..codes import street_of
from ..errors import InputFileError
from ..io import read_table, write_csv
from ..normalize.status import is_inactive
from ..prepare import Records
from ..progress import Progress
from ..run_folder import RunFolder, atomic_folder
from .assessment import AssessmentWeights, score_streets, write_followup_excel
from .explained import EXPLAINED
from .run import audit
from .sample import spotcheck
from .scope import ours

FIXED, OPEN, NEW, EXPLAINED_STATUS = "已整改", "未整改", "新增", "已说明"
DONE, NOT_DONE = "已办理", "未办理"
FOLLOWUP_COLUMNS = ["record_id", "child_id", "rule", "status", "unit_code", "street_code", "severity", "message",
                    "note"]
NOTICE_FOLLOWUP_COLUMNS = ["notice_id", "record_id", "record_ids", "kind", "from_unit_code", "to_unit_code", "status",
                           "note"]
FOLLOWUP_SUMMARY_COLUMNS = ["level", "unit_code", "findings_before", "fixed", "open", "new", "explained",
                            "notices_done", "notices_open", "duplicates_left", "duplicates_left_city", "fixed_share"]
KEY = ["record_id", "child_id", "rule"]


def read_run_table(folder: str | os.PathLike, name: str, *, required: bool = True) -> pd.DataFrame | None:
    """``folder/name.csv`` of an earlier run as text; None (or an error naming it) when absent."""
    path = Path(folder) / f"{name}.csv"
    if not path.is_file():
        if required:
            raise InputFileError(f"{path}: 前次运行目录中没有 {name}.csv,请给出 linkage audit 的输出目录;"
                                 f" the earlier run's folder has no {name}.csv")
        return None
    return read_table(path)


def _keyed(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings.copy()
    for column in (*KEY, "unit_code", "severity", "message", "explained"):
        out[column] = out[column].astype(str).str.strip() if column in out.columns else ""
    return out.drop_duplicates(KEY)


def classify_findings(earlier: pd.DataFrame, later: pd.DataFrame, records: Records) -> pd.DataFrame:
    """FOLLOWUP_COLUMNS, one row per finding of either run (see the module docstring).

    earlier / later: findings tables (record_id, child_id, rule, unit_code, severity, message,
    explained); records: the later register (to say why a fixed finding's record left).
    """
    before, after = _keyed(earlier), _keyed(later)
    merged = before.merge(after, on=KEY, how="outer", suffixes=("_before", "_after"), indicator=True)
    both, only_before = merged["_merge"] == "both", merged["_merge"] == "left_only"
    explained_now = merged["explained_after"].fillna("") == EXPLAINED
    status = np.select([only_before, both & explained_now, both], [FIXED, EXPLAINED_STATUS, OPEN], NEW)
    unit = merged["unit_code_after"].where(merged["unit_code_after"].notna(), merged["unit_code_before"]).fillna("")
    norm = records.norm
    rows = pd.Index(norm["record_id"].astype(str)).get_indexer(merged["record_id"])
    present = rows >= 0
    inactive = np.zeros(len(merged), dtype=bool)
    inactive[present] = is_inactive(norm["status"].to_numpy(dtype=object)[rows[present]])
    note = np.where(status == FIXED, np.where(~present, "记录已不在册", np.where(inactive, "记录已注销或迁出", "已更正")),
                    "")
    pick = lambda column: merged[f"{column}_after"].where(merged[f"{column}_after"].notna(),  # noqa: E731
                                                            merged[f"{column}_before"]).fillna("")
    return pd.DataFrame({
        "record_id": merged["record_id"], "child_id": merged["child_id"], "rule": merged["rule"], "status": status,
        "unit_code": unit, "street_code": street_of(unit.to_numpy(dtype=object)), "severity": pick("severity"),
        "message": pick("message"), "note": note}, columns=FOLLOWUP_COLUMNS)


def follow_notices(notices: pd.DataFrame, records: Records) -> pd.DataFrame:
    """NOTICE_FOLLOWUP_COLUMNS: each earlier notice 已办理 / 未办理 against the later register."""
    if notices is None or not len(notices):
        return pd.DataFrame(columns=NOTICE_FOLLOWUP_COLUMNS)
    frame = notices.copy()
    if "notice_id" in frame.columns:  # notices.csv has a row per record; the rows of a notice share its record_ids
        frame = frame.drop_duplicates("notice_id")
    ids = frame["record_ids"] if "record_ids" in frame.columns else frame["record_id"]
    ids = ids.astype(str).where(ids.astype(str).str.strip() != "", frame["record_id"].astype(str))
    exploded = pd.DataFrame({"notice": frame.index, "record_id": ids.str.split(r"[;,;,\s]+")}).explode("record_id")
    exploded = exploded[exploded["record_id"].astype(str) != ""]
    norm = records.norm
    rows = pd.Index(norm["record_id"].astype(str)).get_indexer(exploded["record_id"].astype(str))
    held = np.zeros(len(exploded), dtype=bool)
    held[rows >= 0] = ~is_inactive(norm["status"].to_numpy(dtype=object)[rows[rows >= 0]])
    still = pd.Series(held, index=exploded.index).groupby(exploded["notice"]).any().reindex(frame.index).fillna(False)
    status = np.where(still.to_numpy(dtype=bool), NOT_DONE, DONE)
    note = np.where(status == DONE, "记录已注销、迁出或不在册", "记录仍在管")
    get = lambda column: frame[column].astype(str) if column in frame.columns else ""  # noqa: E731
    return pd.DataFrame({"notice_id": get("notice_id"), "record_id": get("record_id"), "record_ids": ids,
                         "kind": get("kind"), "from_unit_code": get("from_unit_code"),
                         "to_unit_code": get("to_unit_code"), "status": status, "note": note},
                        columns=NOTICE_FOLLOWUP_COLUMNS).reset_index(drop=True)


def duplicates_left(clusters: pd.DataFrame | None, records: Records, district: str | None) -> pd.DataFrame:
    """Per record in management (index record_id): in_district, in_city -- she is in a later
    duplicate group with another record in management of this district / of another district
    of the same city.  Without ``district``, the register's districts are all 'this district'."""
    norm = records.norm
    if clusters is None or not len(clusters):
        return pd.DataFrame(columns=["unit_code", "in_district", "in_city"])
    frame = pd.DataFrame({"record_id": norm["record_id"].astype(str), "unit_code": norm["unit_code"].astype(str),
                          "active": ~is_inactive(norm["status"])})
    frame = frame.merge(clusters[["record_id", "cluster_id"]].astype(str), on="record_id", how="left")
    frame = frame[frame["active"]].reset_index(drop=True)
    frame["here"] = ours(frame["unit_code"], district)
    here_count = frame.groupby("cluster_id")["here"].transform("sum")
    same_city_other = ~frame["here"] & (frame["unit_code"].str[:4] == str(district or "")[:4]) if district else \
        pd.Series(False, index=frame.index)
    other_count = same_city_other.groupby(frame["cluster_id"]).transform("sum")
    out = frame.assign(in_district=frame["here"] & (here_count >= 2), in_city=frame["here"] & (other_count >= 1))
    return out.set_index("record_id")[["unit_code", "in_district", "in_city"]]


def _per_street(values: pd.Series, streets: np.ndarray) -> pd.Series:
    return values.groupby(pd.Series(streets, index=values.index)).sum()


def followup_summary(followed: pd.DataFrame, notices: pd.DataFrame, left: pd.DataFrame, *,
                     notice_units: pd.Series | None = None, district: str | None = None) -> pd.DataFrame:
    """FOLLOWUP_SUMMARY_COLUMNS per street of ours and a district total (fixed_share = fixed / before)."""
    street = followed["street_code"].to_numpy(dtype=object)
    status = followed["status"]
    counted = followed["rule"] != ""
    parts = {
        "findings_before": _per_street((status.isin((FIXED, OPEN))) & counted, street),
        "fixed": _per_street((status == FIXED) & counted, street),
        "open": _per_street((status == OPEN) & counted, street),
        "new": _per_street((status == NEW) & counted, street),
        "explained": _per_street(status == EXPLAINED_STATUS, street),
    }
    if len(notices):
        units = notice_units if notice_units is not None else notices["from_unit_code"]
        notice_street = street_of(units.astype(str).to_numpy(dtype=object))
        parts["notices_done"] = _per_street(notices["status"] == DONE, notice_street)
        parts["notices_open"] = _per_street(notices["status"] == NOT_DONE, notice_street)
    if len(left):
        left_street = street_of(left["unit_code"].astype(str).to_numpy(dtype=object))
        parts["duplicates_left"] = _per_street(left["in_district"].astype(bool), left_street)
        parts["duplicates_left_city"] = _per_street(left["in_city"].astype(bool), left_street)
    table = pd.DataFrame(parts).fillna(0).astype(np.int64)
    table = table.reindex(columns=FOLLOWUP_SUMMARY_COLUMNS[2:-1], fill_value=0)
    table = table[ours(table.index.to_numpy(dtype=object), district)].sort_index()
    table.index.name = "unit_code"
    streets = table.reset_index()
    streets.insert(0, "level", "street")
    total = {"level": "district", "unit_code": district or "", **{c: int(streets[c].sum()) for c in table.columns}}
    out = pd.concat([streets, pd.DataFrame([total])], ignore_index=True)
    before = out["findings_before"].astype(float)
    out["fixed_share"] = np.where(before > 0, out["fixed"] / before.where(before > 0, 1), np.nan).round(4)
    return out[FOLLOWUP_SUMMARY_COLUMNS]


@dataclass
class FollowupResult:
    """followup / notices_followup / followup_summary (SCHEMA.md), scores when assessed, and the
    later register's own audit (``later``: an ``AuditResult``) whose files are written beside them."""

    followup: pd.DataFrame
    notices_followup: pd.DataFrame
    followup_summary: pd.DataFrame
    later: Any
    scores: pd.DataFrame | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {"followup": self.followup, "notices_followup": self.notices_followup,
                  "followup_summary": self.followup_summary, **self.extra}
        if self.scores is not None:
            tables["scores"] = self.scores
        return tables

    def counts(self) -> dict[str, Any]:
        total = self.followup_summary.iloc[-1]
        counts = {c: int(total[c]) for c in FOLLOWUP_SUMMARY_COLUMNS[2:-1]}
        share = total["fixed_share"]
        counts["fixed_share"] = "n/a" if share != share else f"{share:.1%}"
        return counts


def followup(earlier_out: str | os.PathLike, later_register: Any, *, district: str | None = None,
             spot_check: Any = None, weights: Any = None, progress: bool = False, **audit_options: Any) \
        -> FollowupResult:
    """Compare the later register with the earlier run in ``earlier_out`` (an audit's folder).

    later_register: path or frame of the register re-exported after the clean-up (n records);
    audit_options: what ``audit`` takes (children, births, due, deferrals, explained, as_of,
    sample, seed, threshold, model, rules, options, dedupe_records); spot_check: the marked
    sample of the March spot check (``spotcheck``'s input) and weights an
    ``AssessmentWeights`` or a JSON path: with either, the streets are scored (scores.csv).
    """
    earlier_findings = read_run_table(earlier_out, "findings")
    earlier_notices = read_run_table(earlier_out, "notices", required=False)
    if earlier_notices is not None and "notice_id" in earlier_notices.columns:  # a row per record: a notice once
        earlier_notices = earlier_notices.drop_duplicates("notice_id").reset_index(drop=True)
    later = audit(later_register, district=district, progress=progress, **audit_options)
    records = later.records
    followed = classify_findings(earlier_findings, later.findings, records)
    followed = followed[ours(followed["unit_code"].to_numpy(dtype=object), district)].reset_index(drop=True)
    notices = follow_notices(earlier_notices, records) if earlier_notices is not None else \
        pd.DataFrame(columns=NOTICE_FOLLOWUP_COLUMNS)
    acting = _acting_unit(earlier_notices) if earlier_notices is not None and len(earlier_notices) else None
    clusters = later.dedupe.clusters if later.dedupe is not None else None
    left = duplicates_left(clusters, records, district)
    summary = followup_summary(followed, notices, left, notice_units=acting, district=district)
    scores = None
    if spot_check is not None or weights is not None:
        if isinstance(weights, dict):
            weights = AssessmentWeights.from_dict(weights) if weights else AssessmentWeights()
        elif not isinstance(weights, AssessmentWeights):
            weights = AssessmentWeights.load(weights)
        spot = spotcheck(spot_check) if spot_check is not None else None
        scores = score_streets(summary, spot, later.extra.get("clues"), weights=weights)
    left_rows = left[left["in_district"] | left["in_city"]].reset_index() if len(left) else left.reset_index()
    return FollowupResult(followed, notices, summary, later, scores=scores, extra={"duplicates_left": left_rows})


def _acting_unit(notices: pd.DataFrame) -> pd.Series:
    """The unit of ours that acts on each notice: the record's unit; for a request to another
    district, the unit that sends it (as the summary counts notices)."""
    record_unit = notices.get("record_unit_code", notices.get("from_unit_code", pd.Series("", index=notices.index)))
    kind = notices.get("kind", pd.Series("", index=notices.index)).astype(str)
    sender = notices.get("from_unit_code", record_unit)
    return pd.Series(np.where(kind.str.startswith("request_"), sender, record_unit), index=notices.index).astype(str)


def write_followup(result: FollowupResult, folder: str | os.PathLike, *, run: RunFolder | None = None,
                   progress: Progress | None = None) -> list[Path]:
    """The later register's audit files, then followup.csv, notices_followup.csv,
    followup_summary.csv (+ scores.csv) and followup_summary.xlsx: the run's folder written
    whole with its manifest (``linkage.run_folder``; ``run``: a folder the caller began)."""
    with atomic_folder(folder, run=run) as target:
        paths = result.later.write_files(target, progress=progress)
        for name, frame in result.tables().items():
            path = target / f"{name}.csv"
            write_csv(frame, path)
            paths.append(path)
        workbook = target / "followup_summary.xlsx"
        write_followup_excel(result.followup_summary, result.scores, workbook)
    return [Path(folder) / p.relative_to(target) for p in [*paths, workbook]]
