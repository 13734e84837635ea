"""``linkequity spark rank`` without Spark: bad input stops before Spark starts, and the report."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from linkequity.cli.app import app
from linkequity.cli.spark_rank_command import rank_report
from linkequity.errors import UsageError
from linkequity.spark.rank import SparkRankReport


def invoke(*args: str) -> BaseException | None:
    return CliRunner().invoke(app, ["spark", "rank", *args]).exception


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["links", "--out", "ranks", "--level", "site"], "--level must be page, host or domain"),
        (["links", "--out", "ranks", "--tol", "0"], "--tol must be between 0 and 1"),
        (["links", "--out", "s3a://bucket/ranks", "--cc-ranks"], "is not a local folder"),
    ],
)
def test_bad_options_fail_in_one_line_before_spark(args: list[str], message: str) -> None:
    error = invoke(*args)
    assert isinstance(error, UsageError)
    assert message in str(error)
    assert "\n" not in str(error)
    assert error.hint


def test_report_names_counts_unmatched_seeds_files_and_absent_harmonic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = SparkRankReport(
        level="host",
        snapshot_id=3,
        links=1234,
        nodes=56,
        edges=78,
        iterations=90,
        trust_iterations=12,
        trust_seeds=4,
        unmatched_seeds=("missing.example",),
        written=("ranks/host_ranks.parquet", "ranks/host_ranks.txt"),
        harmonic=False,
        timings_s={"load": 1.0, "rank": 2.5},
    )
    rank_report(report)
    out = capsys.readouterr().out
    assert "Spark rank, hosts (3.5 s)" in out
    assert "1,234" in out
    assert "missing.example" in out
    assert "Wrote ranks/host_ranks.txt" in out
    assert "Harmonic centrality is absent" in out
    assert report.as_dict()["unmatched_seeds"] == ("missing.example",)
