"""Phones, addresses, administrative codes, sex and other small fields.

Each normaliser works on a whole column: the distinct values are transformed
(``linkage.normalize.distinct.distinct_map``) and gathered back by index.

>>> list(normalize_phones(["+86 138-0013-8000", "0571-8888 6666", "0"]))
['13800138000', '057188886666', '']
>>> list(normalize_addresses([" 浙江省 杭州市西湖区文三路 １２号 "]))
['浙江省杭州市西湖区文三路12号']
>>> list(normalize_codes(["330106001 ", "33-01-06", 330106001.0]))
['330106001', '330106', '330106001']
>>> list(normalize_sexes(["女", "1", "?", None]))
['F', 'M', '', '']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .distinct import distinct_map

_SEX = {"女": "F", "2": "F", "f": "F", "female": "F", "女性": "F",
        "男": "M", "1": "M", "m": "M", "male": "M", "男性": "M"}
_NON_DIGITS = re.compile(r"\D+")


def _phone(text: str) -> str:
    digits = text if text.isdecimal() else _NON_DIGITS.sub("", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return "" if len(digits) < 7 or digits.count(digits[0]) == len(digits) else digits


def _phones(texts: pd.Series) -> pd.Series:
    return pd.Series([_phone(text) for text in texts.to_numpy(dtype=object)], index=texts.index, dtype=object)


def _codes(texts: pd.Series) -> pd.Series:
    return texts.str.replace(r"\.0$", "", regex=True).str.replace(r"\D+", "", regex=True)


def _addresses(texts: pd.Series) -> pd.Series:
    # str.split() splits on exactly the characters regex \s matches (Py_UNICODE_ISSPACE)
    return pd.Series(["".join(text.split()) for text in texts.to_numpy(dtype=object)], index=texts.index, dtype=object)


def _sexes(texts: pd.Series) -> pd.Series:
    return texts.str.lower().map(_SEX).fillna("")


def normalize_phones(values) -> np.ndarray:
    """Digits only, country code dropped; '' for blanks and numbers too short to be a phone."""
    return distinct_map(values, _phones)


def normalize_codes(values) -> np.ndarray:
    """Administrative codes as digits only ('' if none)."""
    return distinct_map(values, _codes)


def normalize_addresses(values) -> np.ndarray:
    """NFKC, no white space."""
    return distinct_map(values, _addresses)


def normalize_sexes(values) -> np.ndarray:
    """'F', 'M' or '' for 男/女/1/2/M/F and blanks."""
    return distinct_map(values, _sexes)


def normalize_texts(values) -> np.ndarray:
    """Trimmed NFKC text."""
    return distinct_map(values, lambda texts: texts)
