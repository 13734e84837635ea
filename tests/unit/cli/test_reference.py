from pathlib import Path

import pytest

from linkequity.cli.reference import END, START, command_docs, main, render_reference, splice
from linkequity.settings import setting_keys

README = Path(__file__).parents[3] / "README.md"


def test_every_command_and_parameter_has_help() -> None:
    docs = command_docs()
    assert {"linkequity import", "linkequity stats", "linkequity parquet export"} <= {
        doc.path for doc in docs
    }
    for doc in docs:
        assert doc.help, f"{doc.path} has no help"
        for name, text in doc.params:
            assert text.strip(), f"{doc.path} {name} has no help"


def test_readme_reference_is_current() -> None:
    assert main(["--check", str(README)]) == 0, (
        "README.md is behind the CLI: run python -m linkequity.cli.reference --write README.md"
    )


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for key in setting_keys():
        assert f"`{key}`" in text


def test_splice_replaces_only_between_markers() -> None:
    document = f"intro\n{START}\nold\n{END}\noutro\n"
    assert splice(document, "new\n") == f"intro\n{START}\nnew\n{END}\noutro\n"


def test_splice_refuses_a_document_without_markers() -> None:
    with pytest.raises(ValueError, match="markers"):
        splice("no markers here", "x")


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"{START}\nold\n{END}\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert render_reference() in stale.read_text(encoding="utf-8")


def test_a_choice_of_values_does_not_split_a_table_row() -> None:
    # `--format <tsv|json>`: GitHub ends a table cell at any bare |, code span or not.
    bars_in_header = 0
    for line in render_reference().splitlines():
        bars = line.replace("\\|", "").count("|")
        if line.startswith("| ") and not line.startswith("| `"):
            bars_in_header = bars
        elif line.startswith("| `"):
            assert bars == bars_in_header, line
