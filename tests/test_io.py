"""Reading registers: encodings, formats, headers, and clear errors for bad files."""

import pandas as pd
import pytest

from linkage.columns import REGISTER_COLUMNS
from linkage.errors import InputFileError, SchemaError
from linkage.io import load, read_table
from linkage.prepare import prepare


def _chinese(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=REGISTER_COLUMNS)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_with_chinese_headers(tmp_path, register, encoding):
    path = tmp_path / "r.csv"
    _chinese(register).to_csv(path, index=False, encoding=encoding)
    frame = load(path)
    assert list(frame["record_id"]) == list("abcde")
    assert frame.loc[0, "name"] == "王芳" and frame.loc[0, "id_number"] == "330106199001011248"


def test_xlsx_and_parquet(tmp_path, register):
    register.to_excel(tmp_path / "r.xlsx", index=False)
    register.to_parquet(tmp_path / "r.parquet")
    for path in (tmp_path / "r.xlsx", tmp_path / "r.parquet"):
        frame = load(path)
        assert frame["id_number"].tolist() == register["id_number"].tolist()


def test_parquet_with_nulls_and_typed_columns_reads_as_text(tmp_path, register):
    typed = register.assign(name=["王芳", None, "李静", None, "张敏"], phone=[13800138000, None, 2.0, None, 5.0],
                            编号=pd.array([1, None, 3, None, 5], dtype="Int64"), 比例=[0.5, None, 1.0, 2.0, 3.0])
    typed.to_parquet(tmp_path / "t.parquet")
    frame = load(tmp_path / "t.parquet")
    assert frame["name"].tolist() == ["王芳", "", "李静", "", "张敏"]
    assert frame["phone"].tolist() == ["13800138000", "", "2", "", "5"]
    assert frame["编号"].tolist() == ["1", "", "3", "", "5"]
    assert frame["比例"].tolist() == ["0.5", "", "1.0", "2.0", "3.0"]


def test_parquet_categories_dates_and_timestamps_read_as_text(tmp_path, register):
    import datetime

    typed = register.assign(unit_code=pd.Categorical(["330106001", None, "330106002", "330106001", None]),
                            birth_date=[datetime.date(1990, 1, 2), None, datetime.date(1991, 5, 6), None, None],
                            registered_date=pd.to_datetime(["2020-01-02", None, "2021-03-04 05:06:07", None, None],
                                                           format="mixed"))
    typed.to_parquet(tmp_path / "c.parquet")
    frame = load(tmp_path / "c.parquet")
    assert frame["unit_code"].tolist() == ["330106001", "", "330106002", "330106001", ""]
    assert frame["birth_date"].tolist()[:3] == ["1990-01-02", "", "1991-05-06"]
    assert frame["registered_date"].tolist()[:3] == ["2020-01-02 00:00:00", "", "2021-03-04 05:06:07"]
    assert all(isinstance(v, str) for column in frame.columns for v in frame[column])


def test_other_columns_carried_and_absent_ones_empty(register):
    frame = load(register.assign(说明=["x", "", "", "", "y"], 备注=["系统原因", "", "", "", ""]))
    assert frame["说明"].tolist() == ["x", "", "", "", "y"]
    assert frame["remarks"].tolist() == ["系统原因", "", "", "", ""]  # 备注 is a register column (SCHEMA.md)
    assert frame["spouse_id_number"].tolist() == [""] * 5


def test_missing_required_column_names_file_and_column(tmp_path, register):
    path = tmp_path / "r.csv"
    register.drop(columns=["unit_code"]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"r\.csv.*管理单位代码\(unit_code\).*表头\(第1行\)是:record_id、name"):
        load(path)


def test_duplicated_record_id_names_rows(tmp_path, register):
    path = tmp_path / "r.csv"
    register.assign(record_id=["a", "b", "a", "d", "e"]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"r\.csv.*record_id.*'a'.*第2、4行") as info:
        load(path)
    assert info.value.rows == [2, 4]


def test_blank_record_id_names_rows(register):
    with pytest.raises(SchemaError, match=r"“record_id”一列在第4行为空"):
        load(register.assign(record_id=["a", "b", " ", "d", "e"]))


def test_unreadable_files(tmp_path):
    with pytest.raises(InputFileError, match="文件不存在"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "r.doc").write_text("x")
    with pytest.raises(InputFileError, match="无法识别的文件类型"):
        read_table(tmp_path / "r.doc")
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputFileError, match="bad.xlsx: 无法按 xlsx"):
        read_table(tmp_path / "bad.xlsx")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81\x00" * 10)
    with pytest.raises(InputFileError, match="bin.csv"):
        read_table(tmp_path / "bin.csv")


def test_header_only_file_is_an_error_but_an_empty_frame_is_empty(tmp_path):
    (tmp_path / "empty.csv").write_text("record_id,unit_code,name\n")
    with pytest.raises(InputFileError, match=r"empty\.csv: 只有表头\(第1行\),没有记录"):
        load(tmp_path / "empty.csv")
    assert len(load(pd.DataFrame(columns=["record_id", "unit_code", "name"]))) == 0


def test_bad_values_become_flags_never_errors(register):
    bad = register.assign(id_number=["abc", "0", "11010519491231002", "", "110105194912310021"],
                          birth_date=["1990-02-30", "明天", "", "", "19900101"], sex=["?", "", "", "", ""],
                          name=["", "王方", "王芳", "王芳", "李静"])
    records = prepare(load(bad))
    assert len(records.norm) == 5
    reasons = set(zip(records.flags["record_id"], records.flags["field"], records.flags["reason"]))
    assert ("a", "id_number", "bad_chars") in reasons
    assert ("b", "id_number", "placeholder") in reasons
    assert ("c", "id_number", "bad_length") in reasons
    assert ("e", "id_number", "bad_check") in reasons
    assert ("a", "birth_date", "bad_date") in reasons and ("b", "birth_date", "bad_date") in reasons
    assert ("a", "sex", "bad_sex") in reasons and ("a", "name", "empty_name") in reasons
