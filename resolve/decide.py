"""Who manages each duplicated woman: the rules of ``resolve.rules`` over every cluster at once.

``decide(norm, cluster_ids, as_of=...)`` gives one row per cluster holding two or more
*active* records.  Inactive records (``linkage.normalize.status.is_inactive``: 注销 or 迁出)
are left alone: they are never kept, cancelled or noticed, only listed in ``inactive_records``.
A group whose active records hold two different valid ID numbers is never decided: one woman
with two valid numbers (a re-issued number, ``linkage.identity``) is verified by a clerk first.  The one thing
read from them: the start date on such a record whose residence code agrees with hers (or is
blank) still tells since when she has lived there; their codes never choose her unit.

The rules run as whole-array steps (a loop over the handful of rules, none over clusters):

* a location rule reads her code from all her records (``_her_code``): when every code agrees
  (one is a prefix of the others) it is the finest of them, and she has been there since the
  earliest start date of any record that agrees or has no code (code and date often sit on
  different records); when they disagree, the finest code among the claims with the latest
  start date wins (a later move), counted from the earliest agreeing date after the last
  disagreeing one, and disagreeing claims of that same date are a conflict: the rule does
  not apply.  With ``since_field`` that start must be ``min_months`` or more before
  ``as_of``.  The records whose unit matches the code (``resolve.rules.codes_match``; the
  deepest match wins) stay tied (action ``keep``).  If no record is in that unit and the
  code is county level or finer, that unit manages her and the nearest record (deepest
  ``match_depth``) is to be transferred there (action ``transfer_out``).  A province/city
  code no record matches decides nothing.
* tie-break rules narrow the records still tied; a rule that cannot compare (a tied record
  lacks the date) is skipped and said so.
* a cluster left with one record is ``decided``; otherwise ``undetermined`` with ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.codes import code_lengths, codes_match, match_depth, significant_codes
from linkage.columns import REGISTER_COLUMNS
from linkage.identity import EXPLAINED_REASONS, IdParts
from linkage.normalize.status import is_inactive

from .grouped import (date_column, day_numbers, day_text, first_per_group, group_any, group_count, group_extreme,
                      join_notes, join_per_group, take, text_column)
from .rules import DEFAULT_RULES, Rule, RuleSet
DECISION_COLUMNS = [
    "cluster_id", "managing_record_id", "managing_unit_code", "rule", "status", "action", "unit_rule",
    "rule_label", "evidence", "missing", "records", "units", "names", "inactive_records", "n_records",
    "date",
]
UNDETERMINED_LABEL = "无法确定管理单位(待核实)"


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
    held: np.ndarray  # object (G,): code an unknown rule holds her to ('-' for none can agree), '' if free
    held_label: np.ndarray  # object (G,): what that code is (现居住地 ...)


def run_rules(work: pd.DataFrame, grp: np.ndarray, n_groups: int, *, as_of: pd.Timestamp,
              rules: RuleSet, tie_break: bool = True, active: np.ndarray | None = None) -> Outcome:
    """Apply ``rules`` to m records (rows of ``work``) in G groups (``grp``: int64 (m,)).

    active: bool (m,), default all; inactive rows are never candidates, but the date on one
    whose code agrees with hers (or is blank) still tells since when she has lived there."""
    m = len(work)
    active = np.ones(m, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    empty = np.full(n_groups, "", dtype=object)
    out = Outcome(active.copy(), np.zeros(n_groups, dtype=bool), *(empty.copy() for _ in range(8)))
    ctx = _Context(work, grp, n_groups, as_of, text_column(work, "record_id"), text_column(work, "unit_code"),
                   active)
    for rule in rules.location_rules:
        _location_step(rule, ctx, out)
    if tie_break:
        for rule in rules.tie_rules:
            _tie_step(rule, ctx, out)
    return out


@dataclass
class _Context:
    work: pd.DataFrame  # (m, k) the records
    grp: np.ndarray  # int64 (m,)
    G: int
    as_of: pd.Timestamp
    record_id: np.ndarray  # object (m,)
    unit: np.ndarray  # object (m,)
    active: np.ndarray  # bool (m,)

    def __post_init__(self) -> None:
        self.unit_sig = significant_codes(self.unit)
        self.unit_len = code_lengths(self.unit_sig)
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._claims: dict[tuple[str, str], _Claim] = {}

    def text(self, name: str) -> np.ndarray:
        """object (m,): column ``name`` as str ('' where absent), converted once per run."""
        return self._cached("text", name, lambda: text_column(self.work, name))

    def days(self, name: str) -> np.ndarray:
        """float (m,): column ``name`` as day numbers (NaN where blank), converted once per run."""
        return self._cached("days", name, lambda: date_column(self.work, name))

    def filled(self, name: str) -> np.ndarray:
        """bool (m,): column ``name`` holds a value (normalised text is trimmed, so not '')."""
        def compute() -> np.ndarray:
            column = self.work[name]
            if pd.api.types.is_string_dtype(column) or column.dtype == object:
                return self.text(name) != ""
            return column.notna().to_numpy(copy=True)
        return self._cached("filled", name, compute)

    def claim(self, field: str, since_field: str) -> "_Claim":
        """Her code read from ``field`` (``_her_code``), once per run: a location rule and the
        tie-break on the same place read the same claim.  Callers must not change its arrays."""
        key = (field, since_field)
        if key not in self._claims:
            self._claims[key] = _her_code(self, field, since_field)
        return self._claims[key]

    def _cached(self, kind: str, name: str, compute: Any) -> np.ndarray:
        if (kind, name) not in self._cache:
            self._cache[kind, name] = compute()
        return self._cache[kind, name].copy()


@dataclass
class _Claim:
    """Her code per group, read from her records: raw / sig object (G,), start float days (G,)
    (NaN if unknown), usable bool (G,), note object (G,) (why not usable)."""

    raw: np.ndarray
    sig: np.ndarray
    start: np.ndarray
    usable: np.ndarray
    note: np.ndarray
    label: str
    present: np.ndarray  # bool (G,): some record holds a code


def _her_code(ctx: _Context, field: str, since_field: str) -> _Claim:
    """If every record's code agrees (one is a prefix of the others) her code is the finest and
    her start the earliest date of any record that agrees or has no code.  Otherwise the
    finest code among the dated claims of the latest date, started at the earliest agreeing
    date after the last disagreeing one; a tie of disagreeing latest claims is a conflict."""
    grp, G = ctx.grp, ctx.G
    raw = ctx.text(field)
    sig = significant_codes(raw)
    has_code = (sig != "") & ctx.active
    longest_first = -code_lengths(sig)
    dates = ctx.days(since_field) if since_field else np.full(len(raw), np.nan)
    dates[dates > day_numbers([ctx.as_of])[0]] = np.nan
    finest = first_per_group(has_code, grp, G, longest_first)
    same_code = codes_match(sig, take(sig, finest)[grp])
    agree = has_code & same_code
    all_agree = ~group_any(has_code & ~agree, grp, G)
    witness = np.where(ctx.active, agree | ~has_code, same_code | (sig == ""))
    start_all = group_extreme(np.where(witness, dates, np.nan), grp, G, "min")
    dated = has_code & ~np.isnan(dates)
    latest = group_extreme(np.where(dated, dates, np.nan), grp, G, "max")
    at_latest = dated & (dates == latest[grp])
    finest_latest = first_per_group(at_latest, grp, G, longest_first)
    agree_latest = dated & codes_match(sig, take(sig, finest_latest)[grp])
    conflict = group_any(at_latest & ~agree_latest, grp, G) | (finest_latest < 0)
    last_other = group_extreme(np.where(dated & ~agree_latest, dates, np.nan), grp, G, "max")
    start_latest = group_extreme(np.where(agree_latest & ~(dates <= last_other[grp]), dates, np.nan), grp, G, "min")
    row = np.where(all_agree, finest, finest_latest)
    usable = (row >= 0) & (all_agree | ~conflict)
    label = REGISTER_COLUMNS[field].removesuffix("代码")
    listed = pd.DataFrame({"g": grp[has_code], "c": raw[has_code]}).drop_duplicates()
    codes = join_per_group(listed["g"].to_numpy(), listed["c"].to_numpy(dtype=object), G, sep="/")
    note = np.where(finest < 0, f"{label}代码缺失", np.where(usable, "", label + "记录不一致(" + codes + ")"))
    return _Claim(np.where(usable, take(raw, row), "").astype(object), np.where(usable, take(sig, row), "").astype(object),
                  np.where(usable, np.where(all_agree, start_all, start_latest), np.nan), usable,
                  note.astype(object), label, finest >= 0)


def _location_step(rule: Rule, ctx: _Context, out: Outcome) -> None:
    """A rule *applies* (her code, and long enough there), is *known not to* (no code at all,
    or a known start too recent) or is *unknown* (a start date missing, codes that disagree).
    With ``if_unknown='verify'`` an unknown rule holds the group: a later rule may still
    locate her, but only at a unit that agrees with this rule's code (both rules then name the
    same place); otherwise she goes to verification, and no tie-break guesses for her."""
    grp, G = ctx.grp, ctx.G
    open_g = ~out.located
    claim = ctx.claim(rule.field, rule.since_field)
    note, read = claim.note, claim.label + claim.raw
    applies, unknown = claim.usable.copy(), claim.present & ~claim.usable
    if rule.since_field:
        cutoff = day_numbers([ctx.as_of - pd.DateOffset(months=rule.min_months)])[0]
        applies &= claim.start <= cutoff
        unknown |= claim.usable & np.isnan(claim.start)
        since = claim.label + claim.raw + "自" + day_text(claim.start) + "起"
        note = np.where(claim.usable & np.isnan(claim.start), read + ",起始日期缺失,不能判断是否满"
                        f"{rule.min_months}个月", note)
        note = np.where(claim.usable & (claim.start > cutoff),
                        since + f",截至{ctx.as_of:%Y-%m-%d}不满{rule.min_months}个月", note)
        read = since + f"满{rule.min_months}个月"
    held = out.held != ""
    agrees = ~held | codes_match(claim.sig, np.where(out.held == "-", "", out.held).astype(object))
    note = np.where(applies & ~agrees, read + "(与" + out.held_label + "不一致,须先核实)", note)
    usable = applies & agrees
    depth = match_depth(ctx.unit_sig, claim.sig[grp])
    rec = (open_g & usable)[grp] & ctx.active
    in_unit = rec & codes_match(ctx.unit_sig, claim.sig[grp])
    any_in = group_any(in_unit, grp, G)
    coarse = code_lengths(claim.sig) < 6
    keep = open_g & usable & any_in
    transfer = open_g & usable & ~any_in & ~coarse
    best_in = group_extreme(np.where(in_unit, depth, np.nan), grp, G, "max")
    best_any = group_extreme(np.where(rec, depth, np.nan), grp, G, "max")
    chosen = (in_unit & (depth == best_in[grp])) | (rec & transfer[grp] & (depth == best_any[grp]))
    listed = join_per_group(grp[chosen], ctx.record_id[chosen] + "(" + ctx.unit[chosen] + ")", G, sep="、")
    note = np.where(keep, read + ",在该单位的记录:" + listed, note)
    note = np.where(transfer, read + ",无记录在该单位,最接近的记录:" + listed, note)
    note = np.where(usable & ~keep & ~transfer, read + "(只到市或省级,且无记录在该地,不能确定单位)", note)
    located = keep | transfer
    hold = open_g & ~held & unknown & (rule.if_unknown == "verify")
    out.held[hold] = np.where(claim.usable, claim.sig, "-")[hold]  # '-': codes that disagree, nothing agrees
    out.held_label[hold] = claim.label
    out.cand = np.where(located[grp], chosen, out.cand)
    out.located |= located
    out.action[keep], out.action[transfer] = "keep", "transfer_out"
    out.code[located] = claim.raw[located]
    out.unit_rule[located] = rule.name
    out.evidence = join_notes(out.evidence, np.where(open_g, note, ""))
    out.missing = join_notes(out.missing, np.where(open_g & ~located, note, ""))
    _settle(out, grp, G, rule.name, open_g)


def _tie_step(rule: Rule, ctx: _Context, out: Outcome) -> None:
    grp, G, work, record_id = ctx.grp, ctx.G, ctx.work, ctx.record_id
    open_g = (group_count(out.cand, grp, G) > 1) & (out.located | (out.held == ""))
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
        label = np.where(claim.usable, claim.label + claim.raw, claim.note) + ",所在单位"
        if rule.min_months:
            cutoff = day_numbers([ctx.as_of - pd.DateOffset(months=rule.min_months)])[0]
            short = claim.start > cutoff
            applicable &= ~short
            label = np.where(short, claim.label + claim.raw + f"不满{rule.min_months}个月,不作依据", label) + ""
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
    unit), evidence and missing (readable text), records / units / names (';'-joined, aligned),
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
    decided = (n_cand == 1) & (two_numbers == "")
    out.missing = join_notes(two_numbers, out.missing)
    kept = first_per_group(out.cand & decided[grp], grp, G, np.zeros(len(work)))
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
