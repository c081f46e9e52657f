"""Weak evidence is weak (issue 12): a phone or address shared by many records (an office's
switchboard, a collective household) says nothing about who she is; oversized blocks are said."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import linkage

SAMPLE = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "sample_register.csv"
SWITCHBOARD = "057188001234"


def _probability(phone: str, *, shared: bool) -> float:
    register = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:600]
    if shared:
        register.loc[:49, "联系电话"] = phone  # 50 records of an office give its switchboard
    pair = pd.DataFrame([{"记录编号": "x1", "管理单位代码": "330106001", "姓名": "周丽华", "出生日期": "1990-03-04",
                          "联系电话": phone, "性别": "女"},
                         {"记录编号": "x2", "管理单位代码": "330106002", "姓名": "周丽花", "出生日期": "1990-03-04",
                          "联系电话": phone, "性别": "女"}])
    result = linkage.dedupe(pd.concat([register, pair], ignore_index=True).fillna(""), decide=False)
    ids = result.records.norm["record_id"].to_numpy()
    found = [p for (a, b), p in zip(result.scored.pairs, result.scored.probabilities) if {ids[a], ids[b]} == {"x1", "x2"}]
    assert len(found) == 1
    return float(found[0])


def test_a_switchboard_phone_counts_for_nothing_a_personal_one_for_something():
    personal = _probability(SWITCHBOARD, shared=False)
    switchboard = _probability(SWITCHBOARD, shared=True)
    no_phone = _probability("", shared=False)
    assert switchboard == no_phone < personal


def test_oversized_blocks_are_said_in_the_summary_and_blocks_csv(tmp_path, capsys):
    from linkage.cli import main
    register = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:300]
    register.loc[:59, "联系电话"] = SWITCHBOARD  # 60 records: over the phone key's cap of 20
    path = tmp_path / "register.csv"
    register.to_csv(path, index=False)
    assert main(["dedupe", str(path), "-o", str(tmp_path / "out"), "--no-decide", "-q"]) == 0
    printed = capsys.readouterr().out
    blocks = pd.read_csv(tmp_path / "out" / "blocks.csv")
    phone = blocks[blocks["key"].str.startswith("phone")]
    assert len(phone) == 1 and phone["blocks"].iloc[0] == 1 and phone["records"].iloc[0] == 60
    assert f"超过上限未比对的分块: {blocks['blocks'].sum()}" in printed
    assert f"超大分块中的记录: {blocks['records'].sum()}" in printed
