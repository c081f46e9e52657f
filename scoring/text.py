"""Name comparison kernels: graded (equal, homophone, similar-shaped, dropped character ...)
and Jaro-Winkler, computed once per distinct pair of names.

Characters are compared as code points in a (m, W) matrix per distinct pair; the
character-level tests (shared pinyin reading, similar shape) run once per distinct pair
of differing characters, vectorised over tables built once per distinct character.

>>> [NAME_GRADES[g] for g in name_grade(["王芳", "王己", "欧阳娜娜", "王芳", "王芳", ""],
...                                     ["王方", "王已", "欧阳娜", "王丽", "李娜", "王芳"])]
['homophone', 'similar_shape', 'dropped_char', 'surname_equal', 'different', 'missing']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from linkage.normalize.names import _similar_groups, char_readings, split_surname

from .paired import Paired, paired

NAME_GRADES = ("missing", "equal", "homophone", "similar_shape", "dropped_char", "surname_equal", "different")
"""homophone: same length, every differing character shares a reading (any reading of a
polyphonic character); similar_shape: same length, every differing character shares a
reading or is a similar-shaped character (形近字), at least one of them by shape;
dropped_char: one character more or less, the rest in order; surname_equal: only the
surname agrees."""

MAX_CHARS = 16
"""Names longer than this (garbage, long transliterations) get only equal / surname / different."""


def _char_matrix(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code points of each distinct name, uint32 (k, W) zero-padded, and lengths int64 (k,)."""
    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    width = int(min(max(int(lengths.max(initial=1)), 1), MAX_CHARS))
    chars = np.asarray(values, dtype=f"U{width}").view(np.uint32).reshape(len(values), width)
    return chars, lengths


def _char_tables(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct code point: sorted code points (c,), reading ids (c, K) and
    similar-shaped partners (c, G), both padded with -1 / 0."""
    alphabet = np.unique(chars[chars != 0])
    readings = [char_readings(chr(c)) for c in alphabet]
    reading_ids: dict[str, int] = {}
    width = max((len(r) for r in readings), default=1)
    table = np.full((len(alphabet), width), -1, dtype=np.int64)
    for i, options in enumerate(readings):
        table[i, : len(options)] = [reading_ids.setdefault(r, len(reading_ids)) for r in options]
    groups = _similar_groups()
    partners = [sorted(ord(p) for p in groups.get(chr(c), ()) if p != chr(c)) for c in alphabet]
    shape = np.zeros((len(alphabet), max((len(p) for p in partners), default=1) or 1), dtype=np.int64)
    for i, members in enumerate(partners):
        shape[i, : len(members)] = members
    return alphabet, table, shape


def _char_pair_tests(a: np.ndarray, b: np.ndarray, chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Homophone and similar-shape tests of character pairs a[i], b[i] (uint32 (q,)); bool (q,) each."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    key = (a.astype(np.int64) << 21) | b.astype(np.int64)
    inverse, distinct = pd.factorize(key)
    distinct = np.asarray(distinct, dtype=np.int64)
    da, db = distinct >> 21, distinct & ((1 << 21) - 1)
    alphabet, readings, shapes = _char_tables(chars)
    ia, ib = np.searchsorted(alphabet, da), np.searchsorted(alphabet, db)
    ra, rb = readings[ia], readings[ib]
    homophone = ((ra[:, :, None] == rb[:, None, :]) & (ra[:, :, None] >= 0)).any(axis=(1, 2))
    similar = (shapes[ia] == db[:, None]).any(axis=1)
    return homophone[inverse], similar[inverse]


def _same_length_grades(a: np.ndarray, b: np.ndarray, chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For same-length name pairs (m, W): all differing characters homophone; all homophone or
    similar-shaped.  bool (m,) each."""
    diff = a != b
    rows, cols = np.nonzero(diff)
    homophone, similar = _char_pair_tests(a[rows, cols], b[rows, cols], chars)
    not_homophone = np.zeros(len(a), dtype=np.int64)
    not_close = np.zeros(len(a), dtype=np.int64)
    np.add.at(not_homophone, rows, ~homophone)
    np.add.at(not_close, rows, ~(homophone | similar))
    return not_homophone == 0, not_close == 0


def _one_dropped(longer: np.ndarray, shorter: np.ndarray) -> np.ndarray:
    """bool (m,): deleting one character of ``longer`` (m, W) gives ``shorter`` (m, W), both zero-padded."""
    width = longer.shape[1]
    found = np.zeros(len(longer), dtype=bool)
    padding = np.zeros((len(longer), 1), dtype=longer.dtype)
    for k in range(width):
        deleted = np.concatenate([longer[:, :k], longer[:, k + 1:], padding], axis=1)
        found |= (deleted == shorter).all(axis=1)
    return found


def _grade_combos(pc: Paired, combo_l: np.ndarray, combo_r: np.ndarray) -> np.ndarray:
    """NAME_GRADES code of each distinct (left, right) combination; int8 (m,)."""
    values = pc.values
    chars, lengths = _char_matrix(values)
    surnames = pd.factorize(np.array([split_surname(v)[0] for v in values], dtype=object))[0]
    has_surname = np.array([split_surname(v)[0] != "" for v in values], dtype=bool)
    blank = lengths == 0
    fits = lengths <= MAX_CHARS
    a, b = chars[combo_l], chars[combo_r]
    len_a, len_b = lengths[combo_l], lengths[combo_r]
    usable = fits[combo_l] & fits[combo_r]
    same_length = usable & (len_a == len_b) & (combo_l != combo_r)
    homophone = np.zeros(len(combo_l), dtype=bool)
    close = np.zeros(len(combo_l), dtype=bool)
    idx = np.flatnonzero(same_length)
    homophone[idx], close[idx] = _same_length_grades(a[idx], b[idx], chars)
    dropped = np.zeros(len(combo_l), dtype=bool)
    idx = np.flatnonzero(usable & (np.abs(len_a - len_b) == 1))
    a_longer = (len_a > len_b)[idx][:, None]
    dropped[idx] = _one_dropped(np.where(a_longer, a[idx], b[idx]), np.where(a_longer, b[idx], a[idx]))
    surname_equal = has_surname[combo_l] & (surnames[combo_l] == surnames[combo_r])
    conditions = [blank[combo_l] | blank[combo_r], combo_l == combo_r, homophone, close, dropped, surname_equal]
    return np.select(conditions, [0, 1, 2, 3, 4, 5], default=6).astype(np.int8)


def name_grade(left, right) -> np.ndarray:
    """Grade two columns of normalised names (see NAME_GRADES); int8 (p,)."""
    pc = paired(left, right)
    if len(pc) == 0:
        return np.empty(0, dtype=np.int8)
    combo_l, combo_r, inverse = pc.combos()
    return _grade_combos(pc, combo_l, combo_r)[inverse]


def jaro_winkler(left, right) -> np.ndarray:
    """Jaro-Winkler similarity in [0, 1] of two text columns, 0 where either is blank; float32 (p,)."""
    pc = paired(left, right)
    if len(pc) == 0:
        return np.empty(0, dtype=np.float32)
    combo_l, combo_r, inverse = pc.combos()
    scores = process.cpdist(pc.values[combo_l].tolist(), pc.values[combo_r].tolist(),
                            scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)
    blank = pc.blank_values()
    scores[blank[combo_l] | blank[combo_r]] = 0.0
    return np.asarray(scores, dtype=np.float32)[inverse]
