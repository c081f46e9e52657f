"""The managing-unit rules (统计口径) as data: rules, their conditions, and the shipped presets.

A ``RuleSet`` is an ordered list of named ``Rule`` s: location rules first (each names a place
that manages her), then tie-breaks (which of her records in that place is kept).  The first
location rule that applies ends the location step.  Two presets ship with the package as TOML
files in ``resolve/presets/`` (``linkage rules show NAME`` prints one for an office to copy):

* ``default`` (统计口径(默认)): residence after six months (以现居住地为主), otherwise the
  household registration (户籍地), then the tie-breaks;
* ``couple`` (夫妻双方口径): for a married woman whose spouse's places are filled in, the
  household type, her residence against her own and her husband's household registration,
  six months, both spouses rural (农业), otherwise her household registration; every other
  woman is decided as under ``default``.

A location rule may carry conditions (``when``), each read over all of her active records:

* ``{field = "household_type", in = ["集体户", "空挂户"]}``: the normalised value is one of
  these (columns and values of ``linkage.normalize.household.VOCABULARIES``);
* ``{field = "residence_code", within = "spouse_hukou_code"}``: the two places lie in one
  street (``linkage.codes.street_relation``); it fails when she has no code in ``field`` at
  all (no residence to lie anywhere) and is unknown when ``within`` is blank;
* ``{any_filled = ["spouse_hukou_code", ...]}``: one of these columns holds a value.

A condition is met, failed, *unknown* (its inputs are blank, or a code stops at a county) or
*conflicting* (her records disagree).  ``if_unknown`` / ``if_conflict`` say what then:
``'verify'`` (default: the rule holds her; a later rule may decide only if it names the same
place, else she goes to verification) or ``'next'`` (go on to the next rule, because the caliber
says so).  A blank is never read as 'no' unless the caliber says ``'next'``.  A rule whose
conditions are met but whose place is blank cannot name a unit: it holds her the same way.

A place coarser than a street (a county ``341221``, a city ``3412``) cannot name who manages
her: ``resolve.decide`` sends such a group to verification (管理单位只到县级,须核实到街道).

An office's own file (``load_rules``), e.g. in TOML::

    format_version = 1
    name = "本区口径"
    [[rules]]
    name = "collective_household"
    kind = "location"
    field = "hukou_code"
    when = [{field = "household_type", in = ["集体户", "空挂户"], if_unknown = "next"}]

>>> [rule.name for rule in DEFAULT_RULES.rules]
['residence_6_months', 'household_registration', 'nearest_residence', 'nearest_household', 'earlier_registered', 'more_complete']
>>> [rule.name for rule in load_rules("couple").location_rules]
['collective_household', 'residence_in_own_hukou', 'residence_in_spouse_hukou', 'residence_6_months', 'both_rural', 'household_registration']
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkage.errors import ConfigError
from linkage.normalize.household import VOCABULARIES

FORMAT_VERSION = 1

LOCATION_KINDS = ("location",)
TIE_KINDS = ("nearest", "earliest", "latest", "most_complete")
RULE_KINDS = LOCATION_KINDS + TIE_KINDS
CODE_FIELDS = ("residence_code", "hukou_code", "spouse_hukou_code", "spouse_residence_code")
DATE_FIELDS = ("residence_since", "registered_date", "birth_date", "marriage_date")
FILLABLE_FIELDS = (
    "id_number", "birth", "phone", "spouse_name", "spouse_id", "hukou_code", "hukou_address",
    "residence_code", "residence_address", "residence_since", "registered_date", "marital_status",
    "marriage_date", "contraception", "work_unit", "ethnicity", "pregnancy", "spouse_hukou_code",
    "spouse_residence_code", "spouse_hukou_nature", "spouse_work_unit", "hukou_nature", "household_type",
)
"""Normalised columns an ``any_filled`` condition or a ``most_complete`` rule may name
(``spouse_id``, ``birth``: the normalised spouse ID number and birth date)."""
UNKNOWN_CHOICES = ("verify", "next")
PRESET_DIR = Path(__file__).with_name("presets")
PRESETS = ("default", "couple")
"""Shipped presets: ``resolve/presets/<name>.toml``."""


def _choice(data: dict, key: str, where: str) -> str:
    value = data.get(key, "verify")
    if value not in UNKNOWN_CHOICES:
        raise ConfigError(f"{where}: '{key}' must be 'verify' or 'next', got {value!r}")
    return value


@dataclass(frozen=True)
class Condition:
    """One condition of a location rule (see the module docstring): exactly one of
    ``values`` (key ``in``), ``within`` or ``any_filled`` is set."""

    field: str = ""
    values: tuple[str, ...] = ()
    within: str = ""
    any_filled: tuple[str, ...] = ()
    if_unknown: str = "verify"
    if_conflict: str = "verify"

    @property
    def kind(self) -> str:
        return "in" if self.values else "within" if self.within else "any_filled"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.field, self.within, *self.any_filled) if c)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field} if self.field else {}
        if self.values:
            data["in"] = list(self.values)
        if self.within:
            data["within"] = self.within
        if self.any_filled:
            data["any_filled"] = list(self.any_filled)
        for key in ("if_unknown", "if_conflict"):
            if getattr(self, key) != "verify":
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: Any, *, where: str) -> "Condition":
        """Build and check one condition; ConfigError names the rule, the condition and the key."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table/object, got {type(data).__name__}")
        unknown = set(data) - {"field", "in", "within", "any_filled", "if_unknown", "if_conflict"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        tests = [key for key in ("in", "within", "any_filled") if key in data]
        if len(tests) != 1:
            raise ConfigError(f"{where}: give exactly one of 'in', 'within' or 'any_filled', got {tests or 'none'}")
        field, test = data.get("field", ""), tests[0]
        choices = {"if_unknown": _choice(data, "if_unknown", where), "if_conflict": _choice(data, "if_conflict", where)}
        if test == "any_filled":
            names = data["any_filled"]
            if field:
                raise ConfigError(f"{where}: 'any_filled' takes no 'field'")
            if not isinstance(names, list) or not names or any(n not in FILLABLE_FIELDS for n in names):
                raise ConfigError(f"{where}: 'any_filled' must be a non-empty list of {', '.join(FILLABLE_FIELDS)}")
            return cls(any_filled=tuple(names), **choices)
        if test == "within":
            if field not in CODE_FIELDS or data["within"] not in CODE_FIELDS or field == data["within"]:
                raise ConfigError(f"{where}: 'within' compares two different code columns "
                                  f"({', '.join(CODE_FIELDS)}), got {field!r} within {data['within']!r}")
            return cls(field=field, within=data["within"], **choices)
        if field not in VOCABULARIES:
            raise ConfigError(f"{where}: 'field' of an 'in' condition must be one of {', '.join(VOCABULARIES)}, "
                              f"got {field!r}")
        values = data["in"]
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where}: 'in' must be a non-empty list of values")
        bad = [v for v in values if v not in VOCABULARIES[field]]
        if bad:
            raise ConfigError(f"{where}: {bad} not values of {field}; use {', '.join(VOCABULARIES[field])}")
        return cls(field=field, values=tuple(values), **choices)


@dataclass(frozen=True)
class Rule:
    """One named rule.

    kind 'location': the managing unit is the code in ``field`` (her residence, household or
        her spouse's household code); with ``since_field`` and ``min_months`` it counts only
        when that date is at least ``min_months`` before ``as_of`` (``since_field`` alone only
        says which of disagreeing codes is her latest).  ``when``: conditions that must all be
        met.  It is known not to apply when no record holds a code (and it has no conditions),
        a condition fails, or the date is known and too recent; it is *unknown* when the date
        is missing, the records' codes disagree, or a condition is unknown / conflicting.
        ``if_unknown='verify'`` (default): then only a later rule naming the same place may
        decide, else she goes to verification (an unknown is never read as 'no'); ``'next'``:
        go on as if it did not apply (a condition's own ``if_unknown`` / ``if_conflict`` govern
        that condition).
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
    when: tuple[Condition, ...] = ()

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
        if self.when:
            data["when"] = [condition.to_dict() for condition in self.when]
        return data

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "rule") -> "Rule":
        """Build and check one rule; ConfigError says which rule and what is wrong."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: must be a table/object, got {type(data).__name__}")
        unknown = set(data) - {"name", "kind", "field", "since_field", "min_months", "fields", "label", "if_unknown",
                               "when"}
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
        when = data.get("when", [])
        if not isinstance(when, list):
            raise ConfigError(f"{where}: 'when' must be a list of conditions")
        if when and kind != "location":
            raise ConfigError(f"{where}: only a location rule takes 'when' conditions")
        conditions = tuple(Condition.from_dict(item, where=f"{where}: when {i + 1}") for i, item in enumerate(when))
        rule = cls(name=name.strip(), kind=kind, field=str(data.get("field", "")),
                   since_field=str(data.get("since_field", "")), min_months=months,
                   fields=tuple(fields), label=str(data.get("label", "")),
                   if_unknown=str(data.get("if_unknown", "verify")), when=conditions)
        rule._check(where)
        return rule

    def _check(self, where: str) -> None:
        if self.kind in ("location", "nearest"):
            if self.field not in CODE_FIELDS:
                raise ConfigError(f"{where}: 'field' must be one of {', '.join(CODE_FIELDS)}, got {self.field!r}")
            if self.since_field and self.since_field not in DATE_FIELDS:
                raise ConfigError(f"{where}: 'since_field' must be one of {', '.join(DATE_FIELDS)}")
            if self.min_months and not self.since_field:
                raise ConfigError(f"{where}: 'min_months' needs a 'since_field' to count from")
            if self.if_unknown not in UNKNOWN_CHOICES:
                raise ConfigError(f"{where}: 'if_unknown' must be 'verify' or 'next', got {self.if_unknown!r}")
        elif self.kind in ("earliest", "latest"):
            if self.field not in DATE_FIELDS:
                raise ConfigError(f"{where}: 'field' must be a date column ({', '.join(DATE_FIELDS)})")
        elif not self.fields:
            raise ConfigError(f"{where}: 'most_complete' needs a non-empty 'fields' list")
        else:
            bad = [f for f in self.fields if f not in FILLABLE_FIELDS]
            if bad:
                raise ConfigError(f"{where}: 'fields' {bad} are not columns it can count; use {', '.join(FILLABLE_FIELDS)}")


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
        return tuple(dict.fromkeys(c for r in self.rules
                                   for c in (r.field, r.since_field, *r.fields, *(x for w in r.when for x in w.columns))
                                   if c))

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
        unknown = set(data) - {"format_version", "name", "rules"}
        if unknown:
            raise ConfigError(f"{source}: unknown key(s) {sorted(unknown)} at the top level")
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


def preset_text(name: str) -> str:
    """The shipped preset ``name`` as its TOML file says it (comments included), for an office
    to read, copy and edit.  ConfigError for a name that is not a preset."""
    if name not in PRESETS:
        raise ConfigError(f"没有名为 {name!r} 的口径预设 / no rules preset {name!r}; presets: {', '.join(PRESETS)}")
    return (PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8")


def load_preset(name: str) -> RuleSet:
    """The shipped preset ``name`` ('default' or 'couple') as a RuleSet."""
    return RuleSet.from_dict(tomllib.loads(preset_text(name)), source=f"preset {name}")


def load_rules(source: str | os.PathLike) -> RuleSet:
    """A preset by name ('default', 'couple') or a rules file (.json or .toml).  Raises
    ConfigError naming the file and the problem."""
    if isinstance(source, str) and source in PRESETS:
        return load_preset(source)
    path = Path(source)
    if not path.is_file():
        hint = "" if path.suffix else f" (shipped presets: {', '.join(PRESETS)})"
        raise ConfigError(f"{path}: no such rules file{hint}")
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


DEFAULT_RULES = load_preset("default")
"""The default caliber (``resolve/presets/default.toml``)."""
