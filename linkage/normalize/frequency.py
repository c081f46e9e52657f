"""How common each value is in the register: the term frequencies behind "a common name is
weaker evidence than a rare one" (Splink's term-frequency adjustment).

王芳, 李娜 or 张敏 are each borne by hundreds of thousands of women: two records agreeing on 王芳 and
a birth date say much less than two agreeing on a rare name.  Likewise a placeholder birth date
(1 January), a switchboard's phone or a collective household's one address.  For each compared
field the number of the register's records holding the value is computed once per distinct value
and kept beside the record (``count_<field>``, float64 (n,), at least 1, NaN where blank): how many
records an agreement on that value could have come from.  It is a count, not a share: two 王芳
born on one day are likely one woman in a district of 50,000 and likely two in a province of
10 million.  The comparison turns it into the weight of an agreement (``scoring.features``).

Small registers see every name once or twice; a name's count is smoothed towards what its parts
make likely: its prior share is its surname's share times the shares of its given-name characters
(characters repeat far more than whole names, so they are well counted even in a small register),
the smoothed share ``(count + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)``, and the count that share
of the register.  Other fields have no parts and use their count as it is.

>>> norm = pd.DataFrame({"name": ["王芳", "王芳", "欧阳娜娜", ""], "surname": ["王", "王", "欧阳", ""],
...                      "given": ["芳", "芳", "娜娜", ""], "phone": ["1380", "1380", "1381", ""]})
>>> f = frequencies(norm)
>>> bool(f["count_name"][0] > f["count_name"][2]), bool(np.isnan(f["count_name"][3])), f["count_phone"][:3].tolist()
(True, True, [2.0, 2.0, 1.0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .distinct import factorize

FREQUENCY_FIELDS = ("name", "birth", "phone", "residence_address", "hukou_address")
"""The fields whose agreement is weighed by how common the value is."""
PRIOR_WEIGHT = 2_000.0
"""Pseudo-records behind a name's prior share (see the module docstring)."""
FLOOR_RECORDS = 100_000
"""A value's share is at least one record in this many."""


def _shares(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(codes (n,), counts per distinct value (k,), blank per distinct value (k,), first row of
    each distinct value (k,)) of a column; dates are factorised as they are (NaT is blank)."""
    if np.issubdtype(np.asarray(values).dtype, np.datetime64):
        codes, distinct = pd.factorize(np.asarray(values), use_na_sentinel=True)
        codes = np.where(codes < 0, len(distinct), codes).astype(np.int64)
        blank = np.r_[np.zeros(len(distinct), dtype=bool), True]
    else:
        codes, distinct = factorize(values, missing_as_value=True)
        texts = pd.Series(distinct, dtype=object)
        blank = texts.isna().to_numpy() | (texts.astype(str).to_numpy() == "")
    counts = np.bincount(codes, minlength=len(blank)).astype(np.float64)
    first = np.full(len(blank), -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, counts, blank, first


def _name_prior(norm: pd.DataFrame, counts: np.ndarray, first: np.ndarray) -> np.ndarray:
    """float (k,): each distinct name's prior share, from its surname's and given characters'
    shares in the register (counted over records, computed over the k distinct names)."""
    rows = np.maximum(first, 0)
    surnames = norm["surname"].to_numpy(dtype=object)[rows] if "surname" in norm.columns else np.full(len(rows), "")
    givens = (norm["given"] if "given" in norm.columns else norm["name"]).to_numpy(dtype=object)[rows]
    return name_prior(surnames, givens, counts)


def name_prior(surnames: np.ndarray, givens: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """float (k,): the prior share of each of k distinct names from its surname and given name
    (object (k,) each) and the number of records holding it (float (k,)); the register's counts
    are summed over the names, so a table of distinct names with their counts (what the Spark
    engine gathers) gives what the whole register gives."""
    total_records = max(float(counts.sum()), 1.0)
    counts = np.asarray(counts, dtype=np.float64)
    k = len(counts)
    if k == 0:
        return np.empty(0)
    surname_codes, _ = pd.factorize(pd.Series(surnames, dtype=object), use_na_sentinel=False)
    surname_share = np.bincount(surname_codes, weights=counts)[surname_codes] / total_records
    givens = ["" if given is None or (isinstance(given, float) and np.isnan(given)) else str(given) for given in givens]
    lengths = np.fromiter(map(len, givens), dtype=np.int64, count=k)
    chars = np.frombuffer("".join(givens).encode("utf-32-le"), dtype=np.uint32)  # one code point per character
    char_codes, distinct_chars = pd.factorize(chars)
    char_count = np.bincount(char_codes, weights=np.repeat(counts, lengths), minlength=len(distinct_chars))
    total_chars = max(float(char_count.sum()), 1.0)
    floor = 1.0 / FLOOR_RECORDS
    # each name's factors in the order the product takes them: its surname's share, then each given
    # character's; one segment per name, multiplied left to right
    factors = np.empty(k + len(chars))
    starts = np.arange(k) + np.r_[0, np.cumsum(lengths)[:-1]]
    factors[starts] = np.maximum(surname_share, floor)
    is_char = np.ones(len(factors), dtype=bool)
    is_char[starts] = False
    factors[is_char] = np.maximum(char_count[char_codes] / total_chars, floor)
    return np.multiply.reduceat(factors, starts)


def smoothed_name_counts(counts: np.ndarray, prior: np.ndarray, n: int) -> np.ndarray:
    """float (k,): each distinct name's count smoothed towards its prior share of ``n`` records."""
    return np.maximum(n * (counts + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT), 1.0)


def frequencies(norm: pd.DataFrame) -> dict[str, np.ndarray]:
    """``count_<field>`` for each of FREQUENCY_FIELDS present in ``norm`` (n rows): float64 (n,),
    the (smoothed) number of records holding the row's value, NaN where the value is blank."""
    n = len(norm)
    out: dict[str, np.ndarray] = {}
    for field in FREQUENCY_FIELDS:
        if field not in norm.columns:
            continue
        codes, counts, blank, first = _shares(norm[field].to_numpy())
        if field == "name":
            prior = _name_prior(norm, counts, first)
            counts = smoothed_name_counts(counts, prior, n)
        counts[blank] = np.nan
        out[f"count_{field}"] = counts[codes] if n else np.zeros(0)
    return out


def add_frequencies(norm: pd.DataFrame) -> pd.DataFrame:
    """``norm`` with its ``count_<field>`` columns (re)computed in place; returns it.  Called on
    the whole register whenever it changes (a new run, or an update's merged register), so the
    frequencies are never frozen."""
    for column, values in frequencies(norm).items():
        norm[column] = values
    return norm
