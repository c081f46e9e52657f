"""The command line speaks one language, argparse's own texts included (usage, sections, errors)."""

import subprocess
import sys


def _linkage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkage.cli", *args], capture_output=True, text=True)


def test_help_and_usage_errors_are_chinese_by_default():
    shown = _linkage("dedupe", "--help")
    assert shown.returncode == 0
    assert shown.stdout.startswith("用法:") and "选项:" in shown.stdout and "显示本帮助并退出" in shown.stdout
    assert "show this help" not in shown.stdout and "options:" not in shown.stdout
    missing = _linkage("dedupe")
    assert missing.returncode == 2 and "缺少必需的参数" in missing.stderr and "REGISTER" in missing.stderr


def test_lang_en_gives_argparse_english():
    shown = _linkage("--lang", "en", "dedupe", "--help")
    assert shown.stdout.startswith("usage:") and "show this help message and exit" in shown.stdout
    missing = _linkage("--lang", "en", "dedupe")
    assert "the following arguments are required" in missing.stderr


def test_every_command_explains_itself_in_chinese():
    """No English sentence left in any command's --help (a clerk reads all of it, not only dedupe's)."""
    import re

    for command in ("dedupe", "link", "audit", "spotcheck", "followup", "update", "review", "train"):
        shown = _linkage(command, "--help")
        assert shown.returncode == 0, command
        # option names, metavars, file names and presets stay as they are; prose of 4+ English words does not
        prose = [line for line in shown.stdout.splitlines()
                 if re.search(r"(?<![-./\w])[a-z]+ [a-z]+ [a-z]+ [a-z]+(?![\w.])", re.sub(r"'[^']*'|\S*[_./]\S*", "", line))]
        assert not prose, (command, prose[:3])
