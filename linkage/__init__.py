"""Record linkage and deduplication for Chinese population registers (WIS clean-up).

The handful of names a user needs load their module on first use (PEP 562), so that
importing a stage (``blocking``, ``scoring``, ``resolve``) or the ground floor
(``linkage.io``, ``linkage.normalize`` ...) never runs the pipeline or the audit.

>>> import linkage
>>> [name for name in ("dedupe", "link", "audit") if callable(getattr(linkage, name))]
['dedupe', 'link', 'audit']
"""

from importlib import import_module
from typing import Any

from .lazy import lazy_exports

_HOMES = {
    "dedupe": "pipeline",
    "link": "pipeline",
    "update": "incremental",
    "DedupeResult": "pipeline",
    "LinkResult": "pipeline",
    "RegisterProfile": "profile",
    "LinkageError": "errors",
    "InputFileError": "errors",
    "SchemaError": "errors",
    "ConfigError": "errors",
}
"""Public name -> the module of this package that defines it."""

__all__ = [
    "dedupe",
    "link",
    "update",
    "audit",
    "DedupeResult",
    "LinkResult",
    "RegisterProfile",
    "LinkageError",
    "InputFileError",
    "SchemaError",
    "ConfigError",
]


_load, __dir__ = lazy_exports(__name__, _HOMES)


def __getattr__(name: str) -> Any:
    if name == "audit":  # the callable package: linkage.audit(register, ...) runs the clean-up audit
        return import_module(".audit", __name__)
    return _load(name)
