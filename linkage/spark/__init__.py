"""The Spark engine: the same stages as ``linkage.pipeline.dedupe`` on Spark DataFrames.

``dedupe(register, engine="spark", master=...)`` and ``linkage dedupe REG -o OUT --engine spark``
land here.  pyspark is imported only when the engine runs (``pip install 'wis-linkage[spark]'``
and Java 17), so the local engine never needs it.  See ``linkage.spark.engine`` for the stages.
"""

from __future__ import annotations

from typing import Any


def dedupe_spark(register: Any, **options: Any) -> Any:
    """``linkage.spark.engine.dedupe`` (imported on first use: pyspark is optional)."""
    from .engine import dedupe

    return dedupe(register, **options)


__all__ = ["dedupe_spark"]
