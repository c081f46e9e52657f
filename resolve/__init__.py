"""Clusters, managing-unit decisions and notices (see DESIGN.md, `resolve/`)."""

from .decide import decide
from .documents import mask_id_numbers
from .documents import render_notice_text
from .documents import write_documents
from .notices import DraftedNotices
from .notices import draft_notices
from .notices import verification_list
from .rules import DEFAULT_RULES
from .rules import Rule
from .rules import RuleSet
from .rules import load_rules
from .rules import managing_unit_for_records
from .rules import save_rules

__all__ = [
    "decide",
    "mask_id_numbers",
    "render_notice_text",
    "write_documents",
    "DraftedNotices",
    "draft_notices",
    "verification_list",
    "DEFAULT_RULES",
    "Rule",
    "RuleSet",
    "load_rules",
    "managing_unit_for_records",
    "save_rules",
]
