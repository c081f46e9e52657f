"""Her places read from all her records: the context the rules run in and the claim of one code column.

``Context`` holds m records in G groups (one woman each) and reads each column once per run;
``Context.claim(field, since_field)`` is ``her_code``: the code of ``field`` her records
agree on (or her latest move), since when she has been there, and why it is unusable when it
is.  Every rule step and condition reads places through it, so a location rule, a condition
and a tie-break on the same column read the same claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.codes import code_labels, code_lengths, codes_match, significant_codes
from linkage.columns import REGISTER_COLUMNS

from .grouped import (date_column, day_numbers, first_per_group, group_any, group_extreme, join_per_group, take,
                      text_column)


@dataclass
class Context:
    """The records of one run of the rules: m records in G groups, and their columns read once."""

    work: pd.DataFrame  # (m, k) the records
    grp: np.ndarray  # int64 (m,)
    G: int
    as_of: pd.Timestamp
    record_id: np.ndarray  # object (m,)
    unit: np.ndarray  # object (m,)
    active: np.ndarray  # bool (m,)

    def __post_init__(self) -> None:
        self.unit_sig = significant_codes(self.unit)
        self.unit_len = code_lengths(self.unit_sig)
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._claims: dict[tuple[str, str], Claim] = {}

    def text(self, name: str) -> np.ndarray:
        """object (m,): column ``name`` as str ('' where absent), converted once per run."""
        return self._cached("text", name, lambda: text_column(self.work, name))

    def days(self, name: str) -> np.ndarray:
        """float (m,): column ``name`` as day numbers (NaN where blank), converted once per run."""
        return self._cached("days", name, lambda: date_column(self.work, name))

    def filled(self, name: str) -> np.ndarray:
        """bool (m,): column ``name`` holds a value (normalised text is trimmed, so not '')."""
        def compute() -> np.ndarray:
            column = self.work[name]
            if pd.api.types.is_string_dtype(column) or column.dtype == object:
                return self.text(name) != ""
            return column.notna().to_numpy(copy=True)
        return self._cached("filled", name, compute)

    def claim(self, field: str, since_field: str) -> "Claim":
        """Her code read from ``field`` (``her_code``), once per run: a location rule and the
        tie-break on the same place read the same claim.  Callers must not change its arrays."""
        key = (field, since_field)
        if key not in self._claims:
            self._claims[key] = her_code(self, field, since_field)
        return self._claims[key]

    def _cached(self, kind: str, name: str, compute: Any) -> np.ndarray:
        if (kind, name) not in self._cache:
            self._cache[kind, name] = compute()
        return self._cache[kind, name].copy()


@dataclass
class Claim:
    """Her code per group, read from her records: raw / sig object (G,), start float days (G,)
    (NaN if unknown), usable bool (G,), note object (G,) (why not usable)."""

    raw: np.ndarray
    sig: np.ndarray
    shown: np.ndarray  # object (G,): raw as printed (a county or coarser code with its name)
    start: np.ndarray
    usable: np.ndarray
    note: np.ndarray
    label: str
    present: np.ndarray  # bool (G,): some record holds a code


def her_code(ctx: Context, field: str, since_field: str) -> Claim:
    """If every record's code agrees (one is a prefix of the others) her code is the finest and
    her start the earliest date of any record that agrees or has no code.  Otherwise the
    finest code among the dated claims of the latest date, started at the earliest agreeing
    date after the last disagreeing one; a tie of disagreeing latest claims is a conflict."""
    grp, G = ctx.grp, ctx.G
    raw = ctx.text(field)
    sig = significant_codes(raw)
    has_code = (sig != "") & ctx.active
    longest_first = -code_lengths(sig)
    dates = ctx.days(since_field) if since_field else np.full(len(raw), np.nan)
    dates[dates > day_numbers([ctx.as_of])[0]] = np.nan
    finest = first_per_group(has_code, grp, G, longest_first)
    same_code = codes_match(sig, take(sig, finest)[grp])
    agree = has_code & same_code
    all_agree = ~group_any(has_code & ~agree, grp, G)
    witness = np.where(ctx.active, agree | ~has_code, same_code | (sig == ""))
    start_all = group_extreme(np.where(witness, dates, np.nan), grp, G, "min")
    dated = has_code & ~np.isnan(dates)
    latest = group_extreme(np.where(dated, dates, np.nan), grp, G, "max")
    at_latest = dated & (dates == latest[grp])
    finest_latest = first_per_group(at_latest, grp, G, longest_first)
    agree_latest = dated & codes_match(sig, take(sig, finest_latest)[grp])
    conflict = group_any(at_latest & ~agree_latest, grp, G) | (finest_latest < 0)
    last_other = group_extreme(np.where(dated & ~agree_latest, dates, np.nan), grp, G, "max")
    start_latest = group_extreme(np.where(agree_latest & ~(dates <= last_other[grp]), dates, np.nan), grp, G, "min")
    row = np.where(all_agree, finest, finest_latest)
    usable = (row >= 0) & (all_agree | ~conflict)
    label = REGISTER_COLUMNS[field].removesuffix("代码")
    listed = pd.DataFrame({"g": grp[has_code], "c": raw[has_code], "s": sig[has_code]}).drop_duplicates(["g", "c"])
    codes = join_per_group(listed["g"].to_numpy(), code_labels(listed["c"].to_numpy(dtype=object), listed["s"]), G,
                           sep="/")
    note = np.where(finest < 0, f"{label}代码缺失", np.where(usable, "", label + "记录不一致(" + codes + ")"))
    her_raw, her_sig = (np.where(usable, take(values, row), "").astype(object) for values in (raw, sig))
    return Claim(her_raw, her_sig, code_labels(her_raw, her_sig),
                 np.where(usable, np.where(all_agree, start_all, start_latest), np.nan), usable,
                 note.astype(object), label, finest >= 0)
