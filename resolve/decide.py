"""Who manages each duplicated woman: the rules of ``resolve.rules`` over every cluster at once.

``decide(norm, cluster_ids, as_of=...)`` gives one row per cluster holding two or more
*active* records.  Inactive records (``linkage.normalize.status.is_inactive``: 注销 or 迁出)
are left alone: they are never kept, cancelled or noticed, only listed in ``inactive_records``.
A group whose active records hold two different valid ID numbers is never decided: one woman
with two valid numbers (a re-issued number, ``linkage.identity``) is verified by a clerk first.  The one thing
read from them: the start date on such a record whose residence code agrees with hers (or is
blank) still tells since when she has lived there; their codes never choose her unit.

The rules run as whole-array steps (a loop over the handful of rules, none over clusters):

* a location rule reads her code from all her records (``resolve.claims.her_code``): when every
  code agrees (one is a prefix of the others) it is the finest of them, and she has been there
  since the earliest start date of any record that agrees or has no code (code and date often
  sit on different records); when they disagree, the finest code among the claims with the
  latest start date wins (a later move), counted from the earliest agreeing date after the last
  disagreeing one, and disagreeing claims of that same date are a conflict: the rule does not
  apply.  With ``min_months`` that start must be so many months or more before ``as_of`` (when
  she is short of it, the evidence names the day she reaches it).  Its conditions
  (``resolve.conditions``) must be met.  The records whose unit matches the code
  (``linkage.codes.codes_match``; the deepest match wins) stay tied (action ``keep``).  If no
  record is in that unit, that unit manages her and the nearest record (deepest
  ``match_depth``) is to be transferred there (action ``transfer_out``).
* a managing unit is a street or a community: a rule that lands on a county or coarser code
  cannot name one, and the group goes to verification (管理单位只到县级,须核实到街道).  So does
  a group a rule applies to at a place other than the one an earlier unknown rule holds her to.
* tie-break rules narrow the records still tied; a rule that cannot compare (a tied record
  lacks the date) is skipped and said so.
* a cluster left with one record is ``decided``; otherwise ``undetermined`` with ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from linkage.codes import STREET_DIGITS, code_lengths, codes_match, match_depth
from linkage.columns import REGISTER_COLUMNS
from linkage.identity import EXPLAINED_REASONS, IdParts
from linkage.normalize.status import is_inactive

from .claims import Context
from .conditions import verdict
from .grouped import (day_numbers, day_text, first_per_group, group_any, group_count, group_extreme, join_notes,
                      join_per_group, text_column)
from .rules import DEFAULT_RULES, Rule, RuleSet

DECISION_COLUMNS = [
    "cluster_id", "managing_record_id", "managing_unit_code", "rule", "status", "action", "unit_rule",
    "rule_label", "evidence", "missing", "records", "units", "names", "inactive_records", "n_records",
    "date",
]
UNDETERMINED_LABEL = "无法确定管理单位(待核实)"
COARSE_REASON = "管理单位只到县级,须核实到街道"
"""Why a group whose rule lands on a county or coarser code is verified, not noticed."""


# ---- the rule engine ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """State of the rules over m records in G groups."""

    cand: np.ndarray  # bool (m,): record still in the running
    located: np.ndarray  # bool (G,): a location rule found her unit
    action: np.ndarray  # object (G,): 'keep' / 'transfer_out' / ''
    code: np.ndarray  # object (G,): the code that located her
    unit_rule: np.ndarray  # object (G,): the location rule that located her (or found only a county)
    rule: np.ndarray  # object (G,): the rule that left one record, '' if none
    evidence: np.ndarray  # object (G,)
    missing: np.ndarray  # object (G,)
    held: np.ndarray  # object (G,): code an unknown rule holds her to ('-' for none can agree), '' if free
    held_label: np.ndarray  # object (G,): what that code is (现居住地 ...)
    stopped: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """bool (G,): no rule may decide her any more (a county-level unit, or a rule that applies
    elsewhere than an unknown one holds her to): she goes to verification."""


def run_rules(work: pd.DataFrame, grp: np.ndarray, n_groups: int, *, as_of: pd.Timestamp,
              rules: RuleSet, tie_break: bool = True, active: np.ndarray | None = None) -> Outcome:
    """Apply ``rules`` to m records (rows of ``work``) in G groups (``grp``: int64 (m,)).

    active: bool (m,), default all; inactive rows are never candidates, but the date on one
    whose code agrees with hers (or is blank) still tells since when she has lived there."""
    m = len(work)
    active = np.ones(m, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    empty = np.full(n_groups, "", dtype=object)
    out = Outcome(active.copy(), np.zeros(n_groups, dtype=bool), *(empty.copy() for _ in range(8)),
                  stopped=np.zeros(n_groups, dtype=bool))
    ctx = Context(work, grp, n_groups, as_of, text_column(work, "record_id"), text_column(work, "unit_code"),
                  active)
    for rule in rules.location_rules:
        _location_step(rule, ctx, out)
    if tie_break:
        for rule in rules.tie_rules:
            _tie_step(rule, ctx, out)
    return out


def months_later(days: np.ndarray, months: int) -> np.ndarray:
    """float (n,): the first day on which ``months`` months have passed since each day (NaN
    stays NaN); the day ``_location_step`` first counts her as long enough there, e.g. 31 Aug
    + 6 months is 1 Mar, since 28 Feb - 6 months is still before 31 Aug."""
    start = pd.to_datetime(pd.Series(np.asarray(days, dtype=float)), unit="D", errors="coerce")
    later = start + pd.DateOffset(months=months)
    later = later.where(later - pd.DateOffset(months=months) >= start, later + pd.Timedelta(days=1))
    return day_numbers(later)


def _hold(out: Outcome, hold: np.ndarray, code: np.ndarray, label: str) -> None:
    """Hold the groups ``hold`` (G,) to ``code`` (object (G,), '-' for a place nothing can agree
    with).  A group already held keeps the finer of two codes that agree, else '-'."""
    new = np.where(code_lengths(code) >= STREET_DIGITS, code, "-").astype(object)
    old = out.held
    both = (old != "") & (old != "-") & (new != "-")
    finer = np.where(code_lengths(new) >= code_lengths(np.where(old == "-", "", old)), new, old)
    merged = np.where(old == "", new, np.where(both & codes_match(old, new), finer, "-"))
    out.held = np.where(hold, merged, old).astype(object)
    out.held_label = np.where(hold, join_notes(out.held_label, np.full(len(hold), label, dtype=object), sep="、"),
                              out.held_label).astype(object)


def _location_step(rule: Rule, ctx: Context, out: Outcome) -> None:
    """A rule *applies* (its conditions met, her code, and long enough there), is *known not to*
    (a condition fails, no code at all for a rule without conditions, or a known start too
    recent) or is *unknown* (a condition unknown or conflicting, a start date missing, codes
    that disagree, conditions met but no code).  An unknown rule holds the group (its own or
    its condition's ``'verify'``): a later rule may still locate her, but only at a unit that
    agrees with this rule's code (both rules then name the same place); otherwise she goes to
    verification, and no tie-break guesses for her."""
    grp, G = ctx.grp, ctx.G
    open_g = ~out.located & ~out.stopped
    claim = ctx.claim(rule.field, rule.since_field)
    conditions = verdict(rule.when, ctx, {rule.field: rule.since_field})
    note, read = claim.note, claim.label + claim.shown
    applies, unknown = claim.usable.copy(), claim.present & ~claim.usable
    if rule.when:  # her conditions say this rule decides, but its place is blank
        unknown |= ~claim.present
        note = np.where(claim.present, note, note + ",不能确定单位")
    if rule.since_field and rule.min_months:
        cutoff = day_numbers([ctx.as_of - pd.DateOffset(months=rule.min_months)])[0]
        applies &= claim.start <= cutoff
        unknown |= claim.usable & np.isnan(claim.start)
        since = claim.label + claim.shown + "自" + day_text(claim.start) + "起"
        note = np.where(claim.usable & np.isnan(claim.start), read + ",起始日期缺失,不能判断是否满"
                        f"{rule.min_months}个月", note)
        short = claim.usable & (claim.start > cutoff)
        due = np.full(G, "", dtype=object)
        due[short] = day_text(months_later(claim.start[short], rule.min_months))  # only where she is short
        note = np.where(short, since + f",截至{ctx.as_of:%Y-%m-%d}不满{rule.min_months}个月," + due +
                        f"满{rule.min_months}个月", note)
        read = since + f"满{rule.min_months}个月"
    applies &= conditions.met
    hold = open_g & ((unknown & conditions.met & (rule.if_unknown == "verify")) | conditions.hold)
    note = np.where(conditions.met | conditions.hold, join_notes(conditions.note, note), "")
    read = join_notes(conditions.note, read)
    held = out.held != ""
    agrees = ~held | codes_match(claim.sig, np.where(out.held == "-", "", out.held).astype(object))
    elsewhere = open_g & applies & ~agrees
    note = np.where(elsewhere, read + "(与" + out.held_label + "不一致,须先核实)", note)
    usable = applies & agrees
    coarse = usable & (code_lengths(claim.sig) < STREET_DIGITS)
    located_here = usable & ~coarse
    depth = match_depth(ctx.unit_sig, claim.sig[grp])
    rec = (open_g & located_here)[grp] & ctx.active
    in_unit = rec & codes_match(ctx.unit_sig, claim.sig[grp])
    any_in = group_any(in_unit, grp, G)
    keep = open_g & located_here & any_in
    transfer = open_g & located_here & ~any_in
    best_in = group_extreme(np.where(in_unit, depth, np.nan), grp, G, "max")
    best_any = group_extreme(np.where(rec, depth, np.nan), grp, G, "max")
    chosen = (in_unit & (depth == best_in[grp])) | (rec & transfer[grp] & (depth == best_any[grp]))
    listed = join_per_group(grp[chosen], ctx.record_id[chosen] + "(" + ctx.unit[chosen] + ")", G, sep="、")
    note = np.where(keep, read + ",在该单位的记录:" + listed, note)
    note = np.where(transfer, read + ",无记录在该单位,最接近的记录:" + listed, note)
    note = np.where(coarse, read + "," + COARSE_REASON, note)
    located = keep | transfer
    _hold(out, hold & ~located & ~(open_g & coarse), claim.sig, claim.label)
    out.cand = np.where(located[grp], chosen, out.cand)
    out.located |= located
    out.stopped |= open_g & (coarse | elsewhere)
    out.action[keep], out.action[transfer] = "keep", "transfer_out"
    out.code[located] = claim.raw[located]
    out.unit_rule[located | (open_g & coarse)] = rule.name
    out.evidence = join_notes(out.evidence, np.where(open_g, note, ""))
    out.missing = join_notes(out.missing, np.where(open_g & ~located, note, ""))
    _settle(out, grp, G, rule.name, open_g)


def _tie_step(rule: Rule, ctx: Context, out: Outcome) -> None:
    grp, G, work, record_id = ctx.grp, ctx.G, ctx.work, ctx.record_id
    open_g = (group_count(out.cand, grp, G) > 1) & (out.located | (out.held == "")) & ~out.stopped
    rec = out.cand & open_g[grp]
    applicable = open_g.copy()
    if rule.kind == "most_complete":
        goodness = np.zeros(len(work), dtype=float)
        for name in (f for f in rule.fields if f in work.columns):
            goodness += ctx.filled(name)
        label = "信息项数"
        shown = record_id + " " + goodness.astype(np.int64).astype(str).astype(object)
    elif rule.kind == "nearest":
        claim = ctx.claim(rule.field, rule.since_field)
        code = claim.sig[grp]
        depth = match_depth(ctx.unit_sig, code)
        code_len = code_lengths(code)
        level_gap = np.where(codes_match(ctx.unit_sig, code), np.abs(ctx.unit_len - code_len), 15)
        goodness = (depth * 16 - level_gap).astype(float)
        applicable &= claim.usable
        label = np.where(claim.usable, claim.label + claim.shown, claim.note) + ",所在单位"
        if rule.min_months:
            cutoff = day_numbers([ctx.as_of - pd.DateOffset(months=rule.min_months)])[0]
            short = claim.start > cutoff
            applicable &= ~short
            label = np.where(short, claim.label + claim.shown + f"不满{rule.min_months}个月,不作依据", label) + ""
        shown = record_id + "(" + ctx.unit + ")"
    else:
        dates = ctx.days(rule.field)
        goodness = -dates if rule.kind == "earliest" else dates
        label = REGISTER_COLUMNS[rule.field]
        text = day_text(dates)
        shown = record_id + " " + np.where(text == "", "缺失", text).astype(object)
        applicable &= ~group_any(rec & np.isnan(dates), grp, G)
    best = group_extreme(np.where(rec, goodness, np.nan), grp, G, "max")
    out.cand = np.where(applicable[grp], rec & (goodness == best[grp]), out.cand)
    read = label + ":" + join_per_group(grp[rec], shown[rec], G, sep=",")
    said = open_g & (applicable | (rule.kind != "nearest"))  # a missing code was said by the location rule
    out.evidence = join_notes(out.evidence, np.where(said, read, ""))
    still = group_count(out.cand, grp, G) > 1
    why = np.where(applicable, "(相同,不能区分)", "(有记录缺失,不能比较)")
    out.missing = join_notes(out.missing, np.where(said & still, read + why, ""))
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
    unit, or only her county), evidence and missing (readable text), records / units / names (';'-joined, aligned),
    inactive_records ('R9(注销);...'), n_records (active), date (as_of).
    """
    rules = rules or DEFAULT_RULES
    as_of = pd.Timestamp(as_of)
    cluster_ids = np.asarray(cluster_ids, dtype=object)
    if len(cluster_ids) != len(norm):
        raise ValueError(f"cluster_ids has {len(cluster_ids)} entries for {len(norm)} records; give one per record")
    status = text_column(norm, "status")
    active = ~is_inactive(status)
    codes, uniques = pd.factorize(pd.Series(cluster_ids, dtype=object).astype(str), sort=True)
    chosen = np.bincount(codes[active], minlength=len(uniques)) >= 2
    new_code = np.cumsum(chosen) - 1
    rows = np.flatnonzero(chosen[codes])
    rows = rows[np.lexsort((text_column(norm, "record_id")[rows].astype(str), codes[rows]))]  # row order never matters
    grp = new_code[codes[rows]].astype(np.int64)
    G = int(chosen.sum())
    used = [c for c in dict.fromkeys(("record_id", "unit_code", "name", "status", "id_full", "id_status",
                                      *rules.columns)) if c in norm.columns]
    work = norm.iloc[rows, [norm.columns.get_loc(c) for c in used]]
    work.index = pd.RangeIndex(len(work))  # reset_index(drop=True) without a second copy
    out = run_rules(work, grp, G, as_of=as_of, rules=rules, active=active[rows])
    rows, work, grp, out.cand = rows[active[rows]], work[active[rows]].reset_index(drop=True), grp[active[rows]], \
        out.cand[active[rows]]

    record_id, unit = text_column(work, "record_id"), text_column(work, "unit_code")
    n_cand = group_count(out.cand, grp, G)
    two_numbers = _two_valid_numbers(work, grp, G)
    decided = (n_cand == 1) & (two_numbers == "") & ~out.stopped
    out.missing = join_notes(two_numbers, out.missing)
    kept = first_per_group(out.cand & decided[grp], grp, G, np.zeros(len(work)))
    kept_unit = np.where(kept >= 0, unit[np.maximum(kept, 0)] if len(unit) else "", "").astype(object)
    one_unit = join_per_group(grp[out.cand], unit[out.cand], G, sep=";")
    same_unit = ~pd.Series(one_unit, dtype=object).str.contains(";").to_numpy() & (one_unit != "")
    action = np.where(decided, np.where(out.action == "", "keep", out.action), "verify")
    managing_unit = np.where(action == "transfer_out", out.code, kept_unit)
    managing_unit = np.where(~decided & (out.action == "transfer_out"), out.code, managing_unit)
    managing_unit = np.where(~decided & (out.action != "transfer_out") & same_unit, one_unit, managing_unit)
    managing_unit = np.where(out.stopped, "", managing_unit)  # a county, or two places: nobody is named
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
    quiet = _quiet_clusters(norm, codes, uniques, active, chosen, status, as_of)
    if not len(quiet):
        return frame
    return pd.concat([frame, quiet], ignore_index=True).sort_values("cluster_id", kind="stable").reset_index(drop=True)


ONE_ACTIVE_LABEL = "仅一条在管记录(其余已注销或迁出),无需处理"
NONE_ACTIVE_LABEL = "全部记录已注销或迁出,无需处理"


def _quiet_clusters(norm: pd.DataFrame, codes: np.ndarray, uniques: Any, active: np.ndarray, chosen: np.ndarray,
                    status: np.ndarray, as_of: pd.Timestamp) -> pd.DataFrame:
    """The row of every cluster of two or more records with fewer than two active ones (SCHEMA:
    every such cluster has a decisions row): one active record is kept where she is ('one_active',
    decided, keep); none active is 'none_active' (status 'inactive', action 'none').  Nothing is
    noticed: the inactive records are listed in inactive_records only."""
    size = np.bincount(codes, minlength=len(uniques))
    quiet = (size >= 2) & ~chosen
    if not quiet.any():
        return pd.DataFrame(columns=DECISION_COLUMNS)
    new_code = np.cumsum(quiet) - 1
    G = int(quiet.sum())
    record_id, unit, name = text_column(norm, "record_id"), text_column(norm, "unit_code"), text_column(norm, "name")
    live = np.flatnonzero(quiet[codes] & active)
    live = live[np.argsort(new_code[codes[live]], kind="stable")]
    live_group = new_code[codes[live]].astype(np.int64)
    dead = np.flatnonzero(quiet[codes] & ~active)
    dead = dead[np.lexsort((record_id[dead].astype(str), new_code[codes[dead]]))]
    n_live = np.bincount(live_group, minlength=G)[:G]
    kept_id, kept_unit = np.full(G, "", dtype=object), np.full(G, "", dtype=object)
    kept_id[live_group], kept_unit[live_group] = record_id[live], unit[live]
    one = n_live == 1
    return pd.DataFrame({
        "cluster_id": np.asarray(uniques, dtype=object)[quiet],
        "managing_record_id": kept_id,
        "managing_unit_code": kept_unit,
        "rule": np.where(one, "one_active", "none_active"),
        "status": np.where(one, "decided", "inactive"),
        "action": np.where(one, "keep", "none"),
        "unit_rule": "",
        "rule_label": np.where(one, ONE_ACTIVE_LABEL, NONE_ACTIVE_LABEL),
        "evidence": "",
        "missing": "",
        "records": kept_id,
        "units": kept_unit,
        "names": join_per_group(live_group, name[live], G),
        "inactive_records": join_per_group(new_code[codes[dead]].astype(np.int64),
                                           record_id[dead] + "(" + status[dead] + ")", G),
        "n_records": n_live,
        "date": f"{as_of:%Y-%m-%d}",
    }, columns=DECISION_COLUMNS)


def _two_valid_numbers(work: pd.DataFrame, grp: np.ndarray, G: int) -> np.ndarray:
    """object (G,): why a group whose records hold two different valid ID numbers cannot be
    decided ('' for the others).  Such numbers differ in one part only (two parts apart they
    could not share a cluster: ``linkage.identity``), so she may hold a re-issued number."""
    out = np.full(G, "", dtype=object)
    if "id_full" not in work.columns or "id_status" not in work.columns or G == 0:
        return out
    valid = text_column(work, "id_status") == "valid"
    numbers = pd.DataFrame({"g": grp[valid], "id": text_column(work, "id_full")[valid]}).drop_duplicates()
    numbers = numbers.sort_values(["g", "id"], kind="stable")
    first = numbers.drop_duplicates("g", keep="first").set_index("g")["id"]
    second = numbers[numbers.duplicated("g", keep="first")].drop_duplicates("g").set_index("g")["id"]
    if not len(second):
        return out
    a = first.reindex(second.index).to_numpy(dtype=object)
    b = second.to_numpy(dtype=object)
    status = np.full(len(a), "valid", dtype=object)
    left, right = IdParts.of(a, status), IdParts.of(b, status)
    rows = np.arange(len(a), dtype=np.int64)
    relation = left.relation(np.c_[rows, rows], right)
    reasons = np.array([EXPLAINED_REASONS.get(int(r), "组内有两个不同的有效身份证号,须核实") for r in relation],
                       dtype=object)
    out[second.index.to_numpy(dtype=np.int64)] = reasons + "(" + a + "/" + b + ")"
    return out


def managing_unit_for_records(norm: pd.DataFrame, *, as_of: Any, rules: RuleSet | None = None) -> pd.DataFrame:
    """The managing unit of each record on its own (for household/residence separation, 人户分离).

    norm: normalised register (``linkage.prepare``), shape (n, m).  Returns a frame of n rows in
    the same order: record_id, managing_unit_code, rule, evidence, status ('decided' /
    'undetermined'), action ('keep': her own unit manages; 'transfer_out': the code in
    managing_unit_code manages; 'verify': no location rule applies).  Only location rules
    run: with one record there is nothing to tie-break.
    """
    rules = rules or DEFAULT_RULES
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
