"""The bundle's entry point: the same `minigiants` command as `pip install` gives, with the GUI when
double-clicked (no arguments) and the subcommands in a terminal."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
