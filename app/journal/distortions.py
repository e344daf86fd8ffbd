"""The thinking distortions a thought record offers, as shipped in resources/distortions.toml: data,
so their wording can be improved (or translated) without touching code. Read once, then cached."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from app.errors import MiniGiantsError
from app.resource_files import RESOURCES
from app.vault.records import is_distortion_id

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DISTORTIONS_FILE = RESOURCES / "distortions.toml"
_FIELDS = ("id", "name", "explanation", "example")


@dataclass(frozen=True)
class Distortion:
    id: str  # stable: thought records store it
    name: str
    explanation: str  # one plain sentence
    example: str


class DistortionsFileInvalid(MiniGiantsError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The list of thinking distortions ({path.name}) cannot be read: {reason}.",
            "Reinstall Mini-Giants; the file that came with it is missing or was changed.",
        )
        self.path = path


@functools.cache
def distortions() -> tuple[Distortion, ...]:
    """The shipped distortions, in the order they are offered."""
    return load_distortions(DISTORTIONS_FILE)


def load_distortions(path: Path) -> tuple[Distortion, ...]:
    """Raises DistortionsFileInvalid for a file that is missing, not TOML, or not a list of
    distortions each with a unique id and every field filled in."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise DistortionsFileInvalid(path, "it is missing or not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DistortionsFileInvalid(path, f"it is not valid TOML ({error})") from None
    tables = data.get("distortion")
    if not isinstance(tables, list) or not tables:
        raise DistortionsFileInvalid(path, "it has no [[distortion]] tables")
    loaded = tuple(_distortion(path, number, table) for number, table in enumerate(tables, start=1))
    if len({distortion.id for distortion in loaded}) != len(loaded):
        raise DistortionsFileInvalid(path, "two distortions have the same id")
    return loaded


def _distortion(path: Path, number: int, table: object) -> Distortion:
    if not isinstance(table, dict) or sorted(table) != sorted(_FIELDS) or not all(
        isinstance(table[name], str) and table[name].strip() for name in _FIELDS
    ):
        raise DistortionsFileInvalid(
            path, f"distortion {number} needs exactly these text fields: {', '.join(_FIELDS)}")
    if not is_distortion_id(table["id"]):
        raise DistortionsFileInvalid(
            path, f"distortion {number}'s id is not lower-case letters and underscores")
    # A long sentence may be wrapped over several lines in the file; it is shown as one.
    return Distortion(**{name: " ".join(table[name].split()) for name in _FIELDS})
