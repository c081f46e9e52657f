"""``dedupe`` on Spark: the local engine's stages as DataFrame steps, with the same kernels.

1. read: a file as the local engine reads it (``linkage.io.load``), a pandas frame, or a folder
   of parquet files read by Spark (headers renamed as ``linkage.io.conform`` does); each record
   gets ``_row``, its position (file order), which orients every pair as the local engine does.
2. normalise: ``linkage.prepare.prepare`` over Arrow batches (``mapInPandas``); the flags come
   out of the same pass.  The frequencies (``count_<field>``) are counted over the whole register
   by group-bys, the name prior by ``linkage.normalize.frequency.name_prior`` over distinct names.
3. block: every blocker's ``keys`` over batches under ``blocking.register.stable_keys`` (a
   record's key is its own values, whatever partition it is in); a block is kept when it has two
   to ``max_block_size`` entries, as ``blocking.kernels.pairs_from_keys`` keeps it; pairs are the
   self equi-join of each block's entries, i < j, without repeats.
4. score: the pairs joined with both records go through the blockers' ``keep`` (a pair only some
   blockers keep), ``linkage.identity``'s pairs that cannot be one woman, and the profile's
   ``compare`` and the model's ``predict_proba`` / ``explain``, in Arrow batches.
5. cluster: connected components of the matched pairs (``linkage.spark.components``), then each
   component split by ``resolve.clusters.cluster`` on its own records (``cogroup().applyInPandas``).
6. decide: ``resolve.decide`` and ``resolve.draft_notices`` on the records of the clusters of two
   or more (gathered on the driver: a few per cent of the register), and every table as
   ``linkage.pipeline.DedupeResult`` writes it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

import resolve
from blocking.register import stable_keys
from resolve.clusters import SPLIT_COLUMNS, cluster
from resolve.judged import SAME_REASON, load_judged
from resolve.workbook import write_action_workbook
from scoring.run import DEFAULT_REVIEW_THRESHOLD, load_model

from ..errors import ConfigError, InputFileError
from ..identity import IdParts
from ..columns import canonical_name
from ..io import conform, load
from ..normalize.dates import as_of_date
from ..normalize.frequency import FREQUENCY_FIELDS, name_prior, smoothed_name_counts
from ..pipeline import ordered_pairs, write_tables
from ..prepare import FLAG_COLUMNS, prepare
from ..profile import RegisterProfile
from ..progress import Progress
from .components import components
from .frames import as_engine_frame, prefixed, schema_of, to_arrow_ready
from .session import spark_session

ROW = "_row"
KIND = "_kind"  # 0: a record's normalised row, 1: one of its flags (the normalising pass gives both)
FLAG_FIELDS = ["flag_field", "flag_value", "flag_reason", "flag_message"]
PAIR_COLUMNS = ["record_id_l", "record_id_r", "probability", "reasons", "match", "name_l", "name_r",
                "unit_code_l", "unit_code_r"]


@dataclass
class SparkDedupeResult:
    """What ``linkage.spark.dedupe`` found: the tables of ``DedupeResult`` (pandas, on the
    driver), and ``scored``: every candidate pair as a Spark DataFrame (i, j row positions,
    probability, reasons), ``norm`` the normalised register as a Spark DataFrame."""

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    decisions: pd.DataFrame
    notices: pd.DataFrame
    verification: pd.DataFrame
    splits: pd.DataFrame
    flags: pd.DataFrame
    scored: Any
    norm: Any
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    raw: Any = None
    """The conformed register as a Spark DataFrame (``columns`` and ``_row``)."""
    grouped: Any = None
    """DataFrame (_row, cluster_id) of the records in clusters of two or more."""
    columns: list[str] = field(default_factory=list)
    norm_columns: list[str] = field(default_factory=list)
    """The local engine's normalised columns, in its order (the state's records.parquet)."""
    dtypes: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    profile: Any = None
    threshold: float = 0.5
    review_threshold: float = 0.3
    district: str | None = None
    as_of: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    """As ``DedupeResult.options``: what the state keeps for ``linkage update``."""

    @property
    def cluster_ids(self) -> np.ndarray:
        return self.clusters["cluster_id"].to_numpy(dtype=object)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by file stem, as ``DedupeResult.tables``."""
        made = {name: frame for name, frame in (("decisions", self.decisions), ("notices", self.notices),
                                                 ("verification", self.verification)) if len(frame.columns)}
        return {"clusters": self.clusters, "pairs": self.pairs, **made, "splits": self.splits, "flags": self.flags}

    def write(self, folder: str | os.PathLike, *, printable: bool = True, report: bool = True, state: bool = True,
              run: Any = None, progress: Progress | None = None) -> list[Path]:
        """The files ``DedupeResult.write`` writes, into ``folder`` whole (``linkage.run_folder``;
        ``run``: the command line's run folder): the CSVs, 办理清单.xlsx, the printable workbooks, with
        ``report`` report.html and with ``state`` the state ``linkage update`` reads
        (``linkage.spark.outputs``: the large files written by Spark).  Returns the paths once in place."""
        from ..messages import text
        from ..pipeline import in_place
        from ..report_html import write_report
        from ..run_folder import atomic_folder
        from .outputs import report_facts, write_spark_state

        step = (lambda name: progress.stage(text("stage.writing_step", file=name))) if progress else (lambda name: None)
        with atomic_folder(folder, run=run) as target:
            paths = write_tables(self.tables(), target, progress=progress)
            if len(self.decisions.columns) and len(self.notices.columns):
                step("办理清单.xlsx")
                paths.append(write_action_workbook(self.notices, self.verification, self.decisions, target))
            if printable and (len(self.notices) or len(self.verification)):
                step("printable/")
                paths += resolve.write_documents(self.notices, self.verification, Path(target) / "printable")
            if report:
                step("report.html")
                paths.append(write_report(target, report_facts(self), as_of=self.as_of, district=self.district))
            if state:
                step("state/")
                paths.append(write_spark_state(self, Path(target) / "state"))
        return in_place(paths, target, folder)

    def summary(self) -> dict[str, int]:
        sizes = self.clusters["cluster_size"].to_numpy()
        return {
            "records": len(self.clusters),
            "flagged_values": len(self.flags),
            "candidate_pairs": self.counts["candidate_pairs"],
            "matched_pairs": self.counts["matched_pairs"],
            "clusters_of_2_plus": int(self.clusters["cluster_id"][sizes > 1].nunique()),
            "records_in_clusters": int((sizes > 1).sum()),
            # as DedupeResult.summary counts them (tests/test_spark.py holds the two equal)
            "notices": int(self.notices["notice_id"].nunique()) if "notice_id" in self.notices.columns else 0,
            "notice_records": len(self.notices),
            "undetermined_groups": int((self.decisions["status"] == "undetermined").sum())
            if "status" in self.decisions.columns else 0,
            "undetermined": len(self.verification),
            "oversized_blocks": self.counts.get("oversized_blocks", 0),
            "records_in_oversized_blocks": self.counts.get("records_in_oversized_blocks", 0),
        }


# 1. read ---------------------------------------------------------------------------------------

def _read(spark: Any, register: Any) -> tuple[Any, list[str]]:
    """(raw Spark DataFrame of text columns with ``_row``, the conformed column names)."""
    from pyspark.sql import functions as F

    remote = isinstance(register, str) and "://" in register  # hdfs://, s3a://, oss:// ...: for Spark to read
    table = isinstance(register, str) and register.startswith(TABLE_PREFIX)
    if table or remote or (isinstance(register, (str, os.PathLike)) and Path(register).is_dir()):
        frame = spark.table(register[len(TABLE_PREFIX):]) if table else spark.read.parquet(str(register))
        if not frame.columns:
            raise InputFileError(f"{register}: 文件夹中没有parquet文件 (no parquet files in the folder)")
        position = F.lit(0) if table else _file_order(frame)
        renames = {old: canonical_name(old, table="register") or old for old in frame.columns}
        header = conform(pd.DataFrame(columns=list(renames.values())), name=str(register), required=())
        columns = [_as_text(frame, old).alias(new) for old, new in renames.items()]
        columns += [F.lit("").alias(c) for c in header.columns if c not in renames.values()]
        frame = frame.select(*columns, position.alias(ROW)).withColumn("record_id", F.trim("record_id"))
        _check_keys(frame, str(register))
        if table:  # a table has no file order: its records in record_id order
            frame = _in_record_order(frame)
        return frame.select(*header.columns, ROW), list(header.columns)
    raw = load(register)  # a file or a frame, read and checked exactly as the local engine does
    raw = raw.assign(**{ROW: np.arange(len(raw), dtype=np.int64)})
    schema = schema_of(raw)
    return spark.createDataFrame(to_arrow_ready(raw), schema=schema), [c for c in raw.columns if c != ROW]


FILE_SHIFT = 40
"""A record of a folder is at (rank of its file's name) * 2**40 + its row in the file."""
TABLE_PREFIX = "table:"
"""``table:db.name``: a table of the session's catalog (Hive, or a view) rather than a path."""


def _in_record_order(frame: Any) -> Any:
    """``frame`` sorted by record_id, ``_row`` the position as for files: (partition) * 2**40 + row
    in it (``monotonically_increasing_id`` is (partition) * 2**33 + row), fixed by a checkpoint."""
    from pyspark.sql import functions as F

    part = F.spark_partition_id().cast("long")
    row = F.monotonically_increasing_id() - F.shiftleft(part, 33)
    return frame.drop(ROW).orderBy("record_id").withColumn(ROW, F.shiftleft(part, FILE_SHIFT) + row).localCheckpoint()


def _file_order(frame: Any) -> Any:
    """The position column of a folder of parquet files: the files in name order, each file's
    rows in order (``_metadata.row_index``), as reading them one after another gives."""
    from pyspark.sql import functions as F

    files = sorted(row[0] for row in frame.select("_metadata.file_path").distinct().collect())
    rank = F.lit(-1).cast("long")
    for k, path in enumerate(files):
        rank = F.when(F.col("_metadata.file_path") == path, F.lit(k).cast("long")).otherwise(rank)
    return rank * F.lit(2 ** FILE_SHIFT) + F.col("_metadata.row_index")


def _as_text(frame: Any, name: str) -> Any:
    """A parquet column as text, '' for null; a float that is a whole number as an integer
    (a phone stored as 13800138000.0 reads '13800138000'), as ``linkage.io`` reads parquet."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    column = F.col(f"`{name}`")
    if isinstance(frame.schema[name].dataType, (T.DoubleType, T.FloatType)):
        column = F.when(column == F.floor(column), column.cast("long").cast("string")).otherwise(column.cast("string"))
    return F.coalesce(column.cast("string"), F.lit(""))


def _check_keys(frame: Any, name: str) -> None:
    """Every record_id present and unique, as ``linkage.io.conform`` requires (SchemaError)."""
    from pyspark.sql import functions as F

    from ..errors import SchemaError

    if frame.where(F.col("record_id") == "").limit(1).count():
        raise SchemaError(f"{name}: record_id 有空白 (column 'record_id' is blank in some rows)", path=name,
                          column="record_id")
    repeated = frame.groupBy("record_id").count().where(F.col("count") > 1).limit(5).collect()
    if repeated:
        values = sorted(row["record_id"] for row in repeated)
        raise SchemaError(f"{name}: record_id 重复 {values} (column 'record_id' repeats values {values}; it must be "
                          "unique)", path=name, column="record_id")


# 2. normalise ----------------------------------------------------------------------------------

def _norm_columns(columns: list[str]) -> list[str]:
    """The local engine's normalised columns in its order, frequencies included."""
    sample = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return [str(c) for c in prepare(sample).norm.columns]


def _norm_layout(columns: list[str]) -> pd.DataFrame:
    """An empty normalised frame with the local engine's columns and dtypes (without counts)."""
    sample = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    norm = prepare(sample).norm
    return norm[[c for c in norm.columns if not c.startswith("count_")]]


def _normalise(raw: Any, columns: list[str]) -> tuple[Any, Any, dict[str, np.dtype]]:
    """(norm Spark DataFrame with ``_row`` and the register-wide counts, flags DataFrame, the
    dtypes of the local norm frame)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    layout = _norm_layout(columns)
    names = list(layout.columns)
    schema = schema_of(layout, {ROW: T.LongType(), KIND: T.IntegerType(),
                                **{f: T.StringType() for f in FLAG_FIELDS}})

    def normalise(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            rows = batch[ROW].to_numpy()
            text = batch[columns].astype(object).where(batch[columns].notna(), "").reset_index(drop=True)
            records = prepare(text)
            norm = records.norm[names].copy()
            norm[ROW], norm[KIND] = rows, 0
            for f in FLAG_FIELDS:
                norm[f] = None
            yield to_arrow_ready(norm)
            flags = records.flags
            if len(flags):
                at = pd.Index(text["record_id"]).get_indexer(flags["record_id"])
                out = pd.DataFrame({c: pd.Series([None] * len(flags), dtype=object) for c in names})
                for c in names:
                    if pd.api.types.is_datetime64_any_dtype(layout[c].dtype):
                        out[c] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
                    elif layout[c].dtype != object:
                        out[c] = pd.Series(np.nan, index=out.index).astype(layout[c].dtype, errors="ignore")
                out["record_id"] = flags["record_id"].to_numpy(dtype=object)
                out[ROW], out[KIND] = rows[at], 1
                for f, source in zip(FLAG_FIELDS, ("field", "value", "reason", "message")):
                    out[f] = flags[source].astype(str).to_numpy(dtype=object)
                yield to_arrow_ready(out)

    both = raw.mapInPandas(normalise, schema).persist()
    norm = both.where(F.col(KIND) == 0).drop(KIND, *FLAG_FIELDS)
    flags = both.where(F.col(KIND) == 1).select(ROW, "record_id", *FLAG_FIELDS)
    norm = _with_counts(norm)
    dtypes = {c: layout[c].dtype for c in names}
    for name in FREQUENCY_FIELDS:
        dtypes[f"count_{name}"] = np.dtype(np.float64)
    return norm, flags, dtypes


def _with_counts(norm: Any) -> Any:
    """``norm`` with ``count_<field>`` counted over the whole register, as
    ``linkage.normalize.frequency.frequencies`` counts it (NaN where the value is blank)."""
    from pyspark.sql import functions as F

    spark = norm.sparkSession
    n = norm.count()
    for name in FREQUENCY_FIELDS:
        if name not in norm.columns:
            continue
        column = f"count_{name}"
        blank = F.col(name).isNull() | (F.col(name).cast("string") == "")
        if name == "name":
            distinct = norm.groupBy(name).agg(F.count("*").alias("n"), F.min_by("surname", ROW).alias("surname"),
                                              F.min_by("given", ROW).alias("given")).toPandas()
            counts = distinct["n"].to_numpy(dtype=np.float64)
            prior = name_prior(distinct["surname"].to_numpy(dtype=object), distinct["given"].to_numpy(dtype=object),
                               counts)
            distinct[column] = smoothed_name_counts(counts, prior, n)
            table = spark.createDataFrame(to_arrow_ready(distinct[[name, column]].copy()))
        else:
            table = norm.groupBy(name).agg(F.count("*").cast("double").alias(column))
        norm = norm.join(table, norm[name].eqNullSafe(table[name]), "left").drop(table[name])
        norm = norm.withColumn(column, F.when(blank, F.lit(float("nan"))).otherwise(F.col(column)))
    return norm


# 3. block --------------------------------------------------------------------------------------

def _key_entries(norm: Any, blockers: tuple, key_columns: list[str], dtypes: dict[str, np.dtype]) -> Any:
    """DataFrame (b, k, key, _row): every non-blank key of every blocker, as text."""
    from pyspark.sql import types as T

    schema = T.StructType([T.StructField("b", T.IntegerType()), T.StructField("k", T.IntegerType()),
                           T.StructField("key", T.StringType()), T.StructField(ROW, T.LongType())])

    def keys(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            batch = as_engine_frame(batch.reset_index(drop=True), dtypes)
            rows = batch[ROW].to_numpy(dtype=np.int64)
            with stable_keys():
                for b, blocker in enumerate(blockers):
                    for k, values in enumerate(blocker.keys(batch)):
                        at, values = (values if isinstance(values, tuple) else (np.arange(len(batch)), values))
                        texts = _key_texts(np.asarray(values))
                        present = texts != ""
                        yield to_arrow_ready(pd.DataFrame({"b": b, "k": k, "key": texts[present],
                                                           ROW: rows[np.asarray(at)[present]]}))

    return norm.select(*key_columns, ROW).mapInPandas(keys, schema)


def _key_texts(values: np.ndarray) -> np.ndarray:
    """object (m,): a key array as text, '' for no key ('' , None, or a negative integer)."""
    if np.issubdtype(values.dtype, np.integer):
        return np.where(values < 0, "", values.astype(str)).astype(object)
    texts = pd.Series(values, dtype=object)
    blank = texts.isna() | texts.isin(["", b""])
    return texts.astype(str).where(~blank, "").to_numpy(dtype=object)


def _candidate_pairs(entries: Any, blockers: tuple) -> Any:
    """DataFrame (i, j, plain, kept_by): each pair of rows sharing a kept block, i < j, once;
    plain: some blocker without ``keep`` gave it; kept_by: the blockers with ``keep`` that gave it."""
    from pyspark.sql import functions as F

    spark = entries.sparkSession
    caps = spark.createDataFrame([(b, int(blocker.max_block_size), hasattr(blocker, "keep"))
                                  for b, blocker in enumerate(blockers)], "b int, cap long, filtered boolean")
    sizes = entries.groupBy("b", "k", "key").agg(F.count("*").alias("size"))
    capped = sizes.join(F.broadcast(caps), "b")
    over = capped.where(F.col("size") > F.col("cap")).agg(F.count("*").alias("blocks"), F.sum("size").alias("records"))
    entries.sparkSession.conf.set("linkage.oversized", ",".join(str(v or 0) for v in over.first()))
    kept = capped.where((F.col("size") > 1) & (F.col("size") <= F.col("cap")))
    members = entries.join(kept.select("b", "k", "key", "filtered"), ["b", "k", "key"])
    left, right = members.alias("l"), members.alias("r")
    pairs = left.join(right, ["b", "k", "key"]).where(F.col(f"l.{ROW}") < F.col(f"r.{ROW}")).select(
        F.col(f"l.{ROW}").alias("i"), F.col(f"r.{ROW}").alias("j"), "b", F.col("l.filtered").alias("filtered"))
    return pairs.groupBy("i", "j").agg(
        F.max(F.when(~F.col("filtered"), F.lit(True)).otherwise(F.lit(False))).alias("plain"),
        F.array_distinct(F.collect_list(F.when(F.col("filtered"), F.col("b")))).alias("kept_by"))


# 4. score --------------------------------------------------------------------------------------

def _scored(pairs: Any, norm: Any, profile: Any, model: Any, blockers: tuple, dtypes: dict[str, np.dtype],
            review_threshold: float) -> Any:
    """DataFrame (i, j, probability, reasons) of the candidate pairs that may be one woman."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    columns = [c for c in norm.columns if c != ROW]
    left = norm.select(F.col(ROW).alias("i"), *[F.col(c).alias("l__" + c) for c in columns])
    right = norm.select(F.col(ROW).alias("j"), *[F.col(c).alias("r__" + c) for c in columns])
    joined = pairs.join(left, "i").join(right, "j")
    schema = T.StructType([T.StructField("i", T.LongType()), T.StructField("j", T.LongType()),
                           T.StructField("probability", T.DoubleType()), T.StructField("reasons", T.StringType())])

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            m = len(batch)
            l = as_engine_frame(prefixed(batch, "l__", columns), dtypes)
            r = as_engine_frame(prefixed(batch, "r__", columns), dtypes)
            both = pd.concat([l, r], ignore_index=True)
            pairs_in_both = np.c_[np.arange(m), m + np.arange(m)].astype(np.int64)
            keep = batch["plain"].to_numpy(dtype=bool).copy()
            kept_by = batch["kept_by"].to_numpy(dtype=object)
            for b, blocker in enumerate(blockers):
                if hasattr(blocker, "keep"):
                    gave = np.fromiter((b in list(x) for x in kept_by), dtype=bool, count=m) if m else np.zeros(0, bool)
                    if gave.any():
                        keep[gave] |= blocker.keep(both, pairs_in_both[gave])
            keep &= ~IdParts.of_frame(both).cannot(pairs_in_both)
            rows = np.flatnonzero(keep)
            l, r = l.iloc[rows].reset_index(drop=True), r.iloc[rows].reset_index(drop=True)
            on = np.c_[np.arange(len(rows)), np.arange(len(rows))].astype(np.int64)
            features = profile.compare(l, r, on)
            probs = model.predict_proba(features.matrix) if len(rows) else np.zeros(0)
            reasons = np.full(len(rows), "", dtype=object)
            shown = np.flatnonzero(probs >= review_threshold)
            if len(shown):
                reasons[shown] = model.explain(features.matrix[shown], top=3)
            yield to_arrow_ready(pd.DataFrame({"i": batch["i"].to_numpy(dtype=np.int64)[rows],
                                               "j": batch["j"].to_numpy(dtype=np.int64)[rows],
                                               "probability": np.asarray(probs, dtype=np.float64),
                                               "reasons": reasons}))

    return joined.mapInPandas(score, schema)


def _bind_judged(scored: Any, norm: Any, judged: Any) -> Any:
    """``scored`` with the pairs judged one woman at probability 1.0, SAME_REASON first in their
    reasons, and added where blocking did not find them (``resolve.judged.Judged.bind``); the
    judged pairs are few (a frame made on the driver)."""
    from pyspark.sql import functions as F

    spark = norm.sparkSession
    same = spark.createDataFrame(pd.DataFrame({"a": judged.same[:, 0].astype(str), "b": judged.same[:, 1].astype(str)},
                                              dtype=object), "a string, b string")
    who = norm.select(ROW, "record_id")
    rows = (same.join(who.select(F.col("record_id").alias("a"), F.col(ROW).alias("x")), "a")
            .join(who.select(F.col("record_id").alias("b"), F.col(ROW).alias("y")), "b")
            .select(F.least("x", "y").alias("i"), F.greatest("x", "y").alias("j"), F.lit(True).alias("judged"))
            .distinct())
    both = scored.join(rows, ["i", "j"], "full_outer")
    bound = F.col("judged").isNotNull()
    reasons = F.when(F.coalesce(F.col("reasons"), F.lit("")) == "", F.lit(SAME_REASON)).otherwise(
        F.concat(F.lit(SAME_REASON + "; "), F.col("reasons")))
    return both.select("i", "j", F.when(bound, F.lit(1.0)).otherwise(F.col("probability")).alias("probability"),
                       F.when(bound, reasons).otherwise(F.col("reasons")).alias("reasons"))


# 5. cluster ------------------------------------------------------------------------------------

def _clusters(norm: Any, scored: Any, threshold: float, apart: Any, dtypes: dict[str, np.dtype]) -> tuple[Any, Any]:
    """(DataFrame (_row, cluster_id) of the records in components of two or more, splits DataFrame);
    apart: the ``keep_apart`` rule a component is split by (``resolve.clusters.cluster``'s)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    matched = scored.where(F.col("probability") >= threshold)
    roots = components(matched.select(F.col("i").alias("a"), F.col("j").alias("b")))
    # whole components to a bucket: ``cluster`` over a bucket's records splits each of its components as
    # it would alone (it works component by component), with one Python call per bucket, not per component
    buckets = int(norm.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    bucket = F.pmod(F.xxhash64("root"), F.lit(buckets))
    members = norm.join(roots.select(F.col("node").alias(ROW), bucket.alias("bucket")), ROW)
    edges = matched.join(roots.select(F.col("node").alias("i"), bucket.alias("bucket")), "i")
    schema = T.StructType([T.StructField(ROW, T.LongType()), T.StructField("cluster_id", T.StringType()),
                           T.StructField("split", T.BooleanType()),
                           *[T.StructField(c, T.DoubleType() if c == "probability" else T.StringType())
                             for c in SPLIT_COLUMNS[1:]]])

    def split(records: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
        records = as_engine_frame(records.drop(columns="bucket").sort_values(ROW).reset_index(drop=True), dtypes)
        rows = records[ROW].to_numpy(dtype=np.int64)
        links = links.sort_values(["i", "j"])
        edge = np.c_[np.searchsorted(rows, links["i"].to_numpy()), np.searchsorted(rows, links["j"].to_numpy())]
        made = cluster(records, edge.astype(np.int64), links["probability"].to_numpy(dtype=np.float64),
                       threshold=threshold, apart=apart)
        out = pd.DataFrame({ROW: rows, "cluster_id": made.cluster_ids, "split": False})
        splits = made.splits.assign(**{ROW: -1, "split": True})
        return to_arrow_ready(pd.concat([out, splits], ignore_index=True)[[f.name for f in schema.fields]])

    both = members.groupBy("bucket").cogroup(edges.groupBy("bucket")).applyInPandas(split, schema).persist()
    return both.where(~F.col("split")).select(ROW, "cluster_id"), both.where(F.col("split")).select(*SPLIT_COLUMNS)


# 6. decide, and the whole run -------------------------------------------------------------------

def dedupe(
    register: Any,
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    model: Any = None,
    profile: Any = None,
    district: str | None = None,
    as_of: Any = None,
    rules: Any = None,
    decide: bool = True,
    judged: Any = None,
    progress: bool | Progress = False,
    master: str | None = None,
    spark: Any = None,
) -> SparkDedupeResult:
    """``linkage.dedupe`` on Spark (see the module docstring); the same arguments, and master
    (a Spark master URL, default the active session or ``local[2]``) or spark (a SparkSession).
    judged: as the local engine's (``resolve.judged``): a pair judged one woman scores 1.0 (added
    when blocking missed it), a pair judged two women never shares a cluster."""
    from pyspark.sql import functions as F

    report = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    profile = profile or RegisterProfile()
    if not isinstance(profile, RegisterProfile):
        raise ConfigError("Spark 引擎目前只支持育龄妇女登记册 (the Spark engine runs the register profile only)")
    blockers = tuple(getattr(profile, "blockers", None) or _default_blockers())
    fitted = load_model(model, profile)
    threshold = float(getattr(fitted, "threshold_", 0.5)) if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold {threshold} is not a probability between 0 and 1")
    review = min(DEFAULT_REVIEW_THRESHOLD, threshold) if review_threshold is None else float(review_threshold)
    spark = spark or spark_session(master)

    report.stage("reading the register (Spark)")
    raw, columns = _read(spark, register)
    report.stage("normalising (Spark)")
    norm, flags, dtypes = _normalise(raw, columns)
    norm = norm.persist()
    n = norm.count()
    report.stage(f"blocking {n:,} records (Spark)")
    key_columns = [c for c in norm.columns if c != ROW]
    pairs = _candidate_pairs(_key_entries(norm, blockers, key_columns, dtypes), blockers)
    report.stage("scoring candidate pairs (Spark)")
    scored = _scored(pairs, norm, profile, fitted, blockers, dtypes, review)
    judged = load_judged(judged)
    if len(judged.same):
        scored = _bind_judged(scored, norm, judged)
    scored = scored.persist()
    candidates = scored.count()
    report.stage("clustering (Spark)")
    grouped, splits = _clusters(norm, scored, threshold, judged.apart(profile.keep_apart), dtypes)
    report.stage("gathering the tables")
    clusters = _cluster_table(norm, grouped)
    result_pairs = _pair_table(scored, norm, review, threshold)
    decisions = notices = verification = pd.DataFrame()
    if decide and profile.managing_units:
        decisions, notices, verification = _decide(raw, norm, grouped, scored, columns, dtypes, district,
                                                   as_of_date(as_of), rules, report)
    flag_table = flags.orderBy(ROW).toPandas()
    flag_table = pd.DataFrame({"record_id": flag_table["record_id"], "field": flag_table["flag_field"],
                               "value": flag_table["flag_value"], "reason": flag_table["flag_reason"],
                               "message": flag_table["flag_message"]}, columns=FLAG_COLUMNS)
    split_table = splits.toPandas()
    blocks, records_over = (int(v) for v in spark.conf.get("linkage.oversized").split(","))
    counts = {"candidate_pairs": candidates, "oversized_blocks": blocks, "records_in_oversized_blocks": records_over,
              "matched_pairs": scored.where(F.col("probability") >= threshold).count()}
    report.done()
    when = as_of_date(as_of)
    options = {"threshold": threshold, "review_threshold": review, "district": district, "as_of": f"{when:%Y-%m-%d}",
               "decide": decide, "rules": rules, "judged": judged, "profile": profile.name}
    return SparkDedupeResult(clusters, result_pairs, decisions, notices, verification, split_table, flag_table,
                             scored, norm, counts, timings=report.timings, raw=raw, grouped=grouped, columns=columns,
                             norm_columns=_norm_columns(columns), dtypes=dtypes, model=fitted, profile=profile,
                             threshold=threshold, review_threshold=review, district=district, as_of=when,
                             options=options)


def _default_blockers() -> tuple:
    from blocking.register import DEFAULT_BLOCKERS

    return DEFAULT_BLOCKERS


def _cluster_table(norm: Any, grouped: Any) -> pd.DataFrame:
    """clusters.csv: every record once, in register order; a record alone is ``C-<record_id>``."""
    from pyspark.sql import functions as F

    table = norm.select(ROW, "record_id").join(grouped, ROW, "left").withColumn(
        "cluster_id", F.coalesce("cluster_id", F.concat(F.lit("C-"), F.col("record_id"))))
    sizes = table.groupBy("cluster_id").agg(F.count("*").alias("cluster_size"))
    frame = table.join(sizes, "cluster_id").orderBy(ROW).select("record_id", "cluster_id", "cluster_size").toPandas()
    frame["cluster_size"] = frame["cluster_size"].astype(np.int64)
    # the order ``resolve.clusters.Clustering.table`` gives: by cluster_id, then record_id
    ids = frame["cluster_id"].to_numpy(dtype=object)
    records = frame["record_id"].astype(str).to_numpy(dtype=object)
    order = np.lexsort((pd.factorize(records, sort=True)[0], pd.factorize(ids, sort=True)[0]))
    return frame.iloc[order].reset_index(drop=True)


def _pair_table(scored: Any, norm: Any, review: float, threshold: float) -> pd.DataFrame:
    """pairs.csv: pairs at or above the review threshold, strongest first (ties in pair order)."""
    from pyspark.sql import functions as F

    shown = scored.where(F.col("probability") >= review)
    who = norm.select(ROW, "record_id", "name", "unit_code")
    left = who.select(F.col(ROW).alias("i"), *[F.col(c).alias(f"{c}_l") for c in ("record_id", "name", "unit_code")])
    right = who.select(F.col(ROW).alias("j"), *[F.col(c).alias(f"{c}_r") for c in ("record_id", "name", "unit_code")])
    frame = shown.join(left, "i").join(right, "j").toPandas()
    frame = frame.sort_values(["i", "j"]).sort_values("probability", ascending=False, kind="stable")
    frame["match"] = frame["probability"] >= threshold
    frame["probability"] = np.round(frame["probability"].to_numpy(dtype=np.float64), 4)
    return ordered_pairs(frame[PAIR_COLUMNS].reset_index(drop=True))  # the local pairs.csv's orientation and order


def _decide(raw: Any, norm: Any, grouped: Any, scored: Any, columns: list[str], dtypes: dict[str, np.dtype],
            district: str | None, as_of: pd.Timestamp, rules: Any, report: Progress
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Decisions, notices and verification from ``resolve`` over the records of the clusters of
    two or more (a record alone is in no decision), gathered on the driver."""
    from pyspark.sql import functions as F

    if isinstance(rules, (str, os.PathLike)):
        rules = resolve.load_rules(rules)
    report.stage("deciding managing units")
    sub = norm.join(grouped, ROW).orderBy(ROW).toPandas()
    rows = sub[ROW].to_numpy(dtype=np.int64)
    cluster_ids = sub["cluster_id"].to_numpy(dtype=object)
    sub_norm = as_engine_frame(sub.drop(columns=[ROW, "cluster_id"]), dtypes)
    sub_raw = raw.join(grouped.select(ROW), ROW).orderBy(ROW).toPandas()
    sub_raw = sub_raw[columns].astype(object).where(sub_raw[columns].notna(), "").reset_index(drop=True)
    decisions = resolve.decide(sub_norm, cluster_ids, as_of=as_of, rules=rules)
    report.stage("drafting notices")
    inside = scored.join(grouped.select(F.col(ROW).alias("i")), "i").join(grouped.select(F.col(ROW).alias("j")), "j")
    links = inside.toPandas().sort_values(["i", "j"])
    pairs = np.c_[np.searchsorted(rows, links["i"].to_numpy()), np.searchsorted(rows, links["j"].to_numpy())]
    drafted = resolve.draft_notices(decisions, sub_norm, cluster_ids, pairs.astype(np.int64),
                                    links["probability"].to_numpy(dtype=np.float64),
                                    links["reasons"].astype(object).where(links["reasons"].notna(), "").to_numpy(),
                                    district=district, as_of=as_of, raw=sub_raw)
    return decisions, drafted.notices, drafted.verification


__all__ = ["SparkDedupeResult", "dedupe"]
