"""The README's set-up commands are the ones the project actually runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.DOTALL)


def test_readme_gives_two_setup_commands() -> None:
    main_job, tests = setup_commands()
    assert main_job == "python3 -m pip install . && linkequity demo"
    assert "./scripts/check" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    _, tests = setup_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci_lines
