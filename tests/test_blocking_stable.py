"""Stable keys (``blocking.register.stable_keys``, what the Spark engine computes on each
partition): a record's key is the same whichever part of the register it is computed in, and two
records share a stable key exactly when they share the key the local engine computes."""

from pathlib import Path

import numpy as np
import pandas as pd

from blocking.register import DEFAULT_BLOCKERS, stable_keys
from linkage.io import load
from linkage.prepare import prepare

SAMPLE = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "sample_register.csv"


def _rows_and_values(keys, n):
    if isinstance(keys, tuple):
        return keys
    return np.arange(n), np.asarray(keys)


def _groups(rows, values) -> set[frozenset]:
    """The blocks a key array makes: sets of rows sharing a key ('' and -1 are no key)."""
    frame = pd.DataFrame({"row": rows, "key": pd.Series(values, dtype=object).astype(str)})
    blank = frame["key"].isin(["", "-1"]).to_numpy()
    frame = frame[~blank]
    return {frozenset(members) for _, members in frame.groupby("key")["row"]}


def test_stable_keys_are_the_same_in_any_part_and_make_the_same_blocks():
    norm = prepare(load(SAMPLE)).norm
    n, half = len(norm), len(norm) // 2
    first, second = norm.iloc[:half].reset_index(drop=True), norm.iloc[half:].reset_index(drop=True)
    for blocker in DEFAULT_BLOCKERS:
        local = blocker.keys(norm)
        with stable_keys():
            whole = blocker.keys(norm)
            parts = blocker.keys(first), blocker.keys(second)
        assert len(local) == len(whole)
        for k, (plain, stable) in enumerate(zip(local, whole)):
            rows, values = _rows_and_values(stable, n)
            rows_a, values_a = _rows_and_values(parts[0][k], half)
            rows_b, values_b = _rows_and_values(parts[1][k], n - half)
            # computed on two halves, every record has the key it has in the whole register
            together = pd.Series(np.r_[values_a, values_b], index=np.r_[rows_a, rows_b + half], dtype=object)
            assert together.sort_index(kind="stable").astype(str).tolist() == \
                pd.Series(values, index=rows, dtype=object).sort_index(kind="stable").astype(str).tolist(), blocker.name
            plain_rows, plain_values = _rows_and_values(plain, n)
            assert _groups(plain_rows, plain_values) == _groups(rows, values), (blocker.name, k)


def test_blocking_hands_the_state_the_keys_block_keys_gives_and_the_same_pairs(monkeypatch):
    """A run keeps its blocking keys for the next month's update; blocking makes them on the way
    (in the one process and split over two) instead of a second pass at writing time, and the
    pairs and per-key counts are those of blocking without them."""
    import importlib

    import blocking
    from blocking.kernels import BlockStats

    block_module = importlib.import_module("blocking.block")

    norm = prepare(load(SAMPLE)).norm
    expected = blocking.block_keys(norm)
    plain_stats = BlockStats()
    plain = blocking.block(norm, stats=plain_stats)
    for parallel_from in (10**9, 100):  # one process; the ID-number blockers in a forked child
        monkeypatch.setattr(block_module, "PARALLEL_FROM", parallel_from)
        keys, stats = {}, BlockStats()
        pairs = blocking.block(norm, stats=stats, keys=keys)
        assert np.array_equal(pairs, plain)
        assert stats.pairs_per_key == plain_stats.pairs_per_key
        assert list(stats.pairs_per_key) == list(plain_stats.pairs_per_key)
        assert list(keys) == list(expected)
        for name, values in expected.items():
            assert np.array_equal(keys[name], values), name
