"""Training that ships: ``python -m scoring.train`` fits a model from a register and its truth
file (what the generator writes) or from an office's labelled pairs, and the model it writes is
used by ``--model``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import linkage
from benchmarks.generator import generate_register
from linkage.errors import ConfigError
from scoring import MatchModel, register_model_spec
from scoring.train import label_pairs, main
from linkage.io import load
from linkage.prepare import prepare

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    made = generate_register(n_records=3000, seed=5)
    made.register.to_csv(folder / "register.csv", index=False)
    made.truth[["record_id", "person_id"]].to_csv(folder / "truth.csv", index=False)
    return folder, made


def test_train_from_a_register_and_its_truth_file(labelled, tmp_path):
    folder, made = labelled
    out = tmp_path / "model.json"
    done = subprocess.run([sys.executable, "-m", "scoring.train", str(folder / "register.csv"), "--truth",
                           str(folder / "truth.csv"), "-o", str(out)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "recommended" in done.stdout
    model = MatchModel.from_json(out)
    assert model.spec_ == register_model_spec()
    result = linkage.dedupe(folder / "register.csv", model=out, decide=False)
    truth = made.truth.set_index("record_id")["person_id"]
    clusters = result.clusters.set_index("record_id")["cluster_id"]
    same_cluster = clusters.groupby(truth.reindex(clusters.index).to_numpy()).nunique()
    assert (same_cluster == 1).mean() > 0.97  # nearly every woman's records in one cluster


def test_train_from_an_offices_labelled_pairs(labelled, tmp_path):
    folder, made = labelled
    result = linkage.dedupe(folder / "register.csv", decide=False, review_threshold=0.0)  # every candidate pair
    person = made.truth.set_index("record_id")["person_id"]
    pairs = result.pairs[["record_id_l", "record_id_r"]].copy()
    same = person.reindex(pairs["record_id_l"]).to_numpy() == person.reindex(pairs["record_id_r"]).to_numpy()
    pairs["match"] = np.where(same, "是同一人", "不是同一人")
    pairs.loc[pairs.index[:3], "match"] = "不确定"  # a clerk's 'not sure' is skipped, not guessed
    pairs.to_csv(tmp_path / "labels.csv", index=False)
    out = tmp_path / "model.json"
    assert main([str(folder / "register.csv"), "--pairs", str(tmp_path / "labels.csv"), "-o", str(out)]) == 0
    model = MatchModel.from_json(out)
    assert model.training_["pairs"] == len(pairs) - 3


def test_one_sided_labels_are_refused_with_a_clear_message(labelled, tmp_path):
    folder, _ = labelled
    records = prepare(load(folder / "register.csv"))
    ids = records.norm["record_id"].tolist()
    labels = pd.DataFrame({"record_id_l": ids[:4], "record_id_r": ids[4:8], "match": ["0"] * 4})
    labels.to_csv(tmp_path / "labels.csv", index=False)
    code = main([str(folder / "register.csv"), "--pairs", str(tmp_path / "labels.csv"), "-o", str(tmp_path / "m.json")])
    assert code == 2 and not (tmp_path / "m.json").exists()
    with pytest.raises(ConfigError, match="not in the register"):
        label_pairs(records, pd.DataFrame({"record_id_l": ["nobody"], "record_id_r": [ids[0]], "match": ["1"]}))


def test_labels_that_agree_with_the_prior_leave_it_as_it_was():
    """Fitted toward a prior model on pairs labelled as the prior believes them (soft labels: a match
    counted p times, a non-match 1 - p), the weights stay the prior's; with a judged pair that
    contradicts it they move, and only toward the judgement."""
    rng = np.random.default_rng(0)
    X = (rng.random((4000, 3)) < 0.4).astype(np.float32)
    prior = MatchModel.from_weights(("id:equal", "name:equal", "birth:equal"), [3.0, 1.5, 1.0], -3.0)
    p = prior.predict_proba(X)
    doubled, y = np.r_[X, X], np.r_[np.ones(len(X)), np.zeros(len(X))]
    names = prior.feature_names_
    refit = MatchModel(C=0.3).fit(doubled, y, names=names, sample_weight=np.r_[p, 1 - p], prior=prior)
    assert np.allclose(refit.coef_, prior.coef_, atol=1e-3) and abs(refit.intercept_ - prior.intercept_) < 1e-3
    # 200 pairs showing only a name agreement judged the same woman: that weight goes up
    extra = np.tile([[0, 1, 0]], (200, 1)).astype(np.float32)
    moved = MatchModel(C=0.3).fit(np.r_[doubled, extra], np.r_[y, np.ones(200)], names=names,
                                  sample_weight=np.r_[p, 1 - p, np.ones(200)], prior=prior)
    assert moved.coef_[1] > prior.coef_[1] + 0.1
