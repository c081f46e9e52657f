"""The campaign's options of ``linkage audit`` and the ``followup`` subcommand.

    linkage audit ... [--explained FILE] [--births FILE] [--due DATE] [--deferrals FILE] [--deadline DATE]
    linkage followup EARLIER_OUT LATER_REGISTER -o OUT [the audit's options] [--spotcheck SAMPLE] [--weights FILE]
"""

from __future__ import annotations

import argparse

from ..cli_options import add_match, add_out, add_quiet, add_resolve, epilog
from ..messages import describe, help_text
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
    parser.add_argument("--explained", metavar="FILE", help=help_text("explained"))
    parser.add_argument("--births", metavar="FILE", help=help_text("births"))
    parser.add_argument("--due", metavar="DATE", help=help_text("due"))
    parser.add_argument("--deferrals", metavar="FILE", help=help_text("deferrals"))


def add_deadline(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deadline", metavar="DATE", help=help_text("deadline"))


def add_followup(subparsers) -> None:
    """The ``followup`` subcommand (the runner is ``run_followup``)."""
    follow = subparsers.add_parser("followup", help=help_text("followup"), description=describe("followup.description"),
                                   epilog=epilog())
    follow.add_argument("earlier", metavar="EARLIER_OUT", help=help_text("followup.earlier"))
    follow.add_argument("register", metavar="LATER_REGISTER", help=help_text("followup.register"))
    add_out(follow)
    follow.add_argument("--children", metavar="FILE", help=help_text("followup.children"))
    follow.add_argument("--district", metavar="CODE", help=help_text("followup.district"))
    add_campaign_inputs(follow)
    add_deadline(follow)
    follow.add_argument("--spotcheck", metavar="SAMPLE", help=help_text("followup.spotcheck"))
    follow.add_argument("--weights", metavar="FILE", help=help_text("followup.weights"))
    follow.add_argument("--sample", type=_count, default=None, metavar="N", help=help_text("followup.sample"))
    add_resolve(follow)
    add_match(follow)
    follow.add_argument("--no-dedupe", action="store_true", help=help_text("followup.no_dedupe"))
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
