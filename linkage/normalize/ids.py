"""Chinese resident ID numbers (GB 11643): cleaning, 15 -> 18 upgrade and validation.

An 18-character number is ``RRRRRR YYYYMMDD SSS C``: a GB/T 2260 region code, the birth
date, a sequence whose last digit is odd for men and even for women, and an ISO 7064
MOD 11-2 check character (``0-9`` or ``X``).  The legacy 15-digit form drops the century
and the check character.

Everything here works on whole columns (numpy), on distinct values only.

>>> check_character("11010519491231002")
'X'
>>> upgrade_legacy("110105491231002")
'11010519491231002X'
>>> r = normalize_ids(["11010519491231002x", "１１０１０５４９１２３１００２", "", "000000000000000000"])
>>> list(r.id_number), list(r.status)
(['11010519491231002X', '11010519491231002X', '', ''], ['valid', 'legacy15', 'missing', 'placeholder'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..codes import region_codes, region_ints
from .distinct import distinct_values, text_fullmatch, text_series

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
"""ISO 7064 MOD 11-2 weights of the first 17 digits (2**(17-i) mod 11)."""
CHECK_CHARACTERS = np.array(list("10X98765432"))
"""Check character for each remainder of the weighted sum mod 11."""

ID_STATUSES = (
    "valid", "legacy15", "missing", "placeholder", "masked", "bad_chars", "bad_length",
    "bad_region", "bad_date", "bad_check",
)
"""Every status ``normalize_ids`` gives; all but the first two are flagged as bad values.
'masked': the first 14 digits (region and birth date) followed by a placeholder tail (0000,
XXXX, ****, 000X): the clerk knew where and when she was born, not her sequence number."""
MASKED_TAIL = r"[0-9]{14}(?:0000|000X|XXXX|\*{4})"

_PLACEHOLDER = r"(?i)(.)\1+|0|无|不详|未知|空|null|none|nan|x+"
_STRIP = r"[\s\-_'\"`.,，。]+"


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of a 17-digit string."""
    digits = np.frombuffer(first17.encode("ascii"), dtype=np.uint8) - 48
    return str(CHECK_CHARACTERS[int(digits @ WEIGHTS) % 11])


def upgrade_legacy(number15: str) -> str:
    """A 15-digit legacy number in 18-digit form (century 19, check character added)."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def check_characters(first17: np.ndarray) -> np.ndarray:
    """Check characters of many numbers.

    first17: uint8 digit array of shape (n, 17) holding 0-9.  Returns str array (n,).
    """
    return CHECK_CHARACTERS[(first17.astype(np.int64) @ WEIGHTS) % 11]


def digit_matrix(numbers: np.ndarray | list[str], width: int = 18) -> np.ndarray:
    """Fixed-width ASCII code matrix of shape (n, width); shorter strings are right-padded with 0 bytes."""
    encoded = np.asarray(numbers, dtype=f"S{width}")
    return encoded.view(np.uint8).reshape(len(encoded), width)


@dataclass(frozen=True)
class IdColumns:
    """Normalised ID columns, each of shape (n,).

    id_number: the 18-character number (legacy upgraded) where it is valid, else ''
    id_full: the 18-character form of any 15/18-digit number, valid or not (for blocking and
        fuzzy comparison: a typo'd number still meets its twin), else ''
    id_clean: the cleaned characters as typed
    status: one of ``ID_STATUSES``
    birth_date: datetime64[ns] encoded in the number (NaT where it is not a real date)
    sex: 'F', 'M' or '' from the 17th digit
    """

    id_number: np.ndarray
    id_full: np.ndarray
    id_clean: np.ndarray
    status: np.ndarray
    birth_date: np.ndarray
    sex: np.ndarray

    @property
    def digits(self) -> np.ndarray:
        """object (n,): what the comparison reads: ``id_full`` where there is one; the cleaned
        characters of a number of another length (a digit dropped or added: 14-20 characters);
        a masked number's 14 digits and '****'; else ''."""
        out = np.where(self.id_full != "", self.id_full, "").astype(object)
        odd = np.flatnonzero(np.isin(self.status, ("bad_length", "bad_chars")) & (self.id_full == ""))
        if len(odd):  # the few numbers of another length: only those rows are looked at
            clean = pd.Series(self.id_clean[odd], dtype=object).astype(str)
            digits_only = clean.str.fullmatch(r"[0-9]{13,19}[0-9X]").to_numpy(dtype=bool)
            out[odd[digits_only]] = clean.to_numpy(dtype=object)[digits_only]
        masked = np.flatnonzero((self.status == "masked") & (self.id_full == ""))
        if len(masked):
            out[masked] = pd.Series(self.id_clean[masked], dtype=object).astype(str).str[:14].to_numpy(dtype=object) \
                + "****"
        return out


def normalize_ids(values: pd.Series | list) -> IdColumns:
    """Clean, upgrade and validate a column of ID numbers (work done once per distinct value)."""
    codes, distinct = distinct_values(values)
    return IdColumns(*(column[codes] for column in _normalize_distinct(distinct)))


def clean_ids(values: pd.Series) -> pd.Series:
    """Full-width to half-width, upper-case X, no spaces or separators; '' if blank.  Only the
    values that are not already a plain 15/18-character number go through the regexes."""
    texts = text_series(values).str.upper()
    dirty = ~texts.str.fullmatch(r"[0-9]{15}|[0-9]{17}[0-9X]").to_numpy(dtype=bool)
    if dirty.any():
        fixed = texts[dirty].str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        texts[dirty] = fixed.str.replace(_STRIP, "", regex=True)
    return texts


def _plain_numbers(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which texts are a plain ASCII 18-character (17 digits + digit/X) or 15-digit number whose
    characters are not all alike (those are placeholders).  texts: object (n,) of str.
    Returns (mask bool (n,), code matrix uint32 (n, 18) of the texts, 0-padded)."""
    wide = np.asarray(texts, dtype="U18")
    matrix = wide.view(np.uint32).reshape(len(wide), 18)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    digit = (matrix >= 48) & (matrix <= 57)
    long_ok = (lengths == 18) & digit[:, :17].all(axis=1) & (digit[:, 17] | (matrix[:, 17] == 88))
    short_ok = (lengths == 15) & digit[:, :15].all(axis=1)
    width = np.where(lengths == 18, 18, 15)
    alike = ((matrix == matrix[:, :1]) | (np.arange(18) >= width[:, None])).all(axis=1)
    return (long_ok | short_ok) & ~alike, matrix


def _normalize_plain(texts: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, ...]:
    """``_normalize_slow`` for plain numbers (see ``_plain_numbers``), in integer arithmetic.
    texts: object (m,); matrix: uint32 (m, 18).  Same six arrays as ``_normalize_distinct``."""
    legacy = matrix[:, 15] == 0
    first17 = matrix[:, :17].astype(np.int16) - 48  # every character is a digit here but the 18th
    if legacy.any():
        short = first17[legacy]  # RRRRRR YYMMDD SSS -> RRRRRR 19 YYMMDD SSS
        first17[legacy] = np.concatenate([short[:, :6], np.broadcast_to(np.array([1, 9], dtype=np.int16),
                                                                         (len(short), 2)), short[:, 6:15]], axis=1)
    digits = first17.astype(np.float64)  # float products are exact here and use BLAS
    check = CHECK_CHARACTERS[(digits @ WEIGHTS.astype(np.float64)).astype(np.int64) % 11]
    given = np.where(legacy, check, np.ascontiguousarray(matrix[:, 17]).view("U1"))
    full = np.asarray(texts, dtype=object).copy()
    if legacy.any():
        old = full[legacy]
        full[legacy] = np.array([t[:6] + "19" + t[6:] + c for t, c in zip(old, check[legacy])], dtype=object)
    region = (digits[:, :6] @ 10.0 ** np.arange(5, -1, -1)).astype(np.int64)
    region_ok = np.isin(region, region_ints())
    year = (digits[:, 6:10] @ np.array([1000.0, 100.0, 10.0, 1.0])).astype(np.int64)
    month = first17[:, 10].astype(np.int64) * 10 + first17[:, 11]
    day = first17[:, 12].astype(np.int64) * 10 + first17[:, 13]
    today = pd.Timestamp.today().normalize()
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    last = month_days[month.clip(0, 12)] + ((month == 2) & leap)
    date_ok = (year >= 1900) & (year <= today.year) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    dates = (months.astype("datetime64[D]") + (day - 1)).astype("datetime64[ns]")
    date_ok &= np.where(date_ok, dates, np.datetime64("NaT")) <= today.to_datetime64()
    status = np.where(legacy, "legacy15", "valid").astype(object)
    status[check != given] = "bad_check"
    status[~date_ok] = "bad_date"
    status[~region_ok] = "bad_region"
    usable = np.isin(status, ("valid", "legacy15"))
    id_number = np.where(usable, full, "").astype(object)
    birth = np.where(usable & date_ok, dates, np.datetime64("NaT")).astype("datetime64[ns]")
    sex = np.where(usable, np.where(first17[:, 16] % 2 == 1, "M", "F"), "").astype(object)
    return id_number, full, np.asarray(texts, dtype=object), status, birth, sex


def _normalize_distinct(raw: pd.Series) -> tuple[np.ndarray, ...]:
    """Six arrays of shape (n,) (see ``IdColumns``, plus the cleaned text) for distinct raw values:
    plain numbers by integer arithmetic, the rest through the regexes."""
    texts = text_series(raw).str.upper().to_numpy(dtype=object)
    plain, matrix = _plain_numbers(texts)
    n = len(raw)
    out = (np.full(n, "", dtype=object), np.full(n, "", dtype=object), np.full(n, "", dtype=object),
           np.full(n, "", dtype=object), np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
           np.full(n, "", dtype=object))
    for mask, columns in ((plain, _normalize_plain(texts[plain], matrix[plain]) if plain.any() else None),
                          (~plain, _normalize_slow(raw[~plain]) if (~plain).any() else None)):
        if columns is not None:
            for target, column in zip(out, columns):
                target[mask] = column
    _mask_tails(out)
    return out


def _mask_tails(out: tuple[np.ndarray, ...]) -> None:
    """Numbers with a placeholder tail (``MASKED_TAIL``) become 'masked': no number to compare
    or veto with, but the birth date in digits 7-14 is kept.  Changes ``out`` in place."""
    id_number, id_full, clean, status, birth, sex = out
    masked = text_fullmatch(clean, MASKED_TAIL)
    masked = masked & (status != "placeholder")
    if not masked.any():
        return
    dates = pd.to_datetime(pd.Series(clean[masked], dtype=object).str[6:14], format="%Y%m%d", errors="coerce")
    ok = dates.notna().to_numpy() & (dates <= pd.Timestamp.today()).to_numpy() & (dates.dt.year >= 1900).to_numpy()
    rows = np.flatnonzero(masked)[ok]  # a real region and birth date before the placeholder tail
    status[rows], id_number[rows], id_full[rows], sex[rows] = "masked", "", "", ""
    birth[rows] = dates.to_numpy(dtype="datetime64[ns]")[ok]


def _normalize_slow(raw: pd.Series) -> tuple[np.ndarray, ...]:
    n = len(raw)
    clean = clean_ids(raw)
    lengths = clean.str.len().to_numpy()
    status = np.full(n, "valid", dtype=object)
    well_formed = ((lengths == 15) | (lengths == 18)) & clean.str.fullmatch(r"[0-9]{15}|[0-9]{17}[0-9X]").to_numpy(dtype=bool)
    all_digits = clean.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool)
    status[~well_formed] = np.where(all_digits[~well_formed], "bad_length", "bad_chars")
    status[clean.str.fullmatch(_PLACEHOLDER).to_numpy(dtype=bool)] = "placeholder"
    status[lengths == 0] = "missing"

    legacy = (status == "valid") & (lengths == 15)
    full = clean.to_numpy(dtype=object).copy()
    full[legacy] = (clean[legacy].str.slice(0, 6) + "19" + clean[legacy].str.slice(6) + "0").to_numpy(dtype=object)
    id_number = np.full(n, "", dtype=object)
    birth = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    sex = np.full(n, "", dtype=object)
    idx = np.flatnonzero(status == "valid")
    if len(idx):
        matrix = digit_matrix(full[idx].astype(str))
        first17 = matrix[:, :17] - 48
        check = check_characters(first17)
        given = matrix[:, 17].view("S1").astype(str).ravel()
        given = np.where(legacy[idx], check, given)
        numbers = pd.Series(full[idx], dtype=object).str.slice(0, 17) + given
        full[idx] = numbers.to_numpy(dtype=object)
        region_ok = numbers.str.slice(0, 6).isin(region_codes()).to_numpy()
        ymd = numbers.str.slice(6, 14)
        year = pd.to_numeric(ymd.str.slice(0, 4), errors="coerce")
        today = pd.Timestamp.today().normalize()
        ymd = ymd.where((year >= 1900) & (year <= today.year))  # a birth in 9197 is a typo, not a date
        dates = pd.to_datetime(ymd, format="%Y%m%d", errors="coerce")
        date_ok = (dates.notna() & (dates <= today)).to_numpy(dtype=bool)
        sub_status = np.where(legacy[idx], "legacy15", "valid").astype(object)
        sub_status[check != given] = "bad_check"
        sub_status[~date_ok] = "bad_date"
        sub_status[~region_ok] = "bad_region"
        status[idx] = sub_status
        id_number[idx] = full[idx]
        birth[idx] = np.where(date_ok, dates.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))
        sex[idx] = np.where(first17[:, 16] % 2 == 1, "M", "F")
    id_full = id_number.copy()
    usable = np.isin(status, ("valid", "legacy15"))
    id_number[~usable] = ""
    sex[~usable] = ""
    birth[~usable] = np.datetime64("NaT")
    return id_number, id_full, clean.to_numpy(dtype=object), status, birth, sex
