"""Bad files said plainly (issues 12 and 13): every sheet of a workbook read, title rows skipped,
merged cells flagged, empty files and ID columns stored as numbers refused with a clear word."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from linkage.errors import InputFileError, SchemaError
from linkage.io import load, read_table
from linkage.prepare import prepare

HEADER = ["记录编号", "管理单位代码", "管理单位", "姓名", "身份证号", "性别"]


def _rows(start: int, count: int, unit: str = "330106001") -> list[list[object]]:
    return [[f"r{k}", unit, "一街道", f"王芳{k}", f"33010619900101{k:03d}X", "女"] for k in range(start, start + count)]


def _book(path, sheets: dict[str, list[list[object]]]):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return book


def test_cover_sheet_is_skipped_and_the_register_read(tmp_path):
    path = tmp_path / "register.xlsx"
    _book(path, {"封面": [["某某区育龄妇女信息"], ["填报单位:某某区卫健局"]], "数据": [HEADER, *_rows(0, 3)]})
    frame = load(path)
    assert frame["record_id"].tolist() == ["r0", "r1", "r2"]
    assert frame.attrs["skipped_sheets"] == ["封面"] and frame.attrs["sheets"] == ["数据"]


def test_register_split_over_sheets_is_joined_and_rows_name_their_sheet(tmp_path):
    path = tmp_path / "register.xlsx"
    _book(path, {"一街道": [HEADER, *_rows(0, 3)], "二街道": [HEADER, *_rows(3, 2, "330106002"), _rows(1, 1)[0]]})
    frame = read_table(path)
    assert len(frame) == 6
    with pytest.raises(SchemaError, match=r"“记录编号”一列的值 \['r1'\].*工作表“一街道”第3行;工作表“二街道”第4行"):
        load(path)


def test_title_row_above_the_header_is_skipped_in_workbooks_and_csv(tmp_path):
    path = tmp_path / "register.xlsx"
    _book(path, {"Sheet1": [["某某区育龄妇女信息表(2026年1月)"], [], HEADER, *_rows(0, 2), ["r0", *_rows(0, 1)[0][1:]]]})
    with pytest.raises(SchemaError, match=r"重复出现在第4、6行"):
        load(path)  # the repeated r0 is named on the rows the clerk sees
    csv = tmp_path / "register.csv"
    lines = ["某某区育龄妇女信息表,,,,,", ",".join(HEADER)] + [",".join(map(str, row)) for row in _rows(0, 2)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = load(csv)
    assert frame["record_id"].tolist() == ["r0", "r1"]
    assert frame.attrs["header_row"] == 2


def test_missing_columns_list_what_the_header_holds(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("编号,单位,姓名\nr1,330106001,王芳\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"缺少必需的列 记录编号\(record_id\)、管理单位代码\(unit_code\);"
                                          r"文件的表头\(第1行\)是:编号、单位、姓名"):
        load(path)


def test_merged_unit_cells_are_filled_from_their_anchor_with_a_flag(tmp_path):
    path = tmp_path / "register.xlsx"
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *_rows(0, 3)]:
        sheet.append(row)
    sheet.merge_cells("B2:B4")  # openpyxl blanks B3:B4, as Excel stores a merge
    book.save(path)
    records = prepare(load(path))
    assert records.raw["unit_code"].tolist() == ["330106001"] * 3
    merged = records.flags[records.flags["reason"] == "merged_cell"]
    assert sorted(merged["record_id"]) == ["r1", "r2"] and set(merged["field"]) == {"unit_code"}


@pytest.mark.parametrize("sheets, message", [
    ({"Sheet1": []}, "文件是空的"),
    ({"Sheet1": [HEADER]}, "工作表“Sheet1”只有表头,没有记录"),
    ({"一街道": [HEADER, *_rows(0, 2)], "二街道": [HEADER]}, "工作表“二街道”只有表头"),
    ({"说明": [["本表为样表"]], "封面": [["某某区"]]}, "没有一个工作表含有表头"),
])
def test_empty_workbooks_and_sheets_are_errors_naming_them(tmp_path, sheets, message):
    path = tmp_path / "register.xlsx"
    _book(path, sheets)
    with pytest.raises(InputFileError, match=message):
        load(path)


def test_empty_csv_is_an_error(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    (tmp_path / "b.csv").write_text("\n\n", encoding="utf-8")
    for name in ("a.csv", "b.csv"):
        with pytest.raises(InputFileError, match=rf"{name}: 文件是空的"):
            load(tmp_path / name)


def test_id_column_stored_as_numbers_is_one_file_level_error(tmp_path):
    path = tmp_path / "register.xlsx"
    rows = [[f"r{k}", "330106001", "一街道", f"王芳{k}", 330106199001011000 + k, "女"] for k in range(5)]
    _book(path, {"Sheet1": [HEADER, *rows]})
    with pytest.raises(InputFileError, match=r"“身份证号”一列按数字保存.*第2行.*共5行.*“文本”格式"):
        load(path)
    csv = tmp_path / "register.csv"
    csv.write_text(",".join(HEADER) + "\n" + "".join(f"r{k},330106001,一街道,王芳{k},3.30106E+17,女\n" for k in range(5)),
                   encoding="utf-8")
    with pytest.raises(InputFileError, match=r"“身份证号”一列按数字保存.*3\.30106E\+17"):
        load(csv)


def test_a_few_bad_ids_stay_row_flags(tmp_path):
    csv = tmp_path / "register.csv"
    good = "".join(f"r{k},330106001,一街道,王芳{k},11010519491231002X,女\n" for k in range(99))
    csv.write_text(",".join(HEADER) + "\n" + good + "r99,330106001,一街道,王芳,3.30106E+17,女\n", encoding="utf-8")
    records = prepare(load(csv))
    assert "r99" in set(records.flags.loc[records.flags["field"] == "id_number", "record_id"])


def test_generic_tables_without_known_headers_still_read(tmp_path):
    path = tmp_path / "febrl.xlsx"
    _book(path, {"Sheet1": [["rec_id", "given_name", "surname"], ["rec-1-org", "john", "smith"]]})
    assert read_table(path)["rec_id"].tolist() == ["rec-1-org"]
    csv = tmp_path / "febrl.csv"
    pd.DataFrame({"rec_id": ["a"], "given_name": ["b"]}).to_csv(csv, index=False)
    assert read_table(csv).columns.tolist() == ["rec_id", "given_name"]


def test_a_row_longer_than_the_header_is_named(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("record_id,unit_code,name\nr1,330106001,王芳\nr2,330106001,李静,多出来的\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"register\.csv: 第3行有4个字段,比表头的3列多"):
        load(path)
