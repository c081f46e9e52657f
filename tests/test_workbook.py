"""办理清单.xlsx, the people's copy of notices.csv, verification.csv and decisions.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import linkage
from resolve.notices import KINDS
from resolve.workbook import NOTICE_SHEET, WORKBOOK_NAME

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = linkage.dedupe(DATA / "sample_register.csv", district="330106", as_of="2026-11-30")
    result.write(out, printable=False, report=False)
    return out, result


def test_the_workbook_reads_in_chinese_and_keeps_every_digit(written):
    out, result = written
    book = load_workbook(out / WORKBOOK_NAME)
    assert book.sheetnames == ["通报清单", "待核实名单", "管理单位决定"]
    sheet = book["通报清单"]
    headers = [c.value for c in sheet[1]]
    assert headers == [h for c, h in NOTICE_SHEET.items() if c in result.notices.columns]
    rows = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=headers)
    csv = pd.read_csv(out / "notices.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(rows) == len(csv)  # a row per record, as notices.csv
    assert rows["身份证号"].fillna("").tolist() == csv["record_id_number"].tolist()  # text, every digit
    assert rows["接收单位代码"].tolist() == csv["to_unit_code"].tolist()
    assert set(rows["通报类型"]) <= set(KINDS.values()) and set(rows["处理"]) <= {"注销", "迁出"}
    id_column = headers.index("身份证号") + 1
    assert all(sheet.cell(r, id_column).data_type == "s" for r in range(2, sheet.max_row + 1))
    decisions = book["管理单位决定"]
    status = [c.value for c in decisions[1]].index("状态") + 1
    assert {decisions.cell(r, status).value for r in range(2, decisions.max_row + 1)} <= {"已确定", "待核实"}
    english = {"cancel_in_district", "cancel", "decided", "undetermined", "keep", "transfer_out", "direct"}
    values = {str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None}
    assert not values & english


def test_the_workbook_is_laid_out_to_work_and_print(written):
    out, result = written
    sheet = load_workbook(out / WORKBOOK_NAME)["通报清单"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage
    headers = [c.value for c in sheet[1]]
    width = lambda header: sheet.column_dimensions[chr(ord("A") + headers.index(header))].width  # noqa: E731
    assert width("身份证号") >= 18 and width("通报编号") >= 10  # fitted to the text, not Excel's default 8.43
    evidence = headers.index("依据说明") + 1
    long_rows = [r for r in range(2, sheet.max_row + 1) if len(str(sheet.cell(r, evidence).value or "")) > 60]
    assert long_rows and all(sheet.row_dimensions[r].height and sheet.row_dimensions[r].height > 15 for r in long_rows)
