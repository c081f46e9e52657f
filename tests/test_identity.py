"""The one rule for "these two records cannot be one woman" (``linkage.identity``), its table of
cases, and what it means end to end: blocking, clustering, linking and the decision all follow it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import linkage
from linkage.identity import cannot_be_one_woman, effective_sex, id_relations, RELATIONS
from linkage.io import load
from linkage.normalize.ids import check_character
from linkage.prepare import prepare


def valid(first17: str) -> str:
    return first17 + check_character(first17)


HER = valid("33010619900305002")          # born 1990-03-05, female (17th digit even)
REISSUED = valid("33010619900315002")     # the same woman after her birth date was corrected
RESEQUENCED = valid("33010619900305024")  # a re-issued sequence number (or a twin)
OTHER_COUNTY = valid("34122119900305002")  # the clerk wrote another county
SISTER = valid("33010619920711006")       # birth date and sequence differ: another woman
LEGACY = HER[:6] + HER[8:17]               # her number in the old 15-digit form
LEGACY_TYPO = LEGACY[:10] + "7" + LEGACY[11:]  # ... with one wrong digit (no check character to catch it)
BAD_CHECK = HER[:17] + ("1" if HER[17] != "1" else "2")

CASES = [
    # (left number, right number, relation, cannot be one woman)
    (HER, HER, "same", False),
    (HER, SISTER, "different", True),                   # two valid 18-digit numbers two parts apart
    (HER, REISSUED, "birth_only", False),               # a re-issued number: verification, not a veto
    (HER, RESEQUENCED, "sequence_only", False),
    (HER, OTHER_COUNTY, "region_only", False),
    (HER, LEGACY, "unknown", False),                    # 18 vs 15, equal after the upgrade
    (HER, LEGACY_TYPO, "unknown", False),               # 18 vs 15 one digit apart: compared, never vetoed
    (LEGACY, LEGACY_TYPO, "unknown", False),            # 15 vs 15
    (HER, BAD_CHECK, "unknown", False),                 # a valid number against an invalid one
    (HER, "", "unknown", False),
    (SISTER, LEGACY_TYPO, "unknown", False),
]


def _norm(numbers: list[str], sexes: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(numbers))], "unit_code": "330106001",
                          "name": "王芳", "id_number": numbers, "sex": sexes or [""] * len(numbers)})
    return prepare(load(frame)).norm


@pytest.mark.parametrize("left, right, relation, cannot", CASES)
def test_the_rule(left, right, relation, cannot):
    norm = _norm([left, right])
    pairs = np.array([[0, 1]])
    assert RELATIONS[id_relations(norm, pairs)[0]] == relation
    assert cannot_be_one_woman(norm, pairs).tolist() == [cannot]


def test_the_rule_is_symmetric_and_the_same_across_two_tables():
    numbers = [case[0] for case in CASES] + [case[1] for case in CASES]
    norm = _norm(numbers)
    k = len(CASES)
    pairs = np.array([[i, k + i] for i in range(k)])
    swapped = pairs[:, ::-1]
    assert (cannot_be_one_woman(norm, pairs) == cannot_be_one_woman(norm, swapped)).all()
    left, right = norm.iloc[:k].reset_index(drop=True), norm.iloc[k:].reset_index(drop=True)
    across = np.array([[i, i] for i in range(k)])
    assert cannot_be_one_woman(left, across, right).tolist() == [case[3] for case in CASES]


def test_a_valid_numbers_sex_digit_wins_over_the_recorded_sex():
    # her valid number says female; a clerk typed 男: she is still a woman, and the number says so
    assert effective_sex(["M"], ["F"], ["valid"]).tolist() == ["F"]
    assert effective_sex(["M"], ["F"], ["legacy15"]).tolist() == ["M"]  # no check character: the record wins
    norm = _norm([HER, HER], sexes=["男", "女"])
    assert norm["sex"].tolist() == ["F", "F"] and norm["recorded_sex"].tolist() == ["M", "F"]


def _register(rows: list[dict]) -> pd.DataFrame:
    base = {"unit_code": "330106001", "name": "王芳", "birth_date": "1990-03-05", "sex": "女",
            "hukou_code": "330106001", "residence_code": "330106001", "registered_date": "2015-01-01"}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame.insert(0, "record_id", [f"R{i}" for i in range(len(frame))])
    return frame


def _cluster_of(result, record_id: str) -> str:
    table = result.clusters.set_index("record_id")
    return table.loc[record_id, "cluster_id"]


def test_a_legacy_number_with_a_typo_meets_her_18_digit_record_and_clusters_with_it():
    register = _register([
        {"id_number": HER, "phone": "13800138000", "spouse_name": "张伟"},
        {"id_number": LEGACY_TYPO, "unit_code": "330106002", "phone": "13800138000", "spouse_name": "张伟"},
        {"id_number": SISTER, "name": "王丽", "birth_date": "1992-07-11"},
    ])
    result = linkage.dedupe(register, as_of="2026-11-30")
    pairs = {tuple(sorted(p)) for p in result.pairs[["record_id_l", "record_id_r"]].itertuples(index=False)}
    assert ("R0", "R1") in pairs
    assert _cluster_of(result, "R0") == _cluster_of(result, "R1") != _cluster_of(result, "R2")


def test_a_record_typed_male_with_her_valid_female_number_clusters_with_her_other_records():
    register = _register([
        {"id_number": HER, "phone": "13800138000"},
        {"id_number": HER, "sex": "男", "unit_code": "330106002", "phone": "13800138000"},
        {"id_number": "", "unit_code": "330106003", "phone": "13800138000", "spouse_name": ""},
    ])
    result = linkage.dedupe(register, as_of="2026-11-30")
    assert _cluster_of(result, "R0") == _cluster_of(result, "R1") == _cluster_of(result, "R2")
    assert len(result.decisions) == 1


def test_a_group_holding_two_valid_numbers_of_one_part_apart_is_verified_never_noticed():
    register = _register([
        {"id_number": HER, "phone": "13800138000", "spouse_name": "张伟", "hukou_address": "文三路1号"},
        {"id_number": REISSUED, "unit_code": "330106002", "phone": "13800138000", "spouse_name": "张伟",
         "hukou_address": "文三路1号"},
        {"id_number": "", "unit_code": "330106003", "phone": "13800138000", "spouse_name": "张伟",
         "hukou_address": "文三路1号"},
    ])
    result = linkage.dedupe(register, as_of="2026-11-30")
    in_one = {_cluster_of(result, r) for r in ("R0", "R1", "R2")}
    if len(in_one) == 1:  # matched: the group goes to verification with the reason
        decision = result.decisions.iloc[0]
        assert decision["status"] == "undetermined"
        assert "仅出生日期不同" in decision["missing"]
    assert result.notices.empty


def test_a_link_never_joins_two_women_whose_valid_numbers_differ():
    register = _register([{"id_number": HER}])
    extract = _register([{"id_number": SISTER}, {"id_number": HER, "sex": "男"}])
    links = linkage.link(register, extract)
    linked = set(links.links["record_id_r"])
    assert linked == {"R1"}
