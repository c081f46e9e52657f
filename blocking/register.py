"""Blocking keys for a Chinese register (the normalised columns of ``linkage.prepare``).

Each blocker is a small frozen object whose ``keys(norm)`` returns one or more key arrays
of shape (n,); ``blocking.block`` turns them into pairs.  The ID-number keys mask a window
of two digits at a time: one wrong digit or two swapped neighbours always fall inside
some window, so the rest of the number still meets its twin.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.distinct import distinct_map
from linkage.normalize.ids import digit_matrix
from linkage.normalize.names import char_fuzzy_readings, char_readings, pinyin_variants_of

ID_WINDOWS = tuple(range(16))
"""Start of each masked 2-digit window over the first 17 digits (0-1, 1-2, ..., 15-16): a wrong
digit at p falls inside the windows starting at p-1 and p, a swap of p and p+1 inside the one at p,
and the 15 digits kept are selective enough that a block is one woman (or twins)."""


_STABLE = ContextVar("stable_keys", default=False)
SEPARATOR = "\x1f"
"""Between the parts of a stable key (a control character no normalised value holds)."""


@contextmanager
def stable_keys() -> Iterator[None]:
    """Within it, every key is the record's own values as text ('' for no key; an int64 key as it
    is) instead of integer codes of the frame at hand: one record gives one key in whatever part
    of the register it is computed (the Spark engine's partitions), and two records share a key
    exactly when they share it under the codes."""
    token = _STABLE.set(True)
    try:
        yield
    finally:
        _STABLE.reset(token)


_HASHED = ContextVar("hashed_keys", default=False)
_MIX = np.uint64(0x9E3779B97F4A7C15)


@contextmanager
def hashed_keys() -> Iterator[None]:
    """Within it, every key is a 63-bit hash of the record's own values (int64 >= 0, -1 for no key)
    instead of integer codes of the frame at hand: as cheap as the codes (each distinct value is
    hashed once), and one record gives one key in whatever frame it is computed, so a run's keys
    can be kept (``linkage.state``) and a later update's new records joined against them
    (``blocking.update``).  Two records share a key exactly when they share it under the codes
    (but for a 2**-63 collision)."""
    token = _HASHED.set(True)
    try:
        yield
    finally:
        _HASHED.reset(token)


def _hash_values(values: np.ndarray) -> np.ndarray:
    """int64 (k,) >= 0: a stable hash of each value (texts, dates or numbers)."""
    values = np.asarray(values)
    return (pd.util.hash_array(values, categorize=False) >> np.uint64(1)).astype(np.int64)


def _hashed_codes(codes: np.ndarray, uniques: Any) -> np.ndarray:
    """Frame codes (int64 (n,), -1 blank) of ``uniques`` turned into the values' hashes."""
    hashes = _hash_values(np.asarray(uniques, dtype=object) if not hasattr(uniques, "dtype") or uniques.dtype == object
                          else np.asarray(uniques))
    return np.where(codes < 0, -1, hashes[np.maximum(codes, 0)] if len(hashes) else -1).astype(np.int64)


def stable_key(keys: np.ndarray) -> np.ndarray:
    """A blocker's key array (n,) as ``hashed_keys`` gives it: an int64 key (already a hash, or a
    number standing for itself) as it is, a text key hashed; int64 (n,), -1 for no key."""
    keys = np.asarray(keys)
    if np.issubdtype(keys.dtype, np.integer):
        return np.where(keys < 0, -1, keys).astype(np.int64)
    token = _HASHED.set(True)
    try:
        return _codes(keys)
    finally:
        _HASHED.reset(token)


_PASS: ContextVar[tuple[pd.DataFrame, dict] | None] = ContextVar("blocking_pass", default=None)


@contextmanager
def one_pass(frame: pd.DataFrame) -> Iterator[None]:
    """Within it, what several blockers derive from ``frame`` (a column's codes, her birth year,
    the number's digits) is computed once and shared (``_shared``): ``blocking.block`` runs every
    blocker of a pass inside one."""
    token = _PASS.set((frame, {}))
    try:
        yield
    finally:
        _PASS.reset(token)


def _shared(norm: pd.DataFrame, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per ``key`` for the frame of the current ``one_pass`` (each call outside one)."""
    held = _PASS.get()
    if held is None or held[0] is not norm:
        return compute()
    memo = held[1]
    key = f"{key}|stable" if _STABLE.get() else f"{key}|hashed" if _HASHED.get() else key
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _column(norm: pd.DataFrame, column: str) -> np.ndarray:
    """A column's codes (``_codes``), once per pass."""
    return _shared(norm, f"codes:{column}", lambda: _codes(norm[column].to_numpy(dtype=object)
                                                           if norm[column].dtype == object else norm[column]))


def _texts(values: np.ndarray | pd.Series) -> np.ndarray:
    """object (n,): each value as text, '' where blank ('' , None, NaT, NaN or a negative integer
    code); the stable form of ``_codes``."""
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.integer):
        return np.where(values < 0, "", values.astype(str)).astype(object)
    values = pd.Series(values)
    blank = values.isna().to_numpy().copy()  # pandas 3 gives a read-only view
    if not (pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values)):
        values = values.astype(object)
        blank |= values.isin(["", b""]).to_numpy()
    texts = np.array(values.astype(str).to_numpy(dtype=object), dtype=object)  # a copy: pandas 3 gives a read-only view
    texts[blank] = ""
    return texts


def _codes(values: np.ndarray | pd.Series) -> np.ndarray:
    """Integer code per row, -1 where the value is blank ('' , None or NaT).  int64 (n,).
    An integer array is taken as codes already made (negative = blank).  Under ``stable_keys``
    the values as text instead (``_texts``); under ``hashed_keys`` the values' hashes."""
    if _STABLE.get():
        return _texts(values)
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.integer):
        return np.where(values < 0, -1, values).astype(np.int64)
    values = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)  # NaT / NaN become -1
        if _HASHED.get():
            return _hashed_codes(codes.astype(np.int64), np.asarray(uniques))
        return codes.astype(np.int64)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    blank = np.flatnonzero(pd.Series(uniques, dtype=object).isin(["", b""]).to_numpy())
    if len(blank):
        codes = np.where(np.isin(codes, blank), -1, codes)
    if _HASHED.get():
        return _hashed_codes(codes.astype(np.int64), np.asarray(uniques, dtype=object))
    return codes.astype(np.int64)


def _join(*parts: np.ndarray | pd.Series) -> np.ndarray:
    """One integer key from several columns, row by row; -1 (no key) if any part is blank.

    Each part is factorised and the codes are combined arithmetically, so no strings are
    built; the combined key is made dense again only where another part follows.  Returns
    int64 (n,), not dense (equal keys are equal rows; at most n**2).  Under ``stable_keys`` the
    parts' texts joined by ``SEPARATOR``, '' if any part is blank: object (n,).
    """
    if _STABLE.get():
        texts = [_texts(part) for part in parts]
        blank = np.zeros(len(texts[0]), dtype=bool)
        for part in texts:
            blank |= part == ""
        joined = pd.Series(texts[0], dtype=object).str.cat([pd.Series(t, dtype=object) for t in texts[1:]],
                                                           sep=SEPARATOR).to_numpy(dtype=object).copy()
        joined[blank] = ""
        return joined
    key = _codes(parts[0])
    if _HASHED.get():  # the parts' hashes mixed: no factorising between them
        for part in parts[1:]:
            codes = _codes(part)
            blank = (key < 0) | (codes < 0)
            with np.errstate(over="ignore"):
                mixed = (key.astype(np.uint64) * _MIX) ^ codes.astype(np.uint64)
                mixed = (mixed ^ (mixed >> np.uint64(29))) * _MIX
            key = (mixed >> np.uint64(1)).astype(np.int64)
            key[blank] = -1
        return key
    for k, part in enumerate(parts[1:], start=2):
        codes = _codes(part)
        blank = (key < 0) | (codes < 0)
        key = key * (int(codes.max(initial=0)) + 1) + codes
        if k < len(parts):
            key = pd.factorize(key)[0].astype(np.int64)
        key[blank] = -1
    return key


def _year(dates: pd.Series) -> np.ndarray:
    return pd.Series(dates).dt.year.to_numpy(dtype=float)


def _id_digits17(norm: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(present bool (n,), digits uint8 (n, 17)) of ``id_full`` (a non-blank id_full is 17 digits
    and a check character; blank rows hold zeros), once per pass."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        ids = norm["id_full"].to_numpy(dtype=object)
        present = ids != ""
        raw = np.asarray(ids, dtype="S18").view(np.uint8).reshape(len(ids), 18)[:, :17]
        digits = np.where(present[:, None], raw - np.uint8(48), np.uint8(0)).astype(np.uint8)
        return present, digits
    return _shared(norm, "id_digits17", compute)


def _birth_year(norm: pd.DataFrame) -> np.ndarray:
    """int64 (n,): her birth year (recorded, else from a valid number), else the year digits of a
    number that fails a check (its date part is often right), -1 where none; once per pass."""
    def compute() -> np.ndarray:
        year = _year(norm["birth"])
        present, digits = _id_digits17(norm)
        guess = (digits[:, 6:10].astype(np.int64) @ np.array([1000, 100, 10, 1], dtype=np.int64)).astype(float)
        guess = np.where(present & (guess >= 1900) & (guess <= pd.Timestamp.today().year), guess, np.nan)
        year = np.where(np.isnan(year), guess, year)
        return np.where(np.isnan(year), -1, year).astype(np.int64)  # the year is its own code
    return _shared(norm, "birth_year", compute)


def _name_codes(norm: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """(codes int64 (n,), distinct names list (k,)) of the cleaned name, once per pass."""
    def compute() -> tuple[np.ndarray, list[str]]:
        codes, distinct = pd.factorize(pd.Series(norm["name"].to_numpy(dtype=object), dtype=object))
        return codes.astype(np.int64), list(distinct)
    return _shared(norm, "name_codes", compute)


@dataclass(frozen=True)
class IdExact:
    """The whole 18-character number (legacy numbers already upgraded)."""

    reads: ClassVar[str] = "id_numbers"  # blocking.block runs these beside the others
    name: str = "id_exact"
    max_block_size: int = 50

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["id_full"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class IdMaskedWindows:
    """The first 17 digits with one 2-digit window masked, for each window."""

    reads: ClassVar[str] = "id_numbers"  # blocking.block runs these beside the others
    name: str = "id_window"
    max_block_size: int = 50

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        present, digits = _id_digits17(norm)
        digits = digits.astype(np.float64)
        high = (digits[:, :9] @ 10.0 ** np.arange(8, -1, -1)).astype(np.int64)  # exact in float: < 10**9
        low = (digits[:, 9:] @ 10.0 ** np.arange(7, -1, -1)).astype(np.int64)
        number = high * 10**8 + low  # the 17 digits as one int64
        result = []
        for start in ID_WINDOWS:
            # digits before the window, shifted over it, then the digits after it
            tail = 10 ** np.int64(15 - start)
            key = number // (tail * 100) * tail + number % tail
            result.append(np.where(present, key, -1))
        return result


def _digit_slice(values: np.ndarray, start: int, stop: int | None) -> np.ndarray:
    """Characters ``start:stop`` of each text (of digits: no NFKC or trimming needed), in Arrow:
    int64 codes (n,), -1 where blank; under ``stable_keys`` the texts themselves (object (n,), '')."""
    texts = pa.array(values, type=pa.string(), from_pandas=True)
    sliced = pc.fill_null(pc.utf8_slice_codeunits(texts, start, stop if stop is not None else np.iinfo(np.int32).max), "")
    if _STABLE.get():
        return np.asarray(sliced.to_numpy(zero_copy_only=False), dtype=object)
    encoded = pc.dictionary_encode(sliced)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    blank = pc.index(encoded.dictionary, "").as_py()
    if blank >= 0:
        codes[codes == blank] = -1
    if _HASHED.get():
        return _hashed_codes(codes, np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object))
    return codes


@dataclass(frozen=True)
class IdWithoutRegion:
    """Digits 7-17 of the number (birth date and sequence): a clerk who wrote the county where
    she is registered now instead of the county of first registration changed only the first
    six (and the check character)."""

    reads: ClassVar[str] = "id_numbers"  # blocking.block runs these beside the others
    name: str = "id_without_region"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [_digit_slice(norm["id_full"].to_numpy(dtype=object), 6, 17)]


@dataclass(frozen=True)
class IdHalves:
    """The number's first ten characters with the name, and its last eight with the surname, on
    the cleaned number of any length (``id_digits``): a digit dropped or added, or two wrong
    digits within one half, leave the other half intact.  And the region and sequence digits
    with the name: a number re-issued after her birth date was corrected keeps both."""

    reads: ClassVar[str] = "id_numbers"  # blocking.block runs these beside the others
    name: str = "id_halves"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        digits = norm["id_digits"].to_numpy(dtype=object)
        full = norm["id_full"].to_numpy(dtype=object)
        name = _column(norm, "name")
        return [_join(_digit_slice(digits, 0, 10), name),
                _join(_digit_slice(digits, -8, None), _column(norm, "surname")),
                _join(_digit_slice(full, 0, 6), _digit_slice(full, 14, 17), name)]


@dataclass(frozen=True)
class PinyinBirthYear:
    """Every pinyin reading of the full name, with the birth year (recorded, else from the ID)."""

    name: str = "pinyin_year"
    max_block_size: int = 200
    readings: int = 4

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        year = _birth_year(norm)
        codes, distinct = _name_codes(norm)
        # the first reading of every character is prepare's ``pinyin``; only names with a polyphonic
        # character have more variants
        result = [_join(_column(norm, "pinyin"), year)]
        if self.readings < 2:
            return result
        several = {char for char in set("".join(distinct)) if len(char_readings(char)) > 1}
        polyphonic = [i for i, name in enumerate(distinct) if not several.isdisjoint(name)]
        variants = pinyin_variants_of([distinct[i] for i in polyphonic], cap=self.readings)
        for k in range(1, self.readings):
            texts = np.full(len(distinct) + 1, "", dtype=object)  # the trailing '' for no name
            texts[polyphonic] = [v[k] if len(v) > k else "" for v in variants]
            if _STABLE.get():  # the reading itself, not its code in this frame
                text_codes = texts
            elif _HASHED.get():
                text_codes = _codes(texts)
            else:
                text_codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
                blank = np.flatnonzero(uniques == "")
                text_codes = np.where(np.isin(text_codes, blank), -1, text_codes).astype(np.int64)
            result.append(_join(text_codes[codes], year))
        return result


@dataclass(frozen=True)
class FuzzyPinyinYear:
    """The name's pinyin with the fuzzy pairs an input method folds (z/zh, l/n, an/ang ...:
    ``linkage.normalize.names.fuzzy_syllable``), with the birth year: a dialect's clerk still meets
    her records."""

    name: str = "fuzzy_pinyin_year"
    max_block_size: int = 200

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        codes, distinct = _name_codes(norm)
        table = {ord(char): char_fuzzy_readings(char)[0] for char in set("".join(distinct))}
        fuzzy = np.array([name.translate(table) for name in distinct] + [""], dtype=object)
        return [_join(fuzzy[codes], _birth_year(norm))]


@dataclass(frozen=True)
class NameBirthDate:
    """Surname with the full birth date, and given-name pinyin with the full birth date
    (a dropped or similar-shaped character in one part still meets its twin)."""

    name: str = "name_part_birth"
    max_block_size: int = 100

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        birth = _column(norm, "birth")  # factorised once for both keys
        return [_join(_column(norm, "surname"), birth), _join(_column(norm, "given"), birth)]


@dataclass(frozen=True)
class SpouseId:
    """The spouse's ID number: two records naming the same husband."""

    name: str = "spouse_id"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["spouse_id"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class CoupleNumbers:
    """Her number and her husband's, whichever column each was typed in: a record that holds his
    number in her column (and hers in his) still meets her other records through his number."""

    name: str = "couple_numbers"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
        n = len(norm)
        rows = np.r_[np.arange(n), np.arange(n)].astype(np.int64)
        values = np.r_[norm["id_full"].to_numpy(dtype=object), norm["spouse_id"].to_numpy(dtype=object)]
        return [(rows, values)]


@dataclass(frozen=True)
class Phone:
    """The same phone number (shared family phones make blocks; the cap keeps them small)."""

    name: str = "phone"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["phone"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class PinyinPlace:
    """The name's pinyin with the spouse's name, the surname with the spouse's name (a given name
    typed wrong), the name's pinyin with the household-registration county, and with the
    residence street.  Only pairs where one record has no valid ID number are kept:
    the others meet through their numbers."""

    name: str = "pinyin_place"
    max_block_size: int = 50

    def keep(self, norm: pd.DataFrame, pairs: np.ndarray) -> np.ndarray:
        """bool (p,): at least one record of the pair has no valid ID number (blank, or a typo)."""
        no_id = norm["id_status"].to_numpy(dtype=object) != "valid"
        return no_id[pairs[:, 0]] | no_id[pairs[:, 1]]

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        pinyin, spouse = _column(norm, "pinyin"), _column(norm, "spouse_name")
        return [
            _join(pinyin, spouse),
            _join(_column(norm, "surname"), spouse),
            _join(pinyin, distinct_map(norm["hukou_code"], lambda codes: codes.str.slice(0, 6))),
            _join(pinyin, distinct_map(norm["residence_code"], lambda codes: codes.str.slice(0, 9))),
        ]


DEFAULT_BLOCKERS = (IdExact(), IdMaskedWindows(), IdWithoutRegion(), IdHalves(), PinyinBirthYear(), FuzzyPinyinYear(),
                    NameBirthDate(), SpouseId(), CoupleNumbers(), Phone(), PinyinPlace())
"""The register's blocking rules, in the order they are reported."""
