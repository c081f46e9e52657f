"""Name pools, ID/date kernels and the clerical errors of a WIS register, for the generator.

Everything here is either a vectorised kernel over whole columns (numpy arrays of shape
``(n,)``, ID numbers as ``uint8`` ASCII matrices of shape ``(n, 18)``) or a small
per-string edit applied in a Python loop to the corrupted minority of records only.
:func:`type_records` is the clerk: it turns clean per-record values into register cells.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from benchmarks import date_errors, id_errors
from benchmarks.confusions import (SURNAME_READINGS, fuzzy_pinyin, homophones, pick, similar_shapes,
                                   surname_misreadings, to_traditional)
from benchmarks.error_kinds import ErrorLog
from benchmarks.name_pools import pools

# --- name pools ---------------------------------------------------------------------------
_POOLS = pools()
SURNAMES: np.ndarray = _POOLS.surnames
"""Surnames, shape (s,), in order of national frequency (benchmarks/data/surnames.tsv)."""
SURNAME_P: np.ndarray = _POOLS.surname_p
FEMALE_CHARS: np.ndarray = _POOLS.chars
"""Given-name characters, shape (c,) (benchmarks/data/given_chars.tsv); FEMALE_CUM: their cumulative use by women."""
FEMALE_CUM: list[float] = np.cumsum(_POOLS.female_p.sum(axis=0)).tolist()
MALE_CHARS: np.ndarray = _POOLS.chars
MINORITY_GIVEN = ("阿依古丽", "古丽娜尔", "热依拉", "帕提古丽", "努尔古丽", "迪丽娜尔", "米热古丽", "阿依努尔", "再努尔", "古丽巴哈尔")
MINORITY_FATHER = ("买买提", "艾力", "吐尔逊", "阿不都", "热合曼", "努尔", "依明", "卡德尔", "玉素甫", "阿布拉")


# --- ID numbers (GB 11643) ------------------------------------------------------------------
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
_POW17 = 10 ** np.arange(16, -1, -1, dtype=np.int64)
_LEGACY_COLUMNS = np.r_[0:6, 8:17]
GARBAGE_IDS = ("0", "000000000000000000", "不详", "无", "111111111111111111", "待查", "/")
_FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS.tolist())) % 11]


def id_matrix(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """18-digit IDs as an ASCII ``uint8`` matrix of shape (n, 18) from region codes, birth days and sequences."""
    y, m, d = ymd(birth)
    digits = ((region * 10**11 + (y * 10000 + m * 100 + d) * 1000 + seq)[:, None] // _POW17) % 10
    mat = np.empty((len(region), 18), dtype=np.uint8)
    mat[:, :17] = (digits + 48).astype(np.uint8)
    mat[:, 17] = CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]
    return mat


def matrix_to_str(mat: np.ndarray) -> np.ndarray:
    """ASCII matrix of shape (n, w) -> object array of str, shape (n,)."""
    w = mat.shape[1]
    return np.ascontiguousarray(mat).view(f"S{w}").ravel().astype(f"U{w}").astype(object)


def ints_to_str(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints -> zero-padded decimal strings, object array of shape (n,)."""
    digits = (np.asarray(values, dtype=np.int64)[:, None] // 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)) % 10
    return matrix_to_str((digits + 48).astype(np.uint8))


def _wrong_digit(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Change one character of each row in ``rows`` in place (the check character too, sometimes)."""
    pos = rng.integers(0, 18, len(rows))
    bump = rng.integers(1, 10, len(rows)).astype(np.uint8)
    old = mat[rows, pos]
    mat[rows, pos] = np.where(old == 88, 48 + bump % 10, 48 + (np.minimum(old, 57) - 48 + bump) % 10)


def _swap_adjacent(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Swap two adjacent, differing digits (among the first 17) of each row in place."""
    pos = rng.integers(0, 16, len(rows))
    pos = np.where(mat[rows, pos] == mat[rows, pos + 1], (pos + 3) % 16, pos)
    left, right = mat[rows, pos].copy(), mat[rows, pos + 1].copy()
    mat[rows, pos], mat[rows, pos + 1] = right, left


# --- dates ----------------------------------------------------------------------------------
DATE_FORMATS = ("{y:04d}-{m:02d}-{d:02d}", "{y:04d}{m:02d}{d:02d}", "{y}/{m}/{d}", "{y:04d}.{m:02d}.{d:02d}", "{y}年{m}月{d}日")
"""Date formats found in registers: ISO, compact, slashes, dots, Chinese."""


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days since 1970-01-01, shape (n,) -> year, month, day arrays of shape (n,)."""
    dt = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = dt.astype("datetime64[M]")
    return (dt.astype("datetime64[Y]").astype(np.int64) + 1970, month.astype(np.int64) % 12 + 1,
            (dt - month.astype("datetime64[D]")).astype(np.int64) + 1)


def days_from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Year, month, day arrays -> days since 1970-01-01 (day must be valid for the month)."""
    months = (np.asarray(y, dtype=np.int64) - 1970) * 12 + np.asarray(m, dtype=np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d) - 1


def format_dates(days: np.ndarray, fmt: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Days (n,), format index into DATE_FORMATS (n,), blank mask (n,) -> object array of str (n,)."""
    out = np.full(len(days), "", dtype=object)
    keep = ~blank
    uniq, inv = np.unique(days[keep] * 8 + fmt[keep], return_inverse=True)
    day, f = np.divmod(uniq, 8)
    y, m, d = ymd(day)
    text = [DATE_FORMATS[k].format(y=a, m=b, d=c) for a, b, c, k in zip(y.tolist(), m.tolist(), d.tolist(), f.tolist())]
    out[keep] = np.array(text + [""], dtype=object)[:-1][inv]
    return out


# --- phones and addresses -------------------------------------------------------------------
_MOBILE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
                             158, 159, 166, 176, 177, 178, 180, 181, 182, 183, 186, 187, 188, 189, 191, 198, 199])


def random_mobiles(rng: np.random.Generator, k: int) -> np.ndarray:
    """k random 11-digit mobile numbers, object array of shape (k,)."""
    return ints_to_str(rng.choice(_MOBILE_PREFIXES, k) * 10**8 + rng.integers(0, 10**8, k), 11)


ADDRESS_PARTS = ("prov", "city", "county", "street", "roadnum", "estate", "detail_a", "detail_b")
_ADDRESS_VARIANTS = (("prov", "city", "county", "street", "roadnum", "detail_a"),
                     ("city", "county", "roadnum", "detail_a"),
                     ("county", "street", "estate", "detail_b"),
                     ("estate", "detail_a"),
                     ("prov", "city", "county", "street", "estate"))
ADDRESS_VARIANT_P = np.array([0.45, 0.22, 0.15, 0.12, 0.06])
NAMED_VARIANTS = np.array([v for v, names in enumerate(_ADDRESS_VARIANTS) if "county" in names])
"""Variants that name the county: the full form a department writes in a place field it always records."""
_NAMED_P = ADDRESS_VARIANT_P[NAMED_VARIANTS] / ADDRESS_VARIANT_P[NAMED_VARIANTS].sum()
_REWORDS = (("幢", "栋"), ("单元", "-"), ("号", "#"), ("室", ""), ("街道", ""), ("浙江省", ""), ("号", "号院"))


def compose_addresses(parts: dict[str, np.ndarray], variant: np.ndarray) -> np.ndarray:
    """Address parts (each (n,) object) and a variant index (n,) -> address strings, shape (n,)."""
    out = np.empty(len(variant), dtype=object)
    for v, names in enumerate(_ADDRESS_VARIANTS):
        rows = np.flatnonzero(variant == v)
        text = parts[names[0]][rows]
        for name in names[1:]:
            text = text + parts[name][rows]
        out[rows] = text
    return out


# --- the clerk ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorRates:
    """Per-record probability of each clerical error (name errors are independent, ID/date ones exclusive)."""

    name_homophone: float = 0.01
    name_shape: float = 0.005
    name_traditional: float = 0.004
    name_drop_add: float = 0.003
    name_space: float = 0.01
    name_dot_variant: float = 0.2  # of minority names only
    id_blank: float = 0.02
    id_garbage: float = 0.005
    id_legacy15: float = 0.015  # applied to women born in the 1900s only
    id_wrong_digit: float = 0.006
    id_swap: float = 0.004
    id_fullwidth: float = 0.004
    id_lower_x: float = 0.25  # of IDs ending in X
    birth_blank: float = 0.08
    birth_day_month_swap: float = 0.004  # where the day is 12 or less
    birth_off_by_one: float = 0.004
    phone_blank: float = 0.08
    phone_changed: float = 0.03
    address_blank: float = 0.03
    address_reword: float = 0.05
    spouse_blank: float = 0.05
    spouse_name_typo: float = 0.01
    spouse_id_typo: float = 0.01
    hukou_code_blank: float = 0.06
    hukou_code_county_only: float = 0.03
    residence_code_blank: float = 0.04
    residence_since_blank: float = 0.15
    marriage_date_blank: float = 0.1
    marital_generic: float = 0.12  # 初婚/再婚 typed as 已婚
    marital_stale: float = 0.01  # married woman still 未婚 on this record
    work_unit_blank: float = 0.25
    hard: float = 0.0  # forced name typo + wrong ID digit + no birth date
    # Kinds added with the published data; 0 in the usual model (benchmarks.error_models).
    name_fuzzy_pinyin: float = 0.0  # a character one fuzzy-pinyin pair away (z/zh, l/n, an/ang ...)
    name_surname_reading: float = 0.0  # of women with a polyphonic surname: the wrong reading's character
    id_two_digits: float = 0.0
    id_region_prefix: float = 0.0  # her hukou county written over the county of first registration
    id_region_valid: float = 0.5  # of those, the share with the check digit recomputed (a valid number)
    id_legacy15_typo: float = 0.0  # a legacy 15-digit number with a wrong digit (born in the 1900s; else one wrong digit)
    id_drop_add: float = 0.0  # a digit dropped or added (17 or 19 characters)
    id_handwriting: float = 0.0  # 1/7, 0/6, 3/8 confused, check digit kept
    id_placeholder: float = 0.0  # first 14 digits then 0000 / **** ..., or region and zeros
    phone_in_id: float = 0.0  # her phone in the ID column
    swap_spouse_id: float = 0.0  # her ID in the spouse column and his in hers (where she has a spouse)
    sex_wrong: float = 0.0  # 男 (or 1) on a woman
    birth_two_digit_year: float = 0.0  # 85-03-12
    birth_excel_serial: float = 0.0  # 31118
    birth_year_month: float = 0.0  # 1985-03, 198503
    birth_placeholder_1900: float = 0.0  # 1900-01-01
    birth_placeholder_jan1: float = 0.0  # YYYY-01-01
    birth_lunar: float = 0.0  # the lunar-calendar birthday, 20-50 days off


ORIGINAL = ErrorRates()
"""The first record of a woman, entered by the unit that holds her."""
DUPLICATE = replace(
    ORIGINAL, name_homophone=0.08, name_shape=0.04, name_traditional=0.03, name_drop_add=0.02, name_space=0.03,
    id_blank=0.06, id_garbage=0.015, id_legacy15=0.05, id_wrong_digit=0.04, id_swap=0.025, id_fullwidth=0.02,
    birth_blank=0.15, birth_day_month_swap=0.02, birth_off_by_one=0.02, phone_blank=0.18, phone_changed=0.15,
    address_blank=0.06, address_reword=0.2, spouse_blank=0.12, spouse_name_typo=0.03, spouse_id_typo=0.03,
    residence_since_blank=0.2, marital_stale=0.04, hard=0.02)
"""A further record of the same woman, typed independently by another unit."""


class RateArrays(dict):
    """Each rate of ErrorRates as an array (n,) -- that of ``profiles[profile[i]]`` for row i -- built on first
    use; a rate equal in every profile is a read-only broadcast of the one value (no n-sized copy)."""

    def __init__(self, table: dict[str, np.ndarray], profile: np.ndarray):
        super().__init__()
        self.table, self.profile = table, profile

    def __missing__(self, key: str) -> np.ndarray:
        values = self.table[key]
        arr = (np.broadcast_to(values[0], len(self.profile)) if (values == values[0]).all()
               else values[self.profile])
        self[key] = arr
        return arr

    def subset(self, rows: np.ndarray) -> RateArrays:
        """The rates of rows ``rows`` only."""
        return RateArrays(self.table, self.profile[rows])


def rate_arrays(profiles: Sequence[ErrorRates], profile: np.ndarray) -> RateArrays:
    """Each rate of ErrorRates as an array (n,): that of ``profiles[profile[i]]`` for row i."""
    return RateArrays({f.name: np.array([getattr(p, f.name) for p in profiles]) for f in fields(ErrorRates)},
                      np.asarray(profile))


def _exclusive(rng: np.random.Generator, *rates: np.ndarray) -> np.ndarray:
    """One event per row: index of the rate that fired, or len(rates) for none. Shape (n,)."""
    return (rng.random(len(rates[0]))[:, None] >= np.cumsum(np.stack(rates, axis=1), axis=1)).sum(axis=1)


def _edit_char(name: str, start: int, table: dict, r: random.Random, *, stop: int | None = None) -> str:
    """One character of name[start:stop] that has candidates in ``table`` replaced by a weighted pick."""
    pos = [i for i in range(start, len(name) if stop is None else stop) if name[i] in table]
    if not pos:
        return name
    i = r.choice(pos)
    return name[:i] + pick(table, name[i], r) + name[i + 1:]


def _drop_or_add(name: str, start: int, r: random.Random) -> str:
    given = name[start:]
    if len(given) >= 2 and r.random() < 0.6:
        i = r.randrange(len(given))
        return name[:start] + given[:i] + given[i + 1:]
    ch = given[-1:] if r.random() < 0.4 else r.choices(FEMALE_CHARS, cum_weights=FEMALE_CUM)[0]
    i = r.randrange(len(given) + 1)
    return name[:start] + given[:i] + ch + given[i:]


def _stray_space(name: str, start: int, r: random.Random) -> str:
    sp, k = (" " if r.random() < 0.8 else "\u3000"), r.random()
    if k < 0.55 and 0 < start < len(name):
        return name[:start] + sp + name[start:]
    if k < 0.8:
        return name + sp
    if k < 0.9:
        return sp + name
    i = r.randrange(1, max(2, len(name)))
    return name[:i] + sp + name[i:]


def _apply(out: np.ndarray, rows: np.ndarray, edit, log: ErrorLog | None, kind: str) -> None:
    """out[i] = edit(i, out[i]) for i in ``rows``; log the rows whose text changed."""
    changed = []
    for i in rows.tolist():
        new = edit(i, out[i])
        if new != out[i]:
            out[i] = new
            changed.append(i)
    if log is not None and changed:
        log.add(kind, np.array(changed))


def _draw(rng: np.random.Generator, rate: np.ndarray) -> np.ndarray:
    """Bernoulli draws (n,) at ``rate`` (n,); no draw at all where every rate is 0 (the usual streams stay put)."""
    return rng.random(len(rate)) < rate if rate.any() else np.zeros(len(rate), bool)


def type_names(names: np.ndarray, start: np.ndarray, minority: np.ndarray, rate: dict[str, np.ndarray],
               rng: np.random.Generator, *, spouse: bool = False,
               log: ErrorLog | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Names (n,) with given-name offsets (n,) -> (names as typed (n,), mask (n,) of forced hard records).

    ``log`` records the kinds that changed a name (for a spouse: none; the caller logs spouse_name_typo).
    """
    out, n = names.copy(), len(names)
    r = random.Random(int(rng.integers(2**62)))
    hard = rng.random(n) < rate["hard"] if not spouse else np.zeros(n, bool)
    homo = rng.random(n) < (rate["spouse_name_typo"] * 0.6 if spouse else rate["name_homophone"])
    shape = rng.random(n) < (rate["spouse_name_typo"] * 0.4 if spouse else rate["name_shape"])
    hard_homo = rng.random(n) < 0.6
    homo, shape = (homo | (hard & hard_homo)) & ~minority, (shape | (hard & ~hard_homo)) & ~minority
    hp, sh = homophones(), similar_shapes()
    log_n = None if spouse else log
    _apply(out, np.flatnonzero(homo), lambda i, s: _edit_char(s, int(start[i]), hp, r), log_n, "name_homophone")
    # the surname is misread a third of the time
    _apply(out, np.flatnonzero(shape), lambda i, s: _edit_char(s, 0 if r.random() < 0.33 else int(start[i]), sh, r),
           log_n, "name_shape")
    if spouse:
        return out, hard
    fuzzy = _draw(rng, rate["name_fuzzy_pinyin"]) & ~minority
    fz = fuzzy_pinyin()
    _apply(out, np.flatnonzero(fuzzy), lambda i, s: _edit_char(s, 0 if r.random() < 0.25 else int(start[i]), fz, r),
           log, "name_fuzzy_pinyin")
    misread = _draw(rng, rate["name_surname_reading"]) & (start == 1)
    if misread.any():
        misread &= np.isin(np.array([s[:1] for s in out], dtype=object), list(SURNAME_READINGS))
        sm = surname_misreadings()
        _apply(out, np.flatnonzero(misread), lambda i, s: _edit_char(s, 0, sm, r, stop=1), log, "name_surname_reading")
    _apply(out, np.flatnonzero((rng.random(n) < rate["name_drop_add"]) & ~minority),
           lambda i, s: _drop_or_add(s, int(start[i]), r), log, "name_drop_add")
    _apply(out, np.flatnonzero(rng.random(n) < rate["name_traditional"]), lambda i, s: to_traditional(s, r),
           log, "name_traditional")
    _apply(out, np.flatnonzero(minority & (rng.random(n) < rate["name_dot_variant"])),
           lambda i, s: s.replace("·", r.choice(("•", ".", "．", "", "・", " "))), log, "name_dot")
    _apply(out, np.flatnonzero(rng.random(n) < rate["name_space"]), lambda i, s: _stray_space(s, int(start[i]), r),
           log, "name_space")
    return out, hard


ID_KINDS = ("id_blank", "id_garbage", "id_legacy15", "id_wrong_digit", "id_swap", "id_fullwidth", "id_two_digits",
            "id_region_prefix", "id_legacy15_typo", "id_drop_add", "id_handwriting", "id_placeholder", "phone_in_id")
"""The exclusive ID events, in the order of the one uniform draw per row (the first six are the original ones)."""
_SPOUSE_ID_KINDS = ID_KINDS[:6]


def type_ids(mat: np.ndarray, born_1900s: np.ndarray, rate: dict[str, np.ndarray], rng: np.random.Generator,
             *, hard: np.ndarray | None = None, scale: float = 1.0, spouse: bool = False,
             exact: np.ndarray | None = None, alt_region: np.ndarray | None = None, phone: np.ndarray | None = None,
             log: ErrorLog | None = None) -> np.ndarray:
    """Clean IDs as an ASCII matrix (n, 18) -> ID cells as typed, object array (n,).

    exact: bool (n,), rows typed without error (a re-issued number); alt_region: int (n,), the county a
    wrong region prefix takes (her hukou county); phone: object (n,), what lands in the ID column for
    phone_in_id.  A spouse's number only meets the first six kinds; ``log`` records the kind of each
    row that changed (not for a spouse).
    """
    n = len(mat)
    kinds = _SPOUSE_ID_KINDS if spouse else ID_KINDS
    event = _exclusive(rng, *(scale * rate[k] for k in kinds))
    none = len(kinds)
    if hard is not None:
        event = np.where(hard, 3, event)
    if exact is not None:
        event = np.where(exact, none, event)
    if alt_region is None:
        event = np.where(event == 7, none, event)
    mat = mat.copy()
    clean = mat.copy()
    rows = {k: np.flatnonzero(event == i) for i, k in enumerate(kinds)}
    if not spouse:
        young = rows["id_legacy15_typo"][~born_1900s[rows["id_legacy15_typo"]]]  # no legacy number: one wrong digit
        rows["id_wrong_digit"] = np.union1d(rows["id_wrong_digit"], young)
        rows["id_legacy15_typo"] = np.setdiff1d(rows["id_legacy15_typo"], young)
    _wrong_digit(mat, rows["id_wrong_digit"], rng)
    _swap_adjacent(mat, rows["id_swap"], rng)
    if not spouse:
        if len(rows["id_two_digits"]):
            id_errors.two_wrong_digits(mat, rows["id_two_digits"], rng)
        hand = rows["id_handwriting"]
        if len(hand):
            rows["id_handwriting"] = hand[id_errors.handwriting(mat, hand, rng)]
        region = rows["id_region_prefix"]
        now = ((mat[region, :6].astype(np.int64) - 48) @ (10 ** np.arange(5, -1, -1))) if len(region) else region
        region = rows["id_region_prefix"] = region[alt_region[region] != now] if len(region) else region
        if len(region):
            valid = rng.random(len(region)) < rate["id_region_valid"][region]
            id_errors.region_prefix(mat, region, alt_region[region], valid)
            rows["id_region_prefix_valid"], rows["id_region_prefix"] = region[valid], region[~valid]
    lower = (mat[:, 17] == 88) & (rng.random(n) < rate["id_lower_x"])
    mat[lower, 17] = ord("x")
    out = matrix_to_str(mat)
    legacy = np.flatnonzero((event == 2) & born_1900s)
    rows["id_legacy15"] = legacy
    out[legacy] = matrix_to_str(mat[legacy][:, _LEGACY_COLUMNS])
    out[event == 0] = ""
    garbage = np.flatnonzero(event == 1)
    out[garbage] = np.array(GARBAGE_IDS, dtype=object)[rng.integers(0, len(GARBAGE_IDS), len(garbage))]
    if not spouse:
        typo = rows["id_legacy15_typo"]
        if len(typo):
            short, k = id_errors.legacy15(mat[typo]), np.arange(len(typo))
            pos = rng.integers(0, 15, len(typo))
            short[k, pos] = (48 + (short[k, pos] - 48 + rng.integers(1, 10, len(typo))) % 10).astype(np.uint8)
            out[typo] = matrix_to_str(short)
        if len(rows["id_drop_add"]):
            out[rows["id_drop_add"]] = id_errors.drop_or_add_digit(mat[rows["id_drop_add"]], rng)
        if len(rows["id_placeholder"]):
            out[rows["id_placeholder"]] = id_errors.placeholders(clean[rows["id_placeholder"]], rng)
        moved = rows["phone_in_id"]
        if len(moved):
            moved = moved[phone[moved] != ""] if phone is not None else moved[:0]
            out[moved] = phone[moved]
            rows["phone_in_id"] = moved
    for i in np.flatnonzero(event == 5).tolist():
        out[i] = out[i].translate(_FULLWIDTH)
    if log is not None and not spouse:
        for kind, r in rows.items():
            if len(r):
                log.add(kind, r)
    return out


DATE_KINDS = ("birth_blank", "birth_day_month_swap", "birth_off_by_one", "birth_two_digit_year", "birth_excel_serial",
              "birth_year_month", "birth_placeholder_1900", "birth_placeholder_jan1", "birth_lunar")
"""The exclusive birth-date events, in the order of the one uniform draw per row (the first three are the original ones)."""


def type_dates(days: np.ndarray, present: np.ndarray, rate: dict[str, np.ndarray], rng: np.random.Generator,
               fmt: np.ndarray, *, hard: np.ndarray | None = None, log: ErrorLog | None = None) -> np.ndarray:
    """Birth days (n,) -> birth-date cells as typed (blanks, swaps, other forms, placeholders...), object (n,)."""
    event = _exclusive(rng, *(rate[k] for k in DATE_KINDS))
    if hard is not None:
        event = np.where(hard, 0, event)
    true_days = days
    y, m, d = ymd(days)
    swap = (event == 1) & (d <= 12) & (d != m)
    days = np.where(swap, days_from_ymd(y, np.where(swap, d, m), np.where(swap, m, d)), days)
    days = days + np.where(event == 2, rng.choice([-1, 1], len(days)), 0)
    if (event >= 3).any():
        days = np.where(event == 6, date_errors.PLACEHOLDER_1900, days)
        days = np.where(event == 7, date_errors.january_first(days), days)
        lunar = np.flatnonzero(event == 8)
        days[lunar] += date_errors.lunar_shift(rng, len(lunar))
    out = format_dates(days, fmt, (event == 0) | ~present)
    for k, render in ((3, lambda r: date_errors.two_digit_years(days[r], fmt[r])),
                      (4, lambda r: date_errors.excel_serials(days[r])),
                      (5, lambda r: date_errors.year_months(days[r], fmt[r]))):
        rows = np.flatnonzero((event == k) & present)
        if len(rows):
            out[rows] = render(rows)
    if log is not None:
        changed = present & ((days != true_days) | (event == 0) | ((event >= 3) & (event <= 5)))
        for k, kind in enumerate(DATE_KINDS):
            hit = changed & (event == k)
            if hit.any():
                log.add(kind, hit)
    return out


def reword_addresses(text: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply a clerk's rewording (栋 for 幢, # for 号, dropped 室 …) to a share ``rate`` (n,) of addresses."""
    out = text.copy()
    r = random.Random(int(rng.integers(2**62)))
    for i in np.flatnonzero(rng.random(len(text)) < rate).tolist():
        for old, new in r.sample(_REWORDS, 2):
            out[i] = out[i].replace(old, new, 1)
    return out


def type_records(clean: dict[str, np.ndarray], profile: np.ndarray, profiles: Sequence[ErrorRates],
                 rng: np.random.Generator, date_fmt: np.ndarray,
                 recorded: dict[str, np.ndarray] | None = None, log: ErrorLog | None = None) -> dict[str, np.ndarray]:
    """Type each record as a clerk would.

    clean: per-record true values, each of shape (n,) (``id_mat``, ``spouse_mat``: (n, 18) uint8), as built by
    the generator; profile: (n,) index into ``profiles``; date_fmt: (n,) index into DATE_FORMATS.
    recorded: optional {'hukou' | 'residence': bool (n,)}, the rows whose place on that side the department
    always records: that address is never blanked and is written in a form that names the county
    (:data:`NAMED_VARIANTS`); rewording still applies.  Without it the random draws are those of a register.
    Optional in ``clean``: ``id_exact`` (bool: type the number without error), ``alt_region`` (int: the
    county of a wrong region prefix).  log: records the error kinds of each row (benchmarks.error_kinds).
    Returns register cells (object arrays of str, shape (n,)) keyed by English column name.
    """
    n = len(profile)
    rate = rate_arrays(profiles, profile)
    name, hard = type_names(clean["name"], clean["given_start"], clean["minority"], rate, rng, log=log)
    out = {"name": name, "id_number": type_ids(clean["id_mat"], clean["born_1900s"], rate, rng, hard=hard,
                                               exact=clean.get("id_exact"), alt_region=clean.get("alt_region"),
                                               phone=clean["phone"], log=log)}
    out["birth_date"] = type_dates(clean["birth"], np.ones(n, bool), rate, rng, date_fmt, hard=hard, log=log)
    married = clean["married"]
    stale = married & (rng.random(n) < rate["marital_stale"])
    generic = np.isin(clean["marital"], ["初婚", "再婚"]) & (rng.random(n) < rate["marital_generic"])
    out["marital_status"] = np.where(stale, "未婚", np.where(generic, "已婚", clean["marital"])).astype(object)
    out["marriage_date"] = format_dates(clean["marriage"], date_fmt,
                                        ~married | stale | (rng.random(n) < rate["marriage_date_blank"]))
    spouse = clean["has_spouse"] & ~stale & (rng.random(n) >= rate["spouse_blank"])
    spouse_name, _ = type_names(clean["spouse_name"], clean["spouse_start"], np.zeros(n, bool), rate, rng, spouse=True)
    spouse_id = type_ids(clean["spouse_mat"], clean["spouse_1900s"], rate, rng, scale=0.5, spouse=True)
    typo = np.flatnonzero(rng.random(n) < rate["spouse_id_typo"])
    typo_rate = rate.subset(typo)
    typo_rate.update({"id_wrong_digit": np.full(len(typo), 0.6), "id_swap": np.full(len(typo), 0.2),
                      "id_legacy15": np.full(len(typo), 0.2)})
    spouse_id[typo] = type_ids(clean["spouse_mat"][typo], clean["spouse_1900s"][typo], typo_rate, rng, spouse=True)
    out["spouse_name"] = np.where(spouse, spouse_name, "").astype(object)
    out["spouse_id_number"] = np.where(spouse & (rng.random(n) >= 0.05), spouse_id, "").astype(object)
    swapped = _draw(rng, rate["swap_spouse_id"]) & (out["spouse_id_number"] != "") & (out["id_number"] != "")
    out["id_number"][swapped], out["spouse_id_number"][swapped] = out["spouse_id_number"][swapped], out["id_number"][swapped]
    if log is not None:
        log.add("swap_spouse_id", swapped)
        log.add("spouse_name_typo", spouse & (spouse_name != clean["spouse_name"]))
        typed = np.char.upper(out["spouse_id_number"].astype(str))
        log.add("spouse_id_typo", ~swapped & (typed != "") & (typed != matrix_to_str(clean["spouse_mat"]).astype(str)))
    hukou = clean["hukou_code"].copy()
    county_only = (rng.random(n) < rate["hukou_code_county_only"]) & (clean["hukou_level"] == 9)
    hukou[county_only] = clean["hukou_county"][county_only]
    hukou[rng.random(n) < rate["hukou_code_blank"]] = ""
    out["hukou_code"] = hukou
    residence = clean["residence_code"].copy()
    residence[rng.random(n) < rate["residence_code_blank"]] = ""
    out["residence_code"] = residence
    out["residence_since"] = format_dates(clean["since"], date_fmt, rng.random(n) < rate["residence_since_blank"])
    for side in ("hukou", "residence"):
        parts = {k: clean[f"{side}_addr_{k}"] for k in ADDRESS_PARTS}
        variant = rng.choice(len(ADDRESS_VARIANT_P), n, p=ADDRESS_VARIANT_P)
        always = (recorded or {}).get(side)
        if always is not None:  # extra draws only here: a register's cells stay as they were
            unnamed = always & ~np.isin(variant, NAMED_VARIANTS)
            variant = np.where(unnamed, rng.choice(NAMED_VARIANTS, n, p=_NAMED_P), variant)
        text = compose_addresses(parts, variant)
        text = reword_addresses(text, rate["address_reword"], rng)
        blank = rng.random(n) < rate["address_blank"]
        text[blank if always is None else blank & ~always] = ""
        out[f"{side}_address"] = text
    phone = clean["phone"].copy()
    changed = np.flatnonzero((rng.random(n) < rate["phone_changed"]) & (phone != ""))
    phone[changed] = random_mobiles(rng, len(changed))
    blank = rng.random(n) < rate["phone_blank"]
    phone[blank] = ""
    out["phone"] = phone
    if log is not None:
        log.add("phone_blank", blank & (clean["phone"] != ""))
        log.add("phone_changed", (phone != "") & (phone != clean["phone"]))
    out["work_unit"] = np.where(rng.random(n) < rate["work_unit_blank"], "", clean["work_unit"]).astype(object)
    return out
