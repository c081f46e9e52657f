"""The monthly subcommands of ``linkage``: ``update`` (next month's run from this month's state),
``review`` (the pairs a clerk should judge) and ``train`` (a model from the judged pairs)."""

from __future__ import annotations

import argparse
from typing import Callable

from .cli_options import EPILOG, add_out, add_quiet


def add_commands(commands: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], dict | None]]:
    """Add the subcommands to ``commands``; returns their runners by name."""
    update = commands.add_parser(
        "update", help="next month's run: apply new and changed records to an earlier run's state",
        description="Apply NEW (new and changed records, or with --full a full re-export of the register) to "
                    "the run in OUT (its OUT/state): unchanged records are reused, new and changed ones are "
                    "matched against the whole register, cluster ids are kept, decisions and notices are redone "
                    "only for the clusters that changed and no notice of OUT is sent again.  OUT2 gets the "
                    "complete outputs, changes.csv and the next state.", epilog=EPILOG)
    update.add_argument("state", metavar="OUT", help="the folder of the earlier run (dedupe, audit or update)")
    update.add_argument("new", metavar="NEW", help="the new and changed records, or the full re-export")
    add_out(update, "the outputs of this month")
    update.add_argument("--full", action="store_true",
                        help="NEW is a full re-export: a record of OUT that NEW lacks has left the register")
    update.add_argument("--as-of", metavar="DATE", help="reference date (default: the earlier run's)")
    update.add_argument("--district", metavar="CODE", help="this office's district code (default: the earlier run's)")
    update.add_argument("--no-printable", action="store_true", help="skip the printable notice workbooks")
    update.add_argument("--no-state", action="store_true", help="do not keep OUT2/state")
    add_quiet(update)
    return {"update": _run_update}


def _run_update(args: argparse.Namespace) -> dict:
    from .update import update

    result = update(args.state, args.new, full=args.full, as_of=args.as_of, district=args.district,
                    progress=not args.quiet)
    result.write(args.out, printable=not args.no_printable, state=not args.no_state)
    summary = result.summary()
    changes = result.extra_tables["changes"]["change"].value_counts()
    summary.update({f"changes {kind}": int(changes.get(kind, 0)) for kind in ("joined", "left", "new", "merged",
                                                                              "split")})
    return summary
