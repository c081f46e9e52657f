"""A Spark session for the engine: the one already running (a notebook on a cluster), the one
spark-submit launched this interpreter for (its --master and --conf kept), else a new one on
``master`` (default ``local[2]``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from linkage.errors import ConfigError

DEFAULT_MASTER = "local[2]"
SESSION_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.execution.arrow.pyspark.enabled": "true"}
"""What the engine sets on any session it starts (dates without zones; Arrow batches for pandas)."""


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
    if master is None and os.environ.get("PYSPARK_GATEWAY_PORT"):  # spark-submit started us: its master, its confs
        session = SparkSession.builder.appName("wis-linkage").getOrCreate()
        for key, value in SESSION_CONF.items():
            session.conf.set(key, value)
        return session
    # the workers run this interpreter, which has the engine installed
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    master = master or DEFAULT_MASTER
    # a few partitions per core on one machine; a cluster's default otherwise
    partitions = os.environ.get("LINKAGE_SPARK_PARTITIONS", "4" if master.startswith("local") else "200")
    builder = SparkSession.builder.master(master).appName("wis-linkage")
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    builder = (builder.config("spark.sql.shuffle.partitions", partitions)
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
