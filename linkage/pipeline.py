"""The pipeline: records -> blocking -> scoring -> clustering -> decisions and notices.

``dedupe`` finds the duplicates inside one register; ``link`` matches two tables (a register
against a shared-platform extract, or any two registers of the same profile).  Both take a
path (.csv, .xlsx, .parquet) or a DataFrame and return a result object whose tables are
DataFrames and whose ``write(folder)`` writes the files of SCHEMA.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import resolve
from blocking.kernels import BlockStats
from resolve.clusters import cluster
from resolve.workbook import write_action_workbook
from resolve.judged import load_judged
from resolve.stable_ids import canonical_pairs
from scoring.run import Scored, load_model, score_pairs

from .errors import ConfigError
from .io import write_csv
from .messages import text
from .run_folder import RunFolder, atomic_folder
from .identity import NEVER
from .normalize.dates import as_of_date
from .prepare import Records
from .report_html import write_report
from .profile import Profile, RegisterProfile
from .parallel import side_by_side
from .progress import Progress


WRITING_COSTS = {"table_row": 6e-6, "workbook_row": 6e-5, "document_line": 2.1e-4, "state_record": 2.6e-5,
                 "state_row": 1.7e-5}
"""Seconds each writing job takes per row on this 2-core machine (a 250k-record run, both writing
processes busy): a CSV table's row, a row of 办理清单.xlsx (notices, verification, decisions), a
printable line (notice record or verification line), a record of state/'s large files, a row of its
small ones (decisions, notices, verification, flags).  Only their ratios matter: they share the
printable workbooks out between the two writing processes."""


@dataclass
class DedupeResult:
    """The outcome of ``dedupe``.

    records: the register as read and normalised (n rows); scored: every candidate pair with
    its probability; clustering: cluster per record; decisions / notices / verification:
    the managing-unit outcome (empty frames when the profile has no managing units).
    """

    records: Records
    scored: Scored
    clustering: Any
    decisions: pd.DataFrame
    notices: pd.DataFrame
    verification: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    model: Any = None  # the match model that scored the pairs (its weights go into report.html)
    profile: Any = None
    district: str | None = None
    as_of: Any = None
    block_stats: BlockStats | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """The run's options (threshold, review_threshold, district, as_of, rules, decide): what its
    state keeps so that ``linkage update`` runs the same way."""
    lineage: Any = None
    """``linkage.state.Lineage`` of an update (run number, cluster ids' history, notices sent); None
    for a first run."""
    block_keys: dict[str, np.ndarray] | None = None
    """The register's blocking keys (``blocking.block_keys``) when blocking made them (a run of the
    WIS register, or an update joining the month's keys to the state's): what its state keeps."""
    state_ahead: Any = field(default=None, repr=False, compare=False)
    """``linkage.state.begin_state``'s handle: state/'s large files being encoded in a second process
    (``prepare_state=True``), written by the first ``write`` (dropped by one without ``state``)."""

    @property
    def cluster_ids(self) -> np.ndarray:
        return self.clustering.cluster_ids

    @property
    def clusters(self) -> pd.DataFrame:
        """clusters.csv: every input record exactly once."""
        return self.clustering.table()

    @property
    def pairs(self) -> pd.DataFrame:
        """pairs.csv: scored pairs at or above the review threshold, each with the smaller
        record_id on the left, most probable first, then by record_id (the file does not depend
        on the register's row order)."""
        return ordered_pairs(self.scored.table(self.records.norm, self.records.norm, self.scored.review_threshold))

    @property
    def flags(self) -> pd.DataFrame:
        return self.records.flags

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by file stem.  decisions / notices / verification are left out
        when they were not made (``decide=False``, or a profile without managing units)."""
        made = {name: frame for name, frame in (("decisions", self.decisions), ("notices", self.notices),
                                                 ("verification", self.verification)) if len(frame.columns)}
        return {
            "clusters": self.clusters,
            "pairs": self.pairs,
            **made,
            "splits": self.clustering.splits,
            "flags": self.flags,
            **oversized_blocks(self.block_stats),
            **self.extra_tables,
        }

    def write(self, folder: str | os.PathLike, *, printable: bool = True, report: bool = True, state: bool = True,
              run: RunFolder | None = None, progress: Progress | None = None) -> list[Path]:
        """Write the run's folder whole (``linkage.run_folder``): every table as CSV, 办理清单.xlsx (the
        notices, verification list and decisions in Chinese, ``resolve.workbook``), with
        ``printable`` one Excel workbook of notices per receiving unit in ``printable/``, with
        ``report`` report.html (``linkage.report_html``), with ``state`` what ``linkage update``
        needs in ``state/`` (``linkage.state``), and manifest.json; an earlier run's folder is replaced, never mixed with it.  ``run``: a
        folder the caller began (and commits).  Returns the paths as they are once in place."""
        with atomic_folder(folder, run=run) as target:
            written = self.write_files(target, printable=printable, report=report, state=state, progress=progress)
        return in_place(written, target, folder)

    def write_files(self, folder: Path, *, printable: bool = True, report: bool = True, state: bool = True,
                    progress: Progress | None = None) -> list[Path]:
        """The files of ``write`` written straight into ``folder`` (no manifest, no swap).  The CSV
        tables and most printable workbooks are written in this process while a second one
        (``linkage.parallel``, where the machine has a second core) writes 办理清单.xlsx, the rest of the
        printable workbooks (``_documents_beside``), report.html and state/ (its large files by the
        process ``dedupe(prepare_state=True)`` began, when there is one)."""
        ahead, self.state_ahead = self.state_ahead, None
        if ahead is not None and not state:
            ahead.cancel()
        elif ahead is not None:
            ahead.send(Path(folder) / "state")
        printing = printable and bool(len(self.notices) or len(self.verification))
        beside = self._documents_beside(state=state, heavy=ahead is None) if printing else 0.0

        def tables_and_documents() -> list[Path]:
            paths = write_tables(self.tables(), folder, progress=progress)
            if printing:
                if progress is not None:
                    progress.stage(text("stage.writing_step", file="printable/"))
                paths += resolve.write_documents(self.notices, self.verification, Path(folder) / "printable",
                                                 share=(beside, 1.0))
            return paths

        def workbook_report_state() -> list[Path]:
            paths = []
            if len(self.decisions.columns) and len(self.notices.columns):  # the people's copy: 办理清单.xlsx
                paths.append(write_action_workbook(self.notices, self.verification, self.decisions, folder))
            if printing and beside > 0:
                paths += resolve.write_documents(self.notices, self.verification, Path(folder) / "printable",
                                                 share=(0.0, beside))
            if report:  # report.html: the run to look at
                paths.append(write_report(folder, self, as_of=self.as_of, district=self.district))
            if state:
                from .state import write_state

                paths.append(write_state(self, Path(folder) / "state", heavy=ahead is None))
            return paths

        if progress is not None:
            progress.stage(text("stage.writing_step", file="办理清单.xlsx, report.html, state/"))
        try:
            first, second = side_by_side(tables_and_documents, workbook_report_state)
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
        if ahead is not None and state:
            ahead.result()  # state/'s large files, written by the process that encoded them
        return first + second

    def _documents_beside(self, *, state: bool, heavy: bool) -> float:
        """The share of the printable workbooks (by lines) that the second writing process takes
        beside 办理清单.xlsx, report.html and state/ (``state``; its ``heavy`` files too unless another
        process writes them), so that both finish at about the same time (``WRITING_COSTS``); the
        first takes the rest after the CSV tables."""
        table_rows = len(self.records) + len(self.records.flags) + len(self.decisions) + len(self.notices) + \
            int((self.scored.probabilities >= self.scored.review_threshold).sum())
        first = WRITING_COSTS["table_row"] * table_rows
        outcome = len(self.notices) + len(self.verification) + len(self.decisions)
        second = WRITING_COSTS["workbook_row"] * outcome
        if state:
            second += WRITING_COSTS["state_row"] * (outcome + len(self.records.flags))
            second += WRITING_COSTS["state_record"] * len(self.records) if heavy else 0.0
        documents = WRITING_COSTS["document_line"] * (len(self.notices) + len(self.verification))
        return float(np.clip((first + documents - second) / (2 * documents), 0.0, 1.0)) if documents else 0.0

    def summary(self) -> dict[str, int]:
        """The run's counts, each equal to the rows of the file it names (``messages.SUMMARY_LABELS``
        says what each counts): undetermined_groups are decisions.csv's undetermined rows,
        undetermined the groups this district must verify (verification.csv)."""
        sizes = self.clustering.sizes
        status = self.decisions["status"] if "status" in self.decisions.columns else pd.Series(dtype=object)
        return {
            "records": len(self.records),
            "flagged_values": len(self.records.flags),
            "candidate_pairs": len(self.scored.pairs),
            "matched_pairs": int((self.scored.probabilities >= self.scored.threshold).sum()),
            "clusters_of_2_plus": int(len(np.unique(self.clustering.labels[sizes > 1]))),
            "records_in_clusters": int((sizes > 1).sum()),
            "notices": int(self.notices["notice_id"].nunique()) if "notice_id" in self.notices.columns else 0,
            "notice_records": len(self.notices),  # rows of notices.csv: one per record to cancel or transfer
            "undetermined_groups": int((status == "undetermined").sum()),
            "undetermined": len(self.verification),
            **oversized_counts(self.block_stats),
        }


@dataclass
class LinkResult:
    """The outcome of ``link``: links (matched pairs), and for each side the records that
    linked to nothing with their best candidate.  vetoed: bool (p,), candidate pairs that can
    never be one person (e.g. two valid, different ID numbers), never links whatever their score."""

    left: Records
    right: Records
    scored: Scored
    vetoed: np.ndarray
    one_to_one: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @cached_property
    def matched(self) -> np.ndarray:
        """bool (p,): the candidate pairs that are links."""
        keep = (self.scored.probabilities >= self.scored.threshold) & ~self.vetoed
        if self.one_to_one:
            keep &= _mutual_best(self.scored.pairs, self.scored.probabilities)
        return keep

    @property
    def links(self) -> pd.DataFrame:
        """links.csv: record_id_l, record_id_r, probability, reasons (+ names where known)."""
        return self.scored.table(self.left.norm, self.right.norm, mask=self.matched)

    @cached_property
    def unmatched_left(self) -> pd.DataFrame:
        return self._unmatched(0, self.left)

    @cached_property
    def unmatched_right(self) -> pd.DataFrame:
        return self._unmatched(1, self.right)

    def _unmatched(self, side: int, records: Records) -> pd.DataFrame:
        other = self.right if side == 0 else self.left
        pairs, probs = self.scored.pairs, self.scored.probabilities
        linked = np.zeros(len(records), dtype=bool)
        linked[pairs[self.matched, side]] = True
        best_prob = np.full(len(records), np.nan)
        best_other = np.full(len(records), -1, dtype=np.int64)
        if len(pairs):
            order = np.lexsort((-probs, pairs[:, side]))
            first = order[np.r_[True, pairs[order[1:], side] != pairs[order[:-1], side]]]
            best_prob[pairs[first, side]] = probs[first]
            best_other[pairs[first, side]] = pairs[first, 1 - side]
        other_ids = np.r_[other.norm["record_id"].to_numpy(dtype=object), np.array([""], dtype=object)]
        rows = np.flatnonzero(~linked)
        return pd.DataFrame({
            "record_id": records.norm["record_id"].to_numpy(dtype=object)[rows],
            "best_candidate_record_id": other_ids[best_other[rows]],
            "best_probability": np.round(best_prob[rows], 4),
        })

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"links": self.links, "unmatched_left": self.unmatched_left, "unmatched_right": self.unmatched_right,
                "flags_left": self.left.flags, "flags_right": self.right.flags}

    def write(self, folder: str | os.PathLike, *, run: RunFolder | None = None,
              progress: Progress | None = None) -> list[Path]:
        """The run's folder written whole, as ``DedupeResult.write``."""
        with atomic_folder(folder, run=run) as target:
            written = self.write_files(target, progress=progress)
        return in_place(written, target, folder)

    def write_files(self, folder: Path, *, progress: Progress | None = None) -> list[Path]:
        return write_tables(self.tables(), folder, progress=progress)

    def summary(self) -> dict[str, int]:
        return {
            "records_left": len(self.left),
            "records_right": len(self.right),
            "candidate_pairs": len(self.scored.pairs),
            "links": int(self.matched.sum()),
            "unmatched_left": len(self.unmatched_left),
            "unmatched_right": len(self.unmatched_right),
        }


def ordered_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """A dedupe's pairs table with record_id_l < record_id_r (every *_l / *_r column swapped
    with it), sorted by probability (highest first), record_id_l, record_id_r."""
    if not len(table) or "record_id_l" not in table.columns:
        return table
    left, right = table["record_id_l"].astype(str).to_numpy(), table["record_id_r"].astype(str).to_numpy()
    swap = left > right
    if swap.any():
        table = table.copy()
        for column in [c for c in table.columns if c.endswith("_l") and f"{c[:-2]}_r" in table.columns]:
            other = f"{column[:-2]}_r"
            l_values, r_values = table[column].to_numpy(copy=True), table[other].to_numpy(copy=True)
            table[column] = np.where(swap, r_values, l_values)
            table[other] = np.where(swap, l_values, r_values)
    keys = ["record_id_l", "record_id_r"]
    if "probability" in table.columns:
        order = np.lexsort((table["record_id_r"].astype(str).to_numpy(), table["record_id_l"].astype(str).to_numpy(),
                            -table["probability"].to_numpy(dtype=float)))
    else:
        order = np.lexsort(tuple(table[k].astype(str).to_numpy() for k in reversed(keys)))
    return table.iloc[order].reset_index(drop=True)


def oversized_blocks(stats: BlockStats | None) -> dict[str, pd.DataFrame]:
    """{'blocks': one row per blocking key that skipped blocks over its cap: key, blocks, records
    (held by those blocks)}; {} when none was skipped."""
    if stats is None or not any(stats.skipped_blocks.values()):
        return {}
    keys = [key for key, count in stats.skipped_blocks.items() if count]
    return {"blocks": pd.DataFrame({"key": keys, "blocks": [stats.skipped_blocks[k] for k in keys],
                                    "records": [stats.skipped_records.get(k, 0) for k in keys]})}


def oversized_counts(stats: BlockStats | None) -> dict[str, int]:
    """The summary's word on capped blocks: how many were skipped, and the records they held
    (a record counted once per key whose block was too big)."""
    if stats is None:
        return {}
    return {"oversized_blocks": int(sum(stats.skipped_blocks.values())),
            "records_in_oversized_blocks": int(sum(stats.skipped_records.values()))}


def _mutual_best(pairs: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """bool (p,): the pair is the best candidate of its left record and of its right record."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    frame = pd.DataFrame({"l": pairs[:, 0], "r": pairs[:, 1], "p": probs})
    best_l = frame.groupby("l")["p"].transform("max").to_numpy()
    best_r = frame.groupby("r")["p"].transform("max").to_numpy()
    return (probs >= best_l) & (probs >= best_r)


def write_tables(tables: dict[str, pd.DataFrame], folder: str | os.PathLike, *,
                 progress: Progress | None = None) -> list[Path]:
    """Each table to ``folder/<name>.csv`` (``linkage.io.write_csv``), a progress stage each.
    Returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        if progress is not None:
            progress.stage(text("stage.writing_step", file=path.name))
        write_csv(frame, path)
        paths.append(path)
    return paths


def in_place(paths: list[Path], written_in: Path, folder: str | os.PathLike) -> list[Path]:
    """Paths written in a run's hidden folder as they are once it is swapped into ``folder``."""
    return [Path(folder) / path.relative_to(written_in) for path in paths]


def _resolve(profile: Profile | None, records: Records, clustering: Any, scored: Scored, district: str | None,
             as_of: pd.Timestamp, rules: Any, report: Progress) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Managing-unit decisions, notices and the verification list (registers with units only;
    none when ``profile`` is None)."""
    if not getattr(profile, "managing_units", False):
        empty = pd.DataFrame()
        return empty, empty, empty
    if isinstance(rules, (str, os.PathLike)):
        rules = resolve.load_rules(rules)
    report.stage(text("stage.deciding"))
    decisions = resolve.decide(records.norm, clustering.cluster_ids, as_of=as_of, rules=rules)
    report.stage(text("stage.notices"))
    drafted = resolve.draft_notices(decisions, records.norm, clustering.cluster_ids, scored.pairs, scored.probabilities,
                            scored.reasons, district=district, as_of=as_of, raw=records.raw)
    return decisions, drafted.notices, drafted.verification


def _records(source: Any, profile: Profile, role: str, report: Progress) -> Records:
    """``source`` as Records: read and normalised unless it already is (the audit passes the
    register it prepared once)."""
    if isinstance(source, Records):
        return source
    report.stage(text("stage.reading", role=text(f"role.{role}")))
    return profile.load(source, role=role)


def dedupe(
    register: Any,
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    model: Any = None,
    profile: Profile | None = None,
    district: str | None = None,
    as_of: Any = None,
    rules: Any = None,
    decide: bool = True,
    judged: Any = None,
    progress: bool | Progress = False,
    engine: str = "local",
    master: str | None = None,
    prepare_state: bool = False,
) -> DedupeResult:
    """Find the duplicates in one register and decide who manages each woman.

    register: path or DataFrame (English or Chinese headers).  threshold: match probability
    at or above which a pair is the same woman (default: the model's recommended one).
    model: a ``scoring.MatchModel``, a path to its JSON, or None for the profile's default.
    district: this office's 6-digit district code; as_of: the clean-up's reference date.
    decide=False stops after clustering: no managing-unit decisions, notices or verification
    list (their frames are empty), for callers that want only who is whom.  judged: pairs a clerk
    judged (``resolve.judged``: a filled review workbook, a CSV or a DataFrame): a pair judged one
    woman is a match, a pair judged two women never shares a cluster; kept in the state for later runs.
    engine: 'local' (this process) or 'spark' (``linkage.spark``: the same stages on Spark, on
    ``master``, default the active session or local[2]; register may be a folder of parquet files).
    prepare_state: the result will be written with its state (``write(..., state=True)``, as the command
    line does): state/'s large files are encoded in a second process while the managing units are
    decided (``linkage.state.begin_state``), where the machine has a second core.
    """
    if engine == "spark":
        from .spark import dedupe_spark

        return dedupe_spark(register, threshold=threshold, review_threshold=review_threshold, model=model,
                            profile=profile, district=district, as_of=as_of, rules=rules, decide=decide,
                            judged=judged, progress=progress, master=master)
    if engine != "local":
        raise ConfigError(f"未知的引擎 {engine!r},应为 local 或 spark (unknown engine {engine!r}: use local or spark)")
    report = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    profile = profile or RegisterProfile()
    records = _records(register, profile, "register", report)
    report.stage(text("stage.blocking", n=len(records)))
    stats = BlockStats() if isinstance(profile, RegisterProfile) else None
    keys: dict[str, np.ndarray] | None = {} if stats is not None else None  # for the state: made on the way
    blocked = profile.block(records.norm, stats=stats, keys=keys) if stats is not None else profile.block(records.norm)
    pairs = canonical_pairs(blocked, records.norm["record_id"].to_numpy(dtype=object))
    fitted = load_model(model, profile)
    scored = score_pairs(profile, fitted, records.norm, records.norm, pairs, threshold=threshold,
                         review_threshold=review_threshold, progress=report)
    judged = load_judged(judged)
    if len(judged):
        scored = Scored(*judged.bind(records.norm, scored.pairs, scored.probabilities, scored.reasons),
                        scored.threshold, scored.review_threshold)
    report.stage(text("stage.clustering"))
    clustering = cluster(records.norm, scored.pairs, scored.probabilities, threshold=scored.threshold,
                         apart=judged.apart(profile.keep_apart))
    ahead = None
    if prepare_state:
        from .state import begin_state

        ahead = begin_state(records, scored, clustering.cluster_ids, keys, register=profile.name == "register")
    decisions, notices, verification = _resolve(profile if decide else None, records, clustering, scored, district,
                                                as_of_date(as_of), rules, report)
    report.done()
    options = {"threshold": scored.threshold, "review_threshold": scored.review_threshold, "district": district,
               "as_of": f"{as_of_date(as_of):%Y-%m-%d}", "decide": decide, "rules": rules, "judged": judged,
               "profile": profile.name}
    return DedupeResult(records, scored, clustering, decisions, notices, verification, timings=report.timings,
                        model=fitted, profile=profile, district=district, as_of=as_of_date(as_of),
                        block_stats=stats, options=options, block_keys=keys, state_ahead=ahead)


def link(
    left: Any,
    right: Any,
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    model: Any = None,
    profile: Profile | None = None,
    one_to_one: bool = False,
    progress: bool | Progress = False,
) -> LinkResult:
    """Match the records of two tables.  ``right`` may be an extract that has only some of the
    register's columns.  one_to_one keeps only pairs that are each side's best candidate."""
    report = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    profile = profile or RegisterProfile()
    left_records = _records(left, profile, "register", report)
    right_records = _records(right, profile, "extract", report)
    report.stage(text("stage.blocking_link", left=len(left_records), right=len(right_records)))
    pairs = profile.block_link(left_records.norm, right_records.norm)
    fitted = load_model(model, profile)
    scored = score_pairs(profile, fitted, left_records.norm, right_records.norm, pairs, threshold=threshold,
                         review_threshold=review_threshold, progress=report)
    vetoed = profile.keep_apart(left_records.norm, scored.pairs, right_records.norm) == NEVER
    report.done()
    return LinkResult(left_records, right_records, scored, vetoed, one_to_one=one_to_one, timings=report.timings)
