"""The SparkSession builder's checks, which all run before any JVM starts."""

from __future__ import annotations

import sys

import pytest

from linkequity.errors import MissingExtra, UsageError
from linkequity.spark.session import is_local_master, local_cores, spark_session


@pytest.mark.parametrize(
    ("master", "is_local"),
    [
        ("local", True),
        ("local[2]", True),
        ("local[*]", True),
        ("local[4, 3]", True),
        ("spark://host:7077", False),
        ("yarn", False),
        ("k8s://https://api:6443", False),
        ("localhost", False),
    ],
)
def test_local_masters_are_recognised(master: str, is_local: bool) -> None:
    assert is_local_master(master) is is_local


def test_local_cores_count_what_the_master_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 12)
    assert [local_cores(m) for m in ("local", "local[3]", "local[*]")] == [1, 3, 12]
    with pytest.raises(UsageError, match="not a local Spark master"):
        local_cores("yarn")


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(MissingExtra) as caught:
        spark_session("local[1]")
    assert caught.value.hint == "pip install 'linkequity[spark]'"


def test_missing_java_is_one_line_before_spark_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(UsageError, match="Spark jobs need Java") as caught:
        spark_session("local[1]")
    assert "JAVA_HOME" in caught.value.hint


def test_shuffle_partitions_must_be_positive() -> None:
    pytest.importorskip("pyspark")
    with pytest.raises(UsageError, match="at least 1, not 0"):
        spark_session("local[1]", shuffle_partitions=0)
