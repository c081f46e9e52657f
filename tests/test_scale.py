"""The scale suite's plumbing at a tiny size (the command line as a child process, its stages in
the row, its own section of RESULTS.md beside the other suites'), and the projection's arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.report import SCALE_HEADING, write_results
from benchmarks.scale import SECTION_HEADING, projection, stage_seconds

REPO = Path(__file__).resolve().parent.parent


def test_a_tiny_scale_run_gives_rows_with_stages_and_its_own_section(tmp_path):
    results = tmp_path / "RESULTS.md"
    register_row = {"suite": "register", "dataset": "register-2k dedupe", "tool": "ours", "records": 2000,
                    "candidate_pairs": 10, "pairs_completeness": 1.0, "reduction_ratio": 0.9, "precision": 1.0,
                    "recall": 1.0, "f1": 1.0, "wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mb": 100.0}
    write_results([register_row], results)
    results.write_text(results.read_text(encoding="utf-8") + f"\n{SCALE_HEADING}\n\nmeasured by hand\n",
                       encoding="utf-8")
    command = [sys.executable, str(REPO / "benchmarks" / "run.py"), "--suite", "scale", "--size", "3000",
               "--spark-size", "--format", "json", "--work", str(tmp_path / "work"), "--results", str(results)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [row] = json.loads(done.stdout)
    assert (row["suite"], row["tool"], row["records"]) == ("scale", "cli-local", 3000)
    assert "error" not in row and row["f1"] >= 0.95 and row["wall_s"] > 0 and row["peak_rss_mb"] > 50
    assert row["units"]["records"] == 3000 and row["units"]["pairs"] == row["candidate_pairs"] > 0
    seconds = stage_seconds(row)
    assert seconds["normalise"] > 0 and seconds["score"] > 0 and seconds["write"] > 0
    assert sum(seconds.values()) <= row["wall_s"]
    write_results([register_row], results)  # another suite's run afterwards keeps this one's section
    page = results.read_text(encoding="utf-8")
    assert SECTION_HEADING in page and "| cli-local | 3,000 |" in page
    assert "register-2k dedupe" in page and page.rstrip().endswith("measured by hand")
    assert page.count(SECTION_HEADING) == 1 and page.index(SECTION_HEADING) < page.index(SCALE_HEADING)


def _spark_row(records: int, pairs: int, stages: dict[str, float]) -> dict:
    return {"suite": "scale", "tool": "cli-spark", "records": records, "units": {"records": records, "pairs": pairs},
            "shuffle_bytes": 500 * records, "stages": [[name, wall, 0.0] for name, wall in stages.items()]}


def test_the_projection_fits_fixed_and_per_unit_costs_and_divides_only_executor_stages():
    # measured: normalising 10 s + 1 ms per record, scoring 5 s + 2 ms per pair, gathering 1 ms per record
    rows = [_spark_row(n, 2 * n, {"normalising (Spark)": 10 + 0.001 * n, "scoring candidate pairs (Spark)":
                                  5 + 0.002 * 2 * n, "gathering the tables": 0.001 * n}) for n in (1000, 4000)]
    table = projection(rows, sizes=(1_000_000,), executors=(1, 10), cores=2).set_index("executors")
    assert table.loc[1, "candidate_pairs"] == 2_000_000 and table.loc[1, "shuffle_gb"] == pytest.approx(0.5)
    # one executor of 2 cores is local[2]: the measured line extended
    assert table.loc[1, "normalise"] == pytest.approx(10 + 1000, abs=0.1)
    assert table.loc[1, "score"] == pytest.approx(5 + 4000, abs=0.1)
    assert table.loc[10, "normalise"] == pytest.approx(10 + 100, abs=0.1)  # ten times the cores
    assert table.loc[10, "gather"] == table.loc[1, "gather"] == pytest.approx(1000, abs=0.1)  # the driver's
    assert table.loc[10, "driver_s"] == pytest.approx(1000, abs=0.1)
