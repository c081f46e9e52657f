"""The match classifier: logistic regression over the comparison features, saved as JSON.

A logistic model is a weight per feature: the log-odds of a pair is the intercept plus the
sum of the weights of what the pair shows, so each comparison's share of the evidence is
exact and the reasons ("身份证号一致; 姓名同音; 出生日期一致") are the comparisons that moved
the probability most.  Fitting uses scikit-learn; predicting is one matrix product in numpy.

>>> X = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 5, dtype=np.float32)
>>> y = np.array([1, 0, 1, 0] * 5)
>>> model = MatchModel(C=10.0).fit(X, y, names=("id:equal", "id:different"))
>>> bool(model.predict_proba(X[:1])[0] > 0.9), model.explain(X[:1], top=1, codes=True).tolist()
(True, ['id:equal'])
"""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

import numpy as np

from linkage.errors import ConfigError

FORMAT_VERSION = 2
"""2: the model carries ``spec`` (profile, features and their version, blocking) it was trained under."""
KIND = "logistic"
DEFAULT_MODEL_RESOURCE = "data/default_model.json"
RETRAIN_HINT = ("retrain it on labelled pairs under this engine (python -m scoring.train --help), or use the "
                "model shipped with the package (leave out --model)")


def as_weights(weight: np.ndarray | None, n: int) -> np.ndarray:
    """float64 (n,): ``weight`` as floats, ones when None (every pair counted once): the one
    default of a pair's weight, for fitting, choosing a threshold and scoring alike."""
    return np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64)


def _matrix(X: Any) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """A feature matrix (p, f) and its column names if ``X`` is a ``Features``."""
    if hasattr(X, "matrix") and hasattr(X, "names"):
        return np.asarray(X.matrix, dtype=np.float32), tuple(X.names)
    matrix = np.asarray(X, dtype=np.float32)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, 0)
    if matrix.ndim != 2:
        raise ConfigError(f"features must be a 2-d matrix (pairs x features), got shape {matrix.shape}")
    return matrix, None


class _Params:
    """scikit-learn's parameter protocol (``get_params`` / ``set_params``, so ``clone`` and
    grid searches work) without importing scikit-learn, which takes over a second: a batch
    run only predicts, and prediction is numpy.  Parameters are the keyword arguments of
    ``__init__``."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> "_Params":
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; valid: {sorted(valid)}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def _fit_toward(matrix: np.ndarray, y: np.ndarray, weight: np.ndarray | None, coef0: np.ndarray, intercept0: float,
                C: float, scale: np.ndarray, max_iter: int) -> tuple[np.ndarray, float]:
    """Weighted logistic regression with the penalty (1/2C)·Σ((w - coef0)/scale)² (intercept free),
    by L-BFGS from the prior's weights: matrix (p, f), y (p,) 0/1, weight (p,) or None.  The same
    objective as scikit-learn's with C, centred on coef0 (scale as ``shrink``)."""
    from scipy.optimize import minimize

    X = np.where(np.isfinite(matrix), matrix, 0.0).astype(np.float64)  # a non-finite value is no evidence
    y = np.asarray(y, dtype=np.float64)
    w = as_weights(weight, len(y))
    coef0 = np.asarray(coef0, dtype=np.float64)
    penalty = 1.0 / (float(C) * np.asarray(scale, dtype=np.float64) ** 2)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ theta[:-1] + theta[-1]
        loss = float(w @ (np.logaddexp(0.0, z) - y * z))
        residual = w * (0.5 * (1.0 + np.tanh(0.5 * z)) - y)  # sigmoid without overflow
        delta = theta[:-1] - coef0
        grad = np.r_[X.T @ residual + penalty * delta, residual.sum()]
        return loss + 0.5 * float(penalty @ (delta * delta)), grad

    found = minimize(objective, np.r_[coef0, float(intercept0)], jac=True, method="L-BFGS-B",
                     options={"maxiter": max_iter})
    return found.x[:-1], float(found.x[-1])


class MatchModel(_Params):
    """Probability that a candidate pair is one woman.

    Parameters
    ----------
    C : inverse L2 regularisation strength of the logistic regression.
    max_iter : solver iterations.
    threshold : the match threshold recommended with the model (``threshold_`` after fit).
    labels : feature name -> readable reason text (Chinese for the register); names
        without a label are shown as they are.
    shrink : comparison (feature group) -> factor in (0, 1]; the group's columns are scaled by
        it while fitting, which makes the L2 penalty on its weights 1/factor² as strong.  For
        context that a training generator may tie to matches more tightly than real registers
        do (addresses, codes, units, phones).

    Attributes (after ``fit`` or ``from_json``)
    ----------
    coef_ : float64 (f,); intercept_ : float; feature_names_ : tuple of f names;
    threshold_ : float; labels_ : dict; groups_ : comparison of each feature (text before ':');
    binary_ : bool (f,), the 0/1 columns (the ones a reason can name); spec_ : dict, what the
    model was trained under (profile, features and their version, blocking; ``check_spec``);
    training_ : dict, how it was trained (data, seeds, held-out scores).
    """

    def __init__(self, *, C: float = 1.0, max_iter: int = 2000, threshold: float = 0.5,
                 labels: dict[str, str] | None = None, shrink: dict[str, float] | None = None):
        self.C = C
        self.max_iter = max_iter
        self.threshold = threshold
        self.labels = labels
        self.shrink = shrink

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, X: Any, y: np.ndarray, *, names: tuple[str, ...] | None = None,
            sample_weight: np.ndarray | None = None, spec: dict[str, Any] | None = None,
            prior: "MatchModel | None" = None) -> "MatchModel":
        """Fit on X (p, f) (a matrix or ``Features``) and labels y (p,) of 0/1; ``spec`` records
        what the features were made under (see ``check_spec``).  With ``prior`` (a fitted model of
        the same features) the L2 penalty pulls the weights toward the prior's instead of toward 0
        (a Gaussian prior centred on it): few labels correct the prior's weights where they
        disagree with it and leave the rest as they were.  scikit-learn is imported here only: a
        batch run predicts with numpy and never pays its start-up (~3 s)."""
        matrix, own_names = _matrix(X)
        names = tuple(names or own_names or [f"x{i}" for i in range(matrix.shape[1])])
        if len(names) != matrix.shape[1]:
            raise ConfigError(f"{len(names)} feature names for a matrix of {matrix.shape[1]} columns")
        y = np.asarray(y).astype(int)
        if len(np.unique(y)) < 2:
            raise ConfigError("training pairs need both matches and non-matches")
        shrink = dict(self.shrink or {})
        if any(not 0.0 < float(f) <= 1.0 for f in shrink.values()):
            raise ConfigError(f"shrink factors must be in (0, 1], got {shrink}")
        scale = np.array([float(shrink.get(name.split(":", 1)[0], 1.0)) for name in names], dtype=np.float32)
        binary = np.all((matrix == 0) | (matrix == 1), axis=0)
        if prior is not None:
            if tuple(prior.feature_names_) != names:
                raise ConfigError(_mismatch(names, tuple(prior.feature_names_)))
            coef, intercept = _fit_toward(matrix, y, sample_weight, prior.coef_, prior.intercept_,
                                          self.C, scale, self.max_iter)
        else:
            from sklearn.linear_model import LogisticRegression

            fitted = LogisticRegression(C=self.C, max_iter=self.max_iter)
            fitted.fit(matrix * scale, y, sample_weight=sample_weight)
            coef, intercept = fitted.coef_[0] * scale, float(fitted.intercept_[0])
        self._set_state(coef, intercept, names, float(self.threshold), dict(self.labels or {}), binary, spec)
        self.training_ = {}
        return self

    @classmethod
    def from_weights(cls, names: tuple[str, ...], coef: Any, intercept: float, *, threshold: float = 0.5,
                     binary: Any = None, labels: dict[str, str] | None = None, training: dict[str, Any] | None = None,
                     spec: dict[str, Any] | None = None) -> "MatchModel":
        """A fitted model from weights found another way (e.g. Fellegi-Sunter by EM,
        ``scoring.em``): coef (f,) for the f ``names``, the intercept, the threshold."""
        names = tuple(names)
        coef = np.asarray(coef, dtype=np.float64)
        if coef.shape != (len(names),):
            raise ConfigError(f"{len(names)} feature names but {coef.size} weights")
        binary = np.ones(len(names), dtype=bool) if binary is None else np.asarray(binary, dtype=bool)
        model = cls(threshold=float(threshold), labels=labels)
        model._set_state(coef, float(intercept), names, float(threshold), dict(labels or {}), binary, spec)
        model.training_ = dict(training or {})
        return model

    def _set_state(self, coef, intercept: float, names: tuple[str, ...], threshold: float,
                   labels: dict[str, str], binary: np.ndarray, spec: dict[str, Any] | None = None) -> None:
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = float(intercept)
        self.feature_names_ = tuple(names)
        self.n_features_in_ = len(names)
        self.threshold_ = float(threshold)
        self.labels_ = labels
        self.groups_ = tuple(name.split(":", 1)[0] for name in names)
        self.binary_ = np.asarray(binary, dtype=bool)
        self.spec_ = dict(spec or {})

    def check_spec(self, expected: dict[str, Any], *, source: str = "the model") -> None:
        """ConfigError unless the model was trained under ``expected`` (the running engine's
        profile, feature version and names, blocking): a model trained under other blocking or
        other features would give probabilities that mean something else."""
        self._checked(np.zeros((0, 0)))
        found = self.spec_
        for key in expected:
            if found.get(key) != expected[key]:
                raise ConfigError(f"{source} was trained under another {key} than this engine runs "
                                  f"({_describe(key, found.get(key))} vs {_describe(key, expected[key])}); "
                                  + RETRAIN_HINT)

    # -- predicting -------------------------------------------------------------------------
    def _checked(self, X: Any, names: tuple[str, ...] | None = None) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ConfigError("this MatchModel is not fitted; call fit() or load one with from_json()")
        matrix, own_names = _matrix(X)
        for given in (names, own_names):
            if given is not None and tuple(given) != self.feature_names_:
                raise ConfigError(_mismatch(tuple(given), self.feature_names_))
        if matrix.shape[0] == 0:
            return np.zeros((0, self.n_features_in_), dtype=np.float32)
        if matrix.shape[1] != self.n_features_in_:
            raise ConfigError(f"the model expects {self.n_features_in_} features, got {matrix.shape[1]}; "
                              "score with the features the model was trained on")
        return matrix

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of each pair; float64 (p,).  A non-finite feature value counts as 0 (no evidence)."""
        matrix = self._checked(X)
        logit = np.full(len(matrix), self.intercept_, dtype=np.float64)
        for j in np.flatnonzero(self.coef_):  # column by column: no float64 copy of the whole matrix
            column = matrix[:, j]
            if not np.isfinite(column).all():
                column = np.where(np.isfinite(column), column, 0.0)
            logit += self.coef_[j] * column
        return logit

    def predict_proba(self, X: Any) -> np.ndarray:
        """Match probability of each pair; float64 (p,) in [0, 1]."""
        z = np.clip(self.decision_function(X), -700.0, 700.0)
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, X: Any) -> np.ndarray:
        """bool (p,): probability at or above ``threshold_``."""
        return self.predict_proba(X) >= self.threshold_

    # -- reasons ----------------------------------------------------------------------------
    def contributions(self, X: Any, names: tuple[str, ...] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
        """Each comparison's share of the log-odds: float64 (p, g) and the g comparison names.

        A blank field contributes nothing (it is the reference level of every comparison).
        """
        matrix = self._checked(X, names)
        matrix = np.where(np.isfinite(matrix), matrix, 0.0)
        groups = tuple(dict.fromkeys(self.groups_))
        member = np.zeros((self.n_features_in_, len(groups)))
        member[np.arange(self.n_features_in_), [groups.index(g) for g in self.groups_]] = 1.0
        return (matrix.astype(np.float64) * self.coef_) @ member, groups

    def explain(self, X: Any, names: tuple[str, ...] | None = None, top: int = 3, *, codes: bool = False) -> np.ndarray:
        """The reasons of each pair: the ``top`` comparisons that moved the probability most,
        as text joined with '; ' ("身份证号一致; 姓名同音; 出生日期一致"), or their feature
        names with ``codes=True``.  object (p,) of str."""
        matrix = self._checked(X, names)
        matrix = np.where(np.isfinite(matrix), matrix, 0.0).astype(np.float32)
        share, groups = self.contributions(matrix)
        p = len(matrix)
        if p == 0:
            return np.empty(0, dtype=object)
        shown = np.full((p, len(groups)), -1, dtype=np.int64)
        weight = np.abs(matrix.astype(np.float64) * self.coef_)
        for g, group in enumerate(groups):
            columns = np.flatnonzero((np.array(self.groups_) == group) & self.binary_)
            if len(columns) == 0:
                continue
            best = columns[np.argmax(weight[:, columns], axis=1)]
            active = matrix[np.arange(p), best] != 0
            shown[active, g] = best[active]
        order = np.argsort(-np.abs(share), axis=1, kind="stable")[:, : max(int(top), 0)]
        picked = np.take_along_axis(shown, order, axis=1)
        picked[np.take_along_axis(np.abs(share), order, axis=1) < 1e-9] = -1
        text = [self.feature_names_[i] if codes else self.labels_.get(self.feature_names_[i], self.feature_names_[i])
                for i in range(self.n_features_in_)]
        keys, rows = np.unique(picked, axis=0, return_inverse=True)
        joined = np.array(["; ".join(text[i] for i in key if i >= 0) for key in keys] + [""], dtype=object)[:-1]
        return joined[rows.reshape(-1)]

    # -- saving -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted model as plain data (what ``to_json`` writes)."""
        self._checked(np.zeros((0, 0)))
        return {
            "format_version": FORMAT_VERSION,
            "kind": KIND,
            "params": {"C": self.C, "max_iter": self.max_iter, "threshold": self.threshold,
                       "shrink": dict(self.shrink or {})},
            "feature_names": list(self.feature_names_),
            "coef": [float(c) for c in self.coef_],
            "intercept": self.intercept_,
            "threshold": self.threshold_,
            "binary": [bool(b) for b in self.binary_],
            "labels": dict(self.labels_),
            "spec": dict(self.spec_),
            "training": dict(getattr(self, "training_", {})),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, feature_names: tuple[str, ...] | None = None) -> "MatchModel":
        """A model from ``to_dict`` output; ``feature_names`` (if given) must match the model's."""
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION or data.get("kind") != KIND:
            version = data.get("format_version") if isinstance(data, dict) else None
            raise ConfigError(f"not a {KIND} match model of format version {FORMAT_VERSION} "
                              f"(found version {version!r}); " + RETRAIN_HINT)
        try:
            names, coef = tuple(data["feature_names"]), np.asarray(data["coef"], dtype=np.float64)
            params = data.get("params", {})
            model = cls(**{k: v for k, v in params.items() if k in ("C", "max_iter", "threshold", "shrink")})
            if coef.shape != (len(names),):
                raise ConfigError(f"model has {len(names)} feature names but {coef.size} weights")
            binary = np.asarray(data.get("binary", [True] * len(names)), dtype=bool)
            if binary.shape != (len(names),):
                raise ConfigError(f"model has {len(names)} feature names but {binary.size} binary flags")
            model._set_state(coef, float(data["intercept"]), names, float(data["threshold"]),
                             dict(data.get("labels", {})), binary, data.get("spec") or {})
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed match model: {exc!r}") from exc
        model.training_ = dict(data.get("training", {}))
        if feature_names is not None and tuple(feature_names) != names:
            raise ConfigError(_mismatch(names, tuple(feature_names)))
        return model

    def to_json(self, path: str | os.PathLike) -> None:
        """Write the model as UTF-8 JSON (readable; Chinese labels kept as they are)."""
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.to_dict(), handle, ensure_ascii=False, indent=1)
            handle.write("\n")

    @classmethod
    def from_json(cls, path: str | os.PathLike, *, feature_names: tuple[str, ...] | None = None) -> "MatchModel":
        """Read a model written by ``to_json``; ConfigError if it is not one or its features differ."""
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot read a match model ({exc})") from exc
        return cls.from_dict(data, feature_names=feature_names)


def _mismatch(found: tuple[str, ...], expected: tuple[str, ...]) -> str:
    missing = [n for n in expected if n not in found][:5]
    extra = [n for n in found if n not in expected][:5]
    detail = f"missing {missing}, unexpected {extra}" if missing or extra else "same names in a different order"
    return f"the features do not match the model ({len(found)} vs {len(expected)}: {detail}); " + RETRAIN_HINT


def _describe(key: str, value: Any) -> str:
    """A short text for one part of a spec, for error messages."""
    if value is None:
        return "none recorded"
    if isinstance(value, dict) and "version" in value:
        return f"version {value['version']}"
    if isinstance(value, list):
        return f"{len(value)} rules [{', '.join(str(v.get('name', v)) if isinstance(v, dict) else str(v) for v in value)[:80]}]"
    return repr(value)
