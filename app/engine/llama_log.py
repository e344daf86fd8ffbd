"""llama.cpp's own log, routed into Python logging instead of the user's terminal.

llama-cpp-python installs a callback that prints to stderr; ours replaces it as soon as the engine is
imported. Messages arrive in pieces (level CONT continues the previous one) and from llama.cpp's
worker threads, so lines are assembled under a lock. Errors are also kept briefly so a failed load can
tell the person why (llama.cpp only returns NULL)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Iterator

import llama_cpp

logger = logging.getLogger("app.engine.llama_cpp")
# Used as a library without logging set up, Python would print warnings to stderr as a last resort.
logger.addHandler(logging.NullHandler())

# ggml.h's enum ggml_log_level (llama-cpp-python's own table predates its renumbering).
_GGML_LEVELS = {
    0: logging.DEBUG,  # NONE: untagged chatter
    1: logging.DEBUG,
    2: logging.INFO,
    3: logging.WARNING,
    4: logging.ERROR,
}
_GGML_CONT = 5

_lock = threading.Lock()
_pending: list[str] = []
_pending_level = logging.DEBUG
_captures: list[list[str]] = []


def _emit(level: int, line: str) -> None:
    line = line.rstrip()
    if not line:
        return
    logger.log(level, "%s", line)
    if level >= logging.WARNING:
        for capture in _captures:
            capture.append(line)


def _on_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
    global _pending_level
    piece = text.decode("utf-8", errors="replace")
    with _lock:
        if level != _GGML_CONT:
            _pending_level = _GGML_LEVELS.get(level, logging.DEBUG)
        _pending.append(piece)
        if piece.endswith("\n"):
            _emit(_pending_level, "".join(_pending))
            _pending.clear()


# Kept at module level: llama.cpp holds a raw pointer to it for the life of the process.
_callback = llama_cpp.llama_log_callback(_on_log)


def install() -> None:
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


@contextlib.contextmanager
def capture_problems() -> Iterator[list[str]]:
    """Collect the warning and error lines llama.cpp logs inside the block."""
    lines: list[str] = []
    with _lock:
        _captures.append(lines)
    try:
        yield lines
    finally:
        with _lock:
            _captures.remove(lines)
