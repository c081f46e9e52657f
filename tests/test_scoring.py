"""Scoring: every comparator grade on hand-made pairs, the comparator contract, the model's
probabilities, reasons and JSON round trip, and the default model on a generated register."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from linkage.errors import ConfigError
from linkage.io import load
from linkage.normalize.ids import check_character
from linkage.prepare import prepare
from linkage.identity import RELATIONS, cannot_be_one_woman
import linkage
from scoring import FEATURE_NAMES, FEATURE_VERSION, Features, MatchModel, compare, default_model, register_model_spec
from scoring import comparators as cmp
from scoring.features import GRADED


def valid_id(first17: str) -> str:
    return first17 + check_character(first17)


BASE = valid_id("33010619900305002")  # a woman born 1990-03-05 (17th digit even)
TWIN = valid_id("33010619900305004")  # her twin sister: same region and birthday, next sequence
OTHER = valid_id("11010119850101002")


def norm_of(rows: list[dict]) -> pd.DataFrame:
    """A register of hand-made rows, prepared as the pipeline does."""
    frame = pd.DataFrame(rows)
    frame.insert(0, "record_id", [f"r{i}" for i in range(len(frame))])
    if "unit_code" not in frame:
        frame["unit_code"] = "330106001"
    if "name" not in frame:
        frame["name"] = "王芳"
    return prepare(load(frame)).norm


def grades_of(rows: list[dict], comparison: str) -> list[str]:
    """Grade names of pairs (0, 1), (0, 2), ... of hand-made rows."""
    norm = norm_of(rows)
    pairs = np.array([[0, j] for j in range(1, len(norm))])
    return compare(norm, norm, pairs).grade_names(comparison).tolist()


# -- ID numbers -------------------------------------------------------------------------------
def test_id_grades_tell_typos_from_different_women():
    substituted = BASE[:10] + str((int(BASE[10]) + 1) % 10) + BASE[11:]
    transposed = BASE[:8] + BASE[9] + BASE[8] + BASE[10:]
    check_changed = BASE[:17] + ("1" if BASE[17] != "1" else "2")
    legacy = BASE[:6] + BASE[8:17]
    ids = [BASE, BASE, legacy, check_changed, substituted, transposed, OTHER, "", "不详"]
    norm = norm_of([{"id_number": i} for i in ids])
    features = compare(norm, norm, np.array([[0, j] for j in range(1, len(ids))]))
    assert features.grade_names("id").tolist() == [
        "equal", "equal_legacy", "check_only", "substitution", "transposition", "different", "missing", "missing"]
    relations = np.asarray(RELATIONS)[features.grades["id_relation"]].tolist()
    assert relations == ["same", "unknown", "unknown", "unknown", "unknown", "different", "unknown", "unknown"]


def test_twins_differ_only_in_the_sequence_and_a_typo_proves_nothing():
    typo = BASE[:16] + "4" + BASE[17]  # the twin's digit typed into her sister's number: bad check
    norm = norm_of([{"id_number": BASE}, {"id_number": TWIN}, {"id_number": typo}])
    pairs = np.array([[0, 1], [0, 2]])
    features = compare(norm, norm, pairs)
    assert features.grade_names("id").tolist() == ["sequence_only", "sequence_only"]
    assert features.grade_names("id_pair").tolist() == ["sequence_only", "missing"]
    assert cannot_be_one_woman(norm, pairs).tolist() == [False, False]


def test_a_legacy_number_differing_from_a_valid_one_is_compared_not_vetoed():
    legacy_twin = TWIN[:6] + TWIN[8:17]  # the twin's number in the old 15-digit form: no check character
    norm = norm_of([{"id_number": BASE}, {"id_number": legacy_twin}])
    features = compare(norm, norm, np.array([[0, 1]]))
    assert features.grade_names("id").tolist() == ["sequence_only"]
    assert features.grade_names("id_pair").tolist() == ["missing"]
    assert cannot_be_one_woman(norm, np.array([[0, 1]])).tolist() == [False]


def test_different_sexes_are_evidence_not_a_veto():
    norm = norm_of([{"sex": "女"}, {"sex": "男"}, {"sex": ""}, {"sex": "2"}])
    pairs = np.array([[0, 1], [0, 2], [0, 3]])
    features = compare(norm, norm, pairs)
    assert features.grade_names("sex").tolist() == ["disagree", "missing", "agree"]
    assert features.value("sex:disagree").tolist() == [1.0, 0.0, 0.0]
    assert cannot_be_one_woman(norm, pairs).tolist() == [False, False, False]


# -- names ------------------------------------------------------------------------------------
def test_name_grades():
    names = ["王芳", "王芳", "王方", "汪芳", "王丽", "王丽华", "李娜", "", "王芳芳", "芳", "张芳"]
    assert grades_of([{"name": n} for n in names], "name") == [
        "equal", "homophone", "homophone", "one_char", "surname_equal", "different", "missing", "dropped_char",
        "dropped_char", "one_char"]


def test_similar_shaped_and_traditional_names():
    rows = [{"name": "王己"}, {"name": "王已"}, {"name": "王巳"}]
    assert grades_of(rows, "name") == ["similar_shape", "similar_shape"]
    assert grades_of([{"name": "王丽华"}, {"name": "王麗華"}, {"name": "王 丽华"}], "name") == ["equal", "equal"]


def test_homophone_uses_every_reading_of_a_polyphonic_character():
    # 乐 reads le and yue: 曾乐 and 曾悦 share the yue reading although the first readings differ
    assert grades_of([{"name": "曾乐"}, {"name": "曾悦"}], "name") == ["homophone"]


def test_name_similarity_floats():
    score = cmp.jaro_winkler(np.array(["王芳", "王芳", "王芳", ""], dtype=object),
                             np.array(["王芳", "王方", "李娜", "王芳"], dtype=object))
    assert score[0] == 1.0 and 0.5 < score[1] < 1.0 and score[2] == 0.0 and score[3] == 0.0


# -- dates, sex, phone, places, spouse ----------------------------------------------------------
def test_birth_date_grades():
    dates = ["1990-03-05", "1990/3/5", "1990-05-03", "1990-03-15", "1990-02-28", "1990-03-16", "1990-11-30",
             "1985-07-09", "", "90-03-05", "32937", "1990-03", "1990-04-12", "1990-01-01", "1990"]
    assert grades_of([{"birth_date": d} for d in dates], "birth") == [
        "equal", "day_month_swap", "typo", "near", "same_year_month", "same_year", "different", "missing",
        "equal", "equal", "equal_partial", "lunar", "jan1_same_year", "equal_partial"]


def test_birth_from_the_id_number_counts_when_not_recorded():
    norm = norm_of([{"birth_date": "", "id_number": BASE}, {"birth_date": "1990-03-05", "id_number": ""}])
    assert compare(norm, norm, np.array([[0, 1]])).grade_names("birth").tolist() == ["equal"]


def test_phone_unit_and_code_grades():
    rows = [{"phone": "13800138000", "unit_code": "330106001", "hukou_code": "330106"},
            {"phone": "+86 138-0013-8000", "unit_code": "330106001", "hukou_code": "330106"},
            {"phone": "0571-00138000", "unit_code": "330106002", "hukou_code": "330105"},
            {"phone": "13912345678", "unit_code": "330105001", "hukou_code": ""},
            {"phone": "", "unit_code": "", "hukou_code": "330106"}]
    assert grades_of(rows, "phone") == ["equal", "last8_equal", "different", "missing"]
    assert grades_of(rows, "unit") == ["same_unit", "same_district", "different_district", "missing"]
    assert grades_of(rows, "hukou_code") == ["agree", "disagree", "missing", "agree"]


def test_address_grades():
    home = "浙江省杭州市西湖区文三路12号翠苑一区3幢2单元301室"
    rows = [{"residence_address": home}, {"residence_address": home},
            {"residence_address": "西湖区文三路12号翠苑一区3栋2单元301"},
            {"residence_address": "浙江省杭州市西湖区文三路88号"},
            {"residence_address": "江苏省南京市鼓楼区中山路1号"}, {"residence_address": ""}]
    assert grades_of(rows, "residence_address") == ["equal", "high", "medium", "low", "missing"]


def test_spouse_grades():
    husband = valid_id("33010619880101001")
    rows = [{"spouse_id_number": husband, "spouse_name": "张伟"},
            {"spouse_id_number": husband, "spouse_name": "张伟"},
            {"spouse_id_number": husband[:9] + husband[10] + husband[9] + husband[11:], "spouse_name": "张玮"},
            {"spouse_id_number": OTHER, "spouse_name": "李强"}, {"spouse_id_number": "", "spouse_name": ""}]
    assert grades_of(rows, "spouse_id") == ["equal", "typo", "different", "missing"]
    assert grades_of(rows, "spouse_name") == ["equal", "similar", "different", "missing"]


# -- the comparator contract ---------------------------------------------------------------------
STATUS = np.array(["valid", "missing", "legacy15"], dtype=object)
TEXT_COMPARATORS = {
    "id_grade": lambda l, r: cmp.id_grade(l, r, STATUS[: len(l)], STATUS[: len(r)]),
    "spouse_id_grade": lambda l, r: cmp.spouse_id_grade(l, r, STATUS[: len(l)], STATUS[: len(r)]),
    "name_grade": cmp.name_grade, "jaro_winkler": cmp.jaro_winkler, "agree_grade": cmp.agree_grade,
    "phone_grade": cmp.phone_grade, "unit_grade": cmp.unit_grade, "address_grade": cmp.address_grade,
    "text_similarity": cmp.text_similarity,
}


@pytest.mark.parametrize("name", sorted(TEXT_COMPARATORS))
def test_text_comparator_contract(name):
    comparator = TEXT_COMPARATORS[name]
    left = np.array([BASE, "", None], dtype=object)
    right = np.array([BASE, BASE, "王芳"], dtype=object)
    result = comparator(left, right)
    assert result.shape == (3,)
    assert result.dtype in (np.int8, np.float32, bool)
    if result.dtype == np.int8:
        assert result[1] == 0 and result[2] == 0  # blank either side is 'missing'
    empty = comparator(np.array([], dtype=object), np.array([], dtype=object))
    assert empty.shape == (0,)
    same_categories = pd.Categorical([BASE, ""], categories=[BASE, ""])
    assert comparator(same_categories, same_categories).shape == (2,)


def test_date_comparator_contract():
    dates = pd.to_datetime(["1990-03-05", None]).to_numpy()
    assert cmp.date_grade(dates, dates[::-1]).tolist() == [0, 0]
    assert cmp.date_grade(dates[:0], dates[:0]).shape == (0,)


def test_compare_handles_no_pairs_and_absent_columns():
    norm = norm_of([{"name": "王芳"}, {"name": "王方"}])
    empty = compare(norm, norm, np.empty((0, 2), dtype=np.int64))
    assert empty.matrix.shape == (0, len(FEATURE_NAMES))
    bare = pd.DataFrame({"record_id": ["a", "b"], "name": ["王芳", "王芳"]})
    features = compare(bare, bare, np.array([[0, 1]]))
    assert features.grade_names("name").tolist() == ["equal"] and features.grade_names("id").tolist() == ["missing"]


def test_a_replaced_or_edited_column_is_compared_afresh():
    norm = norm_of([{"name": "王芳"}, {"name": "王方"}])
    pairs = np.array([[0, 1]])
    assert compare(norm, norm, pairs).grade_names("name").tolist() == ["homophone"]
    norm["name"] = ["王芳", "王芳"]
    assert compare(norm, norm, pairs).grade_names("name").tolist() == ["equal"]
    norm.loc[1, "name"] = "李娜"  # edited in place: no cache to clear
    assert compare(norm, norm, pairs).grade_names("name").tolist() == ["different"]


def test_link_two_frames_uses_both_sides():
    left = norm_of([{"name": "王芳", "id_number": BASE}])
    right = norm_of([{"name": "李娜", "id_number": OTHER}, {"name": "王方", "id_number": BASE}])
    features = compare(left, right, np.array([[0, 0], [0, 1]]))
    assert features.grade_names("id").tolist() == ["different", "equal"]
    assert features.grade_names("name").tolist() == ["different", "homophone"]


# -- the model ----------------------------------------------------------------------------------
def small_model() -> tuple[MatchModel, Features]:
    """Seven records of four women; the model is fitted on all 21 pairs."""
    people = [0, 0, 1, 2, 1, 3, 1]
    norm = norm_of([{"name": "王芳", "id_number": BASE, "birth_date": "1990-03-05"},
                    {"name": "王方", "id_number": BASE, "birth_date": "1990-03-05"},
                    {"name": "李娜", "id_number": OTHER, "birth_date": "1985-01-01"},
                    {"name": "王丽", "id_number": TWIN, "birth_date": "1990-03-05"},
                    {"name": "李娜", "id_number": OTHER, "birth_date": ""},
                    {"name": "王芳", "id_number": valid_id("33010219900305008"), "birth_date": "1990-03-05"},
                    {"name": "黎娜", "id_number": OTHER, "birth_date": "1985-01-10"}])
    pairs = np.array([[i, j] for i in range(7) for j in range(i + 1, 7)])
    features = compare(norm, norm, pairs)
    y = np.array([people[i] == people[j] for i, j in pairs])
    return MatchModel(C=10.0, labels={"id:equal": "身份证号一致"}).fit(features, y), features


def test_model_ranks_the_duplicate_first_and_explains_it():
    model, features = small_model()
    probabilities = model.predict_proba(features)
    assert probabilities.dtype == np.float64 and probabilities[0] > 0.85 > probabilities[1:5].max()
    reasons = model.explain(features, top=3)
    assert reasons[0].split("; ")[0] == "身份证号一致"
    assert model.explain(features, top=2, codes=True)[0].count("; ") <= 1


def test_a_pair_with_no_evidence_gets_no_reasons():
    norm = pd.DataFrame({"record_id": ["a", "b"], "name": ["", ""]})
    features = compare(norm, norm, np.array([[0, 1]]))
    assert not features.matrix.any()
    model = default_model()
    assert model.explain(features).tolist() == [""]
    assert model.predict_proba(features)[0] < model.threshold_


def test_json_round_trip_gives_identical_probabilities_and_reasons(tmp_path):
    model, features = small_model()
    path = tmp_path / "model.json"
    model.to_json(path)
    loaded = MatchModel.from_json(path, feature_names=FEATURE_NAMES)
    assert np.array_equal(loaded.predict_proba(features), model.predict_proba(features))
    assert loaded.explain(features).tolist() == model.explain(features).tolist()
    assert json.loads(path.read_text(encoding="utf-8"))["format_version"] == 2


def test_mismatched_features_are_refused(tmp_path):
    model, features = small_model()
    path = tmp_path / "model.json"
    model.to_json(path)
    with pytest.raises(ConfigError, match="do not match"):
        MatchModel.from_json(path, feature_names=FEATURE_NAMES[:-1])
    with pytest.raises(ConfigError, match="expects"):
        model.predict_proba(features.matrix[:, :-1])
    renamed = Features(features.matrix, tuple(reversed(features.names)), features.grades)
    with pytest.raises(ConfigError, match="do not match"):
        model.predict_proba(renamed)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="version"):
        MatchModel.from_json(path)


def test_a_model_trained_under_another_spec_is_refused_with_what_differs(tmp_path):
    shipped = default_model()
    assert shipped.spec_ == register_model_spec()
    data = shipped.to_dict()
    data["spec"]["blocking"] = data["spec"]["blocking"][:-1]  # trained without one blocking rule
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError, match="another blocking") as error:
        linkage.dedupe(pd.DataFrame({"record_id": ["a"], "unit_code": ["330106001"], "name": ["王芳"]}), model=path)
    assert "scoring.train" in str(error.value)
    data["spec"] = {**register_model_spec(), "features": {"version": 1, "names": data["feature_names"]}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"another features .*version 1 vs version {FEATURE_VERSION}"):
        linkage.dedupe(pd.DataFrame({"record_id": ["a"], "unit_code": ["330106001"], "name": ["王芳"]}), model=path)


def test_the_shipped_model_records_how_it_was_made():
    training = default_model().training_
    assert training["generator"] == "benchmarks.generator"
    assert training["recipe"]["seeds"] and training["tests"]


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(0, 20), st.just(len(FEATURE_NAMES))),
              elements=st.floats(-1e6, 1e6, width=32)))
def test_probabilities_are_in_the_unit_interval(matrix):
    probabilities = default_model().predict_proba(matrix)
    assert probabilities.shape == (len(matrix),)
    assert np.all((probabilities >= 0.0) & (probabilities <= 1.0))


# -- the default model on a generated register ----------------------------------------------------
def test_default_model_pairwise_f1_on_a_generated_register():
    from benchmarks.generator import generate_register, true_match_pairs
    from blocking import block

    generated = generate_register(n_records=3000, seed=7)
    norm = prepare(load(generated.register)).norm
    pairs = block(norm)
    model = default_model()
    matched = pairs[model.predict_proba(compare(norm, norm, pairs)) >= model.threshold_]
    truth = true_match_pairs(generated.truth)
    width = len(norm)
    hits = np.isin(matched[:, 0] * width + matched[:, 1], truth[:, 0] * width + truth[:, 1]).sum()
    precision, recall = hits / len(matched), hits / len(truth)
    assert 2 * precision * recall / (precision + recall) >= 0.95
