"""What this machine offers llama.cpp: CPU features and cores, memory, and the GPUs this build of
llama.cpp can offload to."""

from __future__ import annotations

import ctypes
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import psutil
from llama_cpp._ggml import libggml

from app.engine.native import ensure_backend

_DEVICE_KINDS = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accelerator", 4: "meta"}


@dataclass(frozen=True)
class Device:
    name: str
    description: str
    kind: str  # cpu, gpu, igpu, accelerator
    memory_total: int
    memory_free: int


@dataclass(frozen=True)
class HardwareReport:
    cpu_name: str
    cpu_features: tuple[str, ...]
    physical_cores: int
    logical_cores: int
    ram_total: int
    ram_available: int
    gpu_offload: bool  # this llama.cpp build can put layers on a GPU (Metal, CUDA, Vulkan, ...)
    devices: tuple[Device, ...]
    llama_cpp_python: str

    @property
    def gpus(self) -> tuple[Device, ...]:
        return tuple(device for device in self.devices if device.kind in ("gpu", "igpu"))


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def hardware_report() -> HardwareReport:
    ensure_backend()
    memory = psutil.virtual_memory()
    system_info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    return HardwareReport(
        cpu_name=_cpu_name(),
        cpu_features=_enabled_features(system_info),
        physical_cores=physical_cores(),
        logical_cores=os.cpu_count() or 1,
        ram_total=memory.total,
        ram_available=memory.available,
        gpu_offload=bool(llama_cpp.llama_supports_gpu_offload()),
        devices=_devices(),
        llama_cpp_python=llama_cpp.__version__,
    )


def _enabled_features(system_info: str) -> tuple[str, ...]:
    # llama.cpp reports e.g. "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 0 | ..." per backend.
    features = []
    for item in system_info.replace(":", "|").split("|"):
        name, _, value = item.partition("=")
        if value.strip() == "1" and name.strip() not in features:
            features.append(name.strip())
    return tuple(features)


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _bind_device_api() -> None:
    pointer = ctypes.c_void_p
    for name, argtypes, restype in (
        ("ggml_backend_dev_count", [], ctypes.c_size_t),
        ("ggml_backend_dev_get", [ctypes.c_size_t], pointer),
        ("ggml_backend_dev_name", [pointer], ctypes.c_char_p),
        ("ggml_backend_dev_description", [pointer], ctypes.c_char_p),
        ("ggml_backend_dev_type", [pointer], ctypes.c_int),
        (
            "ggml_backend_dev_memory",
            [pointer, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)],
            None,
        ),
    ):
        function = getattr(libggml, name)
        function.argtypes = argtypes
        function.restype = restype


_bind_device_api()


def _devices() -> tuple[Device, ...]:
    devices = []
    for index in range(libggml.ggml_backend_dev_count()):
        handle = libggml.ggml_backend_dev_get(index)
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        libggml.ggml_backend_dev_memory(handle, ctypes.byref(free), ctypes.byref(total))
        devices.append(
            Device(
                name=(libggml.ggml_backend_dev_name(handle) or b"").decode(errors="replace"),
                description=(libggml.ggml_backend_dev_description(handle) or b"").decode(
                    errors="replace"
                ),
                kind=_DEVICE_KINDS.get(libggml.ggml_backend_dev_type(handle), "other"),
                memory_total=total.value,
                memory_free=free.value,
            )
        )
    return tuple(devices)
