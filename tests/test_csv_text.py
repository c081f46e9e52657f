"""Every CSV output is written by Arrow's kernels (linkage.csv_text): the bytes must be the ones
pandas' to_csv wrote before, so that files, hashes in manifests and the tools reading them do not
change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.csv_text import csv_bytes
from linkage.io import write_csv


def _pandas(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def test_the_kinds_of_column_an_output_holds_are_written_as_pandas_writes_them():
    frame = pd.DataFrame({
        "record_id": ["R1", "R2", "R3", "R4"],
        "reasons": ['姓名一致; 身份证号一致', 'a,b', 'he said "no"', "two\nlines\r\nand CR\r"],
        "probability": [1.0, np.nan, 0.1 + 0.2, 1e-05],
        "match": [True, False, True, False],
        "cluster_size": np.array([1, 2, 30, 4], dtype=np.int64),
        "blank": [None, "", np.nan, "x"],
        "名称,带逗号": ["", "", "", ""],
    })
    assert csv_bytes(frame) == _pandas(frame)


def test_columns_of_other_kinds_fall_back_to_pandas_with_the_same_text():
    frame = pd.DataFrame({"date": pd.to_datetime(["2026-01-02", None]), "mixed": [1, "a"], "probability": pd.Series([0.5, None, "x"][:2], dtype=object),
                          "n": pd.array([1, None], dtype="Int64"), "code": pd.Categorical(["x", "y"])})
    assert csv_bytes(frame) == _pandas(frame)


def test_empty_frames():
    assert csv_bytes(pd.DataFrame({"a": [], "b": []})) == _pandas(pd.DataFrame({"a": [], "b": []}))
    assert csv_bytes(pd.DataFrame(index=range(3))) == _pandas(pd.DataFrame(index=range(3)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=st.sampled_from(list('ab王,"\r\n =+- ')), max_size=6),
                          st.floats(allow_nan=True, allow_infinity=False, width=64)), min_size=1, max_size=20))
def test_random_texts_and_numbers_match_pandas(rows):
    frame = pd.DataFrame({"text": [r[0] for r in rows], "number": [r[1] for r in rows]})
    assert csv_bytes(frame) == _pandas(frame)


def test_write_csv_keeps_the_bom_the_formula_escape_and_reads_back(tmp_path):
    frame = pd.DataFrame({"address": ["=HYPERLINK(1)", "中山路1号"], "rows": [1, 2]})
    path = tmp_path / "out.csv"
    assert write_csv(frame, path) == 2
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:] == "address,rows\r\n'=HYPERLINK(1),1\r\n中山路1号,2\r\n".encode("utf-8")


def test_manifest_row_counts_are_the_rows_a_reader_gets_back(tmp_path):
    from linkage.run_folder import csv_rows

    frame = pd.DataFrame({"id": ["R1", "R2", "R3"], "reasons": ["a\nb", 'x,"y"', "\r\n"]})
    write_csv(frame, tmp_path / "a.csv")
    assert csv_rows(tmp_path / "a.csv") == 3
    write_csv(frame.iloc[:0], tmp_path / "empty.csv")
    assert csv_rows(tmp_path / "empty.csv") == 0
    (tmp_path / "ragged.csv").write_text("a,b\n1\n1,2,3\n", encoding="utf-8")
    assert csv_rows(tmp_path / "ragged.csv") == 2


def test_an_object_column_of_numbers_and_blanks_is_written_as_pandas_writes_it():
    frame = pd.DataFrame({"probability": pd.Series([0.95, None, 1.0, np.nan, 0.1 + 0.2], dtype=object),
                          "mixed": pd.Series([1, "a", True, None, 2.5], dtype=object)})
    assert csv_bytes(frame) == _pandas(frame)
