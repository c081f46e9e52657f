"""A register of junk in every column runs through the whole audit without an exception,
and every record still comes out where it belongs."""

import numpy as np
import pandas as pd

import linkage
from linkage.columns import REGISTER_COLUMNS

JUNK = ["", "9197-12-18", "0001-01-01", "abc", "2026-02-30", "1e5", "330106199001011248", "３３０１０６", "男", "女",
        "?", "nan", "None", "已婚", "现孕", "放环", "330106001", "330106001001", "20991231", "王芳", "·", "  ",
        "1990年13月1日", "-1", "99999999999999999999", "3301-06", "11010519491231002X"]


def test_junk_in_every_column_never_crashes(tmp_path):
    rng = np.random.default_rng(0)
    n = 200
    register = pd.DataFrame({column: rng.choice(JUNK, n) for column in REGISTER_COLUMNS})
    register["record_id"] = [f"R{i}" for i in range(n)]
    register["unit_code"] = rng.choice(["330106001", "330106002001", "", "x"], n)
    children = pd.DataFrame({
        "child_id": [f"C{i}" for i in range(40)], "mother_record_id": rng.choice(register["record_id"], 40),
        "sex": rng.choice(JUNK, 40), "birth_date": rng.choice(JUNK, 40), "id_number": rng.choice(JUNK, 40),
        "birth_order": rng.choice(["1", "二", "x", "", "第三孩"], 40), "policy": rng.choice(["政策外", "政策内", ""], 40),
        "reported_period": rng.choice(JUNK, 40)})
    extract = register.assign(record_id=lambda f: "E" + f["record_id"], source="公安户籍")
    result = linkage.audit(register, children=children, externals=[extract], district="330106", as_of="2026-11-30")
    result.write(tmp_path)
    clusters = pd.read_csv(tmp_path / "clusters.csv", dtype=str, encoding="utf-8-sig")
    assert sorted(clusters["record_id"]) == sorted(register["record_id"])
    findings = pd.read_csv(tmp_path / "findings.csv", dtype=str, encoding="utf-8-sig")
    assert {"birth_date", "id_number"} <= set(findings["field"])
    flags = pd.read_csv(tmp_path / "flags.csv", dtype=str, encoding="utf-8-sig")
    assert "9197-12-18" in set(flags["value"])
