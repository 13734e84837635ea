"""Run the CLI as ``python -m linkequity``."""

from linkequity.cli import main

main()
