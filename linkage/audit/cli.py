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
import json
from pathlib import Path
from typing import Callable

from ..cli_options import EPILOG, add_match, add_out, add_quiet, add_resolve
from ..errors import ConfigError
from ..io import write_csv
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
    audit = subparsers.add_parser(
        "audit", help="the clean-up audit: duplicates, logic errors, separation, missing women, summary",
        description="Run the whole clean-up (人口信息清理清查) on a register: duplicates and notices, logic "
                    "errors (逻辑错误), children and illegal-birth report checks (违法生育), household/residence "
                    "separation (人户分离), unregistered women (漏管), the summary per street (清查总结) and "
                    "the spot-check sample (抽查). Writes findings.csv, separation.csv, missing.csv, "
                    "summary.csv, summary.xlsx, sample.csv and the dedupe outputs into OUT.",
        epilog=EPILOG)
    audit.add_argument("register", metavar="REGISTER", help="the register file (育龄妇女信息)")
    add_out(audit)
    audit.add_argument("--children", metavar="FILE",
                       help="the children table (子女信息: child_id, mother_record_id, sex, birth_date, birth_order, "
                            "id_number, policy, reported_period) to check births and illegal-birth reports")
    audit.add_argument("--external", metavar="FILE", nargs="+", action="extend", default=[],
                       help="shared-platform extract(s) (共享平台比对信息: public security, civil affairs, health) in "
                            "the register layout plus 'source'; their women 15-49 of the district that match no "
                            "register record are listed in missing.csv. Repeat or list several")
    audit.add_argument("--district", metavar="CODE",
                       help="this office's 6-digit district code (GB/T 2260): decides which notices are ours and "
                            "which extract rows are in scope (default: every district of the register's units)")
    audit.add_argument("--sample", type=_positive, default=None, metavar="N",
                       help="records drawn per street for the inspectors' spot check (default 30; 0 for none)")
    audit.add_argument("--seed", type=int, default=None, metavar="S",
                       help="seed of the spot-check draw: the same seed and register give the same sample")
    add_resolve(audit)
    add_match(audit)
    audit.add_argument("--options", metavar="FILE",
                       help="JSON of the checks' thresholds replacing the defaults, e.g. "
                            '{"min_age": 15, "max_age": 49, "legal_marriage_age_female": 20}')
    add_campaign_inputs(audit)
    add_deadline(audit)
    audit.add_argument("--no-dedupe", action="store_true",
                       help="skip the duplicate search (faster; duplicates are then counted as 0)")
    add_quiet(audit)

    spot = subparsers.add_parser(
        "spotcheck", help="error rate per street from a marked spot-check sample",
        description="Read sample.csv back with the 'correct' column filled in by the inspectors (是/否, 对/错, "
                    "1/0, yes/no) and write each street's error rate with a 95% Wilson interval, and the "
                    "district's stratified estimate, to OUT/spotcheck.csv and OUT/spotcheck.xlsx.",
        epilog=EPILOG)
    spot.add_argument("sample", metavar="SAMPLE", help="the marked sample (sample.csv of an audit run)")
    add_out(spot, "spotcheck.csv and spotcheck.xlsx")
    add_quiet(spot, "accepted for symmetry; spotcheck prints no progress")
    add_followup(subparsers)
    return {"audit": run_audit, "spotcheck": run_spotcheck, "followup": run_followup}


def _options(path: str | None):
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the checks' options as JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the checks' options must be a JSON object")
    return AuditOptions.from_dict(data)


def run_audit(args: argparse.Namespace) -> dict:
    result = audit(args.register, children=args.children, externals=args.external, district=args.district,
                   as_of=args.as_of, sample=DEFAULT_SAMPLE_SIZE if args.sample is None else args.sample,
                   seed=DEFAULT_SEED if args.seed is None else args.seed, threshold=args.threshold,
                   model=args.model, rules=args.rules, options=_options(args.options),
                   dedupe_records=not args.no_dedupe, progress=not args.quiet, explained=args.explained,
                   births=args.births, due=args.due, deferrals=args.deferrals, deadline=args.deadline)
    result.write(args.out)
    return {**phase_lines(args.as_of), **result.counts()}


def run_spotcheck(args: argparse.Namespace) -> dict:
    table = spotcheck(args.sample)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(table, out / "spotcheck.csv")
    write_spotcheck_excel(table, out / "spotcheck.xlsx")
    district = table.iloc[-1]
    rate = district["error_rate"]
    shown = "n/a" if rate != rate else f"{rate:.2%} (95% {district['ci_low']:.2%}-{district['ci_high']:.2%})"
    return {"streets": int((table["level"] == "street").sum()), "checked": int(district["checked"]),
            "errors": int(district["errors"]), "unreadable_marks": int(district["unreadable"]),
            "district_error_rate": shown}
