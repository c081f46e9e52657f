"""Numpy kernels that turn blocking keys into candidate pairs.

A pair array is int64 of shape (p, 2) holding row positions.  When deduplicating, every
pair has ``i < j`` and no pair repeats; when linking two tables, column 0 indexes the left
table and column 1 the right one.

>>> unique_pairs([pairs_from_keys(np.array(["a", "b", "a", "", "a"], dtype=object))])
array([[0, 2],
       [0, 4],
       [2, 4]])
>>> pairs_from_keys(np.array(["a", "a", "a"], dtype=object), max_block_size=2)
array([], shape=(0, 2), dtype=int64)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

EMPTY_PAIRS = np.empty((0, 2), dtype=np.int64)


@dataclass
class BlockStats:
    """What a blocking pass did: pairs per key, and the oversized blocks it skipped."""

    pairs_per_key: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    skipped_records: dict[str, int] = field(default_factory=dict)


def _codes(keys: np.ndarray) -> np.ndarray:
    """Integer codes of keys, -1 for blank keys ('', None, or a negative integer key)."""
    keys = np.asarray(keys)
    if np.issubdtype(keys.dtype, np.integer):
        return np.where(keys < 0, -1, pd.factorize(keys)[0]).astype(np.int64)
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
    blank = np.flatnonzero(pd.Series(uniques, dtype=object).isin(["", b""]).to_numpy())
    if len(blank):
        codes = codes.copy()
        codes[np.isin(codes, blank)] = -1
    return codes.astype(np.int64)


def _stable_order(codes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` ordered by ``codes`` (stable) and the sorted codes; codes are 0..k-1 (int64 (m,)).
    One sort of code * n + position, which is what a stable argsort gives, only faster."""
    m = len(codes)
    if m == 0 or int(codes.max()) >= np.iinfo(np.int64).max // max(m, 1) - 1:
        position = np.argsort(codes, kind="stable")
    else:
        position = np.sort(codes * np.int64(m) + np.arange(m, dtype=np.int64)) % m
    return rows[position], codes[position]


def pairs_from_keys(
    keys: np.ndarray,
    *,
    max_block_size: int = 1000,
    side: np.ndarray | None = None,
    stats: BlockStats | None = None,
    name: str = "key",
    any_order: bool = False,
) -> np.ndarray:
    """All pairs of rows that share a non-blank key, skipping blocks larger than ``max_block_size``.

    keys: array of shape (n,) (str, bytes or int; '' means no key, and so does a negative int).
    side: optional bool array (n,); when given only pairs with side[i] != side[j] are kept,
        ordered (False row, True row).
    any_order: the caller takes the pairs as a set (``unique_pairs``): integer keys are then
        grouped as they are, without factorising them first (same pairs, another order).
    Returns int64 (p, 2), i < j when ``side`` is None.
    """
    raw = np.asarray(keys)
    if any_order and np.issubdtype(raw.dtype, np.integer):
        keep = np.flatnonzero(raw >= 0)
        order = keep[np.argsort(raw[keep])]  # rows within a block in any order: orient and unique_pairs sort them
        sorted_codes = raw[order].astype(np.int64)
    else:
        codes = _codes(raw)
        keep = np.flatnonzero(codes >= 0)
        order, sorted_codes = _stable_order(codes[keep], keep)
    if len(order) == 0:
        return EMPTY_PAIRS
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    size_of_row = np.repeat(sizes, sizes)
    too_big = size_of_row > max_block_size
    if stats is not None:
        stats.skipped_blocks[name] = int((sizes > max_block_size).sum())
        stats.skipped_records[name] = int(too_big.sum())
    order, sorted_codes, size_of_row = order[~too_big], sorted_codes[~too_big], size_of_row[~too_big]
    chunks = []
    active = np.flatnonzero(size_of_row > 1)
    offset = 1
    while len(active):
        partner = active + offset
        partner = partner[partner < len(order)]
        base = active[: len(partner)]
        same = sorted_codes[partner] == sorted_codes[base]
        left, right = order[base[same]], order[partner[same]]
        chunks.append(np.stack([left, right], axis=1))
        offset += 1
        active = active[size_of_row[active] > offset]
    pairs = np.concatenate(chunks) if chunks else EMPTY_PAIRS
    return orient(pairs, side)


def pairs_of_holders(rows: np.ndarray, values: np.ndarray, *, max_block_size: int = 1000,
                     side: np.ndarray | None = None, stats: BlockStats | None = None, name: str = "key") -> np.ndarray:
    """The pairs of records sharing a key that a record may hold more than once (a key of several
    columns): ``rows[i]`` holds ``values[i]`` (int64 (m,) each).  Blocks and caps as
    ``pairs_from_keys`` over the values; ``side`` (per record) as there.  Returns int64 (p, 2)
    record rows, no record with itself, i < j when ``side`` is None; repeats are left for
    ``unique_pairs``."""
    pairs = pairs_from_keys(values, max_block_size=max_block_size, side=None if side is None else side[rows],
                            stats=stats, name=name, any_order=True)
    pairs = rows[pairs]
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.sort(pairs, axis=1) if side is None else pairs


def sorted_neighbourhood(
    keys: np.ndarray, *, window: int = 5, side: np.ndarray | None = None
) -> np.ndarray:
    """Pairs of rows within ``window - 1`` places of each other when sorted by a fuzzy key.

    keys: array of shape (n,); blank keys take no part.  Returns int64 (p, 2).
    """
    keys = pd.Series(keys, dtype=object)
    keep = np.flatnonzero((keys != "").to_numpy() & keys.notna().to_numpy())
    order = keep[np.argsort(keys.to_numpy()[keep].astype(str), kind="stable")]
    chunks = [np.stack([order[:-d], order[d:]], axis=1) for d in range(1, min(window, len(order)))]
    pairs = np.concatenate(chunks) if chunks else EMPTY_PAIRS
    return orient(pairs, side)


def orient(pairs: np.ndarray, side: np.ndarray | None) -> np.ndarray:
    """Dedupe: i < j.  Link (``side`` given): keep cross pairs, ordered (left row, right row)."""
    if len(pairs) == 0:
        return EMPTY_PAIRS
    if side is None:
        return np.sort(pairs, axis=1).astype(np.int64)
    cross = side[pairs[:, 0]] != side[pairs[:, 1]]
    pairs = pairs[cross]
    swap = side[pairs[:, 0]]
    return np.where(swap[:, None], pairs[:, ::-1], pairs).astype(np.int64)


def unique_pairs(pair_arrays: list[np.ndarray], n_right: int | None = None) -> np.ndarray:
    """Union of pair arrays, sorted, without repeats or self pairs.  Returns int64 (p, 2)."""
    arrays = [p for p in pair_arrays if len(p)]
    if not arrays:
        return EMPTY_PAIRS
    pairs = np.concatenate(arrays).astype(np.int64)
    if n_right is None:
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    width = np.int64(max(int(pairs.max()) + 1, 1) if n_right is None else max(n_right, 1))
    encoded = np.sort(pairs[:, 0] * width + pairs[:, 1])
    encoded = encoded[np.r_[True, encoded[1:] != encoded[:-1]]]  # np.unique's result; its hashing is far slower
    return np.stack([encoded // width, encoded % width], axis=1)
