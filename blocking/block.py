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


def block(
    norm: pd.DataFrame, blockers: Sequence[Blocker] = DEFAULT_BLOCKERS, *, stats: BlockStats | None = None
) -> np.ndarray:
    """Candidate pairs of one table.  Returns int64 (p, 2), i < j, sorted, no repeats."""
    arrays = []
    for blocker in blockers:
        for k, keys in enumerate(blocker.keys(norm)):
            name = f"{blocker.name}[{k}]"
            pairs = pairs_from_keys(keys, max_block_size=blocker.max_block_size, stats=stats, name=name)
            if hasattr(blocker, "keep") and len(pairs):
                pairs = pairs[blocker.keep(norm, pairs)]
            if stats is not None:
                stats.pairs_per_key[name] = len(pairs)
            arrays.append(pairs)
    return unique_pairs(arrays)


def block_link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    blockers: Sequence[Blocker] = DEFAULT_BLOCKERS,
    *,
    stats: BlockStats | None = None,
) -> np.ndarray:
    """Candidate pairs across two tables: int64 (p, 2) of (left row, right row), no repeats."""
    both = pd.concat([left, right], ignore_index=True)
    side = np.r_[np.zeros(len(left), dtype=bool), np.ones(len(right), dtype=bool)]
    arrays = []
    for blocker in blockers:
        for k, keys in enumerate(blocker.keys(both)):
            name = f"{blocker.name}[{k}]"
            pairs = pairs_from_keys(keys, max_block_size=blocker.max_block_size, side=side, stats=stats, name=name)
            if hasattr(blocker, "keep") and len(pairs):
                pairs = pairs[blocker.keep(both, pairs)]
            if stats is not None:
                stats.pairs_per_key[name] = len(pairs)
            arrays.append(pairs - np.array([0, len(left)], dtype=np.int64))
    return unique_pairs(arrays, n_right=max(len(right), 1))
