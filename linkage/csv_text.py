"""A frame rendered as CSV bytes by Arrow's string kernels, byte for byte as pandas writes it.

``pandas.DataFrame.to_csv`` formats every cell in Python (3 s for the 250,000-record run's
tables); here each column becomes one Arrow string array (numbers as numpy prints them, which
is what pandas writes; ``True``/``False``; a missing value blank), the values that hold the
delimiter, a quote or a line break are quoted with their quotes doubled (Python's
``csv.QUOTE_MINIMAL``, which pandas uses), the columns are joined per row and the rows are one
buffer; a column of objects that are not all text prints each distinct value by ``str()``, as
Python's csv writer does.  A column of another kind (dates, categories, nullable integers) is
formatted by pandas itself (the whole frame): the same text either way.

>>> frame = pd.DataFrame({"a": ["x", "y,z", None], "p": [1.0, float("nan"), 0.25], "m": [True, False, True]})
>>> csv_bytes(frame, eol="\\n").decode()
'a,p,m\\nx,1.0,True\\n"y,z",,False\\n,0.25,True\\n'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NEEDS_QUOTES = '[,"\r\n]'
"""A value holding one of these is quoted (QUOTE_MINIMAL with a comma and a CR LF line end)."""
_SPECIAL = (b",", b'"', b"\r", b"\n")
_EMPTY = pa.scalar("", type=pa.large_string())


def csv_bytes(frame: pd.DataFrame, *, eol: str = "\r\n") -> bytes:
    """The CSV text of ``frame`` (header row, no index), UTF-8 without BOM; ``eol`` ends every row."""
    texts = [_column_texts(frame.iloc[:, k]) for k in range(frame.shape[1])]
    if any(t is None for t in texts):  # a column of a kind pandas formats its own way: pandas writes it all
        return frame.to_csv(index=False, lineterminator=eol).encode("utf-8")
    header = pa.array([",".join(_quoted_texts([str(c) for c in frame.columns]))], type=pa.large_string())
    if not len(frame):
        return (header[0].as_py() + eol).encode("utf-8")
    columns = [_quoted(t) for t in texts]
    if not columns:
        rows = pa.array([""] * len(frame), type=pa.large_string())
    else:
        rows = pc.binary_join_element_wise(*columns, pa.scalar(",", type=pa.large_string()))
    rows = pc.binary_join_element_wise(rows, pa.scalar(eol, type=pa.large_string()), _EMPTY)
    return (header[0].as_py() + eol).encode("utf-8") + _concatenated(rows)


def _column_texts(values: pd.Series) -> pa.Array | None:
    """One column's cells as pandas' to_csv prints them: a large_string array without nulls, or
    None for a column of another kind (pandas formats it)."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        texts = np.where(values.to_numpy(dtype=bool), "True", "False").astype(object)
        return pa.array(texts, type=pa.large_string())
    if pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):
        return pc.cast(pa.array(values.to_numpy()), pa.large_string())
    if pd.api.types.is_float_dtype(dtype) and isinstance(dtype, np.dtype):
        numbers = values.to_numpy()
        texts = numbers.astype(str).astype(object)
        texts[np.isnan(numbers)] = ""
        return pa.array(texts, type=pa.large_string())
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        raw = values.to_numpy(dtype=object)
        try:
            array = pa.array(raw, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):  # numbers, dates, surrogates among the texts
            array = None
        if array is not None:
            return pc.fill_null(array, "")
        if dtype == object:  # numbers among texts: each value as str(), as Python's csv writer prints it
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            if len({type(v) for v in uniques if not isinstance(v, str)}) > 1:  # 1, 1.0 and True hash alike
                shown = np.array([str(v) for v in raw] + [""], dtype=object)
                codes = np.where(pd.isna(raw), len(raw), np.arange(len(raw)))
            else:
                shown = np.array([str(v) for v in uniques] + [""], dtype=object)
            return pa.array(shown[codes], type=pa.large_string())
    return None


def _quoted(texts: pa.Array) -> pa.Array:
    """``texts`` with each value that needs it in quotes, its own quotes doubled."""
    data = texts.buffers()[2]
    raw = b"" if data is None else data.to_pybytes()
    if not any(special in raw for special in _SPECIAL):  # most columns: nothing to quote (a C search per byte)
        return texts
    needs = pc.match_substring_regex(texts, _NEEDS_QUOTES)
    mark = pa.scalar('"', type=pa.large_string())
    quoted = pc.binary_join_element_wise(mark, pc.replace_substring(texts, '"', '""'), mark, _EMPTY)
    return pc.if_else(needs, quoted, texts)


def _quoted_texts(texts: list[str]) -> list[str]:
    return [f'"{t.replace(chr(34), chr(34) * 2)}"' if any(c in t for c in ',"\r\n') else t for t in texts]


def _concatenated(rows: pa.Array) -> bytes:
    """The values of a large_string array without nulls, one after the other (its data buffer)."""
    rows = pa.concat_arrays([rows]) if rows.offset else rows
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64, count=len(rows) + 1, offset=0)
    data = rows.buffers()[2]
    if data is None:
        return b""
    return data.to_pybytes()[offsets[0]:offsets[-1]]
