"""``linkage update OUT NEW -o OUT2``: next month's run from this month's state.

NEW is a batch of new and changed records (``full=False``, the default: every record of OUT's
register not in NEW stays as it was) or a full re-export of the register (``full=True``: a record
of OUT absent from NEW has left the register).  A record whose record_id and every field are
unchanged is reused as it was normalised; new and changed records are normalised; the term
frequencies are counted anew over the whole register.  Blocking: only the new and changed records'
keys are computed (``blocking.block_keys``, hashes stable across frames) and joined with the keys
the state keeps for the others (state/blocks.parquet): a block that a fresh or departed record holds
is formed again from all its members, so its size and cap are those of a full run; every other
block is as it was, its pairs among the state's; an old pair in a block that grew over its cap is
kept only if another key still pairs it (``blocking.update``).  So the candidate pairs are those a
full run finds on the final register (a state without keys, or with judged pairs, is blocked whole).
Only the pairs not scored before, or touching a new or changed record, are scored.  A reused pair keeps its probability unless the new
term frequencies could move it across the match or review threshold (the bound below), or it lies
in a component whose records must be kept apart (there the order of the probabilities decides the
split): those pairs are scored again.  So the clusters are those of a full run on the final
register (``tests/test_update.py`` checks it).

The bound: a reused pair's features differ from a fresh score only in its ``<field>:commonness``
terms, log10 of the larger count of the agreeing value (``scoring.features``); its log-odds moves
by at most ``sum |coef| * |Δ log10 count|`` over the fields.

Cluster ids are inherited (``resolve.stable_ids``); decisions, notices and the verification list
are redone only for the clusters that changed (a member joined, left or changed); a notice of OUT
(state/notices.parquet: every notice sent so far) is never sent again.  ``changes.csv`` lists
what moved: joined / left / new per record, merged / split per cluster, each with the pair and
reason that did it.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

import resolve
from blocking import block_keys
from blocking.update import block_update
from resolve.clusters import cluster
from resolve.judged import load_judged
from resolve.stable_ids import canonical_pairs, inherit_ids
from scoring import MatchModel
from scoring.run import Scored, load_model, score_pairs

from .errors import ConfigError
from .io import load
from .normalize.dates import as_of_date
from .normalize.frequency import FREQUENCY_FIELDS, add_frequencies
from .normalize.status import is_inactive
from .pipeline import DedupeResult
from .prepare import Records
from .profile import RegisterProfile
from .progress import Progress
from .state import Lineage, State, begin_state, read_state, row_hashes

CHANGE_COLUMNS = ["change", "cluster_id", "record_id", "other_cluster_id", "record_id_l", "record_id_r",
                  "probability", "reason"]
NOTICE_KEY = ["kind", "record_ids", "from_unit_code", "to_unit_code", "kept_record_id"]
"""A notice is the same notice when it asks the same unit to do the same about the same records."""


def _isin(values: np.ndarray, members: set) -> np.ndarray:
    """bool (n,): ``values`` (object) in ``members``, by hashing (np.isin sorts objects: far slower)."""
    return pd.Series(values, dtype=object).isin(members).to_numpy(dtype=bool)


def _logit(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def _moved_by_frequencies(model: Any, old: pd.DataFrame, new: pd.DataFrame, pairs: np.ndarray,
                          probabilities: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    """bool (p,): reused pairs whose probability could cross a threshold under the new term
    frequencies.  old / new: the ``count_<field>`` columns of the records then and now (n rows)."""
    names = list(getattr(model, "feature_names_", ()))
    coef = getattr(model, "coef_", None)
    if coef is None:  # a model of unknown form: score every reused pair again
        return np.ones(len(pairs), dtype=bool)
    bound = np.zeros(len(pairs))
    for field in FREQUENCY_FIELDS:
        feature, column = f"{field}:commonness", f"count_{field}"
        if feature not in names or column not in old.columns:
            continue
        weight = abs(float(coef[names.index(feature)]))
        if weight == 0:
            continue
        before = np.fmax(old[column].to_numpy()[pairs[:, 0]], old[column].to_numpy()[pairs[:, 1]])
        after = np.fmax(new[column].to_numpy()[pairs[:, 0]], new[column].to_numpy()[pairs[:, 1]])
        change = np.abs(np.log10(np.fmax(after, 1.0)) - np.log10(np.fmax(before, 1.0)))
        bound += weight * np.nan_to_num(change, nan=np.inf)  # a value blank on one side only: score again
    logit = _logit(probabilities)
    near = np.zeros(len(pairs), dtype=bool)
    for t in thresholds:
        near |= np.abs(logit - float(_logit(np.array([t]))[0])) <= bound + 1e-9
    return near


def _model(state: State, model: Any, profile: Any) -> Any:
    if model is not None:
        return load_model(model, profile)
    saved = state.info.get("model")
    if saved is None:
        return profile.default_model()
    fitted = MatchModel.from_dict(saved)
    fitted.check_spec(profile.spec(), source=f"{state.path}/state.json")
    return fitted


def update(
    out: str | os.PathLike,
    new: Any,
    *,
    full: bool = False,
    as_of: Any = None,
    district: str | None = None,
    model: Any = None,
    rules: Any = None,
    judged: Any = None,
    progress: bool | Progress = False,
    prepare_state: bool = False,
) -> DedupeResult:
    """The whole register after ``new`` (path or DataFrame) is applied to the run in ``out``.

    full: ``new`` is a full re-export (records of ``out`` absent from it leave).  as_of, district,
    model, rules: default to those of the run in ``out``.  judged: newly judged pairs
    (``resolve.judged``), binding on top of those the state keeps.  Returns a DedupeResult whose
    ``extra_tables['changes']`` is changes.csv and whose ``lineage`` carries the ids' history;
    ``write(OUT2)`` writes the complete outputs and the next state (``prepare_state``: its large
    files encoded in a second process while the changed clusters are decided, as ``dedupe``'s).
    """
    report = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    profile = RegisterProfile()
    report.stage(f"reading the state of {out}")
    state = read_state(out)
    options = state.options
    if options.get("profile", profile.name) != profile.name:
        raise ConfigError(f"{out}: 这次运行的登记册类型为 {options.get('profile')},update 只支持育龄妇女登记册 "
                          f"(the run was of a {options.get('profile')!r} register; update runs on the WIS register)")
    fitted = _model(state, model, profile)
    district = district if district is not None else options.get("district")
    as_of = as_of_date(as_of if as_of is not None else options.get("as_of"))
    rules = rules if rules is not None else state.rules
    threshold = float(options.get("threshold", getattr(fitted, "threshold_", 0.5))) if model is None else None
    review_threshold = options.get("review_threshold")

    report.stage("comparing the new records with the state")
    incoming = load(new)
    columns = list(state.raw.columns)
    missing = [c for c in columns if c not in incoming.columns]
    if missing:
        raise ConfigError(f"{new}: 缺少上次登记册的列 {', '.join(missing)} (columns of the earlier register missing)")
    incoming = incoming[columns]
    old_ids = state.norm["record_id"].astype(str).to_numpy(dtype=object)
    new_ids = incoming["record_id"].astype(str).to_numpy(dtype=object)
    old_pos = pd.Series(np.arange(len(old_ids)), index=old_ids)
    at_old = pd.Series(new_ids).map(old_pos).to_numpy()
    seen = ~np.isnan(at_old)
    same = np.zeros(len(new_ids), dtype=bool)
    if seen.any():
        same[seen] = row_hashes(incoming.iloc[np.flatnonzero(seen)]) == state.row_hashes[at_old[seen].astype(np.int64)]
    in_new = np.zeros(len(old_ids), dtype=bool)
    in_new[at_old[seen].astype(np.int64)] = True
    unchanged_in_new = np.zeros(len(old_ids), dtype=bool)
    unchanged_in_new[at_old[same].astype(np.int64)] = True
    kept = unchanged_in_new | (~in_new & (not full))  # old rows reused as they are
    gone = ~in_new & bool(full)
    fresh_rows = np.flatnonzero(~same)  # rows of NEW to normalise: new records and changed ones

    report.stage(f"normalising {len(fresh_rows):,} new and changed records")
    fresh = profile.load(incoming.iloc[fresh_rows].reset_index(drop=True))
    keep_rows = np.flatnonzero(kept)
    counts = [c for c in state.norm.columns if c.startswith("count_")]
    old_norm, state.norm = state.norm, None  # one copy of the register at a time: the merged one
    old_counts = old_norm[counts].iloc[keep_rows].reset_index(drop=True)
    old_types = old_norm.dtypes
    kept_norm = old_norm if len(keep_rows) == len(old_norm) else old_norm.iloc[keep_rows]
    del old_norm
    norm = pd.concat([kept_norm.drop(columns=counts), fresh.norm.drop(columns=counts)], ignore_index=True)
    del kept_norm
    for column in norm.columns:  # concat of object columns stays object; dates and numbers as they were
        if old_types[column] == object and norm[column].dtype != object:
            norm[column] = norm[column].astype(object)
    report.stage("counting term frequencies over the whole register")
    add_frequencies(norm)
    arrow_text = {c: state.raw[c].dtype for c in columns}
    raw = pd.concat([state.raw.iloc[keep_rows], fresh.raw[columns].astype(arrow_text)], ignore_index=True)
    hashes = np.r_[state.row_hashes[keep_rows], row_hashes(fresh.raw[columns])].astype(np.uint64)
    dropped_ids = set(old_ids[~kept].tolist())  # the month's few: changed or gone
    flags = pd.concat([state.flags[~state.flags["record_id"].astype(str).isin(dropped_ids)], fresh.flags],
                      ignore_index=True) if len(state.flags.columns) else fresh.flags
    records = Records(raw=raw, norm=norm, flags=flags)
    state.raw = None  # the merged register holds what is kept of it
    n, n_kept = len(norm), len(keep_rows)
    record_ids = norm["record_id"].to_numpy(dtype=object)

    # the state's pairs between two reused records, in the merged register's positions
    to_new = np.full(len(old_ids), -1, dtype=np.int64)
    to_new[keep_rows] = np.arange(n_kept)
    old_l, old_r = to_new[state.pairs[:, 0]], to_new[state.pairs[:, 1]]
    both = (old_l >= 0) & (old_r >= 0)
    judged = load_judged(state.extra.get("judged")).merged(load_judged(judged))
    kept_keys = None
    if state.block_keys is not None and not len(judged):  # judged pairs are among the state's, not blocked
        report.stage(f"blocking {n - n_kept:,} new and changed records against the state's keys")
        blocked, kept_keys = block_update(state.block_keys, keep_rows, np.flatnonzero(~kept), block_keys(fresh.norm), norm,
                                     np.c_[old_l[both], old_r[both]])
        state.block_keys = None  # the final register's keys hold what is kept of them
    else:
        report.stage(f"blocking {n:,} records")
        blocked = profile.block(norm)
    pairs = canonical_pairs(blocked, record_ids)
    # the scores of the state, for pairs of two reused records
    width = np.int64(max(n, 1))
    old_keys = old_l[both] * width + old_r[both]
    order = np.argsort(old_keys, kind="stable")
    old_keys, old_at = old_keys[order], np.flatnonzero(both)[order]
    keys = pairs[:, 0] * width + pairs[:, 1]
    where = np.minimum(np.searchsorted(old_keys, keys), max(len(old_keys) - 1, 0))
    found = (old_keys[where] == keys) if len(old_keys) else np.zeros(len(keys), dtype=bool)
    if model is not None:  # another model than the run's: every pair is scored anew
        found[:] = False
    probabilities = np.zeros(len(pairs))
    reasons = np.full(len(pairs), "", dtype=object)
    probabilities[found] = state.probabilities[old_at[where[found]]]
    reasons[found] = state.reasons[old_at[where[found]]]
    review = review_threshold if review_threshold is not None else min(0.3, threshold or 0.5)
    thresholds = (threshold if threshold is not None else float(getattr(fitted, "threshold_", 0.5)), float(review))
    rescore = ~found
    reused = np.flatnonzero(found)
    rescore[reused[_moved_by_frequencies(fitted, old_counts, norm[counts], pairs[reused], probabilities[reused],
                                         thresholds)]] = True

    def score(mask: np.ndarray) -> Scored:
        at = np.flatnonzero(mask)
        scored = score_pairs(profile, fitted, norm, norm, pairs[at], threshold=threshold,
                             review_threshold=review_threshold, progress=report)
        probabilities[at], reasons[at] = scored.probabilities, scored.reasons
        return scored

    first = score(rescore)
    threshold, review_threshold = first.threshold, first.review_threshold
    apart = judged.apart(profile.keep_apart)

    def clustered() -> Any:
        bound = judged.bind(norm, pairs, probabilities, reasons)
        return bound, cluster(norm, bound[0], bound[1], threshold=threshold, apart=apart)

    report.stage("clustering")
    bound, clustering = clustered()
    # where records must be kept apart, the order of the probabilities decides the split: exact scores there
    if len(clustering.splits):
        ids = clustering.cluster_ids
        split_ids = set(clustering.splits["cluster_id"]) | set(ids[clustering.rows_of(clustering.splits["record_id_r"])])
        inside = _isin(ids, split_ids)
        again = inside[pairs[:, 0]] & inside[pairs[:, 1]] & ~rescore
        if again.any():
            score(again)
            rescore |= again
            bound, clustering = clustered()
    pairs, probabilities, reasons = bound
    scored = Scored(pairs, probabilities, reasons, float(threshold), float(review_threshold))

    lineage = state.lineage
    previous = pd.DataFrame({"record_id": old_ids, "cluster_id": state.cluster_ids})
    used = lineage.retired | set(state.cluster_ids.tolist())
    inherited = inherit_ids(record_ids, clustering.labels, previous, lineage.meta, used, run=lineage.run + 1)
    clustering = clustering.with_ids(inherited.ids)
    ids = inherited.ids
    ahead = begin_state(records, scored, ids, kept_keys, register=True, hashes=hashes) if prepare_state else None

    # which clusters changed: a member joined, left or was re-typed
    changed_record = np.r_[np.zeros(n_kept, dtype=bool), np.ones(n - n_kept, dtype=bool)]
    prev_id = pd.Series(record_ids).map(pd.Series(state.cluster_ids, index=old_ids)).to_numpy(dtype=object)
    moved = changed_record | (prev_id != ids)
    lost = set(state.cluster_ids[~kept].tolist()) | set(prev_id[moved & pd.notna(prev_id)].tolist())
    lost_ids = pd.Series(list(lost), dtype=object)
    vanished = set(lost_ids[~lost_ids.isin(ids).to_numpy()].tolist())  # every id no longer held is among lost
    changed_ids = set(ids[moved].tolist()) | (lost - vanished)
    in_changed = _isin(ids, changed_ids)

    decisions, notices, verification = state.decisions, pd.DataFrame(), state.verification
    if options.get("decide", True):
        report.stage(f"deciding managing units of {len(changed_ids):,} changed clusters")
        rows = np.flatnonzero(in_changed)
        sub_norm = norm.iloc[rows].reset_index(drop=True)
        sub_ids = ids[rows]
        fresh_decisions = resolve.decide(sub_norm, sub_ids, as_of=as_of, rules=rules)
        position = np.full(n, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        inner = (position[pairs[:, 0]] >= 0) & (position[pairs[:, 1]] >= 0)
        drafted = resolve.draft_notices(fresh_decisions, sub_norm, sub_ids, position[pairs[inner]],
                                        probabilities[inner], reasons[inner], district=district, as_of=as_of,
                                        raw=raw.iloc[rows].astype(object).reset_index(drop=True))
        redone = changed_ids | vanished  # a cluster of the state is carried over unless it changed or is gone

        def carried(frame: pd.DataFrame) -> pd.DataFrame:
            if not len(frame.columns):
                return frame
            return frame[~frame["cluster_id"].isin(redone).to_numpy()]

        decisions = pd.concat([carried(state.decisions), fresh_decisions], ignore_index=True)
        decisions = decisions.sort_values("cluster_id", kind="stable", ignore_index=True)
        verification = pd.concat([carried(state.verification), drafted.verification], ignore_index=True)
        verification = verification.sort_values("cluster_id", kind="stable", ignore_index=True)
        notices = _not_sent(drafted.notices, lineage.sent)
    sent = pd.concat([lineage.sent, notices], ignore_index=True) if len(notices) else lineage.sent
    changes = _changes(record_ids, ids, prev_id, changed_record, old_ids[gone], state.cluster_ids[gone],
                       inherited, clustering.splits, pairs, probabilities, reasons, threshold,
                       norm["status"].to_numpy(dtype=object), state)
    # ids once used and held by no cluster now: those retired before and the state's that vanished
    before = pd.Series(sorted(lineage.retired), dtype=object)
    retired = set(before[~before.isin(ids).to_numpy()].tolist()) | vanished
    report.done()
    result_options = dict(options, threshold=float(threshold), review_threshold=float(review_threshold),
                          district=district, as_of=f"{as_of:%Y-%m-%d}", rules=rules, judged=judged)
    return DedupeResult(records, scored, clustering, decisions, notices, verification, timings=report.timings,
                        extra_tables={"changes": changes}, model=fitted, options=result_options, block_keys=kept_keys,
                        lineage=Lineage(run=lineage.run + 1, meta=inherited.meta, retired=retired, sent=sent,
                                        row_hashes=hashes), state_ahead=ahead)


def _not_sent(notices: pd.DataFrame, sent: pd.DataFrame) -> pd.DataFrame:
    """The notices of ``notices`` that ``sent`` does not hold (same kind, records and units)."""
    if not len(notices) or not len(sent) or not set(NOTICE_KEY) <= set(sent.columns):
        return notices
    def key(frame: pd.DataFrame) -> pd.Series:
        texts = [frame[column].astype(str) for column in NOTICE_KEY]
        return texts[0].str.cat(texts[1:], sep="\x1f")

    return notices[~key(notices).isin(set(key(sent))).to_numpy()].reset_index(drop=True)


def _strongest(pairs: np.ndarray, probabilities: np.ndarray, mask: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """The strongest pair of each ``group`` value (object (q,), one per pair of ``mask``): columns
    group, at (index into pairs)."""
    at = np.flatnonzero(mask)
    frame = pd.DataFrame({"group": group, "at": at, "p": probabilities[at]})
    if not len(frame):
        return frame
    return frame.sort_values(["group", "p"], ascending=[True, False], kind="stable").drop_duplicates("group")


def _changes(record_ids: np.ndarray, ids: np.ndarray, prev_id: np.ndarray, changed_record: np.ndarray,
             gone_ids: np.ndarray, gone_clusters: np.ndarray, inherited: Any, splits: pd.DataFrame,
             pairs: np.ndarray, probabilities: np.ndarray, reasons: np.ndarray, threshold: float,
             status: np.ndarray, state: State) -> pd.DataFrame:
    """changes.csv (CHANGE_COLUMNS), sorted by cluster_id, change and record_id.  The cluster ids
    now (``ids``) and then (``prev_id``, NaN for a new record) are compared as integer codes of one
    factorisation: pair-wide tests are integer arrays, not Python strings."""
    rows: list[dict] = []
    n = len(ids)
    codes, uniques = pd.factorize(np.r_[np.asarray(ids, dtype=object), np.asarray(prev_id, dtype=object)])
    cur, prev = codes[:n], codes[n:]  # prev: -1 for a new record
    code_of = pd.Index(uniques)
    sizes = np.bincount(cur)[cur] if n else np.zeros(0, dtype=np.int64)
    merged = {(absorbed, kept_id) for kept_id, absorbed in inherited.merged}
    split = set(inherited.split)
    matched = probabilities >= threshold
    cur_l, cur_r = cur[pairs[:, 0]], cur[pairs[:, 1]]
    same_now = cur_l == cur_r

    def pair_fields(at: int | None, reason: str) -> dict:
        if at is None:
            return {"record_id_l": "", "record_id_r": "", "probability": np.nan, "reason": reason}
        return {"record_id_l": record_ids[pairs[at, 0]], "record_id_r": record_ids[pairs[at, 1]],
                "probability": round(float(probabilities[at]), 4), "reason": reasons[at] or reason}

    # per record: joined / left / new
    was = prev >= 0
    moved = (~was) | (prev != cur)
    cluster_move = np.zeros(len(ids), dtype=bool)  # moved with its whole cluster (a merge or a split)
    moving = np.flatnonzero(moved & was)
    if len(moving) and (merged or split):
        cluster_move[moving] = [(p, i) in merged or (p, i) in split
                                for p, i in zip(prev_id[moving].tolist(), ids[moving].tolist())]
    joiners = np.flatnonzero(moved & ~cluster_move & (sizes > 1))
    side = np.r_[pairs[:, 0], pairs[:, 1]]
    is_joiner = np.zeros(len(ids), dtype=bool)
    is_joiner[joiners] = True
    mask2 = is_joiner[side] & np.r_[matched & same_now, matched & same_now]
    best = _strongest(np.r_[pairs, pairs], np.r_[probabilities, probabilities], mask2, side[mask2])
    best_of = dict(zip(best["group"].tolist(), (best["at"] % max(len(pairs), 1)).tolist())) if len(best) else {}
    for row in joiners.tolist():
        rows.append({"change": "joined", "cluster_id": ids[row], "record_id": record_ids[row],
                     "other_cluster_id": prev_id[row] if was[row] else "",
                     **pair_fields(best_of.get(row), "matched")})
    for row in np.flatnonzero(~was & (sizes == 1)).tolist():
        rows.append({"change": "new", "cluster_id": ids[row], "record_id": record_ids[row], "other_cluster_id": "",
                     **pair_fields(None, "new record, matches no other")})
    leavers = np.flatnonzero(was & moved & ~cluster_move)
    if len(leavers):
        old_codes, old_uniques = pd.factorize(state.cluster_ids)
        old_sizes = pd.Series(np.bincount(old_codes, minlength=len(old_uniques)), index=old_uniques)
        leavers = leavers[pd.Series(prev_id[leavers]).map(old_sizes).fillna(1).to_numpy() > 1]
    for row in leavers.tolist():
        rows.append({"change": "left", "cluster_id": prev_id[row], "record_id": record_ids[row],
                     "other_cluster_id": ids[row], **pair_fields(None, "no longer matched to its records")})
    became_inactive = changed_record & was & is_inactive(status)
    for row in np.flatnonzero(became_inactive & (sizes > 1)).tolist():
        rows.append({"change": "left", "cluster_id": ids[row], "record_id": record_ids[row], "other_cluster_id": "",
                     **pair_fields(None, f"status {status[row]}: no longer one of her active records")})
    for rid, cid in zip(gone_ids.tolist(), gone_clusters.tolist()):
        rows.append({"change": "left", "cluster_id": cid, "record_id": rid, "other_cluster_id": "",
                     **pair_fields(None, "not in the full re-export: left the register")})
    # per cluster: merged / split, with the pair between the two parts
    # the pairs that can join two parts (matched now, their records apart before) / part two (apart now)
    prev_l, prev_r = prev[pairs[:, 0]], prev[pairs[:, 1]]
    joining = np.flatnonzero(matched & same_now & (prev_l != prev_r)) if inherited.merged else np.zeros(0, dtype=np.int64)
    parting = np.flatnonzero(~same_now) if inherited.split else np.zeros(0, dtype=np.int64)
    for kept_id, absorbed in inherited.merged:
        kept_code = code_of.get_loc(kept_id)
        sub_l, sub_r = prev_l[joining], prev_r[joining]
        between = (cur_l[joining] == kept_code) & (
            ((sub_l == kept_code) & (sub_r != kept_code)) | ((sub_r == kept_code) & (sub_l != kept_code)))
        at = joining[between]
        strongest = int(at[np.argmax(probabilities[at])]) if len(at) else None
        rows.append({"change": "merged", "cluster_id": kept_id, "record_id": "", "other_cluster_id": absorbed,
                     **pair_fields(strongest, "matched")})
    for old, part in inherited.split:
        apart = splits[(splits["cluster_id"].isin([old, part]))]
        if len(apart):
            first = apart.iloc[0]
            fields = {"record_id_l": first["record_id_l"], "record_id_r": first["record_id_r"],
                      "probability": round(float(first["probability"]), 4), "reason": "kept_apart"}
        else:
            old_code, part_code = code_of.get_loc(old), code_of.get_loc(part)
            id_l, id_r = cur_l[parting], cur_r[parting]
            across = ((id_l == old_code) & (id_r == part_code)) | ((id_l == part_code) & (id_r == old_code))
            at = parting[across]
            strongest = int(at[np.argmax(probabilities[at])]) if len(at) else None
            fields = pair_fields(strongest, "below the match threshold now")
            if strongest is not None:
                fields["reason"] = "below the match threshold now"
        rows.append({"change": "split", "cluster_id": old, "record_id": "", "other_cluster_id": part, **fields})
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return frame.sort_values(["cluster_id", "change", "record_id"], kind="stable", ignore_index=True)
