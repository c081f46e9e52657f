"""Blocking: every blocker honours the pair contract and finds the errors clerks make."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blocking import DEFAULT_BLOCKERS, BlockStats, block, block_link, pairs_from_keys, sorted_neighbourhood
from linkage.io import load
from linkage.prepare import prepare
from tests.conftest import tiny_register


def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    return prepare(load(frame)).norm


def _contract(pairs: np.ndarray, n: int) -> None:
    assert pairs.dtype == np.int64 and pairs.ndim == 2 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all(), "i < j, no self pairs"
    assert len(np.unique(pairs, axis=0)) == len(pairs), "no repeats"
    assert ((pairs >= 0) & (pairs < n)).all()


@pytest.mark.parametrize("blocker", DEFAULT_BLOCKERS, ids=lambda b: b.name)
def test_every_blocker_honours_the_contract(blocker):
    norm = _norm(tiny_register())
    for keys in blocker.keys(norm):
        if isinstance(keys, tuple):  # (rows, values): keys a record holds in several columns
            rows, values = keys
            assert len(rows) == len(values) and ((rows >= 0) & (rows < len(norm))).all()
        else:
            assert len(keys) == len(norm)
    _contract(block(norm, [blocker]), len(norm))
    _contract(block(norm.iloc[:0], [blocker]), 0)


def test_her_number_typed_in_the_husbands_column_meets_her_other_record_through_his():
    hers, his = "330106199001011248", "330106198803051235"
    norm = _norm(pd.DataFrame({"record_id": ["a", "b"], "unit_code": "330106001", "name": ["王芳", "汪芳"],
                               "id_number": [hers[:10] + "7" + hers[11:], his],        # a typo in hers; his in her column
                               "spouse_id_number": [his, hers[:10] + "9" + hers[11:]]}))
    assert _pair_set(block(norm)) == {(0, 1)}


def _pair_set(pairs):
    return {tuple(p) for p in pairs.tolist()}


def test_one_wrong_digit_two_swapped_digits_and_legacy_form_meet_their_twin():
    base = "330106199001011248"
    frame = pd.DataFrame({
        "record_id": ["orig", "typo", "swap", "legacy", "other"],
        "unit_code": ["330106001"] * 5,
        "name": ["甲", "乙", "丙", "丁", "戊"],  # names differ: only the ID can bring them together
        "id_number": [base, base[:9] + "3" + base[10:], base[:12] + base[13] + base[12] + base[14:],
                      "330106900101124", "110101198505050023"],
    })
    pairs = _pair_set(block(_norm(frame)))
    assert {(0, 1), (0, 2), (0, 3)} <= pairs
    assert not any(4 in p for p in pairs)


@pytest.mark.parametrize("position", range(17))
def test_a_wrong_digit_anywhere_is_found(position):
    base = "330106199001011248"
    typo = base[:position] + str((int(base[position]) + 1) % 10) + base[position + 1 :]
    frame = pd.DataFrame({"record_id": ["a", "b"], "unit_code": ["330106001"] * 2, "name": ["甲", "乙"],
                          "id_number": [base, typo]})
    assert _pair_set(block(_norm(frame))) == {(0, 1)}


def test_homophone_name_with_same_birth_year_meets():
    frame = pd.DataFrame({"record_id": ["a", "b"], "unit_code": ["330106001"] * 2, "name": ["王芳", "王方"],
                          "birth_date": ["1990-01-01", "1990-07-07"]})
    assert _pair_set(block(_norm(frame))) == {(0, 1)}


def test_oversized_blocks_are_capped_and_reported():
    keys = np.array(["same"] * 50 + ["x", "x"], dtype=object)
    stats = BlockStats()
    pairs = pairs_from_keys(keys, max_block_size=10, stats=stats, name="k")
    assert _pair_set(pairs) == {(50, 51)}
    assert stats.skipped_blocks["k"] == 1 and stats.skipped_records["k"] == 50


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "b", "c", "d"]), max_size=40))
def test_key_pairs_are_exactly_the_rows_sharing_a_key(keys):
    pairs = pairs_from_keys(np.array(keys, dtype=object))
    expected = {(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys)) if keys[i] and keys[i] == keys[j]}
    assert _pair_set(pairs) == expected
    if len(pairs):
        _contract(np.unique(pairs, axis=0), len(keys))


def test_sorted_neighbourhood_window():
    pairs = sorted_neighbourhood(np.array(["b", "a", "c", ""], dtype=object), window=2)
    assert _pair_set(np.sort(pairs, axis=1)) == {(0, 1), (0, 2)}


def test_link_pairs_go_left_to_right():
    left = _norm(tiny_register())
    right = _norm(tiny_register().iloc[[0, 4]].assign(record_id=["x", "y"]))
    pairs = block_link(left, right)
    assert pairs.dtype == np.int64
    assert (0, 0) in _pair_set(pairs) and (4, 1) in _pair_set(pairs)
    assert (pairs[:, 1] < 2).all()
