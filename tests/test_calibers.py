"""Real calibers (issue 11): the presets rule by rule, the channel, notices a clerk can act on,
the couple's columns, ``linkage rules show`` and the --district scope of the audit."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from linkage.audit import draw_sample, find_separation, summarize
from linkage.cli import main
from linkage.errors import ConfigError
from linkage.io import load
from linkage.prepare import prepare
from resolve import DEFAULT_RULES, RuleSet, decide, draft_notices, load_rules, render_notice_text
from resolve.rules import PRESETS

AS_OF = "2026-01-31"  # six months before: 2025-07-31
LONG, SHORT = "2020-01-01", "2025-12-01"
DISTRICT = "330106"
ID_A = "330106199001011244"  # fails its check digit: matched, but never 'valid'
VALID_ID = "330106199001011248"
COUPLE = {"marital_status": "初婚", "spouse_name": "李强", "spouse_hukou_code": "330106009"}
UNDET = "undetermined"


def records(rows: list[dict]):
    return prepare(load(pd.DataFrame(rows).fillna("")))


def person(record_id: str, unit: str, **fields) -> dict:
    return {"record_id": record_id, "unit_code": unit, "name": "张丽", "id_number": ID_A, **fields}


def run(rows: list[dict], rules: str = "default", district: str | None = DISTRICT, clusters=None):
    norm = records(rows).norm
    cluster_ids = np.array(clusters or ["G"] * len(rows), dtype=object)
    i, j = np.triu_indices(len(rows), 1)
    keep = cluster_ids[i] == cluster_ids[j]
    pairs = np.c_[i[keep], j[keep]].astype(np.int64)
    decisions = decide(norm, cluster_ids, as_of=AS_OF, rules=load_rules(rules))
    drafted = draft_notices(decisions, norm, cluster_ids, pairs, np.full(len(pairs), 0.95),
                            np.full(len(pairs), "身份证号一致", dtype=object), district=district, as_of=AS_OF)
    return decisions, drafted.notices, drafted.verification


def only(frame: pd.DataFrame) -> dict:
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


def both(**fields) -> list[dict]:
    """Her two records, at 330106001 and 330106002, carrying the same fields."""
    return [person("R1", "330106001", registered_date="2010-01-01", **fields),
            person("R2", "330106002", registered_date="2012-01-01", **fields)]


def tied(hukou: str, *, registered=("2010-01-01", "2012-01-01"), phone=("", "")) -> list[dict]:
    """Two records in communities of street 330106003, where she has lived six months."""
    return [person(f"R{k + 1}", f"33010600300{k + 1}", residence_code="330106003", residence_since=LONG,
                   hukou_code=hukou, registered_date=registered[k], phone=phone[k], **COUPLE) for k in range(2)]


# ---- each rule of both presets: one case that makes it decide, one that makes it pass on ----------------
# (preset, rule, "decides" | "passes", rows, managing unit expected, the rule that decides it)

RULE_CASES = [
    ("default", "residence_6_months", "decides",
     both(hukou_code="330106001", residence_code="330106002", residence_since=LONG), "330106002", "residence_6_months"),
    ("default", "residence_6_months", "passes",
     both(hukou_code="330106001", residence_code="330106002", residence_since=SHORT), "330106001",
     "household_registration"),
    ("default", "household_registration", "decides",
     both(hukou_code="330106002", residence_code="330106001", residence_since=SHORT), "330106002",
     "household_registration"),
    ("default", "household_registration", "passes", both(), "330106001", "earlier_registered"),
    ("couple", "collective_household", "decides",
     both(household_type="集体户", hukou_code="330106001", residence_code="330106002", residence_since=LONG, **COUPLE),
     "330106001", "collective_household"),
    ("couple", "collective_household", "passes",
     both(household_type="家庭户", hukou_code="330106001", residence_code="330106002", residence_since=LONG, **COUPLE),
     "330106002", "residence_6_months"),
    ("couple", "residence_in_own_hukou", "decides",
     [person("R1", "330106001002", hukou_code="330106001001", residence_code="330106001002", residence_since=SHORT,
             **COUPLE), person("R2", "330106002", **COUPLE)], "330106001002", "residence_in_own_hukou"),
    ("couple", "residence_in_own_hukou", "passes",
     [person("R1", "330106001002", hukou_code="330106005", residence_code="330106001002", residence_since=SHORT,
             hukou_nature="非农业", **COUPLE), person("R2", "330106005", **COUPLE)], "330106005",
     "household_registration"),
    ("couple", "residence_in_spouse_hukou", "decides",  # no start date needed
     both(hukou_code="330106005", residence_code="330106002", **dict(COUPLE, spouse_hukou_code="330106002")),
     "330106002", "residence_in_spouse_hukou"),
    ("couple", "residence_in_spouse_hukou", "passes",
     both(hukou_code="330106005", residence_code="330106002", residence_since=LONG, **COUPLE), "330106002",
     "residence_6_months"),
    ("couple", "residence_6_months", "decides",
     both(hukou_code="330106005", residence_code="330106001", residence_since=LONG, **COUPLE), "330106001",
     "residence_6_months"),
    ("couple", "residence_6_months", "passes",
     both(hukou_code="330106002", residence_code="330106001", residence_since=SHORT, hukou_nature="居民", **COUPLE),
     "330106002", "household_registration"),
    ("couple", "both_rural", "decides",
     both(hukou_code="330106005", residence_code="330106001", residence_since=SHORT, hukou_nature="农业",
          spouse_hukou_nature="1", **dict(COUPLE, spouse_hukou_code="330106002")), "330106002", "both_rural"),
    ("couple", "both_rural", "passes",
     both(hukou_code="330106002", residence_code="330106001", residence_since=SHORT, hukou_nature="非农业",
          spouse_hukou_nature="农业", **dict(COUPLE, spouse_hukou_code="330106005")), "330106002",
     "household_registration"),
    ("couple", "household_registration", "decides",
     both(hukou_code="330106001", residence_code="330106002", residence_since=SHORT, hukou_nature="非农业", **COUPLE),
     "330106001", "household_registration"),
    ("couple", "household_registration", "passes", both(hukou_nature="非农业", spouse_hukou_nature="非农业", **COUPLE),
     "330106001", "earlier_registered"),
]
for preset in PRESETS:  # the tie-breaks are the same rules in both presets
    RULE_CASES += [
        (preset, "nearest_residence", "decides",  # located at her collective household's street (couple rule 1)
         [person("R1", "330106003", residence_code="330106003005", hukou_code="330106003", registered_date="2001-01-01",
                 household_type="集体户", **COUPLE),
          person("R2", "330106003005", registered_date="2020-01-01", household_type="集体户", **COUPLE)],
         "330106003005", "nearest_residence"),
        (preset, "nearest_residence", "passes", tied("330106003002"), "330106003002", "nearest_household"),
        (preset, "nearest_household", "decides", tied("330106003001"), "330106003001", "nearest_household"),
        (preset, "nearest_household", "passes", tied(""), "330106003001", "earlier_registered"),
        (preset, "earlier_registered", "decides", tied("", registered=("2015-01-01", "2011-01-01")), "330106003002",
         "earlier_registered"),
        (preset, "earlier_registered", "passes", tied("", registered=("", ""), phone=("", "13800138000")),
         "330106003002", "more_complete"),
        (preset, "more_complete", "decides", tied("", registered=("2011-01-01", "2011-01-01"),
                                                  phone=("13800138000", "")), "330106003001", "more_complete"),
        (preset, "more_complete", "passes", tied("", registered=("", "")), UNDET, UNDET),
    ]


def _outcome(decision: dict) -> tuple[str, str]:
    if decision["status"] == "undetermined":
        return UNDET, UNDET
    tie = decision["rule"] not in {r.name for r in load_rules("couple").location_rules}
    return decision["managing_unit_code"], decision["rule"] if tie else decision["unit_rule"]


@pytest.mark.parametrize("preset, rule, how, rows, unit, by", RULE_CASES,
                         ids=[f"{p}-{r}-{h}" for p, r, h, *_ in RULE_CASES])
def test_each_rule_decides_or_passes_on(preset, rule, how, rows, unit, by):
    decision = only(run(rows, preset)[0])
    assert _outcome(decision) == (unit, by), decision["evidence"]
    assert (by == rule) == (how == "decides")
    if how == "passes" and rule in {r.name for r in load_rules(preset).location_rules}:
        assert decision["unit_rule"] != rule


def test_every_rule_of_both_presets_has_a_deciding_and_a_passing_case():
    covered = {(p, r, h) for p, r, h, *_ in RULE_CASES}
    for preset in PRESETS:
        for rule in load_rules(preset).rules:
            assert {(preset, rule.name, "decides"), (preset, rule.name, "passes")} <= covered, (preset, rule.name)


def test_default_preset_is_todays_order_and_unmarried_women_are_decided_as_under_it():
    assert load_rules("default") == DEFAULT_RULES
    assert [r.name for r in load_rules("couple").tie_rules] == [r.name for r in DEFAULT_RULES.tie_rules]
    cases = [both(household_type="集体户", hukou_code="330106001", residence_code="330106002", residence_since=LONG,
                  marital_status=status, spouse_hukou_code=spouse) for status, spouse in
             (("未婚", ""), ("初婚", ""), ("离婚", "330106005"), ("", "330106005"))]
    for rows in cases:
        assert only(run(rows, "couple")[0])["managing_unit_code"] == only(run(rows)[0])["managing_unit_code"] \
            == "330106002"


def test_unknown_stays_unknown_under_the_couple_caliber():
    third_place = both(hukou_code="330106005", residence_code="330106002", **dict(COUPLE, spouse_hukou_code="330106007"))
    decisions, notices, verification = run(third_place, "couple")
    assert only(decisions)["status"] == "undetermined" and notices.empty and len(verification) == 1
    rural_unknown = both(hukou_code="330106001", residence_code="330106002", residence_since=SHORT, hukou_nature="农业",
                         **dict(COUPLE, spouse_hukou_code="330106005"))
    decision = only(run(rural_unknown, "couple")[0])
    assert decision["status"] == "undetermined" and "配偶户口性质未填" in decision["missing"]
    assert only(run(rural_unknown)[0])["managing_unit_code"] == "330106001"  # default never reads his nature


# ---- a managing unit is a street or a community ---------------------------------------------------------

@pytest.mark.parametrize("preset, fields", [
    ("default", dict(hukou_code="341221", residence_code="330106002", residence_since=SHORT)),
    ("default", dict(hukou_code="3412", residence_code="330106002", residence_since=SHORT)),
    ("couple", dict(household_type="空挂户", hukou_code="341221", residence_code="330106002", residence_since=LONG,
                    **COUPLE)),
])
def test_a_rule_landing_on_a_county_or_coarser_code_goes_to_verification(preset, fields):
    decisions, notices, verification = run(both(**fields), preset)
    decision = only(decisions)
    assert (decision["status"], decision["managing_unit_code"], decision["action"]) == ("undetermined", "", "verify")
    assert "管理单位只到县级,须核实到街道" in decision["missing"]
    assert "安徽省阜阳市" in decision["missing"]  # the code prints with its GB/T 2260 name
    assert notices.empty and only(verification)["to_unit_codes"] == "330106001;330106002"


# ---- the channel follows the place ----------------------------------------------------------------------

@pytest.mark.parametrize("residence, kind, channel, via", [
    ("330106002", "cancel_in_district", "in_district", "区内通知"),
    ("330108004", "cancellation_notice", "transfer_platform", "迁入迁出平台"),  # another district of the city
    ("330212004", "cancellation_notice", "transfer_platform", "迁入迁出平台"),  # another city of the province
    ("340102004", "cancellation_notice", "floating_population", "流动人口信息通报"),  # another province
])
def test_the_channel_follows_the_place(residence, kind, channel, via):
    rows = [person("R1", "330106001", residence_code=residence, residence_since=LONG),
            person("R2", residence, residence_code=residence, residence_since=LONG)]
    _, notices, _ = run(rows)
    notice = only(notices)
    assert (notice["record_id"], notice["kind"], notice["channel"], notice["via"]) == ("R1", kind, channel, via)
    assert f"途径: {via}" in render_notice_text(notice)


def test_a_request_to_another_province_travels_as_a_floating_population_notice():
    rows = [person("R1", "330106001", hukou_code="330106001", residence_code="330106001", residence_since=LONG),
            person("R2", "340102004", registered_date="2001-01-01")]
    notice = only(run(rows)[1])
    assert (notice["kind"], notice["from_unit_code"], notice["to_unit_code"], notice["via"]) == \
        ("request_cancellation", "330106001", "340102004", "流动人口信息通报")
    assert "通过流动人口信息通报发送注销通报" in notice["instruction"]


# ---- notices a clerk can act on -------------------------------------------------------------------------

def test_the_evidence_names_the_day_she_reaches_six_months():
    rows = [person("R1", "330106001", hukou_code="330106001", residence_code="330106002", residence_since="2025-09-20"),
            person("R2", "330106002")]
    decision, notice = only(run(rows)[0]), only(run(rows)[1])
    assert decision["managing_unit_code"] == "330106001"
    assert "截至2026-01-31不满6个月,2026-03-20满6个月" in notice["evidence"]


def test_the_kept_record_gets_what_only_the_cancelled_one_holds_first():
    rows = [person("R1", "330106001", hukou_code="330106001", id_number="000000000000000000"),
            person("R2", "330106002", id_number=VALID_ID, phone="13800138000", spouse_name="李强",
                   spouse_id_number="330106198801011233")]
    notice = only(run(rows)[1])
    assert (notice["record_id"], notice["kept_record_id"]) == ("R2", "R1")
    assert notice["copy_first"] == "身份证号、联系电话、配偶姓名、配偶身份证号" and notice["copy_from"] == "R2"
    assert notice["instruction"].startswith("先补录:保留记录R1缺身份证号、联系电话、配偶姓名、配偶身份证号,请先从R2补录")
    same = [person("R1", "330106001", hukou_code="330106001", phone="13900139000"), person("R2", "330106002")]
    notice = only(run(same)[1])
    assert notice["copy_first"] == "" and "先补录" not in notice["instruction"]


def test_one_woman_gets_one_notice_per_unit_that_must_act():
    rows = [person("R1", "330106001", hukou_code="330106002", registered_date="2010-01-01"),
            person("R2", "330106001", registered_date="2011-01-01", phone="13800138000"),
            person("R3", "330106002", registered_date="2012-01-01"),
            person("R4", "330108001"), person("R5", "330108001")]
    _, notices, _ = run(rows)
    assert notices["record_id"].tolist() == ["R1", "R2", "R4", "R5"]  # notices.csv: one row per record
    assert notices["notice_id"].tolist() == ["N-R1", "N-R1", "N-R4", "N-R4"]  # two notices, one per unit
    by_unit = notices.drop_duplicates("notice_id").set_index("record_unit_code")
    assert len(by_unit) == 2 and by_unit.loc["330106001", "record_ids"] == "R1;R2"
    assert "注销重复记录R1(张丽)、R2(张丽)" in by_unit.loc["330106001", "instruction"]
    assert by_unit.loc["330106001", "copy_first"] == "联系电话"  # R2's phone, before either is cancelled
    assert by_unit.loc["330108001", ["kind", "record_ids"]].tolist() == ["request_cancellation", "R4;R5"]


def test_a_transfer_and_a_duplicate_in_one_unit_are_one_notice():
    rows = [person("R1", "330106001", residence_code="330106005", residence_since=LONG, registered_date="2010-01-01"),
            person("R2", "330106001", registered_date="2011-01-01")]
    notices = run(rows)[1]
    assert notices["record_id"].tolist() == ["R1", "R2"] and notices["action"].tolist() == ["transfer_out", "cancel"]
    assert notices["notice_id"].nunique() == 1  # one notice, a row for each of its records
    notice = notices.iloc[0]
    assert (notice["kind"], notice["record_id"], notice["record_ids"], notice["to_unit_code"]) == \
        ("transfer_out", "R1", "R1;R2", "330106005")
    assert notice["instruction"].endswith("同一单位另有同一人的重复记录R2(张丽),一并注销。")
    text = render_notice_text(notices)  # printed as one form naming both, no record twice
    assert "待迁出记录" in text and "保留记录" not in text and "R1(迁出)" in text and "R2(注销)" in text
    assert text.count("R1(迁出)") == 1


def test_county_and_province_codes_print_with_their_names():
    rows = [person("R1", "330106001", hukou_code="330106001"), person("R2", "330106002")]
    notice = only(run(rows)[1])
    assert (notice["from_unit_code"], notice["from_unit_name"]) == ("330106", "浙江省杭州市西湖区")
    assert "发出单位: 330106 浙江省杭州市西湖区" in render_notice_text(notice)


# ---- rules as data ----------------------------------------------------------------------------------

def test_rules_show_prints_each_preset_explained_and_ready_to_copy(capsys, tmp_path):
    words = {"default": [("满6个月", "six months"), ("户籍地管理", "household registration")],
             "couple": [("集体户", "collective"), ("本人户籍地", "own household-registration"),
                        ("配偶户籍地", "husband's household-registration"), ("满6个月", "six months or more"),
                        ("农业", "rural"), ("其余", "Otherwise"), ("未婚", "not married")]}
    for name in PRESETS:
        assert main(["rules", "show", name]) == 0
        text = capsys.readouterr().out
        assert RuleSet.from_dict(tomllib.loads(text)) == load_rules(name)
        for chinese, english in words[name]:
            assert chinese in text and english in text, (name, chinese, english)
        for rule in load_rules(name).rules:
            assert rule.label in text
        copy = tmp_path / f"{name}.toml"
        copy.write_text(text.replace('min_months = 6', 'min_months = 3'), encoding="utf-8")
        assert load_rules(copy).rules[0 if name == "default" else 3].min_months == 3


@pytest.mark.parametrize("condition, message", [
    ({"field": "household_type", "in": ["宿舍"]}, "['宿舍'] not values of household_type"),
    ({"field": "phone", "in": ["1"]}, "'field' of an 'in' condition must be one of"),
    ({"field": "residence_code", "within": "residence_code"}, "'within' compares two different code columns"),
    ({"any_filled": ["spouse_shoe_size"]}, "'any_filled' must be a non-empty list of"),
    ({"field": "hukou_nature", "in": ["农业"], "within": "hukou_code"}, "exactly one of"),
    ({"field": "hukou_nature", "in": ["农业"], "if_blank": "next"}, "unknown key(s) ['if_blank']"),
    ({"field": "hukou_nature", "in": ["农业"], "if_unknown": "maybe"}, "'if_unknown' must be 'verify' or 'next'"),
])
def test_a_bad_condition_is_an_error_naming_the_rule_and_the_key(tmp_path, condition, message):
    path = tmp_path / "office.json"
    rule = {"name": "mine", "kind": "location", "field": "hukou_code", "when": [condition]}
    path.write_text(json.dumps({"rules": [rule]}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and "rule 1 ('mine'): when 1" in str(caught.value)
    assert message in str(caught.value)


def test_only_location_rules_take_conditions_and_an_unknown_preset_names_the_presets():
    with pytest.raises(ConfigError, match="only a location rule takes 'when'"):
        RuleSet.from_dict({"rules": [{"name": "t", "kind": "earliest", "field": "registered_date",
                                      "when": [{"any_filled": ["phone"]}]}]})
    with pytest.raises(ConfigError, match="shipped presets: default, couple"):
        load_rules("province")


# ---- the couple's columns in the register ---------------------------------------------------------------

def test_the_couples_columns_are_read_normalised_and_flagged():
    frame = pd.DataFrame({"记录编号": ["a", "b"], "管理单位代码": ["330106001"] * 2, "姓名": ["王芳", "李娜"],
                          "配偶户籍地代码": ["341221 ", "12345"], "配偶现居住地代码": ["330106001002", ""],
                          "配偶工作单位": [" 杭州 某厂 ", ""], "户口性质": ["1", "城镇"], "配偶户口性质": ["农业户口", ""],
                          "户别": ["集体", "宿舍"], "备注": ["系统原因,已说明", ""]})
    prepared = records(frame.to_dict("records"))
    norm = prepared.norm
    assert norm["spouse_hukou_code"].tolist() == ["341221", "12345"]
    assert norm["spouse_residence_code"].tolist() == ["330106001002", ""]
    assert norm["spouse_work_unit"].tolist() == ["杭州某厂", ""]
    assert norm["hukou_nature"].tolist() == ["农业", ""] and norm["spouse_hukou_nature"].tolist() == ["农业", ""]
    assert norm["household_type"].tolist() == ["集体户", ""] and norm["remarks"].tolist() == ["系统原因,已说明", ""]
    flags = prepared.flags.set_index("field")
    assert flags.loc["spouse_hukou_code", "reason"] == "bad_code" and flags.loc["spouse_hukou_code", "value"] == "12345"
    assert flags.loc["hukou_nature", ["value", "reason"]].tolist() == ["城镇", "bad_hukou_nature"]
    assert flags.loc["household_type", "message"].startswith("户别无法识别")
    assert prepared.raw["remarks"].tolist() == ["系统原因,已说明", ""]


# ---- --district: the audit lists this district's records --------------------------------------------------

SCOPE_REGISTER = [
    person("H1", "330106001", hukou_code="330106001", residence_code="330108003", residence_since=LONG),
    person("H2", "330106002", name="李娜", id_number="", hukou_code="330106002"),
    person("O1", "330108001", name="赵敏", id_number="", hukou_code="330108001", residence_code="330106002",
           residence_since=LONG),
    person("O2", "330108003", registered_date="2001-01-01"),
]


def test_with_a_district_the_audit_lists_and_counts_only_its_records():
    prepared = records(SCOPE_REGISTER)
    separation = find_separation(prepared, as_of=AS_OF, district=DISTRICT)
    assert separation["record_id"].tolist() == ["H1"]
    assert set(find_separation(prepared, as_of=AS_OF)["record_id"]) == {"H1", "O1"}
    sample = draw_sample(prepared, size=5, seed=1, district=DISTRICT)
    assert set(sample["record_id"]) == {"H1", "H2"}
    _, notices, _ = run(SCOPE_REGISTER, clusters=["G", "H2", "O1", "G"])
    clusters = pd.DataFrame({"record_id": ["H1", "H2", "O1", "O2"], "cluster_size": [2, 1, 1, 2]})
    summary = summarize(prepared, clusters=clusters, notices=notices, separation=separation, district=DISTRICT)
    streets, total = summary.iloc[:-1], summary.iloc[-1]
    assert streets["unit_code"].tolist() == ["330106001", "330106002"]
    assert (total["unit_name"], total["records"], total["duplicates"], total["separated"]) == ("合计", 2, 1, 1)
    assert total["notices"] == len(notices) == 1  # H1 is cancelled: it lives 6 months where O2 is held
