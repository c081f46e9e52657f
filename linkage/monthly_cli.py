"""The monthly subcommands of ``linkage``: ``update`` (next month's run from this month's state),
``review`` (the pairs a clerk should judge) and ``train`` (a model from the judged pairs)."""

from __future__ import annotations

import argparse
from typing import Callable

from .cli_options import add_out, add_quiet, epilog


def add_commands(commands: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], dict | None]]:
    """Add the subcommands to ``commands``; returns their runners by name."""
    update = commands.add_parser(
        "update", help="next month's run: apply new and changed records to an earlier run's state",
        description="Apply NEW (new and changed records, or with --full a full re-export of the register) to "
                    "the run in OUT (its OUT/state): unchanged records are reused, new and changed ones are "
                    "matched against the whole register, cluster ids are kept, decisions and notices are redone "
                    "only for the clusters that changed and no notice of OUT is sent again.  OUT2 gets the "
                    "complete outputs, changes.csv and the next state.", epilog=epilog())
    update.add_argument("state", metavar="OUT", help="the folder of the earlier run (dedupe, audit or update)")
    update.add_argument("new", metavar="NEW", help="the new and changed records, or the full re-export")
    add_out(update, "the outputs of this month")
    update.add_argument("--full", action="store_true",
                        help="NEW is a full re-export: a record of OUT that NEW lacks has left the register")
    update.add_argument("--as-of", metavar="DATE", help="reference date (default: the earlier run's)")
    update.add_argument("--district", metavar="CODE", help="this office's district code (default: the earlier run's)")
    update.add_argument("--judged", metavar="LABELS",
                        help="pairs a clerk judged (the filled review workbook or a CSV): a pair judged the same "
                             "woman is a match, one judged two women never shares a cluster, in this and later runs")
    update.add_argument("--model", metavar="FILE", help="a trained model (JSON) instead of the earlier run's")
    update.add_argument("--no-printable", action="store_true", help="skip the printable notice workbooks")
    update.add_argument("--no-state", action="store_true", help="do not keep OUT2/state")
    add_quiet(update)

    review = commands.add_parser(
        "review", help="the pairs a clerk should judge, side by side in a workbook",
        description="Write the most informative pairs of the run in OUT (nearest the match threshold, groups "
                    "sent to verification, possible re-issued numbers) to an Excel workbook: the two records side "
                    "by side, differing fields highlighted, the model's reasons and a 判定 drop-down.", epilog=epilog())
    review.add_argument("state", metavar="OUT", help="the folder of a run (dedupe, audit or update)")
    review.add_argument("-o", "--out", required=True, metavar="FILE", help="the workbook to write (.xlsx)")
    review.add_argument("--size", type=int, default=200, metavar="N", help="pairs to list (default 200)")
    review.set_defaults(out_is_file=True)  # -o names a workbook, not a run folder
    review.add_argument("--unmasked", action="store_true", help="show whole ID numbers (default: masked)")

    train = commands.add_parser(
        "train", help="a match model from the pairs a clerk judged",
        description="Fit a match model from judged pairs (the filled review workbook, or a CSV of record_id_l, "
                    "record_id_r, match as 1/0) over the register of the run in --state, with that run's model as "
                    "the prior; prints cross-validated precision and recall of the old and the new model.",
        epilog=epilog())
    train.add_argument("labels", metavar="LABELS", help="the judged pairs (.xlsx review workbook or .csv)")
    train.add_argument("--state", required=True, metavar="OUT", help="the run whose register the pairs are from")
    train.add_argument("-o", "--out", required=True, metavar="FILE", help="the model to write (.json)")
    train.set_defaults(out_is_file=True)  # -o names a model file, not a run folder
    return {"update": _run_update, "review": _run_review, "train": _run_train}


def _run_review(args: argparse.Namespace) -> dict:
    from .review import write_review

    return {"pairs to judge": write_review(args.state, args.out, size=args.size, unmasked=args.unmasked)}


def _run_train(args: argparse.Namespace) -> dict:
    from .review import train_from_labels

    trained = train_from_labels(args.labels, args.state)
    trained.model.to_json(args.out)
    summary: dict = {"judged pairs": trained.labels}
    for name, scores in (("old model", trained.old), ("new model (cross-validated)", trained.new)):
        summary[name] = (f"precision {scores['precision']:.3f}, recall {scores['recall']:.3f}, "
                         f"threshold {scores['threshold']:.2f}")
    return summary


def _run_update(args: argparse.Namespace) -> dict:
    from .incremental import update

    result = update(args.state, args.new, full=args.full, as_of=args.as_of, district=args.district,
                    judged=args.judged, model=args.model, progress=args.progress)
    result.write(args.out, printable=not args.no_printable, state=not args.no_state, run=args.run_folder,
                 progress=args.progress)
    summary = result.summary()
    changes = result.extra_tables["changes"]["change"].value_counts()
    summary.update({f"changes {kind}": int(changes.get(kind, 0)) for kind in ("joined", "left", "new", "merged",
                                                                              "split")})
    return summary
