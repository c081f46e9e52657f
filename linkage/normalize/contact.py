"""Phones, addresses, administrative codes, sex and other small fields.

>>> normalize_phone("+86 138-0013-8000"), normalize_phone("0571-8888 6666"), normalize_phone("0")
('13800138000', '057188886666', '')
>>> normalize_address(" 浙江省 杭州市西湖区文三路 １２号 ")
'浙江省杭州市西湖区文三路12号'
>>> normalize_code("330106001 "), normalize_code("33-01-06")
('330106001', '330106')
>>> normalize_sex("女"), normalize_sex("1"), normalize_sex("?")
('F', 'M', '')
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_NON_DIGIT = re.compile(r"\D+")
_SPACE = re.compile(r"[\s\u3000]+")
_SEX = {"女": "F", "2": "F", "f": "F", "female": "F", "女性": "F",
        "男": "M", "1": "M", "m": "M", "male": "M", "男性": "M"}


def _text(raw: object) -> str:
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    return "" if text.lower() in {"nan", "none", "null"} else text


def normalize_phone(raw: object) -> str:
    """Digits only, country code dropped; '' for blanks and numbers too short to be a phone."""
    digits = _NON_DIGIT.sub("", _text(raw))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7 or len(set(digits)) == 1:
        return ""
    return digits


def normalize_address(raw: object) -> str:
    """NFKC (full-width digits and letters to half-width), no white space."""
    return _SPACE.sub("", _text(raw))


def normalize_code(raw: object) -> str:
    """An administrative code as digits only ('' if it has none)."""
    text = _text(raw)
    if text.endswith(".0"):
        text = text[:-2]
    return _NON_DIGIT.sub("", text)


def normalize_sex(raw: object) -> str:
    """'F', 'M' or '' for 男/女/1/2/M/F and blanks."""
    return _SEX.get(_text(raw).lower(), "")


def normalize_text(raw: object) -> str:
    """Trimmed NFKC text."""
    return _text(raw)


def per_distinct(values: pd.Series | list, function) -> np.ndarray:
    """Apply a scalar ``function`` once per distinct value of a column; object array of shape (n,)."""
    series = pd.Series(values, dtype=object)
    codes, distinct = pd.factorize(series, use_na_sentinel=False)
    mapped = np.array([function(value) for value in distinct] + [""], dtype=object)[:-1]
    return mapped[codes]
