"""Between pandas frames and Spark schemas: the normalised register's columns as Spark types,
and batches coming back from Arrow with the dtypes every stage reads (object text, datetime64[ns])."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def spark_type(dtype: np.dtype) -> Any:
    """The Spark type of a pandas column dtype: text, timestamps (without zone), floats, ints, bools."""
    from pyspark.sql import types as T

    if pd.api.types.is_datetime64_any_dtype(dtype):
        return T.TimestampNTZType()
    if pd.api.types.is_bool_dtype(dtype):
        return T.BooleanType()
    if pd.api.types.is_integer_dtype(dtype):
        return T.LongType()
    if pd.api.types.is_float_dtype(dtype):
        return T.DoubleType()
    return T.StringType()


def schema_of(frame: pd.DataFrame, extra: dict[str, Any] | None = None) -> Any:
    """A StructType of ``frame``'s columns (their Spark types), then ``extra`` (name -> type)."""
    from pyspark.sql import types as T

    fields = [T.StructField(str(name), spark_type(frame[name].dtype), True) for name in frame.columns]
    fields += [T.StructField(name, kind, True) for name, kind in (extra or {}).items()]
    return T.StructType(fields)


def as_engine_frame(frame: pd.DataFrame, like: dict[str, np.dtype]) -> pd.DataFrame:
    """``frame`` (a batch from Arrow) with the dtypes of the local engine's frame (``like``:
    column -> dtype): text as object with '' for null, dates as datetime64[ns], in place; returns it."""
    for column, dtype in like.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(dtype):
            frame[column] = pd.to_datetime(values).astype("datetime64[ns]")
        elif dtype == object:
            frame[column] = values.astype(object).where(values.notna(), "")
        elif pd.api.types.is_bool_dtype(dtype):
            frame[column] = values.fillna(False).astype(bool)
        elif pd.api.types.is_float_dtype(dtype):
            frame[column] = values.astype(np.float64)
    return frame


def prefixed(frame: pd.DataFrame, prefix: str, columns: list[str]) -> pd.DataFrame:
    """The columns ``prefix + c`` of ``frame`` as a frame with the names ``c``, RangeIndex."""
    part = frame[[prefix + c for c in columns]]
    part.columns = columns
    return part.reset_index(drop=True)


def to_arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with pandas 3's string columns (Arrow-backed ``str``) as object, which pyspark's
    pandas-to-Arrow conversion takes (it does not take their chunked arrays); in place, returns it."""
    for column in frame.columns:
        dtype = frame[column].dtype
        if dtype != object and pd.api.types.is_string_dtype(dtype):
            frame[column] = frame[column].astype(object)
    return frame
