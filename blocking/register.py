"""Blocking keys for a Chinese register (the normalised columns of ``linkage.prepare``).

Each blocker is a small frozen object whose ``keys(norm)`` returns one or more key arrays
of shape (n,); ``blocking.block`` turns them into pairs.  The ID-number keys mask a window
of four digits at a time: one wrong digit or two swapped neighbours always fall inside
some window, so the rest of the number still meets its twin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkage.normalize.ids import digit_matrix
from linkage.normalize.names import pinyin_variants

ID_WINDOWS = tuple(range(0, 14, 2)) + (13,)
"""Start of each masked 4-digit window over the first 17 digits (0-3, 2-5, ..., 13-16)."""


def _join(*parts: np.ndarray) -> np.ndarray:
    """Element-wise concatenation; blank if any part is blank.  Object array (n,)."""
    frame = pd.DataFrame({i: pd.Series(p, dtype=object).astype(str) for i, p in enumerate(parts)})
    blank = (frame == "").any(axis=1).to_numpy()
    joined = frame.iloc[:, 0].str.cat([frame[c] for c in frame.columns[1:]], sep="|").to_numpy(dtype=object)
    joined[blank] = ""
    return joined


def _year(dates: pd.Series) -> np.ndarray:
    years = pd.Series(dates).dt.year
    return years.map(lambda y: "" if pd.isna(y) else str(int(y))).to_numpy(dtype=object)


def _ymd(dates: pd.Series) -> np.ndarray:
    return pd.Series(dates).dt.strftime("%Y%m%d").fillna("").to_numpy(dtype=object)


@dataclass(frozen=True)
class IdExact:
    """The whole 18-character number (legacy numbers already upgraded)."""

    name: str = "id_exact"
    max_block_size: int = 50

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["id_full"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class IdMaskedWindows:
    """The first 17 digits with one 4-digit window masked, for each window."""

    name: str = "id_window"
    max_block_size: int = 50

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        ids = norm["id_full"].to_numpy(dtype=object)
        present = ids != ""
        matrix = digit_matrix(ids.astype(str))[:, :17]
        result = []
        for start in ID_WINDOWS:
            kept = [c for c in range(17) if not start <= c < start + 4]
            key = np.ascontiguousarray(matrix[:, kept]).view(f"S{len(kept)}").ravel().astype(object)
            key[~present] = b""
            result.append(key)
        return result


@dataclass(frozen=True)
class PinyinBirthYear:
    """Every pinyin reading of the full name, with the birth year (recorded, else from the ID)."""

    name: str = "pinyin_year"
    max_block_size: int = 200
    readings: int = 4

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        year = _year(norm["birth"])
        names = pd.Series(norm["name"], dtype=object)
        codes, distinct = pd.factorize(names)
        variants = [pinyin_variants(name, cap=self.readings) if name else [] for name in distinct]
        result = []
        for k in range(self.readings):
            table = np.array([v[k] if len(v) > k else "" for v in variants] + [""], dtype=object)
            result.append(_join(table[codes], year))
        return result


@dataclass(frozen=True)
class NameBirthDate:
    """Surname with the full birth date, and given-name pinyin with the full birth date
    (a dropped or similar-shaped character in one part still meets its twin)."""

    name: str = "name_part_birth"
    max_block_size: int = 100

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        ymd = _ymd(norm["birth"])
        return [_join(norm["surname"].to_numpy(dtype=object), ymd), _join(norm["given"].to_numpy(dtype=object), ymd)]


@dataclass(frozen=True)
class SpouseId:
    """The spouse's ID number: two records naming the same husband."""

    name: str = "spouse_id"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["spouse_id"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class Phone:
    """The same phone number (shared family phones make blocks; the cap keeps them small)."""

    name: str = "phone"
    max_block_size: int = 20

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["phone"].to_numpy(dtype=object)]


@dataclass(frozen=True)
class PinyinOnly:
    """The name's pinyin alone, for records with neither ID number nor birth date; capped hard."""

    name: str = "pinyin"
    max_block_size: int = 30

    def keys(self, norm: pd.DataFrame) -> list[np.ndarray]:
        return [norm["pinyin"].to_numpy(dtype=object)]


DEFAULT_BLOCKERS = (IdExact(), IdMaskedWindows(), PinyinBirthYear(), NameBirthDate(), SpouseId(), Phone(), PinyinOnly())
"""The register's blocking rules, in the order they are reported."""
