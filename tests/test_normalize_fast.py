"""The integer fast paths of normalisation give exactly what the regex paths give."""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.normalize.dates import normalize_dates
from linkage.codes import region_codes
from linkage.normalize.ids import _normalize_distinct, _normalize_slow, check_character


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    regions = sorted(region_codes())
    values = []
    for _ in range(n):
        region = regions[rng.integers(len(regions))] if rng.random() < 0.9 else f"{rng.integers(10**6):06d}"
        year = int(rng.choice([1899, 1900, 1949, 1996, 2000, 2024, 2025, 2026, 2027, 9197, 0]))
        month, day = int(rng.integers(0, 14)), int(rng.integers(0, 33))
        seq = f"{rng.integers(1000):03d}"
        first17 = f"{region}{year:04d}{month:02d}{day:02d}{seq}"
        kind = rng.random()
        if kind < 0.45:
            values.append(first17 + check_character(first17))
        elif kind < 0.6:
            values.append(first17 + str(rng.choice(list("0123456789X"))))
        elif kind < 0.8:
            values.append(f"{region}{year % 100:02d}{month:02d}{day:02d}{seq}")
        else:
            values.append(str(rng.choice(["1" * 18, "2" * 15, "x" * 18, first17[:16], first17 + "x", " " + first17 + "5"])))
    return values


def test_plain_id_numbers_get_the_same_status_birth_and_sex_as_the_regex_path() -> None:
    raw = pd.Series(_ids(np.random.default_rng(7), 4000), dtype=object).drop_duplicates().reset_index(drop=True)
    fast, slow = _normalize_distinct(raw), _normalize_slow(raw)
    assert len(set(fast[3])) >= 5  # valid, legacy15, bad_check, bad_date, bad_region, placeholder ...
    for got, want in zip(fast, slow):
        if got.dtype.kind == "M":
            assert np.array_equal(got, want, equal_nan=True)
        else:
            assert got.tolist() == want.tolist()


def test_plain_dates_parse_like_the_other_forms() -> None:
    rng = np.random.default_rng(3)
    years, months, days = rng.integers(1790, 2210, 3000), rng.integers(0, 14, 3000), rng.integers(0, 33, 3000)
    dashed = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(years, months, days)]
    compact = [f"{y:04d}{m:02d}{d:02d}" for y, m, d in zip(years, months, days)]
    dotted = [f"{y:04d}.{m:02d}.{d:02d}" for y, m, d in zip(years, months, days)]
    chinese = [f"{y:04d}年{m:02d}月{d:02d}" for y, m, d in zip(years, months, days)]
    slashed = [f"{y:04d}/{m}/{d}" for y, m, d in zip(years, months, days)]
    reference = normalize_dates(slashed)
    for form in (dashed, compact, dotted, chinese):
        got = normalize_dates(form)
        assert got.values.equals(reference.values)
        assert got.status.tolist() == reference.status.tolist()
    assert (reference.status == "ok").sum() > 1000 and (reference.status == "bad_date").sum() > 300
