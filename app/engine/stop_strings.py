"""Hold back streamed text that might be the start of a stop string, and cut the reply at one."""

from __future__ import annotations


class StopStringFilter:
    def __init__(self, stop_strings: tuple[str, ...]) -> None:
        self._stops = stop_strings
        self._held = ""

    def feed(self, text: str) -> tuple[str, bool]:
        """Return the text that is safe to show, and whether a stop string was reached."""
        if not self._stops:
            return text, False
        buffer = self._held + text
        cut = min((buffer.find(stop) for stop in self._stops if stop in buffer), default=-1)
        if cut >= 0:
            self._held = ""
            return buffer[:cut], True
        keep = max((_partial_overlap(buffer, stop) for stop in self._stops), default=0)
        self._held = buffer[len(buffer) - keep :] if keep else ""
        return buffer[: len(buffer) - keep], False

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held


def _partial_overlap(text: str, stop: str) -> int:
    """Length of the longest end of `text` that is a beginning of `stop`."""
    for length in range(min(len(text), len(stop) - 1), 0, -1):
        if stop.startswith(text[-length:]):
            return length
    return 0
