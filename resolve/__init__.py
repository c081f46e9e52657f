"""Clusters, managing-unit decisions and notices (see DESIGN.md, `resolve/`).

The names below load their module on first use (PEP 562), so that a run which only clusters
(``linkage.dedupe(..., decide=False)``) does not pay for importing the notice writers.
"""

from importlib import import_module
from typing import Any

from .decide import decide  # eager: the function shares its module's name, which a lazy load would leave bound

_HOMES = {
    "mask_id_numbers": "documents",
    "render_notice_text": "documents",
    "write_documents": "documents",
    "DraftedNotices": "notices",
    "draft_notices": "notices",
    "verification_list": "notices",
    "DEFAULT_RULES": "rules",
    "Rule": "rules",
    "RuleSet": "rules",
    "load_rules": "rules",
    "managing_unit_for_records": "rules",
    "save_rules": "rules",
}

__all__ = ["decide", *_HOMES]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'resolve' has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
