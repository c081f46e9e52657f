"""linkage.parallel: the second group of output jobs in a forked child, errors and all."""

from __future__ import annotations

import os
import time

import pytest

from linkage.errors import InputFileError
from linkage.parallel import WORKERS_ENV, can_fork, side_by_side

needs_fork = pytest.mark.skipif(not can_fork(), reason="one core or no fork here: the jobs run in turn")


@needs_fork
def test_the_second_job_runs_in_another_process_at_the_same_time():
    def busy() -> tuple[int, float]:
        start = time.perf_counter()
        while time.perf_counter() - start < 0.6:
            pass
        return os.getpid(), time.perf_counter()

    start = time.perf_counter()
    (pid_a, _), (pid_b, _) = side_by_side(busy, busy)
    assert pid_a == os.getpid() and pid_b != pid_a
    assert time.perf_counter() - start < 1.1  # side by side, not 1.2 s in turn


@needs_fork
def test_an_error_in_the_child_is_raised_here_as_it_was():
    def fails() -> None:
        raise InputFileError("登记册.csv 第 3 行: 身份证号码 列无法读取")

    with pytest.raises(InputFileError, match="第 3 行"):
        side_by_side(lambda: 1, fails)


@needs_fork
def test_an_error_here_stops_the_child_and_leaves_no_process(tmp_path):
    marker = tmp_path / "child.pid"

    def slow() -> None:
        marker.write_text(str(os.getpid()))
        time.sleep(30)

    def fails() -> None:
        while not marker.exists():
            time.sleep(0.01)
        raise ValueError("parent failed")

    start = time.perf_counter()
    with pytest.raises(ValueError, match="parent failed"):
        side_by_side(fails, slow)
    assert time.perf_counter() - start < 10
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)  # killed and reaped


def test_one_worker_runs_both_here(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert not can_fork()
    assert side_by_side(os.getpid, os.getpid) == (os.getpid(), os.getpid())


@needs_fork
def test_blocking_in_two_processes_finds_the_pairs_and_counts_of_one(monkeypatch):
    """The ID-number blockers run beside the others on a large register: the candidate pairs and
    the per-key counts (blocks.csv, the report) are those of one process, in the same order."""
    import importlib

    import numpy as np
    from benchmarks.generator import generate_register
    from blocking.kernels import BlockStats
    from linkage.profile import RegisterProfile

    profile = RegisterProfile()
    norm = profile.load(generate_register(3_000, seed=5).register).norm
    monkeypatch.setenv(WORKERS_ENV, "1")
    alone = BlockStats()
    pairs_alone = profile.block(norm, stats=alone)
    monkeypatch.delenv(WORKERS_ENV)
    module = importlib.import_module("blocking.block")
    monkeypatch.setattr(module, "PARALLEL_FROM", 1_000)
    forked = []
    monkeypatch.setattr(module, "side_by_side", lambda a, b: forked.append(1) or side_by_side(a, b))
    beside = BlockStats()
    pairs_beside = profile.block(norm, stats=beside)
    assert forked  # the two-process path ran
    assert len(pairs_alone) > 300
    assert np.array_equal(pairs_alone, pairs_beside)
    assert list(alone.pairs_per_key.items()) == list(beside.pairs_per_key.items())
    assert alone.skipped_blocks == beside.skipped_blocks and alone.skipped_records == beside.skipped_records


@needs_fork
def test_scoring_in_two_processes_gives_the_same_probabilities_and_reasons(monkeypatch):
    import importlib

    import numpy as np

    from benchmarks.generator import generate_register
    from linkage.profile import RegisterProfile

    run = importlib.import_module("scoring.run")
    profile = RegisterProfile()
    norm = profile.load(generate_register(3_000, seed=6).register).norm
    pairs = profile.block(norm)
    model = profile.default_model()
    monkeypatch.setenv(WORKERS_ENV, "1")
    alone = run.score_pairs(profile, model, norm, norm, pairs)
    monkeypatch.delenv(WORKERS_ENV)
    monkeypatch.setattr(run, "PARALLEL_FROM", 100)
    forked = []
    monkeypatch.setattr(run, "side_by_side", lambda a, b: forked.append(1) or side_by_side(a, b))
    for chunk in (run.CHUNK_PAIRS, 97):  # one chunk split in halves; many chunks split between the processes
        beside = run.score_pairs(profile, model, norm, norm, pairs, chunk=chunk)
        assert np.array_equal(alone.probabilities, beside.probabilities)
        assert np.array_equal(alone.reasons, beside.reasons)
    assert len(forked) == 2 and (alone.probabilities >= alone.threshold).sum() > 50
