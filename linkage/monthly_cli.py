"""The monthly subcommands of ``linkage``: ``update`` (next month's run from this month's state),
``review`` (the pairs a clerk should judge) and ``train`` (a model from the judged pairs)."""

from __future__ import annotations

import argparse
from typing import Callable

from .cli_options import add_out, add_quiet, epilog
from .messages import describe, help_text, text


def add_commands(commands: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], dict | None]]:
    """Add the subcommands to ``commands``; returns their runners by name."""
    update = commands.add_parser("update", help=help_text("update"), description=describe("update.description"),
                                 epilog=epilog())
    update.add_argument("state", metavar="OUT", help=help_text("update.state"))
    update.add_argument("new", metavar="NEW", help=help_text("update.new"))
    add_out(update, help_text("update.out", escape=False))
    update.add_argument("--full", action="store_true", help=help_text("update.full"))
    update.add_argument("--as-of", metavar="DATE", help=help_text("update.as_of"))
    update.add_argument("--district", metavar="CODE", help=help_text("update.district"))
    update.add_argument("--judged", metavar="LABELS", help=help_text("judged"))
    update.add_argument("--model", metavar="FILE", help=help_text("update.model"))
    update.add_argument("--no-printable", action="store_true", help=help_text("no_printable"))
    update.add_argument("--no-state", action="store_true", help=help_text("no_state2"))
    add_quiet(update)

    review = commands.add_parser("review", help=help_text("review"), description=describe("review.description"),
                                 epilog=epilog())
    review.add_argument("state", metavar="OUT", help=help_text("review.state"))
    review.add_argument("-o", "--out", required=True, metavar="FILE", help=help_text("review.out"))
    review.add_argument("--size", type=int, default=200, metavar="N", help=help_text("review.size"))
    review.set_defaults(out_is_file=True)  # -o names a workbook, not a run folder
    review.add_argument("--unmasked", action="store_true", help=help_text("review.unmasked"))

    train = commands.add_parser("train", help=help_text("train"), description=describe("train.description"),
                                epilog=epilog())
    train.add_argument("labels", metavar="LABELS", help=help_text("train.labels"))
    train.add_argument("--state", required=True, metavar="OUT", help=help_text("train.state"))
    train.add_argument("-o", "--out", required=True, metavar="FILE", help=help_text("train.out"))
    train.set_defaults(out_is_file=True)  # -o names a model file, not a run folder
    return {"update": _run_update, "review": _run_review, "train": _run_train}


def _run_review(args: argparse.Namespace) -> dict:
    from .review import write_review

    return {"pairs_to_judge": write_review(args.state, args.out, size=args.size, unmasked=args.unmasked)}


def _run_train(args: argparse.Namespace) -> dict:
    from .review import train_from_labels

    trained = train_from_labels(args.labels, args.state)
    trained.model.to_json(args.out)
    summary: dict = {"judged_pairs": trained.labels}
    for name, scores in (("old_model", trained.old), ("new_model", trained.new)):
        summary[name] = text("cli.model_scores", precision=scores["precision"], recall=scores["recall"],
                             threshold=scores["threshold"])
    return summary


def _run_update(args: argparse.Namespace) -> dict:
    from .incremental import update

    result = update(args.state, args.new, full=args.full, as_of=args.as_of, district=args.district,
                    judged=args.judged, model=args.model, progress=args.progress, prepare_state=not args.no_state)
    result.write(args.out, printable=not args.no_printable, state=not args.no_state, run=args.run_folder,
                 progress=args.progress)
    summary = result.summary()
    changes = result.extra_tables["changes"]["change"].value_counts()
    summary.update({f"changes_{kind}": int(changes.get(kind, 0)) for kind in ("joined", "left", "new", "merged",
                                                                              "split")})
    return summary
