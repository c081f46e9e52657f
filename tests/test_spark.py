"""The Spark engine in local[2] gives the local engine's answer: the same candidate pairs, the
same probabilities, the same clusters, decisions and notices, on the sample register (a CSV
file, through the command line) and on a generated one read from a folder of parquet files.
Each Spark run costs tens of seconds of fixed overhead (JVM, Python workers, one job per
stage) whatever the size, so the registers are small."""

from pathlib import Path
import shutil

import numpy as np
import pandas as pd
import pytest

import linkage
from benchmarks.generator import generate_register
from linkage.cli import main

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # .ci/run installs it; a machine without Java cannot run Spark at all
    pytest.skip("the Spark engine needs Java 17 (apt-get install default-jre-headless)", allow_module_level=True)

SAMPLE = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "sample_register.csv"
AS_OF = "2026-11-30"


@pytest.fixture(scope="module")
def spark():
    from linkage.spark.session import spark_session

    session = spark_session("local[2]")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


def _scored_frame(local) -> pd.DataFrame:
    ids = local.records.norm["record_id"].to_numpy(dtype=object)
    pairs = local.scored.pairs
    return pd.DataFrame({"l": ids[pairs[:, 0]], "r": ids[pairs[:, 1]], "p": local.scored.probabilities})


def _spark_scored_frame(result) -> pd.DataFrame:
    from pyspark.sql import functions as F

    who = result.norm.select("_row", "record_id")
    frame = (result.scored.join(who.select(F.col("_row").alias("i"), F.col("record_id").alias("l")), "i")
             .join(who.select(F.col("_row").alias("j"), F.col("record_id").alias("r")), "j")
             .select("l", "r", F.col("probability").alias("p")).toPandas())
    return frame


def _same_answer(local, spark_result) -> None:
    """Candidate pairs equal as sets, probabilities to 1e-9, and every output table equal."""
    mine, theirs = _scored_frame(local), _spark_scored_frame(spark_result)
    assert len(mine) == len(theirs) > 0
    merged = mine.merge(theirs, on=["l", "r"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert np.abs(merged["p_x"] - merged["p_y"]).max() <= 1e-9
    pd.testing.assert_frame_equal(local.clusters, spark_result.clusters, check_dtype=False)
    assert spark_result.summary() == local.summary()
    ours, theirs = local.tables(), spark_result.tables()
    for name in ("pairs", "decisions", "notices", "verification", "splits"):
        pd.testing.assert_frame_equal(ours[name].reset_index(drop=True), theirs[name].reset_index(drop=True),
                                      check_dtype=False, obj=name)
    as_set = lambda frame: frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(as_set(ours["flags"]), as_set(theirs["flags"]))


def _state_frames(folder: Path) -> dict[str, pd.DataFrame]:
    from linkage.state import read_state

    state = read_state(folder)
    return {"norm": state.norm.assign(cluster_id=state.cluster_ids, row_hash=state.row_hashes),
            "raw": state.raw.astype(object), "pairs": pd.DataFrame({"l": state.pairs[:, 0], "r": state.pairs[:, 1],
                                                                   "p": state.probabilities, "why": state.reasons}),
            "meta": state.lineage.meta, "decisions": state.decisions, "verification": state.verification,
            "sent": state.lineage.sent}


def test_the_command_line_writes_the_local_files_with_engine_spark(spark, tmp_path):
    """Every file of the local run, report.html and state/ included, and a later ``linkage update``
    on the Spark run's folder gives what it gives on the local one's."""
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sample.iloc[:1700].to_csv(tmp_path / "base.csv", index=False)
    batch = sample.iloc[1650:].copy()  # 50 records again, 300 new, 20 retyped since
    retyped = sample.iloc[100:120].copy()
    retyped["联系电话"] = "13912345678"
    pd.concat([batch, retyped]).to_csv(tmp_path / "batch.csv", index=False)
    common = ["--district", "330106", "--as-of", AS_OF, "--quiet", "--no-printable"]
    assert main(["dedupe", str(tmp_path / "base.csv"), "-o", str(tmp_path / "local"), *common]) == 0
    assert main(["dedupe", str(tmp_path / "base.csv"), "-o", str(tmp_path / "spark"), "--engine", "spark",
                 *common]) == 0
    read = lambda folder, name: pd.read_csv(tmp_path / folder / f"{name}.csv", dtype=str,  # noqa: E731
                                            keep_default_na=False, encoding="utf-8-sig")
    clusters = read("local", "clusters")
    assert (clusters["cluster_size"].astype(int) > 1).sum() > 150  # the sample has duplicates to find
    for name in ("clusters", "pairs", "decisions", "notices", "verification", "splits"):
        pd.testing.assert_frame_equal(read("local", name), read("spark", name), obj=name)
    as_set = lambda frame: frame.sort_values(list(frame.columns)).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(as_set(read("local", "flags")), as_set(read("spark", "flags")))
    page = lambda folder: (tmp_path / folder / "report.html").read_text(encoding="utf-8")  # noqa: E731
    assert page("spark") == page("local") and "概率的由来" in page("local")
    ours, theirs = _state_frames(tmp_path / "local"), _state_frames(tmp_path / "spark")
    for name, frame in ours.items():
        if name == "pairs":  # the same floats to 1e-9 (batch-wise sums), the same pairs in the same order
            pd.testing.assert_frame_equal(frame, theirs[name], check_dtype=False, rtol=0, atol=1e-9, obj=name)
        else:
            pd.testing.assert_frame_equal(frame, theirs[name], check_dtype=False, obj=name)
    for folder in ("local", "spark"):
        assert main(["update", str(tmp_path / folder), str(tmp_path / "batch.csv"), "-o",
                     str(tmp_path / f"{folder}2"), "-q", "--no-printable"]) == 0
    assert len(read("spark2", "clusters")) == 2000
    for name in ("clusters", "pairs", "decisions", "notices", "verification", "changes"):
        pd.testing.assert_frame_equal(read("local2", name), read("spark2", name), obj=name)


def _together(result, a: str, b: str) -> bool:
    table = result.clusters.set_index("record_id")["cluster_id"]
    return table[a] == table[b]


def test_a_folder_of_parquet_files_gives_the_local_answer_and_judged_pairs_bind(spark, tmp_path):
    """Read from parquet parts, with a clerk's judgements: a pair judged two women splits the
    cluster that held them, a pair judged one woman joins two records, as in the local engine."""
    register = generate_register(n_records=600, seed=11, district="330106", as_of=AS_OF).register
    folder = tmp_path / "register"
    folder.mkdir()
    half = len(register) // 2
    register.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    register.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    first = linkage.dedupe(register, district="330106", as_of=AS_OF)
    assert first.summary()["clusters_of_2_plus"] > 20
    pairs, sizes = first.pairs, first.clusters.set_index("record_id")["cluster_size"]
    apart = pairs[pairs["match"] & (sizes[pairs["record_id_l"]].to_numpy() == 2)].iloc[0]
    below = _scored_frame(first).sort_values("p", ascending=False)
    below = below[below["p"] < first.scored.threshold].iloc[0]  # the likeliest pair not matched
    joined = {"record_id_l": below["l"], "record_id_r": below["r"]}
    assert _together(first, apart["record_id_l"], apart["record_id_r"])
    assert not _together(first, joined["record_id_l"], joined["record_id_r"])
    judged = pd.DataFrame({"record_id_l": [apart["record_id_l"], joined["record_id_l"]],
                           "record_id_r": [apart["record_id_r"], joined["record_id_r"]],
                           "判定": ["不是同一人", "是同一人"]})
    local = linkage.dedupe(register, district="330106", as_of=AS_OF, judged=judged)
    on_spark = linkage.dedupe(folder, district="330106", as_of=AS_OF, engine="spark", judged=judged)
    for result in (local, on_spark):
        assert not _together(result, apart["record_id_l"], apart["record_id_r"])
        assert _together(result, joined["record_id_l"], joined["record_id_r"])
    _same_answer(local, on_spark)


def test_a_catalog_table_is_read_in_record_id_order(spark):
    """``table:NAME`` (a Hive table or a view): the register as a file of it gives, records in
    record_id order (a table has no file order), their state positions 0..n-1."""
    from linkage.io import load
    from linkage.spark.engine import _read
    from linkage.spark.outputs import dense_rows

    register = generate_register(n_records=300, seed=5, district="330106", as_of=AS_OF).register
    spark.createDataFrame(register.sample(frac=1, random_state=1).astype(str)).createOrReplaceTempView("wis_register")
    raw, columns = _read(spark, "table:wis_register")
    expected = load(register.sort_values("record_id")).reset_index(drop=True)
    assert columns == list(expected.columns)
    got = raw.join(dense_rows(raw), "_row").orderBy("row").toPandas()
    assert got["row"].tolist() == list(range(len(register)))
    pd.testing.assert_frame_equal(got[columns], expected, check_dtype=False)
