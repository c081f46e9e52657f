"""report.html and ``OUT/state/`` of a Spark run, as the local engine writes them.

What is small comes to the driver: the probability histogram (counted per Arrow batch, summed by
a group-by), the few pairs nearest the threshold with their records, the records of the clusters
of two or more (for the streets table), the cluster table the CSVs already hold.  What grows with
the register is written by Spark itself, in row order, as folders of parquet parts that
``linkage.state.read_state`` reads back as one table each: records.parquet (the normalised
register with its frequencies, cluster_id and row hash), raw.parquet (the conformed input) and
pairs.parquet (every candidate pair, oriented and sorted as ``resolve.stable_ids.canonical_pairs``
does: record_id_l < record_id_r, by record_id_l then record_id_r).

Row positions of the state are 0..n-1 in ``_row`` order (``dense_rows``): the file order the
local engine reads.  On a cluster the state's folder must be one every executor writes to (a
shared mount or HDFS path), as for any Spark output.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from resolve.stable_ids import first_ids

from ..report_html import BINS, NEAREST, NearPair, ReportFacts, histogram_counts, streets_of, who_of
from ..state import Lineage, row_hashes, write_state_rest
from .engine import FILE_SHIFT, ROW
from .frames import as_engine_frame


def dense_rows(norm: Any) -> Any:
    """DataFrame (_row, row): each record's position 0..n-1 in ``_row`` order.  A record's ``_row``
    is its file's rank * 2**40 + its row in the file, the rows of a file 0..m-1: the position is the
    records of the files before it plus its row, from one small group-by."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = norm.sparkSession
    file = F.shiftright(F.col(ROW), FILE_SHIFT)
    within = F.col(ROW) - F.shiftleft(file, FILE_SHIFT)
    sizes = norm.select(file.alias("file"), within.alias("within")).groupBy("file").agg(
        F.count("*").alias("n"), F.max("within").alias("last")).toPandas().sort_values("file")
    if not (sizes["last"] + 1 == sizes["n"]).all():  # not one run of rows per file: rank them (one partition)
        return norm.select(ROW, (F.row_number().over(Window.orderBy(ROW)) - 1).cast("long").alias("row"))
    offsets = spark.createDataFrame(pd.DataFrame({"file": sizes["file"].to_numpy(dtype=np.int64),
                                                  "offset": np.r_[0, np.cumsum(sizes["n"].to_numpy())[:-1]]
                                                  .astype(np.int64)}))
    return (norm.select(ROW, file.alias("file"), within.alias("within")).join(F.broadcast(offsets), "file")
            .select(ROW, (F.col("offset") + F.col("within")).alias("row")))


def oriented(scored: Any, norm: Any) -> Any:
    """DataFrame (i, j, rid_l, rid_r, probability, reasons): every scored pair with the smaller
    record_id on the left (i its ``_row``), reasons '' where none."""
    from pyspark.sql import functions as F

    who = norm.select(ROW, "record_id")
    both = (scored.join(who.select(F.col(ROW).alias("i"), F.col("record_id").alias("a")), "i")
            .join(who.select(F.col(ROW).alias("j"), F.col("record_id").alias("b")), "j"))
    swap = F.col("a") > F.col("b")
    return both.select(F.when(swap, F.col("j")).otherwise(F.col("i")).alias("i"),
                       F.when(swap, F.col("i")).otherwise(F.col("j")).alias("j"),
                       F.least("a", "b").alias("rid_l"), F.greatest("a", "b").alias("rid_r"), "probability",
                       F.coalesce(F.col("reasons"), F.lit("")).alias("reasons"))


# report.html ---------------------------------------------------------------------------------

def report_facts(result: Any) -> ReportFacts:
    """The ReportFacts of a ``SparkDedupeResult``: what ``linkage.report_html.facts_of`` gathers
    from a local result, from the result's DataFrames."""
    return ReportFacts(result.summary(), _histogram(result.scored), result.threshold, result.review_threshold,
                       result.model, _near_pairs(result), _streets(result))


def _histogram(scored: Any) -> np.ndarray:
    """int64 (BINS,): ``histogram_counts`` of every candidate pair's probability, batch by batch."""
    from pyspark.sql import functions as F

    def count(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield pd.DataFrame({"bin": np.arange(BINS, dtype=np.int64),
                                "n": histogram_counts(batch["probability"].to_numpy(dtype=np.float64))})

    rows = (scored.select("probability").mapInPandas(count, "bin long, n long").groupBy("bin")
            .agg(F.sum("n").alias("n")).collect())
    out = np.zeros(BINS, dtype=np.int64)
    for row in rows:
        out[int(row["bin"])] = int(row["n"])
    return out


def _near_pairs(result: Any, k: int = NEAREST) -> list[NearPair]:
    """The ``k`` pairs nearest the threshold (ties in the local pair order: by record ids), their
    comparison rows from their records gathered on the driver."""
    from pyspark.sql import functions as F

    model, profile = result.model, result.profile
    if model is None or profile is None or not hasattr(model, "coef_") or not result.counts["candidate_pairs"]:
        return []
    near = (oriented(result.scored, result.norm)
            .withColumn("d", F.abs(F.col("probability") - F.lit(float(result.threshold))))
            .orderBy("d", "rid_l", "rid_r").limit(k).toPandas())
    wanted = np.unique(np.r_[near["i"].to_numpy(dtype=np.int64), near["j"].to_numpy(dtype=np.int64)]).tolist()
    records = result.norm.where(F.col(ROW).isin(wanted)).toPandas().sort_values(ROW).reset_index(drop=True)
    rows = records[ROW].to_numpy(dtype=np.int64)
    records = as_engine_frame(records.drop(columns=ROW), result.dtypes)
    on = np.c_[np.searchsorted(rows, near["i"].to_numpy(dtype=np.int64)),
               np.searchsorted(rows, near["j"].to_numpy(dtype=np.int64))].astype(np.int64)
    matrix = np.asarray(profile.compare(records, records, on).matrix, dtype=float)
    return [NearPair(who_of(records.iloc[l], records.iloc[r]), float(p), matrix[m])
            for m, (l, r, p) in enumerate(zip(on[:, 0], on[:, 1], near["probability"]))]


def _streets(result: Any) -> pd.DataFrame:
    """``clusters_per_street`` over the records of the clusters of two or more."""
    members = result.norm.select(ROW, "unit_code").join(result.grouped, ROW).toPandas()
    return streets_of(members["unit_code"].to_numpy(dtype=object), members["cluster_id"].to_numpy(dtype=object))


# state/ --------------------------------------------------------------------------------------

def write_spark_state(result: Any, folder: str | Path) -> Path:
    """``linkage.state.write_state`` of a ``SparkDedupeResult`` into ``folder`` (created): the
    same files, the three large ones written by Spark.  Returns the folder."""
    from pyspark.sql import functions as F

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    norm, raw = result.norm, result.raw
    positions = dense_rows(norm).persist()
    cluster_id = F.coalesce(F.col("cluster_id"), F.concat(F.lit("C-"), F.col("record_id")))
    records = (norm.join(result.grouped, ROW, "left").withColumn("cluster_id", cluster_id)
               .join(_hashes(raw, result.columns), ROW))
    _write(records.orderBy(ROW).select(*result.norm_columns, "cluster_id", "_row_hash"), folder / "records.parquet")
    _write(raw.orderBy(ROW).select(*result.columns), folder / "raw.parquet")
    pairs = (oriented(result.scored, norm)
             .join(positions.select(F.col(ROW).alias("i"), F.col("row").alias("l")), "i")
             .join(positions.select(F.col(ROW).alias("j"), F.col("row").alias("r")), "j")
             .orderBy("rid_l", "rid_r")
             .select(F.col("l").cast("int"), F.col("r").cast("int"), "probability", "reasons"))
    _write(pairs, folder / "pairs.parquet")
    positions.unpersist()
    clusters = result.clusters
    lineage = Lineage(run=1, meta=first_ids(clusters["record_id"].to_numpy(dtype=object),
                                            clusters["cluster_id"].to_numpy(dtype=object)),
                      retired=set(), sent=result.notices)
    return write_state_rest(folder, lineage, result, records=len(clusters), pairs=result.counts["candidate_pairs"],
                            flags=result.flags)


def _hashes(raw: Any, columns: list[str]) -> Any:
    """DataFrame (_row, _row_hash): ``linkage.state.row_hashes`` of each conformed row (signed:
    Spark has no unsigned long; ``read_state`` reads the bits back as uint64)."""
    def hashed(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            text = batch[columns].astype(object).where(batch[columns].notna(), "").reset_index(drop=True)
            yield pd.DataFrame({ROW: batch[ROW].to_numpy(dtype=np.int64),
                                "_row_hash": row_hashes(text).view(np.int64)})

    return raw.select(*columns, ROW).mapInPandas(hashed, f"{ROW} long, _row_hash long")


def _write(frame: Any, path: Path) -> None:
    """``frame`` as a folder of parquet parts (zstd, as ``linkage.state.COMPRESSION``) in its order;
    Spark's bookkeeping files (_SUCCESS, .crc) removed where the folder is on this machine."""
    from ..state import COMPRESSION

    frame.write.mode("overwrite").option("compression", COMPRESSION).parquet(str(path))
    if path.is_dir():
        for extra in [p for p in path.iterdir() if p.name.startswith((".", "_"))]:
            extra.unlink() if extra.is_file() else shutil.rmtree(extra)
