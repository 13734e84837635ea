"""Fixtures of the Spark tests: one local SparkSession for the whole run.

Spark tests are marked ``spark`` and left out of the default run; run them with
``python -m pytest tests/spark -m spark``. They need pyspark (the ``spark``
extra, also in ``dev``) and Java 17 or newer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from linkequity.spark.session import spark_session

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """A local[2] session with a small driver, two shuffle partitions and no UI."""
    session = spark_session(
        "local[2]",
        app_name="linkequity tests",
        driver_memory="1g",
        shuffle_partitions=2,
        config={"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"},
    )
    yield session
    session.stop()
