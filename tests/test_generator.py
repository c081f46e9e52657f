"""Tests of the synthetic register generator (benchmarks/generator.py): small sizes, a few seconds in all."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
import zhconv

from benchmarks.corruptions import check_char
from benchmarks.generator import (EXTRACT_COLUMNS, REGISTER_COLUMNS, generate_extract, generate_register, main,
                                  true_match_pairs)


@pytest.fixture(scope="module")
def gen():
    return generate_register(n_records=4000, seed=11)


@pytest.fixture(scope="module")
def extract(gen):
    return generate_extract(gen, n_records=1500, seed=3, source="公安户籍", unregistered_fraction=0.1)


def test_deterministic():
    a, b = generate_register(1500, seed=4), generate_register(1500, seed=4)
    pd.testing.assert_frame_equal(a.register, b.register)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.persons, b.persons)
    pd.testing.assert_frame_equal(generate_extract(a, 300, seed=1).extract, generate_extract(b, 300, seed=1).extract)
    assert not a.register.equals(generate_register(1500, seed=5).register)


def test_shape_and_columns(gen):
    r = gen.register
    assert len(r) == 4000 and tuple(r.columns) == REGISTER_COLUMNS
    assert r["record_id"].is_unique
    assert all(isinstance(v, str) for col in r.columns for v in r[col].to_numpy())
    assert r["unit_code"].str.len().isin([9, 12]).all()
    assert r["unit_code"].str[:6].eq(gen.district).mean() > 0.4
    assert r["unit_code"].str[:6].nunique() >= 4  # neighbouring districts hold some of the same women
    assert list(gen.truth["record_id"]) == list(r["record_id"])
    assert set(gen.truth["kind"]) == {"original", "duplicate", "lookalike"}
    assert gen.persons["person_id"].is_unique
    assert set(gen.truth["person_id"]) == set(gen.persons["person_id"])


@pytest.mark.parametrize("n", [1, 7, 60])
def test_tiny_sizes(n):
    g = generate_register(n, seed=0)
    assert len(g.register) == n and g.register["record_id"].is_unique


def test_true_ids_are_valid_women_ids(gen):
    ids = gen.persons["true_id_number"]
    assert ids.str.fullmatch(r"\d{17}[\dX]").all() and ids.is_unique
    assert all(check_char(s[:17]) == s[17] for s in ids)
    assert (ids.str[16].astype(int) % 2 == 0).all()
    spouses = gen.register["spouse_id_number"]
    valid = spouses[spouses.str.fullmatch(r"\d{17}[\dX]")]
    assert (valid.str[16].astype(int) % 2 == 1).mean() > 0.9  # husbands: odd 17th digit (a few typos)


def test_duplicates_and_pairs(gen):
    sizes = gen.truth["person_id"].value_counts()
    share = (sizes > 1).mean()
    assert 0.10 < share < 0.20 and sizes.max() <= 4
    pairs = true_match_pairs(gen.truth)
    assert pairs.dtype == np.int64 and pairs.shape == (sum(comb(int(k), 2) for k in sizes), 2)
    assert (pairs[:, 0] < pairs[:, 1]).all()
    pid = gen.truth["person_id"].to_numpy()
    assert (pid[pairs[:, 0]] == pid[pairs[:, 1]]).all()
    assert len(np.unique(pairs, axis=0)) == len(pairs)


def test_true_match_pairs_small():
    truth = pd.DataFrame({"record_id": list("abcdef"), "person_id": ["x", "y", "x", "z", "x", "y"]})
    assert true_match_pairs(truth).tolist() == [[0, 2], [0, 4], [1, 5], [2, 4]]
    assert true_match_pairs(truth.iloc[:0]).shape == (0, 2)


def test_lookalikes(gen):
    p = gen.persons.set_index("person_id")
    looks = p[p["lookalike_of"] != ""]
    assert len(looks) > 0.015 * len(p)
    assert (looks.index != looks["lookalike_of"]).all()
    source = p.loc[looks["lookalike_of"]]
    assert (looks["name"].str[0].to_numpy() == source["name"].str[0].to_numpy()).all()  # same surname
    assert (looks["birth_date"].to_numpy() == source["birth_date"].to_numpy()).mean() > 0.4  # twins, namesakes
    assert (gen.truth["kind"] == "lookalike").sum() == len(looks)


def test_managing_unit_truth(gen):
    m = gen.persons["true_managing_unit_code"]
    assert m.str.len().isin([0, 9, 12]).all()
    assert 0.5 < (m != "").mean() < 0.98
    held = gen.register.merge(gen.truth, on="record_id").merge(gen.persons, on="person_id")
    multi = held[held.groupby("person_id")["record_id"].transform("size") > 1]
    multi = multi[multi["true_managing_unit_code"] != ""]
    holds = (multi["unit_code"] == multi["true_managing_unit_code"]).groupby(multi["person_id"]).any()
    assert holds.mean() > 0.85


def test_corruptions_present(gen):
    r = gen.register
    assert (r["id_number"].str.len() == 15).sum() > 5
    assert r["id_number"].isin(["", "0", "000000000000000000", "不详"]).sum() > 20
    assert r["id_number"].str.contains("[０-９]").any() and r["id_number"].str.endswith("x").any()
    assert (r["name"].map(lambda s: zhconv.convert(s, "zh-hans") != s)).sum() > 5
    assert r["name"].str.contains(" ").any() and r["name"].str.contains("·").any()
    assert 0.03 < (r["birth_date"] == "").mean() < 0.2
    assert r["birth_date"].str.contains("年").any() and r["birth_date"].str.fullmatch(r"\d{8}").any()
    assert r["hukou_code"].str.len().isin([0, 6, 9]).all()


def test_extract(gen, extract):
    e, t = extract.extract, extract.truth
    assert len(e) == 1500 and tuple(e.columns) == EXTRACT_COLUMNS and e["record_id"].is_unique
    assert list(t["record_id"]) == list(e["record_id"])
    assert (t["person_id"] != "").mean() > 0.7
    unreg = t[t["unregistered"]]
    assert len(unreg) >= 100 and unreg["in_scope"].all() and (unreg["person_id"] == "").all()
    assert (t["unregistered"] == (t["in_scope"] & (t["person_id"] == ""))).all()
    assert (~t["in_scope"]).sum() > 100 and (e["sex"] == "男").any()
    truth = gen.truth.set_index("record_id")["person_id"]
    linked = t[t["person_id"] != ""]
    for pid, ids in zip(linked["person_id"][:200], linked["register_record_ids"][:200]):
        assert ids and all(truth[r] == pid for r in ids.split(";"))
    known = set(gen.persons["true_id_number"])
    assert not e.loc[t["unregistered"].to_numpy(), "id_number"].isin(known).any()


SOURCES = ("公安户籍", "民政婚姻", "卫健出生")
ALWAYS_FILLED = {"公安户籍": ("hukou_code", "hukou_address"), "民政婚姻": ("hukou_address",),
                 "卫健出生": ("residence_address",)}


@pytest.fixture(scope="module")
def extracts(gen):
    return {source: generate_extract(gen, n_records=1500, seed=5 + i, source=source) for i, source in enumerate(SOURCES)}


@pytest.mark.parametrize("source", SOURCES)
def test_extract_always_fills_its_department_place(extracts, source):
    e = extracts[source].extract
    for column in ALWAYS_FILLED[source]:
        assert (e[column] != "").all(), f"{source}: {column} blank on {(e[column] == '').sum()} rows"
    # the other place fields keep their habitual blanks
    other = {"公安户籍": "residence_code", "民政婚姻": "residence_code", "卫健出生": "hukou_code"}[source]
    assert (e[other] == "").mean() > 0.2


@pytest.mark.parametrize("source", SOURCES)
def test_extract_scope_readable_from_the_row(gen, extracts, source):
    """Whether a woman lives or is registered in the district can be read from her row: the audit's place
    reader finds a district place on every in-scope row, and reads the department's own place field as
    here or elsewhere on every row (an address naming its county when the code is blank)."""
    from linkage.audit.places import PlaceNames, place_status

    e, t = extracts[source].extract, extracts[source].truth
    names = PlaceNames.for_districts((gen.district,))
    status = {side: place_status(e[f"{side}_code"].to_numpy(object), e[f"{side}_address"].to_numpy(object), names)
              for side in ("hukou", "residence")}
    here = (status["hukou"] == "here") | (status["residence"] == "here")
    assert here[t["in_scope"].to_numpy()].all()
    own = status["residence" if source == "卫健出生" else "hukou"]
    assert (own != "unknown").all()
    assert ((own == "away") & ~t["in_scope"].to_numpy() & (e["sex"] == "女").to_numpy()).sum() > 20
    if source == "公安户籍":  # living here, registered elsewhere: 流动人口, her residence is on the row
        assert ((status["hukou"] == "away") & (status["residence"] == "here") & t["in_scope"].to_numpy()).sum() > 50


def test_extract_keeps_clerical_variation(extracts):
    e = pd.concat([x.extract for x in extracts.values()], ignore_index=True)
    assert e["hukou_code"].str.len().isin([0, 6, 9]).all() and (e["hukou_code"].str.len() == 6).any()
    assert e["hukou_address"].str.contains("栋|#|-").any()  # reworded
    assert (e["birth_date"] == "").any() and (e["id_number"] == "").any() and (e["phone"] == "").any()


def test_cli(tmp_path):
    out, truth = tmp_path / "r.csv", tmp_path / "t.csv"
    assert main(["--size", "300", "--seed", "2", "-o", str(out), "--truth", str(truth), "--chinese-headers",
                 "--extract", str(tmp_path / "e.csv"), "--extract-truth", str(tmp_path / "et.csv")]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[:4]) == ["记录编号", "管理单位代码", "管理单位", "姓名"] and len(frame) == 300
    assert list(pd.read_csv(truth, encoding="utf-8-sig").columns) == ["record_id", "person_id", "kind"]
    assert (tmp_path / "et.csv").exists()


def test_bad_district():
    with pytest.raises(ValueError):
        generate_register(10, district="999999")


def test_sample_register_file():
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
    raw = (data / "sample_register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(data / "sample_register.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    truth = pd.read_csv(data / "sample_truth.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(frame) == 2000 and frame.columns[0] == "记录编号" and "身份证号" in frame.columns
    assert list(truth.columns) == ["record_id", "person_id", "kind"] and list(truth["record_id"]) == list(frame["记录编号"])
