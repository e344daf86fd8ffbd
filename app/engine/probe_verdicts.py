"""What earlier engine probes found on this computer, so that later starts pay nothing: for one
build of llama.cpp on one processor, the CPU variants ranked for it and each library's verdict.

Kept as JSON in the data folder (no user data in it: library names and signal names). A new build,
an upgraded library or another processor makes another key, and that combination is probed again."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.datadir import data_dir

logger = logging.getLogger(__name__)
OK = "ok"
FILE_NAME = "engine-probes.json"
KEPT_KEYS = 8  # older builds' records are dropped


@dataclass
class MachineRecord:
    ranking: list[str] = field(default_factory=list)  # CPU variants this processor runs, best first
    verdicts: dict[str, str] = field(default_factory=dict)  # library -> OK or what killed it


class ProbeVerdicts:
    def __init__(self, key: str, path: Path | None = None) -> None:
        self.key = key
        self.path = path or data_dir() / FILE_NAME

    def load(self) -> MachineRecord:
        entry = self._all().get(self.key)
        if not isinstance(entry, dict):
            return MachineRecord()
        ranking = entry.get("ranking", [])
        verdicts = entry.get("verdicts", {})
        if not isinstance(ranking, list) or not isinstance(verdicts, dict):
            return MachineRecord()
        return MachineRecord([str(name) for name in ranking],
                             {str(name): str(verdict) for name, verdict in verdicts.items()})

    def save(self, record: MachineRecord) -> None:
        entries = {key: value for key, value in self._all().items() if key != self.key}
        entries[self.key] = {"ranking": record.ranking, "verdicts": record.verdicts}
        kept = dict(list(entries.items())[-KEPT_KEYS:])
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(kept, file, indent=1)
            os.replace(temporary, self.path)
        except OSError as error:  # a full or read-only disk: probe again next time
            logger.warning("could not keep the engine probe's verdicts: %s", error)
            temporary.unlink(missing_ok=True)

    def forget(self) -> None:
        """Drop this combination's record: the next start probes again (after a driver update)."""
        self.save(MachineRecord())

    def _all(self) -> dict[str, object]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return entries if isinstance(entries, dict) else {}


def combination_key(libraries: Iterable[Path], version: str) -> str:
    """One build of llama.cpp (its libraries' names, sizes and times) on one processor."""
    digest = hashlib.sha256(f"{version}\n{processor_identity()}\n".encode())
    for path in sorted(libraries):
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def processor_identity() -> str:
    """The processor's model and the instruction sets the system reports for it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        wanted = ("model name", "flags", "Features", "CPU part")
        lines = []
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if not line.strip():
                break  # the first processor describes them all
            if line.split(":", 1)[0].strip() in wanted:
                lines.append(line)
        return "\n".join(lines)
    return f"{platform.system()} {platform.machine()} {platform.processor()}"
