"""The ``linkage`` command: batch runs for district offices.

    linkage dedupe REGISTER -o OUT [--district CODE] [--as-of DATE] [--threshold P] [--model FILE] [--rules NAME|FILE]
                           [--no-decide]
    linkage link LEFT RIGHT -o OUT [--threshold P] [--model FILE]
    linkage update OUT NEW -o OUT2 [--full] [--as-of DATE] [--judged LABELS]
    linkage review OUT -o review.xlsx [--size N];  linkage train LABELS --state OUT -o model.json
    linkage rules show NAME
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

from resolve.rules import PRESETS, preset_text

from .audit.cli import add_commands
from .cli_options import add_lang, add_match, add_out, add_quiet, add_resolve, epilog
from .errors import LinkageError
from .io import input_notes
from .messages import MESSAGES, default_language, describe, help_text, label, set_language, text, use_for_argparse
from .normalize.dates import as_of_date
from .monthly_cli import add_commands as add_monthly_commands
from .pipeline import dedupe, link
from .progress import Progress
from .run_folder import RunFolder

def _common(parser: argparse.ArgumentParser) -> None:
    add_out(parser)
    add_match(parser)
    parser.add_argument("--review-threshold", type=float, metavar="P", help=help_text("review_threshold"))
    add_quiet(parser)


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the current language (``linkage.messages.set_language``)."""
    use_for_argparse()
    parser = argparse.ArgumentParser(prog="linkage", description=describe("prog"), epilog=epilog())
    add_lang(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dedupe = commands.add_parser("dedupe", help=help_text("dedupe"), description=describe("dedupe.description"),
                                 epilog=epilog())
    dedupe.add_argument("register", metavar="REGISTER", help=help_text("register"))
    _common(dedupe)
    dedupe.add_argument("--district", metavar="CODE", help=help_text("district"))
    add_resolve(dedupe)
    dedupe.add_argument("--no-decide", action="store_true", help=help_text("no_decide"))
    dedupe.add_argument("--no-printable", action="store_true", help=help_text("no_printable"))
    dedupe.add_argument("--engine", choices=("local", "spark"), default="local", help=help_text("engine"))
    dedupe.add_argument("--master", metavar="URL", help=help_text("master"))
    dedupe.add_argument("--judged", metavar="LABELS", help=help_text("judged"))
    dedupe.add_argument("--no-state", action="store_true", help=help_text("no_state"))

    link = commands.add_parser("link", help=help_text("link"), description=describe("link.description"),
                               epilog=epilog())
    link.add_argument("left", metavar="LEFT", help=help_text("left"))
    link.add_argument("right", metavar="RIGHT", help=help_text("right"))
    _common(link)
    link.add_argument("--one-to-one", action="store_true", help=help_text("one_to_one"))
    rules = commands.add_parser("rules", help=help_text("rules"), description=describe("rules.description"))
    show = rules.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "show", help=help_text("show"), description=describe("show.description"))
    show.add_argument("name", metavar="NAME", choices=PRESETS, help=help_text("preset", names=", ".join(PRESETS)))
    RUNNERS.update(add_commands(commands))
    RUNNERS.update(add_monthly_commands(commands))
    return parser


def _run_dedupe(args: argparse.Namespace) -> dict:
    if args.engine == "spark":
        return _run_dedupe_spark(args)
    result = dedupe(args.register, threshold=args.threshold, review_threshold=args.review_threshold,
                    model=args.model, district=args.district, as_of=args.as_of, rules=args.rules,
                    decide=not args.no_decide, judged=args.judged, progress=args.progress,
                    prepare_state=not args.no_state)
    args.run_folder.add_input(args.register, len(result.records), **input_notes(result.records.raw))
    args.run_folder.as_of = str(as_of_date(args.as_of).date())
    result.write(args.out, printable=not args.no_printable, state=not args.no_state, run=args.run_folder,
                 progress=args.progress)
    return {**result.summary(), **input_notes(result.records.raw, shown=True)}


def _run_dedupe_spark(args: argparse.Namespace) -> dict:
    """``--engine spark``: the same stages on Spark (``linkage.spark``), the same files (the large
    parts of state/ written by Spark)."""
    result = dedupe(args.register, threshold=args.threshold, review_threshold=args.review_threshold,
                    model=args.model, district=args.district, as_of=args.as_of, rules=args.rules,
                    decide=not args.no_decide, judged=args.judged, progress=args.progress, engine="spark",
                    master=args.master)
    if args.run_folder is not None:
        if os.path.isfile(args.register):  # a folder of parquet files or a URL is described by Spark's read only
            args.run_folder.add_input(args.register, len(result.clusters))
        args.run_folder.as_of = str(as_of_date(args.as_of).date())
    result.write(args.out, printable=not args.no_printable, state=not args.no_state, run=args.run_folder,
                 progress=args.progress)
    return result.summary()


def _run_link(args: argparse.Namespace) -> dict:
    result = link(args.left, args.right, threshold=args.threshold, review_threshold=args.review_threshold,
                  model=args.model, one_to_one=args.one_to_one, progress=args.progress)
    args.run_folder.add_input(args.left, len(result.left), **input_notes(result.left.raw))
    args.run_folder.add_input(args.right, len(result.right), **input_notes(result.right.raw))
    result.write(args.out, run=args.run_folder, progress=args.progress)
    return result.summary()


def _run_rules(args: argparse.Namespace) -> None:
    sys.stdout.write(preset_text(args.name))


RUNNERS = {"dedupe": _run_dedupe, "link": _run_link, "rules": _run_rules}


def _language(argv: Sequence[str]) -> str:
    """--lang from the command line (read before the parser is built, so that --help is in it)."""
    argv = list(argv)
    for k, arg in enumerate(argv):
        if arg == "--lang" and k + 1 < len(argv):
            return "en" if argv[k + 1].lower().startswith("en") else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].lower().startswith("en") else "zh"
    return default_language()


def _options(args: argparse.Namespace) -> dict:
    """The run's options for the manifest (paths and values as given)."""
    return {key: value for key, value in sorted(vars(args).items())
            if key not in ("out", "quiet", "command", "progress", "run_folder", "lang")
            and isinstance(value, (str, int, float, bool, list, type(None)))}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``linkage`` console script.  Returns the exit status: 0 done, 2 bad
    input or arguments (a message naming the file, row and column), 1 an engine fault (a
    message, no traceback; the output folder untouched), 130 interrupted."""
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language(argv))
    args = build_parser().parse_args(argv)
    args.progress = Progress(enabled=not getattr(args, "quiet", True))
    args.run_folder = None
    try:
        if getattr(args, "out", None) and not getattr(args, "out_is_file", False):
            args.run_folder = RunFolder.begin(args.out, command=["linkage", *argv], options=_options(args))
        summary = RUNNERS[args.command](args)
        manifest = None
        if args.run_folder is not None:
            args.progress.stage(text("stage.writing_step", file="manifest.json"))
            manifest = args.run_folder.commit()
            args.progress.done()
    except BaseException as exc:  # the folder is abandoned whatever stopped the run
        if args.run_folder is not None:
            args.run_folder.abandon()
        if isinstance(exc, LinkageError):
            print(text("cli.error", command=args.command, detail=exc), file=sys.stderr)
            return 2
        if isinstance(exc, KeyboardInterrupt):
            print(text("cli.interrupted", command=args.command), file=sys.stderr)
            return 130
        if isinstance(exc, SystemExit):
            raise
        if os.environ.get("LINKAGE_TRACEBACK"):
            traceback.print_exc()
        print(text("cli.fault", command=args.command, kind=type(exc).__name__, detail=exc), file=sys.stderr)
        return 1
    save_timings(args.progress)
    if summary is None:  # a command that printed what it shows (rules show)
        return 0
    print_summary(summary, manifest, args.out, audit=args.command == "audit")
    return 0


TIMINGS_VARIABLE = "LINKAGE_TIMINGS"
"""A path in this environment variable gets the run's stages as JSON (what the benchmarks read)."""


def save_timings(progress: Progress) -> None:
    """The stages of a run that succeeded, in order, to the file named by $LINKAGE_TIMINGS (if set):
    {"stages": [[name, wall seconds, this process's CPU seconds], ...]}."""
    path = os.environ.get(TIMINGS_VARIABLE)
    if not path:
        return
    stages = [[name, round(wall, 3), round(progress.cpu_timings.get(name, 0.0), 3)]
              for name, wall in progress.timings.items()]
    Path(path).write_text(json.dumps({"stages": stages}, ensure_ascii=False), encoding="utf-8")


def print_summary(summary: dict, manifest: dict | None, out: str, *, audit: bool = False) -> None:
    """The run's counts, each with what it counts, then every CSV written with its rows as the
    manifest read them back (the files' own counts)."""
    for key, value in summary.items():
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        print(f"{label(key, audit=audit)}: {shown}")
    if manifest is None:
        return
    print(text("cli.written", path=out, files=len(manifest["outputs"]) + 1))
    for entry in manifest["outputs"]:
        if entry.get("rows") is None:
            continue
        stem = Path(entry["path"]).stem
        key = f"rows.{stem}"
        print(text("cli.file_rows", file=entry["path"], rows=entry["rows"], what=text(key)) if key in MESSAGES
              else text("cli.file_rows_plain", file=entry["path"], rows=entry["rows"]))


if __name__ == "__main__":
    sys.exit(main())
