"""Record status (状态): the one definition of "this record is inactive".

A record is 在管 (in management; also a blank status), 注销 (cancelled) or 迁出 (moved out).
Registers also write 已注销 / 已迁出; they are the same statuses.  An inactive record is never
kept, cancelled, noticed, checked or sampled: it is no longer the unit's to act on.  Every stage
asks ``is_inactive``; none keeps its own list.

>>> normalize_statuses(["", "在管", "已注销", " 迁出 ", "暂离"]).tolist()
['在管', '在管', '注销', '迁出', '暂离']
>>> is_inactive(normalize_statuses(["注销", "已迁出", "在管", "暂离"])).tolist()
[True, True, False, False]
"""

from __future__ import annotations

import numpy as np

from .distinct import distinct_map

ACTIVE = "在管"
INACTIVE_STATUSES = ("注销", "迁出")
"""The canonical inactive statuses, as ``normalize_statuses`` writes them."""
KNOWN_STATUSES = (ACTIVE, *INACTIVE_STATUSES)
_ALIASES = {"": ACTIVE, "已注销": "注销", "已迁出": "迁出"}


def normalize_statuses(values) -> np.ndarray:
    """Canonical statuses, object (n,): blank is 在管, 已注销 / 已迁出 are 注销 / 迁出; any other
    text is kept as typed (trimmed) for the audit to report."""
    return distinct_map(values, lambda texts: texts.map(lambda text: _ALIASES.get(text, text)))


def is_inactive(statuses) -> np.ndarray:
    """bool (n,): the (normalised) status is 注销 or 迁出."""
    return np.isin(np.asarray(statuses, dtype=object), INACTIVE_STATUSES)
