"""Household and marriage vocabularies: 户口性质, 户别 and 婚姻状况, in one place.

The couple caliber (``resolve`` presets) and the audit read these columns; both take their
canonical values from here.  A value a normaliser does not recognise becomes '' (and a flag
in ``linkage.prepare``), never a guess.

>>> normalize_hukou_natures(["1", "农业户口", " 非农 ", "居民", "3", "城镇", ""]).tolist()
['农业', '农业', '非农业', '居民', '居民', '', '']
>>> normalize_household_types(["集体户", "空挂", "家庭户口", "2"]).tolist()
['集体户', '空挂户', '家庭户', '']
"""

from __future__ import annotations

import numpy as np

from .distinct import distinct_map

HUKOU_NATURES = ("农业", "非农业", "居民")
"""户口性质 as written after normalisation (also typed 1 / 2 / 3)."""
HOUSEHOLD_TYPES = ("家庭户", "集体户", "空挂户")
"""户别 as written after normalisation."""

CURRENTLY_MARRIED = ("初婚", "再婚", "复婚", "已婚")
EVER_MARRIED = CURRENTLY_MARRIED + ("离婚", "丧偶")
UNMARRIED = ("未婚",)
MARITAL_STATUSES = UNMARRIED + EVER_MARRIED
"""The WIS marital statuses (SCHEMA.md); anything else is an unknown status."""

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "hukou_nature": HUKOU_NATURES,
    "spouse_hukou_nature": HUKOU_NATURES,
    "household_type": HOUSEHOLD_TYPES,
    "marital_status": MARITAL_STATUSES,
}
"""Normalised column -> the values it may hold (what a rule condition may test for)."""

_NATURES = {
    "1": "农业", "农业": "农业", "农业户口": "农业", "农业户": "农业", "农": "农业", "农户": "农业",
    "2": "非农业", "非农业": "非农业", "非农业户口": "非农业", "非农业户": "非农业", "非农": "非农业", "非农户口": "非农业",
    "3": "居民", "居民": "居民", "居民户口": "居民", "居民户": "居民", "城乡居民": "居民", "统一居民户口": "居民",
}
_HOUSEHOLDS = {
    "家庭户": "家庭户", "家庭": "家庭户", "家庭户口": "家庭户",
    "集体户": "集体户", "集体": "集体户", "集体户口": "集体户",
    "空挂户": "空挂户", "空挂": "空挂户", "空挂户口": "空挂户",
}


def normalize_hukou_natures(values) -> np.ndarray:
    """'农业', '非农业', '居民' or '' (blank or unrecognised); object (n,)."""
    return distinct_map(values, lambda texts: texts.str.replace(" ", "").map(_NATURES).fillna(""))


def normalize_household_types(values) -> np.ndarray:
    """'家庭户', '集体户', '空挂户' or '' (blank or unrecognised); object (n,)."""
    return distinct_map(values, lambda texts: texts.str.replace(" ", "").map(_HOUSEHOLDS).fillna(""))
