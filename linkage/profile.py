"""Field profiles: how a kind of register is read, blocked and compared.

The pipeline is the same for every register; a profile supplies the parts that depend on
the fields.  ``RegisterProfile`` is the Chinese WIS register of SCHEMA.md (the default);
``linkage.generic.GenericProfile`` runs other registers such as FEBRL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

import blocking
import scoring
from scoring import MatchModel

from .identity import keep_apart
from .io import load
from .prepare import Records, prepare


class Profile(Protocol):
    """What the pipeline needs from a register profile.

    load(source) -> Records with ``norm`` holding at least ``record_id``;
    block(norm) -> int64 (p, 2), i < j;  block_link(left, right) -> int64 (p, 2);
    compare(left, right, pairs) -> features with ``matrix`` float32 (p, f) and ``names``;
    keep_apart(norm, pairs, right=None) -> int8 (p,): 2 for pairs that can never be one person,
    1 for pairs that may be one only if they match themselves, 0 else (``right`` is the second
    table when linking; ``linkage.identity.keep_apart``);  default_model() -> MatchModel;
    spec() -> dict, what a model for this profile must have been trained under.
    """

    name: str

    def load(self, source: Any, *, role: str = "register") -> Records: ...

    def block(self, norm: pd.DataFrame) -> np.ndarray: ...

    def block_link(self, left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray: ...

    def compare(self, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> Any: ...

    def keep_apart(self, norm: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray: ...

    def default_model(self) -> Any: ...

    def spec(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RegisterProfile:
    """The Chinese WIS register (SCHEMA.md): ID numbers, Chinese names, dates, spouse, phone."""

    name: str = "register"
    managing_units: bool = True

    def load(self, source: Any, *, role: str = "register") -> Records:
        """role 'register' requires record_id, unit_code and name; 'extract' only record_id."""
        required = ("record_id",) if role == "extract" else None
        return prepare(load(source, required=required), women=role != "extract")

    def block(self, norm: pd.DataFrame, *, stats: Any = None, keys: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """stats: a ``blocking.kernels.BlockStats`` told the oversized blocks skipped; keys: a dict
        filled with the register's blocking keys (``blocking.block_keys``) for its state."""
        return blocking.block(norm, stats=stats, keys=keys)

    def block_link(self, left: pd.DataFrame, right: pd.DataFrame, *, stats: Any = None) -> np.ndarray:
        return blocking.block_link(left, right, stats=stats)

    def compare(self, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray) -> scoring.Features:
        return scoring.compare(left, right, pairs)

    def keep_apart(self, norm: pd.DataFrame, pairs: np.ndarray, right: pd.DataFrame | None = None) -> np.ndarray:
        return keep_apart(norm, pairs, right)

    def default_model(self) -> MatchModel:
        return scoring.default_model()

    def spec(self) -> dict[str, Any]:
        return scoring.register_model_spec()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "register", "name": self.name}
