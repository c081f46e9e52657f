"""The campaign (issue 14): key-target rules, explained findings, birth clues with deadlines,
the follow-up run and the street scores, each on a hand-made register."""

from __future__ import annotations

import pandas as pd
import pytest

import linkage
from linkage.audit.births import find_clues, read_births
from linkage.audit.explained import EXPLAINED, apply_explanations, read_explained
from linkage.audit.followup import followup, write_followup
from linkage.audit.key_targets import KEY_RULES, key_target_list, latest_child_births, run_key_checks
from linkage.cli import main
from linkage.errors import SchemaError
from linkage.io import load
from linkage.normalize.ids import check_character
from linkage.prepare import prepare

AS_OF = "2026-01-31"


def make_id(region: str, birth: str, seq: str) -> str:
    first17 = region + birth.replace("-", "") + seq
    return first17 + check_character(first17)


CLEAN = {
    "record_id": "r1", "unit_code": "330106001001", "unit_name": "明溪社区", "name": "王芳",
    "id_number": make_id("330106", "1990-05-12", "124"), "sex": "女", "birth_date": "1990-05-12",
    "marital_status": "初婚", "marriage_date": "2015-06-01", "hukou_code": "330106001",
    "hukou_address": "西湖区小河街道明溪家园1-1-101", "residence_code": "330106001001",
    "residence_address": "西湖区小河街道明溪家园1-1-101", "residence_since": "2015-06-01", "phone": "13800138000",
    "spouse_name": "李强", "spouse_id_number": make_id("330106", "1988-03-01", "135"), "contraception": "放环",
    "pregnancy": "", "registered_date": "2015-07-01", "status": "在管", "household_type": "家庭户",
}


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def records_of(*rows: dict):
    return prepare(load(pd.DataFrame(list(rows))))


# --- key management targets ------------------------------------------------------------------

KEY_BROKEN: dict[str, dict] = {
    "married_no_method": {"contraception": "无措施"},
    "married_method_blank": {"contraception": ""},
    "unmarried_long_acting": {"marital_status": "未婚", "marriage_date": "", "spouse_name": "", "spouse_id_number": "",
                              "contraception": "皮埋"},
    "postpartum_without_child": {"pregnancy": "产后一月", "contraception": "药具"},
    "pregnant_after_recent_birth": {"pregnancy": "现孕", "contraception": "药具"},
    "collective_household": {"household_type": "集体户"},
    "registered_only_household": {"household_type": "空挂户"},
    "crowded_household_address": {"hukou_address": "西湖区小河街道某小区9-9-909"},
}
"""The changes to a clean record that break each key rule (the crowded address: five women)."""


@pytest.fixture(scope="module")
def key_findings() -> pd.DataFrame:
    rows, kids = [], []
    for rule, changes in KEY_BROKEN.items():
        copies = 5 if rule == "crowded_household_address" else 1
        for k in range(copies):
            rows.append({**CLEAN, "hukou_address": f"明溪家园{len(rows)}-1-101", **changes,
                         "record_id": f"bad-{rule}-{k}", "name": f"王芳{'甲乙丙丁戊'[k]}",
                         "id_number": make_id("330106", "1990-05-12", f"{k}{len(rows) % 10}4")})
    rows += [{**CLEAN, "record_id": f"clean-{i}", "hukou_address": f"小河{i}号", "id_number": make_id("330106", "1991-01-0" + str(i + 1), "124"),
              "birth_date": f"1991-01-0{i + 1}"} for i in range(4)]
    # a clean postpartum mother (child 20 days old) and a clean pregnant one (last child three years ago)
    rows.append({**CLEAN, "record_id": "clean-postpartum", "pregnancy": "产后一月", "contraception": "药具",
                 "hukou_address": "文三路1号"})
    rows.append({**CLEAN, "record_id": "clean-pregnant", "pregnancy": "现孕", "contraception": "药具",
                 "hukou_address": "文三路2号"})
    kids = pd.DataFrame([
        {"child_id": "k1", "mother_record_id": "clean-postpartum", "birth_date": "2026-01-11", "birth_order": "1"},
        {"child_id": "k2", "mother_record_id": "clean-pregnant", "birth_date": "2023-01-11", "birth_order": "1"},
        {"child_id": "k3", "mother_record_id": "bad-pregnant_after_recent_birth-0", "birth_date": "2025-12-01",
         "birth_order": "1"},
        {"child_id": "k4", "mother_record_id": "bad-postpartum_without_child-0", "birth_date": "2025-10-01",
         "birth_order": "1"}])
    records = records_of(*rows)
    return run_key_checks(records, children=kids, as_of=AS_OF)


def test_every_key_rule_has_a_breaking_example():
    assert sorted(KEY_BROKEN) == sorted(rule.name for rule in KEY_RULES)


@pytest.mark.parametrize("rule", [rule.name for rule in KEY_RULES])
def test_key_rule_fires_on_the_record_that_breaks_it_and_not_on_clean_ones(rule, key_findings):
    hits = key_findings[key_findings["rule"] == rule]
    assert f"bad-{rule}-0" in set(hits["record_id"])
    assert not hits["record_id"].str.startswith("clean-").any()
    assert hits["record_id"].str.startswith(f"bad-{rule}").all(), hits


def test_children_rules_are_not_checked_without_a_children_table():
    records = records_of({**CLEAN, "pregnancy": "产后一月"})
    assert "postpartum_without_child" not in set(run_key_checks(records, as_of=AS_OF)["rule"])


def test_key_target_list_has_every_key_target_once_per_category():
    records = records_of({**CLEAN, "record_id": "a", "contraception": "无措施", "pregnancy": "现孕"},
                         {**CLEAN, "record_id": "b", "household_type": "空挂户", "unit_code": "330106002"},
                         {**CLEAN, "record_id": "c"}, {**CLEAN, "record_id": "d", "status": "注销",
                                                       "household_type": "集体户"})
    kids = pd.DataFrame([{"child_id": "k", "mother_record_id": "a", "birth_date": "2020-01-01"}])
    latest = latest_child_births(kids, records)
    found = run_key_checks(records, as_of=AS_OF, latest_child=latest)
    table = key_target_list(records, found, latest_child=latest)
    assert table[["record_id", "category"]].values.tolist() == [["a", "无措施"], ["a", "现孕"], ["b", "空挂户"]]
    assert table.loc[0, "latest_child_birth"] == "2020-01-01" and "married_no_method" in table.loc[0, "findings"]
    assert table["street_code"].tolist() == ["330106001", "330106001", "330106002"]


# --- explained findings ----------------------------------------------------------------------

def test_explained_findings_are_kept_but_leave_the_error_counts():
    broken = {"birth_date": "1990-05-13"}  # birth_date_mismatch_id, an error
    register = pd.DataFrame([
        {**CLEAN, **broken, "record_id": "says-why", "remarks": "公安系统出生日期有误,已核实"},
        {**CLEAN, **broken, "record_id": "in-file", "unit_code": "330106002"},
        {**CLEAN, **broken, "record_id": "silent", "unit_code": "330106002"}])
    explained = pd.DataFrame({"记录编号": ["in-file", "silent", "nobody"],
                              "规则": ["birth_date_mismatch_id", "id_bad_check", "id_bad_check"],
                              "说明": ["户口本即如此", "号码无误", "?"]})
    result = linkage.audit(register, as_of=AS_OF, explained=explained, dedupe_records=False)
    found = result.findings
    mismatch = found[found["rule"] == "birth_date_mismatch_id"].set_index("record_id")
    assert mismatch.loc["says-why", "explained"] == EXPLAINED and "公安" in mismatch.loc["says-why", "explanation"]
    assert mismatch.loc["in-file", "explained"] == EXPLAINED and mismatch.loc["in-file", "explanation"] == "户口本即如此"
    assert mismatch.loc["silent", "explained"] == ""
    unmatched = found[found["rule"] == "explanation_not_matched"].set_index("record_id")
    assert sorted(unmatched.index) == ["nobody", "silent"]
    assert "未触发" in unmatched.loc["silent", "detail"] and "不在册" in unmatched.loc["nobody", "detail"]
    street = result.summary[result.summary["level"] == "street"].set_index("unit_code")
    assert street.loc["330106001", "logic_errors"] == 0 and street.loc["330106002", "logic_errors"] == 1
    assert street.loc["330106001", "explained"] >= 1 and street.loc["330106002", "explained"] == 1
    total = result.summary.iloc[-1]
    assert total["logic_errors"] == 1 and total["explained"] == street["explained"].sum()


def test_a_remark_naming_a_rule_explains_only_that_rule():
    findings = pd.DataFrame({"record_id": ["r", "r"], "child_id": ["", ""], "unit_code": ["330106001"] * 2,
                             "rule": ["id_bad_check", "hukou_code_missing"], "severity": ["error", "warning"],
                             "field": ["", ""], "message": ["m1", "户籍地代码为空"], "value": "", "detail": ""})
    remarks = pd.DataFrame({"record_id": ["r"], "unit_code": ["330106001"], "remarks": ["户籍地代码为空:系统原因"]})
    out = apply_explanations(findings, remarks=remarks)
    assert out["explained"].tolist() == ["", EXPLAINED]


def test_explained_file_needs_record_and_rule_columns():
    with pytest.raises(SchemaError, match="规则"):
        read_explained(pd.DataFrame({"记录编号": ["r"], "说明": ["x"]}))


# --- birth clues -----------------------------------------------------------------------------

MOTHERS = [
    {**CLEAN, "record_id": "m-reported", "name": "王芳", "id_number": make_id("330106", "1990-05-12", "124")},
    {**CLEAN, "record_id": "m-ours", "name": "赵敏", "id_number": make_id("330106", "1992-07-21", "364"),
     "birth_date": "1992-07-21", "unit_code": "330106002", "spouse_id_number": make_id("330106", "1990-02-01", "215")},
    {**CLEAN, "record_id": "m-other", "name": "李娜", "id_number": make_id("330108", "1988-03-02", "244"),
     "birth_date": "1988-03-02", "unit_code": "330108002", "spouse_id_number": make_id("330108", "1986-02-01", "215")},
]
BIRTHS = pd.DataFrame([
    {"记录编号": "b1", "母亲姓名": "王芳", "母亲身份证号": MOTHERS[0]["id_number"], "子女出生日期": "2025-12-03",
     "子女性别": "男"},
    {"记录编号": "b2", "母亲姓名": "赵敏", "母亲身份证号": MOTHERS[1]["id_number"], "子女出生日期": "2025-12-20",
     "子女性别": "女", "政策属性": "计划外"},
    {"记录编号": "b3", "母亲姓名": "李娜", "母亲身份证号": MOTHERS[2]["id_number"], "子女出生日期": "2025-11-03",
     "子女性别": "女"},
    {"记录编号": "b4", "母亲姓名": "孙丽", "母亲身份证号": make_id("330106", "1994-01-09", "484"),
     "子女出生日期": "2025-12-20", "子女性别": "女"},
    {"记录编号": "b5", "母亲姓名": "钱红", "母亲身份证号": make_id("330110", "1993-04-09", "484"),
     "子女出生日期": "2025-12-22", "子女性别": "男", "现居住地代码": "330110005"},
])
KIDS = pd.DataFrame([{"child_id": "c1", "mother_record_id": "m-reported", "sex": "男", "birth_date": "2025-12-03",
                      "birth_order": "1"}])


def clue_status(**kwargs) -> dict[str, str]:
    clues = find_clues(records_of(*MOTHERS), BIRTHS, district="330106", **kwargs)
    return dict(zip(clues["birth_record_id"], clues["status"]))


def test_each_birth_gets_its_status():
    clues = find_clues(records_of(*MOTHERS), BIRTHS, children=KIDS, district="330106", as_of="2026-01-10",
                       due="2026-01-31")
    by_id = clues.set_index("birth_record_id")
    assert by_id["status"].to_dict() == {"b1": "已上报", "b2": "本单位待上报", "b3": "非本单位", "b4": "待核实",
                                         "b5": "非本单位"}
    assert by_id.loc["b1", "child_id"] == "c1" and by_id.loc["b2", "mother_record_id"] == "m-ours"
    assert by_id.loc["b2", "unit_code"] == "330106002" and by_id.loc["b2", "policy"] == "政策外"
    assert by_id.loc["b3", "to_unit_code"] == "330108002" and by_id.loc["b5", "to_unit_code"] == "330110005"
    assert by_id.loc["b2", "due_date"] == "2026-01-31" and by_id.loc["b1", "due_date"] == ""
    assert by_id.loc["b2", "clue_id"] == "B-b2"


def test_a_clue_falls_overdue_after_the_due_date_and_is_reported_when_the_child_appears():
    before = clue_status(children=KIDS, as_of="2026-01-31", due="2026-01-31")
    after = clue_status(children=KIDS, as_of="2026-02-01", due="2026-01-31")
    assert before["b2"] == "本单位待上报" and after["b2"] == "逾期" and after["b4"] == "逾期"
    assert after["b3"] == "非本单位"  # a notice to the other unit, never overdue here
    later_kids = pd.concat([KIDS, pd.DataFrame([{"child_id": "c9", "mother_record_id": "m-ours", "sex": "女",
                                                 "birth_date": "2025-12-21", "birth_order": "1"}])])
    assert clue_status(children=later_kids, as_of="2026-02-01", due="2026-01-31")["b2"] == "已上报"
    wrong_sex = later_kids.assign(sex=["男", "男"])
    assert clue_status(children=wrong_sex, as_of="2026-02-01", due="2026-01-31")["b2"] == "逾期"


def test_a_deferral_report_moves_the_due_date():
    deferrals = pd.DataFrame({"线索编号": ["B-b2"], "延期原因": ["母亲外出务工,联系不上"], "延期至": ["2026-03-15"]})
    clues = find_clues(records_of(*MOTHERS), BIRTHS, children=KIDS, district="330106", as_of="2026-02-10",
                       due="2026-01-31", deferrals=deferrals).set_index("birth_record_id")
    assert clues.loc["b2", "status"] == "本单位待上报" and clues.loc["b2", "due_date"] == "2026-03-15"
    assert clues.loc["b2", "deferral_reason"].startswith("母亲外出") and clues.loc["b4", "status"] == "逾期"


def test_births_file_without_the_childs_birth_date_is_a_clear_error():
    with pytest.raises(SchemaError, match="子女出生日期"):
        read_births(pd.DataFrame({"记录编号": ["b1"], "母亲姓名": ["王芳"]}))


def test_audit_writes_clues_deferrals_and_key_targets(tmp_path):
    result = linkage.audit(pd.DataFrame(MOTHERS), children=KIDS, births=BIRTHS, due="2026-01-31",
                           as_of="2026-02-10", district="330106", dedupe_records=False)
    result.write(tmp_path)
    for name in ("clues.csv", "clues.xlsx", "deferrals.csv", "key_targets.csv", "key_targets.xlsx"):
        assert (tmp_path / name).is_file(), name
    deferrals = pd.read_csv(tmp_path / "deferrals.csv", dtype=str)
    assert sorted(deferrals["clue_id"]) == ["B-b2", "B-b4"]
    assert result.counts()["clues_overdue"] == 2
    summary = result.summary.set_index("unit_code")
    assert summary.loc["330106002", "clues_overdue"] == 1


# --- the follow-up run -----------------------------------------------------------------------

def _woman(record_id: str, unit: str, name: str, birth: str, seq: str, **changes) -> dict:
    return {**CLEAN, "record_id": record_id, "unit_code": unit, "name": name, "birth_date": birth,
            "id_number": make_id("330106", birth, seq), "residence_code": unit, "hukou_code": unit[:9],
            "spouse_id_number": make_id("330106", "1980-01-0" + seq[0], "135"), "phone": "1380013" + seq + "0",
            **changes}


def earlier_register() -> pd.DataFrame:
    return pd.DataFrame([
        _woman("f1", "330106001", "陈静", "1991-02-03", "224", id_number=wrong_check(make_id("330106", "1991-02-03", "224"))),
        _woman("f2", "330106001", "周婷", "1992-03-04", "324", hukou_code=""),
        _woman("f3", "330106002", "吴敏", "1993-04-05", "424"),
        _woman("f4", "330106002", "郑丽", "1994-05-06", "524", contraception="无措施"),
        _woman("d1", "330106001", "冯雪", "1985-06-07", "624", residence_since="2024-01-01", registered_date="2014-01-01"),
        _woman("d2", "330106002", "冯雪", "1985-06-07", "624", residence_code="330106001", residence_since="2024-01-01",
               registered_date="2020-01-01"),
        _woman("d3", "330106001", "蒋红", "1986-07-08", "724", residence_since="2024-01-01", registered_date="2014-01-01"),
        _woman("d4", "330106002", "蒋红", "1986-07-08", "724", residence_code="330106001", residence_since="2024-01-01",
               registered_date="2020-01-01"),
    ])


def later_register() -> pd.DataFrame:
    frame = earlier_register().set_index("record_id")
    frame.loc["f1", "id_number"] = make_id("330106", "1991-02-03", "224")  # fixed
    frame.loc["f3", "marital_status"] = "离异"  # new finding
    frame.loc["f4", "status"] = "注销"  # left management: its finding is gone
    frame.loc["d2", "status"] = "注销"  # the notice carried out
    return frame.reset_index()


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    earlier_out = tmp_path_factory.mktemp("earlier")
    first = linkage.audit(earlier_register(), as_of="2026-01-05", district="330106")
    first.write(earlier_out)
    result = followup(earlier_out, later_register(), district="330106", as_of="2026-03-01", weights={})
    return first, result


def test_followup_classifies_every_finding_of_both_runs(campaign):
    first, result = campaign
    followed = result.followup.set_index(["record_id", "rule"])
    assert followed.loc[("f1", "id_bad_check"), "status"] == "已整改"
    assert followed.loc[("f1", "id_bad_check"), "note"] == "已更正"
    assert followed.loc[("f2", "hukou_code_missing"), "status"] == "未整改"
    assert followed.loc[("f3", "marital_status_unknown"), "status"] == "新增"
    assert followed.loc[("f4", "married_no_method"), "status"] == "已整改"
    assert followed.loc[("f4", "married_no_method"), "note"] == "记录已注销或迁出"
    earlier = first.findings
    assert len(result.followup[result.followup["status"].isin(["已整改", "未整改"])]) == \
        len(earlier.drop_duplicates(["record_id", "child_id", "rule"]))


def test_followup_follows_the_notices_and_the_duplicates_left(campaign):
    first, result = campaign
    notices = result.notices_followup
    assert len(notices) == len(first.dedupe.notices) == 2
    status = dict(zip(notices["record_id"], notices["status"]))
    assert status == {"d2": "已办理", "d4": "未办理"}
    left = result.extra["duplicates_left"]
    assert sorted(left["record_id"]) == ["d3", "d4"]
    total = result.followup_summary.iloc[-1]
    assert (total["notices_done"], total["notices_open"], total["duplicates_left"]) == (1, 1, 2)


def test_followup_summary_per_street_adds_up(campaign):
    _, result = campaign
    summary = result.followup_summary
    streets, total = summary[summary["level"] == "street"], summary.iloc[-1]
    for column in ("findings_before", "fixed", "open", "new"):
        assert streets[column].sum() == total[column]
    assert (total["fixed"] + total["open"]) == total["findings_before"]
    one = streets.set_index("unit_code").loc["330106001"]
    assert one["fixed_share"] == pytest.approx(one["fixed"] / one["findings_before"], abs=1e-4)


def test_scores_rank_the_streets_from_spot_check_fixes_and_clues(campaign, tmp_path):
    _, result = campaign
    sample = result.later.sample.copy()
    sample["correct"] = ["是"] * len(sample)
    sample.loc[sample["unit_code"].str.startswith("330106002"), "correct"] = "否"
    from linkage.audit.assessment import score_streets
    scores = score_streets(result.followup_summary, linkage.audit.spotcheck(sample), None)
    assert scores["unit_code"].tolist() == ["330106001", "330106002"]
    assert scores["rank"].tolist() == [1, 2]
    street2 = scores.set_index("unit_code").loc["330106002"]
    assert street2["spot_check_part"] == 0 and street2["parts"] == "抽查、整改"
    write_followup(result, tmp_path)
    assert (tmp_path / "followup_summary.xlsx").is_file() and (tmp_path / "scores.csv").is_file()


def test_command_line_audit_then_followup(tmp_path):
    earlier_register().to_csv(tmp_path / "register.csv", index=False)
    later_register().to_csv(tmp_path / "later.csv", index=False)
    BIRTHS.to_csv(tmp_path / "births.csv", index=False)
    assert main(["audit", str(tmp_path / "register.csv"), "-o", str(tmp_path / "jan"), "--district", "330106",
                 "--as-of", "2026-01-05", "--births", str(tmp_path / "births.csv"), "--due", "2026-01-31",
                 "-q"]) == 0
    assert (tmp_path / "jan" / "clues.csv").is_file()
    weights = tmp_path / "weights.json"
    weights.write_text('{"spot_check": 0.5, "fixed": 0.3, "clues": 0.2}', encoding="utf-8")
    assert main(["followup", str(tmp_path / "jan"), str(tmp_path / "later.csv"), "-o", str(tmp_path / "mar"),
                 "--district", "330106", "--as-of", "2026-03-01", "--births", str(tmp_path / "births.csv"),
                 "--due", "2026-01-31", "--weights", str(weights), "-q"]) == 0
    scores = pd.read_csv(tmp_path / "mar" / "scores.csv", dtype={"unit_code": str})
    assert set(scores["unit_code"]) == {"330106001", "330106002"}
    followed = pd.read_csv(tmp_path / "mar" / "followup.csv", dtype=str)
    assert {"已整改", "未整改", "新增"} <= set(followed["status"])
    assert main(["followup", str(tmp_path / "nothing"), str(tmp_path / "later.csv"), "-o", str(tmp_path / "x"),
                 "-q"]) == 2


def test_planned_outside_is_read_as_outside_policy():
    from linkage.audit import check_children
    kids = pd.DataFrame([{"child_id": "c1", "mother_record_id": "r1", "sex": "男", "birth_date": "2019-08-15",
                          "birth_order": "1", "policy": "计划外", "reported_period": ""}])
    found = check_children(kids, records_of(CLEAN), as_of=AS_OF)
    assert "illegal_period_missing" in set(found["rule"]) and "child_policy_unknown" not in set(found["rule"])


def test_the_calendar_places_a_run_in_its_phase():
    from linkage.audit.calendar import Phase, phase_of
    assert [phase_of(day).name for day in ("2026-12-14", "2026-12-15", "2027-02-28", "2028-02-29", "2028-03-01",
                                           "2028-03-16")] == ["不在清查期间", "培训部署", "核查清理", "核查清理",
                                                              "抽查评估", "不在清查期间"]
    own = (Phase("自查", (11, 20), (1, 10), "1月10日前自查"),)
    assert phase_of("2027-01-05", own).name == "自查" and phase_of("2027-01-11", own).name == "不在清查期间"


def test_past_the_deadline_an_undetermined_group_goes_to_the_first_wis_holder():
    rows = [_woman("u1", "330106001", "冯雪", "1985-06-07", "624", residence_since="", registered_date="2014-01-01"),
            _woman("u2", "330106002", "冯雪", "1985-06-07", "624", residence_code="330106003", residence_since="",
                   registered_date="2020-01-01"),
            # two valid numbers one part apart: who she is stays to verify, whatever the deadline
            _woman("t1", "330106001", "蒋红", "1986-07-08", "724", residence_since="", registered_date="2014-01-01"),
            _woman("t2", "330106002", "蒋红", "1986-07-09", "724", residence_code="330106003", residence_since="",
                   registered_date="2010-01-01")]
    before = linkage.audit(pd.DataFrame(rows), as_of="2026-02-20", district="330106", deadline="2026-02-28")
    assert set(before.dedupe.decisions["status"]) == {"undetermined"} and before.dedupe.notices.empty
    after = linkage.audit(pd.DataFrame(rows), as_of="2026-03-05", district="330106", deadline="2026-02-28")
    decisions = after.dedupe.decisions.set_index("cluster_id")
    assert decisions.loc["C-u1", "rule"] == "deadline_wis_holder" and decisions.loc["C-u1", "managing_record_id"] == "u1"
    assert decisions.loc["C-t1", "status"] == "undetermined"
    assert after.dedupe.notices["record_id"].tolist() == ["u2"]
    assert "以WIS实际数据为准" in after.dedupe.notices["evidence"].iloc[0]
    assert after.dedupe.verification["record_ids"].tolist() == ["t1;t2"]


def test_on_a_generated_campaign_the_checks_clues_and_followup_meet_their_bars():
    from benchmarks.audit_eval import evaluate_campaign
    measured = evaluate_campaign(2000, seed=3, per_rule=10)
    assert measured["key_found_share"] >= 0.98 and measured["clean_flagged_share"] <= 0.01
    assert measured["clue_status_right_share"] == 1.0
    assert measured["fixed_exact"] and measured["new_exact"] and measured["notices_exact"], measured


def test_an_estate_without_house_numbers_is_not_one_crowded_household():
    rows = [{**CLEAN, "record_id": f"w{k}", "name": f"王芳{'甲乙丙丁戊'[k]}", "hukou_address": "西湖区文新街道和湖家园",
             "id_number": make_id("330106", "1990-05-12", f"{k}24")} for k in range(5)]
    assert "crowded_household_address" not in set(run_key_checks(records_of(*rows), as_of=AS_OF)["rule"])
    rows = [{**row, "hukou_address": "西湖区文新街道和湖家园3幢12号"} for row in rows]
    assert set(run_key_checks(records_of(*rows), as_of=AS_OF)["record_id"]) == {f"w{k}" for k in range(5)}


def test_a_child_entered_under_another_record_is_found_by_its_id_number():
    kid_id = make_id("330106", "2025-12-20", "012")
    births = BIRTHS.assign(子女身份证号=["", kid_id, "", "", ""])
    kids = pd.concat([KIDS, pd.DataFrame([{"child_id": "c7", "mother_record_id": "m-reported", "sex": "女",
                                           "birth_date": "2025-12-20", "birth_order": "2", "id_number": kid_id}])])
    clues = find_clues(records_of(*MOTHERS), births, children=kids, district="330106", as_of="2026-02-01")
    row = clues.set_index("birth_record_id").loc["b2"]
    assert row["status"] == "已上报" and row["child_id"] == "c7"


def test_a_deferral_without_a_date_keeps_the_due_date_and_says_so():
    deferrals = pd.DataFrame({"线索编号": ["B-b2"], "延期原因": ["联系不上"], "延期至": ["下个月"]})
    clues = find_clues(records_of(*MOTHERS), BIRTHS, children=KIDS, district="330106", as_of="2026-02-10",
                       due="2026-01-31", deferrals=deferrals).set_index("birth_record_id")
    assert clues.loc["b2", "status"] == "逾期" and "无法识别延期至" in clues.loc["b2", "reason"]


def test_a_repeated_birth_record_id_is_an_error_naming_the_births_file(tmp_path):
    path = tmp_path / "births.csv"
    pd.concat([BIRTHS, BIRTHS.iloc[:1]]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="births.csv"):
        find_clues(records_of(*MOTHERS), path, as_of=AS_OF)


def test_campaign_dates_and_flags_are_checked_with_clear_messages():
    from linkage.errors import ConfigError
    with pytest.raises(ConfigError, match="--due"):
        find_clues(records_of(*MOTHERS), BIRTHS, as_of=AS_OF, due="2026-02-30")
    with pytest.raises(ConfigError, match="--births"):
        linkage.audit(pd.DataFrame(MOTHERS), as_of=AS_OF, due="2026-02-28", dedupe_records=False)


def test_overdue_clues_lower_a_streets_score_and_weights_are_data(tmp_path):
    from linkage.audit.assessment import AssessmentWeights, score_streets
    from linkage.errors import ConfigError
    summary = pd.DataFrame({"level": ["street", "street", "district"], "unit_code": ["330106001", "330106002", ""],
                            "fixed_share": [0.5, 0.5, 0.5]})
    clues = pd.DataFrame({"street_code": ["330106001", "330106001", "330106002", "330106002"],
                          "status": ["逾期", "已上报", "已上报", "本单位待上报"]})
    weights = AssessmentWeights.from_dict({"fixed": 1, "clues": 1, "spot_check": 0})
    scores = score_streets(summary, None, clues, weights=weights).set_index("unit_code")
    assert scores.loc["330106001", "score"] == 50.0 and scores.loc["330106002", "score"] == 75.0
    assert scores.loc["330106002", "rank"] == 1 and scores.loc["330106001", "clues_overdue"] == 1
    path = tmp_path / "weights.json"
    path.write_text('{"fixd": 1}', encoding="utf-8")
    with pytest.raises(ConfigError, match="fixd"):
        AssessmentWeights.load(path)


def test_a_remark_naming_no_rule_explains_only_the_fields_it_names():
    findings = pd.DataFrame({"record_id": ["r", "r"], "child_id": ["", ""], "unit_code": ["330106001"] * 2,
                             "rule": ["birth_date_mismatch_id", "hukou_code_missing"], "severity": ["error", "warning"],
                             "field": ["birth_date", "hukou_code"], "message": ["出生日期与身份证号不符", "户籍地代码为空"],
                             "value": ["", ""], "detail": ["", ""]})
    said = apply_explanations(findings, remarks=pd.DataFrame(
        {"record_id": ["r"], "unit_code": ["330106001"], "remarks": ["公安系统出生日期有误,已核实"]}))
    assert said.set_index("rule")["explained"].to_dict() == {"birth_date_mismatch_id": EXPLAINED,
                                                             "hukou_code_missing": ""}
    other_note = apply_explanations(findings, remarks=pd.DataFrame(
        {"record_id": ["r"], "unit_code": ["330106001"], "remarks": ["外出务工,联系电话见档案"]}))
    assert (other_note["explained"] == "").all()  # a note about something else hides no error
