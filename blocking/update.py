"""Block an updated register from the keys a run kept: only the blocks a new, changed or departed
record touches are formed again (``linkage update``).

The final register is the kept rows of the old one (in their order) followed by the fresh rows
(new and changed records).  A full run's candidate pairs are, per key, the pairs of each block no
larger than its cap (``blocking.block``).  A block no fresh or departed record holds has the same
members as before, so its pairs are among the old pairs; a block one of them holds (a touched
key) is formed again from all its members in the final register (the stored keys of the kept
rows joined with the fresh rows' keys), so its size, and with it the cap, is that of a full run.
An old pair is dropped only when no key supports it any more: the candidates are the old pairs
inside a block that grew over its cap, each checked against every key of the final register.
So the pairs are those of ``blocking.block`` on the final register (``tests/test_update.py``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from linkage.identity import IdParts

from .block import Blocker
from .kernels import EMPTY_PAIRS, pairs_of_holders, unique_pairs
from .register import DEFAULT_BLOCKERS


LOW_BITS = 1 << 24
"""Size of the table ``_member`` marks the touched keys' low bits in."""


def _blockers(blockers: Sequence[Blocker], names: Sequence[str]) -> dict[str, Blocker]:
    by_name = {b.name: b for b in blockers}
    return {name: by_name[name.rsplit("[", 1)[0]] for name in names}


def _flat(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """(values (n*s,), s): a key array (n,) or (n, s) flattened row by row."""
    return (keys.reshape(-1), keys.shape[1]) if keys.ndim == 2 else (keys, 1)


def _touched(fresh: np.ndarray, departed: np.ndarray) -> np.ndarray:
    """int64 (t,), sorted: the keys a fresh or departed record holds."""
    values = np.unique(np.r_[fresh.reshape(-1), departed.reshape(-1)])
    return values[values >= 0]


def final_keys(old: dict[str, np.ndarray], kept: np.ndarray, fresh: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The keys of the final register: the kept rows' (``kept``: int64 (n_kept,) old rows) then the
    fresh rows'; each int64 (n,) or (n, s)."""
    return {name: np.concatenate([old[name][kept], fresh[name].reshape((-1,) + old[name].shape[1:])]) for name in old}


def block_update(old: dict[str, np.ndarray], kept: np.ndarray, departed: np.ndarray, fresh: dict[str, np.ndarray],
                 norm: pd.DataFrame, old_pairs: np.ndarray,
                 blockers: Sequence[Blocker] = DEFAULT_BLOCKERS) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(pairs, keys) of the final register ``norm`` (n = len(kept) + fresh rows):

    old: the run's keys (``blocking.block_keys``, old rows; emptied as it is read, to hold one
    register's keys at a time); kept: int64 (n_kept,) the old rows
    kept, in the final register's order; departed: int64 (d,) the old rows gone (left or changed);
    fresh: the fresh rows' keys; old_pairs: int64 (q, 2) the run's candidate pairs between kept
    rows, in final positions.  Returns the candidate pairs int64 (p, 2), i < j, sorted, no repeats
    (those of ``blocking.block(norm)``), and the final register's keys.
    """
    by_name = _blockers(blockers, list(old))
    arrays: list[np.ndarray] = []
    grown: dict[str, np.ndarray] = {}  # per key name: keys whose block grew over the cap
    keys: dict[str, np.ndarray] = {}
    for name in list(old):
        blocker = by_name[name]
        before_keys = old.pop(name)  # one key's old and final arrays at a time: the caller's dict is emptied
        gone_values, _ = _flat(before_keys[departed])
        final = keys[name] = final_keys({name: before_keys}, kept, fresh)[name]
        del before_keys
        touched = _touched(fresh[name], gone_values)
        if not len(touched):
            continue
        values, slots = _flat(final)
        at = np.flatnonzero(_member(values, touched))
        held = values[at]
        pairs = pairs_of_holders(at // slots, held, max_block_size=blocker.max_block_size)
        if hasattr(blocker, "keep") and len(pairs):
            pairs = pairs[blocker.keep(norm, pairs)]
        arrays.append(pairs)
        # blocks that were within the cap and are not now: their old pairs may have lost their only key
        block, size = np.unique(held, return_counts=True)
        fresh_values, _ = _flat(fresh[name])
        before = size - _count(block, fresh_values) + _count(block, gone_values)
        over = block[(size > blocker.max_block_size) & (before <= blocker.max_block_size) & (before > 1)]
        if len(over):
            grown[name] = over
    new_pairs = unique_pairs(arrays) if arrays else EMPTY_PAIRS
    if len(new_pairs):
        parts = IdParts.of_frame(norm.iloc[np.unique(new_pairs)][["id_full", "id_status"]]) \
            if {"id_full", "id_status"} <= set(norm.columns) else None
        if parts is not None:
            involved = np.unique(new_pairs)
            local = np.searchsorted(involved, new_pairs)
            new_pairs = new_pairs[~parts.cannot(local)]
    old_pairs = np.asarray(old_pairs, dtype=np.int64).reshape(-1, 2)
    if grown and len(old_pairs):
        old_pairs = old_pairs[~_unsupported(old_pairs, grown, keys, by_name, norm)]
    return unique_pairs([np.sort(old_pairs, axis=1), new_pairs]), keys


def _member(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """bool (m,): ``values`` among ``keys`` (int64 >= 0): a table of the keys' low 24 bits picks the
    few candidates (one gather over the register's keys), a hash lookup confirms them."""
    out = np.zeros(len(values), dtype=bool)
    if not len(keys) or not len(values):
        return out
    low = np.int64(LOW_BITS - 1)
    table = np.zeros(LOW_BITS, dtype=bool)
    table[keys & low] = True
    candidates = np.flatnonzero(table[values & low])
    out[candidates] = pd.Index(keys).get_indexer(values[candidates]) >= 0
    return out


def _count(block: np.ndarray, values: np.ndarray) -> np.ndarray:
    """int64 (b,): how often each of the sorted keys ``block`` occurs in ``values``."""
    values = np.sort(values[values >= 0])
    return np.searchsorted(values, block, side="right") - np.searchsorted(values, block, side="left")


def _unsupported(pairs: np.ndarray, grown: dict[str, np.ndarray], keys: dict[str, np.ndarray],
                 by_name: dict[str, Blocker], norm: pd.DataFrame) -> np.ndarray:
    """bool (q,): old pairs inside a block that grew over its cap which no key of the final
    register supports (a shared key whose block is within its cap, and the blocker's ``keep``)."""
    inside = np.zeros(len(pairs), dtype=bool)
    for name, over in grown.items():
        final = keys[name]
        left, right = (final[pairs[:, 0]], final[pairs[:, 1]])
        left, right = (left[:, None], right[:, None]) if final.ndim == 1 else (left, right)
        for a in range(left.shape[1]):
            inside |= _member(left[:, a], over) & (left[:, a][:, None] == right).any(axis=1)
    candidates = np.flatnonzero(inside)
    if not len(candidates):
        return inside
    cand = pairs[candidates]
    supported = np.zeros(len(cand), dtype=bool)
    for name, final in keys.items():
        blocker = by_name[name]
        left, right = final[cand[:, 0]], final[cand[:, 1]]
        left, right = (left[:, None], right[:, None]) if final.ndim == 1 else (left, right)
        values, _ = _flat(final)
        keep = blocker.keep(norm, cand) if hasattr(blocker, "keep") else np.ones(len(cand), dtype=bool)
        for a in range(left.shape[1]):
            key = left[:, a]
            hit = (key >= 0) & (key[:, None] == right).any(axis=1) & keep & ~supported
            if not hit.any():
                continue
            wanted = np.unique(key[hit])
            size = _count(wanted, values[_member(values, wanted)])
            supported[hit] = size[np.searchsorted(wanted, key[hit])] <= blocker.max_block_size
    out = np.zeros(len(pairs), dtype=bool)
    out[candidates[~supported]] = True
    return out
