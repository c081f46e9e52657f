"""Scoring candidate pairs in chunks: features, probabilities, and reasons for the pairs a
person will look at.  Memory stays bounded whatever the number of pairs.

``score_pairs`` takes a *profile* (anything with ``compare(left, right, pairs)`` returning
features with a ``matrix``), the fitted model, the two normalised frames and the pairs;
``load_model`` finds the model (an object, a JSON file, or the profile's default) and checks
that it was trained under the profile's spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.errors import ConfigError
from linkage.messages import text
from linkage.parallel import can_fork, side_by_side
from linkage.progress import Progress

from .model import MatchModel

CHUNK_PAIRS = 500_000
"""Pairs scored at a time: features of one chunk take about 100 MB."""

DEFAULT_REVIEW_THRESHOLD = 0.3


@dataclass(frozen=True)
class Scored:
    """pairs: int64 (p, 2) row positions (left, right); probabilities: float64 (p,);
    reasons: object (p,) — text for pairs at or above ``review_threshold``, '' below;
    threshold: the match threshold used."""

    pairs: np.ndarray
    probabilities: np.ndarray
    reasons: np.ndarray
    threshold: float
    review_threshold: float

    def table(self, left: pd.DataFrame, right: pd.DataFrame, floor: float | None = None,
              mask: np.ndarray | None = None) -> pd.DataFrame:
        """record_id_l, record_id_r, probability, reasons, match, names and units of both."""
        keep = np.ones(len(self.pairs), dtype=bool) if mask is None else mask.copy()
        if floor is not None:
            keep &= self.probabilities >= floor
        rows = np.flatnonzero(keep)
        rows = rows[np.argsort(-self.probabilities[rows], kind="stable")]
        l, r = self.pairs[rows, 0], self.pairs[rows, 1]
        table = pd.DataFrame({
            "record_id_l": left["record_id"].to_numpy(dtype=object)[l],
            "record_id_r": right["record_id"].to_numpy(dtype=object)[r],
            "probability": np.round(self.probabilities[rows], 4),
            "reasons": self.reasons[rows],
            "match": self.probabilities[rows] >= self.threshold,
        })
        for column in ("name", "unit_code"):
            if column in left.columns and column in right.columns:
                table[f"{column}_l"] = left[column].to_numpy(dtype=object)[l]
                table[f"{column}_r"] = right[column].to_numpy(dtype=object)[r]
        return table


def load_model(model: Any, profile: Any) -> Any:
    """A MatchModel from an object, a JSON path, or the profile's default (``None``).  A model
    given by the caller must have been trained under ``profile.spec()`` (ConfigError else)."""
    if model is None:
        return profile.default_model()
    source = "the model"
    if isinstance(model, (str, os.PathLike)):
        if not os.path.isfile(model):
            raise ConfigError(f"{model}: no such model file")
        source, model = str(model), MatchModel.from_json(model)
    if isinstance(model, MatchModel):
        model.check_spec(profile.spec(), source=source)
    return model


def score_pairs(
    profile: Any,
    model: Any,
    left: pd.DataFrame,
    right: pd.DataFrame,
    pairs: np.ndarray,
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK_PAIRS,
) -> Scored:
    """Probabilities of every pair, and reasons of those at or above the review threshold."""
    progress = progress or Progress()
    if threshold is None:
        threshold = float(getattr(model, "threshold_", 0.5))
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold {threshold} is not a probability between 0 and 1")
    if review_threshold is None:
        review_threshold = min(DEFAULT_REVIEW_THRESHOLD, threshold)
    progress.stage(text("stage.scoring", n=len(pairs)))
    n = len(pairs)
    if n < PARALLEL_FROM or not can_fork():
        probabilities, reasons = _score_range(profile, model, left, right, pairs, review_threshold, chunk, progress, 1)
    else:  # two halves side by side (linkage.parallel); each pair's score is its own: the same floats
        middle = (n + 1) // 2 if n <= chunk else -(-((n + 1) // 2) // chunk) * chunk
        (first, first_reasons), (second, second_reasons) = side_by_side(
            lambda: _score_range(profile, model, left, right, pairs[:middle], review_threshold, chunk, progress,
                                 n / max(middle, 1)),
            lambda: _score_range(profile, model, left, right, pairs[middle:], review_threshold, chunk, None, 1))
        probabilities, reasons = np.concatenate([first, second]), np.concatenate([first_reasons, second_reasons])
        progress.step(n, n)
    return Scored(pairs, probabilities, reasons, float(threshold), float(review_threshold))


PARALLEL_FROM = 100_000
"""Pairs from which two processes score half each (``linkage.parallel``)."""


def _score_range(profile: Any, model: Any, left: pd.DataFrame, right: pd.DataFrame, pairs: np.ndarray,
                 review_threshold: float, chunk: int, progress: Progress | None,
                 scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities float64 (p,), reasons object (p,), '' below ``review_threshold``) of
    ``pairs``, ``chunk`` pairs at a time; ``progress`` told the pairs done times ``scale`` (the
    other half runs beside this one)."""
    probabilities = np.zeros(len(pairs), dtype=np.float64)
    reasons = np.full(len(pairs), "", dtype=object)
    total = int(round(len(pairs) * scale))
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        features = profile.compare(left, right, part)
        probs = model.predict_proba(features.matrix)
        probabilities[start : start + len(part)] = probs
        shown = np.flatnonzero(probs >= review_threshold)
        if len(shown):
            reasons[start + shown] = model.explain(features.matrix[shown], top=3)
        if progress is not None:
            progress.step(min(int(round((start + len(part)) * scale)), total), total)
    return probabilities, reasons
