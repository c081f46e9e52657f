"""When two records cannot be one woman: the engine's one rule for it.

Blocking (pairs not worth scoring), scoring (what a pair of numbers shows), clustering (which
records may never share a cluster), linking (which candidates are never links), the managing
unit decision (a group holding two numbers) and the audit all ask this module; none keeps its
own version.

The rule
--------
Two records **cannot be one woman** when both carry a *valid* 18-digit ID number of a woman
(GB 11643: a GB/T 2260 region, a real birth date, the right MOD 11-2 check character, an even
17th digit) and the numbers differ in two or more of their three parts — region (digits 1-6), birth date (7-14),
sequence (15-17).  Why: a clerk's typo in a valid number (one wrong digit, two swapped
neighbours) never keeps the check character right, so two valid numbers are two numbers
really issued; one woman holds two only when one part was changed:

- **birth date only** (``birth_only``): the number was re-issued after her birth date was
  corrected (公民身份号码变更);
- **sequence only** (``sequence_only``): a re-issued sequence number -- or twins, whom the
  comparison of names tells apart;
- **region only** (``region_only``): a clerk wrote the county where she is registered now
  instead of the county of first registration (and the system filled in the check).

These three are *not* a veto; they are not a match to act on either.  Two such records may
share a cluster only when their own comparison matches them (``keep_apart``: a chain through a
third record without a number is not enough: twins both resemble their sister's record with a
blank number), and a group holding two different valid numbers goes to verification, never into
a notice (``resolve.decide``).

Everything else is open, to be weighed by the comparison, never vetoed:

- a legacy 15-digit number has no check character, so a typo in it cannot be told from a
  sister's number; upgraded to 18 digits it is compared with the other number by closeness;
- an 18-digit number that fails a check (a typo), a placeholder or a blank proves nothing;
- a valid man's number on a woman's record proves nothing about her (her husband's, typed in
  her column);
- the recorded sex never vetoes: where her valid ID number gives her sex the number wins (a
  男 typed on a woman whose valid number says female is a data-entry error, not a second
  person: ``effective_sex``), and elsewhere a sex that disagrees is evidence the model weighs.

>>> a = "11010519491231002X"          # valid, female
>>> relation([a, a, a, a, a, "", a], ["valid"] * 5 + ["missing", "valid"],
...          [a, "110105195001010020", "110105194912310046", "330106194912310027",
...           "330106195001010028", a, "110105194912310039"],
...          ["valid", "valid", "valid", "valid", "valid", "valid", "bad_check"]).tolist()
['same', 'birth_only', 'sequence_only', 'region_only', 'different', 'unknown', 'unknown']
>>> effective_sex(["M", "M", "", "F"], ["F", "", "F", "M"], ["valid", "missing", "legacy15", "bad_check"]).tolist()
['F', 'M', 'F', 'F']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NEVER, UNLESS_MATCHED = np.int8(2), np.int8(1)
"""``keep_apart`` codes: never one woman; one woman only if the pair itself matches (0: free)."""
RELATIONS = ("unknown", "same", "region_only", "birth_only", "sequence_only", "different")
"""What two ID numbers show about two records, by code (int8)."""
UNKNOWN, SAME, REGION_ONLY, BIRTH_ONLY, SEQUENCE_ONLY, DIFFERENT = range(len(RELATIONS))
EXPLAINED = (REGION_ONLY, BIRTH_ONLY, SEQUENCE_ONLY)
"""Two different valid numbers that one woman may hold: not a veto, never a notice."""
EXPLAINED_REASONS = {
    REGION_ONLY: "两个有效身份证号仅地区码不同,须核实",
    BIRTH_ONLY: "身份证号码仅出生日期不同,可能为号码变更",
    SEQUENCE_ONLY: "身份证号码仅顺序码不同,可能为号码变更或双胞胎",
}
"""Why a group holding two valid numbers goes to verification (Chinese, as the notice reads)."""

_PART_WEIGHTS = (10.0 ** np.arange(5, -1, -1), 10.0 ** np.arange(7, -1, -1), 10.0 ** np.arange(2, -1, -1))


@dataclass(frozen=True)
class IdParts:
    """The three parts of each record's number, for comparing many pairs by integers.

    valid: bool (n,), the number is a valid 18-digit one; region, birth, sequence: int64 (n,)
    (the digits of each part as one integer, -1 where the number is not valid); number: int64
    (n,) the first 17 digits, -1 where not valid."""

    valid: np.ndarray
    region: np.ndarray
    birth: np.ndarray
    sequence: np.ndarray
    number: np.ndarray

    @classmethod
    def of(cls, full: np.ndarray | pd.Series, status: np.ndarray | pd.Series) -> "IdParts":
        """From the normalised ``id_full`` (18-character forms, '' when none) and ``id_status``
        columns, each (n,)."""
        full = np.asarray(full, dtype=object)
        valid = np.asarray(status, dtype=object) == "valid"
        texts = np.where(valid, full, "00000000000000000").astype("S18")
        digits = (texts.view(np.uint8).reshape(len(texts), 18)[:, :17].astype(np.float64) - 48.0) if len(texts) \
            else np.zeros((0, 17))
        valid &= digits[:, 16] % 2 == 0 if len(texts) else valid  # a woman's number: a man's proves nothing
        digits = np.clip(digits, 0, 9)  # rows that are not valid are masked below
        region = (digits[:, :6] @ _PART_WEIGHTS[0]).astype(np.int64)
        birth = (digits[:, 6:14] @ _PART_WEIGHTS[1]).astype(np.int64)
        sequence = (digits[:, 14:17] @ _PART_WEIGHTS[2]).astype(np.int64)
        number = (region * 10**8 + birth) * 1000 + sequence
        blank = np.int64(-1)
        return cls(valid, np.where(valid, region, blank), np.where(valid, birth, blank),
                   np.where(valid, sequence, blank), np.where(valid, number, blank))

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> "IdParts":
        """From a normalised frame (``Records.norm``); a frame without ID columns has none."""
        if "id_full" not in frame.columns or "id_status" not in frame.columns:
            blank = np.full(len(frame), "", dtype=object)
            return cls.of(blank, blank)
        return cls.of(frame["id_full"].to_numpy(dtype=object), frame["id_status"].to_numpy(dtype=object))

    def relation(self, pairs: np.ndarray, other: "IdParts | None" = None) -> np.ndarray:
        """int8 (p,) codes of ``RELATIONS`` for pairs (p, 2): column 0 indexes these parts,
        column 1 ``other`` (default: these parts again)."""
        other = self if other is None else other
        left, right = pairs[:, 0], pairs[:, 1]
        both = self.valid[left] & other.valid[right]
        changed = ((self.region[left] != other.region[right]).astype(np.int8)
                   + (self.birth[left] != other.birth[right]) + (self.sequence[left] != other.sequence[right]))
        out = np.full(len(pairs), UNKNOWN, dtype=np.int8)
        out[both & (changed == 0)] = SAME
        one = both & (changed == 1)
        out[one & (self.region[left] != other.region[right])] = REGION_ONLY
        out[one & (self.birth[left] != other.birth[right])] = BIRTH_ONLY
        out[one & (self.sequence[left] != other.sequence[right])] = SEQUENCE_ONLY
        out[both & (changed >= 2)] = DIFFERENT
        return out

    def cannot(self, pairs: np.ndarray, other: "IdParts | None" = None) -> np.ndarray:
        """bool (p,): the pairs that cannot be one woman (two valid numbers, two parts apart)."""
        other = self if other is None else other
        left, right = pairs[:, 0], pairs[:, 1]
        both = self.valid[left] & other.valid[right]
        if not both.any():
            return both
        changed = ((self.region[left] != other.region[right]).astype(np.int8)
                   + (self.birth[left] != other.birth[right]) + (self.sequence[left] != other.sequence[right]))
        return both & (changed >= 2)


def cannot_be_one_woman(left: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
    """bool (p,): the candidate pairs that can never be one woman (see the module docstring).

    left: normalised records (``Records.norm``); pairs: int (p, 2), column 0 rows of ``left``,
    column 1 rows of ``right`` (default ``left``, when deduplicating)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    parts = IdParts.of_frame(left)
    return parts.cannot(pairs, None if right is None or right is left else IdParts.of_frame(right))


def keep_apart(left: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
    """int8 (p,) for candidate pairs (as ``cannot_be_one_woman``): ``NEVER`` where they cannot be
    one woman, ``UNLESS_MATCHED`` where both hold valid numbers one part apart (one woman only if
    their own comparison says so), 0 elsewhere."""
    relation = id_relations(left, pairs, right)
    out = np.zeros(len(relation), dtype=np.int8)
    out[np.isin(relation, EXPLAINED)] = UNLESS_MATCHED
    out[relation == DIFFERENT] = NEVER
    return out


def id_relations(left: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
    """int8 (p,) codes of ``RELATIONS`` for candidate pairs (as ``cannot_be_one_woman``)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    parts = IdParts.of_frame(left)
    return parts.relation(pairs, None if right is None or right is left else IdParts.of_frame(right))


def relation(full_l, status_l, full_r, status_r) -> np.ndarray:
    """``RELATIONS`` names (object (p,)) of two aligned columns of numbers and statuses (p,)."""
    parts_l, parts_r = IdParts.of(full_l, status_l), IdParts.of(full_r, status_r)
    rows = np.arange(len(parts_l.valid), dtype=np.int64)
    return np.asarray(RELATIONS, dtype=object)[parts_l.relation(np.c_[rows, rows], parts_r)]


def effective_sex(recorded, id_sex, id_status) -> np.ndarray:
    """Her sex, object (n,) of 'F' / 'M' / '': the sex digit of a valid ID number wins over the
    recorded sex (a wrong 男/女 is a data-entry error); else the recorded sex; else the sex
    digit of a legacy or failing number."""
    recorded, id_sex = np.asarray(recorded, dtype=object), np.asarray(id_sex, dtype=object)
    valid = np.asarray(id_status, dtype=object) == "valid"
    return np.where(valid & (id_sex != ""), id_sex, np.where(recorded != "", recorded, id_sex)).astype(object)
