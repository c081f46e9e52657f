"""Record linkage and deduplication for Chinese population registers (WIS clean-up).

>>> import linkage
>>> sorted(linkage.__all__)[:3]
['DedupeResult', 'LinkResult', 'LinkageError']
"""

from .errors import ConfigError, InputFileError, LinkageError, SchemaError
from .pipeline import DedupeResult, LinkResult, dedupe, link
from .profile import RegisterProfile

__all__ = [
    "dedupe",
    "link",
    "DedupeResult",
    "LinkResult",
    "RegisterProfile",
    "LinkageError",
    "InputFileError",
    "SchemaError",
    "ConfigError",
]
