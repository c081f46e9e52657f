"""The ``linkage`` command: batch runs for district offices.

    linkage dedupe REGISTER -o OUT [--district CODE] [--as-of DATE] [--threshold P] [--model FILE] [--rules NAME|FILE]
                           [--no-decide]
    linkage link LEFT RIGHT -o OUT [--threshold P] [--model FILE]
    linkage rules show NAME
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from resolve.rules import PRESETS, preset_text

from .audit.cli import add_commands
from .cli_options import EPILOG, add_match, add_out, add_quiet, add_resolve
from .errors import LinkageError
from .pipeline import dedupe, link
from .progress import Progress

def _common(parser: argparse.ArgumentParser) -> None:
    add_out(parser)
    add_match(parser)
    parser.add_argument("--review-threshold", type=float, metavar="P",
                        help="pairs at or above this probability are listed in pairs.csv for review (default 0.3)")
    add_quiet(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linkage", description="Find duplicate and missing records in a "
                                     "register of women of childbearing age (WIS), decide the managing unit, "
                                     "draft the notices.", epilog=EPILOG)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dedupe = commands.add_parser("dedupe", help="find duplicates in one register and draft notices",
                                 description="Find the women held more than once, decide which unit manages "
                                 "each, and draft the cancellation notices.", epilog=EPILOG)
    dedupe.add_argument("register", metavar="REGISTER", help="the register file")
    _common(dedupe)
    dedupe.add_argument("--district", metavar="CODE",
                        help="this office's 6-digit district code (GB/T 2260); decides which notices are ours")
    add_resolve(dedupe)
    dedupe.add_argument("--no-decide", action="store_true",
                        help="find and cluster the duplicates only: no managing-unit decisions, notices or "
                        "verification list")
    dedupe.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="local: this process (default); spark: the same stages on Spark (pip install "
                             "'wis-linkage[spark]', Java 17); REGISTER may then be a folder of parquet files")
    dedupe.add_argument("--master", metavar="URL", help="the Spark master with --engine spark (default local[2])")
    dedupe.add_argument("--no-printable", action="store_true",
                        help="skip the printable notice workbooks (one .xlsx per receiving unit in OUT/printable)")

    link = commands.add_parser("link", help="match the records of two files",
                               description="Match each record of LEFT with the records of RIGHT that are the "
                               "same person, and list the records that match nothing.", epilog=EPILOG)
    link.add_argument("left", metavar="LEFT", help="the first file (e.g. the register)")
    link.add_argument("right", metavar="RIGHT", help="the second file (e.g. a shared-platform extract)")
    _common(link)
    link.add_argument("--one-to-one", action="store_true",
                      help="keep only pairs that are each record's best candidate on both sides")
    rules = commands.add_parser("rules", help="the shipped managing-unit rules (统计口径)",
                                description="The managing-unit rules presets shipped with the package.")
    show = rules.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "show", help="print a preset (TOML, explained in Chinese and English) to copy and edit",
        description="Print a shipped preset; save it as a .toml file, edit it and pass it to --rules.")
    show.add_argument("name", metavar="NAME", choices=PRESETS, help=f"the preset: {', '.join(PRESETS)}")
    RUNNERS.update(add_commands(commands))
    return parser


def _run_dedupe(args: argparse.Namespace) -> dict:
    report = Progress(enabled=not args.quiet)
    result = dedupe(args.register, threshold=args.threshold, review_threshold=args.review_threshold,
                    model=args.model, district=args.district, as_of=args.as_of, rules=args.rules,
                    decide=not args.no_decide, progress=report, engine=args.engine, master=args.master)
    report.stage(f"writing the outputs to {args.out}")  # the printable workbooks are a good part of a run
    result.write(args.out, printable=not args.no_printable)
    report.done()
    return result.summary()


def _run_link(args: argparse.Namespace) -> dict:
    result = link(args.left, args.right, threshold=args.threshold, review_threshold=args.review_threshold,
                  model=args.model, one_to_one=args.one_to_one, progress=not args.quiet)
    result.write(args.out)
    return result.summary()


def _run_rules(args: argparse.Namespace) -> None:
    sys.stdout.write(preset_text(args.name))


RUNNERS = {"dedupe": _run_dedupe, "link": _run_link, "rules": _run_rules}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``linkage`` console script.  Returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        summary = RUNNERS[args.command](args)
    except LinkageError as exc:
        print(f"linkage {args.command}: error: {exc}", file=sys.stderr)
        return 2
    if summary is None:  # a command that printed what it shows (rules show)
        return 0
    for key, value in summary.items():
        print(f"{key.replace('_', ' ')}: {value:,}" if isinstance(value, int) else f"{key}: {value}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
