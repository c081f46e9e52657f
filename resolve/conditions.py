"""The conditions of a location rule (``resolve.rules.Condition``) read over each woman's records.

Every condition is read per group (one woman, G groups) from her active records and is one of
``MET``, ``FAILED``, ``UNKNOWN`` (no record holds the inputs; a code stops at a county, so the
street cannot be compared) or ``CONFLICT`` (her records disagree).  ``field within other``
fails when no record holds ``field`` at all: there is no such place of hers to lie anywhere
(the rule cannot apply, as a location rule with no code); a blank ``other`` is unknown.  ``verdict`` combines the
conditions of one rule: a failed condition means the rule does not apply; otherwise an unknown
or conflicting one either holds her (``'verify'``) or lets the next rule try (``'next'``).
Whole-array numpy over the records; no loop over groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.codes import code_labels, street_relation
from linkage.columns import REGISTER_COLUMNS

from .grouped import group_count, join_notes, join_per_group
from .rules import Condition

MET, FAILED, UNKNOWN, CONFLICT = 1, 0, 2, 3


@dataclass
class Verdict:
    """The conditions of one rule over G groups: met / skip / hold bool (G,), note object (G,)
    (what was read: the values met, and what was unknown or conflicting)."""

    met: np.ndarray
    skip: np.ndarray
    hold: np.ndarray
    note: np.ndarray


def _label(field: str) -> str:
    return REGISTER_COLUMNS.get(field, field).removesuffix("代码")


def _value_state(cond: Condition, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
    grp, G = ctx.grp, ctx.G
    values = ctx.text(cond.field)
    filled = (values != "") & ctx.active
    hit = filled & pd.Series(values, dtype=object).isin(set(cond.values)).to_numpy()
    n_filled, n_hit = group_count(filled, grp, G), group_count(hit, grp, G)
    state = np.where(n_filled == 0, UNKNOWN, np.where(n_hit == n_filled, MET, np.where(n_hit == 0, FAILED, CONFLICT)))
    listed = pd.DataFrame({"g": grp[filled], "v": values[filled]}).drop_duplicates()
    seen = join_per_group(listed["g"].to_numpy(dtype=np.int64), listed["v"].to_numpy(dtype=object), G, sep="/")
    label = _label(cond.field)
    note = np.select([state == MET, state == UNKNOWN, state == CONFLICT],
                     [label + ":" + seen, np.full(G, f"{label}未填", dtype=object), label + "记录不一致(" + seen + ")"],
                     "")
    return state, note.astype(object)


def _within_state(cond: Condition, ctx: Any, since_of: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    inner = ctx.claim(cond.field, since_of.get(cond.field, ""))
    outer = ctx.claim(cond.within, since_of.get(cond.within, ""))
    relation = street_relation(inner.sig, outer.sig)
    blank = ~inner.present | ~outer.present
    conflict = ~blank & (~inner.usable | ~outer.usable)
    state = np.where(~inner.present, FAILED, np.where(blank, UNKNOWN, np.where(conflict, CONFLICT, np.where(
        relation == 1, MET, np.where(relation == -1, FAILED, UNKNOWN)))))
    pair = (inner.label + code_labels(inner.raw) + "与" + outer.label + code_labels(outer.raw)).astype(object)
    missing = join_notes(np.where(inner.present, "", inner.note), np.where(outer.present, "", outer.note), sep=",")
    note = np.select([state == MET, blank, conflict, state == UNKNOWN],
                     [inner.label + inner.raw + "在" + outer.label + outer.raw + "(同一街道)",
                      missing + ",不能判断" + inner.label + "是否在" + outer.label,
                      join_notes(inner.note, outer.note, sep=","),
                      pair + "不能判断是否同一街道"], "")
    return state, note.astype(object)


def _filled_state(cond: Condition, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
    any_filled = np.zeros(len(ctx.grp), dtype=bool)
    for name in (f for f in cond.any_filled if f in ctx.work.columns):
        any_filled |= ctx.filled(name)
    state = np.where(group_count(any_filled & ctx.active, ctx.grp, ctx.G) > 0, MET, FAILED)
    return state, np.full(ctx.G, "", dtype=object)


def verdict(conditions: tuple[Condition, ...], ctx: Any, since_of: dict[str, str]) -> Verdict:
    """All ``conditions`` of one rule over the G groups of ``ctx`` (``resolve.decide._Context``).
    since_of: code column -> the date column that says which of her disagreeing codes is the
    latest (the rule's own field and since_field)."""
    G = ctx.G
    met, failed = np.ones(G, dtype=bool), np.zeros(G, dtype=bool)
    hold, go_on = np.zeros(G, dtype=bool), np.zeros(G, dtype=bool)
    note = np.full(G, "", dtype=object)
    for cond in conditions:
        if cond.kind == "in":
            state, said = _value_state(cond, ctx)
        elif cond.kind == "within":
            state, said = _within_state(cond, ctx, since_of)
        else:
            state, said = _filled_state(cond, ctx)
        met &= state == MET
        failed |= state == FAILED
        for which, choice in ((UNKNOWN, cond.if_unknown), (CONFLICT, cond.if_conflict)):
            if choice == "verify":
                hold |= state == which
            else:
                go_on |= state == which
        note = join_notes(note, said)
    hold &= ~failed
    return Verdict(met=met, skip=failed | (go_on & ~hold), hold=hold, note=np.where(failed, "", note).astype(object))
