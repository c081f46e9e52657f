"""Progress a user watches: counts, rate and time left in a stage; a bar on a terminal, plain
lines in a log; the command line reports its stages and the writing too."""

import io
import time

from linkage.cli import main
from linkage.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal_give_rate_and_time_left():
    out = io.StringIO()
    report = Progress(enabled=True, stream=out)
    report.stage("scoring 1,000 candidate pairs")
    time.sleep(0.05)
    report.step(250, 1000)
    report.step(1000, 1000)
    report.done()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert "250/1,000 (25%)" in lines[1] and "/s" in lines[1] and "left" in lines[1]
    left = float(lines[1].split(", ")[-1].split("s left")[0])
    assert 0.05 <= left <= 1.0  # three quarters to go at the pace of the first quarter (~0.15 s)
    assert "took" in lines[2]
    assert set(report.timings) == set(report.cpu_timings) == {"scoring 1,000 candidate pairs"}


def test_a_terminal_gets_one_bar_redrawn_in_place():
    out = _Terminal()
    report = Progress(enabled=True, stream=out)
    report.stage("scoring")
    report.step(10, 100)
    report.stage("clustering")  # a bar left unfinished ends its line
    report.done()
    text = out.getvalue()
    assert "\r" in text and "[##" in text and "10/100 (10%)" in text
    assert text.splitlines()[-1].endswith("clustering ...")


def test_the_command_line_reports_every_stage_and_the_writing(tmp_path, capsys, register):
    path = tmp_path / "register.csv"
    register.to_csv(path, index=False)
    assert main(["dedupe", str(path), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    for stage in ("读取", "分块", "比对评分", "写出"):  # reading, blocking, scoring, writing (in the user's language)
        assert stage in err
    assert "(100%)" in err and "/s" in err
