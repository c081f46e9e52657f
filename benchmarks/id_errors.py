"""ID number errors beyond one wrong digit, as vectorised kernels over ASCII matrices.

ID numbers are ``uint8`` matrices of shape (n, 18) (see :func:`benchmarks.corruptions.id_matrix`);
every kernel changes the rows ``rows`` (int positions) in place or returns their new text, and
returns which of them it changed where that can fail (a row with no digit to confuse).

>>> m = np.frombuffer(b"110105198503121230", dtype=np.uint8).reshape(1, 18).copy()
>>> recheck(m, np.array([0])); m.tobytes()
b'110105198503121234'
"""

from __future__ import annotations

import numpy as np

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
HANDWRITING = {ord("1"): ord("7"), ord("7"): ord("1"), ord("0"): ord("6"), ord("6"): ord("0"), ord("3"): ord("8"),
               ord("8"): ord("3")}
"""Digits confused on handwriting (1/7, 0/6, 3/8)."""
_LEGACY_COLUMNS = np.r_[0:6, 8:17]
_HAND_TABLE = np.arange(256, dtype=np.uint8)
for _a, _b in HANDWRITING.items():
    _HAND_TABLE[_a] = _b


def recheck(mat: np.ndarray, rows: np.ndarray) -> None:
    """Recompute the check character of ``rows`` in place (the number becomes valid again)."""
    digits = mat[rows, :17].astype(np.int64) - 48
    mat[rows, 17] = CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]


def _bump(mat: np.ndarray, rows: np.ndarray, pos: np.ndarray, rng: np.random.Generator) -> None:
    old = mat[rows, pos]
    bump = rng.integers(1, 10, len(rows))
    mat[rows, pos] = np.where(old == 88, 48 + bump % 10, 48 + (np.minimum(old, 57) - 48 + bump) % 10).astype(np.uint8)


def two_wrong_digits(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Change two different characters of each row (any of the 18) in place."""
    first = rng.integers(0, 18, len(rows))
    second = (first + rng.integers(1, 18, len(rows))) % 18
    _bump(mat, rows, first, rng)
    _bump(mat, rows, second, rng)


def handwriting(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Misread one (a third of the time two) of the digits 1/7, 0/6, 3/8 among the first 17, in place.

    Returns bool (len(rows),): the rows that had such a digit.
    """
    sub = mat[rows, :17]
    eligible = np.isin(sub, list(HANDWRITING))
    changed = eligible.any(axis=1)
    for k in range(2):
        score = np.where(eligible, rng.random(eligible.shape), -1.0)
        pos = score.argmax(axis=1)
        take = (score.max(axis=1) >= 0) & ((k == 0) | (rng.random(len(rows)) < 0.33))
        r = np.flatnonzero(take)
        sub[r, pos[r]] = _HAND_TABLE[sub[r, pos[r]]]
        eligible[r, pos[r]] = False
    mat[rows, :17] = sub
    return changed


def region_prefix(mat: np.ndarray, rows: np.ndarray, region: np.ndarray, valid: np.ndarray) -> None:
    """Write the 6-digit codes ``region`` (len(rows),) over the first six digits; recompute the check where ``valid``."""
    digits = (np.asarray(region, dtype=np.int64)[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    mat[rows, :6] = (digits + 48).astype(np.uint8)
    recheck(mat, rows[np.asarray(valid, bool)])


def legacy15(mat: np.ndarray) -> np.ndarray:
    """The 15-digit form (no century, no check) of each row: matrix (n, 15)."""
    return mat[:, _LEGACY_COLUMNS]


def drop_or_add_digit(mat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row (n, 18) with one digit dropped (17 left) or one added (19, often a doubled digit): object (n,)."""
    n = len(mat)
    pos = rng.integers(0, 18, n)
    drop = rng.random(n) < 0.5
    out = np.empty(n, dtype=object)
    d = np.flatnonzero(drop)
    idx = np.arange(17)[None, :] + (np.arange(17)[None, :] >= pos[d, None])
    out[d] = _text(mat[d[:, None], idx])
    a = np.flatnonzero(~drop)
    cols = np.arange(19)[None, :]
    src = np.where(cols <= pos[a, None], np.minimum(cols, 17), cols - 1)
    wide = mat[a[:, None], src]
    fresh = np.where(rng.random(len(a)) < 0.6, mat[a, pos[a]], 48 + rng.integers(0, 10, len(a)))
    wide[np.arange(len(a)), pos[a]] = fresh.astype(np.uint8)
    out[a] = _text(wide)
    return out


PLACEHOLDER_TAILS = ("0000", "****", "XXXX", "0001")


def placeholders(mat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What a clerk types when she knows the region and birth date but not the rest: object (n,).

    The first 14 digits then 0000, ****, XXXX or 0001; a fifth of the time the region code and twelve zeros.
    """
    n = len(mat)
    tail = np.array(PLACEHOLDER_TAILS, dtype=object)[rng.integers(0, len(PLACEHOLDER_TAILS), n)]
    out = _text(mat[:, :14]) + tail
    short = rng.random(n) < 0.2
    out[short] = _text(mat[short, :6]) + "000000000000"
    return out


def _text(mat: np.ndarray) -> np.ndarray:
    w = mat.shape[1]
    if len(mat) == 0:
        return np.empty(0, dtype=object)
    return np.ascontiguousarray(mat).view(f"S{w}").ravel().astype(f"U{w}").astype(object)
