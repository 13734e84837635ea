"""Run the CLI as ``python -m linkequity``."""

from linkequity.cli import main

if __name__ == "__main__":
    main()
