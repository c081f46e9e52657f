"""Run a set of blockers over one table (dedupe) or two (link)."""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np
import pandas as pd

from .kernels import BlockStats, pairs_from_keys, unique_pairs
from .register import DEFAULT_BLOCKERS


class Blocker(Protocol):
    """Anything with a name, a block-size cap and ``keys(norm) -> list of (n,) arrays``.
    A blocker may also have ``keep(norm, pairs) -> bool (p,)`` to drop some of its pairs."""

    name: str
    max_block_size: int

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]: ...


def ruled_out(left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> np.ndarray:
    """bool (p,): both ID numbers are valid and differ.  A wrong digit or two swapped
    neighbours never keep the MOD 11-2 check valid, so such a pair is two people (twins,
    sisters, namesakes) and is not worth scoring."""
    if "id_number" not in left.columns or "id_number" not in right.columns or len(pairs) == 0:
        return np.zeros(len(pairs), dtype=bool)
    id_l = left["id_number"].to_numpy(dtype=object)[pairs[:, 0]]
    id_r = right["id_number"].to_numpy(dtype=object)[pairs[:, 1]]
    return (id_l != "") & (id_r != "") & (id_l != id_r)


def _id_codes(frame: pd.DataFrame) -> np.ndarray | None:
    """int64 (n,): a code per distinct usable ID number, -1 where there is none; None if the
    frame has no ``id_number``."""
    if "id_number" not in frame.columns:
        return None
    ids = pd.Series(frame["id_number"].to_numpy(dtype=object), dtype=object)
    codes, uniques = pd.factorize(ids, use_na_sentinel=False)  # None is a value here, as in ruled_out
    blank = np.flatnonzero(pd.Series(uniques, dtype=object).isin([""]).to_numpy())
    return np.where(np.isin(codes, blank), -1, codes).astype(np.int64)


def _ruled_out_codes(codes: np.ndarray | None, pairs: np.ndarray) -> np.ndarray:
    """``ruled_out`` on the codes of ``_id_codes``: bool (p,)."""
    if codes is None or len(pairs) == 0:
        return np.zeros(len(pairs), dtype=bool)
    left, right = codes[pairs[:, 0]], codes[pairs[:, 1]]
    return (left >= 0) & (right >= 0) & (left != right)


def _pairs_per_key(frame: pd.DataFrame, blockers: Sequence[Blocker], side: np.ndarray | None,
                   stats: BlockStats | None) -> list[np.ndarray]:
    """Pairs of every key of every blocker over ``frame``, each filtered by its blocker's
    ``keep`` and by ``ruled_out``; positions in ``frame``."""
    arrays = []
    id_codes = _id_codes(frame)
    for blocker in blockers:
        for k, keys in enumerate(blocker.keys(frame)):
            name = f"{blocker.name}[{k}]"
            pairs = pairs_from_keys(keys, max_block_size=blocker.max_block_size, side=side, stats=stats, name=name,
                                    any_order=True)  # unique_pairs makes them a sorted set
            if hasattr(blocker, "keep") and len(pairs):
                pairs = pairs[blocker.keep(frame, pairs)]
            pairs = pairs[~_ruled_out_codes(id_codes, pairs)]
            if stats is not None:
                stats.pairs_per_key[name] = len(pairs)
            arrays.append(pairs)
    return arrays


def block(
    norm: pd.DataFrame, blockers: Sequence[Blocker] = DEFAULT_BLOCKERS, *, stats: BlockStats | None = None
) -> np.ndarray:
    """Candidate pairs of one table.  Returns int64 (p, 2), i < j, sorted, no repeats; pairs
    of two valid, different ID numbers are left out (``ruled_out``)."""
    return unique_pairs(_pairs_per_key(norm, blockers, None, stats))


def block_link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    blockers: Sequence[Blocker] = DEFAULT_BLOCKERS,
    *,
    stats: BlockStats | None = None,
) -> np.ndarray:
    """Candidate pairs across two tables: int64 (p, 2) of (left row, right row), no repeats;
    pairs of two valid, different ID numbers are left out (``ruled_out``)."""
    both = pd.concat([left, right], ignore_index=True)
    side = np.r_[np.zeros(len(left), dtype=bool), np.ones(len(right), dtype=bool)]
    arrays = _pairs_per_key(both, blockers, side, stats)
    shifted = [pairs - np.array([0, len(left)], dtype=np.int64) for pairs in arrays]
    return unique_pairs(shifted, n_right=max(len(right), 1))
