"""Real name frequencies for the generator: surnames, and given names by sex and birth cohort.

Read from the TSV tables under ``benchmarks/data/`` (made by
:mod:`benchmarks.data_sources.chinese_names` from the ChineseNames database, NCIIC 2008):
the national surname ranking, given-name characters per 100,000 uses by sex and cohort
(1960s ... 2000s), the 100 most frequent women's given names of each cohort, and per cohort the
share of single-character given names.  A woman's given name is one of her cohort's top 100 at
the cohort's rate (so 王静, 李婷, 张敏 are as common as they are), otherwise one or two characters
drawn by the cohort's character frequencies.

>>> rng = np.random.default_rng(0)
>>> given = draw_given(rng, np.array([5000, 8000, 11000]), female=True)
>>> given.shape, all(1 <= len(g) <= 2 for g in given)
((3,), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
COHORT_STARTS = np.array([1960, 1970, 1980, 1990, 2000])
"""First birth year of each cohort of the tables; earlier births count as the 1960s, later as the 2000s."""
_DOUBLED = 0.03  # composed two-character names that repeat the character (婷婷 is among the top 100 already)


def read_tsv(name: str) -> tuple[list[str], list[list[str]]]:
    """A TSV table under benchmarks/data: (header, rows), '#' comment lines skipped."""
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header, *rows = (line.split("\t") for line in lines)
    return header, rows


@dataclass(frozen=True)
class NamePools:
    """Name tables as arrays: surnames (s,), given-name characters (c,), per-cohort (5, c) probabilities."""

    surnames: np.ndarray  # object (s,), most frequent first
    surname_p: np.ndarray  # (s,)
    chars: np.ndarray  # object (c,)
    female_p: np.ndarray  # (5, c) per cohort
    male_p: np.ndarray  # (5, c)
    char_weight: np.ndarray  # (c,) overall use in names, both sexes (for an IME's or a clerk's pick)
    single: np.ndarray  # (5,) share of single-character given names
    top_share: np.ndarray  # (5,) share of women whose name is one of the cohort's top names
    top_names: tuple[np.ndarray, ...]  # per cohort: object (k,)
    top_p: tuple[np.ndarray, ...]  # per cohort: (k,)


@lru_cache(maxsize=1)
def pools() -> NamePools:
    """The tables of benchmarks/data, loaded once."""
    _, rows = read_tsv("surnames.tsv")
    surnames = np.array([r[0] for r in rows], dtype=object)
    surname_p = np.array([float(r[2]) for r in rows])
    header, rows = read_tsv("given_chars.tsv")
    chars = np.array([r[0] for r in rows], dtype=object)
    table = np.array([[float(v) for v in r[1:]] for r in rows])
    female, male = table[:, :5].T.copy(), table[:, 5:].T.copy()
    weight = table.sum(axis=1)
    _, rows = read_tsv("name_cohorts.tsv")
    single = np.array([float(r[3]) for r in rows])
    top_share = np.array([float(r[4]) for r in rows])
    _, rows = read_tsv("given_names_female.tsv")
    labels = [f"{y}s" for y in COHORT_STARTS]
    top_names = tuple(np.array([r[1] for r in rows if r[0] == c], dtype=object) for c in labels)
    top_p = tuple(np.array([float(r[2]) for r in rows if r[0] == c]) for c in labels)
    # the share of single names among the rest: the cohort's share less that of its top names
    top_single = np.array([p[np.array([len(g) == 1 for g in names])].sum() / p.sum() for names, p in zip(top_names, top_p)])
    rest_single = np.clip((single - top_share * top_single) / (1.0 - top_share), 0.03, 0.6)
    return NamePools(surnames, surname_p / surname_p.sum(), chars, female / female.sum(axis=1, keepdims=True),
                     male / male.sum(axis=1, keepdims=True), weight, rest_single, top_share,
                     top_names, tuple(p / p.sum() for p in top_p))


def cohort_of(birth: np.ndarray) -> np.ndarray:
    """Cohort index (n,) in 0..4 of birth days (n,) since 1970-01-01."""
    year = np.asarray(birth, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.clip(np.searchsorted(COHORT_STARTS, year, side="right") - 1, 0, len(COHORT_STARTS) - 1)


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """n surnames by national frequency, object (n,)."""
    t = pools()
    return t.surnames[rng.choice(len(t.surnames), n, p=t.surname_p)]


def draw_given(rng: np.random.Generator, birth: np.ndarray, *, female: bool) -> np.ndarray:
    """Given names (n,) for people born on days ``birth`` (n,), by the frequencies of their sex and cohort."""
    t, n = pools(), len(birth)
    cohort = cohort_of(birth)
    probs = t.female_p if female else t.male_p
    first, second = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    for c in range(len(COHORT_STARTS)):
        rows = np.flatnonzero(cohort == c)
        draws = rng.choice(len(t.chars), (2, len(rows)), p=probs[c])
        first[rows], second[rows] = draws[0], draws[1]
    single = rng.random(n) < np.where(female, t.single, np.clip(t.single * 1.1, 0, 0.6))[cohort]
    doubled = rng.random(n) < _DOUBLED
    width = len(t.chars) + 1  # text made once per distinct (first, second), second = -1 for a single character
    code = first * width + np.where(single, -1, np.where(doubled, first, second)) + 1
    uniq, inv = np.unique(code, return_inverse=True)
    one, two = t.chars[uniq // width], np.append(t.chars, "")[uniq % width - 1]
    given = (one + two)[inv.reshape(-1)].astype(object)
    if female:
        top = np.flatnonzero(rng.random(n) < t.top_share[cohort])
        for c in range(len(COHORT_STARTS)):
            rows = top[cohort[top] == c]
            given[rows] = t.top_names[c][rng.choice(len(t.top_names[c]), len(rows), p=t.top_p[c])]
    return given
