"""Names a package exports but loads on first use (PEP 562): the one way the packages here
keep a cheap import (``linkage`` never runs the pipeline when a stage is imported; ``resolve``
never loads the notice writers for a clusters-only run).

>>> import types
>>> package = types.ModuleType("demo")
>>> package.__getattr__, package.__dir__ = lazy_exports("json", {"dumps": ""})
>>> package.__getattr__("dumps")([1])
'[1]'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def lazy_exports(package: str, homes: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: name -> the submodule ('' for the package
    itself) that defines it, imported when the name is first read and then kept."""
    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = import_module(f"{package}.{homes[name]}" if homes[name] else package)
        value = getattr(module, name)
        setattr(import_module(package), name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(import_module(package))) | set(homes))

    return __getattr__, __dir__
