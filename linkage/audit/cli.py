"""The ``audit`` and ``spotcheck`` subcommands of the ``linkage`` command.

    linkage audit REGISTER -o OUT [--children FILE] [--external FILE ...] [--district CODE] [--as-of DATE]
                  [--sample N] [--seed S] [--threshold P] [--model FILE] [--rules NAME|FILE] [--options FILE]
                  [--explained FILE] [--births FILE] [--due DATE] [--deferrals FILE] [--deadline DATE]
    linkage followup EARLIER_OUT LATER_REGISTER -o OUT [the audit's options] [--spotcheck SAMPLE] [--weights FILE]
    linkage spotcheck SAMPLE -o OUT

``add_commands(subparsers)`` adds them to an ``argparse`` subparsers object and returns the
runners by command name (each takes the parsed arguments and returns a summary dict to print).
"""

from __future__ import annotations

import argparse
from typing import Callable

from ..cli_options import add_match, add_out, add_quiet, add_resolve, epilog
from ..io import input_notes, read_json_object, write_csv
from ..messages import describe, help_text
from ..run_folder import atomic_folder
from .base import AuditOptions
from .calendar import phase_lines
from .cli_campaign import add_campaign_inputs, add_deadline, add_followup, run_followup
from .run import DEFAULT_SAMPLE_SIZE, DEFAULT_SEED, audit
from .sample import spotcheck, write_spotcheck_excel

def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def add_commands(subparsers) -> dict[str, Callable[[argparse.Namespace], dict]]:
    """Add ``audit`` and ``spotcheck`` to ``subparsers``; returns {command: runner}."""
    audit = subparsers.add_parser("audit", help=help_text("audit"), description=describe("audit.description"),
                                  epilog=epilog())
    audit.add_argument("register", metavar="REGISTER", help=help_text("audit.register"))
    add_out(audit)
    audit.add_argument("--children", metavar="FILE", help=help_text("children"))
    audit.add_argument("--external", metavar="FILE", nargs="+", action="extend", default=[],
                       help=help_text("external"))
    audit.add_argument("--district", metavar="CODE", help=help_text("audit.district"))
    audit.add_argument("--sample", type=_positive, default=None, metavar="N", help=help_text("sample"))
    audit.add_argument("--seed", type=int, default=None, metavar="S", help=help_text("seed"))
    add_resolve(audit)
    add_match(audit)
    audit.add_argument("--options", metavar="FILE", help=help_text(
        "options", example='{"min_age": 15, "max_age": 49, "legal_marriage_age_female": 20}'))
    add_campaign_inputs(audit)
    add_deadline(audit)
    audit.add_argument("--no-dedupe", action="store_true", help=help_text("no_dedupe"))
    audit.add_argument("--no-state", action="store_true", help=help_text("no_state"))
    add_quiet(audit)

    spot = subparsers.add_parser("spotcheck", help=help_text("spotcheck"),
                                 description=describe("spotcheck.description"), epilog=epilog())
    spot.add_argument("sample", metavar="SAMPLE", help=help_text("spotcheck.sample"))
    add_out(spot, help_text("spotcheck.out", escape=False))
    add_quiet(spot, help_text("spotcheck.quiet"))
    add_followup(subparsers)
    return {"audit": run_audit, "spotcheck": run_spotcheck, "followup": run_followup}


def _options(path: str | None):
    if not path:
        return None
    return AuditOptions.from_dict(read_json_object(path, "核查阈值(the checks' options)"))


def run_audit(args: argparse.Namespace) -> dict:
    result = audit(args.register, children=args.children, externals=args.external, district=args.district,
                   as_of=args.as_of, sample=DEFAULT_SAMPLE_SIZE if args.sample is None else args.sample,
                   seed=DEFAULT_SEED if args.seed is None else args.seed, threshold=args.threshold,
                   model=args.model, rules=args.rules, options=_options(args.options),
                   dedupe_records=not args.no_dedupe, progress=_progress(args), explained=args.explained,
                   births=args.births, due=args.due, deferrals=args.deferrals, deadline=args.deadline,
                   prepare_state=not args.no_state)
    run = getattr(args, "run_folder", None)
    if run is not None:
        run.add_input(args.register, len(result.records), **input_notes(result.records.raw))
        for table in [args.children] * bool(args.children) + list(args.external) + \
                [getattr(args, name, None) for name in ("explained", "births", "deferrals")]:
            if table:
                run.add_input(table)
        run.as_of = str(result.as_of.date()) if result.as_of is not None else None
    result.write(args.out, run=run, state=not args.no_state, progress=getattr(args, "progress", None))
    return {**phase_lines(args.as_of), **result.counts(), **input_notes(result.records.raw, shown=True)}


def _progress(args: argparse.Namespace):
    """The run's Progress (``linkage.cli.main`` makes one), else on unless --quiet."""
    progress = getattr(args, "progress", None)
    return progress if progress is not None else not args.quiet


def run_spotcheck(args: argparse.Namespace) -> dict:
    table = spotcheck(args.sample)
    run = getattr(args, "run_folder", None)
    if run is not None:
        run.add_input(args.sample)
    with atomic_folder(args.out, run=run) as out:
        write_csv(table, out / "spotcheck.csv")
        write_spotcheck_excel(table, out / "spotcheck.xlsx")
    district = table.iloc[-1]
    rate = district["error_rate"]
    shown = "n/a" if rate != rate else f"{rate:.2%} (95% {district['ci_low']:.2%}-{district['ci_high']:.2%})"
    return {"streets": int((table["level"] == "street").sum()), "checked": int(district["checked"]),
            "errors": int(district["errors"]), "unreadable_marks": int(district["unreadable"]),
            "district_error_rate": shown}
