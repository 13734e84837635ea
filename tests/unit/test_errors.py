"""The command lines that hints print can be pasted into a shell as they are."""

from __future__ import annotations

import shlex
from pathlib import Path

from linkequity.errors import command_line


def test_a_plain_command_is_written_as_it_is() -> None:
    assert command_line("rank", "--db", "example.duckdb") == "linkequity rank --db example.duckdb"


def test_words_a_shell_would_split_or_run_are_quoted() -> None:
    words = ["campaign", "add", "q3 outreach", "--db", Path("my projects/$(rm -rf ~).duckdb")]
    line = command_line(*words, "--budget", 10)

    assert line == (
        "linkequity campaign add 'q3 outreach' --db 'my projects/$(rm -rf ~).duckdb' --budget 10"
    )
    assert shlex.split(line) == ["linkequity", *map(str, words), "--budget", "10"]


def test_a_quote_inside_a_word_survives_the_round_trip() -> None:
    line = command_line("campaign", "status", 'it\'s "ours"')

    assert shlex.split(line) == ["linkequity", "campaign", "status", 'it\'s "ours"']
