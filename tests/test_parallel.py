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


@needs_fork
def test_work_begun_ahead_finishes_on_the_word_sent_later_even_after_another_fork(tmp_path):
    from linkage.parallel import begin_ahead

    def prepare() -> tuple[int, float]:
        time.sleep(0.3)
        return os.getpid(), time.perf_counter()

    start = time.perf_counter()
    ahead = begin_ahead(prepare, lambda prepared, folder: (prepared[0], (tmp_path / folder).write_text("x")))
    assert time.perf_counter() - start < 0.2  # begun, not waited for
    assert side_by_side(lambda: 1, lambda: 2) == (1, 2)  # a process forked meanwhile holds copies of the pipes
    ahead.send("a.txt")
    pid, _ = ahead.result()
    assert pid != os.getpid() and (tmp_path / "a.txt").read_text() == "x"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped


@needs_fork
def test_an_error_in_work_begun_ahead_is_raised_by_result():
    from linkage.parallel import begin_ahead

    def fails() -> None:
        raise InputFileError("登记册.csv 第 9 行: 出生日期 列无法读取")

    ahead = begin_ahead(fails, lambda prepared, word: word)
    ahead.send(None)
    with pytest.raises(InputFileError, match="第 9 行"):
        ahead.result()


@needs_fork
def test_work_begun_ahead_and_dropped_leaves_no_process(tmp_path):
    import gc

    from linkage.parallel import begin_ahead

    marker = tmp_path / "ahead.pid"
    ahead = begin_ahead(lambda: marker.write_text(str(os.getpid())), lambda prepared, word: word)
    while not marker.exists() or not marker.read_text():
        time.sleep(0.01)
    del ahead
    gc.collect()
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


def test_no_work_begins_ahead_with_one_worker(monkeypatch):
    from linkage.parallel import begin_ahead

    monkeypatch.setenv(WORKERS_ENV, "1")
    assert begin_ahead(lambda: 1, lambda prepared, word: word) is None


@needs_fork
def test_a_run_written_by_two_processes_holds_the_files_of_one(monkeypatch, tmp_path):
    """The writing is shared out between two processes (the printable workbooks too, in two parts)
    and state/'s large files come from a third begun ahead: the same files, byte for byte, as one
    process writes (the manifest's times and state.json's aside)."""
    import json

    from benchmarks.generator import generate_register
    from linkage import dedupe
    from linkage.pipeline import DedupeResult

    if not can_fork():
        pytest.skip("another thread runs in this process (Spark's): no fork")
    register = generate_register(3_000, seed=8).register
    shares = []
    original = DedupeResult._documents_beside
    monkeypatch.setattr(DedupeResult, "_documents_beside", lambda self, **kw: shares.append(original(self, **kw))
                        or shares[-1])
    folders = {}
    for workers in ("1", ""):
        monkeypatch.setenv(WORKERS_ENV, workers)
        result = dedupe(register, district="330106", as_of="2026-11-30", prepare_state=True)
        result.write(tmp_path / f"w{workers}")
        folders[workers] = tmp_path / f"w{workers}"
    assert 0 < shares[-1] < 1  # the second process took part of the printable workbooks

    def files(folder):
        out = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name not in ("manifest.json", "state.json"):
                out[str(path.relative_to(folder))] = path.read_bytes()
        info = json.loads((folder / "state" / "state.json").read_text(encoding="utf-8"))
        info.pop("written")
        return out, info

    one, two = files(folders["1"]), files(folders[""])
    assert len([name for name in one[0] if name.startswith("printable")]) > 5
    assert one == two


def _state_bytes(folder) -> dict[str, bytes]:
    """Every file of a state folder but state.json's time of writing."""
    import json

    files = {path.name: path.read_bytes() for path in sorted((folder / "state").iterdir())}
    info = json.loads(files.pop("state.json"))
    info.pop("written")
    return {**files, "state.json": json.dumps(info, sort_keys=True).encode()}


@needs_fork
def test_a_state_encoded_ahead_is_the_state_written_at_the_end(tmp_path):
    """``prepare_state``: state/'s large files encoded while the managing units are decided, by a
    second process, are byte for byte those written at the end, for a run and its update; a result
    written without its state leaves no process behind."""
    from benchmarks.generator import generate_register
    from linkage import dedupe, update

    if not can_fork():
        pytest.skip("another thread runs in this process (Spark's): no fork")
    register = generate_register(700, seed=21).register
    runs = {}
    for ahead in (False, True):
        first = dedupe(register.iloc[:500], district="330106", as_of="2026-11-30", prepare_state=ahead)
        assert (first.state_ahead is not None) == ahead
        first.write(tmp_path / f"m1-{ahead}", printable=False)
        assert first.state_ahead is None  # written once, then done
        second = update(tmp_path / f"m1-{ahead}", register.iloc[450:], prepare_state=ahead)
        second.write(tmp_path / f"m2-{ahead}", printable=False)
        runs[ahead] = [_state_bytes(tmp_path / f"m{k}-{ahead}") for k in (1, 2)]
    assert runs[True] == runs[False]
    assert set(runs[True][1]) >= {"records.parquet", "raw.parquet", "blocks.parquet", "pairs.parquet"}
    dropped = dedupe(register.iloc[:300], district="330106", as_of="2026-11-30", prepare_state=True)
    pid = dropped.state_ahead._pid
    dropped.write(tmp_path / "nostate", printable=False, state=False)
    assert not (tmp_path / "nostate" / "state").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
