"""``audit``: the whole clean-up in one call -- dedupe, logic checks, children checks, separation,
unregistered women, summary and the spot-check sample -- and ``AuditResult.write`` for the
files of SCHEMA.md's audit contract (plus the dedupe outputs).

>>> import pandas as pd
>>> register = pd.DataFrame({"record_id": ["r1"], "unit_code": ["330106001"], "name": ["王芳"],
...                          "id_number": ["11010519491231002X"], "sex": ["女"]})
>>> result = audit(register, as_of="2026-01-31", dedupe_records=False)
>>> sorted(result.tables())[:5]
['findings', 'key_targets', 'missing', 'sample', 'separation']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from resolve.rules import load_rules

from ..errors import ConfigError
from ..messages import text
from ..normalize.dates import as_of_date
from ..pipeline import dedupe, in_place, write_tables
from ..prepare import Records
from ..report_html import write_report
from ..profile import RegisterProfile
from ..progress import Progress
from ..run_folder import RunFolder, atomic_folder
from .base import AuditOptions, FINDING_COLUMNS
from .births import clue_counts, deferral_sheet, find_clues
from .checks import RECORD_RULES, run_checks
from .children import CHILD_RULES, check_children
from .deadline import close_past_deadline
from .explained import apply_explanations, explained_counts, known_rule_names, read_explained, unexplained
from .key_targets import KEY_RULES, key_target_list, latest_child_births, run_key_checks
from .missing import find_missing
from .sample import draw_sample
from .scope import ours
from .separation import find_separation
from .street_counts import CAMPAIGN_COUNT_COLUMNS, add_street_counts, write_campaign_workbooks
from .summary import COUNT_COLUMNS, rule_counts, summarize, write_summary_excel

DEFAULT_SAMPLE_SIZE = 30
"""Records drawn per street for the spot check (``--sample``)."""
DEFAULT_SEED = 2026


@dataclass
class AuditResult:
    """The outcome of ``audit``: one DataFrame per file of the audit contract.

    findings: rule broken by a record or child row; separation: records living away from
    their household registration; missing: women to enter; summary: counts per street and
    the district; sample: the spot-check draw; dedupe: the ``DedupeResult`` (None when the
    dedupe was skipped).
    """

    records: Records
    findings: pd.DataFrame
    separation: pd.DataFrame
    missing: pd.DataFrame
    summary: pd.DataFrame
    sample: pd.DataFrame
    dedupe: Any = None
    as_of: pd.Timestamp | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every audit table by file stem (the dedupe tables are in ``dedupe.tables()``)."""
        return {"findings": self.findings, "separation": self.separation, "missing": self.missing,
                "summary": self.summary, "sample": self.sample, **self.extra}

    def counts(self) -> dict[str, int]:
        """The district totals (the summary's last row) and the sample size, for a run's report."""
        total = self.summary.iloc[-1]
        shown = [*COUNT_COLUMNS, *(c for c in self.summary.columns if c in CAMPAIGN_COUNT_COLUMNS)]
        counts = {column: int(total[column]) for column in shown}
        counts["spot_check_sample"] = len(self.sample)
        return counts

    def write(self, folder: str | os.PathLike, *, run: RunFolder | None = None, state: bool = True,
              progress: Progress | None = None) -> list[Path]:
        """Write the run's folder whole (``linkage.run_folder``): findings/separation/missing/summary/
        sample.csv, summary.xlsx, the dedupe outputs (with ``state`` also state/ for ``linkage update``)
        and manifest.json."""
        with atomic_folder(folder, run=run, as_of=None if self.as_of is None else str(self.as_of.date())) as target:
            written = self.write_files(target, state=state, progress=progress)
        return in_place(written, target, folder)

    def write_files(self, folder: Path, *, state: bool = True, progress: Progress | None = None) -> list[Path]:
        """The files of ``write`` written straight into ``folder`` (no manifest, no swap)."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = self.dedupe.write_files(folder, report=False, state=state, progress=progress) if self.dedupe is not None else []
        paths += write_tables(self.tables(), folder, progress=progress)
        workbook = folder / "summary.xlsx"
        if progress is not None:
            progress.stage(text("stage.writing_step", file=workbook.name))
        write_summary_excel(self.summary, workbook, rules=rule_counts(unexplained(self.findings)), as_of=self.as_of)
        paths.append(workbook)
        paths += write_campaign_workbooks(self.extra, folder)
        if self.dedupe is not None:  # report.html with the findings per street
            paths.append(write_report(folder, self.dedupe, title="清理清查运行报告", audit_summary=self.summary,
                                      as_of=self.as_of, district=self.dedupe.district))
        return paths


def audit(
    register: Any,
    *,
    children: Any = None,
    externals: Iterable[Any] = (),
    district: str | None = None,
    as_of: Any = None,
    sample: int = DEFAULT_SAMPLE_SIZE,
    seed: int = DEFAULT_SEED,
    threshold: float | None = None,
    model: Any = None,
    rules: Any = None,
    checks: tuple = RECORD_RULES,
    options: AuditOptions | None = None,
    dedupe_records: bool = True,
    progress: bool | Progress = False,
    explained: Any = None,
    births: Any = None,
    due: Any = None,
    deferrals: Any = None,
    deadline: Any = None,
    prepare_state: bool = False,
) -> AuditResult:
    """Run the clean-up audit on a register.

    register: path (.csv/.xlsx/.parquet) or DataFrame in the register layout (n records).
    children: the children table (path or frame) or None; externals: shared-platform
    extracts (paths or frames) to find unregistered women in; district: this office's
    6-digit code (findings, separation, sample and summary then list its units' records only:
    ``scope.ours``); as_of: the reference date (default today); sample / seed: records per
    street for the spot check and the draw's seed; threshold / model: the match model
    (``linkage.dedupe``); rules: managing-unit rules (``resolve.RuleSet`` or a path);
    checks: the record rules to run; options: the rules' thresholds; dedupe_records=False
    skips the dedupe (its counts are then 0).  explained: a file or frame of explained
    findings (``explained.read_explained``; the records' remarks are read in any case); births:
    the shared platform's births for the birth clues, due their due date and deferrals the
    延期报告 handed back (``births.find_clues``); deadline: past it, undetermined duplicate
    groups go to the earliest WIS holder (``deadline.close_past_deadline``).  prepare_state: the
    result will be written with its state (as the command line does): ``dedupe``'s.
    """
    if births is None and (due is not None or deferrals is not None):
        raise ConfigError("--due 和 --deferrals 须与 --births(出生信息)一起使用; --due and --deferrals need --births")
    report = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    when = as_of_date(as_of)
    profile = RegisterProfile()
    report.stage(text("stage.reading", role=text("role.register")))
    records = register if isinstance(register, Records) else profile.load(register)
    if isinstance(rules, (str, os.PathLike)):
        rules = load_rules(rules)
    duplicates = None
    if dedupe_records:
        duplicates = dedupe(records, threshold=threshold, model=model, district=district, as_of=when, rules=rules,
                            progress=report, prepare_state=prepare_state)
        if deadline is not None:
            duplicates = close_past_deadline(duplicates, deadline=deadline, as_of=when, district=district)
    report.stage(text("stage.logic"))
    findings = [run_checks(records, as_of=when, rules=checks, options=options, district=district)]
    latest_child = latest_child_births(children, records) if children is not None else None
    findings.append(run_key_checks(records, as_of=when, options=options, latest_child=latest_child))
    if children is not None:
        report.stage(text("stage.children"))
        findings.append(check_children(children, records, as_of=when, options=options))
    findings_table = pd.concat(findings, ignore_index=True)[FINDING_COLUMNS]
    findings_table = apply_explanations(
        findings_table, remarks=pd.DataFrame({column: records.norm[column] for column in
                                              ("record_id", "unit_code", "remarks")}),
        explained=read_explained(explained) if explained is not None else None,
        known_rules=known_rule_names(checks, KEY_RULES, CHILD_RULES))
    findings_table = findings_table[ours(findings_table["unit_code"], district)].reset_index(drop=True)
    extra = {"key_targets": _ours_rows(key_target_list(records, findings_table, latest_child=latest_child), district)}
    street_counts = [explained_counts(findings_table)]
    if births is not None:
        report.stage(text("stage.births"))
        clues = find_clues(records, births, children=children, district=district, as_of=when, due=due,
                           deferrals=deferrals, threshold=threshold, model=model)
        extra.update(clues=clues, deferrals=deferral_sheet(clues))
        street_counts.append(clue_counts(clues))
    report.stage(text("stage.separation"))
    separation = find_separation(records, as_of=when, rules=rules, district=district)
    externals = list(externals)
    report.stage(text("stage.missing", n=len(externals)))
    missing = find_missing(records, externals, district=district, as_of=when, threshold=threshold, model=model,
                           options=options)
    report.stage(text("stage.summary"))
    clusters = duplicates.clusters if duplicates is not None else None
    notices = duplicates.notices if duplicates is not None else None
    summary = summarize(records, clusters=clusters, notices=notices, separation=separation,
                        findings=unexplained(findings_table), missing=missing, district=district)
    summary = add_street_counts(summary, street_counts, district=district)
    drawn = draw_sample(records, size=sample, seed=seed, findings=unexplained(findings_table), district=district)
    report.done()
    return AuditResult(records=records, findings=findings_table, separation=separation, missing=missing,
                       summary=summary, sample=drawn, dedupe=duplicates, as_of=when, extra=extra)


def _ours_rows(table: pd.DataFrame, district: str | None) -> pd.DataFrame:
    return table[ours(table["unit_code"], district)].reset_index(drop=True)
