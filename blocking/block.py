"""Run a set of blockers over one table (dedupe) or two (link)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Protocol, Sequence

import numpy as np
import pandas as pd

from linkage.identity import IdParts
from linkage.parallel import can_fork, side_by_side

from .kernels import BlockStats, pairs_from_keys, pairs_of_holders, unique_pairs
from .register import DEFAULT_BLOCKERS, hashed_keys, one_pass, stable_key


class Blocker(Protocol):
    """Anything with a name, a block-size cap and ``keys(norm) -> list of (n,) arrays``.
    A blocker may also have ``keep(norm, pairs) -> bool (p,)`` to drop some of its pairs.  A key
    that a record holds in several columns (a number in her column or her husband's) is given
    as ``(rows, values)``, two (m,) arrays: the record ``rows[i]`` holds the key ``values[i]``."""

    name: str
    max_block_size: int

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]: ...


def _pairs_per_key(frame: pd.DataFrame, blockers: Sequence[Blocker], side: np.ndarray | None,
                   stats: BlockStats | None, kept: dict[str, np.ndarray] | None = None) -> list[np.ndarray]:
    """Pairs of every key of every blocker over ``frame``, each filtered by its blocker's
    ``keep`` and without the pairs that cannot be one woman (``linkage.identity``: not worth
    scoring); positions in ``frame``.  kept: when given, filled with every key as ``block_keys``
    gives it (the keys are then hashed ones, the same pairs)."""
    with one_pass(frame):  # what several blockers derive from the frame is derived once
        if kept is None:
            return _blocker_pairs(frame, blockers, side, stats, None)
        with hashed_keys():
            return _blocker_pairs(frame, blockers, side, stats, kept)


PARALLEL_FROM = 50_000
"""Rows from which the blockers run in two processes (``linkage.parallel``); below it a fork
costs more than it saves."""


def _blocker_pairs(frame: pd.DataFrame, blockers: Sequence[Blocker], side: np.ndarray | None,
                   stats: BlockStats | None, kept: dict[str, np.ndarray] | None) -> list[np.ndarray]:
    """Each blocker's pairs, in blocker order.  On a large frame the blockers on ID numbers run in
    a second process beside the others (``linkage.parallel.side_by_side``; each side derives what
    its blockers share once): the same arrays in the same order, and the same stats."""
    numbers = [b for b in blockers if getattr(b, "reads", "") == "id_numbers"]
    others = [b for b in blockers if getattr(b, "reads", "") != "id_numbers"]
    if len(frame) < PARALLEL_FROM or not numbers or not others or not can_fork():
        return [array for arrays in _some_blocker_pairs(frame, blockers, side, stats, kept) for array in arrays]

    def run(group: list[Blocker]) -> tuple[dict[str, list[np.ndarray]], BlockStats, dict[str, np.ndarray] | None]:
        own, own_keys = BlockStats(), ({} if kept is not None else None)
        return dict(zip([b.name for b in group], _some_blocker_pairs(frame, group, side, own, own_keys))), own, own_keys

    (first, first_stats, first_keys), (second, second_stats, second_keys) = side_by_side(
        lambda: run(others), lambda: run(numbers))
    if kept is not None:  # in blocker order, as one process would have made them
        kept.update(_in_blocker_order({**first_keys, **second_keys}, blockers))
    if stats is not None:  # merged in blocker order, as one process would have written them
        rank = {blocker.name: k for k, blocker in enumerate(blockers)}
        in_order = lambda table: dict(sorted(table.items(), key=lambda item: (  # noqa: E731
            rank.get(item[0].rsplit("[", 1)[0], len(rank)), int(item[0].rsplit("[", 1)[1].rstrip("]"))
            if item[0].endswith("]") else 0)))
        for field in ("pairs_per_key", "skipped_blocks", "skipped_records"):
            merged = {**getattr(stats, field), **getattr(first_stats, field), **getattr(second_stats, field)}
            setattr(stats, field, in_order(merged))
    found = {**first, **second}
    return [array for blocker in blockers for array in found[blocker.name]]


def _some_blocker_pairs(frame: pd.DataFrame, blockers: Sequence[Blocker], side: np.ndarray | None,
                        stats: BlockStats | None, kept: dict[str, np.ndarray] | None = None) -> list[list[np.ndarray]]:
    """The pairs of each key of each of ``blockers``: one list of (p, 2) arrays per blocker.
    kept: filled with each key as ``block_keys`` gives it (called under ``hashed_keys``)."""
    out = []
    parts = IdParts.of_frame(frame)
    for blocker in blockers:
        arrays: list[np.ndarray] = []
        out.append(arrays)
        for k, keys in enumerate(blocker.keys(frame)):
            name = f"{blocker.name}[{k}]"
            if kept is not None:  # hashed once here, then grouped as integers (the same blocks)
                kept[name] = _kept_key(blocker, keys, len(frame))
                keys = (keys[0], kept[name].T.reshape(-1)) if isinstance(keys, tuple) else kept[name]
            if isinstance(keys, tuple):  # (rows, values): a record may hold the key more than once
                pairs = pairs_of_holders(*keys, max_block_size=blocker.max_block_size, side=side, stats=stats,
                                         name=name)
            else:
                pairs = pairs_from_keys(keys, max_block_size=blocker.max_block_size, side=side, stats=stats,
                                        name=name, any_order=True)  # unique_pairs makes them a sorted set
            if hasattr(blocker, "keep") and len(pairs):
                pairs = pairs[blocker.keep(frame, pairs)]
            pairs = pairs[~parts.cannot(pairs)]
            if stats is not None:
                stats.pairs_per_key[name] = len(pairs)
            arrays.append(pairs)
    return out


def block(
    norm: pd.DataFrame, blockers: Sequence[Blocker] = DEFAULT_BLOCKERS, *, stats: BlockStats | None = None,
    keys: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Candidate pairs of one table.  Returns int64 (p, 2), i < j, sorted, no repeats; pairs
    that cannot be one woman are left out (``linkage.identity``).  keys: when given (a dict), filled
    with what ``block_keys`` returns, computed on the way (what a run's state keeps)."""
    return unique_pairs(_pairs_per_key(norm, blockers, None, stats, keys))


def block_link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    blockers: Sequence[Blocker] = DEFAULT_BLOCKERS,
    *,
    stats: BlockStats | None = None,
) -> np.ndarray:
    """Candidate pairs across two tables: int64 (p, 2) of (left row, right row), no repeats;
    pairs that cannot be one woman are left out (``linkage.identity``)."""
    both = pd.concat([left, right], ignore_index=True)
    side = np.r_[np.zeros(len(left), dtype=bool), np.ones(len(right), dtype=bool)]
    arrays = _pairs_per_key(both, blockers, side, stats)
    shifted = [pairs - np.array([0, len(left)], dtype=np.int64) for pairs in arrays]
    return unique_pairs(shifted, n_right=max(len(right), 1))


def block_keys(norm: pd.DataFrame, blockers: Sequence[Blocker] = DEFAULT_BLOCKERS) -> dict[str, np.ndarray]:
    """Every key of every blocker over ``norm`` (n rows) under ``blocking.register.hashed_keys``:
    {'<blocker>[<k>]': int64 (n,) or (n, s) for a key a record holds in s columns}, -1 for no key.
    What a run keeps (``linkage.state``) so that an update blocks only its new records
    (``blocking.update``)."""
    out: dict[str, np.ndarray] = {}
    with hashed_keys(), one_pass(norm):
        for blocker in blockers:
            for k, keys in enumerate(blocker.keys(norm)):
                out[f"{blocker.name}[{k}]"] = _kept_key(blocker, keys, len(norm))
    return out


def _derived_on_read(blocker: Blocker) -> bool:
    """The blocker's keys are digits of the ID numbers (``reads = 'id_numbers'``): cheaper to derive
    again from the records (vectorised over the digits) than to keep, and 60% of the keys' bytes."""
    return getattr(blocker, "reads", "") == "id_numbers"


def stored_keys(keys: dict[str, np.ndarray], blockers: Sequence[Blocker] = DEFAULT_BLOCKERS) -> dict[str, np.ndarray]:
    """What a run's state keeps of ``keys`` (``block_keys``' form): the keys of the blockers not
    ``_derived_on_read``; ``complete_keys`` gives the rest back."""
    derived = {blocker.name for blocker in blockers if _derived_on_read(blocker)}
    return {name: values for name, values in keys.items() if name.rsplit("[", 1)[0] not in derived}


def complete_keys(stored: dict[str, np.ndarray], norm: pd.DataFrame,
                  blockers: Sequence[Blocker] = DEFAULT_BLOCKERS) -> dict[str, np.ndarray]:
    """``block_keys(norm)`` from a state's ``stored`` keys of the same rows: the keys it lacks (those
    ``stored_keys`` leaves out, or all of an older state's that kept every key) derived from
    ``norm``; in blocker order."""
    held = {name.rsplit("[", 1)[0] for name in stored}
    missing = [blocker for blocker in blockers if blocker.name not in held]
    derived = block_keys(norm, missing) if missing else {}
    return _in_blocker_order({**stored, **derived}, blockers)


def _in_blocker_order(keys: dict[str, np.ndarray], blockers: Sequence[Blocker]) -> dict[str, np.ndarray]:
    """``keys`` ('<blocker>[<k>]' names) ordered as ``block_keys`` gives them: by blocker, then as they came."""
    return {name: keys[name] for blocker in blockers for name in keys if name.rsplit("[", 1)[0] == blocker.name}


def _kept_key(blocker: Blocker, keys: np.ndarray | tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
    """One key of ``blocker`` (as its ``keys`` gives it, under ``hashed_keys``) in the form
    ``block_keys`` keeps: int64 (n,), or (n, s) for a key held in s columns (``(rows, values)`` with
    ``rows`` each record once per column); -1 for no key."""
    if not isinstance(keys, tuple):
        return stable_key(keys)
    rows, values = keys
    slots = len(rows) // max(n, 1)
    if n and not np.array_equal(rows, np.tile(np.arange(n), slots)):
        raise ValueError(f"{blocker.name}: rows of a multi-column key must be each record once per column")
    return stable_key(values).reshape(slots, n).T if n else np.empty((0, 1), dtype=np.int64)  # a view: no copy


def blocking_spec(blockers: Sequence[Blocker] = DEFAULT_BLOCKERS) -> list[dict]:
    """The blockers as plain data (their class and parameters), in order: what a trained model
    records so that it is never used under other blocking (``scoring.MatchModel.spec_``)."""
    spec = []
    for blocker in blockers:
        params = asdict(blocker) if is_dataclass(blocker) else {"name": blocker.name,
                                                                 "max_block_size": blocker.max_block_size}
        spec.append({"type": type(blocker).__name__, **params})
    return spec
