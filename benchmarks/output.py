"""What a benchmarked tool hands back: candidate pairs and a cluster label per record."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .metrics import components


@dataclass(frozen=True)
class ToolOutput:
    """candidates: int64 (p, 2) row positions (left row, right row) the tool scored;
    labels: int64 (n_left + n_right,) final cluster of every record, left rows first
    (a link's clusters span both tables)."""

    candidates: np.ndarray
    labels: np.ndarray
    extra: dict = field(default_factory=dict)
    """Figures a tool reports beyond these (the scale suite's stages, units, process tree)."""


def from_links(n_left: int, n_right: int | None, candidates: np.ndarray, matches: np.ndarray) -> ToolOutput:
    """ToolOutput of a tool that returns matched pairs (m, 2) and no clusters: the clusters are
    the connected components of the matches (what a user does to get entities from links)."""
    matches = np.asarray(matches, dtype=np.int64).reshape(-1, 2)
    total = n_left + (n_right or 0)
    graph = matches if n_right is None else matches + np.array([0, n_left], dtype=np.int64)
    return ToolOutput(np.asarray(candidates, dtype=np.int64).reshape(-1, 2), components(total, graph))


def positions(values: np.ndarray | pd.Index, table_ids: np.ndarray) -> np.ndarray:
    """Row positions (k,) of record ids ``values`` in a table whose ids are ``table_ids`` (n,)."""
    lookup = pd.Index(table_ids)
    found = lookup.get_indexer(np.asarray(values))
    if (found < 0).any():
        raise KeyError(f"{int((found < 0).sum())} ids not in the table")
    return found.astype(np.int64)
