"""linkage update: the clusters of a full run on the final register, ids that survive, notices sent once."""

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generator import generate_register
from linkage import dedupe
from linkage.cli import main
from linkage.errors import ConfigError
from linkage.state import read_state
from linkage import update

AS_OF, DISTRICT = "2026-11-30", "330106"


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    return generate_register(n_records=700, seed=21).register


def _partition(result) -> set[frozenset]:
    table = result.clusters
    return {frozenset(members) for members in table.groupby("cluster_id")["record_id"].apply(list)}


def _decisions(result) -> set[tuple]:
    d = result.decisions
    return set(zip(d["records"], d["managing_record_id"], d["managing_unit_code"], d["status"]))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), share=st.floats(0.02, 0.3), full=st.booleans())
def test_update_gives_the_clusters_of_a_full_run(tmp_path_factory, seed, share, full):
    register = _register()
    rng = np.random.default_rng(seed)
    in_batch = rng.random(len(register)) < share
    base, batch = register[~in_batch], register[in_batch].copy()
    retyped = base.sample(max(len(base) // 40, 1), random_state=seed).copy()  # changed in the register since
    retyped["phone"] = "13912345678"
    retyped["name"] = retyped["name"].str[:1] + "某"
    leaving = base.drop(index=retyped.index).sample(5, random_state=seed + 1) if full else base.iloc[:0]
    batch = pd.concat([batch, retyped], ignore_index=True)
    final = pd.concat([base.drop(index=retyped.index), batch], ignore_index=True)
    if full:  # a full re-export: everything but the records that left
        final = final[~final["record_id"].isin(leaving["record_id"])]
        batch = final
    out = tmp_path_factory.mktemp("run")
    dedupe(base, district=DISTRICT, as_of=AS_OF).write(out / "base", printable=False)
    updated = update(out / "base", batch, full=full)
    again = dedupe(final, district=DISTRICT, as_of=AS_OF)
    assert _partition(updated) == _partition(again)
    assert _decisions(updated) == _decisions(again)
    assert sorted(updated.clusters["record_id"]) == sorted(final["record_id"])
    changes = updated.extra_tables["changes"]
    assert set(changes.loc[changes["reason"].str.contains("re-export"), "record_id"]) == set(leaving["record_id"])


def test_ids_survive_an_update_and_notices_are_sent_once(tmp_path):
    register = _register()
    base = register.iloc[:600]
    dedupe(base, district=DISTRICT, as_of=AS_OF).write(tmp_path / "m1", printable=False)
    first = pd.read_csv(tmp_path / "m1" / "clusters.csv", dtype=str, encoding="utf-8-sig")
    sent = pd.read_csv(tmp_path / "m1" / "notices.csv", dtype=str, encoding="utf-8-sig")
    # nothing new: every cluster keeps its id and no notice goes out again
    same = update(tmp_path / "m1", base.iloc[:10])
    assert same.clusters.reset_index(drop=True).astype(str).equals(first.astype(str))
    assert len(same.notices) == 0 and len(same.extra_tables["changes"]) == 0
    # a new record of a woman already held joins her cluster under its id, and only her notice is new
    grouped = first[first["cluster_size"].astype(int) == 2].iloc[0]
    twin = register[register["record_id"] == grouped["record_id"]].copy()
    twin["record_id"] = "R9999999"
    twin["phone"] = ""
    result = update(tmp_path / "m1", twin)
    result.write(tmp_path / "m2", printable=False)
    table = result.clusters.set_index("record_id")
    assert table.loc["R9999999", "cluster_id"] == grouped["cluster_id"]
    changes = pd.read_csv(tmp_path / "m2" / "changes.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    joined = changes[changes["change"] == "joined"]
    assert joined["record_id"].tolist() == ["R9999999"] and joined["record_id_l"].iloc[0] != ""
    untouched = first[first["cluster_id"] != grouped["cluster_id"]]
    assert table.loc[untouched["record_id"], "cluster_id"].tolist() == untouched["cluster_id"].tolist()
    assert set(result.notices["cluster_id"]) <= {grouped["cluster_id"]}
    assert not result.notices["notice_id"].isin(sent["notice_id"]).all() or len(result.notices) == 0
    assert read_state(tmp_path / "m2").lineage.run == 2


def test_cli_update_and_no_state(tmp_path, capsys):
    register = _register()
    register.iloc[:500].to_csv(tmp_path / "base.csv", index=False)
    register.iloc[450:].to_csv(tmp_path / "batch.csv", index=False)
    assert main(["dedupe", str(tmp_path / "base.csv"), "-o", str(tmp_path / "nostate"), "--no-state", "-q",
                 "--no-printable"]) == 0
    assert not (tmp_path / "nostate" / "state").exists()
    assert main(["update", str(tmp_path / "nostate"), str(tmp_path / "batch.csv"), "-o", str(tmp_path / "x"),
                 "-q"]) == 2
    assert "运行状态" in capsys.readouterr().err
    assert main(["dedupe", str(tmp_path / "base.csv"), "-o", str(tmp_path / "m1"), "-q", "--no-printable",
                 "--district", DISTRICT, "--as-of", AS_OF]) == 0
    assert main(["update", str(tmp_path / "m1"), str(tmp_path / "batch.csv"), "-o", str(tmp_path / "m2"),
                 "-q", "--no-printable"]) == 0
    clusters = pd.read_csv(tmp_path / "m2" / "clusters.csv", dtype=str)
    assert sorted(clusters["record_id"]) == sorted(register["record_id"])
    assert "变动:记录并入已有重复组" in capsys.readouterr().out


def test_a_state_of_another_version_is_refused(tmp_path):
    dedupe(_register().iloc[:50], decide=False).write(tmp_path / "m1", printable=False)
    info = tmp_path / "m1" / "state" / "state.json"
    info.write_text(info.read_text(encoding="utf-8").replace('"version": 1', '"version": 99'), encoding="utf-8")
    with pytest.raises(ConfigError, match="版本"):
        update(tmp_path / "m1", _register().iloc[:5])


def test_a_merge_keeps_the_older_id_and_a_split_gives_it_back(tmp_path):
    # a clerk judges two clusters one woman (must-link merges them), then two women (the merge splits)
    dedupe(_register(), decide=False).write(tmp_path / "m1", printable=False)
    state = read_state(tmp_path / "m1")
    frame = pd.DataFrame({"record_id": state.norm["record_id"], "cluster_id": state.cluster_ids,
                          "valid": state.norm["id_status"] == "valid"})
    sizes = frame.groupby("cluster_id")["record_id"].transform("size")
    valid = frame.groupby("cluster_id")["valid"].transform("sum")
    without = frame[(sizes == 2) & (valid == 0)]["cluster_id"].unique()[0]  # no number: nothing keeps them apart
    other = frame[(sizes == 2) & (frame["cluster_id"] != without)]["cluster_id"].iloc[0]
    no_number = [without, other]
    a, b = (frame.loc[frame["cluster_id"] == cid, "record_id"].tolist() for cid in no_number)
    older, younger = sorted(no_number)
    nothing = _register().iloc[:0]
    merged = update(tmp_path / "m1", nothing, judged=pd.DataFrame(
        {"record_id_l": [a[0]], "record_id_r": [b[0]], "match": ["是同一人"]}))
    table = merged.clusters.set_index("record_id")["cluster_id"]
    assert set(table[a + b]) == {older}  # named in the same run: the smaller id is the older
    changes = merged.extra_tables["changes"]
    assert changes[["change", "cluster_id", "other_cluster_id"]].values.tolist() == [["merged", older, younger]]
    assert changes["reason"].iloc[0].startswith("人工判定为同一人")
    merged.write(tmp_path / "m2", printable=False)
    split = update(tmp_path / "m2", nothing, judged=pd.DataFrame(
        {"record_id_l": [a[0]], "record_id_r": [b[0]], "match": ["不是同一人"]}))
    table = split.clusters.set_index("record_id")["cluster_id"]
    kept = a if older == no_number[0] else b
    moved = b if kept is a else a
    assert set(table[kept]) == {older} and set(table[moved]) == {younger + "~2"}  # a used id is never reused
    assert split.extra_tables["changes"]["change"].tolist() == ["split"]


def _pair_ids(result) -> set[tuple]:
    ids = result.records.norm["record_id"].to_numpy(dtype=object)
    pairs = result.scored.pairs
    return {tuple(sorted(p)) for p in zip(ids[pairs[:, 0]].tolist(), ids[pairs[:, 1]].tolist())}


@pytest.mark.parametrize("grows", [True, False])
def test_a_block_crossing_its_cap_in_the_batch_gives_the_full_runs_pairs(tmp_path, grows):
    # 20 records share a switchboard's phone (the phone key's cap): a 21st closes the block in a
    # full run, and so in the update; a 21-record block losing one record opens again
    register = _register().copy()
    shared = register.index[100:120] if grows else register.index[100:121]
    register.loc[shared, "phone"] = "13800000000"
    newcomer = register.iloc[[300]].copy()
    newcomer["record_id"], newcomer["phone"] = "R9999999", "13800000000"
    moved = register.loc[[shared[-1]]].copy()
    moved["phone"] = "13911111111"
    batch = newcomer if grows else moved
    base = register
    final = pd.concat([register, newcomer], ignore_index=True) if grows else \
        pd.concat([register.drop(index=shared[-1:]), moved], ignore_index=True)
    dedupe(base, district=DISTRICT, as_of=AS_OF).write(tmp_path / "m1", printable=False)
    assert read_state(tmp_path / "m1").block_keys is not None
    updated = update(tmp_path / "m1", batch)
    again = dedupe(final, district=DISTRICT, as_of=AS_OF)
    assert _pair_ids(updated) == _pair_ids(again)
    assert _partition(updated) == _partition(again)
    updated.write(tmp_path / "m2", printable=False)  # the next state carries the keys of the final register
    keys = read_state(tmp_path / "m2").block_keys
    assert keys is not None and len(keys["phone[0]"]) == len(final)


def test_an_update_blocks_as_a_full_run(tmp_path):
    register = _register()
    rng = np.random.default_rng(3)
    in_batch = rng.random(len(register)) < 0.1
    base, batch = register[~in_batch], register[in_batch].copy()
    retyped = base.sample(30, random_state=3).copy()
    retyped["name"] = retyped["name"].str[:1] + "某"
    batch = pd.concat([batch, retyped], ignore_index=True)
    final = pd.concat([base.drop(index=retyped.index), batch], ignore_index=True)
    dedupe(base, district=DISTRICT, as_of=AS_OF).write(tmp_path / "m1", printable=False)
    assert _pair_ids(update(tmp_path / "m1", batch)) == _pair_ids(dedupe(final, district=DISTRICT, as_of=AS_OF))


def test_row_hashes_are_pandas_hashes_of_the_rows_whatever_holds_the_texts():
    """The state's row hash (what tells an update which records changed) is pandas' own row hash
    of the texts as objects, whether they are Python objects, pandas 3's str or Arrow memory read
    back from a state (blanks and nulls included), so states written before keep meaning the same."""
    import pyarrow as pa

    from linkage.state import row_hashes

    raw = pd.DataFrame({"record_id": ["R1", "R2", "R3", "R4"], "name": ["王芳", "王芳", "", "李娜"],
                        "phone": ["138", None, "139", "138"]}, dtype=object)
    for texts in (raw, raw.fillna("")):
        for frame in (texts, texts.astype("string[pyarrow]"), texts.astype(pd.ArrowDtype(pa.string()))):
            expected = pd.util.hash_pandas_object(frame.astype(object), index=False).to_numpy(dtype=np.uint64)
            assert np.array_equal(row_hashes(frame), expected)
    hashed = row_hashes(raw.fillna(""))
    assert len(set(hashed.tolist())) == 4  # a changed field changes the hash
    assert np.array_equal(row_hashes(raw.fillna("").astype(pd.ArrowDtype(pa.string()))), hashed)


def test_the_state_keeps_the_costly_keys_and_derives_the_id_number_ones_again(tmp_path):
    """blocks.parquet leaves out the keys made of her ID number's digits (most of its bytes); read
    back, the state's keys are every key of ``blocking.block_keys`` over the register, equal."""
    import pyarrow.parquet as pq

    from blocking import block_keys

    register = generate_register(1_500, seed=31).register
    result = dedupe(register, district=DISTRICT, as_of=AS_OF)
    result.write(tmp_path / "m1", printable=False, report=False)
    kept = set(pq.read_schema(tmp_path / "m1" / "state" / "blocks.parquet").names)
    assert not any(name.startswith(("id_window", "id_exact", "id_halves")) for name in kept)
    assert any(name.startswith("pinyin_year") for name in kept)
    expected = block_keys(result.records.norm)
    state_keys = read_state(tmp_path / "m1").block_keys
    assert list(state_keys) == list(expected)
    for name, values in expected.items():
        assert np.array_equal(state_keys[name], values), name


def test_a_state_read_back_holds_one_string_per_distinct_text(tmp_path):
    """Reading a state does not make a Python string per row and column (at a million records
    that is gigabytes): rows holding the same text share one string, as after normalising."""
    register = generate_register(1_500, seed=32).register
    dedupe(register, district=DISTRICT, as_of=AS_OF).write(tmp_path / "m1", printable=False, report=False)
    norm = read_state(tmp_path / "m1").norm
    units = norm["unit_code"].to_numpy(dtype=object)
    assert len({id(value) for value in units}) == len(set(units.tolist())) < len(units) // 4


def test_a_state_keeps_repeating_texts_as_distinct_texts_and_reads_back_every_value(tmp_path):
    """The state's repeating text columns are written dictionary-encoded (their distinct texts once)
    and read back value for value, blanks ('', None, NaN) as ''; mostly distinct ones as plain text."""
    import pyarrow.parquet as pq

    from linkage.state import read_frame, write_frame

    n = 2_000
    units = ["3301", "3302", None, np.nan, ""] * (n // 5)
    for held in (object, "string[pyarrow]"):  # an object column, and pandas 3's Arrow-backed str
        frame = pd.DataFrame({"unit_code": pd.Series(units, dtype=held),
                              "record_id": pd.Series([f"r{i}" for i in range(n)], dtype=held),
                              "count_name": np.arange(n)})
        write_frame(frame, tmp_path / "t.parquet")
        schema = pq.read_schema(tmp_path / "t.parquet")
        assert str(schema.field("unit_code").type).startswith("dictionary"), held
        assert str(schema.field("record_id").type) == "string", held
        back = read_frame(tmp_path / "t.parquet")
        assert back["unit_code"].tolist() == ["3301", "3302", "", "", ""] * (n // 5)
        assert back["record_id"].tolist() == [f"r{i}" for i in range(n)]
        assert back["count_name"].tolist() == list(range(n))


def test_a_state_reads_back_the_normalised_register_value_for_value(tmp_path):
    """records.parquet holds id_full / id_digits only where they differ from id_number (legacy
    15-digit numbers, typos, blanks); read back, every normalised column is as the run made it."""
    register = generate_register(1_500, seed=33).register
    register.loc[:20, "id_number"] = register.loc[:20, "id_number"].str[:6] + register.loc[:20, "id_number"].str[8:17]
    register.loc[21:30, "id_number"] = ""
    run = dedupe(register, district=DISTRICT, as_of=AS_OF)
    run.write(tmp_path / "m1", printable=False, report=False)
    norm = run.records.norm
    assert (norm["id_full"] != norm["id_number"]).sum() > 20  # the legacy numbers differ from their full form
    back = read_state(tmp_path / "m1").norm
    pd.testing.assert_frame_equal(back[norm.columns], norm.reset_index(drop=True), check_dtype=False,
                                  check_categorical=False)

