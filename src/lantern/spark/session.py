"""A SparkSession for Lantern jobs: local by default, loopback only, quiet, small shuffles.

Why these settings: investigators run this on a laptop or one server far more often than on a cluster,
and the corpus is sensitive, so by default nothing listens beyond 127.0.0.1 and there is no web UI. A
real cluster is one ``--master`` away; then the caller's own Spark configuration decides networking.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
LOCAL_SHUFFLE_PARTITIONS = 8
"""Spark's default of 200 shuffle partitions costs seconds of task overhead per join on small local data."""


def get_session(
    master: str | None = None,
    *,
    app_name: str = "lantern",
    shuffle_partitions: int | None = None,
    extra_conf: dict[str, str] | None = None,
) -> SparkSession:
    """The active session, or a new one configured as the module docstring says.

    ``master`` falls back to ``LANTERN_SPARK_MASTER`` and then ``local[*]``. For a local master the
    driver binds to 127.0.0.1 only; a cluster master leaves networking to the cluster's configuration.
    """
    from pyspark.sql import SparkSession

    master = master or os.environ.get("LANTERN_SPARK_MASTER") or DEFAULT_MASTER
    local = master.startswith("local")
    if local:
        # Read by the JVM launcher before the driver picks an address (avoids binding to a public NIC).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # Python workers must run this interpreter (the one with lantern installed), not ``python3``.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "true")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.python.worker.reuse", "true")
    )
    if local:
        # Workers must run this interpreter (the one with lantern installed), not whatever python3 is.
        builder = (
            builder.config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions or LOCAL_SHUFFLE_PARTITIONS))
        )
    elif shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def arrow_udfs_available() -> bool:
    """Whether ``mapInArrow`` can run: PySpark requires pandas for it, which Lantern does not pin.

    Without pandas the jobs fall back to ``RDD.mapPartitions`` (pickled rows): same code per record,
    slower serialisation.
    """
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
