"""Scoring: comparison features of candidate pairs and the classifier that turns them into a
match probability with its reasons.

>>> from scoring import compare, default_model
>>> # features = compare(records.norm, records.norm, pairs)
>>> # probabilities = default_model().predict_proba(features)
"""

from .features import FEATURE_NAMES, REASON_LABELS, Features, compare, conflicts
from .model import MatchModel, default_model

__all__ = ["compare", "Features", "MatchModel", "default_model", "conflicts", "FEATURE_NAMES", "REASON_LABELS"]
