"""The error kinds a generated record can carry, and the log that records them for the truth.

Each kernel of the clerk (:mod:`benchmarks.corruptions`) reports the rows it actually changed under
one of :data:`KINDS`; :meth:`ErrorLog.joined` turns the masks into the truth's ``errors`` column
(kinds ';'-joined in the order of KINDS, '' for a record typed without error).  :data:`GROUPS`
gathers them by field for reporting ("a name error", "an ID error", "a date error").

>>> log = ErrorLog(3)
>>> log.add("name_homophone", np.array([True, False, False]))
>>> log.add("id_blank", np.array([True, False, True]))
>>> log.joined().tolist()
['name_homophone;id_blank', '', 'id_blank']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = (
    # names
    "name_homophone", "name_fuzzy_pinyin", "name_shape", "name_surname_reading", "name_drop_add", "name_traditional",
    "name_dot", "name_space",
    # ID numbers
    "id_blank", "id_garbage", "id_placeholder", "id_legacy15", "id_legacy15_typo", "id_wrong_digit", "id_two_digits",
    "id_swap", "id_handwriting", "id_drop_add", "id_region_prefix", "id_region_prefix_valid", "id_fullwidth",
    "id_reissued_birth", "id_reissued_seq",
    # birth dates
    "birth_blank", "birth_day_month_swap", "birth_off_by_one", "birth_two_digit_year", "birth_excel_serial",
    "birth_year_month", "birth_placeholder_1900", "birth_placeholder_jan1", "birth_lunar",
    # misplaced fields, sex, spouse, phone
    "swap_spouse_id", "phone_in_id", "sex_wrong", "spouse_name_typo", "spouse_id_typo", "phone_blank", "phone_changed",
)
"""Every kind, in the order the truth lists them."""

GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("name_homophone", "name_fuzzy_pinyin", "name_shape", "name_surname_reading", "name_drop_add",
             "name_traditional"),
    "id": ("id_garbage", "id_placeholder", "id_legacy15_typo", "id_wrong_digit", "id_two_digits", "id_swap",
           "id_handwriting", "id_drop_add", "id_region_prefix", "id_region_prefix_valid", "swap_spouse_id",
           "phone_in_id"),
    "date": ("birth_day_month_swap", "birth_off_by_one", "birth_two_digit_year", "birth_excel_serial",
             "birth_year_month", "birth_placeholder_1900", "birth_placeholder_jan1", "birth_lunar"),
    "missing": ("id_blank", "birth_blank", "phone_blank"),
    "format": ("name_space", "name_dot", "id_fullwidth", "id_legacy15"),
    "reissued": ("id_reissued_birth", "id_reissued_seq"),
}
"""Kinds by field.  'name', 'id' and 'date' are errors of content (what the harsh model's shares count);
'missing' and 'format' change a value without making it wrong (a legacy number is a valid old form)."""

_INDEX = {k: i for i, k in enumerate(KINDS)}
assert len(KINDS) <= 64


class ErrorLog:
    """Boolean masks (n,) per error kind, for n records."""

    def __init__(self, n: int):
        self.n = n
        self.bits = np.zeros((n, len(KINDS)), dtype=bool)

    def add(self, kind: str, rows: np.ndarray) -> None:
        """Mark ``rows`` (bool (n,) or int positions) as carrying ``kind``."""
        self.bits[rows, _INDEX[kind]] = True

    def has(self, kind: str) -> np.ndarray:
        return self.bits[:, _INDEX[kind]].copy()

    def joined(self) -> np.ndarray:
        """Object array (n,) of ';'-joined kinds per record."""
        if self.n == 0:
            return np.empty(0, dtype=object)
        codes = np.zeros(self.n, dtype=np.uint64)  # one bit per kind (len(KINDS) <= 64)
        for j in np.flatnonzero(self.bits.any(axis=0)).tolist():
            codes |= self.bits[:, j].astype(np.uint64) << np.uint64(j)
        uniq, inv = np.unique(codes, return_inverse=True)
        text = [";".join(k for j, k in enumerate(KINDS) if (int(u) >> j) & 1) for u in uniq.tolist()]
        return np.array(text + [""], dtype=object)[:-1][inv.reshape(-1)]


def kinds_mask(errors: np.ndarray, kinds: tuple[str, ...] | str) -> np.ndarray:
    """bool (n,): records whose ``errors`` text (n,) lists any of ``kinds`` (a kind or a GROUPS name)."""
    wanted = set(GROUPS.get(kinds, (kinds,)) if isinstance(kinds, str) else kinds)
    codes, uniq = pd.factorize(np.asarray(errors, dtype=object))
    hit = np.array([bool(set(str(u).split(";")) & wanted) for u in uniq] + [False])
    return hit[codes]
