"""Unregistered women (漏管): shared-platform records in scope that link to no register record.

Each extract (public security, civil affairs, health ...) is linked to the register with the
engine's link mode (``linkage.link``: the same blocking, features and model as the dedupe).
An extract row is *in scope* when it is a woman (recorded sex, else the sex in her ID),
aged 15-49 at ``as_of`` (recorded birth date, else the one in her ID) and her residence or
household registration code lies in the district.  Where the extract does not say (no sex,
no birth date, no codes) the row is kept and the reason says what the clerk must check:
a woman missed costs more than a row checked.  Rows that are certainly out of scope (men,
under 15, over 49, both codes outside the district) are never listed.

The to-enter list puts married women first (priority 1, the campaign's priority: 已婚育龄妇女),
then the other women (2), then the rows whose scope could not be established (3, 待核实:
the reason says what is unknown), each with her best near-miss register candidate and its
probability.  A woman
found unregistered in two extracts is listed once (same valid ID number), with both sources.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..normalize.dates import as_of_date
from ..pipeline import link
from ..prepare import Records
from ..profile import RegisterProfile
from .base import CURRENTLY_MARRIED, AuditOptions, age_at, dates, isin
from .places import PlaceNames, place_status, street_names

MISSING_COLUMNS = ["priority", "source", "external_record_id", "name", "id_number", "sex", "birth_date", "age",
                   "marital_status", "spouse_name", "hukou_code", "residence_code", "phone", "street_code", "reason",
                   "best_candidate_record_id", "best_candidate_name", "best_candidate_unit_code", "best_probability"]
"""missing.csv: SCHEMA's columns (source, external_record_id, name, id_number, reason,
best_candidate_record_id, best_probability) plus what a clerk needs to enter her and the street
that should (``street_code``: her residence street in the district, else her household one)."""


def district_codes(register: Records, district: str | None) -> tuple[str, ...]:
    """The district(s) in scope: ``district`` when given, else every district of the register's units."""
    if district:
        return (str(district).strip(),)
    units = register.norm["unit_code"].astype(str).str[:6]
    return tuple(sorted(code for code in units.unique() if len(code) == 6))


def in_scope(norm: pd.DataFrame, *, names: PlaceNames, as_of: pd.Timestamp,
             options: AuditOptions | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which extract rows may be unregistered women of the district, and what is unknown.

    norm: the extract's normalised columns, shape (m, k).  Returns (keep bool (m,), certain
    bool (m,), note object (m,)): ``keep`` is False only where the row is certainly out of
    scope; ``certain`` where sex, age and place were all established; ``note`` says what could
    not be checked ('' when everything was).  Places are read by ``places.place_status``.
    """
    options = options or AuditOptions()
    sex = norm["sex"].to_numpy(dtype=object)
    age = age_at(dates(norm["birth"]), as_of).to_numpy()
    hukou = place_status(norm["hukou_code"].to_numpy(dtype=object), norm["hukou_address"].to_numpy(dtype=object), names)
    residence = place_status(norm["residence_code"].to_numpy(dtype=object),
                             norm["residence_address"].to_numpy(dtype=object), names)
    here = (hukou == "here") | (residence == "here")
    place_unknown = ~here & ((hukou == "unknown") | (residence == "unknown"))
    age_known = ~np.isnan(age)
    keep = (sex != "M") & (~age_known | ((age >= options.min_age) & (age <= options.max_age))) & (here | place_unknown)
    note = np.full(len(norm), "", dtype=object)
    for unknown, text in ((sex == "", "性别不详"), (~age_known, "出生日期不详"),
                          (place_unknown, "户籍地和现居住地均无法确定是否在本区")):
        note = np.where(unknown, np.where(note == "", text, note + "、" + text), note)
    return keep, keep & (note == ""), note


def _street(norm: pd.DataFrame, districts: tuple[str, ...]) -> np.ndarray:
    """The 9-digit street that should enter her: residence in the district first, else household."""
    out = np.full(len(norm), "", dtype=object)
    for column in ("hukou_code", "residence_code"):  # later wins: residence first
        codes = norm[column].astype(str)
        usable = isin(codes.str[:6], districts) & (codes.str.len() >= 9).to_numpy()
        out = np.where(usable, codes.str[:9].to_numpy(dtype=object), out)
    return out


def _source_name(extract: Any, index: int) -> str:
    if isinstance(extract, (str, os.PathLike)):
        return Path(extract).stem
    return f"extract_{index + 1}"


def missing_from_extract(register: Records, extract: Records, *, source: str, names: PlaceNames,
                         as_of: pd.Timestamp, threshold: float | None = None, model: Any = None,
                         options: AuditOptions | None = None) -> pd.DataFrame:
    """The to-enter rows of one extract (MISSING_COLUMNS), not yet ordered or merged.

    register, extract: ``Records`` of n and m rows; returns at most m rows.
    """
    result = link(register, extract, threshold=threshold, model=model)
    unmatched = result.unmatched_right
    norm = extract.norm.reset_index(drop=True)
    rows = pd.Index(norm["record_id"].astype(str)).get_indexer(unmatched["record_id"].astype(str))
    keep, certain, note = in_scope(norm, names=names, as_of=as_of, options=options)
    chosen = rows[keep[rows]]
    best = unmatched["best_candidate_record_id"].to_numpy(dtype=object)[keep[rows]]
    probability = unmatched["best_probability"].to_numpy(dtype=float)[keep[rows]]
    sub = norm.iloc[chosen].reset_index(drop=True)
    raw = extract.raw.iloc[chosen].reset_index(drop=True)
    married = isin(sub["marital_status"], CURRENTLY_MARRIED) | (sub["spouse_name"].astype(str) != "").to_numpy() \
        | (sub["spouse_id"].astype(str) != "").to_numpy()
    register_rows = pd.Index(register.norm["record_id"].astype(str)).get_indexer(pd.Series(best, dtype=str))
    found = register_rows >= 0
    take = np.where(found, register_rows, 0)
    cand_name = np.where(found, register.norm["name"].to_numpy(dtype=object)[take] if len(register) else "", "")
    cand_unit = np.where(found, register.norm["unit_code"].to_numpy(dtype=object)[take] if len(register) else "", "")
    sources = sub["source"].astype(str).to_numpy(dtype=object)
    reason = np.where(married, "共享平台有记录、本区信息系统无匹配记录(已婚,优先录入)", "共享平台有记录、本区信息系统无匹配记录")
    extra = note[chosen]
    reason = np.where(extra != "", reason + ";待核实:" + extra, reason)
    birth = dates(sub["birth"])
    return pd.DataFrame({
        "priority": np.where(~certain[chosen], 3, np.where(married, 1, 2)),
        "source": np.where(sources != "", sources, source),
        "external_record_id": sub["record_id"].to_numpy(dtype=object),
        "name": sub["name"].to_numpy(dtype=object),
        "id_number": np.where(sub["id_number"] != "", sub["id_number"], raw["id_number"].astype(str)),
        "sex": sub["sex"].map({"F": "女", "M": "男"}).fillna("").to_numpy(dtype=object),
        "birth_date": birth.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object),
        "age": age_at(birth, as_of).to_numpy(),
        "marital_status": sub["marital_status"].to_numpy(dtype=object),
        "spouse_name": sub["spouse_name"].to_numpy(dtype=object),
        "hukou_code": sub["hukou_code"].to_numpy(dtype=object),
        "residence_code": sub["residence_code"].to_numpy(dtype=object),
        "phone": sub["phone"].to_numpy(dtype=object),
        "street_code": _street(sub, names.districts),
        "reason": reason,
        "best_candidate_record_id": best,
        "best_candidate_name": cand_name,
        "best_candidate_unit_code": cand_unit,
        "best_probability": probability,
    }, columns=MISSING_COLUMNS)


def _merge_same_woman(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per valid ID number (the first, sources and external ids joined); others as they are."""
    has_id = (frame["id_number"].astype(str).str.len() == 18).to_numpy() & frame["id_number"].astype(str).str[:17] \
        .str.isdigit().to_numpy()
    keyed = frame[has_id]
    repeated = keyed["id_number"].duplicated(keep=False)
    if not repeated.any():
        return frame
    joined = keyed.groupby("id_number", sort=False).agg(
        source=("source", lambda s: ";".join(dict.fromkeys(s))),
        external_record_id=("external_record_id", ";".join),
        priority=("priority", "min"),
        _order=("_order", "min"))
    first = keyed.drop_duplicates("id_number").set_index("id_number")
    first.update(joined)
    first = first.reset_index()[frame.columns]
    return pd.concat([first, frame[~has_id]], ignore_index=True)


def find_missing(register: Records, extracts: Iterable[Any], *, district: str | None = None, as_of: object = None,
                 threshold: float | None = None, model: Any = None, profile: Any = None,
                 options: AuditOptions | None = None) -> pd.DataFrame:
    """The to-enter list over every extract (paths or DataFrames in the register layout + source).

    register: the register's ``Records``.  district: this office's 6-digit code (None: every
    district the register's units belong to).  Returns MISSING_COLUMNS ordered by priority
    (1 married, 2 other women, 3 scope to verify), then source order and external record id.
    """
    profile = profile or RegisterProfile()
    when = as_of_date(as_of)
    districts = district_codes(register, district)
    names = PlaceNames.for_districts(districts, street_names=street_names(register.norm, register.raw, districts))
    parts = []
    for index, extract in enumerate(extracts):
        records = extract if isinstance(extract, Records) else profile.load(extract, role="extract")
        part = missing_from_extract(register, records, source=_source_name(extract, index), names=names,
                                    as_of=when, threshold=threshold, model=model, options=options)
        part["_order"] = index
        parts.append(part)
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in MISSING_COLUMNS})
    merged = _merge_same_woman(pd.concat(parts, ignore_index=True))
    merged = merged.sort_values(["priority", "_order", "external_record_id"], kind="stable")
    return merged.reset_index(drop=True)[MISSING_COLUMNS]
