"""Known errors injected into a clean register and children table (see ``benchmarks.audit_data``).

Each injection names the rule it must fire, which clean rows may take it, and how it
changes them; ``also`` lists the other rules the same change must fire (a blank sex *and* ID
is also a missing ID).  Each record takes at most one injection.  The change is made the
way a clerk's mistake looks (a wrong check character, 离异 for 离婚, a 15-digit number,
a date that does not exist ...), keeping the rest of the record consistent (an age
injection moves the birth date in the ID too), so that the truth is exactly the listed rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from benchmarks.people import to_day
from linkage.normalize.ids import check_character

YEAR = 365.2425
CURRENT = ("初婚", "再婚", "复婚")


@dataclass
class Context:
    """The register (n rows, edited in place), its true values and the reference date."""

    reg: pd.DataFrame
    facts: pd.DataFrame
    as_of: int
    rng: np.random.Generator

    def col(self, name: str) -> pd.Series:
        return self.reg[name].astype(str)


@dataclass(frozen=True)
class Injection:
    rule: str
    eligible: Callable[[Context], np.ndarray]
    apply: Callable[[Context, np.ndarray], None]
    also: tuple[str, ...] = ()


def day_text(days: np.ndarray | int) -> np.ndarray:
    return np.datetime_as_string(np.atleast_1d(np.asarray(days, dtype=np.int64)).astype("datetime64[D]")).astype(object)


def with_check(first17: list[str]) -> list[str]:
    return [f + check_character(f) for f in first17]


def id_with_birth(ids: pd.Series, days: np.ndarray) -> list[str]:
    digits = [d.replace("-", "") for d in day_text(days)]
    return with_check([i[:6] + d + i[14:17] for i, d in zip(ids, digits)])


def id_with_sex(ids: pd.Series, sex: str) -> list[str]:
    out = []
    for number in ids:
        digit = int(number[16])
        if (digit % 2 == 1) != (sex == "M"):
            digit = (digit + 1) % 10
        out.append(number[:16] + str(digit))
    return with_check(out)


def _set(ctx: Context, rows: np.ndarray, column: str, values) -> None:
    ctx.reg.loc[ctx.reg.index[rows], column] = values


# --- eligibility ---------------------------------------------------------------------------------

def anyone(ctx: Context) -> np.ndarray:
    return np.ones(len(ctx.reg), dtype=bool)


def unmarried(ctx: Context) -> np.ndarray:
    return (ctx.col("marital_status") == "未婚").to_numpy() & (ctx.col("spouse_name") == "").to_numpy()


def married(ctx: Context) -> np.ndarray:
    return ctx.facts["marriage"].to_numpy() >= 0


def with_spouse(ctx: Context) -> np.ndarray:
    return ctx.col("marital_status").isin(CURRENT).to_numpy() & (ctx.col("spouse_id_number").str.len() == 18).to_numpy()


def born_1900s(column: str):
    return lambda ctx: (ctx.col(column).str[6:8] == "19").to_numpy() & (ctx.col(column).str.len() == 18).to_numpy()


def has(column: str):
    return lambda ctx: (ctx.col(column) != "").to_numpy()


def unmarried_adult(ctx: Context) -> np.ndarray:
    return unmarried(ctx) & (ctx.facts["birth"].to_numpy() + int(22 * YEAR) < ctx.as_of)


def under_age_possible(ctx: Context) -> np.ndarray:
    """Married women whose marriage at 18 would be in the past and whose husband was 22 by then."""
    wedding = ctx.facts["birth"].to_numpy() + int(18 * YEAR) + 100
    husband_ok = ~with_spouse(ctx) | (ctx.facts["spouse_birth"].to_numpy() + int(22 * YEAR) + 30 < wedding)
    return married(ctx) & (wedding < ctx.as_of - 30) & husband_ok


# --- changes -------------------------------------------------------------------------------------

def put(column: str, value):
    return lambda ctx, rows: _set(ctx, rows, column, value)


def edit(column: str, function):
    return lambda ctx, rows: _set(ctx, rows, column, [function(v) for v in ctx.col(column).to_numpy()[rows]])


def blank_sex_and_id(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "sex", "")
    _set(ctx, rows, "id_number", "")


def blank_birth_and_id(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "birth_date", "")
    _set(ctx, rows, "id_number", "")


def new_birth(ctx: Context, rows: np.ndarray, days: np.ndarray) -> None:
    _set(ctx, rows, "birth_date", day_text(days))
    _set(ctx, rows, "id_number", id_with_birth(ctx.col("id_number").iloc[rows], days))


def aged_52(ctx: Context, rows: np.ndarray) -> None:
    new_birth(ctx, rows, np.full(len(rows), ctx.as_of - int(52.3 * YEAR)))


def shift_birth_date(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "birth_date", day_text(ctx.facts["birth"].to_numpy()[rows] + 1))


def male_id(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "id_number", id_with_sex(ctx.col("id_number").iloc[rows], "M"))


def a_man(ctx: Context, rows: np.ndarray) -> None:
    male_id(ctx, rows)
    _set(ctx, rows, "sex", "男")


def wrong_check(value: str) -> str:
    return value[:17] + ("0" if value[17] != "0" else "1")


def relative(column: str, offset_days: int, base: str = "as_of"):
    def change(ctx: Context, rows: np.ndarray) -> None:
        start = np.full(len(rows), ctx.as_of) if base == "as_of" else ctx.facts[base].to_numpy()[rows]
        _set(ctx, rows, column, day_text(start + offset_days))
    return change


def married_at_18(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "marriage_date", day_text(ctx.facts["birth"].to_numpy()[rows] + int(18 * YEAR) + 100))


def young_husband(ctx: Context, rows: np.ndarray) -> None:
    wedding = ctx.facts["marriage"].to_numpy()[rows]
    _set(ctx, rows, "spouse_id_number", id_with_birth(ctx.col("spouse_id_number").iloc[rows], wedding - int(20.5 * YEAR)))


def blank_spouse(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "spouse_name", "")
    _set(ctx, rows, "spouse_id_number", "")


def own_id_as_spouse(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "spouse_id_number", ctx.col("id_number").to_numpy()[rows])


def pregnant_with_ligation(ctx: Context, rows: np.ndarray) -> None:
    _set(ctx, rows, "pregnancy", "现孕")
    _set(ctx, rows, "contraception", "结扎")


RECORD_INJECTIONS: tuple[Injection, ...] = (
    Injection("id_missing", anyone, put("id_number", "")),
    Injection("id_placeholder", anyone, put("id_number", "000000000000000000")),
    Injection("id_bad_chars", anyone, edit("id_number", lambda v: v[:10] + "O" + v[11:])),
    Injection("id_bad_length", anyone, edit("id_number", lambda v: v[:17])),
    Injection("id_bad_region", anyone, edit("id_number", lambda v: with_check(["999999" + v[6:17]])[0])),
    Injection("id_bad_date", anyone, edit("id_number", lambda v: with_check([v[:10] + "13" + v[12:17]])[0])),
    Injection("id_bad_check", anyone, edit("id_number", wrong_check)),
    Injection("id_legacy15", born_1900s("id_number"), edit("id_number", lambda v: v[:6] + v[8:17])),
    Injection("birth_date_mismatch_id", anyone, shift_birth_date),
    Injection("sex_mismatch_id", anyone, male_id),
    Injection("sex_male", unmarried, a_man),
    Injection("sex_unreadable", anyone, put("sex", "X")),
    Injection("sex_missing", anyone, blank_sex_and_id, also=("id_missing",)),
    Injection("birth_date_unreadable", anyone, edit("birth_date", lambda v: v[:4] + "-02-30")),
    Injection("birth_missing", anyone, blank_birth_and_id, also=("id_missing",)),
    Injection("age_out_of_range", anyone, aged_52),
    Injection("hukou_code_missing", has("hukou_code"), put("hukou_code", "")),
    Injection("hukou_code_malformed", anyone, put("hukou_code", "3301060")),
    Injection("residence_code_missing", has("residence_code"), put("residence_code", "")),
    Injection("residence_code_malformed", anyone, put("residence_code", "3301069")),
    Injection("residence_since_unreadable", anyone, put("residence_since", "2019-13-45")),
    Injection("residence_since_after_as_of", anyone, relative("residence_since", 40)),
    Injection("residence_since_before_birth", anyone, relative("residence_since", -200, base="birth")),
    Injection("registered_date_unreadable", anyone, put("registered_date", "20191345")),
    Injection("registered_date_after_as_of", anyone, relative("registered_date", 20)),
    Injection("marital_status_missing", unmarried, put("marital_status", "")),
    Injection("marital_status_unknown", married, put("marital_status", "离异")),
    Injection("pregnant_long_acting", anyone, pregnant_with_ligation),
    Injection("name_blank", anyone, put("name", "")),
    Injection("name_unusual_chars", anyone, edit("name", lambda v: v + "2")),
    Injection("unit_code_blank", anyone, put("unit_code", "")),
    Injection("unit_code_malformed", anyone, edit("unit_code", lambda v: v + "9")),
    Injection("status_unknown", anyone, put("status", "待核")),
    Injection("marriage_date_unreadable", married, edit("marriage_date", lambda v: v[:4] + "年2月30日")),
    Injection("married_without_date", married, put("marriage_date", "")),
    Injection("unmarried_with_date", unmarried_adult, relative("marriage_date", int(21 * YEAR), base="birth")),
    Injection("marriage_after_as_of", married, relative("marriage_date", 60)),
    Injection("married_under_age", under_age_possible, married_at_18),
    Injection("spouse_under_age", with_spouse, young_husband),
    Injection("married_without_spouse", with_spouse, blank_spouse),
    Injection("spouse_name_missing", with_spouse, put("spouse_name", "")),
    Injection("spouse_id_missing", with_spouse, put("spouse_id_number", "")),
    Injection("unmarried_with_spouse", unmarried, put("spouse_name", "张伟")),
    Injection("spouse_same_sex", with_spouse, lambda ctx, rows: _set(
        ctx, rows, "spouse_id_number", id_with_sex(ctx.col("spouse_id_number").iloc[rows], "F"))),
    Injection("spouse_id_invalid", with_spouse, edit("spouse_id_number", wrong_check)),
    Injection("spouse_id_legacy15", lambda ctx: with_spouse(ctx) & born_1900s("spouse_id_number")(ctx),
              edit("spouse_id_number", lambda v: v[:6] + v[8:17])),
    Injection("spouse_id_is_own", with_spouse, own_id_as_spouse, also=("spouse_same_sex",)),
)
"""One injection per record rule of ``linkage.audit.checks.RECORD_RULES``."""


def inject_records(register: pd.DataFrame, facts: pd.DataFrame, allowed: np.ndarray, as_of: str,
                   rng: np.random.Generator, per_rule: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Inject ``per_rule`` errors of each rule into distinct active ``allowed`` rows (in place).

    Returns (truth: record_id, child_id, rule; touched bool (n,)).
    """
    ctx = Context(register, facts, to_day(as_of), rng)
    free = allowed & facts["active"].to_numpy() & (register["status"] == "在管").to_numpy()
    truth = []
    for injection in RECORD_INJECTIONS:
        pool = np.flatnonzero(free & injection.eligible(ctx))
        rows = np.sort(rng.choice(pool, min(per_rule, len(pool)), replace=False))
        injection.apply(ctx, rows)
        free[rows] = False
        for rule in (injection.rule, *injection.also):
            truth.append(pd.DataFrame({"record_id": register["record_id"].to_numpy()[rows], "child_id": "", "rule": rule}))
    touched = allowed & facts["active"].to_numpy() & ~free
    return pd.concat(truth, ignore_index=True), touched
