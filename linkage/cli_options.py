"""Options the ``linkage`` subcommands share, declared once (``linkage.cli``, ``linkage.audit.cli``).
Their help is in the language of ``linkage.messages`` (Chinese unless --lang en)."""

from __future__ import annotations

import argparse

from .messages import describe, help_text

def epilog() -> str:
    return describe("epilog")


def add_out(parser: argparse.ArgumentParser, what: str | None = None) -> None:
    parser.add_argument("-o", "--out", required=True, metavar="OUT",
                        help=help_text("out", what=what or help_text("out.what", escape=False)))


def add_match(parser: argparse.ArgumentParser) -> None:
    """--threshold and --model: when two records are one person, and by which model."""
    parser.add_argument("--threshold", type=float, metavar="P", help=help_text("threshold"))
    parser.add_argument("--model", metavar="FILE", help=help_text("model"))


def add_resolve(parser: argparse.ArgumentParser) -> None:
    """--as-of and --rules: the reference date and the managing-unit rules."""
    parser.add_argument("--as-of", metavar="DATE", help=help_text("as_of"))
    parser.add_argument("--rules", metavar="NAME|FILE", help=help_text("rules_option"))


def add_quiet(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help=help or help_text("quiet"))
    add_lang(parser, default=argparse.SUPPRESS)


def add_lang(parser: argparse.ArgumentParser, default: object = None) -> None:
    """--lang zh|en: the language of messages, help and the run summary (read before parsing, ``linkage.cli``)."""
    parser.add_argument("--lang", choices=("zh", "en"), default=default, help=help_text("lang"))
