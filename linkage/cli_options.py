"""Options the ``linkage`` subcommands share, declared once (``linkage.cli``, ``linkage.audit.cli``)."""

from __future__ import annotations

import argparse

EPILOG = "Inputs: .csv (UTF-8, UTF-8 with BOM or GB18030), .xlsx or .parquet, English or Chinese headers."


def add_out(parser: argparse.ArgumentParser, what: str = "the output files") -> None:
    parser.add_argument("-o", "--out", required=True, metavar="OUT", help=f"folder for {what} (created if missing)")


def add_match(parser: argparse.ArgumentParser) -> None:
    """--threshold and --model: when two records are one person, and by which model."""
    parser.add_argument("--threshold", type=float, metavar="P",
                        help="match probability (0-1) at or above which two records are the same person "
                             "(default: the model's recommended threshold)")
    parser.add_argument("--model", metavar="FILE",
                        help="a trained model (JSON) to use instead of the one shipped with the package")


def add_resolve(parser: argparse.ArgumentParser) -> None:
    """--as-of and --rules: the reference date and the managing-unit rules."""
    parser.add_argument("--as-of", metavar="DATE", help="reference date of the clean-up, e.g. 2026-01-31 (default: today)")
    parser.add_argument("--rules", metavar="NAME|FILE",
                        help="managing-unit rules (统计口径): a shipped preset, default or couple (夫妻双方口径; "
                             "'linkage rules show NAME' prints one), or an office's own JSON or TOML file")


def add_quiet(parser: argparse.ArgumentParser, help: str = "no progress lines on standard error") -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help=help)
    add_lang(parser, default=argparse.SUPPRESS)


def add_lang(parser: argparse.ArgumentParser, default: object = None) -> None:
    """--lang zh|en: the language of messages, help and the run summary (read before parsing, ``linkage.cli``)."""
    parser.add_argument("--lang", choices=("zh", "en"), default=default,
                        help="language of messages and the summary: zh (中文, default) or en")
