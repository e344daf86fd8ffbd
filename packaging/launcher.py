"""The bundle's entry point: the same `minigiants` command as `pip install` gives, with the GUI when
double-clicked (no arguments) and the subcommands in a terminal. The app also starts this executable
as its engine probe (app/engine/backends.py: PROBE_FLAG) and the crisis detector's embedding probe
(app/journal/sentence_embedding.py), since a bundle has no Python to run them."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--engine-probe"]:
        from app.engine.probe import main as probe

        sys.exit(probe(sys.argv[2:]))
    if sys.argv[1:2] == ["--embedding-probe"]:
        from app.journal.embedding_probe import main as embedding_probe

        sys.exit(embedding_probe())
    from app.cli import main

    sys.exit(main())
