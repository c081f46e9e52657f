"""The fast CSV reader gives the frame the pandas reader gives, and leaves odd files to it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage.io import _read_csv_arrow, read_table

FILES = {
    "bom.csv": "\ufeff姓名,身份证号\n王芳,110105194912310027\n,3\n",
    "quoted.csv": '姓名,备注\n"李,娜","一行\n两行"\n"q""z",\n',
    "blank_words.csv": "a,b\nNA,null\nnan,None\n#N/A,\n",
    "crlf.csv": "a,b\r\n 1 , 2 \r\n3,\r\n",
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_fast_reader_reads_what_pandas_reads(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    assert _read_csv_arrow(path, ",") is not None  # the fast path was taken
    expected = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(read_table(path), expected)


def test_odd_files_are_left_to_the_pandas_reader(tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text("a,a\n1,2\n", encoding="utf-8")
    (tmp_path / "gbk.csv").write_bytes("姓名,x\n王芳,1\n".encode("gb18030"))
    (tmp_path / "ragged.csv").write_text("a,b\n1,2,3\n", encoding="utf-8")
    assert list(read_table(tmp_path / "dup.csv").columns) == ["a", "a.1"]
    assert read_table(tmp_path / "gbk.csv")["姓名"].tolist() == ["王芳"]
    ragged = pd.read_csv(tmp_path / "ragged.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(read_table(tmp_path / "ragged.csv"), ragged)
