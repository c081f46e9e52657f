"""Known errors injected into the children table (and, for illegal-birth reports, the mother's record).

Each injection takes whole mothers: every child of a mother it touches leaves the clean set,
and no two injections share a mother, so their findings never mix.  ``apply`` returns the
truth rows (record_id = the child row's mother_record_id, child_id, rule) it must produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from benchmarks.audit_inject import YEAR, day_text, id_with_birth, wrong_check
from benchmarks.people import to_day


@dataclass
class ChildContext:
    reg: pd.DataFrame
    facts: pd.DataFrame
    kids: pd.DataFrame
    kid_facts: pd.DataFrame
    as_of: int

    def rows_of(self, mothers: np.ndarray) -> np.ndarray:
        return np.flatnonzero(np.isin(self.kid_facts["mother_row"].to_numpy(), mothers))


@dataclass(frozen=True)
class ChildInjection:
    rule: str
    eligible: Callable[[ChildContext], np.ndarray]  # bool over children rows: the row to change
    apply: Callable[[ChildContext, np.ndarray], pd.DataFrame]


def _truth(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
    return pd.DataFrame({"record_id": ctx.kids["mother_record_id"].to_numpy()[rows],
                         "child_id": ctx.kids["child_id"].to_numpy()[rows], "rule": rule})


def _set(ctx: ChildContext, rows: np.ndarray, column: str, values) -> None:
    ctx.kids.loc[ctx.kids.index[rows], column] = values


def _family_size(ctx: ChildContext) -> np.ndarray:
    mother = ctx.kid_facts["mother_row"]
    return mother.map(mother.value_counts()).to_numpy()


def only_child(ctx: ChildContext) -> np.ndarray:
    return (_family_size(ctx) == 1) & (ctx.kids["policy"] == "政策内").to_numpy()


def second_child(ctx: ChildContext) -> np.ndarray:
    """Order-2 children born at least 200 days after the first, in families with no illegal birth."""
    facts = ctx.kid_facts
    prev_birth = facts["birth"].shift(1).to_numpy()
    legal_family = ~facts["mother_row"].isin(facts["mother_row"][(ctx.kids["policy"] == "政策外").to_numpy()]).to_numpy()
    return (facts["order"] == 2).to_numpy() & (facts["birth"].to_numpy() - prev_birth >= 200) & legal_family


def illegal(ctx: ChildContext) -> np.ndarray:
    return (ctx.kids["policy"] == "政策外").to_numpy()


def change(column: str, function):
    def apply(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
        _set(ctx, rows, column, [function(v) for v in ctx.kids[column].astype(str).to_numpy()[rows]])
        return _truth(ctx, rows, rule)
    return apply


def moved_birth(offset: Callable[[ChildContext, np.ndarray], np.ndarray]):
    """A new birth date, with the child's ID number moved with it."""
    def apply(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
        days = offset(ctx, rows)
        _set(ctx, rows, "birth_date", day_text(days))
        _set(ctx, rows, "id_number", id_with_birth(ctx.kids["id_number"].iloc[rows], days))
        return _truth(ctx, rows, rule)
    return apply


def repeat_order(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
    _set(ctx, rows, "birth_order", "1")
    return pd.concat([_truth(ctx, rows, rule), _truth(ctx, rows - 1, rule)], ignore_index=True)


def swap_with_first(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
    for column in ("birth_date", "id_number"):
        first, second = ctx.kids[column].to_numpy()[rows - 1].copy(), ctx.kids[column].to_numpy()[rows].copy()
        _set(ctx, rows - 1, column, second)
        _set(ctx, rows, column, first)
    return _truth(ctx, rows, rule)


def mother_blank(*columns: str, record_rule: str):
    """Blank fields of the mother's register record: the report lacks them, and so does her record."""
    def apply(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
        mothers = ctx.kid_facts["mother_row"].to_numpy()[rows]
        for column in columns:
            ctx.reg.loc[ctx.reg.index[mothers], column] = ""
        records = pd.DataFrame({"record_id": ctx.reg["record_id"].to_numpy()[mothers], "child_id": "",
                                "rule": record_rule})
        return pd.concat([_truth(ctx, rows, rule), records], ignore_index=True)
    return apply


def _as_of_plus(days: int):
    return lambda ctx, rows: np.full(len(rows), ctx.as_of + days)


def _mother_aged(years: float):
    return lambda ctx, rows: ctx.facts["birth"].to_numpy()[ctx.kid_facts["mother_row"].to_numpy()[rows]] + int(years * YEAR)


def _after_first(days: int):
    return lambda ctx, rows: ctx.kid_facts["birth"].to_numpy()[rows - 1] + days


def _flip_sex(value: str) -> str:
    return "女" if value == "男" else "男"


def period_before_birth(ctx: ChildContext, rows: np.ndarray, rule: str) -> pd.DataFrame:
    """A reported period that ended the year before the child was born."""
    years = ctx.kid_facts["birth"].to_numpy()[rows].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    _set(ctx, rows, "reported_period", [f"{1970 + year - 1}年12月" for year in years.tolist()])
    return _truth(ctx, rows, rule)


CHILD_INJECTIONS: tuple[ChildInjection, ...] = (
    ChildInjection("child_mother_not_in_register", only_child, change("mother_record_id", lambda v: "X" + v)),
    ChildInjection("child_birth_date_unreadable", only_child, change("birth_date", lambda v: v[:4] + "-02-30")),
    ChildInjection("child_birth_date_missing", only_child, change("birth_date", lambda v: "")),
    ChildInjection("child_birth_after_as_of", only_child, moved_birth(_as_of_plus(50))),
    ChildInjection("child_birth_before_mother_15", only_child, moved_birth(_mother_aged(13.5))),
    ChildInjection("child_order_unreadable", only_child, change("birth_order", lambda v: "第X孩")),
    ChildInjection("child_order_missing", only_child, change("birth_order", lambda v: "")),
    ChildInjection("child_order_repeated", second_child, repeat_order),
    ChildInjection("child_order_contradicts_dates", second_child, swap_with_first),
    ChildInjection("child_birth_interval_short", second_child, moved_birth(_after_first(100))),
    ChildInjection("child_sex_unreadable", only_child, change("sex", lambda v: "X")),
    ChildInjection("child_sex_missing", only_child, change("sex", lambda v: "")),
    ChildInjection("child_id_invalid", only_child, change("id_number", wrong_check)),
    ChildInjection("child_id_birth_mismatch", only_child, change(
        "birth_date", lambda v: str((pd.Timestamp(v) + pd.Timedelta(days=3)).date()))),
    ChildInjection("child_id_sex_mismatch", only_child, change("sex", _flip_sex)),
    ChildInjection("child_policy_unknown", only_child, change("policy", lambda v: "计划外")),
    ChildInjection("illegal_mother_id_missing", illegal, mother_blank("id_number", record_rule="id_missing")),
    ChildInjection("illegal_father_id_missing", illegal, mother_blank("spouse_id_number", record_rule="spouse_id_missing")),
    ChildInjection("illegal_hukou_missing", illegal, mother_blank("hukou_code", "hukou_address",
                                                                  record_rule="hukou_code_missing")),
    ChildInjection("illegal_residence_missing", illegal, mother_blank("residence_code", "residence_address",
                                                                      record_rule="residence_code_missing")),
    ChildInjection("illegal_sex_missing", illegal, change("sex", lambda v: "")),
    ChildInjection("illegal_birth_date_missing", illegal, change("birth_date", lambda v: "")),
    ChildInjection("illegal_order_missing", illegal, change("birth_order", lambda v: "")),
    ChildInjection("illegal_period_missing", illegal, change("reported_period", lambda v: "")),
    ChildInjection("reported_period_unreadable", illegal, change("reported_period", lambda v: v[:4] + "年13月")),
    ChildInjection("reported_before_birth", illegal, period_before_birth),
)
"""One injection per rule of ``linkage.audit.children.CHILD_RULES``."""


def inject_children(register: pd.DataFrame, facts: pd.DataFrame, children: pd.DataFrame, child_facts: pd.DataFrame,
                    as_of: str, rng: np.random.Generator, per_rule: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Inject ``per_rule`` errors of each children rule, each into a different mother (in place).

    Returns (truth: record_id, child_id, rule; touched_mothers bool over register rows).
    """
    ctx = ChildContext(register, facts, children, child_facts, to_day(as_of))
    free_mother = np.ones(len(register), dtype=bool)
    truth = []
    for injection in CHILD_INJECTIONS:
        mother_free = free_mother[child_facts["mother_row"].to_numpy()]
        pool = np.flatnonzero(mother_free & injection.eligible(ctx))
        rows = np.sort(rng.choice(pool, min(per_rule, len(pool)), replace=False))
        truth.append(injection.apply(ctx, rows, injection.rule))
        free_mother[child_facts["mother_row"].to_numpy()[rows]] = False
    return pd.concat(truth, ignore_index=True), ~free_mother
