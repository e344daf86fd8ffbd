"""Logging for the CLI and the GUI: everything (llama.cpp's log included) goes to a rotating file in
the data folder; the terminal gets only our own warnings, unless --verbose asks for all of it."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from app.datadir import data_dir

LLAMA_CPP_LOGGER = "app.engine.llama_cpp"
# Libraries whose warnings are for the log file, not for a person at the terminal: llama.cpp's own
# log, and huggingface-hub's notes on retries (our progress line and errors say what matters).
_FILE_ONLY = (LLAMA_CPP_LOGGER, "huggingface_hub")


class _OnlyOurs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(_FILE_ONLY)


def configure_logging(*, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    to_file = logging.handlers.RotatingFileHandler(
        folder / "minigiants.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        to_terminal.addFilter(_OnlyOurs())
    to_terminal.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.handlers[:] = [to_file, to_terminal]
