"""How the pages word a number of bytes: "51 MiB", "4.2 GiB"."""

from __future__ import annotations

MIB = 1024**2
GIB = 1024**3


def size_text(size: int | None, *, estimated: bool = False) -> str:
    if size is None:
        return "unknown"
    about = "≈ " if estimated else ""
    if size >= GIB:
        return f"{about}{size / GIB:.1f} GiB"
    return f"{about}{size / MIB:.0f} MiB"
