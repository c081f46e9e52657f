"""GB/T 2260 administrative codes: the region table, and how two codes are matched.

A code is read at the levels province (2 digits), city (4), county (6), street (9) and
community (12).  ``significant_code`` cuts a code to the longest level it holds (an 8-digit
code is read as its 6-digit county, 13 or more digits as the 12-digit community), then drops
the zero padding of coarser levels: ``330106000000`` -> ``330106`` (county), ``330100`` ->
``3301`` (city), ``330000`` -> ``33``.  A code of exactly 2 or 4 digits is a province or a
city (``3412``); other codes of fewer than 6 digits are unusable.  Two codes
*match* when one significant code is a prefix of the other, i.e. they agree at the finest
level both have: the street ``330106001`` matches the county ``330106`` and the community
``330106001003``, but not the street ``330106002``.  ``match_depth`` is the number of leading
digits, at level boundaries, on which two codes agree (0, 2, 4, 6, 9 or 12).
``street_relation`` says whether two places are one street (the level a managing unit and
household/residence separation are read at), two, or cannot be told apart.

The region table is python-stdnum's copy of GB/T 2260 (every county code it has had, with
its names), read once.

>>> significant_codes(["330106001003", "330106000000", "330100", "3412", "123", ""]).tolist()
['330106001003', '330106', '3301', '3412', '', '']
>>> codes_match(["330106001", "330106001", "330106001"], ["330106", "330106001003", "330106002"]).tolist()
[True, True, False]
>>> match_depth(["330106001", "330106001"], ["330106002", "330108001"]).tolist()
[6, 4]
>>> street_of(["330106001003", "330106001", "330106"]).tolist()
['330106001', '330106001', '']
>>> "330106" in region_codes(), region_names()["330106"]
(True, '西湖区')
>>> code_labels(["341221", "3412", "110105", "330106001", ""]).tolist()
['341221(安徽省阜阳市临泉县)', '3412(安徽省阜阳市)', '110105(北京市朝阳区)', '330106001', '']
>>> street_relation(["330106001003", "330106001", "330106", ""], ["330106001", "330106002", "330106001", "330106001"]).tolist()
[1, -1, 0, 0]
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd
import stdnum

from .normalize.distinct import factorize, per_distinct, text_length, text_slice

LEVELS = (2, 4, 6, 9, 12)
"""Digits of the province, city, county, street and community levels."""
STREET_DIGITS = 9

_LINE = re.compile(r'^(\s*)(\d+)\s+(?:province|county)="([^"]*)"')


@lru_cache(maxsize=1)
def _region_table() -> dict[str, str]:
    """6-digit code -> its names (';'-joined, every name it has had, '' if none) for every
    province and county of python-stdnum's GB/T 2260 table (``cn/loc.dat``)."""
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    table: dict[str, str] = {}
    province = ""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            code = line.split()[0]
            match = _LINE.match(line)
            names = ";".join(n for n in (re.sub(r"^\[[\d-]*\]", "", n) for n in match.group(3).split(",")) if n) \
                if match else ""
            if line.startswith(" "):
                table[province + code] = names
            else:
                province = code
                table[code + "0000"] = names
    return table


@lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    """Every 6-digit GB/T 2260 province and county code, current and historical."""
    return frozenset(_region_table())


@lru_cache(maxsize=1)
def region_ints() -> np.ndarray:
    """``region_codes`` as sorted int64 (k,)."""
    return np.array(sorted(int(code) for code in region_codes() if code.isdigit()), dtype=np.int64)


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """6-digit county code -> its name (every name it has had, ';'-joined); provinces left out."""
    return {code: names for code, names in _region_table().items() if not code.endswith("0000") and names}


def significant_code(code: str) -> str:
    """One code at its finest level, zero padding of coarser levels dropped ('' if unusable)."""
    digits = "".join(ch for ch in str(code) if ch in "0123456789")
    level = max((size for size in (12, 9, 6) if size <= len(digits)), default=0)
    if not level and len(digits) in (2, 4):
        level = len(digits)  # a province or city given without its zero padding
    code = digits[:level]
    for size, pad in ((12, "000"), (9, "000"), (6, "00"), (4, "00")):
        if len(code) == size and code.endswith(pad):
            code = code[: size - len(pad)]
    return "" if code in ("", "00") else code


def significant_codes(codes: Iterable[str]) -> np.ndarray:
    """``significant_code`` over a column, once per distinct value; object array (n,)."""
    values = codes if isinstance(codes, (pd.Series, np.ndarray)) else list(codes)
    return per_distinct(pd.Series(values, dtype=object).fillna(""), significant_code)


def _code_bytes(codes: Iterable[str]) -> np.ndarray:
    """uint8 matrix (n, 12) of significant codes, zero-padded on the right (converted once per
    distinct code: a column holds a few thousand units among many records)."""
    positions, distinct = factorize(np.asarray(codes, dtype=object), missing_as_value=True)
    table = np.asarray(distinct.astype(str), dtype="S12")
    return table.view(np.uint8).reshape(len(table), 12)[positions]


def code_lengths(codes: Iterable[str]) -> np.ndarray:
    """int64 (n,): digits in each significant code."""
    return _lengths(_code_bytes(codes))


def match_depth(left: Iterable[str], right: Iterable[str]) -> np.ndarray:
    """Leading digits, at level boundaries, on which two significant codes agree; int64 (n,)."""
    return _depth(_code_bytes(left), _code_bytes(right))


def codes_match(left: Iterable[str], right: Iterable[str]) -> np.ndarray:
    """True where one significant code is a prefix of the other (both usable); bool (n,)."""
    a, b = _code_bytes(left), _code_bytes(right)
    shorter = np.minimum(_lengths(a), _lengths(b))
    return (shorter > 0) & (_depth(a, b) == shorter)


def _lengths(matrix: np.ndarray) -> np.ndarray:
    return (matrix != 0).sum(axis=1)


def _depth(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    common = np.cumprod((a == b) & (a != 0), axis=1).sum(axis=1)
    levels = np.array((0,) + LEVELS)
    return levels[np.searchsorted(levels, common, side="right") - 1].astype(np.int64)


def street_relation(left: Iterable[str], right: Iterable[str]) -> np.ndarray:
    """int8 (n,): 1 where two places lie in one street (they agree down to the street, or to
    the finer of them when both hold a street), -1 where they differ at the finest level both
    hold (up to the street), 0 where that cannot be told: a code blank or unusable, or the two
    agree only down to a county or coarser code one of them stops at."""
    a, b = _code_bytes(significant_codes(left)), _code_bytes(significant_codes(right))
    shorter = np.minimum(_lengths(a), _lengths(b))
    compare_at = np.minimum(shorter, STREET_DIGITS)
    depth = _depth(a, b)
    differ = (shorter > 0) & (depth < compare_at)
    same = (shorter >= STREET_DIGITS) & (depth >= STREET_DIGITS)
    return np.where(differ, -1, np.where(same, 1, 0)).astype(np.int8)


def well_formed_codes(codes: Iterable[str], lengths: tuple[int, ...] = (6, 9, 12)) -> np.ndarray:
    """bool (n,): a normalised code (digits) has one of ``lengths`` and its first 6 digits are
    a GB/T 2260 county or province code."""
    series = pd.Series(np.asarray(list(codes) if not isinstance(codes, (pd.Series, np.ndarray)) else codes,
                                  dtype=object)).fillna("").astype(str)
    return np.isin(text_length(series), lengths) & pd.Series(text_slice(series, 0, 6)).isin(region_codes()).to_numpy()


_NO_CITY_NAME = ("市辖区", "县", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政单位",
                 "自治区直辖县级行政区划")


@lru_cache(maxsize=65536)
def region_label(code: str) -> str:
    """The current GB/T 2260 name of a province, city or county code with the names of the
    levels above it ('安徽省阜阳市临泉县'); for a street or community code, its county's;
    '' when the table does not know the code."""
    sig = significant_code(code)
    if not sig:
        return ""
    table = _region_table()
    latest = lambda six: table.get(six, "").split(";")[-1]  # noqa: E731 (names are listed oldest first)
    province, city, county = latest(sig[:2] + "0000"), "", ""
    if len(sig) >= 4:
        city = latest(sig[:4] + "00")
        city = "" if city in _NO_CITY_NAME or city == province else city
    if len(sig) >= 6:
        county = latest(sig[:6])
        county = "" if county in _NO_CITY_NAME else county
        if not county and sig[:6] not in table:
            return ""
    return province + city + county if province else ""


def code_labels(codes: Iterable[str], sig: Iterable[str] | None = None) -> np.ndarray:
    """Codes as a clerk reads them, object (n,): a code of county level or coarser followed by
    its name ('341221(安徽省阜阳市临泉县)'), never bare; street and community codes as they are.
    sig: the codes' ``significant_codes`` when the caller has them."""
    def label(code: str) -> str:
        name = region_label(code)
        return f"{code}({name})" if name else code

    values = codes if isinstance(codes, (pd.Series, np.ndarray)) else list(codes)
    out = pd.Series(values, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
    lengths = code_lengths(significant_codes(out) if sig is None else np.asarray(sig, dtype=object))
    coarse = (lengths > 0) & (lengths < STREET_DIGITS)  # only these are named: most codes are streets
    if coarse.any():
        out[coarse] = per_distinct(pd.Series(out[coarse], dtype=object), label)
    return out


def street_of(codes: Iterable[str]) -> np.ndarray:
    """The 9-digit street of each unit code ('' when shorter), object (n,)."""
    series = pd.Series(np.asarray(list(codes) if not isinstance(codes, (pd.Series, np.ndarray)) else codes,
                                  dtype=object)).fillna("").astype(str)
    return np.where(text_length(series) >= STREET_DIGITS, text_slice(series, 0, STREET_DIGITS), "").astype(object)
