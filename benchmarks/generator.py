"""Deterministic synthetic WIS register of a district, with ground truth, and shared-platform extracts.

>>> g = generate_register(n_records=300, seed=1)
>>> len(g.register), g.register["record_id"].is_unique
(300, True)
>>> true_match_pairs(g.truth).shape[1]
2

People are drawn in bulk with numpy (:mod:`benchmarks.people`), with real surname and cohort
given-name frequencies (:mod:`benchmarks.name_pools`); records are typed by
:func:`benchmarks.corruptions.type_records` under an error model (:mod:`benchmarks.error_models`:
'usual', 'other_clerks', 'harsh' or a mix), where Python loops touch only corrupted cells.  The
truth names each record's error kinds (:mod:`benchmarks.error_kinds`) and re-issued numbers.
CLI: ``python -m benchmarks.generator --size N --seed S -o register.csv [--truth truth.csv]
[--errors harsh | usual=2,harsh=1] [--full-truth] …``.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from benchmarks.corruptions import (DATE_FORMATS, DUPLICATE, ORIGINAL, ErrorRates, format_dates, id_matrix,
                                    ints_to_str, matrix_to_str, type_records)
from benchmarks.error_kinds import ErrorLog
from benchmarks.error_models import MODELS, ErrorModel, Errors, resolve_errors
from benchmarks.people import (LOOKALIKE_KINDS, Geography, age_years, concat_people, draw_people, geography,
                               make_lookalikes, six_months_before, to_day, unique_ids)
from benchmarks.reissue import reissue_numbers

__all__ = ["generate_register", "generate_extract", "GeneratedRegister", "GeneratedExtract", "true_match_pairs",
           "reissued_pairs", "recorded_places", "REGISTER_COLUMNS", "EXTRACT_COLUMNS", "TRUTH_COLUMNS"]

REGISTER_COLUMNS = ("record_id", "unit_code", "unit_name", "name", "id_number", "sex", "birth_date", "ethnicity",
                    "marital_status", "marriage_date", "hukou_code", "hukou_address", "residence_code",
                    "residence_address", "residence_since", "work_unit", "phone", "spouse_name", "spouse_id_number",
                    "contraception", "pregnancy", "registered_date", "status")
EXTRACT_COLUMNS = ("record_id", "name", "id_number", "sex", "birth_date", "marital_status", "hukou_code",
                   "hukou_address", "residence_code", "residence_address", "spouse_name", "spouse_id_number", "phone",
                   "source")
RECORDS_PER_WOMAN_P = np.array([0.85, 0.12, 0.025, 0.005])
"""Share of women held in 1, 2, 3 and 4 records."""
TRUTH_COLUMNS = ("record_id", "person_id", "kind", "errors", "error_model", "reissued")
"""The truth frame: kind is original / duplicate / lookalike; errors the ';'-joined error kinds of the record
(benchmarks.error_kinds, '' if typed clean); error_model the model that typed it; reissued 'birth' / 'seq'
where the record holds her re-issued number ('' elsewhere)."""


@dataclass
class GeneratedRegister:
    """A generated register. ``truth`` is row-aligned with ``register``; ``persons`` has one row per woman."""

    register: pd.DataFrame
    truth: pd.DataFrame
    persons: pd.DataFrame
    district: str
    as_of: str
    seed: int
    people: dict[str, np.ndarray] = field(repr=False)  # every person attribute, shape (P,) each
    geo: Geography = field(repr=False)
    row_person: np.ndarray = field(repr=False)  # (n,) index into people of each register row
    person_id: np.ndarray = field(repr=False)  # (P,) person_id strings


@dataclass
class GeneratedExtract:
    """A shared-platform extract of another department and its truth (row-aligned)."""

    extract: pd.DataFrame
    truth: pd.DataFrame
    source: str


def _record_counts(rng: np.random.Generator, n_people: int, n_records: int) -> np.ndarray:
    """Records per woman, shape (n_people,), each >= 1, summing to n_records."""
    counts = rng.choice(len(RECORDS_PER_WOMAN_P), n_people, p=RECORDS_PER_WOMAN_P) + 1
    while (excess := int(counts.sum()) - n_records) != 0:
        if excess > 0:
            pool = np.flatnonzero(counts > 1)
            counts[rng.choice(pool, min(excess, len(pool)), replace=False)] -= 1
        else:
            pool = np.flatnonzero(counts == 1) if (counts == 1).sum() >= -excess else np.arange(n_people)
            counts[rng.choice(pool, min(-excess, len(pool)), replace=False)] += 1
    return counts


def _record_units(rng: np.random.Generator, p: dict[str, np.ndarray], geo: Geography, rec_person: np.ndarray,
                  ordinal: np.ndarray, threshold: int) -> np.ndarray:
    """Unit (index into geo) holding each record, shape (n,): the managing unit first, then the others."""
    n_people = len(p["res_u"])
    res_u, hk_u = p["res_u"], p["hk_u"]
    managing = np.where(p["since"] <= threshold, res_u, np.where(hk_u >= 0, hk_u, res_u))
    street = geo.street[res_u]
    alt = np.where(geo.is_street[res_u] | (rng.random(n_people) < 0.5), geo.random_community(rng, street), street)
    alt = np.where(alt == res_u, street, alt)
    prev, prev2 = geo.random_unit(rng, n_people), geo.random_unit(rng, n_people)  # earlier residences
    other = np.where((hk_u >= 0) & (hk_u != managing), hk_u,
                     np.where(res_u != managing, res_u, np.where(rng.random(n_people) < 0.5, alt, prev)))
    first = np.where(rng.random(n_people) < 0.9, managing, other)
    second = np.where(first == managing, other, managing)
    third = np.where((alt != first) & (alt != second), alt, prev)
    fourth = np.where(third == prev, prev2, prev)
    units = np.stack([first, second, third, fourth], axis=1)[rec_person, np.minimum(ordinal, 3)]
    same_unit = (ordinal > 0) & (rng.random(len(ordinal)) < 0.05)  # entered twice by one unit
    return np.where(same_unit, first[rec_person], units)


_TYPED = {"name", "given_start", "minority", "birth", "married", "marital", "marriage", "has_spouse", "spouse_name",
          "spouse_start", "spouse_birth", "hukou_code", "hukou_level", "hukou_county", "residence_code", "since", "phone",
          "work_unit", "region", "seq", "spouse_region", "spouse_seq"}


def _clean_records(p: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    """True values of people ``idx`` (shape (n,)) in the form type_records expects."""
    clean = {k: v[idx] for k, v in p.items() if k in _TYPED or "_addr_" in k}
    clean["id_mat"] = id_matrix(p["region"], p["birth"], p["seq"])[idx]  # per person, then gathered
    clean["spouse_mat"] = id_matrix(p["spouse_region"], p["spouse_birth"], p["spouse_seq"])[idx]
    clean["born_1900s"] = clean["birth"] < to_day("2000-01-01")
    clean["spouse_1900s"] = clean["spouse_birth"] < to_day("2000-01-01")
    return clean


def _managing_truth(p: dict[str, np.ndarray], geo: Geography, rec_person: np.ndarray, cells: dict[str, np.ndarray],
                    present: np.ndarray, threshold: int) -> np.ndarray:
    """Managing unit code per person (P,) under the six-month rule, from what her records carry ('' if undecidable)."""
    n_people = len(p["res_u"])

    def carried(mask: np.ndarray) -> np.ndarray:
        return np.bincount(rec_person, weights=mask, minlength=n_people) > 0

    has_since = carried(cells["residence_since"] != "")
    has_res = carried(cells["residence_code"] != "")
    has_hk = carried(cells["hukou_code"] == p["hukou_code"][rec_person]) & (p["hk_u"] >= 0)
    res_code, hk_code = geo.code[p["res_u"]], np.where(p["hk_u"] >= 0, geo.code[np.maximum(p["hk_u"], 0)], "")
    long_stay = p["since"] <= threshold
    by_residence = has_res & ((has_since & long_stay) | (~has_since & has_hk & (geo.street[p["res_u"]] == p["hk_u"])))
    by_hukou = has_since & ~long_stay & has_hk & present[np.maximum(p["hk_u"], 0)]
    return np.where(by_residence, res_code, np.where(by_hukou, hk_code, "")).astype(object)


def generate_register(n_records: int = 25_000, seed: int = 0, district: str = "330106",
                      as_of: str = "2026-11-30", errors: Errors | None = "usual") -> GeneratedRegister:
    """Generate a register of exactly ``n_records`` rows (shuffled) with its truth; deterministic in all arguments.

    errors: the error model of the clerks -- 'usual' (today's), 'other_clerks', 'harsh', an
    :class:`~benchmarks.error_models.ErrorModel`, or a mix (a sequence, or a mapping to weights) from which
    each woman draws the model all her records are typed with.
    """
    models, weights = resolve_errors(errors, usual=ErrorModel("usual", ORIGINAL, DUPLICATE))
    geo, as_of_day = geography(district), to_day(as_of)
    threshold = six_months_before(as_of_day)
    r_people, r_look, r_units, r_type, r_rows, r_models, r_more = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, int(district), as_of_day]).spawn(7))
    n_people = max(1, min(n_records, round(n_records / float(RECORDS_PER_WOMAN_P @ np.arange(1, 5)))))
    look_share = float(weights @ np.array([m.lookalikes for m in models]))
    mix = weights @ np.array([m.lookalike_mix for m in models], dtype=float)
    n_look = int(look_share * n_people) if n_people >= 20 else 0
    base = draw_people(r_people, n_people - n_look, geo, as_of_day)
    p = concat_people([base, make_lookalikes(r_look, base, n_look, geo, as_of_day, mix)])
    p["seq"] = unique_ids(r_look, p["region"], p["birth"], p["seq"])
    counts = _record_counts(r_units, n_people, n_records)
    rec_person = np.repeat(np.arange(n_people), counts)
    ordinal = np.arange(n_records) - np.repeat(np.cumsum(counts) - counts, counts)
    rec_unit = _record_units(r_units, p, geo, rec_person, ordinal, threshold)
    person_model = r_models.choice(len(models), n_people, p=weights) if len(models) > 1 else np.zeros(n_people, np.int64)

    rng = r_type
    fmt = np.where(rng.random(n_records) < 0.7, geo.date_format[rec_unit], rng.integers(0, len(DATE_FORMATS), n_records))
    # ORIGINAL / DUPLICATE are looked up in this module at call time: a caller may swap them (benchmarks.train_default does).
    profiles = [m.original for m in models] + [m.duplicate for m in models]
    profile = person_model[rec_person] + len(models) * (ordinal > 0)
    sex_wrong = np.array([r.sex_wrong for r in profiles])[profile]
    clean = _clean_records(p, rec_person)
    clean["alt_region"] = _alt_regions(r_more, p, geo)[rec_person]
    share = np.array([m.reissued for m in models])[person_model] * (counts > 1)
    birth_share = np.array([m.reissued_birth for m in models])[person_model]
    reissue = reissue_numbers(r_more, p, share, birth_share)
    copies = (reissue.kind[rec_person] > 0) & (ordinal > 0)
    if copies.any():
        clean["id_mat"][copies] = reissue.id_mat[rec_person[copies]]
        clean["birth"] = np.where(copies, reissue.birth[rec_person], clean["birth"])
        clean["born_1900s"] = clean["birth"] < to_day("2000-01-01")
    clean["id_exact"] = copies
    log = ErrorLog(n_records)
    log.add("id_reissued_birth", copies & (reissue.kind[rec_person] == 1))
    log.add("id_reissued_seq", copies & (reissue.kind[rec_person] == 2))
    cells = type_records(clean, profile, profiles, rng, fmt, log=log)
    cells["record_unit"] = rec_unit
    cells.update(_register_extras(rng, p, geo, rec_person, rec_unit, ordinal, as_of_day, fmt, sex_wrong, log))
    present = np.zeros(len(geo.code), bool)
    present[rec_unit] = True
    managing = _managing_truth(p, geo, rec_person, cells, present, threshold)

    order = r_rows.permutation(n_records)
    person_id = "P" + ints_to_str(r_rows.permutation(n_people) + 1, 7)
    record_id = "R" + ints_to_str(np.arange(1, n_records + 1), max(7, len(str(n_records))))
    register = pd.DataFrame({"record_id": record_id, **{c: cells[c][order] for c in REGISTER_COLUMNS[1:]}})
    kind = np.where(ordinal > 0, "duplicate", np.where(p["lookalike_of"][rec_person] >= 0, "lookalike", "original"))
    model_names = np.array([m.name for m in models], dtype=object)
    reissued = np.array(["", "birth", "seq"], dtype=object)[np.where(copies, reissue.kind[rec_person], 0)]
    truth = pd.DataFrame({"record_id": record_id, "person_id": person_id[rec_person[order]], "kind": kind[order],
                          "errors": log.joined()[order], "error_model": model_names[person_model[rec_person]][order],
                          "reissued": reissued[order]})
    look = p["lookalike_of"]
    persons = pd.DataFrame({
        "person_id": person_id, "true_managing_unit_code": managing,
        "true_id_number": matrix_to_str(id_matrix(p["region"], p["birth"], p["seq"])), "name": p["name"],
        "birth_date": format_dates(p["birth"], np.zeros(n_people, np.int64), np.zeros(n_people, bool)),
        "lookalike_of": np.where(look >= 0, person_id[np.maximum(look, 0)], "").astype(object),
        "lookalike_kind": np.array(("",) + LOOKALIKE_KINDS, dtype=object)[p["lookalike_kind"] + 1],
        "reissued_id_number": np.where(reissue.kind > 0, matrix_to_str(reissue.id_mat), "").astype(object),
        "error_model": model_names[person_model]})
    return GeneratedRegister(register, truth, persons, district, as_of, seed, p, geo, rec_person[order], person_id)


def _alt_regions(rng: np.random.Generator, p: dict[str, np.ndarray], geo: Geography) -> np.ndarray:
    """The county a clerk writes for a wrong region prefix, per person (P,) int: her hukou county, else one of the city."""
    hukou = p["hukou_county"].astype(np.int64)
    pool = geo.counties["city"] if len(geo.counties["city"]) else geo.counties["province"]
    other = rng.choice(pool, len(hukou))
    other = np.where(other == p["region"], rng.choice(pool, len(hukou)), other)
    return np.where(hukou != p["region"], hukou, other)


def _register_extras(rng: np.random.Generator, p: dict[str, np.ndarray], geo: Geography, rec_person: np.ndarray,
                     rec_unit: np.ndarray, ordinal: np.ndarray, as_of_day: int, fmt: np.ndarray,
                     sex_wrong: np.ndarray, log: ErrorLog) -> dict[str, np.ndarray]:
    """Register-only cells, shape (n,) each: unit, sex, ethnicity, contraception, pregnancy, dates of entry, status."""
    n = len(rec_person)
    sex = np.where(geo.numeric_sex[rec_unit], "2", "女").astype(object)
    sex[rng.random(n) < 0.01] = ""
    if sex_wrong.any():
        wrong = (rng.random(n) < sex_wrong) & (sex != "")
        sex[wrong] = np.where(geo.numeric_sex[rec_unit[wrong]], "1", "男")
        log.add("sex_wrong", wrong)
    ethnicity = p["ethnicity"][rec_person].copy()
    short = (ethnicity == "汉族") & geo.numeric_sex[rec_unit]  # the same offices abbreviate
    ethnicity[short] = "汉"
    ethnicity[rng.random(n) < 0.03] = ""
    contraception = p["contraception"][rec_person].copy()
    contraception[rng.random(n) < 0.06] = ""
    pregnancy = np.where((ordinal > 0) & (rng.random(n) < 0.3), "", p["pregnancy"][rec_person]).astype(object)
    birth = p["birth"][rec_person]
    low = np.minimum(np.maximum(birth + 15 * 365, as_of_day - 20 * 365), as_of_day - 30)
    registered = low + (rng.random(n) * (as_of_day - low)).astype(np.int64)
    status = np.array(["在管", "迁出", "注销"], dtype=object)[rng.choice(3, n, p=[0.95, 0.03, 0.02])]
    return {"unit_code": geo.code[rec_unit], "unit_name": geo.name[rec_unit], "sex": sex, "ethnicity": ethnicity,
            "contraception": contraception, "pregnancy": pregnancy, "status": status,
            "registered_date": format_dates(registered, fmt, np.zeros(n, bool))}


def true_match_pairs(truth: pd.DataFrame) -> np.ndarray:
    """Row positions (k, 2), int64, i < j, sorted, of every pair of truth rows sharing a person_id."""
    codes = pd.factorize(truth["person_id"].to_numpy())[0]
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.cumsum(sizes) - sizes
    out = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        first = starts[sizes == size]
        for a in range(size):
            for b in range(a + 1, size):
                out.append(np.stack([order[first + a], order[first + b]], axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(out), axis=1).astype(np.int64)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def reissued_pairs(truth: pd.DataFrame, pairs: np.ndarray | None = None) -> np.ndarray:
    """bool (k,) over ``pairs`` (default: true_match_pairs(truth)): one woman's two records, one of them holding
    her re-issued number and the other not -- two valid numbers of the same person, to verify, not to cancel."""
    pairs = true_match_pairs(truth) if pairs is None else pairs
    held = truth["reissued"].to_numpy(object) != "" if "reissued" in truth else np.zeros(len(truth), bool)
    pid = truth["person_id"].to_numpy(object)
    return (pid[pairs[:, 0]] == pid[pairs[:, 1]]) & (held[pairs[:, 0]] != held[pairs[:, 1]])


# --- extracts of other departments ------------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    """How one department types its records, and which place it always records.

    ``records``: the side ('hukou' or 'residence') the department fills on every row, as code and/or an
    address naming the county.  The other side is filled where it is what links her to the district (she
    lives or is registered here only there), and -- with ``migrants`` (公安 流动人口登记) -- wherever she lives
    away from her household street; elsewhere it carries the habitual ``blanks`` (extra blank rate per column).
    """

    rates: ErrorRates
    iso_share: float  # share of ISO dates
    blanks: dict[str, float]
    records: str
    migrants: bool = False


_SOURCES: dict[str, _Source] = {  # keyed by a word of the source name
    "公安": _Source(replace(ORIGINAL, name_homophone=0.004, name_shape=0.002, name_traditional=0.002,
                          name_drop_add=0.001, name_space=0.004, id_blank=0.002, id_garbage=0.0, id_legacy15=0.003,
                          id_wrong_digit=0.002, id_swap=0.001, id_fullwidth=0.0, id_lower_x=0.05, birth_blank=0.005,
                          hukou_code_blank=0.0, hukou_code_county_only=0.0, address_blank=0.01), 0.95,
                  {"residence_code": 0.6, "residence_address": 0.5}, "hukou", migrants=True),
    "民政": _Source(ORIGINAL, 0.6, {"residence_code": 0.8, "residence_address": 0.5, "phone": 0.3}, "hukou"),
    "卫": _Source(replace(ORIGINAL, id_blank=0.04, name_homophone=0.015, birth_blank=0.02), 0.4,
                 {"hukou_code": 0.5, "spouse_id_number": 0.3}, "residence"),
}


def recorded_places(source: str, res_here: np.ndarray, hk_here: np.ndarray,
                    lives_away: np.ndarray) -> dict[str, np.ndarray]:
    """Rows (bool (n,) per side) whose hukou / residence place the department ``source`` records.

    res_here, hk_here: she lives / is registered in the district; lives_away: her residence is not in her
    household street (all shape (n,)).  A woman in scope thus always shows a place of the district, and one
    living and registered elsewhere shows a place elsewhere in the field her department always fills.
    """
    profile = _SOURCES[next((k for k in _SOURCES if k in source), "民政")]
    other = "residence" if profile.records == "hukou" else "hukou"
    first_here, other_here = (hk_here, res_here) if profile.records == "hukou" else (res_here, hk_here)
    link = other_here & ~first_here
    if profile.migrants and other == "residence":
        link = link | lives_away
    return {profile.records: np.ones(len(res_here), bool), other: link}


def _men_from_spouses(p: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    """The husbands of women ``idx`` as people (her fields swapped with his), shape (k,) each."""
    men = {k: v[idx].copy() for k, v in p.items()}
    swaps = (("name", "spouse_name"), ("given_start", "spouse_start"), ("birth", "spouse_birth"),
             ("region", "spouse_region"), ("seq", "spouse_seq"))
    for a, b in swaps:
        men[a], men[b] = men[b], men[a]
    men["sex"] = np.full(len(idx), "男", dtype=object)
    men["minority"] = np.zeros(len(idx), bool)
    return men


def generate_extract(g: GeneratedRegister, n_records: int | None = None, seed: int = 0, source: str = "公安户籍",
                     unregistered_fraction: float = 0.1, out_of_scope_fraction: float = 0.1) -> GeneratedExtract:
    """Extract of ``n_records`` rows (default a tenth of the register) from another department's system.

    Every row carries the place its department always records (公安户籍: household code and address;
    民政婚姻: household address; 卫健出生: residence address) and, where it alone ties her to the district,
    the other place (see :func:`recorded_places`): whether she is in scope can be read from the row.
    """
    n = max(1, len(g.register) // 10) if n_records is None else n_records
    rng = np.random.default_rng([seed, zlib.crc32(source.encode()), g.seed, int(g.district)])
    geo, as_of_day, p = g.geo, to_day(g.as_of), g.people
    n_unreg, n_out = round(n * unregistered_fraction), round(n * out_of_scope_fraction)
    n_reg = n - n_unreg - n_out
    hk_here = (p["hk_u"] >= 0) & (geo.district_idx[np.maximum(p["hk_u"], 0)] == 0)
    in_district = (geo.district_idx[p["res_u"]] == 0) | hk_here
    weight = np.where(in_district, 9.0, 1.0)
    n_people = len(weight)
    reg_idx = rng.choice(n_people, n_reg, replace=n_reg > n_people, p=weight / weight.sum())
    spouses = np.flatnonzero(p["has_spouse"])
    n_men = min(len(spouses), int(0.4 * n_out))
    n_old = (n_out - n_men) // 3
    n_young = (n_out - n_men) // 3
    groups = [({k: v[reg_idx] for k, v in p.items()}, False),
              (draw_people(rng, n_unreg, geo, as_of_day, home="district", ages=(15.05, 49.95), outside=0.0), True),
              (_men_from_spouses(p, rng.choice(spouses, n_men, replace=False)), False),
              (draw_people(rng, n_old, geo, as_of_day, home="district", ages=(50.1, 62.0), outside=0.0), True),
              (draw_people(rng, n_young, geo, as_of_day, home="district", ages=(5.0, 14.9), outside=0.0), True),
              (draw_people(rng, n_out - n_men - n_old - n_young, geo, as_of_day, home="away", outside=0.0), True)]
    e = concat_people([grp for grp, _ in groups])
    fresh = np.concatenate([np.full(len(grp["birth"]), new) for grp, new in groups])
    seq = unique_ids(rng, np.concatenate([p["region"], e["region"][fresh]]), np.concatenate([p["birth"], e["birth"][fresh]]),
                     np.concatenate([p["seq"], e["seq"][fresh]]))
    e["seq"][fresh] = seq[n_people:]

    profile = _SOURCES[next((k for k in _SOURCES if k in source), "民政")]
    res_here = geo.district_idx[e["res_u"]] == 0
    hk_here = (e["hk_u"] >= 0) & (geo.district_idx[np.maximum(e["hk_u"], 0)] == 0)
    recorded = recorded_places(source, res_here, hk_here, e["hk_u"] != geo.street[e["res_u"]])
    fmt = np.where(rng.random(n) < profile.iso_share, 0, rng.integers(0, len(DATE_FORMATS), n))
    cells = type_records(_clean_records(e, np.arange(n)), np.zeros(n, np.int64), [profile.rates], rng, fmt, recorded)
    cells["sex"] = e["sex"]
    for column, rate in profile.blanks.items():
        side = recorded.get(column.split("_")[0], np.zeros(n, bool))
        cells[column] = np.where((rng.random(n) < rate) & ~side, "", cells[column]).astype(object)
    cells["source"] = np.full(n, source, dtype=object)

    order = rng.permutation(n)
    record_id = "E" + ints_to_str(np.arange(1, n + 1), max(7, len(str(n))))
    extract = pd.DataFrame({"record_id": record_id, **{c: cells[c][order] for c in EXTRACT_COLUMNS[1:]}})
    women_of_register = np.arange(n) < n_reg
    reg_person = np.where(women_of_register, np.concatenate([reg_idx, np.full(n - n_reg, -1)]), -1)[order]
    age = age_years(e["birth"], as_of_day)
    in_scope = ((e["sex"] == "女") & (age >= 15) & (age <= 49) & (res_here | hk_here))[order]
    rows = np.argsort(g.row_person, kind="stable")
    sizes = np.bincount(g.row_person, minlength=n_people)
    starts, rec_ids = np.cumsum(sizes) - sizes, g.register["record_id"].to_numpy()[rows].tolist()
    joined = [";".join(rec_ids[starts[i]:starts[i] + sizes[i]]) if i >= 0 else "" for i in reg_person.tolist()]
    joined = np.array(joined + [""], dtype=object)[:-1]
    person_id = np.where(reg_person >= 0, g.person_id[np.maximum(reg_person, 0)], "").astype(object)
    truth = pd.DataFrame({"record_id": record_id, "person_id": person_id,
                          "register_record_ids": joined, "in_scope": in_scope, "unregistered": in_scope & (reg_person < 0)})
    return GeneratedExtract(extract, truth, source)


# --- command line -------------------------------------------------------------------------------
def _write(frame: pd.DataFrame, path: str, chinese: bool) -> None:
    if chinese:
        from linkage.columns import REGISTER_COLUMNS as ZH
        frame = frame.rename(columns=ZH)
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def parse_errors(text: str) -> str | dict[str, float]:
    """'harsh' -> 'harsh'; 'usual=2,harsh=1' or 'usual,harsh' -> {model: weight}.

    >>> parse_errors("usual=2,harsh")
    {'usual': 2.0, 'harsh': 1.0}
    """
    if "," not in text and "=" not in text:
        return text
    parts = [t.partition("=") for t in text.split(",") if t]
    return {name.strip(): float(w) if w else 1.0 for name, _, w in parts}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: write a register (and optionally its truth and an extract) as CSV with BOM."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generator", description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--truth")
    ap.add_argument("--persons")
    ap.add_argument("--extract")
    ap.add_argument("--extract-truth")
    ap.add_argument("--extract-size", type=int)
    ap.add_argument("--extract-source", default="公安户籍")
    ap.add_argument("--district", default="330106")
    ap.add_argument("--as-of", default="2026-11-30")
    ap.add_argument("--chinese-headers", action="store_true",
                    help="write the register (and extract) with the Chinese headers of SCHEMA.md")
    ap.add_argument("--errors", default="usual",
                    help=f"error model ({', '.join(MODELS)}), or a mix such as usual=2,harsh=1 (weights)")
    ap.add_argument("--full-truth", action="store_true",
                    help="write every truth column (errors, error_model, reissued), not only record_id, person_id, kind")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    g = generate_register(args.size, args.seed, args.district, args.as_of, errors=parse_errors(args.errors))
    print(f"generated {args.size:,} records in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    _write(g.register, args.output, args.chinese_headers)
    if args.truth:
        truth = g.truth if args.full_truth else g.truth[["record_id", "person_id", "kind"]]
        truth.to_csv(args.truth, index=False, encoding="utf-8-sig")
    if args.persons:
        g.persons.to_csv(args.persons, index=False, encoding="utf-8-sig")
    if args.extract or args.extract_truth:
        x = generate_extract(g, args.extract_size, args.seed, args.extract_source)
        if args.extract:
            _write(x.extract, args.extract, args.chinese_headers)
        if args.extract_truth:
            x.truth.to_csv(args.extract_truth, index=False, encoding="utf-8-sig")
    return 0


if __name__ == "__main__":
    sys.exit(main())
