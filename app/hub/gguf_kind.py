"""What a GGUF file holds, read from the first bytes of its header: discovery asks this of every
candidate file in other apps' folders, so it must stay cheap on a file of many gigabytes.

`gguf.GGUFReader` maps the whole file and parses every key and tensor; this reads key by key and
stops as soon as it knows, skipping values without decoding them."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from gguf import GGUFValueType


class _Unreadable(Exception):
    """The header is cut short or nonsensical."""


_SCALAR_SIZES: dict[int, int] = {
    GGUFValueType.UINT8: 1,
    GGUFValueType.INT8: 1,
    GGUFValueType.BOOL: 1,
    GGUFValueType.UINT16: 2,
    GGUFValueType.INT16: 2,
    GGUFValueType.UINT32: 4,
    GGUFValueType.INT32: 4,
    GGUFValueType.FLOAT32: 4,
    GGUFValueType.UINT64: 8,
    GGUFValueType.INT64: 8,
    GGUFValueType.FLOAT64: 8,
}
_MAX_KEY_BYTES = 1 << 16
_MAX_COUNT = 1 << 32
_TYPE_KEYS = ("general.type", "general.architecture")


def gguf_kind(path: Path) -> str | None:
    """What the GGUF holds: "model", "adapter" (LoRA), "mmproj" (vision projector) or another
    general.type; None when llama.cpp would not open it (bad magic, GGUF v1, big-endian, cut short).

    Reads the metadata only until it knows: adapters and projectors carry no tokenizer, so the
    first tokenizer key ends the search before the vocabulary arrays, the bulk of a header."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"GGUF" or _u32(handle) not in (2, 3):
                return None
            _u64(handle)  # tensor count
            for _ in range(_bounded(_u64(handle))):
                key = _string(handle, _MAX_KEY_BYTES)
                value_type = _u32(handle)
                if key.startswith("tokenizer."):
                    return "model"
                if key.startswith("adapter."):
                    return "adapter"
                if key in _TYPE_KEYS and value_type == GGUFValueType.STRING:
                    value = _string(handle, _MAX_KEY_BYTES)
                    if key == "general.type":
                        return value
                    if value == "clip":
                        return "mmproj"
                else:
                    _skip_value(handle, value_type)
    except (OSError, _Unreadable, UnicodeDecodeError, ValueError):
        return None
    return "model"


def _skip_value(handle: BinaryIO, value_type: int) -> None:
    if value_type in _SCALAR_SIZES:
        _skip(handle, _SCALAR_SIZES[value_type])
    elif value_type == GGUFValueType.STRING:
        _skip(handle, _u64(handle))
    elif value_type == GGUFValueType.ARRAY:
        item_type = _u32(handle)
        count = _bounded(_u64(handle))
        if item_type in _SCALAR_SIZES:
            _skip(handle, count * _SCALAR_SIZES[item_type])
        else:
            for _ in range(count):
                _skip_value(handle, item_type)
    else:
        raise _Unreadable(f"unknown value type {value_type}")


def _skip(handle: BinaryIO, length: int) -> None:
    # Seeking past the end raises nothing, so a cut-short header shows at the next read.
    handle.seek(length, os.SEEK_CUR)


def _u32(handle: BinaryIO) -> int:
    return int(struct.unpack("<I", _exactly(handle, 4))[0])


def _u64(handle: BinaryIO) -> int:
    return int(struct.unpack("<Q", _exactly(handle, 8))[0])


def _string(handle: BinaryIO, limit: int) -> str:
    length = _u64(handle)
    if length > limit:
        raise _Unreadable("string too long")
    return _exactly(handle, length).decode("utf-8")


def _exactly(handle: BinaryIO, length: int) -> bytes:
    data = handle.read(length)
    if len(data) != length:
        raise _Unreadable("cut short")
    return data


def _bounded(count: int) -> int:
    if count > _MAX_COUNT:
        raise _Unreadable("count too large")
    return count
