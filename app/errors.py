"""The one base class for errors a person sees: what happened, and what to do next."""

from __future__ import annotations


class MiniGiantsError(Exception):
    """An error the GUI and the CLI can show as it is: `message` says what happened in plain words,
    `hint` says what the person can do about it. Neither may contain secrets or user text."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def for_person(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message
