"""Phones, addresses, administrative codes, sex and other small fields.

Each normaliser works on a whole column: the distinct values are transformed with pandas'
vectorised string methods and gathered back by index.

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

import itertools
import re
import unicodedata
from typing import Callable

import numpy as np
import pandas as pd

_SEX = {"女": "F", "2": "F", "f": "F", "female": "F", "女性": "F",
        "男": "M", "1": "M", "m": "M", "male": "M", "男性": "M"}
_BLANKS = {"nan", "none", "null", "nat"}


def distinct_map(values: pd.Series | list | np.ndarray, transform: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """Apply a vectorised ``transform`` (Series of str -> Series) to the distinct values of a
    column and gather the results back.  Blank-like values (None, NaN, 'nan') arrive as ''.
    Returns object (n,)."""
    series = pd.Series(values, dtype=object)
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    texts = text_series(pd.Series(distinct, dtype=object))
    mapped = np.append(transform(texts).to_numpy(dtype=object), "")
    return mapped[codes]  # code -1 (missing) picks the trailing ''


def _text(value: object) -> str:
    """One value of ``text_series``; ASCII is already NFKC, so only other text is normalised."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = value if type(value) is str else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.strip()
    return "" if len(text) < 5 and text.lower() in _BLANKS else text


_BLANK_CASINGS = frozenset(
    "".join(letters) for word in _BLANKS for letters in itertools.product(*((c, c.upper()) for c in word))
)
"""Every casing of the blank-likes: ``t in _BLANK_CASINGS`` is ``t.lower() in _BLANKS`` for NFKC
text (the only non-ASCII character that lower-cases to ASCII, the Kelvin sign, NFKC makes 'K')."""


def text_series(values: pd.Series) -> pd.Series:
    """str, NFKC (full-width digits and letters to half-width), trimmed; blank-likes to ''.
    Two passes of list comprehensions over (n,) values: object Series of shape (n,)."""
    nfkc = unicodedata.normalize
    texts = [(value if value.isascii() else nfkc("NFKC", value)).strip() if type(value) is str else _text(value)
             for value in values.to_numpy(dtype=object)]
    return pd.Series(["" if text in _BLANK_CASINGS else text for text in texts], index=values.index, dtype=object)


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


def per_distinct(values: pd.Series | list | np.ndarray, function: Callable[[object], object]) -> np.ndarray:
    """Apply a scalar ``function`` once per distinct value of a column (for parsers with no
    vectorised form); object array of shape (n,)."""
    series = pd.Series(values, dtype=object)
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    mapped = np.array([function(value) for value in distinct] + [""], dtype=object)[:-1]
    return mapped[codes]
