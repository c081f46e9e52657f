"""Clusters, managing-unit decisions and notices (see DESIGN.md, `resolve/`).

The names below load their module on first use (PEP 562), so that a run which only clusters
(``linkage.dedupe(..., decide=False)``) does not pay for importing the notice writers.
"""

from linkage.lazy import lazy_exports

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
    "load_preset": "rules",
    "preset_text": "rules",
    "managing_unit_for_records": "decide",
    "save_rules": "rules",
}

__all__ = ["decide", *_HOMES]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
