"""The managing-unit rules (统计口径) as data, and how administrative codes are matched.

A ``RuleSet`` is an ordered list of named ``Rule`` s.  The default follows the current
statistical rules for people living away from their registered household:

1. ``residence_6_months`` (location): she has lived at her current residence six months or
   more before ``as_of`` -> the unit of her residence manages (以现居住地为主);
2. ``household_registration`` (location): otherwise the unit of her household
   registration (户籍地) manages.  "Otherwise" means known otherwise: when her time at the
   residence is unknown (no start date) or her records disagree on it, the household rule
   decides only if it names the same place; else she goes to verification;
3. tie-breaks, when several records are in the deciding unit or there are no usable
   residence/household codes: ``nearest_residence`` the record held where she lives (her
   street's own record, or her community's, before a neighbour's) unless she is known to have
   lived there under six months, ``nearest_household`` the record held where she is
   registered, then ``earlier_registered``
   the record entered first (建档日期), then ``more_complete`` the record with more fields
   filled in;
4. anything still open is ``undetermined``: no record is kept, cancelled or transferred.

Location rules come first, tie-break rules after; the first location rule that finds a
unit ends the location step.  An office replaces the default with a JSON or TOML file
(``load_rules``), e.g. in TOML::

    format_version = 1
    name = "本区口径"
    [[rules]]
    name = "residence_6_months"
    kind = "location"
    field = "residence_code"
    since_field = "residence_since"
    min_months = 6

How codes match
---------------
A code is read at the GB/T 2260 levels province (2 digits), city (4), county (6), street
(9) and community (12).  ``significant_code`` cuts a code to the longest level it holds
(an 8-digit code is read as its 6-digit county, 13 or more digits as the 12-digit community),
then drops the zero padding of coarser levels: ``330106000000`` -> ``330106`` (county),
``330100`` -> ``3301`` (city), ``330000`` -> ``33``.  Codes of fewer than 6 digits are unusable.
Two codes *match* when one significant code is a prefix of the other, i.e. they agree at
the finest level both have: the street ``330106001`` matches the county ``330106`` and the
community ``330106001003``, but not the street ``330106002``.  ``match_depth`` is the number
of leading digits, at level boundaries, on which two codes agree (0, 2, 4, 6, 9 or 12).

>>> significant_codes(["330106001003", "330106000000", "330100", "3301", ""]).tolist()
['330106001003', '330106', '3301', '', '']
>>> codes_match(["330106001", "330106001", "330106001"], ["330106", "330106001003", "330106002"]).tolist()
[True, True, False]
>>> match_depth(["330106001", "330106001"], ["330106002", "330108001"]).tolist()
[6, 4]
>>> [rule.name for rule in DEFAULT_RULES.rules]
['residence_6_months', 'household_registration', 'nearest_residence', 'nearest_household', 'earlier_registered', 'more_complete']
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from linkage.errors import ConfigError

FORMAT_VERSION = 1
LEVELS = (2, 4, 6, 9, 12)
"""Digits of the province, city, county, street and community levels."""

LOCATION_KINDS = ("location",)
TIE_KINDS = ("nearest", "earliest", "latest", "most_complete")
RULE_KINDS = LOCATION_KINDS + TIE_KINDS
CODE_FIELDS = ("residence_code", "hukou_code")
DATE_FIELDS = ("residence_since", "registered_date", "birth_date", "marriage_date")
COMPLETENESS_FIELDS = (
    "id_number", "birth", "phone", "spouse_name", "spouse_id", "hukou_code", "hukou_address",
    "residence_code", "residence_address", "residence_since", "registered_date", "marital_status",
    "marriage_date", "contraception", "work_unit", "ethnicity",
)
"""Normalised columns counted by the default ``more_complete`` rule (filled = non-blank)."""


@dataclass(frozen=True)
class Rule:
    """One named rule.

    kind 'location': the managing unit is the code in ``field`` (a record's residence or
        household code); with ``since_field`` it counts only when that date is at least
        ``min_months`` before ``as_of``.  It is known not to apply when no record holds a
        code or the date is known and too recent; it is *unknown* when the date is missing
        or the records' codes disagree.  ``if_unknown='verify'`` (default): then only a later
        rule naming the same place may decide, else she goes to verification (an unknown is
        never read as 'no'); ``'next'``: go on as if it did not apply.
    kind 'nearest': among the records still tied keep those whose unit is nearest her code in
        ``field`` (deepest match; among units that match, the same level first: a street's own
        record before one of its communities').  Her code is read as a location rule reads it;
        with ``min_months`` the rule does not apply when she is known to have been there less
        than that long (an unknown start does not stop it).
    kind 'earliest' / 'latest': among the records still tied keep those with the earliest
        (latest) date in ``field``; does not apply when a tied record lacks the date.
    kind 'most_complete': keep the tied records with the most of ``fields`` filled in.
    """

    name: str
    kind: str
    field: str = ""
    since_field: str = ""
    min_months: int = 0
    fields: tuple[str, ...] = ()
    label: str = ""
    if_unknown: str = "verify"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        for key in ("field", "since_field", "label"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.min_months:
            data["min_months"] = self.min_months
        if self.kind == "location":
            data["if_unknown"] = self.if_unknown
        if self.fields:
            data["fields"] = list(self.fields)
        return data

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "rule") -> "Rule":
        """Build and check one rule; ConfigError says which rule and what is wrong."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table/object, got {type(data).__name__}")
        unknown = set(data) - {"name", "kind", "field", "since_field", "min_months", "fields", "label", "if_unknown"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        name, kind = data.get("name"), data.get("kind")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: 'name' must be a non-empty string")
        where = f"{where} ({name!r})"
        if kind not in RULE_KINDS:
            raise ConfigError(f"{where}: unknown kind {kind!r}; use one of {', '.join(RULE_KINDS)}")
        months = data.get("min_months", 0)
        if isinstance(months, bool) or not isinstance(months, int) or months < 0:
            raise ConfigError(f"{where}: 'min_months' must be a whole number >= 0, got {months!r}")
        fields = data.get("fields", [])
        if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
            raise ConfigError(f"{where}: 'fields' must be a list of column names")
        rule = cls(name=name.strip(), kind=kind, field=str(data.get("field", "")),
                   since_field=str(data.get("since_field", "")), min_months=months,
                   fields=tuple(fields), label=str(data.get("label", "")),
                   if_unknown=str(data.get("if_unknown", "verify")))
        rule._check(where)
        return rule

    def _check(self, where: str) -> None:
        if self.kind in ("location", "nearest"):
            if self.field not in CODE_FIELDS:
                raise ConfigError(f"{where}: 'field' must be one of {', '.join(CODE_FIELDS)}, got {self.field!r}")
            if self.since_field and self.since_field not in DATE_FIELDS:
                raise ConfigError(f"{where}: 'since_field' must be one of {', '.join(DATE_FIELDS)}")
            if self.if_unknown not in ("verify", "next"):
                raise ConfigError(f"{where}: 'if_unknown' must be 'verify' or 'next', got {self.if_unknown!r}")
        elif self.kind in ("earliest", "latest"):
            if self.field not in DATE_FIELDS:
                raise ConfigError(f"{where}: 'field' must be a date column ({', '.join(DATE_FIELDS)})")
        elif not self.fields:
            raise ConfigError(f"{where}: 'most_complete' needs a non-empty 'fields' list")


@dataclass(frozen=True)
class RuleSet:
    """An ordered tuple of rules: location rules first, then tie-breaks."""

    rules: tuple[Rule, ...]
    name: str = "default"
    format_version: int = FORMAT_VERSION

    @property
    def location_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind in LOCATION_KINDS)

    @property
    def tie_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind in TIE_KINDS)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every register column the rules read, in rule order."""
        return tuple(dict.fromkeys(c for r in self.rules for c in (r.field, r.since_field, *r.fields) if c))

    def label(self, name: str) -> str:
        """The Chinese label of a rule (its name if it has none)."""
        return next((rule.label or rule.name for rule in self.rules if rule.name == name), name)

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": self.format_version, "name": self.name,
                "rules": [rule.to_dict() for rule in self.rules]}

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<rules>") -> "RuleSet":
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: the top level must be a table/object with 'rules'")
        version = data.get("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ConfigError(f"{source}: format_version {version!r} is not supported (this engine reads {FORMAT_VERSION})")
        items = data.get("rules")
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{source}: 'rules' must be a non-empty list of rules")
        rules = tuple(Rule.from_dict(item, where=f"{source}: rule {i + 1}") for i, item in enumerate(items))
        names = [rule.name for rule in rules]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ConfigError(f"{source}: rule name(s) {repeated} used twice; names must be unique")
        kinds = [rule.kind in LOCATION_KINDS for rule in rules]
        if kinds != sorted(kinds, reverse=True):
            raise ConfigError(f"{source}: location rules must all come before the tie-break rules")
        return cls(rules=rules, name=str(data.get("name", Path(source).stem)), format_version=version)


DEFAULT_RULES = RuleSet(
    name="统计口径(默认)",
    rules=(
        Rule("residence_6_months", "location", field="residence_code", since_field="residence_since",
             min_months=6, label="以现居住地为主(居住满6个月)"),
        Rule("household_registration", "location", field="hukou_code", label="户籍地管理(居住不满6个月或无现居住地)"),
        Rule("nearest_residence", "nearest", field="residence_code", since_field="residence_since",
             min_months=6, label="同一单位内以现居住地为准"),
        Rule("nearest_household", "nearest", field="hukou_code", label="同一单位内以户籍地为准"),
        Rule("earlier_registered", "earliest", field="registered_date", label="建档日期在先"),
        Rule("more_complete", "most_complete", fields=COMPLETENESS_FIELDS, label="信息更完整"),
    ),
)


def load_rules(path: str | os.PathLike) -> RuleSet:
    """Read a rules file (.json or .toml).  Raises ConfigError naming the file and the problem."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such rules file")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise ConfigError(f"{path}: rules must be a .json or .toml file, not {suffix or 'no suffix'!r}")
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()} ({exc})") from exc
    return RuleSet.from_dict(data, source=str(path))


def save_rules(rules: RuleSet, path: str | os.PathLike) -> None:
    """Write a rule set as JSON (UTF-8) that ``load_rules`` reads back."""
    Path(path).write_text(json.dumps(rules.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def significant_code(code: str) -> str:
    """One code at its finest level, zero padding of coarser levels dropped ('' if unusable)."""
    digits = "".join(ch for ch in str(code) if ch in "0123456789")
    level = max((size for size in (12, 9, 6) if size <= len(digits)), default=0)
    code = digits[:level]
    for size, pad in ((12, "000"), (9, "000"), (6, "00"), (4, "00")):
        if len(code) == size and code.endswith(pad):
            code = code[: size - len(pad)]
    return "" if code in ("", "00") else code


def significant_codes(codes: Iterable[str]) -> np.ndarray:
    """``significant_code`` over a column, once per distinct value; object array (n,)."""
    series = pd.Series(list(codes) if not isinstance(codes, (pd.Series, np.ndarray)) else codes, dtype=object)
    positions, distinct = pd.factorize(series.fillna(""), use_na_sentinel=False)
    mapped = np.array([significant_code(value) for value in distinct] + [""], dtype=object)[:-1]
    return mapped[positions]


def _code_bytes(codes: Iterable[str]) -> np.ndarray:
    """uint8 matrix (n, 12) of significant codes, zero-padded on the right (converted once per
    distinct code: a column holds a few thousand units among many records)."""
    array = np.asarray(codes, dtype=object)
    positions, distinct = pd.factorize(array, use_na_sentinel=False)
    table = np.asarray(np.asarray(distinct, dtype=object).astype(str), dtype="S12")
    return table.view(np.uint8).reshape(len(table), 12)[positions]


def code_lengths(codes: Iterable[str]) -> np.ndarray:
    """int64 (n,): digits in each significant code."""
    return _lengths(_code_bytes(codes))


def match_depth(left: Iterable[str], right: Iterable[str]) -> np.ndarray:
    """Leading digits, at level boundaries, on which two significant codes agree; int64 (n,)."""
    return _depth(_code_bytes(left), _code_bytes(right))


def codes_match(left: Iterable[str], right: Iterable[str]) -> np.ndarray:
    """True where one significant code is a prefix of the other (both usable); bool (n,)."""
    a, b = _code_bytes(left), _code_bytes(right)
    shorter = np.minimum(_lengths(a), _lengths(b))
    return (shorter > 0) & (_depth(a, b) == shorter)


def _lengths(matrix: np.ndarray) -> np.ndarray:
    return (matrix != 0).sum(axis=1)


def _depth(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    common = np.cumprod((a == b) & (a != 0), axis=1).sum(axis=1)
    levels = np.array((0,) + LEVELS)
    return levels[np.searchsorted(levels, common, side="right") - 1].astype(np.int64)


def managing_unit_for_records(norm: pd.DataFrame, *, as_of: Any, rules: RuleSet | None = None) -> pd.DataFrame:
    """The managing unit of each record on its own (for household/residence separation, 人户分离).

    norm: normalised register (``linkage.prepare``), shape (n, m).  Returns a frame of n rows in
    the same order: record_id, managing_unit_code, rule, evidence, status ('decided' /
    'undetermined'), action ('keep': her own unit manages; 'transfer_out': the code in
    managing_unit_code manages; 'verify': no location rule applies).  Only location rules
    run: with one record there is nothing to tie-break.
    """
    from .decide import locate_records  # the rule engine lives with the group decision

    return locate_records(norm, as_of=as_of, rules=rules or DEFAULT_RULES)
