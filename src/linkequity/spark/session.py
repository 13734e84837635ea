"""One SparkSession for every linkequity job, with the settings that matter.

``spark_session`` builds (or gets) the session for a master, so the extraction
and ranking jobs share one configuration: UTC timestamps, Arrow transfers,
shuffle partitions sized for the machine in local mode, driver memory, a
checkpoint directory for iterative jobs, and the driver's own Python on the
workers of a local master. A missing pyspark or Java becomes one line that
says what to install.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from linkequity.errors import MissingExtra, UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyspark.sql import SparkSession

__all__ = ["DEFAULT_MASTER", "is_local_master", "local_cores", "spark_session"]

DEFAULT_MASTER = "local[*]"
_LOCAL = re.compile(r"^local(?:\[(\*|\d+)(?:,\s*\d+)?\])?$")


def is_local_master(master: str) -> bool:
    """Whether *master* runs Spark inside this process (``local``, ``local[N]``, ``local[*]``)."""
    return _LOCAL.match(master.strip()) is not None


def local_cores(master: str) -> int:
    """Cores a local *master* uses (``local`` is 1, ``local[*]`` every core here).

    Raises
    ------
    UsageError
        If *master* is not a local master.
    """
    match = _LOCAL.match(master.strip())
    if match is None:
        raise UsageError(
            f"{master!r} is not a local Spark master",
            hint="Use local, local[N] or local[*].",
        )
    cores = match.group(1)
    if cores is None:
        return 1
    if cores == "*":
        return os.cpu_count() or 1
    return max(int(cores), 1)


def spark_session(
    master: str = DEFAULT_MASTER,
    *,
    app_name: str = "linkequity",
    driver_memory: str = "2g",
    shuffle_partitions: int | None = None,
    checkpoint_dir: str | Path | None = None,
    config: Mapping[str, str] | None = None,
) -> SparkSession:
    """Build or get the SparkSession that linkequity's jobs run on.

    Parameters
    ----------
    master : str
        Spark master URL: ``local[*]`` (default), ``local[N]``, ``spark://host:7077``,
        ``yarn``, ``k8s://...``. Under ``spark-submit`` the master it was given wins.
    app_name : str
        Name shown in the Spark UI and the cluster manager.
    driver_memory : str
        ``spark.driver.memory`` (``2g``, ``512m``); it only takes effect when this
        call starts the JVM, as it does from the CLI.
    shuffle_partitions : int, optional
        ``spark.sql.shuffle.partitions``. By default twice the cores of a local
        master (Spark's 200 makes a laptop run 200 tiny tasks per shuffle), and
        Spark's own default (or the cluster's setting) otherwise.
    checkpoint_dir : str or Path, optional
        Where iterative jobs checkpoint (truncating the lineage of each
        iteration). By default, for a local master whose session has none
        yet, a new temporary directory; on a cluster it must be a shared path
        (``hdfs://...``, ``s3a://...``) and is left as it is when not given.
    config : Mapping[str, str], optional
        Further Spark settings, applied last (``spark.ui.enabled``,
        ``spark.executor.memory``...).

    Returns
    -------
    pyspark.sql.SparkSession
        The active session, configured as above.

    Raises
    ------
    MissingExtra
        If pyspark is not installed.
    UsageError
        If Java cannot be found or the JVM does not start.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingExtra(
            "Spark jobs need pyspark, which is not installed",
            hint="pip install 'linkequity[spark]'",
        ) from exc
    if importlib.util.find_spec("pandas") is None:  # Spark's Arrow-based Python tasks need it
        raise MissingExtra(
            "Spark jobs need pandas beside pyspark, and it is not installed",
            hint="pip install 'linkequity[spark]'",
        )
    _require_java()
    is_local = is_local_master(master)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
    )
    if shuffle_partitions is None and is_local:
        shuffle_partitions = 2 * local_cores(master)
    if shuffle_partitions is not None:
        if shuffle_partitions < 1:
            raise UsageError(
                f"shuffle partitions must be at least 1, not {shuffle_partitions}",
                hint="Pass a positive number of partitions, or leave it to the default.",
            )
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    if is_local:
        # Workers of a local master are forked from this interpreter's PATH
        # otherwise, which may be a Python without linkequity on it; and a
        # local job has no reason to listen beyond the loopback interface.
        builder = (
            builder.config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and pyspark raise several unrelated types here
        raise UsageError(
            f"Spark did not start on master {master!r}: {_first_line(exc)}",
            hint="Check JAVA_HOME (Java 17 or newer) and the master URL.",
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    has_checkpoint_dir = session.sparkContext.getCheckpointDir() is not None
    if checkpoint_dir is None and is_local and not has_checkpoint_dir:
        checkpoint_dir = tempfile.mkdtemp(prefix="linkequity-spark-checkpoint-")
    if checkpoint_dir is not None:
        session.sparkContext.setCheckpointDir(str(checkpoint_dir))
    return session


def _require_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and shutil.which("java", path=str(Path(java_home) / "bin")):
        return
    if shutil.which("java") is None:
        raise UsageError(
            "Spark jobs need Java, and no java is on PATH nor under JAVA_HOME",
            hint="Install a Java 17+ runtime (e.g. apt install openjdk-17-jre-headless) "
            "or set JAVA_HOME.",
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
