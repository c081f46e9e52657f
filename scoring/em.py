"""An unsupervised model: Fellegi-Sunter with u from random pairs and m by expectation
maximisation, for users who have no labelled pairs (the generic profile's default).

Each comparison (the features of one field: ``given_name:exact``, ``given_name:jw95`` ...)
is one categorical variable whose level is the grade that holds (none: 'different').  u, the
share of each level among non-matches, is counted on random record pairs (almost all of
them non-matches); m, the share among matches, and the share of matches among candidate
pairs are estimated by EM over the blocked pairs with u fixed (Splink's recipe).  A missing
value is neutral (m = u).  The Fellegi-Sunter log-odds are a sum of one weight per level,
so the result is an exact ``MatchModel`` (``MatchModel.from_weights``): intercept = prior
log-odds + the 'different' weight of every comparison, coefficient of a level = its weight
minus the 'different' weight.

EM runs over the distinct comparison patterns with their counts, not over pairs.

>>> X = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 1]], dtype=np.float32)
>>> R = np.array([[0, 1]] * 50 + [[1, 0]], dtype=np.float32)
>>> model = fit_fellegi_sunter(X, ("a:exact", "a:other"), R)
>>> bool(model.predict_proba(X[:1])[0] > model.predict_proba(X[2:3])[0])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .model import MatchModel

SMOOTHING = 0.5
"""Added to every level count before shares are taken, so no weight is infinite."""


def _levels(matrix: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, list[tuple[str, list[int]]]]:
    """Level of each pair in each comparison: int64 (p, g) (0 = none of the grades), and per
    comparison its name and the binary columns of its levels 1..L."""
    binary = np.all((matrix == 0) | (matrix == 1), axis=0) if len(matrix) else np.ones(len(names), dtype=bool)
    groups: dict[str, list[int]] = {}
    for column, name in enumerate(names):
        if binary[column] and not name.endswith(":similarity"):
            groups.setdefault(name.split(":", 1)[0], []).append(column)
    comparisons = list(groups.items())
    levels = np.zeros((len(matrix), len(comparisons)), dtype=np.int64)
    for g, (_, columns) in enumerate(comparisons):
        block = matrix[:, columns]
        levels[:, g] = np.where(block.any(axis=1), block.argmax(axis=1) + 1, 0)
    return levels, comparisons


def _shares(levels: np.ndarray, weights: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """Weighted share of each level of each comparison (smoothed)."""
    out = []
    for g, size in enumerate(sizes):
        counts = np.bincount(levels[:, g], weights=weights, minlength=size) + SMOOTHING
        out.append(counts / counts.sum())
    return out


def fit_fellegi_sunter(blocked: np.ndarray, names: tuple[str, ...], random: np.ndarray, *, max_iter: int = 100,
                       threshold: float = 0.5, spec: dict[str, Any] | None = None) -> MatchModel:
    """Fit a Fellegi-Sunter model (see the module docstring).

    blocked: features float32 (p, f) of the candidate pairs; names: their f names; random:
    features (r, f) of random record pairs (for u).  Returns a fitted ``MatchModel``."""
    levels, comparisons = _levels(blocked, names)
    random_levels, _ = _levels(random, names)
    sizes = [len(columns) + 1 for _, columns in comparisons]
    u = _shares(random_levels, np.ones(len(random_levels)), sizes)
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    log_u = sum(np.log(u[g][patterns[:, g]]) for g in range(len(sizes)))
    m = _initial_m(comparisons, sizes)
    prior = 0.1
    for _ in range(max_iter):
        log_m = sum(np.log(m[g][patterns[:, g]]) for g in range(len(sizes)))
        odds = np.exp(np.clip(np.log(prior / (1 - prior)) + log_m - log_u, -700, 700))
        match = odds / (1 + odds)
        new_prior = float((match * counts).sum() / counts.sum())
        new_m = _shares(patterns, match * counts, sizes)
        change = max(abs(new_prior - prior), *(np.abs(a - b).max() for a, b in zip(new_m, m)))
        prior, m = min(max(new_prior, 1e-9), 1 - 1e-9), new_m
        if change < 1e-6:
            break
    coef, intercept = _weights(names, comparisons, m, u, prior)
    return MatchModel.from_weights(names, coef, intercept, threshold=threshold,
                                   binary=[not name.endswith(":similarity") for name in names],
                                   training={"method": "fellegi-sunter em (u from random pairs)", "prior": prior},
                                   spec=spec)


def _initial_m(comparisons: list[tuple[str, list[int]]], sizes: list[int]) -> list[np.ndarray]:
    """Matches start out agreeing: most weight on the first grades after 'missing'."""
    out = []
    for (_, columns), size in zip(comparisons, sizes):
        start = np.full(size, 1.0)
        start[min(2, size - 1)] = 4.0 * size  # level 2 is the first grade after 'missing' (or the only one)
        out.append(start / start.sum())
    return out


def _weights(names: tuple[str, ...], comparisons, m, u, prior: float) -> tuple[np.ndarray, float]:
    """The Fellegi-Sunter weights as logistic coefficients (f,) and intercept."""
    coef = np.zeros(len(names))
    intercept = float(np.log(prior / (1 - prior)))
    for (group, columns), m_g, u_g in zip(comparisons, m, u):
        weights = np.log(m_g / u_g)
        intercept += weights[0]
        for level, column in enumerate(columns, start=1):
            neutral = names[column].endswith(":missing")
            coef[column] = -weights[0] if neutral else weights[level] - weights[0]
    return coef, intercept
