"""The app's data files (prompts, themes, icons) in the repository's resources/ folder."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def prompt(name: str) -> str:
    """A shipped prompt, e.g. prompt("assistant") reads resources/prompts/assistant.txt."""
    return (RESOURCES / "prompts" / f"{name}.txt").read_text(encoding="utf-8").strip()


def icon_path(name: str) -> Path:
    """A shipped SVG icon, e.g. icon_path("send") is resources/icons/send.svg."""
    return RESOURCES / "icons" / f"{name}.svg"
