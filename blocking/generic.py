"""Blocking rules of a generic field profile (registers that are not the WIS layout, e.g. FEBRL).

A ``BlockRule`` joins some normalised columns into a key; records meet when their keys agree
('exact'), hold the same values in any order ('unordered': given name and surname swapped),
or lie within ``window - 1`` places when sorted by the key ('sorted': sorted neighbourhood).

>>> norm = pd.DataFrame({"given_name": ["kayla", "kayla", "harrington"], "surname": ["harrington", "harington", "kayla"]})
>>> block_rules(norm, (BlockRule(("given_name", "surname"), method="unordered"),)).tolist()
[[0, 2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from linkage.errors import ConfigError

from .kernels import EMPTY_PAIRS, pairs_from_keys, sorted_neighbourhood, unique_pairs

BLOCK_METHODS = ("exact", "sorted", "unordered")


@dataclass(frozen=True)
class BlockRule:
    """Records meet when their key agrees.  The key joins ``columns`` (each cut to its first
    ``prefix`` characters when ``prefix`` > 0).  method 'exact': same key; 'unordered': same
    set of values in any order (given name and surname swapped); 'sorted': within
    ``window`` - 1 places when sorted by the key (sorted neighbourhood)."""

    columns: tuple[str, ...]
    method: str = "exact"
    prefix: int = 0
    window: int = 5
    max_block_size: int = 500

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        if self.method not in BLOCK_METHODS:
            raise ConfigError(f"block rule {self.columns}: unknown method {self.method!r}; use one of {BLOCK_METHODS}")

    @property
    def name(self) -> str:
        return f"{self.method}:{'+'.join(self.columns)}" + (f"[:{self.prefix}]" if self.prefix else "")

    def pairs(self, norm: pd.DataFrame, side: np.ndarray | None = None) -> np.ndarray:
        """The rule's pairs over ``norm`` (n rows): int64 (p, 2); with ``side`` (bool (n,)) only
        pairs across the two sides, as (False row, True row)."""
        if len(norm) == 0:
            return EMPTY_PAIRS
        parts = [norm[c].astype(str) for c in self.columns]
        if self.prefix:
            parts = [p.str[: self.prefix] for p in parts]
        frame = pd.concat(parts, axis=1)
        blank = (frame == "").any(axis=1).to_numpy()
        if self.method == "unordered":
            frame = pd.DataFrame(np.sort(frame.to_numpy(dtype=str), axis=1))
        key = frame.iloc[:, 0].str.cat([frame[c] for c in frame.columns[1:]], sep="|").to_numpy(dtype=object)
        key[blank] = ""
        if self.method == "sorted":
            return sorted_neighbourhood(key, window=self.window, side=side)
        return pairs_from_keys(key, max_block_size=self.max_block_size, side=side, name=self.name)


def block_rules(norm: pd.DataFrame, rules: Sequence[BlockRule]) -> np.ndarray:
    """Candidate pairs of one table under ``rules``: int64 (p, 2), i < j, no repeats."""
    return unique_pairs([rule.pairs(norm) for rule in rules])


def block_rules_link(left: pd.DataFrame, right: pd.DataFrame, rules: Sequence[BlockRule]) -> np.ndarray:
    """Candidate pairs across two tables under ``rules``: int64 (p, 2) of (left row, right row)."""
    both = pd.concat([left, right], ignore_index=True)
    side = np.r_[np.zeros(len(left), dtype=bool), np.ones(len(right), dtype=bool)]
    shift = np.array([0, len(left)], dtype=np.int64)
    arrays = [rule.pairs(both, side) - shift for rule in rules]
    return unique_pairs([a for a in arrays if len(a)], n_right=max(len(right), 1))
