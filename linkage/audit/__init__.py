"""The clean-up audit (人口信息清理清查) on top of the dedupe.

``audit(register, ...)`` runs everything and returns an ``AuditResult`` whose ``write(folder)``
writes findings.csv, separation.csv, missing.csv, summary.csv, summary.xlsx, sample.csv and
the dedupe outputs.  The parts can be run on their own:

- ``run_checks`` -- logic errors of records (registry ``RECORD_RULES``);
- ``check_children`` -- children and illegal-birth reports (registry ``CHILD_RULES``);
- ``find_separation`` -- household/residence separation with the managing unit and action;
- ``find_missing`` -- unregistered women in shared-platform extracts;
- ``summarize`` / ``write_summary_excel`` -- counts per street and the district;
- ``draw_sample`` / ``spotcheck`` -- the inspectors' sample and its error rates;
- ``run_key_checks`` -- key management targets and households (registry ``KEY_RULES``);
- ``find_clues`` -- birth clues from the shared platform with their status and due date;
- ``followup`` -- an earlier run against a later register, and the street scores.

The package itself is callable: ``linkage.audit(register, ...)`` is ``linkage.audit.audit``.
"""

import sys
import types

from .base import AuditOptions, Rule, rules_table
from .checks import RECORD_RULES, run_checks
from .children import CHILD_RULES, check_children
from .missing import find_missing
from .run import AuditResult, audit
from .births import find_clues
from .followup import followup
from .key_targets import KEY_RULES, run_key_checks
from .sample import draw_sample, spotcheck, wilson_interval
from .separation import find_separation
from .summary import summarize, write_summary_excel

__all__ = [
    "audit",
    "AuditResult",
    "AuditOptions",
    "Rule",
    "RECORD_RULES",
    "CHILD_RULES",
    "rules_table",
    "run_checks",
    "check_children",
    "find_separation",
    "find_missing",
    "summarize",
    "write_summary_excel",
    "draw_sample",
    "spotcheck",
    "wilson_interval",
    "KEY_RULES",
    "run_key_checks",
    "find_clues",
    "followup",
]


class _CallablePackage(types.ModuleType):
    """Lets ``linkage.audit(...)`` call ``audit`` while ``linkage.audit.checks`` stays importable."""

    def __call__(self, *args, **kwargs) -> AuditResult:
        return audit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
