"""Every logic-check rule fires on a record that breaks it and stays silent on a clean record;
bad values become findings, never a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkage.audit import CHILD_RULES, RECORD_RULES, check_children, run_checks
from linkage.audit.base import AuditOptions
from linkage.normalize.dates import as_of_date as as_timestamp
from linkage.errors import ConfigError
from linkage.io import load
from linkage.normalize.ids import check_character
from linkage.prepare import prepare

AS_OF = "2026-01-31"


def make_id(region: str, birth: str, seq: str) -> str:
    first17 = region + birth.replace("-", "") + seq
    return first17 + check_character(first17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


HER_ID = make_id("330106", "1990-05-12", "124")        # 17th digit 4: a woman
MAN_ID = make_id("330106", "1990-05-12", "135")        # 17th digit 5: a man
HUSBAND_ID = make_id("330106", "1988-03-01", "135")
YOUNG_HUSBAND_ID = make_id("330106", "1996-03-01", "135")  # 18 when they married in 2015
WIFE_LIKE_SPOUSE_ID = make_id("330106", "1988-03-01", "124")

CLEAN = {
    "record_id": "r1", "unit_code": "330106001001", "unit_name": "小河街道明溪社区", "name": "王芳",
    "id_number": HER_ID, "sex": "女", "birth_date": "1990-05-12", "ethnicity": "汉族", "marital_status": "初婚",
    "marriage_date": "2015-06-01", "hukou_code": "330106001", "hukou_address": "西湖区小河街道明溪家园1-1-101",
    "residence_code": "330106001001", "residence_address": "西湖区小河街道明溪家园1-1-101",
    "residence_since": "2015-06-01", "work_unit": "个体", "phone": "13800138000", "spouse_name": "李强",
    "spouse_id_number": HUSBAND_ID, "contraception": "放环", "pregnancy": "", "registered_date": "2015-07-01",
    "status": "在管",
}

UNMARRIED = {"marital_status": "未婚", "marriage_date": "", "spouse_name": "", "spouse_id_number": ""}

BROKEN: dict[str, dict[str, str]] = {
    "id_missing": {"id_number": ""},
    "id_placeholder": {"id_number": "000000000000000000"},
    "id_masked": {"id_number": HER_ID[:14] + "XXXX"},
    "id_bad_chars": {"id_number": HER_ID[:10] + "O" + HER_ID[11:]},
    "id_bad_length": {"id_number": HER_ID[:17]},
    "id_bad_region": {"id_number": make_id("999999", "1990-05-12", "124")},
    "id_bad_date": {"id_number": make_id("330106", "1990-13-12", "124")},
    "id_bad_check": {"id_number": wrong_check(HER_ID)},
    "id_legacy15": {"id_number": HER_ID[:6] + HER_ID[8:17]},
    "birth_date_mismatch_id": {"birth_date": "1990-05-13"},
    "sex_mismatch_id": {"id_number": MAN_ID},
    "sex_male": {"sex": "男", "id_number": MAN_ID, **UNMARRIED},
    "sex_unreadable": {"sex": "X"},
    "sex_missing": {"sex": "", "id_number": ""},
    "birth_date_unreadable": {"birth_date": "1990-02-30"},
    "birth_missing": {"birth_date": "", "id_number": ""},
    "age_out_of_range": {"birth_date": "1970-01-01", "id_number": make_id("330106", "1970-01-01", "124")},
    "hukou_code_missing": {"hukou_code": ""},
    "hukou_code_malformed": {"hukou_code": "3301060"},
    "residence_code_missing": {"residence_code": ""},
    "residence_code_malformed": {"residence_code": "33010"},
    "residence_since_unreadable": {"residence_since": "不详"},
    "residence_since_after_as_of": {"residence_since": "2026-03-01"},
    "residence_since_before_birth": {"residence_since": "1985-01-01"},
    "registered_date_unreadable": {"registered_date": "2020-13-01"},
    "registered_date_after_as_of": {"registered_date": "2026-02-15"},
    "marital_status_missing": {"marital_status": ""},
    "marital_status_unknown": {"marital_status": "离异"},
    "pregnant_long_acting": {"pregnancy": "现孕", "contraception": "结扎"},
    "name_blank": {"name": "  "},
    "name_unusual_chars": {"name": "王芳A"},
    "unit_code_blank": {"unit_code": ""},
    "unit_code_malformed": {"unit_code": "33010600"},
    "status_unknown": {"status": "待定"},
    "marriage_date_unreadable": {"marriage_date": "2015年2月30日"},
    "married_without_date": {"marriage_date": ""},
    "unmarried_with_date": {**UNMARRIED, "marriage_date": "2015-06-01"},
    "marriage_after_as_of": {"marriage_date": "2026-05-01"},
    "married_under_age": {"marriage_date": "2009-01-01"},
    "spouse_under_age": {"spouse_id_number": YOUNG_HUSBAND_ID},
    "married_without_spouse": {"spouse_name": "", "spouse_id_number": ""},
    "spouse_name_missing": {"spouse_name": ""},
    "spouse_id_missing": {"spouse_id_number": ""},
    "unmarried_with_spouse": {**UNMARRIED, "spouse_name": "李强"},
    "spouse_same_sex": {"spouse_id_number": WIFE_LIKE_SPOUSE_ID},
    "spouse_id_invalid": {"spouse_id_number": wrong_check(HUSBAND_ID)},
    "spouse_id_legacy15": {"spouse_id_number": HUSBAND_ID[:6] + HUSBAND_ID[8:17]},
    "spouse_id_is_own": {"spouse_id_number": HER_ID},
}


def records_of(*rows: dict[str, str]):
    return prepare(load(pd.DataFrame(list(rows))))


def findings_for(changes: dict[str, str], **kwargs) -> pd.DataFrame:
    return run_checks(records_of({**CLEAN, **changes}), as_of=AS_OF, **kwargs)


def test_every_record_rule_has_a_breaking_example():
    assert sorted(BROKEN) == sorted(rule.name for rule in RECORD_RULES)


def test_clean_record_has_no_findings_at_all():
    found = findings_for({})
    assert found.empty, found[["rule", "detail"]].to_string()


@pytest.fixture(scope="module")
def one_register_of_every_error() -> pd.DataFrame:
    """One record breaking each rule plus clean records, checked in one run."""
    rows = [{**CLEAN, **BROKEN[rule.name], "record_id": f"bad-{rule.name}"} for rule in RECORD_RULES]
    rows += [{**CLEAN, "record_id": f"clean-{i}"} for i in range(3)]
    return run_checks(records_of(*rows), as_of=AS_OF)


@pytest.mark.parametrize("rule", [rule.name for rule in RECORD_RULES])
def test_rule_fires_on_the_record_that_breaks_it_and_not_on_clean_ones(rule, one_register_of_every_error):
    found = one_register_of_every_error
    hits = found[found["rule"] == rule]
    assert f"bad-{rule}" in set(hits["record_id"])
    assert not hits["record_id"].str.startswith("clean-").any()
    row = hits[hits["record_id"] == f"bad-{rule}"].iloc[0]
    assert row["severity"] in ("error", "warning") and row["message"] and row["field"]


def test_findings_carry_the_typed_value_and_evidence():
    found = findings_for(BROKEN["id_bad_check"])
    row = found[found["rule"] == "id_bad_check"].iloc[0]
    assert row["value"] == wrong_check(HER_ID)
    assert row["detail"].endswith(HER_ID[17])  # the check character the number should have
    found = findings_for(BROKEN["birth_date_mismatch_id"])
    assert "1990-05-12" in found.loc[found["rule"] == "birth_date_mismatch_id", "detail"].iloc[0]


def test_married_at_legal_age_and_husband_at_22_are_clean():
    found = findings_for({"marriage_date": "2010-05-12", "spouse_id_number": make_id("330106", "1988-05-12", "135")})
    assert found.empty, found[["rule", "detail"]].to_string()
    found = findings_for({"marriage_date": "2010-05-11"})  # one day before her 20th birthday
    assert "married_under_age" in set(found["rule"])


def test_age_bounds_are_inclusive_of_15_and_49():
    for birth, expected in (("2011-01-31", False), ("2011-02-01", True), ("1976-02-01", False), ("1976-01-31", True)):
        changes = {"birth_date": birth, "id_number": "", **UNMARRIED}
        assert ("age_out_of_range" in set(findings_for(changes)["rule"])) is expected, birth


def test_options_change_the_thresholds():
    changes = {"birth_date": "1975-06-01", "id_number": make_id("330106", "1975-06-01", "124")}
    assert "age_out_of_range" in set(findings_for(changes)["rule"])
    assert "age_out_of_range" not in set(findings_for(changes, options=AuditOptions(max_age=55))["rule"])
    assert AuditOptions.from_dict(AuditOptions(max_age=55).to_dict()) == AuditOptions(max_age=55)
    with pytest.raises(ConfigError):
        AuditOptions.from_dict({"max_agee": 50})


def test_cancelled_and_transferred_records_are_not_checked():
    records = records_of({**CLEAN, **BROKEN["id_bad_check"], "record_id": "gone", "status": "注销"},
                         {**CLEAN, **BROKEN["id_bad_check"], "record_id": "moved", "status": "迁出"})
    assert run_checks(records, as_of=AS_OF).empty
    assert set(run_checks(records, as_of=AS_OF, include_inactive=True)["record_id"]) == {"gone", "moved"}


def test_garbage_rows_become_findings_not_crashes():
    garbage = [
        {"record_id": "g1", "unit_code": "???", "name": "", "id_number": "not an id", "sex": "？",
         "birth_date": "yesterday", "marriage_date": "31/31/31", "marital_status": "初婚", "spouse_id_number": "123",
         "residence_since": "0000-00-00", "registered_date": "nan", "hukou_code": "abc", "residence_code": "😀"},
        {"record_id": "g2", "unit_code": "", "name": "  ", "id_number": "１１０１０５１９４９１２３１００２Ｘ",
         "birth_date": "1949/12/31", "sex": "2"},
        {"record_id": "g3", "unit_code": "330106001", "name": "x" * 500, "id_number": "1234567890" * 4, "birth_date": "9999-99-99"},
    ]
    found = run_checks(records_of(*garbage), as_of=AS_OF)
    rules = set(found["rule"])
    assert {"name_blank", "id_bad_chars", "birth_date_unreadable", "unit_code_malformed", "unit_code_blank",
            "sex_unreadable", "marriage_date_unreadable", "spouse_id_invalid", "hukou_code_malformed",
            "residence_code_malformed", "id_bad_length", "age_out_of_range"} <= rules
    assert set(found["record_id"]) == {"g1", "g2", "g3"}


def test_as_of_must_be_a_date():
    with pytest.raises(ConfigError):
        as_timestamp("not a date")
    assert as_timestamp(None) == pd.Timestamp.today().normalize()


# --- children ----------------------------------------------------------------------------------

MOTHER = {**CLEAN, "record_id": "m1"}
KID1_ID = make_id("330106", "2016-04-01", "013")
KID2_ID = make_id("330106", "2019-08-15", "022")
CHILDREN = [
    {"child_id": "c1", "mother_record_id": "m1", "name": "李明", "sex": "男", "birth_date": "2016-04-01",
     "birth_order": "1", "id_number": KID1_ID, "policy": "政策内", "reported_period": ""},
    {"child_id": "c2", "mother_record_id": "m1", "name": "李丽", "sex": "女", "birth_date": "2019-08-15",
     "birth_order": "2", "id_number": KID2_ID, "policy": "政策外", "reported_period": "2019年10月"},
]

CHILD_BROKEN: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    # rule: (child that breaks it, changes to that child, changes to the mother's record)
    "child_mother_not_in_register": ("c1", {"mother_record_id": "nobody"}, {}),
    "child_birth_date_unreadable": ("c1", {"birth_date": "2016-02-30"}, {}),
    "child_birth_date_missing": ("c1", {"birth_date": ""}, {}),
    "child_birth_after_as_of": ("c2", {"birth_date": "2026-06-01", "id_number": ""}, {}),
    "child_birth_before_mother_15": ("c1", {"birth_date": "2004-01-01", "id_number": ""}, {}),
    "child_order_unreadable": ("c1", {"birth_order": "老大"}, {}),
    "child_order_missing": ("c1", {"birth_order": ""}, {}),
    "child_order_repeated": ("c2", {"birth_order": "1"}, {}),
    "child_order_contradicts_dates": ("c2", {"birth_date": "2015-01-01", "id_number": ""}, {}),
    "child_birth_interval_short": ("c2", {"birth_date": "2016-07-01", "id_number": ""}, {}),
    "child_sex_unreadable": ("c1", {"sex": "?"}, {}),
    "child_sex_missing": ("c1", {"sex": ""}, {}),
    "child_id_invalid": ("c1", {"id_number": wrong_check(KID1_ID)}, {}),
    "child_id_birth_mismatch": ("c1", {"birth_date": "2016-04-02"}, {}),
    "child_id_sex_mismatch": ("c1", {"sex": "女"}, {}),
    "child_policy_unknown": ("c1", {"policy": "超生"}, {}),
    "illegal_mother_id_missing": ("c2", {}, {"id_number": ""}),
    "illegal_father_id_missing": ("c2", {}, {"spouse_id_number": wrong_check(HUSBAND_ID)}),
    "illegal_hukou_missing": ("c2", {}, {"hukou_code": "", "hukou_address": ""}),
    "illegal_residence_missing": ("c2", {}, {"residence_code": "", "residence_address": ""}),
    "illegal_sex_missing": ("c2", {"sex": ""}, {}),
    "illegal_birth_date_missing": ("c2", {"birth_date": ""}, {}),
    "illegal_order_missing": ("c2", {"birth_order": ""}, {}),
    "illegal_period_missing": ("c2", {"reported_period": ""}, {}),
    "reported_period_unreadable": ("c2", {"reported_period": "去年"}, {}),
    "reported_before_birth": ("c2", {"reported_period": "2018年12月"}, {}),
}


def child_findings(children: list[dict], mother_changes: dict[str, str] | None = None) -> pd.DataFrame:
    return check_children(pd.DataFrame(children), records_of({**MOTHER, **(mother_changes or {})}), as_of=AS_OF)


def test_every_child_rule_has_a_breaking_example():
    assert sorted(CHILD_BROKEN) == sorted(rule.name for rule in CHILD_RULES)


def test_clean_children_have_no_findings():
    found = child_findings(CHILDREN)
    assert found.empty, found[["child_id", "rule", "detail"]].to_string()


@pytest.fixture(scope="module")
def one_family_per_child_error() -> pd.DataFrame:
    """A mother and her two children per children rule, each family breaking one rule, plus a clean one."""
    mothers, children = [], []
    for rule, (child, changes, mother_changes) in [*CHILD_BROKEN.items(), ("clean", ("", {}, {}))]:
        mother_id = f"m-{rule}"
        mothers.append({**MOTHER, **mother_changes, "record_id": mother_id})
        for row in CHILDREN:
            kid = {**row, "mother_record_id": mother_id, "child_id": f"{row['child_id']}-{rule}"}
            children.append({**kid, **changes} if row["child_id"] == child else kid)
    return check_children(pd.DataFrame(children), records_of(*mothers), as_of=AS_OF)


@pytest.mark.parametrize("rule", [rule.name for rule in CHILD_RULES])
def test_child_rule_fires_on_the_row_that_breaks_it(rule, one_family_per_child_error):
    found = one_family_per_child_error
    child, changes, _ = CHILD_BROKEN[rule]
    hits = found[found["rule"] == rule]
    row = hits[hits["child_id"] == f"{child}-{rule}"]
    assert len(row) == 1
    assert row["record_id"].iloc[0] == changes.get("mother_record_id", f"m-{rule}")
    assert not hits["child_id"].str.endswith("-clean").any()
    assert found[found["record_id"] == "m-clean"].empty


def test_twins_share_a_date_on_consecutive_orders_without_findings():
    twin = {**CHILDREN[1], "child_id": "c3", "birth_order": "3", "sex": "男",
            "id_number": make_id("330106", "2019-08-15", "031")}
    found = child_findings([*CHILDREN, twin])
    assert found.empty, found[["child_id", "rule", "detail"]].to_string()


def test_birth_orders_in_words_are_read():
    children = [{**CHILDREN[0], "birth_order": "第一孩"}, {**CHILDREN[1], "birth_order": "二孩"}]
    assert child_findings(children).empty


def test_garbage_children_rows_become_findings():
    garbage = pd.DataFrame([{"child_id": "k1", "mother_record_id": "m1", "sex": "猫", "birth_date": "soon",
                             "birth_order": "-3", "id_number": "abc", "policy": "政策外", "reported_period": "??"},
                            {"child_id": "k2", "mother_record_id": " "}]).fillna("")
    found = check_children(garbage, records_of(MOTHER), as_of=AS_OF)
    assert {"child_sex_unreadable", "child_birth_date_unreadable", "child_order_unreadable", "child_id_invalid",
            "reported_period_unreadable", "child_mother_not_in_register"} <= set(found["rule"])
    assert set(found.loc[found["child_id"] == "k2", "rule"]) >= {"child_mother_not_in_register"}


def test_children_table_with_chinese_headers_is_read():
    chinese = pd.DataFrame(CHILDREN).rename(columns={"child_id": "子女编号", "mother_record_id": "母亲记录编号",
                                                     "birth_order": "孩次", "birth_date": "出生日期", "sex": "性别"})
    found = check_children(chinese, records_of({**MOTHER}), as_of=AS_OF)
    assert found.empty
    broken = chinese.assign(孩次=["1", "1"])
    assert set(check_children(broken, records_of(MOTHER), as_of=AS_OF)["rule"]) == {"child_order_repeated"}
