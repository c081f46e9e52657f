"""Who manages each duplicated woman: the rules of ``resolve.rules`` over every cluster at once.

``decide(norm, cluster_ids, as_of=...)`` gives one row per cluster holding two or more
*active* records.  Records whose status is 注销 or 迁出 (or 已注销 / 已迁出) are left alone:
they are never kept, cancelled or noticed, only listed in ``inactive_records``.

The rules run as whole-array steps (a loop over the handful of rules, none over clusters):

* a location rule reads one code per record (and its start date).  The woman's code is the
  finest code among the claims with the latest start date (a later move wins); claims that
  disagree at that date are a conflict and the rule does not apply.  With ``since_field`` her
  time there counts from the earliest start of the agreeing claims made after the last
  disagreeing one, and must be ``min_months`` or more before ``as_of``.  The records whose
  unit matches the code (``resolve.rules.codes_match``; the finest match wins) stay tied
  (action ``keep``).  If no record is in that unit and the code is county level or finer,
  that unit manages her and the nearest record (deepest ``match_depth``) is to be
  transferred there (action ``transfer_out``).  A province/city code no record matches
  decides nothing.
* tie-break rules narrow the records still tied; a rule that cannot compare (a tied record
  lacks the date) is skipped and said so.
* a cluster left with one record is ``decided``; otherwise ``undetermined`` with ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.columns import REGISTER_COLUMNS

from .rules import DEFAULT_RULES, Rule, RuleSet, codes_match, match_depth, significant_codes

INACTIVE_STATUSES = ("注销", "迁出", "已注销", "已迁出")
DECISION_COLUMNS = [
    "cluster_id", "managing_record_id", "managing_unit_code", "rule", "status", "action", "unit_rule",
    "rule_label", "evidence", "missing", "records", "units", "names", "inactive_records", "n_records",
    "date",
]
UNDETERMINED_LABEL = "无法确定管理单位(待核实)"
_EPOCH = pd.Timestamp("1970-01-01")


# ---- whole-array helpers over group codes grp (m,) in 0..G-1 ---------------------------------

def group_any(mask: np.ndarray, grp: np.ndarray, n_groups: int) -> np.ndarray:
    """bool (G,): some row of the group is set."""
    return np.bincount(grp[mask], minlength=n_groups)[:n_groups] > 0


def group_count(mask: np.ndarray, grp: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(grp[mask], minlength=n_groups)[:n_groups]


def group_extreme(values: np.ndarray, grp: np.ndarray, n_groups: int, how: str) -> np.ndarray:
    """float (G,): max or min of the non-NaN values of each group, NaN where none."""
    values = np.asarray(values, dtype=float)
    ok = ~np.isnan(values)
    out = np.full(n_groups, -np.inf if how == "max" else np.inf)
    (np.maximum if how == "max" else np.minimum).at(out, grp[ok], values[ok])
    out[np.isinf(out)] = np.nan
    return out


def join_per_group(grp: np.ndarray, values: np.ndarray, n_groups: int, sep: str = ";") -> np.ndarray:
    """object (G,): the values of each group in row order joined by ``sep`` ('' for none)."""
    out = np.full(n_groups, "", dtype=object)
    if len(grp) == 0:
        return out
    order = np.argsort(grp, kind="stable")
    g = grp[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    joined = np.add.reduceat(np.asarray(values, dtype=object)[order] + sep, starts)
    out[g[starts]] = pd.Series(joined, dtype=object).str[: -len(sep) or None].to_numpy()
    return out


def join_notes(*notes: np.ndarray, sep: str = "; ") -> np.ndarray:
    """Element-wise join of object arrays of notes, skipping blanks."""
    acc = np.asarray(notes[0], dtype=object)
    for note in notes[1:]:
        note = np.asarray(note, dtype=object)
        acc = np.where(acc == "", note, np.where(note == "", acc, acc + sep + note))
    return acc


def text_column(norm: pd.DataFrame, name: str) -> np.ndarray:
    """A column as an object array of str ('' where absent or blank)."""
    if name not in norm.columns:
        return np.full(len(norm), "", dtype=object)
    return norm[name].fillna("").astype(str).to_numpy(dtype=object)


def day_numbers(values: Any) -> np.ndarray:
    """float (n,): days since 1970-01-01, NaN where blank or not a date."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    return ((stamps - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def day_text(days: np.ndarray) -> np.ndarray:
    """object (n,): 'YYYY-MM-DD' of day numbers, '' for NaN."""
    stamps = pd.to_datetime(pd.Series(np.asarray(days, dtype=float)), unit="D", errors="coerce")
    return stamps.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)


def _date_column(norm: pd.DataFrame, name: str) -> np.ndarray:
    return day_numbers(norm[name]) if name in norm.columns else np.full(len(norm), np.nan)


def _first_per_group(mask: np.ndarray, grp: np.ndarray, n_groups: int, sort_key: np.ndarray) -> np.ndarray:
    """int64 (G,): the masked row with the smallest sort_key in each group, -1 where none."""
    rows = np.flatnonzero(mask)
    out = np.full(n_groups, -1, dtype=np.int64)
    order = rows[np.lexsort((rows, sort_key[rows], grp[rows]))]
    first = np.r_[True, grp[order][1:] != grp[order][:-1]] if len(order) else np.zeros(0, bool)
    out[grp[order][first]] = order[first]
    return out


# ---- the rule engine ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """State of the rules over m records in G groups."""

    cand: np.ndarray  # bool (m,): record still in the running
    located: np.ndarray  # bool (G,): a location rule found her unit
    action: np.ndarray  # object (G,): 'keep' / 'transfer_out' / ''
    code: np.ndarray  # object (G,): the code that located her
    unit_rule: np.ndarray  # object (G,): the location rule that located her
    rule: np.ndarray  # object (G,): the rule that left one record, '' if none
    evidence: np.ndarray  # object (G,)
    missing: np.ndarray  # object (G,)


def run_rules(work: pd.DataFrame, grp: np.ndarray, n_groups: int, *, as_of: pd.Timestamp,
              rules: RuleSet, tie_break: bool = True) -> Outcome:
    """Apply ``rules`` to m records (rows of ``work``) in G groups (``grp``: int64 (m,))."""
    m = len(work)
    empty = np.full(n_groups, "", dtype=object)
    out = Outcome(np.ones(m, dtype=bool), np.zeros(n_groups, dtype=bool), empty.copy(), empty.copy(),
                  empty.copy(), empty.copy(), empty.copy(), empty.copy())
    record_id = text_column(work, "record_id")
    unit = text_column(work, "unit_code")
    unit_sig = significant_codes(unit)
    for rule in rules.location_rules:
        _location_step(rule, work, grp, n_groups, as_of, out, record_id, unit, unit_sig)
    if tie_break:
        for rule in rules.tie_rules:
            _tie_step(rule, work, grp, n_groups, out, record_id)
    return out


def _location_step(rule: Rule, work: pd.DataFrame, grp: np.ndarray, G: int, as_of: pd.Timestamp,
                   out: Outcome, record_id: np.ndarray, unit: np.ndarray, unit_sig: np.ndarray) -> None:
    open_g = ~out.located
    raw = text_column(work, rule.field)
    sig = significant_codes(raw)
    claim = sig != ""
    has_code = group_any(claim, grp, G)
    if rule.since_field:
        since = _date_column(work, rule.since_field)
        claim &= ~np.isnan(since) & (since <= day_numbers([as_of])[0])
        when = np.where(claim, since, np.nan)
    else:
        when = np.where(claim, 0.0, np.nan)
    latest = group_extreme(when, grp, G, "max")
    at_latest = claim & (when == latest[grp])
    finest = _first_per_group(at_latest, grp, G, -pd.Series(sig, dtype=object).str.len().to_numpy())
    has = finest >= 0
    fsig = np.where(has, sig[np.maximum(finest, 0)] if len(sig) else "", "").astype(object)
    fraw = np.where(has, raw[np.maximum(finest, 0)] if len(raw) else "", "").astype(object)
    agree = claim & codes_match(sig, fsig[grp])
    conflict = group_any(at_latest & ~agree, grp, G)
    label = REGISTER_COLUMNS[rule.field].removesuffix("代码")
    note = np.where(has_code, f"{label}起始日期缺失或晚于基准日" if rule.since_field else "",
                    f"{label}代码缺失").astype(object)
    if rule.since_field:
        last_other = group_extreme(np.where(claim & ~agree, when, np.nan), grp, G, "max")
        start = group_extreme(np.where(agree & ~(when <= last_other[grp]), when, np.nan), grp, G, "min")
        cutoff = day_numbers([as_of - pd.DateOffset(months=rule.min_months)])[0]
        long_enough = start <= cutoff
        start_text = day_text(start)
        short = f"起,截至{as_of:%Y-%m-%d}不满{rule.min_months}个月"
        note = np.where(has & ~long_enough, label + fraw + "自" + start_text + short, note)
        read = label + fraw + "自" + start_text + f"起满{rule.min_months}个月"
    else:
        long_enough = np.ones(G, dtype=bool)
        read = label + fraw
    conflicting = join_per_group(grp[at_latest], raw[at_latest], G, sep="/")
    note = np.where(has & conflict, label + "记录不一致(" + conflicting + ")", note)
    usable = has & ~conflict & long_enough
    code_sig = np.where(usable, fsig, "").astype(object)
    depth = match_depth(unit_sig, code_sig[grp])
    rec = (open_g & usable)[grp]
    in_unit = rec & codes_match(unit_sig, code_sig[grp])
    any_in = group_any(in_unit, grp, G)
    coarse = pd.Series(code_sig, dtype=object).str.len().to_numpy() < 6
    keep = open_g & usable & any_in
    transfer = open_g & usable & ~any_in & ~coarse
    best_in = group_extreme(np.where(in_unit, depth, np.nan), grp, G, "max")
    best_any = group_extreme(np.where(rec, depth, np.nan), grp, G, "max")
    chosen = (in_unit & (depth == best_in[grp])) | (rec & transfer[grp] & (depth == best_any[grp]))
    listed = join_per_group(grp[chosen], record_id[chosen] + "(" + unit[chosen] + ")", G, sep="、")
    note = np.where(keep, read + ",在该单位的记录:" + listed, note)
    note = np.where(transfer, read + ",无记录在该单位,最接近的记录:" + listed, note)
    note = np.where(usable & ~keep & ~transfer, read + "(只到市或省级,且无记录在该地,不能确定单位)", note)
    located = keep | transfer
    out.cand = np.where(located[grp], chosen, out.cand)
    out.located |= located
    out.action[keep], out.action[transfer] = "keep", "transfer_out"
    out.code[located] = fraw[located]
    out.unit_rule[located] = rule.name
    out.evidence = join_notes(out.evidence, np.where(open_g, note, ""))
    out.missing = join_notes(out.missing, np.where(open_g & ~located, note, ""))
    _settle(out, grp, G, rule.name, open_g)


def _tie_step(rule: Rule, work: pd.DataFrame, grp: np.ndarray, G: int, out: Outcome, record_id: np.ndarray) -> None:
    open_g = group_count(out.cand, grp, G) > 1
    rec = out.cand & open_g[grp]
    if rule.kind == "most_complete":
        goodness = np.zeros(len(work), dtype=float)
        for name in (f for f in rule.fields if f in work.columns):
            column = work[name]
            filled = column.notna().to_numpy()
            if column.dtype == object:
                filled &= (column.astype(str).str.strip() != "").to_numpy()
            goodness += filled
        label = "信息项数"
        shown = record_id + " " + goodness.astype(np.int64).astype(str).astype(object)
        lacking = np.zeros(len(work), dtype=bool)
    else:
        dates = _date_column(work, rule.field)
        goodness = -dates if rule.kind == "earliest" else dates
        label = REGISTER_COLUMNS[rule.field]
        text = day_text(dates)
        shown = record_id + " " + np.where(text == "", "缺失", text).astype(object)
        lacking = rec & np.isnan(dates)
    applicable = open_g & ~group_any(lacking, grp, G)
    best = group_extreme(np.where(rec, goodness, np.nan), grp, G, "max")
    out.cand = np.where(applicable[grp], rec & (goodness == best[grp]), out.cand)
    read = label + ":" + join_per_group(grp[rec], shown[rec], G, sep=",")
    out.evidence = join_notes(out.evidence, np.where(open_g, read, ""))
    still = group_count(out.cand, grp, G) > 1
    why = np.where(applicable, "(相同,不能区分)", "(有记录缺失,不能比较)")
    out.missing = join_notes(out.missing, np.where(open_g & still, read + why, ""))
    _settle(out, grp, G, rule.name, open_g)


def _settle(out: Outcome, grp: np.ndarray, G: int, name: str, open_g: np.ndarray) -> None:
    """Name ``name`` as the deciding rule of the groups it left with one record."""
    done = open_g & (out.rule == "") & (group_count(out.cand, grp, G) == 1)
    out.rule[done] = name


# ---- public entry points ----------------------------------------------------------------------

def decide(norm: pd.DataFrame, cluster_ids: np.ndarray, *, as_of: Any, rules: RuleSet | None = None) -> pd.DataFrame:
    """The managing record and unit of every cluster of two or more active records.

    norm: normalised register, shape (n, m) (``linkage.prepare(...).norm``).
    cluster_ids: array of shape (n,) of str, the cluster of each row.
    Returns one row per such cluster, sorted by cluster_id, with ``DECISION_COLUMNS``:
    managing_record_id / managing_unit_code ('' when undetermined, except the unit when every
    tied record is in one unit or her unit is known but not which record moves there), rule
    (the rule that left one record, or 'undetermined'), status ('decided' / 'undetermined'),
    action ('keep' / 'transfer_out' / 'verify'), unit_rule (the location rule that found her
    unit), evidence and missing (readable text), records / units / names (';'-joined, aligned),
    inactive_records ('R9(注销);...'), n_records (active), date (as_of).
    """
    rules = rules or DEFAULT_RULES
    as_of = pd.Timestamp(as_of)
    cluster_ids = np.asarray(cluster_ids, dtype=object)
    if len(cluster_ids) != len(norm):
        raise ValueError(f"cluster_ids has {len(cluster_ids)} entries for {len(norm)} records; give one per record")
    status = text_column(norm, "status")
    active = ~np.isin(status, INACTIVE_STATUSES)
    codes, uniques = pd.factorize(pd.Series(cluster_ids, dtype=object).astype(str), sort=True)
    chosen = np.bincount(codes[active], minlength=len(uniques)) >= 2
    new_code = np.cumsum(chosen) - 1
    rows = np.flatnonzero(active & chosen[codes])
    grp = new_code[codes[rows]].astype(np.int64)
    G = int(chosen.sum())
    work = norm.iloc[rows].reset_index(drop=True)
    out = run_rules(work, grp, G, as_of=as_of, rules=rules)

    record_id, unit = text_column(work, "record_id"), text_column(work, "unit_code")
    n_cand = group_count(out.cand, grp, G)
    decided = n_cand == 1
    kept = _first_per_group(out.cand & decided[grp], grp, G, np.zeros(len(work)))
    kept_unit = np.where(kept >= 0, unit[np.maximum(kept, 0)] if len(unit) else "", "").astype(object)
    one_unit = join_per_group(grp[out.cand], unit[out.cand], G, sep=";")
    same_unit = ~pd.Series(one_unit, dtype=object).str.contains(";").to_numpy() & (one_unit != "")
    action = np.where(decided, np.where(out.action == "", "keep", out.action), "verify")
    managing_unit = np.where(action == "transfer_out", out.code, kept_unit)
    managing_unit = np.where(~decided & (out.action == "transfer_out"), out.code, managing_unit)
    managing_unit = np.where(~decided & (out.action != "transfer_out") & same_unit, one_unit, managing_unit)
    rule = np.where(decided, out.rule, "undetermined")
    labels = {r.name: r.label or r.name for r in rules.rules} | {"undetermined": UNDETERMINED_LABEL}
    inactive_rows = np.flatnonzero(~active & chosen[codes])
    inactive = join_per_group(new_code[codes[inactive_rows]].astype(np.int64),
                              text_column(norm, "record_id")[inactive_rows] + "(" + status[inactive_rows] + ")", G)
    frame = pd.DataFrame({
        "cluster_id": np.asarray(uniques, dtype=object)[chosen],
        "managing_record_id": np.where(kept >= 0, record_id[np.maximum(kept, 0)] if len(record_id) else "", ""),
        "managing_unit_code": managing_unit,
        "rule": rule,
        "status": np.where(decided, "decided", "undetermined"),
        "action": action,
        "unit_rule": out.unit_rule,
        "rule_label": pd.Series(rule, dtype=object).map(labels).to_numpy(dtype=object),
        "evidence": out.evidence,
        "missing": np.where(decided, "", out.missing),
        "records": join_per_group(grp, record_id, G),
        "units": join_per_group(grp, unit, G),
        "names": join_per_group(grp, text_column(work, "name"), G),
        "inactive_records": inactive,
        "n_records": np.bincount(grp, minlength=G)[:G],
        "date": f"{as_of:%Y-%m-%d}",
    }, columns=DECISION_COLUMNS)
    return frame


def locate_records(norm: pd.DataFrame, *, as_of: Any, rules: RuleSet = DEFAULT_RULES) -> pd.DataFrame:
    """Location rules on each record alone; see ``resolve.rules.managing_unit_for_records``."""
    as_of = pd.Timestamp(as_of)
    n = len(norm)
    out = run_rules(norm.reset_index(drop=True), np.arange(n, dtype=np.int64), n, as_of=as_of, rules=rules,
                    tie_break=False)
    unit = text_column(norm, "unit_code")
    action = np.where(out.located, out.action, "verify")
    return pd.DataFrame({
        "record_id": text_column(norm, "record_id"),
        "managing_unit_code": np.where(action == "keep", unit, np.where(action == "transfer_out", out.code, "")),
        "rule": np.where(out.located, out.unit_rule, "undetermined"),
        "evidence": out.evidence,
        "status": np.where(out.located, "decided", "undetermined"),
        "action": action,
    })
