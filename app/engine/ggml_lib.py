"""ggml's backend registry through ctypes: the functions llama-cpp-python does not bind (its issue
#2069), for loading backend libraries and listing the devices they bring."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
from llama_cpp import llama_cpp as llama_bindings
from llama_cpp._ggml import libggml as ggml_copy

_DEVICE_KINDS = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accelerator", 4: "meta"}


@dataclass(frozen=True)
class Device:
    name: str
    description: str
    kind: str  # cpu, gpu, igpu, accelerator
    memory_total: int
    memory_free: int
    backend: str  # the registry it belongs to: CPU, CUDA, Vulkan, Metal, ...


def _libggml() -> ctypes.CDLL:
    """The libggml that libllama itself uses. The wheel holds libggml.so and libggml.so.0 as two
    copies of one file; llama-cpp-python's own handle opens the first while libllama links the
    second, and a backend registered in one copy is unknown to the other. A symbol looked up
    through libllama's handle comes from libllama's own dependencies. (Windows has one ggml.dll,
    and its lookup does not search dependencies: there the package's handle is the one.)"""
    llama = llama_bindings._lib
    try:
        llama.ggml_backend_load  # noqa: B018 - the lookup is the test
    except AttributeError:
        return ggml_copy
    return llama


libggml = _libggml()


def _bind() -> None:
    pointer = ctypes.c_void_p
    for name, argtypes, restype in (
        ("ggml_backend_load", [ctypes.c_char_p], pointer),
        ("ggml_backend_reg_count", [], ctypes.c_size_t),
        ("ggml_backend_reg_get", [ctypes.c_size_t], pointer),
        ("ggml_backend_reg_name", [pointer], ctypes.c_char_p),
        ("ggml_backend_reg_dev_count", [pointer], ctypes.c_size_t),
        ("ggml_backend_dev_count", [], ctypes.c_size_t),
        ("ggml_backend_dev_get", [ctypes.c_size_t], pointer),
        ("ggml_backend_dev_name", [pointer], ctypes.c_char_p),
        ("ggml_backend_dev_description", [pointer], ctypes.c_char_p),
        ("ggml_backend_dev_type", [pointer], ctypes.c_int),
        ("ggml_backend_dev_backend_reg", [pointer], pointer),
        (
            "ggml_backend_dev_memory",
            [pointer, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)],
            None,
        ),
    ):
        function = getattr(libggml, name)
        function.argtypes = argtypes
        function.restype = restype


_bind()


def library_folder() -> Path:
    """Where llama-cpp-python keeps llama.cpp's libraries, in a venv and in the bundle alike."""
    return Path(llama_cpp.__file__).resolve().parent / "lib"


def variant_score(path: Path) -> int:
    """The variant's own verdict on this processor (0: it cannot run here), from code ggml builds
    without the variant's instruction set so that asking is safe. A library that does not even
    open (a dependency missing) cannot run here either."""
    try:
        library = ctypes.CDLL(str(path))
        score = library.ggml_backend_score
    except (OSError, AttributeError):
        return 0
    score.restype = ctypes.c_int
    return int(score())


def registered_backends() -> list[str]:
    """The names of the backends loaded into this process so far (CPU, CUDA, ...)."""
    return [
        _text(libggml.ggml_backend_reg_name(libggml.ggml_backend_reg_get(index)))
        for index in range(libggml.ggml_backend_reg_count())
    ]


def load_backend(path: Path) -> int | None:
    """Register one backend library in this process; its device count, or None when ggml refused it
    (not a backend, a missing dependency such as the GPU driver, or code this processor cannot
    run: ggml asks the library's own score function first)."""
    registry = libggml.ggml_backend_load(str(path).encode())
    if not registry:
        return None
    return int(libggml.ggml_backend_reg_dev_count(registry))


def devices() -> tuple[Device, ...]:
    found = []
    for index in range(libggml.ggml_backend_dev_count()):
        handle = libggml.ggml_backend_dev_get(index)
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        libggml.ggml_backend_dev_memory(handle, ctypes.byref(free), ctypes.byref(total))
        found.append(
            Device(
                name=_text(libggml.ggml_backend_dev_name(handle)),
                description=_text(libggml.ggml_backend_dev_description(handle)),
                kind=_DEVICE_KINDS.get(libggml.ggml_backend_dev_type(handle), "other"),
                memory_total=total.value,
                memory_free=free.value,
                backend=_text(
                    libggml.ggml_backend_reg_name(libggml.ggml_backend_dev_backend_reg(handle))
                ),
            )
        )
    return tuple(found)


def _text(value: bytes | None) -> str:
    return (value or b"").decode(errors="replace")
