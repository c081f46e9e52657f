"""The register's model spec and the model shipped with the package.

``register_model_spec()`` is what a register model records and must match to be used: the
profile, the features (``scoring.features``: version and names) and the blocking it was
trained under (``blocking.blocking_spec``).  The default model
(``scoring/data/default_model.json``) is trained on generated registers with known truth
(``python -m benchmarks.train_default``, which also records the generator's seeds and error
models in the model's ``training`` section); an office trains its own on labelled pairs
(``python -m scoring.train``).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from blocking import blocking_spec
from linkage.errors import ConfigError

from .features import FEATURE_NAMES, feature_spec
from .model import DEFAULT_MODEL_RESOURCE, MatchModel


def register_model_spec() -> dict[str, Any]:
    """The spec a model for the WIS register is trained and used under."""
    return {"profile": "register", "features": feature_spec(), "blocking": blocking_spec()}


def default_model() -> MatchModel:
    """The model shipped with the package; ConfigError if it is missing or was trained under
    another spec than this engine runs."""
    resource = resources.files("scoring").joinpath(DEFAULT_MODEL_RESOURCE)
    if not resource.is_file():
        raise ConfigError("the default match model scoring/data/default_model.json is missing from the "
                          "installation; reinstall the package (pip install .)")
    with resources.as_file(resource) as path:
        model = MatchModel.from_json(path, feature_names=FEATURE_NAMES)
    model.check_spec(register_model_spec(), source="the shipped model scoring/data/default_model.json")
    return model
