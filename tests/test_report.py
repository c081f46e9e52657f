"""report.html as a clerk sees it: one self-contained file that headless Chromium opens
offline and shows without a script error, with the run's figures, the probability chart and
its threshold, the model's weights, the waterfalls of the pairs nearest the threshold, the
clusters per street and, for an audit, the findings per street."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import linkage
from linkage.report_html import render_report, waterfall

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (Debian: chromium); .ci/run installs it")


def chromium(page: Path, *extra: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``page`` with its console logged to stderr."""
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--enable-logging=stderr", "--v=0", f"--user-data-dir={page.parent / 'chromium'}", *extra,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    """The page's console lines (errors, uncaught exceptions) among Chromium's log."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def audit_out(sample_audit):
    """The newcomer's audit of the sample register, children table and extract (``conftest``)."""
    return sample_audit


def test_report_is_one_file_that_needs_no_network(audit_out):
    out, result = audit_out
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and " src=" not in page and "url(" not in page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}  # SVG's namespace only
    figures = result.dedupe.summary()
    assert f"<td class=\"n\">{figures['candidate_pairs']:,}</td>" in page
    assert f"匹配阈值 {result.dedupe.scored.threshold:.2f}" in page
    assert page.count("<svg") >= 5 and "各街道清查问题" in page and "最接近阈值的 6 对记录" in page
    assert not any(number in page for number in result.records.norm["id_number"].astype(str) if len(number) == 18)


@needs_chromium
def test_chromium_shows_the_report_without_script_errors(audit_out, tmp_path):
    out, _ = audit_out
    shown = chromium(out / "report.html", "--dump-dom")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert console_errors(shown.stderr) == []
    dom = shown.stdout
    headings = re.findall(r"<h2>([^<]*)</h2>", dom)
    assert headings[:3] == ["运行数据", "匹配概率分布", "模型权重"] and headings[-2:] == ["各街道的重复组", "各街道清查问题"]
    assert headings[3].endswith("对记录:概率的由来")
    assert dom.count("<svg") >= 5 and dom.count("<rect") > 100
    shot = tmp_path / "report.png"
    taken = chromium(out / "report.html", "--hide-scrollbars", "--window-size=1150,1600", f"--screenshot={shot}")
    assert taken.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


@needs_chromium
def test_the_console_check_sees_a_broken_script(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><p>x</p><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    assert console_errors(chromium(page, "--dump-dom").stderr)


def test_a_waterfall_ends_at_the_pairs_log_odds():
    steps = [("截距(先验)", -0.5), ("身份证号一致", 3.0), ("姓名不同", -1.0)]
    drawn = waterfall(steps, title="R1 — R2")
    assert "+1.50 → 概率 0.818" in drawn  # 1 / (1 + e^-1.5)
    assert drawn.count("<rect") == len(steps) + 1


def test_a_dedupe_report_without_audit_or_model_still_renders(tmp_path):
    result = linkage.dedupe(DATA / "sample_register.csv", district="330106", as_of="2026-11-30")
    page = render_report(result.__class__(**{**result.__dict__, "model": None}))
    assert "模型权重" not in page and "匹配概率分布" in page and "各街道清查问题" not in page
    assert np.isfinite(result.scored.probabilities).all()
