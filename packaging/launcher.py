"""The bundle's entry point: the same `minigiants` command as `pip install` gives, with the GUI when
double-clicked (no arguments) and the subcommands in a terminal. The app also starts this executable
as its engine probe (app/engine/backends.py: PROBE_FLAG), since a bundle has no Python to run it."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--engine-probe"]:
        from app.engine.probe import main as probe

        sys.exit(probe(sys.argv[2:]))
    from app.cli import main

    sys.exit(main())
