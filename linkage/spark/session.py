"""A Spark session for the engine: the one already running (spark-submit, a notebook on a
cluster), else a new one on ``master`` (default ``local[2]``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from linkage.errors import ConfigError

DEFAULT_MASTER = "local[2]"


def spark_session(master: str | None = None) -> Any:
    """The active SparkSession, or one built on ``master``.  Raises ConfigError (in Chinese
    first) when pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # the optional extra
        raise ConfigError("未安装 pyspark:请先 pip install 'wis-linkage[spark]' "
                          "(the Spark engine needs pyspark: pip install 'wis-linkage[spark]')") from exc
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    # the workers run this interpreter, which has the engine installed
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    master = master or DEFAULT_MASTER
    # a few partitions per core on one machine; a cluster's default otherwise
    partitions = os.environ.get("LINKAGE_SPARK_PARTITIONS", "4" if master.startswith("local") else "200")
    builder = (SparkSession.builder.master(master).appName("wis-linkage")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.shuffle.partitions", partitions)
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.adaptive.enabled", "true")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.memory", os.environ.get("LINKAGE_SPARK_DRIVER_MEMORY", "4g")))
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java missing or failing to start: name the cause
        raise ConfigError(f"Spark 无法启动(需要 Java 17): {exc} (Spark could not start; it needs Java 17)") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session
