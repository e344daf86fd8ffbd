"""What this machine offers llama.cpp: CPU features and cores, memory, the llama.cpp code chosen for
this processor, and the GPUs it can offload to."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import psutil

from app.engine.backends import EngineBackends
from app.engine.ggml_lib import Device, devices
from app.engine.native import ensure_backend


@dataclass(frozen=True)
class HardwareReport:
    cpu_name: str
    cpu_features: tuple[str, ...]
    physical_cores: int
    logical_cores: int
    ram_total: int
    ram_available: int
    gpu_offload: bool  # llama.cpp can put layers on a GPU here (Metal, CUDA, Vulkan, ...)
    devices: tuple[Device, ...]
    llama_cpp_python: str
    backends: EngineBackends

    @property
    def gpus(self) -> tuple[Device, ...]:
        return tuple(device for device in self.devices if device.kind in ("gpu", "igpu"))

    def why_no_gpu(self) -> str:
        """Why no layers can go to a GPU here, for a person; "" when some can."""
        engine = self.backends
        if not self.gpu_offload and engine.gpu_modules_built:
            return (f"This build can use {', '.join(engine.gpu_modules_built)}, but it could not "
                    "start on this computer (see above), so no layers can go to a GPU.")
        if not self.gpu_offload:
            return ("This build of llama.cpp runs on the processor only (it was built without "
                    "GPU support), so no layers can go to a GPU. The README says how to build "
                    "it for Metal or CUDA.")
        if not self.gpus:
            return "This build of llama.cpp can use a GPU, but it found none on this computer."
        return ""


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def hardware_report() -> HardwareReport:
    backends = ensure_backend()
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
        devices=devices(),
        llama_cpp_python=llama_cpp.__version__,
        backends=backends,
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

