r"""Every example of README.md runs as written (a newcomer copies them first).

Each fenced block is read from README.md itself, so an example changed there is tested as
changed.  Commands run in a fresh folder holding the repository's ``benchmarks/data`` (the paths
the examples name), with this interpreter standing for ``python`` and ``linkage``:

- a block of commands runs line by line; a leading ``pip install ... &&`` is the install this
  environment already has and is left out, and ``python -m pytest`` is this very suite;
- the command-line synopsis (placeholders in capitals) is checked against ``--help``: every
  command and flag it names exists;
- the benchmark block (minutes each at the sizes written) is run with ``--help``, except the
  generator, which runs as written at 2,000 records instead of 250,000;
- the campaign's walk-through (commands continued over lines with ``\``, naming an office's own
  monthly exports, which do not ship) is parsed by the real argument parser: every command, flag
  and value it uses is accepted;
- the library example runs as a script;
- the printed summary block is what the first command prints.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.S | re.M)
COMMANDS = ("pip ", "linkage ", "python ")


def _argv(command: str) -> list[str]:
    words = shlex.split(command)
    if words[0] == "linkage":
        return [sys.executable, "-m", "linkage.cli", *words[1:]]
    if words[0] == "python":
        return [sys.executable, *words[1:]]
    raise AssertionError(f"not a command an example may run: {command}")


def _run(command: str | list[str], folder: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    argv = _argv(command) if isinstance(command, str) else command
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{argv}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture()
def newcomer(tmp_path):
    """A fresh folder where benchmarks/data holds the repository's sample files."""
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "data").symlink_to(ROOT / "benchmarks" / "data")
    return tmp_path


def _logical_lines(body: str) -> list[str]:
    """A block's lines with continuations joined (a trailing backslash, or an indented next line)."""
    out: list[str] = []
    for line in re.sub(r"\\\n", " ", body).splitlines():
        if out and line.startswith(" ") and line.strip():
            out[-1] += " " + line.strip()
        elif line.strip():
            out.append(line.strip())
    return out


def _is_synopsis(lines: list[str]) -> bool:
    return any(re.search(r"\b[A-Z]{3,}\b", line) and "[" in line for line in lines)


def _is_benchmark(lines: list[str]) -> bool:
    return any("benchmarks" in line and line.startswith("python ") for line in lines)


def _command_blocks() -> list[list[str]]:
    """Blocks of commands (synopsis, benchmark and the ones a newcomer runs), not the walk-through."""
    blocks = []
    for lang, body in BLOCKS:
        lines = _logical_lines(body)
        continued = "\\\n" in body or any(line.startswith(" ") for line in body.splitlines())
        if not lang and lines and all(line.startswith(COMMANDS) for line in lines) and (
                not continued or _is_synopsis(lines)):
            blocks.append(lines)
    return blocks


def test_readme_has_the_examples_this_test_runs():
    blocks = _command_blocks()
    assert len(blocks) >= 4 and any(_is_synopsis(b) for b in blocks) and any(_is_benchmark(b) for b in blocks)
    assert sum(lang == "python" for lang, _ in BLOCKS) == 1


def test_the_newcomers_commands_run_as_written_and_print_what_readme_shows(newcomer):
    ran = []
    for lines in _command_blocks():
        if _is_synopsis(lines) or _is_benchmark(lines):
            continue
        for line in lines:
            command = re.sub(r"^pip install [^&]*&&\s*", "", line)
            if command.startswith("pip ") or command == "python -m pytest":
                continue
            ran.append((command, _run(command, newcomer)))
    assert len(ran) >= 2
    first_command, first = ran[0]
    assert first_command.startswith("linkage dedupe")
    printed = next(body for lang, body in BLOCKS if body.startswith("记录数:"))
    assert first.stdout.strip() == printed.strip()  # README's summary is what the command prints
    for out in ("out", "out-audit"):
        assert (newcomer / out / "report.html").is_file() and (newcomer / out / "办理清单.xlsx").is_file()
    assert (newcomer / "out-audit" / "summary.xlsx").is_file()


def test_the_synopsis_names_only_commands_and_flags_that_exist(newcomer):
    for lines in filter(_is_synopsis, _command_blocks()):
        for line in lines:
            command = re.match(r"linkage((?: [a-z]+)+)", line).group(1).split()
            shown = _run([sys.executable, "-m", "linkage.cli", *command, "--help"], newcomer).stdout
            for flag in re.findall(r"(?<![\w-])--?[a-z][\w-]*", line):
                assert flag in shown, f"{line}: {flag}"


def test_the_benchmark_commands_exist_and_the_generator_runs_as_written(newcomer):
    for lines in filter(_is_benchmark, _command_blocks()):
        for line in lines:
            command = line.split("#")[0].strip()
            if "benchmarks.generator" in command:
                _run(command.replace("--size 250000", "--size 2000"), newcomer)
                assert (newcomer / "register.csv").stat().st_size > 100_000 and (newcomer / "truth.csv").is_file()
            else:
                argv = _argv(command)
                head = argv[:3] if argv[1] == "-m" else argv[:2]  # python -m MODULE, or python SCRIPT
                _run([*head, "--help"], ROOT)


def _walkthrough_commands() -> list[str]:
    """The linkage commands of the walk-through blocks (continued lines, comments between)."""
    plain = _command_blocks()
    found = []
    for lang, body in BLOCKS:
        lines = _logical_lines(body)
        if not lang and lines not in plain and any(line.startswith("linkage ") for line in lines):
            found += [line for line in lines if line.startswith("linkage ")]
    return found


def test_the_walkthrough_commands_are_accepted_as_written():
    from linkage.cli import build_parser

    commands = _walkthrough_commands()
    assert len(commands) >= 3
    for command in commands:
        words = shlex.split(command)
        try:
            build_parser().parse_args(words[1:])
        except SystemExit as exc:  # argparse's way of refusing
            raise AssertionError(f"README: {command}") from exc


def test_the_library_example_runs(newcomer):
    code = next(body for lang, body in BLOCKS if lang == "python")
    _run([sys.executable, "-c", code], newcomer)
    assert (newcomer / "out" / "notices.csv").is_file() and (newcomer / "out-audit" / "findings.csv").is_file()
