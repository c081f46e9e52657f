"""Name comparison kernels: graded (equal, homophone, similar-shaped, dropped character ...)
and Jaro-Winkler.

Each distinct name becomes a row of character indices (built once per distinct name);
a pair of names is compared as two such rows, and the character-level relations (shared
pinyin reading, similar shape) are one lookup in a table built once per distinct
character.

>>> [NAME_GRADES[g] for g in name_grade(["王芳", "王己", "欧阳娜娜", "王芳", "王芳", "王芳", ""],
...                                     ["王方", "王已", "欧阳娜", "王丽", "王丽华", "李娜", "王芳"])]
['homophone', 'similar_shape', 'dropped_char', 'one_char', 'surname_equal', 'different', 'missing']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from linkage.normalize.names import char_fuzzy_readings, char_readings, similar_groups, split_surname

from .paired import Paired, paired, per_value

NAME_GRADES = ("missing", "equal", "homophone", "fuzzy_pinyin", "similar_shape", "dropped_char", "one_char",
               "surname_equal", "different")
"""homophone: same length, every differing character shares a reading (any reading of a
polyphonic character); fuzzy_pinyin: same length, every differing character shares a reading
once the fuzzy pairs an input method folds are folded (z/zh, l/n, an/ang ...: a dialect's clerk),
at least one only so; similar_shape: same length, every differing character shares a
(fuzzy) reading or is a similar-shaped character (形近字), at least one of them by shape;
dropped_char: one character more or less, the rest in order; one_char: same length, one
character differs with no known relation (a typo of an unlisted shape, or a sister);
surname_equal: only the surname agrees."""

MAX_CHARS = 16
"""Names longer than this (garbage, long transliterations) get only equal / surname / different."""
MAX_ALPHABET = 8192
"""Characters with their own row in the relation table (the most frequent ones); rarer
characters relate only to themselves."""
HOMOPHONE, SHAPE, FUZZY = np.uint8(1), np.uint8(2), np.uint8(4)


def _share_reading(table: np.ndarray, alphabet: list[str], readings, bit: np.uint8) -> None:
    """Set ``bit`` in ``table`` for every two characters of ``alphabet`` that share a reading."""
    by_reading: dict[str, list[int]] = {}
    for i, char in enumerate(alphabet):
        for reading in readings(char):
            if reading:
                by_reading.setdefault(reading, []).append(i)
    for members in by_reading.values():
        table[np.ix_(members, members)] |= bit


def _relation_table(alphabet: list[str]) -> np.ndarray:
    """uint8 (c + 1, c + 1): bit HOMOPHONE where two characters share a reading, FUZZY where they
    share a fuzzy reading (``linkage.normalize.names.fuzzy_syllable``), SHAPE where they are
    similar-shaped (形近字); the last row and column (rare characters) are 0."""
    size = len(alphabet)
    table = np.zeros((size + 1, size + 1), dtype=np.uint8)
    _share_reading(table, alphabet, char_readings, HOMOPHONE)
    _share_reading(table, alphabet, char_fuzzy_readings, FUZZY)
    position = {char: i for i, char in enumerate(alphabet)}
    groups = similar_groups()
    for i, char in enumerate(alphabet):
        partners = [position[p] for p in groups.get(char, ()) if p in position and p != char]
        table[i, partners] |= SHAPE
    return table


def _name_table(pc: Paired) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct name (k): character indices int32 (k, W) (0 = padding, 1.. = alphabet
    position + 1, rare characters beyond MAX_ALPHABET), lengths (k,), surname codes (k,),
    has-surname (k,); and the relation table of the alphabet (see ``_relation_table``)."""
    def build() -> tuple[np.ndarray, ...]:
        values = pc.values
        lengths = pd.Series(values, dtype=object).str.len().to_numpy(dtype=np.int64)
        width = int(min(max(int(lengths.max(initial=1)), 1), MAX_CHARS))
        points = np.asarray(values, dtype=f"U{width}").view(np.uint32).reshape(len(values), width)
        distinct, inverse, counts = np.unique(points.ravel(), return_inverse=True, return_counts=True)
        present = np.flatnonzero(distinct != 0)
        by_frequency = present[np.argsort(-counts[present], kind="stable")]
        rank = np.zeros(len(distinct), dtype=np.int32)  # padding keeps 0
        rank[by_frequency] = np.arange(1, len(by_frequency) + 1, dtype=np.int32)
        index = rank[inverse].reshape(points.shape)
        alphabet = [chr(c) for c in distinct[by_frequency[:MAX_ALPHABET]]]
        surnames = np.array([split_surname(v)[0] for v in values], dtype=object)
        return index, lengths, pd.factorize(surnames)[0], surnames != "", _relation_table(alphabet)

    return per_value(pc.categories, "name_table", build)


def _same_length_grades(a: np.ndarray, b: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, ...]:
    """For same-length name pairs as character indices (m, W): every differing character a
    homophone; a homophone or fuzzy homophone; any of these or similar-shaped; exactly one
    differs.  bool (m,) each."""
    same = a == b
    zero = len(table) - 1  # the row of rare characters; padding (index 0) maps there too, and is always same
    relation = table[np.minimum(a - 1, zero), np.minimum(b - 1, zero)]
    homophone = (same | ((relation & HOMOPHONE) > 0)).all(axis=1)
    fuzzy = (same | ((relation & (HOMOPHONE | FUZZY)) > 0)).all(axis=1)
    close = (same | (relation > 0)).all(axis=1)
    return homophone, fuzzy, close, (~same).sum(axis=1) == 1


def _one_dropped(longer: np.ndarray, shorter: np.ndarray) -> np.ndarray:
    """bool (m,): deleting one character of ``longer`` (m, W) gives ``shorter`` (m, W), both zero-padded."""
    found = np.zeros(len(longer), dtype=bool)
    for k in range(longer.shape[1]):
        head = (longer[:, :k] == shorter[:, :k]).all(axis=1)
        tail = (longer[:, k + 1:] == shorter[:, k: -1]).all(axis=1) & (shorter[:, -1] == 0)
        found |= head & tail
    return found


def _grade_codes(pc: Paired, codes_l: np.ndarray, codes_r: np.ndarray) -> np.ndarray:
    """NAME_GRADES code of each pair of codes into ``pc.categories`` (m,); int8 (m,)."""
    chars, lengths, surnames, has_surname, table = _name_table(pc)
    len_a, len_b = lengths[codes_l], lengths[codes_r]
    usable = (len_a <= MAX_CHARS) & (len_b <= MAX_CHARS)
    homophone, fuzzy, close, one_char = (np.zeros(len(codes_l), dtype=bool) for _ in range(4))
    idx = np.flatnonzero(usable & (len_a == len_b) & (codes_l != codes_r))
    homophone[idx], fuzzy[idx], close[idx], one_char[idx] = _same_length_grades(chars[codes_l[idx]],
                                                                               chars[codes_r[idx]], table)
    dropped = np.zeros(len(codes_l), dtype=bool)
    idx = np.flatnonzero(usable & (np.abs(len_a - len_b) == 1))
    a_longer = (len_a > len_b)[idx]
    longer = np.where(a_longer, codes_l[idx], codes_r[idx])
    shorter = np.where(a_longer, codes_r[idx], codes_l[idx])
    dropped[idx] = _one_dropped(chars[longer], chars[shorter])
    surname_equal = has_surname[codes_l] & (surnames[codes_l] == surnames[codes_r])
    conditions = [(len_a == 0) | (len_b == 0), codes_l == codes_r, homophone, fuzzy, close, dropped, one_char,
                  surname_equal]
    return np.select(conditions, [0, 1, 2, 3, 4, 5, 6, 7], default=8).astype(np.int8)


def name_grade(left, right) -> np.ndarray:
    """Grade two columns of normalised names (see NAME_GRADES); int8 (p,)."""
    pc = paired(left, right)
    lengths = _name_table(pc)[1]
    grades = np.zeros(len(pc), dtype=np.int8)
    blank = (lengths[pc.left] == 0) | (lengths[pc.right] == 0)
    same = pc.same()
    grades[same & ~blank] = 1
    rows = np.flatnonzero(~same & ~blank)
    grades[rows] = _grade_codes(pc, pc.left[rows], pc.right[rows])
    return grades


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
