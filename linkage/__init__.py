"""Record linkage and deduplication for Chinese population registers (WIS clean-up).

>>> import linkage
>>> [name for name in ("dedupe", "link", "audit") if callable(getattr(linkage, name))]
['dedupe', 'link', 'audit']
"""

from .errors import ConfigError, InputFileError, LinkageError, SchemaError
from .pipeline import DedupeResult, LinkResult, dedupe, link
from .profile import RegisterProfile
from . import audit  # callable package: linkage.audit(register, ...) runs the clean-up audit

__all__ = [
    "dedupe",
    "link",
    "audit",
    "DedupeResult",
    "LinkResult",
    "RegisterProfile",
    "LinkageError",
    "InputFileError",
    "SchemaError",
    "ConfigError",
]
