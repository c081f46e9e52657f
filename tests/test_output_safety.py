"""Outputs that cannot lie (issue 12): whole result folders with a manifest, no formula reaching a
spreadsheet, CSVs that read back with the rows they were written with, no crash after the work."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import linkage
from linkage.audit import audit
from linkage.cli import RUNNERS, main
from linkage.errors import OutputFolderError, ResultFolderError
from linkage.io import read_table, write_csv, write_excel
from linkage.run_folder import MANIFEST, RunFolder, read_manifest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "benchmarks" / "data" / "sample_register.csv"
AS_OF = "2026-11-30"


def _woman(record_id: str, **values: str) -> dict[str, str]:
    base = {"record_id": record_id, "unit_code": "330106001", "unit_name": "一街道", "name": "王芳",
            "id_number": "330106199001011244", "sex": "女", "birth_date": "1990-01-01"}
    return {**base, **values}


def _rows_read_back(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


# --- whole folders, never mixed ---------------------------------------------------------------

def test_no_decide_rerun_leaves_no_stale_notices(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--district", "330106", "--as-of", AS_OF, "-q"]) == 0
    assert (out / "notices.csv").is_file() and any((out / "printable").iterdir())
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--no-decide", "-q"]) == 0
    names = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert not {"notices.csv", "decisions.csv", "verification.csv", "printable"} & names
    manifest = read_manifest(out)
    assert {f["path"] for f in manifest["outputs"]} | {MANIFEST} == names
    assert "--no-decide" in manifest["command"] and manifest["options"]["no_decide"] is True
    assert manifest["inputs"][0]["records"] == 2000 and len(manifest["inputs"][0]["sha256"]) == 64
    assert not list(tmp_path.glob(".out.partial-*")) and not (tmp_path / "out.previous").exists()


def test_manifest_counts_are_the_files_counts_and_stdout_says_them(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--district", "330106", "--as-of", AS_OF, "-q"]) == 0
    printed = capsys.readouterr().out
    manifest = read_manifest(out)
    for entry in manifest["outputs"]:
        if entry["path"].endswith(".csv"):
            rows = _rows_read_back(out / entry["path"])
            assert entry["rows"] == rows == len(pd.read_csv(out / entry["path"], dtype=str, keep_default_na=False))
            assert f"{entry['path']}: {rows:,}行(" in printed
    decisions = pd.read_csv(out / "decisions.csv", dtype=str)
    assert f"未能确定管理单位的重复组(decisions.csv): {(decisions['status'] == 'undetermined').sum():,}" in printed


def test_a_changed_or_extra_file_makes_the_folder_not_a_result(tmp_path):
    out = tmp_path / "out"
    linkage.dedupe(SAMPLE, as_of=AS_OF, decide=False).write(out)
    read_manifest(out)
    (out / "stray.csv").write_text("x\n")
    with pytest.raises(ResultFolderError, match="stray.csv"):
        read_manifest(out)
    (out / "stray.csv").unlink()
    with open(out / "clusters.csv", "a", encoding="utf-8") as handle:
        handle.write("x")
    with pytest.raises(ResultFolderError, match="clusters.csv"):
        read_manifest(out)
    (out / MANIFEST).unlink()
    with pytest.raises(ResultFolderError, match="manifest.json"):
        read_manifest(out)


def test_a_failed_run_leaves_the_previous_result_untouched(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--no-decide", "-q"]) == 0
    before = read_manifest(out)

    def engine_bug(args):  # an engine fault after the work: a message and exit 1, no traceback
        linkage.dedupe(SAMPLE, decide=False).write_files(args.run_folder.path)
        raise RuntimeError("boom")

    monkeypatch.setitem(RUNNERS, "dedupe", engine_bug)
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "程序内部错误(RuntimeError: boom)" in err and "Traceback" not in err
    assert read_manifest(out) == before and not list(tmp_path.glob(".out.partial-*"))


_KILL_SCRIPT = """
import sys, linkage
result = linkage.dedupe(sys.argv[1], as_of="2026-11-30", district="330106")
print("ready", flush=True)
sys.stdin.readline()
result.write(sys.argv[2])
print("written", flush=True)
"""


def _partial_files(parent: Path) -> list[Path]:
    return [f for folder in parent.glob(".out.partial-*") for f in folder.rglob("*") if f.is_file()]


@pytest.mark.parametrize("moment", ["first file", "several files", "manifest"])
def test_killed_while_writing_leaves_the_previous_or_the_new_result(tmp_path, moment):
    """SIGKILL at several moments of writing: OUT is the previous complete run or the new one."""
    register = tmp_path / "register.csv"
    pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:800].to_csv(register, index=False)
    out = tmp_path / "out"
    linkage.dedupe(register, decide=False).write(out)
    previous = read_manifest(out)
    child = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(register), str(out)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout.readline().strip() == "ready"
    child.stdin.write("\n")
    child.stdin.flush()
    deadline = time.perf_counter() + 30
    while child.poll() is None and time.perf_counter() < deadline:  # wait for the moment, then kill
        files = _partial_files(tmp_path)
        if (moment == "first file" and files) or (moment == "several files" and len(files) >= 4) or \
                (moment == "manifest" and any(f.name == MANIFEST for f in files)):
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    manifest = read_manifest(out)  # verifies every file's bytes and sha256
    assert manifest == previous or any(f["path"] == "notices.csv" for f in manifest["outputs"])
    linkage.dedupe(register, decide=False).write(out)  # the next run tidies what the killed one left
    read_manifest(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_output_location_is_checked_before_any_work(tmp_path, capsys):
    a_file = tmp_path / "out.txt"
    a_file.write_text("x")
    started = time.perf_counter()
    assert main(["dedupe", str(SAMPLE), "-o", str(a_file), "-q"]) == 2
    assert "输出位置是一个文件" in capsys.readouterr().err and time.perf_counter() - started < 1.0
    assert main(["dedupe", str(SAMPLE), "-o", str(a_file / "sub"), "-q"]) == 2
    assert "out.txt is a file" in capsys.readouterr().err
    desktop = tmp_path / "desktop"
    desktop.mkdir()
    (desktop / "我的文件.docx").write_text("keep me")
    assert main(["dedupe", str(SAMPLE), "-o", str(desktop), "-q"]) == 2
    assert "不是本程序以前的结果" in capsys.readouterr().err
    assert (desktop / "我的文件.docx").read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_is_refused_before_any_work(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(OutputFolderError, match="无法在此写入结果"):
            RunFolder.begin(parent / "out")
    finally:
        parent.chmod(0o700)


def test_a_clerks_edited_or_added_file_is_never_deleted_by_a_rerun(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--district", "330106", "--as-of", AS_OF, "-q"]) == 0
    edited = next((out / "printable").iterdir())
    edited.write_bytes(edited.read_bytes() + b"edited by a clerk")
    assert main(["dedupe", str(SAMPLE), "-o", str(out), "--no-decide", "-q"]) == 2
    assert "已被改动或新增" in capsys.readouterr().err and edited.read_bytes().endswith(b"edited by a clerk")


def test_symlink_inside_out_is_not_followed(tmp_path):
    out = tmp_path / "out"
    linkage.dedupe(SAMPLE, decide=False).write(out)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "clusters.csv").unlink()
    (out / "clusters.csv").symlink_to(victim)
    with pytest.raises(OutputFolderError, match="clusters.csv"):  # a changed result folder is not replaced
        linkage.dedupe(SAMPLE, decide=False).write(out)
    (out / MANIFEST).unlink()  # a folder of result names only (an older run's) is replaced whole
    linkage.dedupe(SAMPLE, decide=False).write(out)
    assert victim.read_text() == "precious"
    assert not (out / "clusters.csv").is_symlink() and _rows_read_back(out / "clusters.csv") == 2000


# --- no formula, no crash ----------------------------------------------------------------------

def test_formulas_arrive_as_text_in_csv_and_in_summary_xlsx(tmp_path):
    register = pd.DataFrame([
        _woman("=r1", unit_code="330106001", unit_name='=HYPERLINK("http://x.example","点我")', name="=1+1"),
        _woman("@r2", unit_code="330106001", unit_name='=HYPERLINK("http://x.example","点我")', name="+王芳"),
        _woman("-r3", unit_code="330106002", unit_name="二街道", name="-王芳", id_number="110105194912310021"),
    ])
    out = tmp_path / "out"
    audit(register, as_of=AS_OF, district="330106", sample=3).write(out)
    book = load_workbook(out / "summary.xlsx")
    cells = [cell for row in book["清查总结"].iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type in ("s", "n") for cell in cells)
    street = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
    assert street and street[0].data_type == "s"
    with open(out / "clusters.csv", encoding="utf-8-sig", newline="") as handle:
        ids = {row["record_id"] for row in csv.DictReader(handle)}
    assert ids == {"'=r1", "'@r2", "'-r3"}  # a spreadsheet shows them as text
    assert set(read_table(out / "clusters.csv")["record_id"]) == {"=r1", "@r2", "-r3"}  # and we read them back


def test_control_characters_in_a_street_name_do_not_crash_the_workbook(tmp_path):
    register = pd.DataFrame([_woman("r1", unit_name="一街\x07道\x1b"), _woman("r2", unit_name="一街\x07道\x1b",
                                                                             id_number="110105194912310021")])
    out = tmp_path / "out"
    audit(register, as_of=AS_OF, sample=2).write(out)
    names = [cell.value for row in load_workbook(out / "summary.xlsx")["清查总结"].iter_rows() for cell in row]
    assert "一街?道?" in names
    assert write_excel({"s": pd.DataFrame({"a": ["x\x00y", "ok"]})}, tmp_path / "a.xlsx") == 1


def test_a_270_digit_unit_code_does_not_crash_the_printable_notices(tmp_path):
    long_code = "3301" + "9" * 266
    register = pd.DataFrame([_woman("r1"), _woman("r2", unit_code=long_code, name="王 芳")])
    out = tmp_path / "out"
    result = linkage.dedupe(register, as_of=AS_OF, district="330106")
    result.write(out)
    assert all(len(p.name.encode()) < 200 for p in (out / "printable").iterdir())
    read_manifest(out)


def test_bare_carriage_returns_read_back_as_the_rows_written(tmp_path):
    lived = {"hukou_code": "330106001", "residence_code": "330106001", "residence_since": "2020-01-01"}
    register = pd.DataFrame([_woman("r1", name="王\r芳", residence_address="一路\r1号", unit_name="一\r街道", **lived),
                             _woman("r2", name="王芳\r", residence_address="一路\n1号", unit_code="330106002", **lived)])
    out = tmp_path / "out"
    result = linkage.dedupe(register, as_of=AS_OF, district="330106")
    result.write(out)
    for name in ("clusters.csv", "notices.csv", "pairs.csv", "decisions.csv"):
        frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        assert len(frame) == _rows_read_back(out / name) == {"clusters.csv": 2}.get(name, len(frame))
    notices = read_table(out / "notices.csv")
    assert len(notices) == len(result.notices) == 1 and "一\r街道" in set(notices.to_numpy().ravel())


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=8))
def test_what_write_csv_writes_read_table_reads_back(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"])
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    back = read_table(path, table="other")
    assert back.columns.tolist() == ["a", "b", "c"]
    assert back.to_numpy().tolist() == frame.to_numpy().tolist()


def test_numbers_stay_numbers_and_ids_stay_text_in_workbooks(tmp_path):
    path = tmp_path / "a.xlsx"
    write_excel({"表": pd.DataFrame({"id_number": ["011010519491231002"], "count": [np.int64(3)], "p": [0.5]})}, path)
    sheet = load_workbook(path)["表"]
    assert [c.value for c in sheet[1]] == ["身份证号", "count", "p"]
    assert [(c.value, c.data_type) for c in sheet[2]] == [("011010519491231002", "s"), (3, "n"), (0.5, "n")]


def test_pairs_csv_does_not_depend_on_the_registers_row_order():
    register = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:500]
    shuffled = register.sample(frac=1.0, random_state=3).reset_index(drop=True)
    first = linkage.dedupe(register, decide=False).pairs
    again = linkage.dedupe(shuffled, decide=False).pairs
    assert len(first) > 10 and (first["record_id_l"] < first["record_id_r"]).all()
    pd.testing.assert_frame_equal(first, again)


def test_every_cluster_of_two_or_more_has_a_decisions_row_even_of_inactive_records():
    lived = {"hukou_code": "330106001", "residence_code": "330106001", "residence_since": "2020-01-01"}
    other = "110105194912310021"
    register = pd.DataFrame([
        _woman("r1", status="注销", **lived), _woman("r2", status="迁出", unit_code="330106002", **lived),
        _woman("r3", name="李静", id_number=other, status="注销", **lived),
        _woman("r4", name="李静", id_number=other, unit_code="330106002", **lived)])
    result = linkage.dedupe(register, as_of=AS_OF, district="330106")
    clusters = result.clusters
    assert set(clusters.loc[clusters["cluster_size"] >= 2, "cluster_id"]) == set(result.decisions["cluster_id"])
    rows = result.decisions.set_index("cluster_id")
    assert rows.loc[clusters.set_index("record_id").loc["r1", "cluster_id"], "status"] == "inactive"
    kept = rows.loc[clusters.set_index("record_id").loc["r4", "cluster_id"]]
    assert (kept["status"], kept["action"], kept["managing_record_id"], kept["inactive_records"]) == \
        ("decided", "keep", "r4", "r3(注销)")
    assert len(result.notices) == 0 and len(result.verification) == 0  # an inactive record is never noticed


_CELL = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=6))
def test_what_write_excel_writes_read_table_reads_back(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["a", "b"])
    if (frame == "").all(axis=None):
        frame.iloc[0, 0] = "x"  # a sheet of blank rows only holds no table
    path = tmp_path / "t.xlsx"
    write_excel({"表": frame}, path)
    back = read_table(path, table="other")
    kept = frame[(frame != "").any(axis=1)]  # blank rows are not records
    assert back.to_numpy().tolist() == kept.to_numpy().tolist()


_JUNK = st.one_of(st.text(max_size=8), st.sampled_from(["=1+1", "@SUM(A1)", "-3", "\r", "王\r芳", "\x07", "'=x",
                                                        "330106001", "11010519491231002X", "1990-01-01"]))
_FIELDS = ("unit_code", "unit_name", "name", "id_number", "birth_date", "residence_address", "phone", "status")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({field: _JUNK for field in _FIELDS}), min_size=1, max_size=6))
def test_garbage_registers_write_and_read_back_every_record_once(tmp_path, rows):
    register = pd.DataFrame([{**row, "record_id": f"=R{k}\r" if k % 2 else f"r{k}"} for k, row in enumerate(rows)])
    out = tmp_path / "out"
    result = audit(register, as_of=AS_OF, sample=2)
    result.write(out)
    manifest = read_manifest(out)
    clusters = read_table(out / "clusters.csv", table="other")
    assert sorted(clusters["record_id"]) == sorted(register["record_id"].str.strip())
    for entry in manifest["outputs"]:
        if entry["path"].endswith(".csv") and entry["rows"]:
            assert len(read_table(out / entry["path"], table="other")) == entry["rows"]


def test_followup_refuses_an_earlier_folder_that_is_not_a_complete_result(tmp_path, capsys):
    earlier = tmp_path / "march"
    earlier.mkdir()
    pd.DataFrame({"record_id": ["r1"], "rule": ["x"]}).to_csv(earlier / "findings.csv", index=False)
    code = main(["followup", str(earlier), str(SAMPLE), "-o", str(tmp_path / "out"), "-q"])
    assert code == 2 and "没有 manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
