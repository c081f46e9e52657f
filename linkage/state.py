"""``OUT/state/``: what a later ``linkage update`` needs of a run, columnar (parquet), versioned.

Files (row positions ``row`` index records.parquet):

- ``state.json``: format name and STATE_VERSION, engine version, the run's number (1 for a
  ``dedupe``, +1 per update), its options (thresholds, district, as-of, decide) and the match model
  itself (so an update scores as the run did);
- ``records.parquet``: every record's normalised columns with its term frequencies
  (``count_<field>``, ``linkage.normalize.frequency``) and its cluster_id; ``raw.parquet``: the
  conformed input, row-aligned (an update compares it with the new export to find the records
  that changed; notices quote it);
- ``blocks.parquet``: every record's blocking keys (``blocking.block_keys``: one int64 column per
  key, ``<name>#<slot>`` for a key a record holds in several columns, -1 for none), but for the
  keys that are digits of her ID number, derived again on reading (``blocking.stored_keys`` /
  ``complete_keys``: 60% of the keys' bytes, well under a second's work at 250k): an update
  forms again only the blocks its new, changed or departed records hold (``blocking.update``);
- ``pairs.parquet``: every candidate pair scored (l, r, probability, reasons — reasons for the
  pairs at or above the review threshold): an update reuses the scores of unchanged records;
- ``clusters.parquet``: each cluster of two or more (cluster_id, anchor_record_id, born: the run
  that named it) and ``retired_ids.parquet``: ids that once named a cluster and no longer do;
- ``decisions.parquet``, ``verification.parquet``: the run's managing-unit outcome per cluster;
  ``notices.parquet``: every notice sent so far (an update sends none of them again);
  ``flags.parquet``: the bad values found; ``rules.json``: the caliber the run decided under;
  ``judged.parquet``: the pairs a clerk judged (``resolve.judged``), binding every later run.

The Spark engine (``linkage.spark.outputs``) writes records, raw and pairs as folders of parquet
parts in row order (read back as one table each), the rest through ``write_state_rest``.

Text columns are stored as Arrow strings with zstd compression, those whose texts repeat
(``texts_repeat``) dictionary-encoded as Arrow holds them, so they are written and read back as
their distinct texts; the state of a million records takes about 310 MB (see README, Monthly runs).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import ConfigError

STATE_FORMAT = "wis-linkage-state"
STATE_VERSION = 1
"""Bumped whenever a file's columns or meaning change; an update refuses another version."""
COMPRESSION = "zstd"
ECHOES = {"id_full": "id_number", "id_digits": "id_number"}
"""Normalised text columns that nearly always equal another (an 18-digit number is its own full
form and digits): records.parquet holds them null where they do, state.json names them, and reading
fills them back (``read_frame``'s ``echoes``).  17 MB of a 1.2M-record state."""


@dataclass
class Lineage:
    """What an update carries from run to run: run number (int), clusters' meta
    (``resolve.stable_ids.CLUSTER_META_COLUMNS``), retired ids (set of str), and every notice sent
    so far (``resolve.notices.NOTICE_COLUMNS``)."""

    run: int
    meta: pd.DataFrame
    retired: set[str]
    sent: pd.DataFrame
    row_hashes: np.ndarray | None = None
    """uint64 (n,): ``row_hashes`` of the register's rows when already known (an update carries
    them over instead of hashing the whole register again)."""


@dataclass
class State:
    """A state folder read back.  raw (n, k, Arrow-backed text: ``.astype(object)`` the rows you
    need) and norm (n, m) row-aligned; cluster_ids object (n,);
    pairs int64 (p, 2) row positions, probabilities float64 (p,), reasons object (p,)."""

    path: Path
    info: dict[str, Any]
    raw: pd.DataFrame
    norm: pd.DataFrame
    cluster_ids: np.ndarray
    pairs: np.ndarray
    probabilities: np.ndarray
    reasons: np.ndarray
    lineage: Lineage
    decisions: pd.DataFrame
    verification: pd.DataFrame
    flags: pd.DataFrame
    rules: Any = None
    row_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    """uint64 (n,): ``row_hashes`` of the conformed rows."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Optional parts: 'judged' (the clerk's judged pairs, ``resolve.judged.JUDGED_COLUMNS``)."""
    block_keys: dict[str, np.ndarray] | None = None
    """The blocking keys of the rows (``blocking.block_keys``); None for a state without them."""

    @property
    def options(self) -> dict[str, Any]:
        return self.info.get("options", {})


def _engine_version() -> str:
    try:
        from importlib.metadata import version

        return version("wis-linkage")
    except Exception:  # an uninstalled checkout
        return "unknown"


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table: object columns as strings (blank where None), others as they are."""
    arrays, names = [], []
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.ArrowDtype) or (  # read back from a state, or pandas 3's str: as it is
                isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
            array = values.array.__arrow_array__()
            array = array.cast(pa.string()) if pa.types.is_large_string(array.type) else array
            arrays.append(_text_array(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array)
                          if pa.types.is_string(array.type) else array)
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            texts = values.to_numpy(dtype=object)
            try:
                arrays.append(_text_array(texts))
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers among the texts: keep them as text
                arrays.append(pa.array(pd.Series(texts, dtype=object).map(
                    lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).to_numpy(),
                    type=pa.string()))
        else:
            arrays.append(pa.array(values.to_numpy(), from_pandas=True))
        names.append(str(column))
    return pa.Table.from_arrays(arrays, names=names)


def _text_array(texts: np.ndarray | pa.Array) -> pa.Array:
    """A text column as the state stores it: object (n,) texts (None / NaN blank) or an Arrow string
    array (pandas 3's str).  A column whose texts repeat (``texts_repeat``) dictionary-encoded (an
    object one by hashing its Python strings, each of which caches its hash), so parquet writes its
    dictionary pages as they are and a reader gets the distinct texts back without hashing the rows
    again; any other as plain strings."""
    if isinstance(texts, pa.Array):
        return texts.dictionary_encode() if texts_repeat(texts.slice(0, SAMPLE_ROWS)) else texts
    if not texts_repeat(texts[:SAMPLE_ROWS]):
        return pa.array(texts, type=pa.string(), from_pandas=True)
    codes, distinct = pd.factorize(texts)  # None / NaN: -1, a null row
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0),
                                          pa.array(np.asarray(distinct, dtype=object), type=pa.string()))


def texts_repeat(sample: Any) -> bool:
    """Whether a text column's ``sample`` (its first SAMPLE_ROWS, object array or Arrow) holds
    fewer distinct texts than half its rows: codes, statuses, units, not ids, names or addresses.
    The one test for which columns the state keeps as distinct texts (written and read)."""
    if isinstance(sample, (pa.Array, pa.ChunkedArray)):
        distinct = pc.count_distinct(sample, mode="all").as_py()
    else:
        distinct = len(pd.unique(np.asarray(sample, dtype=object)))
    return len(sample) > 0 and distinct * 2 <= len(sample)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as a parquet file (``frame_parquet``)."""
    put_files({path.name: frame_parquet(frame)}, path.parent)


def frame_parquet(frame: pd.DataFrame) -> pa.Buffer:
    """``frame`` as parquet bytes (``_arrow_table``), zstd, without column statistics (nothing here
    filters on them; they cost a fifth of the writing)."""
    return _parquet(_arrow_table(frame), write_statistics=False)


def read_arrow_frame(path: Path) -> pd.DataFrame:
    """A parquet file as pandas over Arrow memory (``pd.ArrowDtype`` columns): no Python object per
    cell, for a table read mostly to be written again (the state's raw input)."""
    return pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)


def read_frame(path: Path, echoes: dict[str, str] | None = None) -> pd.DataFrame:
    """A parquet file as pandas with text columns as object arrays (what every stage reads, under
    pandas 2 and 3 alike); a null text is ''.  echoes: {column: source} written null where equal to
    ``source`` (``ECHOES``), filled back from it first."""
    table = pq.read_table(path)
    def plain(name: str) -> pa.ChunkedArray:
        column = table.column(name)
        return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column

    for name, source in (echoes or {}).items():
        if name in table.column_names and source in table.column_names:
            table = table.set_column(table.column_names.index(name), name, pc.coalesce(plain(name), plain(source)))
    frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or (
                pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type)):
            frame[name] = pd.Series(_shared_texts(column), index=frame.index, dtype=object, copy=False)
        elif pa.types.is_timestamp(column.type) and column.type.unit != "ns":  # Spark writes microseconds
            frame[name] = column.cast(pa.timestamp("ns", column.type.tz)).to_pandas()
        else:
            frame[name] = column.to_pandas()
    return frame


SAMPLE_ROWS = 20_000
"""Rows of a text column looked at to tell whether its texts repeat (``_shared_texts``)."""


def _shared_texts(column: pa.ChunkedArray) -> np.ndarray:
    """object (n,): the column's texts ('' for null).  A column whose texts repeat (codes, statuses,
    units: fewer distinct texts than half its first ``SAMPLE_ROWS``) gets one Python string per
    distinct text shared by the rows that hold it, as normalising made them (not one per row: a
    million-record register's codes would otherwise cost a string object each); a column of mostly
    distinct texts (ids, addresses) is converted as it is, without hashing it first."""
    if pa.types.is_dictionary(column.type):  # written so (``_text_array``): its distinct texts are there
        parts = [_distinct_texts(chunk) for chunk in column.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    column = column.fill_null("")
    if not texts_repeat(column.slice(0, SAMPLE_ROWS)):
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    return _distinct_texts(column.combine_chunks().dictionary_encode())


def _distinct_texts(encoded: pa.DictionaryArray) -> np.ndarray:
    """object (n,): the rows of a dictionary array as its distinct Python strings ('' for null)."""
    distinct = np.append(np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object), "")
    distinct[:-1][pd.isna(distinct[:-1])] = ""
    indices = encoded.indices.fill_null(len(distinct) - 1) if encoded.null_count else encoded.indices
    return distinct[indices.to_numpy(zero_copy_only=False)]


def row_hashes(raw: pd.DataFrame) -> np.ndarray:
    """uint64 (n,): a hash of each conformed row's fields in column order (the record as the unit
    typed it): an update compares it with the new export's to find the records that changed.
    ``pandas.util.hash_pandas_object(raw.astype(object), index=False)`` value for value (so a state
    written before keeps its meaning), its columns hashed per distinct text (``_column_hashes``)."""
    out = np.full(len(raw), 0x345678, dtype=np.uint64)  # pandas' combine_hash_arrays (CPython's tuple hash)
    mult, count = np.uint64(1000003), len(raw.columns)
    with np.errstate(over="ignore"):
        for i, column in enumerate(raw.columns):
            out ^= _column_hashes(raw[column])
            out *= mult
            mult += np.uint64(82520 + 2 * (count - i))
    return out + np.uint64(97531)


def _column_hashes(values: pd.Series) -> np.ndarray:
    """uint64 (n,): ``pandas.util.hash_array`` of the column as objects.  A column held by Arrow
    (pandas 3's str, a state's raw) without nulls is dictionary-encoded by Arrow and only its
    distinct texts hashed; any other as pandas does it."""
    try:
        arrow = pa.chunked_array(values.array.__arrow_array__()) if hasattr(values.array, "__arrow_array__") else None
    except (TypeError, pa.ArrowException):
        arrow = None
    if arrow is not None and arrow.null_count == 0 and (pa.types.is_string(arrow.type) or
                                                        pa.types.is_large_string(arrow.type)):
        encoded = arrow.combine_chunks().dictionary_encode() if arrow.num_chunks != 1 else \
            arrow.chunk(0).dictionary_encode()
        distinct = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
        hashed = pd.util.hash_array(distinct, categorize=False)
        return hashed[encoded.indices.to_numpy(zero_copy_only=False)] if len(hashed) else \
            np.zeros(len(values), dtype=np.uint64)
    return pd.util.hash_array(values.to_numpy(dtype=object), categorize=True)


def block_keys_table(keys: dict[str, np.ndarray]) -> pa.Table:
    """``blocks.parquet``'s table: one int64 column per key (``<name>#<slot>`` per column of a 2-d key);
    written without a dictionary page (63-bit hashes: one only costs time, 2x, and 10% in size)."""
    arrays, names = [], []
    for name, values in keys.items():
        if values.ndim == 2:
            for slot in range(values.shape[1]):
                arrays.append(pa.array(np.ascontiguousarray(values[:, slot])))
                names.append(f"{name}#{slot}")
        else:
            arrays.append(pa.array(values))
            names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def read_block_keys(path: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(path)
    slots: dict[str, list[np.ndarray]] = {}
    for name, column in zip(table.column_names, table.columns):
        base = name.rsplit("#", 1)[0] if "#" in name else name
        slots.setdefault(base, []).append(column.to_numpy())
    return {name: (parts[0] if len(parts) == 1 and name in table.column_names else np.stack(parts, axis=1))
            for name, parts in slots.items()}


HEAVY_FILES = ("records.parquet", "raw.parquet", "blocks.parquet", "pairs.parquet")
"""The state's files that grow with the register: encoded ahead, in a second process, by ``begin_state``."""


def write_state(result: Any, folder: str | os.PathLike, *, heavy: bool = True) -> Path:
    """Write the state of ``result`` (a ``linkage.pipeline.DedupeResult``) into ``folder`` (created);
    returns the folder.  heavy=False leaves out ``HEAVY_FILES`` (written by the process
    ``begin_state`` started)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    records = result.records
    lineage = _lineage(result)
    if heavy:
        put_files(heavy_files(records, result.scored, result.cluster_ids, getattr(result, "block_keys", None),
                              register=options_profile(result) == "register", hashes=lineage.row_hashes), folder)
    return write_state_rest(folder, lineage, result, records=len(records), pairs=len(result.scored.pairs),
                            flags=records.flags, echoes=state_echoes(records.norm.columns))


def begin_state(records: Any, scored: Any, cluster_ids: np.ndarray, keys: dict[str, np.ndarray] | None, *,
                register: bool, hashes: np.ndarray | None = None) -> Any:
    """Encode ``heavy_files`` in a second process now (``linkage.parallel.begin_ahead``) while this
    one goes on (deciding the managing units); ``send(folder)`` on the handle writes them there and
    ``result()`` waits for it.  None where the machine cannot fork (``write_state`` then does it all)."""
    from .parallel import begin_ahead

    return begin_ahead(lambda: heavy_files(records, scored, cluster_ids, keys, register=register, hashes=hashes),
                       lambda files, folder: put_files(files, folder))


def _lineage(result: Any) -> Lineage:
    """The result's lineage, or a first run's (every cluster born in run 1)."""
    if result.lineage is not None:
        return result.lineage
    from resolve.stable_ids import first_ids

    return Lineage(run=1, meta=first_ids(result.records.norm["record_id"].to_numpy(),
                                         np.asarray(result.cluster_ids, dtype=object)),
                   retired=set(), sent=result.notices)


def state_echoes(columns: Any) -> dict[str, str]:
    """The ``ECHOES`` a register with these normalised columns is written with."""
    return {name: source for name, source in ECHOES.items() if name in columns and source in columns}


def heavy_files(records: Any, scored: Any, cluster_ids: np.ndarray, keys: dict[str, np.ndarray] | None, *,
                register: bool, hashes: np.ndarray | None = None) -> dict[str, pa.Buffer]:
    """``HEAVY_FILES`` as parquet bytes: records (normalised, with ``cluster_ids`` (n,) and the row
    hashes: ``hashes`` (n,) when known, else ``row_hashes`` of the raw rows), raw, the blocking
    ``keys`` (made again for a ``register`` run without them) and the scored pairs."""
    norm = records.norm.copy(deep=False)
    norm["cluster_id"] = np.asarray(cluster_ids, dtype=object)
    norm["_row_hash"] = hashes if hashes is not None else row_hashes(records.raw)
    echoes = state_echoes(norm.columns)
    sources = {source: norm[source].to_numpy(dtype=object) for source in set(echoes.values())}
    for name, source in echoes.items():
        values = norm[name].to_numpy(dtype=object)
        norm[name] = np.where(values == sources[source], None, values)
    files = {"records.parquet": frame_parquet(norm), "raw.parquet": frame_parquet(records.raw)}
    if keys is None and register:
        from blocking import block_keys

        keys = block_keys(records.norm)
    if keys is not None:
        from blocking import stored_keys

        files["blocks.parquet"] = _parquet(block_keys_table(stored_keys(keys)), use_dictionary=False)
    pairs = np.asarray(scored.pairs, dtype=np.int64).reshape(-1, 2)
    files["pairs.parquet"] = frame_parquet(pd.DataFrame({
        "l": pairs[:, 0].astype(np.int32), "r": pairs[:, 1].astype(np.int32), "probability": scored.probabilities,
        "reasons": np.asarray(scored.reasons, dtype=object)}))
    return files


def _parquet(table: pa.Table, **options: Any) -> pa.Buffer:
    """``table`` as the bytes of a zstd parquet file."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=COMPRESSION, **options)
    return sink.getvalue()


def put_files(files: dict[str, pa.Buffer], folder: str | os.PathLike) -> list[Path]:
    """Each file's bytes into ``folder`` (created); the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        with open(folder / name, "wb") as sink:
            sink.write(memoryview(data))
        paths.append(folder / name)
    return paths


def write_state_rest(folder: Path, lineage: Lineage, result: Any, *, records: int, pairs: int,
                     flags: pd.DataFrame, echoes: dict[str, str] | None = None) -> Path:
    """The state's small files beside records / raw / pairs (written by the caller, as files or, from
    Spark, as folders of parquet parts): clusters' meta, retired ids, decisions, verification,
    notices sent, ``flags``, judged pairs, rules and state.json (``result``: its decisions,
    verification, options and model; ``records`` / ``pairs``: the counts state.json names; ``echoes``:
    the ``ECHOES`` records.parquet was written with)."""
    write_frame(lineage.meta, folder / "clusters.parquet")
    write_frame(pd.DataFrame({"cluster_id": sorted(lineage.retired)}, dtype=object), folder / "retired_ids.parquet")
    for name, frame in (("decisions", result.decisions), ("verification", result.verification),
                        ("notices", lineage.sent), ("flags", flags)):
        write_frame(frame, folder / f"{name}.parquet")
    options = dict(result.options)
    judged = options.pop("judged", None)
    if judged is not None and len(judged):
        write_frame(judged.table(), folder / "judged.parquet")
    rules = options.pop("rules", None)
    if rules is not None:
        import resolve

        resolve.save_rules(resolve.load_rules(rules) if isinstance(rules, (str, os.PathLike)) else rules,
                           folder / "rules.json")
    model = result.model.to_dict() if hasattr(result.model, "to_dict") else None
    info = {"format": STATE_FORMAT, "version": STATE_VERSION, "engine": _engine_version(), "run": lineage.run,
            "written": datetime.now(timezone.utc).isoformat(timespec="seconds"), "records": int(records),
            "pairs": int(pairs), "echoes": dict(echoes or {}), "options": options, "model": model}
    (folder / "state.json").write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n",
                                       encoding="utf-8")
    return folder


def options_profile(result: Any) -> str | None:
    """The kind of register a result is of ('register' for the WIS register)."""
    profile = getattr(result, "profile", None)
    return getattr(profile, "name", None) or dict(getattr(result, "options", {}) or {}).get("profile")


def state_folder(out: str | os.PathLike) -> Path:
    """The state folder of a run folder ``out`` (or ``out`` itself when it is one)."""
    out = Path(out)
    return out if (out / "state.json").is_file() else out / "state"


def read_state(out: str | os.PathLike) -> State:
    """The state of the run folder ``out`` (``out/state``).  ConfigError, in Chinese first, when it
    is missing or of another version."""
    folder = state_folder(out)
    info_path = folder / "state.json"
    if not info_path.is_file():
        raise ConfigError(f"{out}: 没有找到运行状态(state/state.json);请用不带 --no-state 的 linkage dedupe 重新运行 "
                          f"(no run state here: run linkage dedupe without --no-state first)")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("format") != STATE_FORMAT or info.get("version") != STATE_VERSION:
        raise ConfigError(f"{info_path}: 运行状态版本为 {info.get('version')},本程序读取版本 {STATE_VERSION};请用本程序重新运行 "
                          f"linkage dedupe (state version {info.get('version')}, this engine reads {STATE_VERSION})")
    norm = read_frame(folder / "records.parquet", echoes=info.get("echoes"))
    cluster_ids = norm.pop("cluster_id").to_numpy(dtype=object)
    hashes = norm.pop("_row_hash").to_numpy()
    hashes = hashes.view(np.uint64) if hashes.dtype == np.int64 else hashes.astype(np.uint64)  # Spark has no uint64
    pairs = read_frame(folder / "pairs.parquet")
    retired = set(read_frame(folder / "retired_ids.parquet")["cluster_id"].tolist())
    meta = read_frame(folder / "clusters.parquet")
    extra = {}
    if (folder / "judged.parquet").is_file():
        extra["judged"] = read_frame(folder / "judged.parquet")
    rules = None
    if (folder / "rules.json").is_file():
        import resolve

        rules = resolve.load_rules(folder / "rules.json")
    return State(
        path=folder, info=info, raw=read_arrow_frame(folder / "raw.parquet"), norm=norm, cluster_ids=cluster_ids,
        pairs=np.c_[pairs["l"].to_numpy(dtype=np.int64), pairs["r"].to_numpy(dtype=np.int64)].reshape(-1, 2),
        probabilities=pairs["probability"].to_numpy(dtype=np.float64),
        reasons=pairs["reasons"].to_numpy(dtype=object),
        lineage=Lineage(run=int(info.get("run", 1)), meta=meta, retired=retired,
                        sent=read_frame(folder / "notices.parquet")),
        decisions=read_frame(folder / "decisions.parquet"), verification=read_frame(folder / "verification.parquet"),
        flags=read_frame(folder / "flags.parquet"), rules=rules, row_hashes=hashes, extra=extra,
        block_keys=_block_keys(folder / "blocks.parquet", norm))


def _block_keys(path: Path, norm: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """The register's blocking keys from ``blocks.parquet`` and the records (the keys it does not keep
    derived again, ``blocking.complete_keys``); None for a state without them."""
    if not path.is_file():
        return None
    from blocking import complete_keys

    return complete_keys(read_block_keys(path), norm)
