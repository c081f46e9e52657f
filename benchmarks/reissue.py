"""Re-issued ID numbers (公民身份号码变更): one woman, two valid numbers.

When her birth date is corrected she gets a new number differing from the old one only in the eight
birth-date digits and the check digit; a clerk's correction of a duplicate number changes only the
sequence digits (15-17, parity kept) and the check digit.  Records typed after the change hold the new
number (and, for a birth-date change, the corrected birth date).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.corruptions import id_matrix, ymd
from benchmarks.people import unique_ids


@dataclass(frozen=True)
class Reissue:
    """Per person (P,): kind 0 none / 1 birth date changed / 2 sequence changed; the new number and birth day."""

    kind: np.ndarray  # int (P,)
    id_mat: np.ndarray  # uint8 (P, 18): the new number (the old one where kind is 0)
    birth: np.ndarray  # int (P,): the birth day the new number holds


def _corrected_birth(rng: np.random.Generator, birth: np.ndarray) -> np.ndarray:
    """Birth days (k,) corrected: a few days or weeks (45%), the month (25%), or the year, same day (30%)."""
    k = len(birth)
    u = rng.random(k)
    near = birth + rng.integers(1, 60, k) * np.where(rng.random(k) < 0.5, -1, 1)
    y, m, d = ymd(birth)
    years = y + rng.integers(1, 4, k) * np.where(rng.random(k) < 0.5, -1, 1)
    months = (m - 1 + rng.integers(1, 12, k)) % 12 + 1
    day = np.minimum(d, 28)
    other = np.where(u < 0.7, _days(y, months, day), _days(years, m, day))
    return np.where(u < 0.45, near, other)


def _days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = (np.asarray(y, dtype=np.int64) - 1970) * 12 + np.asarray(m, dtype=np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d) - 1


def reissue_numbers(rng: np.random.Generator, p: dict[str, np.ndarray], share: np.ndarray,
                    birth_share: np.ndarray) -> Reissue:
    """Draw re-issued numbers for a share ``share`` (P,) of people (birth-date kind at ``birth_share`` (P,)).

    New numbers are unique against every number of ``p`` and each other.  No draw is made when ``share`` is 0
    everywhere (the usual model's streams stay as they were).
    """
    n = len(share)
    kind = np.zeros(n, np.int64)
    birth = p["birth"].copy()
    if share.any():
        pick = rng.random(n) < share
        kind[pick] = np.where(rng.random(int(pick.sum())) < birth_share[pick], 1, 2)
    rows = np.flatnonzero(kind > 0)
    seq = p["seq"].copy()
    if len(rows):
        by_birth = rows[kind[rows] == 1]
        birth[by_birth] = _corrected_birth(rng, p["birth"][by_birth])
        by_seq = rows[kind[rows] == 2]
        seq[by_seq] = (seq[by_seq] + 2 * rng.integers(1, 499, len(by_seq))) % 1000
        region = np.concatenate([p["region"], p["region"][rows]])
        for _ in range(20):  # a new number that is someone's already: another date (birth kind), another sequence
            fresh = unique_ids(rng, region, np.concatenate([p["birth"], birth[rows]]), np.concatenate([p["seq"], seq[rows]]))
            clash = rows[(fresh[n:] != seq[rows]) & (kind[rows] == 1)]
            seq[rows] = np.where(kind[rows] == 2, fresh[n:], seq[rows])
            if not len(clash):
                break
            birth[clash] = _corrected_birth(rng, p["birth"][clash])
    return Reissue(kind, id_matrix(p["region"], birth, seq), birth)
