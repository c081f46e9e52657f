"""Scoring: comparison features of candidate pairs and the classifier that turns them into a
match probability with its reasons.

>>> from scoring import compare, default_model
>>> # features = compare(records.norm, records.norm, pairs)
>>> # probabilities = default_model().predict_proba(features)
"""

from .default import default_model, register_model_spec
from .features import FEATURE_NAMES, FEATURE_VERSION, REASON_LABELS, Features, compare, feature_spec
from .model import MatchModel
from .run import Scored, load_model, score_pairs

__all__ = ["compare", "Features", "MatchModel", "default_model", "register_model_spec", "feature_spec",
           "FEATURE_NAMES", "FEATURE_VERSION", "REASON_LABELS", "Scored", "score_pairs", "load_model"]
