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

Codes are matched as ``linkage.codes`` says (a code matches the codes it lies in or holds).

>>> [rule.name for rule in DEFAULT_RULES.rules]
['residence_6_months', 'household_registration', 'nearest_residence', 'nearest_household', 'earlier_registered', 'more_complete']
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkage.errors import ConfigError

FORMAT_VERSION = 1

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
