"""What every audit rule shares: the rule record, the options, ages, findings rows.

A rule is one small vectorised function over a ``CheckInput`` returning a bool mask of shape
(n,) -- True where the record breaks the rule -- optionally with a detail array of shape (n,)
(str, read only where the mask is True).  ``findings_for`` turns the masks of a registry of
rules into findings rows.

>>> age_at(pd.Series(pd.to_datetime(["2000-02-29", "2000-03-01", None])), pd.Timestamp("2026-02-28")).tolist()
[25.0, 25.0, nan]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..normalize.distinct import per_distinct
from ..normalize.household import CURRENTLY_MARRIED, EVER_MARRIED, MARITAL_STATUSES, UNMARRIED  # noqa: F401 (re-exported)

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


FINDING_COLUMNS = ["record_id", "child_id", "unit_code", "rule", "severity", "field", "message", "value", "detail"]
"""findings.csv: SCHEMA's record_id, rule, severity, field, message, plus the child row, the
holding unit (to route the finding), the value as typed and the evidence read."""


@dataclass(frozen=True)
class AuditOptions:
    """The thresholds the rules read (defaults: the campaign notice and the Marriage Law)."""

    min_age: int = 15
    max_age: int = 49
    legal_marriage_age_female: int = 20
    legal_marriage_age_male: int = 22
    mother_min_age_at_birth: int = 15
    min_birth_interval_days: int = 180
    long_acting_methods: tuple[str, ...] = ("放环", "上环", "宫内节育器", "结扎", "皮埋", "皮下埋植")
    postpartum_days: int = 42
    recent_birth_days: int = 92
    max_women_per_address: int = 4

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["long_acting_methods"] = list(self.long_acting_methods)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AuditOptions":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"audit options: unknown key(s) {unknown}; known keys are {sorted(known)}")
        values = dict(data)
        if "long_acting_methods" in values:
            values["long_acting_methods"] = tuple(str(m) for m in values["long_acting_methods"])
        for key, value in values.items():
            if key != "long_acting_methods" and not isinstance(value, int):
                raise ConfigError(f"audit options: {key!r} must be a whole number, got {value!r}")
        return cls(**values)


@dataclass(frozen=True)
class CheckInput:
    """What a rule reads.

    norm: normalised columns, shape (n, m) (``linkage.prepare.Records.norm`` or the children's);
    raw: the conformed input strings at the same row positions, shape (n, k);
    as_of: the reference date of the clean-up; options: thresholds;
    extra: named arrays of shape (n,) a table's checks prepare once (e.g. the mother's columns).
    """

    norm: pd.DataFrame
    raw: pd.DataFrame
    as_of: pd.Timestamp
    options: AuditOptions = AuditOptions()
    extra: dict[str, Any] | None = None
    _blank: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.norm)

    def raw_blank(self, column: str) -> np.ndarray:
        """The raw value is blank (or white space), bool (n,); computed once per distinct value."""
        if column not in self._blank:
            self._blank[column] = per_distinct(self.raw[column].astype(str), lambda value: not value.strip(),
                                               dtype=bool)
        return self._blank[column]


@dataclass(frozen=True)
class Rule:
    """One named rule: English ``name`` for code, severity, the field it concerns, the Chinese
    message a clerk reads, and ``test(CheckInput) -> mask (n,) | (mask (n,), detail (n,))``."""

    name: str
    severity: str
    field: str
    message: str
    test: Callable[[CheckInput], Any]

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ConfigError(f"rule {self.name!r}: severity must be one of {SEVERITIES}, got {self.severity!r}")

    def describe(self) -> dict[str, str]:
        return {"rule": self.name, "severity": self.severity, "field": self.field, "message": self.message}


def rules_table(rules: tuple[Rule, ...]) -> pd.DataFrame:
    """The registry as a table (rule, severity, field, message), e.g. for documentation."""
    return pd.DataFrame([rule.describe() for rule in rules], columns=["rule", "severity", "field", "message"])


def findings_for(rules: tuple[Rule, ...], data: CheckInput, *, record_ids: np.ndarray, unit_codes: np.ndarray,
                 child_ids: np.ndarray | None = None) -> pd.DataFrame:
    """Run every rule over ``data`` and stack the rows it flags (FINDING_COLUMNS).

    record_ids, unit_codes, child_ids: object arrays of shape (n,) keyed like ``data.norm``.
    """
    parts = []
    for rule in rules:
        hit = rule.test(data)
        mask, detail = hit if isinstance(hit, tuple) else (hit, None)
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(rows):
            continue
        value = data.raw[rule.field].to_numpy(dtype=object)[rows] if rule.field in data.raw else ""
        parts.append(pd.DataFrame({
            "record_id": record_ids[rows],
            "child_id": child_ids[rows] if child_ids is not None else "",
            "unit_code": unit_codes[rows],
            "rule": rule.name,
            "severity": rule.severity,
            "field": rule.field,
            "message": rule.message,
            "value": value,
            "detail": np.asarray(detail, dtype=object)[rows] if detail is not None else "",
        }))
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in FINDING_COLUMNS})
    return pd.concat(parts, ignore_index=True)[FINDING_COLUMNS]


def dates(column: pd.Series | np.ndarray) -> pd.Series:
    """A datetime64[ns] Series with a RangeIndex (NaT where blank)."""
    return pd.Series(pd.to_datetime(np.asarray(column), errors="coerce")).reset_index(drop=True)


def age_at(birth: pd.Series, when: pd.Timestamp | pd.Series) -> pd.Series:
    """Completed years of age at ``when`` (float, NaN where either date is missing), shape (n,)."""
    birth = dates(birth)
    when = pd.Series(when, index=birth.index) if isinstance(when, pd.Timestamp) else dates(when)
    years = when.dt.year - birth.dt.year
    not_yet = (when.dt.month * 100 + when.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    return (years - not_yet.astype(float)).astype(float)


def isin(values: np.ndarray | pd.Series, options) -> np.ndarray:
    """Membership of each value in ``options`` (hashed, fast on object arrays), bool (n,)."""
    return pd.Series(np.asarray(values, dtype=object)).isin(set(options)).to_numpy()


def detail_text(mask: np.ndarray, *parts: object) -> np.ndarray:
    """Concatenate text columns / scalars only where ``mask`` is True; object array (n,), '' elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    out = np.full(len(mask), "", dtype=object)
    rows = np.flatnonzero(mask)
    if not len(rows):
        return out
    text = pd.Series("", index=range(len(rows)), dtype=object)
    for part in parts:
        if isinstance(part, str):
            text = text + part
        else:
            series = part.reset_index(drop=True) if isinstance(part, pd.Series) else pd.Series(part)
            text = text + per_distinct(series.iloc[rows], _show)
    out[rows] = text.to_numpy()
    return out


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return "空"
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        return "空" if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if str(value) != "" else "空"
