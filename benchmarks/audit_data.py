"""Test data for the audit: a logically clean register and children table with known errors injected.

``make_audit_case(n_records, seed)``:

1. generates a register (``benchmarks.generator.generate_register``) and rebuilds every record
   from its woman's true values (true ID number, birth date, sex, name, marriage, spouse),
   then makes it logically consistent by construction: married at 20 or later and her
   husband at 22 or later (else she is recorded unmarried), no women outside 15-49;
   the codes, addresses, units and statuses of the generated records are kept;
2. generates a children table for some of the married women: one to three children, the
   first born after the marriage, 1.5 to 6 years apart, some twins (same date, consecutive
   orders), ID numbers that agree with birth date and sex, a few illegal births (政策外)
   with their reported period;
3. injects errors of every kind the audit detects (``benchmarks.audit_inject``) into
   distinct records in management and children rows, and returns which (record, child, rule)
   findings each injection must produce.

The measure (``benchmarks/audit_eval.py``): the share of injected (record, rule) pairs the audit
reports, and the share of clean records in management flagged with an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.corruptions import DATE_FORMATS, format_dates, id_matrix, matrix_to_str
from benchmarks.generator import GeneratedRegister, generate_register
from benchmarks.people import to_day

CURRENT = ("初婚", "再婚", "复婚")
TRUTH_COLUMNS = ["record_id", "child_id", "rule"]


@dataclass
class AuditCase:
    """A register (n rows) and children table (c rows) with injected errors and their truth.

    truth: record_id, child_id ('' for record rules), rule -- every finding an injection must
    produce; clean_record_ids: records in management no injection touched; clean_child_ids:
    children of mothers no injection touched; facts: the true values behind the register rows.
    """

    register: pd.DataFrame
    children: pd.DataFrame
    truth: pd.DataFrame
    clean_record_ids: np.ndarray
    clean_child_ids: np.ndarray
    district: str
    as_of: str
    generated: GeneratedRegister
    facts: pd.DataFrame


def _day_text(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (n,) -> ISO strings (n,)."""
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype(object)


def clean_register(g: GeneratedRegister) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The generated register rebuilt from true values and made consistent; (register, facts).

    facts (same rows): person, birth, marriage (days; -1 if none), marital, spouse_birth,
    has_spouse, active.
    """
    p, rows = g.people, g.row_person
    as_of = to_day(g.as_of)
    age = (as_of - p["birth"]) / 365.2425
    birth, spouse_birth = p["birth"], p["spouse_birth"]
    earliest = np.maximum(birth + int(20 * 365.2425) + 40, np.where(p["has_spouse"], spouse_birth + int(22 * 365.2425) + 40, 0))
    marriage = np.maximum(p["marriage"], earliest)
    married = p["married"] & (marriage < as_of - 30)
    marital = np.where(married, p["marital"], "未婚").astype(object)
    current = married & np.isin(marital, CURRENT)
    has_spouse = married & p["has_spouse"] | current
    ids = matrix_to_str(id_matrix(p["region"], birth, p["seq"]))
    spouse_ids = matrix_to_str(id_matrix(p["spouse_region"], spouse_birth, p["spouse_seq"]))
    register = g.register.copy()
    register["name"] = p["name"][rows]
    register["id_number"] = ids[rows]
    register["sex"] = np.where(register["sex"].isin(["女", "2"]), register["sex"], "女")
    register["birth_date"] = _day_text(birth)[rows]
    register["marital_status"] = marital[rows]
    register["marriage_date"] = np.where(married, _day_text(marriage), "")[rows]
    register["spouse_name"] = np.where(has_spouse, p["spouse_name"], "")[rows]
    register["spouse_id_number"] = np.where(has_spouse, spouse_ids, "")[rows]
    since = np.minimum(np.maximum(p["since"], birth), as_of - 1)
    register["residence_since"] = _day_text(since)[rows]
    for column in ("hukou_code", "residence_code"):  # a code the generator blanked stays blank; never malformed
        register[column] = register[column].astype(str).str.replace(r"\D", "", regex=True)
    register["pregnancy"] = np.where(register["contraception"].isin(["放环", "结扎", "皮埋"]), "", register["pregnancy"])
    keep = ((age >= 15.05) & (age <= 49.9))[rows]
    facts = pd.DataFrame({"person": rows, "birth": birth[rows], "marriage": np.where(married, marriage, -1)[rows],
                          "marital": marital[rows], "spouse_birth": spouse_birth[rows],
                          "has_spouse": has_spouse[rows], "active": register["status"].eq("在管").to_numpy()})
    return register[keep].reset_index(drop=True), facts[keep].reset_index(drop=True)


def make_children(register: pd.DataFrame, facts: pd.DataFrame, as_of: str, rng: np.random.Generator,
                  share: float = 0.4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children of a ``share`` of the married women in management; (children, child_facts).

    child_facts (same rows): mother_row (register row), birth (days), sex ('M'/'F'), order.
    """
    today = to_day(as_of)
    first_row = ~facts["person"].duplicated() & facts["active"]
    mothers = np.flatnonzero(first_row.to_numpy() & (facts["marriage"].to_numpy() >= 0) & (rng.random(len(facts)) < share))
    counts = rng.choice([1, 2, 3], len(mothers), p=[0.5, 0.4, 0.1])
    mother_row = np.repeat(mothers, counts)
    order = np.arange(len(mother_row)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    gaps = np.where(order == 1, rng.integers(300, 1500, len(mother_row)), rng.integers(550, 2200, len(mother_row)))
    twin = (order > 1) & (rng.random(len(mother_row)) < 0.03)
    gaps = np.where(twin, 0, gaps)
    start = facts["marriage"].to_numpy()[mother_row]
    running = np.cumsum(gaps)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    birth = start + running - (running[first] - gaps[first]) if len(mother_row) else start
    ok = birth < today - 30
    mother_row, order, birth = mother_row[ok], order[ok], birth[ok]
    sex = np.where(rng.random(len(birth)) < 0.52, "M", "F")
    region = register["id_number"].str[:6].to_numpy()[mother_row].astype(np.int64)
    seq = rng.integers(0, 500, len(birth)) * 2 + (sex == "M")
    ids = matrix_to_str(id_matrix(region, birth, seq))
    n = len(birth)
    child_id = np.array([f"C{i + 1:07d}" for i in range(n)], dtype=object)
    last = np.r_[mother_row[1:] != mother_row[:-1], True] if n else np.zeros(0, bool)
    mother = register.iloc[mother_row]
    eligible = (mother["marital_status"].isin(CURRENT).to_numpy() & (mother["spouse_id_number"] != "").to_numpy()
                & (mother["hukou_code"] != "").to_numpy() & (mother["residence_code"] != "").to_numpy())
    illegal = last & eligible & (rng.random(n) < 0.25)
    period = birth + rng.integers(30, 200, n)
    years, months = period.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 12 + 1970, \
        period.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    period_text = np.array([f"{y}年{m}月" for y, m in zip(years.tolist(), months.tolist())], dtype=object)
    children = pd.DataFrame({
        "child_id": child_id, "mother_record_id": register["record_id"].to_numpy()[mother_row],
        "name": register["spouse_name"].str[:1].to_numpy()[mother_row] + np.where(sex == "M", "子", "女") + order.astype(str),
        "sex": np.where(sex == "M", "男", "女"), "birth_date": _day_text(birth), "birth_order": order.astype(str),
        "id_number": ids, "policy": np.where(illegal, "政策外", "政策内"),
        "reported_period": np.where(illegal, period_text, ""),
    })
    child_facts = pd.DataFrame({"mother_row": mother_row, "birth": birth, "sex": sex, "order": order})
    return children, child_facts


_FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def vary_formats(frame: pd.DataFrame, rng: np.random.Generator, *, date_columns: tuple[str, ...],
                 id_columns: tuple[str, ...], name_columns: tuple[str, ...] = ()) -> None:
    """Write well-formed values the many ways registers hold them (in place): dates in the five
    formats of ``DATE_FORMATS``, ID numbers with a lower-case x or full-width digits, names with
    a stray space.  Only cells that are well-formed ISO dates / 18-character IDs are touched, so
    an injected error stays exactly as injected."""
    n = len(frame)
    for column in date_columns:
        parsed = pd.to_datetime(frame[column].astype(str), format="%Y-%m-%d", errors="coerce")
        rows = np.flatnonzero(parsed.notna().to_numpy())
        days = parsed.iloc[rows].to_numpy().astype("datetime64[D]").astype(np.int64)
        fmt = rng.integers(0, len(DATE_FORMATS), len(rows))
        frame.loc[frame.index[rows], column] = format_dates(days, fmt, np.zeros(len(rows), bool))
    for column in id_columns:
        values = frame[column].astype(str)
        eighteen = (values.str.len() == 18).to_numpy()
        lower = eighteen & (rng.random(n) < 0.3)
        frame.loc[frame.index[lower], column] = values[lower].str.lower()
        wide = eighteen & (rng.random(n) < 0.03)
        frame.loc[frame.index[wide], column] = [v.translate(_FULL_WIDTH) for v in frame[column].astype(str)[wide]]
    for column in name_columns:
        values = frame[column].astype(str)
        spaced = (values.str.len() >= 2).to_numpy() & (rng.random(n) < 0.03)
        frame.loc[frame.index[spaced], column] = values[spaced].str[:1] + " " + values[spaced].str[1:]


def make_audit_case(n_records: int = 10_000, seed: int = 0, per_rule: int = 12) -> AuditCase:
    """A generated register and children table with ``per_rule`` injections of every rule."""
    from benchmarks.audit_inject import inject_records
    from benchmarks.audit_inject_children import inject_children

    g = generate_register(n_records=n_records, seed=seed)
    register, facts = clean_register(g)
    rng = np.random.default_rng([seed, 5])
    children, child_facts = make_children(register, facts, g.as_of, rng)
    mothers = np.zeros(len(register), dtype=bool)
    mothers[child_facts["mother_row"].to_numpy()] = True
    record_truth, touched = inject_records(register, facts, ~mothers, g.as_of, rng, per_rule)
    child_truth, touched_mothers = inject_children(register, facts, children, child_facts, g.as_of, rng, per_rule)
    truth = pd.concat([record_truth, child_truth], ignore_index=True)[TRUTH_COLUMNS]
    vary_formats(register, rng, date_columns=("birth_date", "marriage_date", "residence_since"),
                 id_columns=("id_number", "spouse_id_number"), name_columns=("name", "spouse_name"))
    vary_formats(children, rng, date_columns=("birth_date",), id_columns=("id_number",))
    active = facts["active"].to_numpy()
    clean_rows = active & ~touched & ~touched_mothers
    clean_children = ~np.isin(child_facts["mother_row"].to_numpy(), np.flatnonzero(touched_mothers))
    return AuditCase(register, children, truth, register["record_id"].to_numpy()[clean_rows],
                     children["child_id"].to_numpy()[clean_children], g.district, g.as_of, g, facts)
