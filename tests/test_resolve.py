"""Managing-unit decisions, notices and printable documents (resolve/: issue 4)."""

from __future__ import annotations

import doctest
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import resolve.documents
import resolve.grouped
import resolve.rules
from linkage.errors import ConfigError
from linkage.io import load
from linkage.prepare import prepare
from resolve import (DEFAULT_RULES, RuleSet, decide, draft_notices, load_rules, managing_unit_for_records,
                     render_notice_text, save_rules, verification_list, write_documents)

AS_OF = "2026-01-31"
DISTRICT = "330106"
ID_A = "330106199001011244"
ID_B = "330108199203041262"


def norm_of(rows: list[dict]) -> pd.DataFrame:
    return prepare(load(pd.DataFrame(rows).fillna(""))).norm


def person(record_id: str, unit: str, **fields) -> dict:
    return {"record_id": record_id, "unit_code": unit, "name": "张丽", "id_number": ID_A, **fields}


def run(rows: list[dict], clusters: list[str] | None = None, *, district: str | None = DISTRICT,
        pairs: np.ndarray | None = None, probabilities: np.ndarray | None = None, rules: RuleSet | None = None):
    norm = norm_of(rows)
    cluster_ids = np.array(clusters or ["G"] * len(rows), dtype=object)
    if pairs is None:  # every pair scored 0.95 inside each cluster
        i, j = np.triu_indices(len(rows), 1)
        keep = cluster_ids[i] == cluster_ids[j]
        pairs = np.c_[i[keep], j[keep]].astype(np.int64)
        probabilities = np.full(len(pairs), 0.95)
    ids = norm["record_id"].to_numpy(dtype=object)
    reasons = np.array(["~".join(sorted((ids[i], ids[j]))) for i, j in pairs], dtype=object)
    decisions = decide(norm, cluster_ids, as_of=AS_OF, rules=rules)
    drafted = draft_notices(decisions, norm, cluster_ids, pairs, probabilities, reasons, district=district, as_of=AS_OF)
    return decisions, drafted.notices, drafted.verification


def only(frame: pd.DataFrame) -> dict:
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


# ---- the rules --------------------------------------------------------------------------------

def test_residence_of_six_months_or_more_decides():
    rows = [person("R1", "330106001", hukou_code="330106001", residence_code="330106002", residence_since="2024-03-01",
                   registered_date="2010-01-01"),
            person("R2", "330106002", residence_code="330106002", residence_since="2024-03-01",
                   registered_date="2024-04-01")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["managing_unit_code"]) == ("R2", "330106002")
    assert decision["rule"] == "residence_6_months" and decision["status"] == "decided"
    assert "330106002" in decision["evidence"] and "2024-03-01" in decision["evidence"]


@pytest.mark.parametrize("since, kept, rule", [
    ("2025-07-31", "R2", "residence_6_months"),  # exactly six months before as_of: counts
    ("2025-08-01", "R1", "household_registration"),  # one day short: her household registration decides
])
def test_six_month_boundary(since, kept, rule):
    rows = [person("R1", "330106001", hukou_code="330106001", residence_code="330106002", residence_since=since),
            person("R2", "330106002", hukou_code="330106001")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"]) == (kept, rule)
    if rule == "household_registration":
        assert "不满6个月" in decision["evidence"]


def test_a_county_household_code_cannot_name_the_street_that_manages_her():
    rows = [person("R1", "330108003", hukou_code="330106"), person("R2", "330106004", hukou_code="")]
    decisions, notices, verification = run(rows)
    decision = only(decisions)
    assert (decision["status"], decision["managing_unit_code"], decision["unit_rule"]) == \
        ("undetermined", "", "household_registration")
    assert "户籍地330106(浙江省杭州市西湖区),管理单位只到县级,须核实到街道" in decision["missing"]
    assert notices.empty and only(verification)["to_unit_codes"] == "330106004"


def test_residence_code_and_start_date_read_from_different_records():
    rows = [person("R1", "330106001", residence_code="330106002", hukou_code="330106001"),
            person("R2", "330106002", residence_since="2020-05-01")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R2", "residence_6_months")
    assert "2020-05-01" in decision["evidence"]


def test_tie_in_the_deciding_unit_goes_to_the_earlier_registered_record():
    rows = [person("R1", "330106002", residence_code="330106002", residence_since="2020-01-01",
                   registered_date="2021-06-01"),
            person("R2", "330106002", residence_code="330106002", residence_since="2020-01-01",
                   registered_date="2019-02-01")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"], decision["unit_rule"]) == \
        ("R2", "earlier_registered", "residence_6_months")


def test_tie_with_a_missing_registered_date_goes_to_the_more_complete_record():
    rows = [person("R1", "330106002", registered_date="2019-01-01", phone="13800138000", spouse_name="李强"),
            person("R2", "330106003")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R1", "more_complete")
    assert "建档日期" in decision["evidence"] and "缺失" in decision["evidence"]


def test_no_codes_at_all_earlier_registered_record_decides():
    rows = [person("R1", "330106001", registered_date="2022-01-01"),
            person("R2", "330106003", registered_date="2015-01-01")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["managing_unit_code"], decision["rule"]) == \
        ("R2", "330106003", "earlier_registered")


def test_within_the_deciding_street_the_record_where_she_lives_is_kept():
    rows = [person("R1", "330106003", hukou_code="330106003", residence_code="330106003005", registered_date="2001-01-01"),
            person("R2", "330106003005", registered_date="2020-01-01")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R2", "nearest_residence")


def test_conflicting_household_codes_are_not_guessed_at():
    rows = [person("R1", "330106001", hukou_code="330106001"), person("R2", "330106002", hukou_code="330106002")]
    decision = only(run(rows)[0])
    assert decision["unit_rule"] == "" and "户籍地记录不一致" in decision["evidence"]


# ---- undetermined, cancelled records ---------------------------------------------------------

def test_undetermined_group_gets_no_notice_only_a_verification_line():
    rows = [person("R1", "330106001"), person("R2", "330106003"), person("R3", "330106009", name="李静", id_number=ID_B)]
    decisions, notices, verification = run(rows, ["G", "G", "H"])
    decision = only(decisions)
    assert (decision["status"], decision["managing_record_id"], decision["action"]) == ("undetermined", "", "verify")
    assert "建档日期" in decision["missing"] and "户籍地代码缺失" in decision["missing"]
    assert notices.empty
    line = only(verification)
    assert (line["cluster_id"], line["record_ids"], line["to_unit_codes"]) == ("G", "R1;R2", "330106001;330106003")
    assert "建档日期" in line["missing"]


def test_cancelled_and_transferred_records_are_left_alone():
    rows = [person("R1", "330106001", hukou_code="330106001", registered_date="2015-01-01"),
            person("R2", "330106002", residence_code="330106009", residence_since="2010-01-01",
                   registered_date="2016-01-01"),
            person("R3", "330106009", status="注销", registered_date="2001-01-01"),
            person("R4", "330106009", status="迁出"),
            person("R5", "330106001", name="李静", id_number=ID_B), person("R6", "330106005", name="李静",
                                                                          id_number=ID_B, status="注销")]
    decisions, notices, _ = run(rows, ["G", "G", "G", "G", "H", "H"])
    assert decisions["cluster_id"].tolist() == ["G", "H"]  # SCHEMA: every cluster of two or more has a row
    decision, quiet = decisions.iloc[0], decisions.iloc[1]
    assert (quiet["rule"], quiet["status"], quiet["action"], quiet["managing_record_id"], quiet["inactive_records"]) \
        == ("one_active", "decided", "keep", "R5", "R6(注销)")  # H has one active record: nothing to do
    assert decision["records"] == "R1;R2" and decision["inactive_records"] == "R3(注销);R4(迁出)"
    assert decision["managing_record_id"] in ("R1", "R2")
    touched = set(notices["record_id"]) | set(notices["kept_record_id"])
    assert not touched & {"R3", "R4", "R5", "R6"}


def test_a_cancelled_record_still_dates_her_residence_but_is_never_kept():
    rows = [person("R1", "330106002004", residence_code="330106002", hukou_code="330106005"),
            person("R2", "330106005", residence_code="330106002", hukou_code="330106005"),
            person("R3", "330106002", residence_code="330106002", residence_since="2015-05-29", status="注销")]
    decision = only(run(rows)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R1", "residence_6_months")
    assert "2015-05-29" in decision["evidence"] and decision["inactive_records"] == "R3(注销)"


def test_a_cancelled_record_at_another_address_is_not_her_residence():
    rows = [person("R1", "330106001", residence_code="330106001", hukou_code="330106005"),
            person("R2", "330106005", hukou_code="330106005"),
            person("R3", "330108002", residence_code="330108002", residence_since="2010-01-01", status="迁出")]
    decision = only(run(rows)[0])
    assert decision["status"] == "undetermined" and "2010-01-01" not in decision["evidence"]
    assert "起始日期缺失" in decision["missing"]


def test_unknown_time_at_residence_is_not_read_as_less_than_six_months():
    away = [person("R1", "330106001", residence_code="330106001003", hukou_code="232721"),
            person("R2", "330106002", hukou_code="232721", registered_date="2001-01-01")]
    decisions, notices, verification = run(away)
    assert only(decisions)["status"] == "undetermined" and notices.empty
    assert "不能判断是否满6个月" in only(verification)["missing"]
    home = [person("R1", "330106001", residence_code="330106001003", hukou_code="330106001", registered_date="2001-01-01"),
            person("R2", "330106001003", hukou_code="330106001")]
    decision = only(run(home)[0])  # both rules name her street: no need to know how long
    assert (decision["managing_record_id"], decision["unit_rule"], decision["rule"]) == \
        ("R2", "household_registration", "nearest_residence")


def test_an_office_may_let_an_unknown_residence_fall_through(tmp_path):
    rules = RuleSet.from_dict({"rules": [dict(r.to_dict(), if_unknown="next") if r.kind == "location" else r.to_dict()
                                         for r in DEFAULT_RULES.rules]})
    rows = [person("R1", "330106001", residence_code="330106001003", hukou_code="330106002"),
            person("R2", "330106002")]
    decision = only(run(rows, rules=rules)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R2", "household_registration")


# ---- notice kinds ---------------------------------------------------------------------------

def three_units(residence: str) -> list[dict]:
    return [person("R1", "330106001", registered_date="2012-01-01"),
            person("R2", "330106002", residence_code=residence, residence_since="2018-01-01"),
            person("R3", "330108001", id_number=ID_A[:17] + "5", registered_date="2014-01-01")]


def test_group_over_three_units_managed_here():
    decisions, notices, _ = run(three_units("330106002"))
    assert only(decisions)["managing_record_id"] == "R2"
    by_record = notices.set_index("record_id")
    assert len(notices) == 2 and set(notices["kept_record_id"]) == {"R2"}
    assert by_record.loc["R1", ["kind", "from_unit_code", "to_unit_code"]].tolist() == \
        ["cancel_in_district", "330106", "330106001"]
    assert by_record.loc["R3", ["kind", "from_unit_code", "to_unit_code", "via"]].tolist() == \
        ["request_cancellation", "330106002", "330108001", "迁入迁出平台"]
    assert by_record.loc["R1", "record_id_number"] == ID_A  # full numbers in the CSV
    assert by_record.loc["R3", "record_id_number"] == ID_A[:17] + "5"


def test_group_over_three_units_managed_by_another_district():
    decisions, notices, _ = run(three_units("330108001"))
    assert only(decisions)["managing_record_id"] == "R3"
    assert sorted(notices["record_id"]) == ["R1", "R2"]
    assert set(notices["kind"]) == {"cancellation_notice"} and set(notices["to_unit_code"]) == {"330108001"}
    assert set(notices["via"]) == {"迁入迁出平台"}
    assert sorted(notices["from_unit_code"]) == ["330106001", "330106002"]


def test_without_a_district_every_record_is_seen_from_its_own_district():
    _, notices, _ = run(three_units("330106002"), district=None)
    assert notices.set_index("record_id")["kind"].to_dict() == \
        {"R1": "cancel_in_district", "R3": "cancellation_notice"}


def test_group_with_no_record_here_and_not_ours_gets_no_notice():
    rows = [person("R1", "330108001", residence_code="330108001", residence_since="2010-01-01"),
            person("R2", "330110002")]
    decisions, notices, _ = run(rows)
    assert only(decisions)["status"] == "decided" and notices.empty


def test_managing_unit_without_a_record_gets_the_nearest_record_transferred():
    rows = [person("R1", "330106001", residence_code="330106005", residence_since="2015-01-01"),
            person("R2", "320106001")]
    decisions, notices, _ = run(rows)
    decision = only(decisions)
    assert (decision["managing_record_id"], decision["managing_unit_code"], decision["action"]) == \
        ("R1", "330106005", "transfer_out")
    assert notices.set_index("record_id")["kind"].to_dict() == {"R1": "transfer_out", "R2": "request_cancellation"}
    assert notices.set_index("record_id").loc["R1", "to_unit_code"] == "330106005"


def test_she_is_ours_but_only_other_districts_hold_her():
    rows = [person("R1", "330108001", residence_code="330106005", residence_since="2015-01-01",
                   registered_date="2011-01-01"),
            person("R2", "330110001", registered_date="2013-01-01")]
    _, notices, _ = run(rows)
    assert notices.set_index("record_id")[["kind", "from_unit_code", "to_unit_code"]].to_dict("index") == {
        "R1": {"kind": "request_transfer", "from_unit_code": "330106005", "to_unit_code": "330108001"},
        "R2": {"kind": "request_cancellation", "from_unit_code": "330106005", "to_unit_code": "330110001"},
    }


def test_probability_is_the_direct_pair_else_the_strongest_paths_weakest_link():
    rows = [person("R1", "330106002", residence_code="330106002", residence_since="2015-01-01"),
            person("R2", "330106003"), person("R3", "330106004"), person("R4", "330106005")]
    pairs = np.array([[0, 1], [1, 2], [0, 3], [2, 3]], dtype=np.int64)
    probabilities = np.array([0.97, 0.61, 0.83, 0.88])
    _, notices, _ = run(rows, pairs=pairs, probabilities=probabilities)
    by_record = notices.set_index("record_id")
    assert by_record.loc["R2", ["probability", "link", "reasons"]].tolist() == [0.97, "direct", "R1~R2"]
    assert by_record.loc["R3", ["probability", "link", "link_records"]].tolist() == [0.83, "path", "R1–R4"]


def test_notices_are_stable_for_the_same_input_in_any_row_order():
    rows = three_units("330106002") + [person("R7", "330106001", name="李静", id_number=ID_B),
                                       person("R8", "330106007", name="李静", id_number=ID_B,
                                              registered_date="2000-01-01")]
    clusters = ["G", "G", "G", "H", "H"]
    _, first, _ = run(rows, clusters)
    order = [4, 2, 0, 3, 1]
    _, again, _ = run([rows[k] for k in order], [clusters[k] for k in order])
    pd.testing.assert_frame_equal(first, again)
    assert first["notice_id"].is_unique and first["notice_id"].tolist() == ["N-R1", "N-R3", "N-R7"]


# ---- rules files ----------------------------------------------------------------------------

def test_rules_file_round_trip(tmp_path):
    path = tmp_path / "rules.json"
    save_rules(DEFAULT_RULES, path)
    assert load_rules(path) == DEFAULT_RULES
    assert RuleSet.from_dict(json.loads(path.read_text(encoding="utf-8"))) == DEFAULT_RULES


def test_office_rules_in_toml_change_the_decision(tmp_path):
    path = tmp_path / "本区口径.toml"
    path.write_text('format_version = 1\nname = "户籍优先"\n'
                    '[[rules]]\nname = "hukou_first"\nkind = "location"\nfield = "hukou_code"\n'
                    '[[rules]]\nname = "first_entered"\nkind = "earliest"\nfield = "registered_date"\n',
                    encoding="utf-8")
    rules = load_rules(path)
    rows = [person("R1", "330106001", hukou_code="330106001"),
            person("R2", "330106002", residence_code="330106002", residence_since="2015-01-01")]
    assert only(run(rows)[0])["managing_record_id"] == "R2"
    decision = only(run(rows, rules=rules)[0])
    assert (decision["managing_record_id"], decision["rule"]) == ("R1", "hukou_first")


@pytest.mark.parametrize("text, suffix, message", [
    ('{"rules": [', ".json", "not valid JSON"),
    ('{"format_version": 9, "rules": []}', ".json", "format_version 9"),
    ('{"rules": []}', ".json", "non-empty list"),
    ('{"rules": [{"name": "x", "kind": "astrology"}]}', ".json", "rule 1 ('x'): unknown kind"),
    ('{"rules": [{"name": "x", "kind": "location", "field": "phone"}]}', ".json", "'field' must be one of"),
    ('{"rules": [{"name": "a", "kind": "earliest", "field": "registered_date"}, '
     '{"name": "b", "kind": "location", "field": "hukou_code"}]}', ".json", "before the tie-break"),
    ('[[rules]]\nname = "x"\nkind = "location"\nfield = "hukou_code"\nmin_months = -1\n', ".toml", "min_months"),
    ("rules = [", ".toml", "not valid TOML"),
    ("{}", ".yaml", ".json or .toml"),
])
def test_bad_rules_file_is_a_config_error_naming_file_and_problem(tmp_path, text, suffix, message):
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_missing_rules_file():
    with pytest.raises(ConfigError, match="no such rules file"):
        load_rules("/nonexistent/rules.toml")


# ---- printable documents ---------------------------------------------------------------------

def test_printed_copies_mask_id_numbers_csv_keeps_them(tmp_path):
    decisions, notices, verification = run(three_units("330106002") + [person("R9", "330106001", name="赵敏"),
                                                                       person("R10", "330106008", name="赵敏")],
                                           ["G", "G", "G", "U", "U"])
    row = notices.set_index("record_id").loc["R1"].to_dict() | {"record_id": "R1"}
    text = render_notice_text(row)
    assert "330106********1244" in text and ID_A not in text
    assert "0.950" in text and "R1~R2" in text and "以现居住地为主" in text and AS_OF in text
    paths = write_documents(notices, verification, tmp_path / "docs")
    assert [p.name for p in paths] == ["330106001.xlsx", "330106008.xlsx", "330108001.xlsx"]
    for path in paths:
        book = load_workbook(path)
        cells = [str(c.value) for sheet in book.worksheets for r in sheet.iter_rows() for c in r if c.value is not None]
        assert not any(ID_A in c or ID_A[:17] + "5" in c for c in cells)
    book = load_workbook(tmp_path / "docs" / "330106001.xlsx")
    assert book.sheetnames == ["通报单", "通报清单", "待核实名单"]
    table = [[c.value for c in r] for r in book["通报清单"].iter_rows()]
    assert table[0][0] == "通报清单  330106001" and table[1][:3] == ["通报编号", "类别", "接收单位"]
    assert table[2][0] == "N-R1" and "330106********1244" in table[2] and "注销" in table[2]
    forms = [str(c.value) for r in book["通报单"].iter_rows() for c in r if c.value]
    assert "区内重复注销  通报编号 N-R1" in forms and "330106********1244" in forms
    assert book["通报单"].row_breaks.count >= 1
    pending = [[c.value for c in r] for r in book["待核实名单"].iter_rows()]
    assert pending[1][:2] == ["聚类编号", "记录编号"] and pending[2][:2] == ["U", "R10;R9"]
    assert only(verification)["cluster_id"] == "U"


def test_nothing_to_print_writes_nothing(tmp_path):
    _, notices, verification = run([person("R1", "330106001")], ["A"])
    assert write_documents(notices, verification, tmp_path / "none") == []


def _sheet_text(sheet) -> list[str]:
    return [str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None]


def test_each_notice_prints_on_its_own_a4_page_and_the_table_repeats_its_header(tmp_path):
    rows = [person("R0", "330106002", registered_date="2010-01-01"), person("R1", "330106001", registered_date="2011-01-01"),
            person("R2", "330106003", name="李静", id_number=ID_B, registered_date="2010-01-01"),
            person("R3", "330106001", name="李静", id_number=ID_B, registered_date="2012-01-01")]
    _, notices, verification = run(rows, ["G", "G", "H", "H"])
    one_unit = notices[notices["to_unit_code"] == "330106001"]
    assert len(one_unit) == 2
    assert [p.name for p in write_documents(notices, verification, tmp_path / "docs")] == ["330106001.xlsx"]
    book = load_workbook(tmp_path / "docs" / "330106001.xlsx")
    forms = book["通报单"]
    assert [b.id for b in forms.row_breaks.brk] == [21, 42]  # a break after each notice's seal area
    titles = [forms.cell(r, 1).value for r in (1, 22)]
    assert titles == [f"区内重复注销  通报编号 {n}" for n in one_unit["notice_id"]]
    assert forms.page_setup.paperSize == 9 and forms.page_setup.orientation == "portrait"
    assert not forms.sheet_properties.pageSetUpPr or not forms.sheet_properties.pageSetUpPr.fitToPage  # keeps breaks
    form = _sheet_text(forms)
    for label in ("发出单位", "接收单位", "身份证号", "匹配概率", "匹配依据", "规则", "依据说明", "处理意见"):
        assert form.count(label) == 2, label
    assert forms.cell(15, 2).value == one_unit["evidence"].iloc[0] and "B15:C15" in forms.merged_cells
    for label in ("经办人(签字):", "审核人(签字):", "盖章"):
        assert form.count(label) == 2, label
    assert not any(c.isascii() and c.isalpha() and c.lower() == c for c in " ".join(form).split())  # no rule codes
    table = book["通报清单"]
    assert table.print_title_rows == "$1:$2" and table.freeze_panes == "A3" and table.auto_filter.ref == "A2:K4"
    assert [c.value for c in table[2]] == list(resolve.documents.TABLE_HEADERS.values())
    assert [table.cell(r, 1).value for r in (3, 4)] == one_unit["notice_id"].tolist()
    assert table.page_setup.orientation == "landscape" and table.sheet_properties.pageSetUpPr.fitToPage
    assert table.page_setup.fitToWidth == 1 and table.page_setup.fitToHeight == 0


def test_text_that_xml_cannot_hold_still_prints(tmp_path):
    _, notices, verification = run(three_units("330106002"))
    notices = notices.assign(record_name="张<丽>&\x01丽", evidence="依据\x0b & <说明>", reasons=np.nan,
                             probability=[np.nan, 0.5])
    paths = write_documents(notices, verification, tmp_path / "docs")
    for path in paths:
        book = load_workbook(path)
        form = _sheet_text(book["通报单"])
        assert "张<丽>&丽" in form and "依据 & <说明>" in form
        assert "nan" not in form and any(c.startswith(("无(", "0.500(")) for c in form)
        assert "张<丽>&丽" in [c.value for c in book["通报清单"][3]]


def test_same_notices_give_identical_files_and_alike_unit_codes_separate_files(tmp_path):
    _, notices, verification = run(three_units("330106002"))
    first = write_documents(notices, verification, tmp_path / "a")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in write_documents(notices, verification,
                                                                                      tmp_path / "b")]
    alike = notices.assign(to_unit_code=["33/0106", "33:0106"])
    paths = write_documents(alike, verification.iloc[:0], tmp_path / "c")
    assert [p.name for p in paths] == ["33_0106.xlsx", "33_0106_.xlsx"]
    assert {load_workbook(p)["通报清单"]["C3"].value for p in paths} == {"33/0106", "33:0106"}
    # written in two parts (two processes may take one each): the same files under the same names
    halves = [write_documents(alike, verification.iloc[:0], tmp_path / "d", share=part) for part in ((0, .5), (.5, 1))]
    assert [len(half) for half in halves] == [1, 1]
    assert [p.name for p in halves[0] + halves[1]] == ["33_0106.xlsx", "33_0106_.xlsx"]
    assert [p.read_bytes() for p in halves[0] + halves[1]] == [p.read_bytes() for p in paths]


# ---- per record, bad input, empty input, invariants -----------------------------------------

def test_managing_unit_for_single_records():
    norm = norm_of([person("R1", "330106001", hukou_code="330106001", residence_code="330108002",
                           residence_since="2019-01-01"),
                    person("R2", "330106001", hukou_code="330106001", residence_code="330108002",
                           residence_since="2026-01-01"),
                    person("R3", "330106001")])
    table = managing_unit_for_records(norm, as_of=AS_OF)
    assert table["managing_unit_code"].tolist() == ["330108002", "330106001", ""]
    assert table["action"].tolist() == ["transfer_out", "keep", "verify"]
    assert table["status"].tolist() == ["decided", "decided", "undetermined"]
    assert table["rule"].tolist() == ["residence_6_months", "household_registration", "undetermined"]


def test_bad_codes_and_dates_do_not_crash_and_are_not_guessed():
    rows = [person("R1", "abc", hukou_code="33-01", residence_code="?", residence_since="2025-02-30",
                   registered_date="yesterday"),
            person("R2", "330106001", residence_since="2099-01-01")]
    decision = only(run(rows)[0])
    assert (decision["status"], decision["managing_unit_code"]) == ("undetermined", "")
    assert "户籍地3301(浙江省杭州市),管理单位只到县级" in decision["missing"]  # '33-01' reads as the city 3301


def test_empty_register_gives_empty_outputs(tmp_path):
    norm = norm_of([person("R1", "330106001")]).iloc[:0]
    decisions = decide(norm, np.array([], dtype=object), as_of=AS_OF)
    assert decisions.empty and "managing_unit_code" in decisions.columns
    drafted = draft_notices(decisions, norm, np.array([], dtype=object), np.empty((0, 2), np.int64), np.empty(0),
                            np.empty(0, dtype=object), district=DISTRICT, as_of=AS_OF)
    assert drafted.notices.empty and drafted.verification.empty
    assert "notice_id" in drafted.notices.columns
    assert verification_list(decisions).empty


def test_cluster_ids_must_match_the_records():
    with pytest.raises(ValueError, match="one per record"):
        decide(norm_of([person("R1", "330106001")]), np.array(["A", "B"], dtype=object), as_of=AS_OF)


UNITS = ["330106001", "330106002", "330106002003", "330108001", "320106001"]
record_strategy = st.fixed_dictionaries({
    "unit": st.sampled_from(UNITS), "residence": st.sampled_from(UNITS + [""]),
    "since": st.sampled_from(["", "2010-01-01", "2025-12-01"]), "hukou": st.sampled_from(UNITS[:3] + ["330106", ""]),
    "registered": st.sampled_from(["", "2011-01-01", "2012-01-01"]), "status": st.sampled_from(["", "", "", "注销"]),
    "cluster": st.integers(0, 3),
})


@settings(max_examples=40, deadline=None)
@given(st.lists(record_strategy, min_size=1, max_size=12), st.sampled_from([DISTRICT, None]))
def test_invariants_on_random_registers(records, district):
    rows = [person(f"R{k}", r["unit"], residence_code=r["residence"], residence_since=r["since"],
                   hukou_code=r["hukou"], registered_date=r["registered"], status=r["status"])
            for k, r in enumerate(records)]
    clusters = [f"C{r['cluster']}" for r in records]
    decisions, notices, verification = run(rows, clusters, district=district)
    active = pd.Series([r["status"] != "注销" for r in records], index=clusters)
    expected = sorted(c for c, n in active.groupby(level=0).size().items() if n >= 2)  # SCHEMA: every such cluster
    assert decisions["cluster_id"].tolist() == expected
    few = decisions["cluster_id"].map(active.groupby(level=0).sum()) < 2
    assert decisions.loc[few, "rule"].isin(["one_active", "none_active"]).all()
    assert notices["record_id"].is_unique
    decided = decisions[decisions["status"] == "decided"]
    assert (decided["managing_record_id"] != "").all()
    assert set(notices["cluster_id"]) <= set(decided["cluster_id"])
    kept_in_place = set(decided.loc[decided["action"] == "keep", "managing_record_id"])
    assert not kept_in_place & set(notices["record_id"])
    cancelled = {f"R{k}" for k, r in enumerate(records) if r["status"] == "注销"}
    assert not cancelled & (set(notices["record_id"]) | set(notices["kept_record_id"]))
    assert notices["probability"].between(0, 1).all()
    # notices.csv: one row per record (a record in one notice at most), the rows of a notice share its columns
    assert all(r in ids.split(";") for r, ids in zip(notices["record_id"], notices["record_ids"]))
    per_notice = notices.groupby("notice_id")
    assert (per_notice[["record_ids", "kind", "from_unit_code", "to_unit_code", "instruction"]].nunique() == 1).all().all()
    assert (per_notice.size() == per_notice["record_ids"].first().str.count(";") + 1).all()
    firsts = notices.drop_duplicates("notice_id")
    assert (firsts["notice_id"] == "N-" + firsts["record_id"]).all()  # the printed record comes first
    assert not (firsts["cluster_id"] + firsts["record_unit_code"]).duplicated().any()  # one per woman and unit
    covered = notices["record_id"]
    if district is None:
        for cluster in decided["cluster_id"]:
            d = decided.set_index("cluster_id").loc[cluster]
            n_covered = int((notices["cluster_id"] == cluster).sum())
            assert n_covered == d["n_records"] - (d["action"] == "keep")
    assert set(verification["cluster_id"]) <= set(decisions.loc[decisions["status"] == "undetermined", "cluster_id"])


@pytest.mark.parametrize("module", [resolve.rules, resolve.documents, resolve.grouped])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
