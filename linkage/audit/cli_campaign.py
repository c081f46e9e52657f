"""The campaign's options of ``linkage audit`` and the ``followup`` subcommand.

    linkage audit ... [--explained FILE] [--births FILE] [--due DATE] [--deferrals FILE] [--deadline DATE]
    linkage followup EARLIER_OUT LATER_REGISTER -o OUT [the audit's options] [--spotcheck SAMPLE] [--weights FILE]
"""

from __future__ import annotations

import argparse

from ..cli_options import EPILOG, add_match, add_out, add_quiet, add_resolve
from ..run_folder import read_manifest
from .calendar import phase_lines
from .followup import followup, write_followup
from .run import DEFAULT_SAMPLE_SIZE


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def add_campaign_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explained", metavar="FILE",
                        help="explained findings (record_id/记录编号, rule/规则, 说明): listed as 已说明 in findings.csv "
                             "and left out of the error counts; the register's 备注 (remarks) explain findings too")
    parser.add_argument("--births", metavar="FILE",
                        help="births from the shared platform (母亲姓名, 母亲身份证号, 子女出生日期, 子女性别 ...): each "
                             "birth is a clue in clues.csv (已上报 / 本单位待上报 / 非本单位 / 待核实)")
    parser.add_argument("--due", metavar="DATE", help="the due date of the birth clues: an open clue past it is 逾期")
    parser.add_argument("--deferrals", metavar="FILE",
                        help="the 延期报告 sheet handed back (deferrals.csv of the last run with 延期原因 and 延期至 "
                             "filled in): a deferred clue is due on its new date")


def add_deadline(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deadline", metavar="DATE",
                        help="the deadline for disputes: past it, a duplicate group still undetermined is kept by the "
                             "unit that registered her first in WIS (以WIS系统实际数据为准) and the others get notices")


def add_followup(subparsers) -> None:
    """The ``followup`` subcommand (the runner is ``run_followup``)."""
    follow = subparsers.add_parser(
        "followup", help="what a later register fixed of an earlier audit (整改复查), scores per street",
        description="Audit LATER_REGISTER as 'linkage audit' does and compare it with the audit run in EARLIER_OUT: "
                    "each earlier finding 已整改 / 未整改, each new one 新增, each notice 已办理 / 未办理, the "
                    "duplicates left in the district and the city, the share fixed per street (followup.csv, "
                    "notices_followup.csv, followup_summary.csv/.xlsx). With --spotcheck (the marked March sample) "
                    "or --weights, each street gets a score and rank (scores.csv).", epilog=EPILOG)
    follow.add_argument("earlier", metavar="EARLIER_OUT", help="the folder of the earlier 'linkage audit' run")
    follow.add_argument("register", metavar="LATER_REGISTER", help="the register exported after the clean-up")
    add_out(follow)
    follow.add_argument("--children", metavar="FILE", help="the later children table (子女信息)")
    follow.add_argument("--district", metavar="CODE", help="this office's 6-digit district code (GB/T 2260)")
    add_campaign_inputs(follow)
    add_deadline(follow)
    follow.add_argument("--spotcheck", metavar="SAMPLE",
                        help="the March spot-check sample with 'correct' filled in: its error rate per street is "
                             "part of the score")
    follow.add_argument("--weights", metavar="FILE",
                        help='JSON weights of the score, e.g. {"spot_check": 0.5, "fixed": 0.3, "clues": 0.2}')
    follow.add_argument("--sample", type=_count, default=None, metavar="N",
                        help="records drawn per street for the March spot check (default 30)")
    add_resolve(follow)
    add_match(follow)
    follow.add_argument("--no-dedupe", action="store_true", help="skip the duplicate search of the later register")
    add_quiet(follow)


def run_followup(args: argparse.Namespace) -> dict:
    read_manifest(args.earlier)  # an interrupted or edited earlier folder is not a result to follow up
    result = followup(args.earlier, args.register, district=args.district, spot_check=args.spotcheck,
                      weights=args.weights, progress=not args.quiet, children=args.children, as_of=args.as_of,
                      sample=DEFAULT_SAMPLE_SIZE if args.sample is None else args.sample, threshold=args.threshold,
                      model=args.model, rules=args.rules, dedupe_records=not args.no_dedupe,
                      explained=args.explained, births=args.births, due=args.due, deferrals=args.deferrals,
                      deadline=args.deadline)
    write_followup(result, args.out, run=getattr(args, "run_folder", None), progress=getattr(args, "progress", None))
    return {**phase_lines(args.as_of), **result.counts()}
