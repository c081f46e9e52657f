"""The audit beyond the record rules: separation, unregistered women, summary, spot check, the
whole run and its command line."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from linkage.audit import audit, draw_sample, find_missing, find_separation, spotcheck, summarize
from linkage.audit.cli import add_commands
from linkage.audit.sample import street_seed, wilson_interval
from linkage.audit.summary import write_summary_excel
from linkage.errors import SchemaError
from linkage.io import load, read_table
from linkage.normalize.ids import check_character
from linkage.prepare import prepare

AS_OF = "2026-01-31"


def make_id(region: str, birth: str, seq: str) -> str:
    first17 = region + birth.replace("-", "") + seq
    return first17 + check_character(first17)


def woman(record_id: str, **fields: str) -> dict[str, str]:
    base = {"record_id": record_id, "unit_code": "330106001", "name": "王芳", "sex": "女", "birth_date": "1990-05-12",
            "marital_status": "未婚", "status": "在管"}
    return {**base, **fields}


def records_of(*rows: dict[str, str]):
    return prepare(load(pd.DataFrame(list(rows)).fillna("")))


# --- separation -------------------------------------------------------------------------------

SEPARATION_REGISTER = [
    woman("keep", hukou_code="330108001", residence_code="330106001002", residence_since="2020-01-01"),
    woman("out", unit_code="330106002", hukou_code="330106002", residence_code="330108003",
          residence_since="2019-05-01"),
    woman("recent", hukou_code="330106001", residence_code="330110005", residence_since="2025-12-01"),
    woman("same_street", hukou_code="330106001", residence_code="330106001003", residence_since="2010-01-01"),
    woman("no_hukou", hukou_code="", residence_code="330108003", residence_since="2010-01-01"),
    woman("cancelled", status="注销", hukou_code="330108001", residence_code="330106001002",
          residence_since="2020-01-01"),
]


def test_separation_lists_only_active_records_living_away_from_their_household():
    table = find_separation(records_of(*SEPARATION_REGISTER), as_of=AS_OF)
    assert set(table["record_id"]) == {"keep", "out", "recent"}
    assert {"record_id", "hukou_code", "residence_code", "managing_unit_code", "rule", "action"} <= set(table.columns)


def test_separation_actions_follow_the_managing_unit_rules():
    table = find_separation(records_of(*SEPARATION_REGISTER), as_of=AS_OF).set_index("record_id")
    assert table.loc["keep", "action"] == "keep"            # lives 6+ months in a community of her own street
    assert table.loc["out", "action"] == "transfer_out"     # lives 6+ months in another district
    assert table.loc["out", "managing_unit_code"] == "330108003"
    assert table.loc["recent", "action"] == "keep"          # under 6 months: her household unit, which is ours
    assert table.loc["recent", "rule"] == "household_registration"
    assert table.loc["out", "across_district"]


def test_separation_without_a_deciding_rule_is_verify_never_transfer():
    from resolve.rules import RuleSet

    only_residence = RuleSet.from_dict({"rules": [{"name": "residence_6_months", "kind": "location",
                                                   "field": "residence_code", "since_field": "residence_since",
                                                   "min_months": 6}]})
    table = find_separation(records_of(*SEPARATION_REGISTER), as_of=AS_OF, rules=only_residence).set_index("record_id")
    assert table.loc["recent", "action"] == "verify"
    assert table.loc["recent", "managing_unit_code"] == ""
    assert table.loc["out", "action"] == "transfer_out"


# --- unregistered women -----------------------------------------------------------------------

HER = make_id("330106", "1990-05-12", "124")
REGISTER = [
    woman("r1", id_number=HER, hukou_code="330106001"),
    woman("r2", name="李娜", birth_date="1985-03-03", id_number=make_id("330106", "1985-03-03", "246")),
    woman("r3", name="张丽", birth_date="1992-07-07", id_number=make_id("330102", "1992-07-07", "368")),
]
EXTRACT = pd.DataFrame([
    {"record_id": "e1", "name": "王芳", "id_number": HER, "sex": "女", "birth_date": "1990-05-12",
     "hukou_code": "330106001"},
    {"record_id": "e2", "name": "赵敏", "id_number": make_id("330106", "1993-02-02", "482"), "sex": "女",
     "birth_date": "1993-02-02", "marital_status": "初婚", "spouse_name": "钱军", "hukou_code": "330106003"},
    {"record_id": "e3", "name": "孙倩", "id_number": make_id("330106", "2001-09-09", "562"), "sex": "女",
     "residence_code": "330106004002"},
    {"record_id": "e4", "name": "周强", "id_number": make_id("330106", "1990-01-01", "771"), "sex": "男",
     "hukou_code": "330106001"},
    {"record_id": "e5", "name": "吴梅", "id_number": make_id("330106", "1960-01-01", "882"), "sex": "女",
     "hukou_code": "330106001"},
    {"record_id": "e6", "name": "郑洁", "id_number": make_id("330108", "1991-01-01", "982"), "sex": "女",
     "hukou_code": "330108002", "residence_code": "330108002001"},
    {"record_id": "e7", "name": "冯静", "id_number": make_id("340209", "1995-04-04", "102"), "sex": "女",
     "hukou_code": "340209"},
    {"record_id": "e8", "name": "陈红", "id_number": make_id("340209", "1994-04-04", "202"), "sex": "女",
     "hukou_code": "340209", "residence_address": "浙江省杭州市西湖区文三路12号"},
]).fillna("")


@pytest.fixture(scope="module")
def missing_list() -> pd.DataFrame:
    return find_missing(records_of(*REGISTER), [EXTRACT.assign(source="公安户籍")], district="330106", as_of=AS_OF)


def test_to_enter_list_has_the_unregistered_women_of_the_district_married_first(missing_list):
    assert missing_list["external_record_id"].tolist() == ["e2", "e3", "e8", "e7"]
    assert missing_list["priority"].tolist() == [1, 2, 2, 3]
    assert "待核实" in missing_list["reason"].iloc[-1]           # e7: registered elsewhere, residence unknown
    assert set(missing_list["source"]) == {"公安户籍"}


def test_to_enter_list_leaves_out_registered_men_old_and_away(missing_list):
    listed = set(missing_list["external_record_id"])
    assert not listed & {"e1", "e4", "e5", "e6"}


def test_to_enter_rows_carry_a_near_miss_candidate(missing_list):
    assert {"source", "external_record_id", "name", "id_number", "reason", "best_candidate_record_id",
            "best_probability"} <= set(missing_list.columns)
    assert missing_list["street_code"].tolist()[:3] == ["330106003", "330106004", ""]


def test_a_woman_missing_from_two_extracts_is_listed_once():
    extracts = [EXTRACT.assign(source="公安户籍"), EXTRACT.iloc[[1]].assign(source="民政婚姻", record_id="m9")]
    table = find_missing(records_of(*REGISTER), extracts, district="330106", as_of=AS_OF)
    row = table[table["name"] == "赵敏"]
    assert len(row) == 1
    assert row["source"].iloc[0] == "公安户籍;民政婚姻"
    assert row["external_record_id"].iloc[0] == "e2;m9"


# --- summary ----------------------------------------------------------------------------------

def test_summary_totals_add_up_and_attribute_each_count_to_its_street(tmp_path):
    records = records_of(woman("a"), woman("b", unit_code="330106001002"), woman("c", unit_code="330106002"),
                         woman("d", unit_code=""), woman("e", unit_code="330106002", status="注销"))
    findings = pd.DataFrame({"record_id": ["a", "a", "c", "m"], "child_id": ["", "", "", "k1"],
                             "unit_code": ["330106001", "330106001", "330106002", ""],
                             "severity": ["error", "warning", "error", "error"]})
    clusters = pd.DataFrame({"record_id": list("abcde"), "cluster_size": [2, 2, 1, 1, 1]})
    separation = pd.DataFrame({"unit_code": ["330106002"], "action": ["transfer_out"]})
    missing = pd.DataFrame({"street_code": ["330106001", "330106001", ""]})
    table = summarize(records, clusters=clusters, separation=separation, findings=findings, missing=missing,
                      district="330106")
    streets, total = table[table["level"] == "street"].set_index("unit_code"), table.iloc[-1]
    assert total["unit_code"] == "330106" and total["level"] == "district"
    for column in ("records", "active_records", "duplicates", "separated", "transfer_out", "logic_errors",
                   "logic_warnings", "illegal_birth_issues", "missing"):
        assert total[column] == streets[column].sum(), column
    assert streets.loc["330106001", ["records", "duplicates", "logic_errors", "logic_warnings", "missing"]].tolist() \
        == [2, 2, 1, 1, 2]
    assert streets.loc["330106002", ["records", "active_records", "separated", "transfer_out"]].tolist() == [2, 1, 1, 1]
    assert streets.loc["", ["records", "illegal_birth_issues", "missing"]].tolist() == [1, 1, 1]

    path = tmp_path / "summary.xlsx"
    write_summary_excel(table, path)
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["清查总结"]
    assert sheet["A1"].value.startswith("330106 ") and sheet["A1"].value.endswith("育龄妇女信息清理清查总结")
    assert [cell.value for cell in sheet[3]][:4] == ["层级", "街道代码", "街道名称", "记录数"]
    assert {sheet.cell(r, 1).value for r in range(4, sheet.max_row + 1)} == {"街道", "合计"}
    assert sheet.print_title_rows == "$1:$3" and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert len(book["统计图"]._charts) == 1 and not sheet._charts  # the chart on a page of its own


# --- spot check -------------------------------------------------------------------------------

def test_sample_is_reproducible_per_street_and_independent_of_row_order():
    rows = [woman(f"r{i:03d}", unit_code=f"33010600{1 + i % 3}") for i in range(90)]
    rows.append(woman("gone", status="注销"))
    records = records_of(*rows)
    first = draw_sample(records, size=5, seed=7)
    again = draw_sample(records_of(*reversed(rows)), size=5, seed=7)
    assert first["record_id"].tolist() == again["record_id"].tolist()
    assert first.groupby("stratum").size().tolist() == [5, 5, 5]
    assert "gone" not in set(first["record_id"])
    assert not first["record_id"].equals(draw_sample(records, size=5, seed=8)["record_id"])
    assert (first["draw_seed"] == first["stratum"].map(lambda s: street_seed(7, s))).all()
    assert draw_sample(records, size=100, seed=7).groupby("stratum").size().tolist() == [30, 30, 30]


def test_wilson_interval_matches_the_formula():
    low, high = wilson_interval(np.array([2, 0, 5]), np.array([50, 20, 0]))
    assert round(low[0], 4) == 0.0110 and round(high[0], 4) == 0.1346
    assert low[1] == 0 and 0.16 < high[1] < 0.17          # 0 of 20: upper bound about 16.1%
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_spotcheck_rates_per_street_and_a_weighted_district_estimate():
    sample = pd.DataFrame({
        "stratum": ["330106001"] * 10 + ["330106002"] * 10,
        "stratum_size": [1000] * 10 + [100] * 10,
        "correct": ["是"] * 9 + ["否"] + ["对"] * 5 + ["错"] * 3 + ["", "?"],
    })
    table = spotcheck(sample).set_index("stratum")
    assert table.loc["330106001", ["checked", "errors"]].tolist() == [10, 1]
    assert table.loc["330106002", ["checked", "errors", "unreadable"]].tolist() == [8, 3, 1]
    assert table.loc["330106001", "error_rate"] == pytest.approx(0.1)
    assert table.loc["330106001", "ci_low"] < 0.1 < table.loc["330106001", "ci_high"]
    weighted = (1000 * 0.1 + 100 * 3 / 8) / 1100
    assert table.loc["合计", "error_rate"] == pytest.approx(weighted)
    assert table.loc["合计", "ci_low"] < weighted < table.loc["合计", "ci_high"]


def test_spotcheck_needs_the_correct_column():
    with pytest.raises(SchemaError):
        spotcheck(pd.DataFrame({"stratum": ["330106001"]}))


# --- the whole run and its command line ------------------------------------------------------

@pytest.fixture(scope="module")
def generated():
    from benchmarks.generator import generate_extract, generate_register

    g = generate_register(n_records=600, seed=11)
    return g, generate_extract(g, n_records=80, seed=3)


def test_audit_writes_every_file_of_the_contract_and_its_counts_agree(generated, tmp_path):
    g, extract = generated
    children = pd.DataFrame([{"child_id": "k1", "mother_record_id": g.register["record_id"].iloc[0],
                              "birth_date": "1900-01-01", "birth_order": "1", "sex": "女", "policy": "政策内"}])
    result = audit(g.register, children=children, externals=[extract.extract], district=g.district, as_of=g.as_of,
                   sample=3, seed=1)
    result.write(tmp_path)
    for name in ("findings", "separation", "missing", "summary", "sample", "clusters", "pairs", "decisions",
                 "notices"):
        assert (tmp_path / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    assert (tmp_path / "summary.xlsx").is_file()
    total = result.summary.iloc[-1]
    findings = result.findings
    assert total["logic_errors"] == ((findings["child_id"] == "") & (findings["severity"] == "error")).sum()
    assert total["illegal_birth_issues"] == (findings["child_id"] != "").sum() >= 1
    assert total["separated"] == len(result.separation) and total["missing"] == len(result.missing)
    ours = g.register["unit_code"].str[:6] == g.district
    assert ours.any() and not ours.all()  # the generated register holds other districts' records too
    unit_of = g.register.set_index("record_id")["unit_code"]
    clusters = result.dedupe.clusters
    in_groups = clusters.loc[clusters["cluster_size"] >= 2, "record_id"]
    assert total["duplicates"] == (unit_of.reindex(in_groups).str[:6] == g.district).sum()
    assert total["records"] == ours.sum() and total["unit_code"] == g.district
    for table in (result.separation, result.sample, result.findings, result.summary.iloc[:-1]):
        codes = table["unit_code"].astype(str)  # with --district: this district's records only (or no unit at all)
        assert ((codes.str[:6] == g.district) | (codes == "")).all()
    assert len(read_table(tmp_path / "clusters.csv")) == len(g.register)


def test_command_line_audit_then_spotcheck(generated, tmp_path):
    g, extract = generated
    register, external = tmp_path / "register.csv", tmp_path / "extract.csv"
    g.register.to_csv(register, index=False, encoding="utf-8-sig")
    extract.extract.to_csv(external, index=False, encoding="gb18030")
    parser = argparse.ArgumentParser(prog="linkage")
    runners = add_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "out"
    args = parser.parse_args(["audit", str(register), "-o", str(out), "--external", str(external), "--district",
                              g.district, "--as-of", g.as_of, "--sample", "4", "--seed", "5", "-q", "--no-dedupe"])
    counts = runners["audit"](args)
    assert counts["records"] == (g.register["unit_code"].str[:6] == g.district).sum()
    sample = read_table(out / "sample.csv")
    assert len(sample) == counts["spot_check_sample"] > 0
    sample["correct"] = np.where(np.arange(len(sample)) % 4 == 0, "否", "是")
    marked = tmp_path / "marked.csv"
    sample.to_csv(marked, index=False, encoding="utf-8-sig")
    report = runners["spotcheck"](parser.parse_args(["spotcheck", str(marked), "-o", str(tmp_path / "spot")]))
    assert report["checked"] == len(sample) and report["errors"] == (np.arange(len(sample)) % 4 == 0).sum()
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "spot" / "spotcheck.xlsx")["抽查评估"]
    headers = [c.value for c in sheet[1]]
    rate = headers.index("差错率") + 1
    assert sheet.cell(sheet.max_row, 1).value == "合计" and sheet.cell(2, 1).value == "街道"
    assert all(sheet.cell(r, rate).number_format == "0.0%" for r in range(2, sheet.max_row + 1))  # 16.7%, not 0.1667


def test_a_whole_audit_of_garbage_gives_findings_not_a_crash(tmp_path):
    register = pd.DataFrame([
        woman("g1", name="", id_number="not an id", birth_date="yesterday", unit_code="???", hukou_code="abc",
              residence_code="😀", residence_since="31/31/31", marriage_date="0000-00-00", marital_status="初婚"),
        woman("g2", name="  ", id_number="０００", birth_date="", sex="?", spouse_id_number="x" * 30),
        woman("g3", id_number=HER, name="王芳"), woman("g4", id_number=HER, name="王 芳", unit_code="330106002"),
    ]).fillna("")
    children = pd.DataFrame([{"child_id": "k1", "mother_record_id": "g1", "birth_date": "??", "birth_order": "x"},
                             {"child_id": "k2", "mother_record_id": "nobody"}]).fillna("")
    extract = pd.DataFrame([{"record_id": "e1", "name": "", "id_number": "garbage", "birth_date": "never"},
                            {"record_id": "e2", "name": "赵敏", "sex": "女", "hukou_code": "330106001"}]).fillna("")
    result = audit(register, children=children, externals=[extract], district="330106", as_of=AS_OF, sample=2)
    result.write(tmp_path)
    assert {"g1", "g2"} <= set(result.findings["record_id"])
    assert {"k1", "k2"} <= set(result.findings["child_id"])
    assert set(result.missing["external_record_id"]) == {"e1", "e2"}
    assert result.summary.iloc[-1]["records"] == 4
