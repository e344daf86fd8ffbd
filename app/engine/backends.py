"""Which of llama.cpp's libraries this process runs: the fastest CPU variant, and the GPU modules,
that a probe in a child process has seen decode on this computer.

llama.cpp built as llama.cpp's releases are (GGML_BACKEND_DL, GGML_CPU_ALL_VARIANTS) ships one CPU
library per processor generation (libggml-cpu-haswell.so, ...) and one module per GPU API
(libggml-cuda.so, ...), and loads none of them until asked. A library that does not suit the
processor or the driver kills the process (SIGILL, an abort), which no Python code can catch. So an
untried combination of build, processor and library first decodes in a child (probe.py); the app
falls back to the next variant, or from the GPU to the processor, says so in words, and keeps the
verdict (probe_verdicts.py) so that later starts pay nothing."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp

from app.child_probes import death
from app.engine import ggml_lib
from app.engine.errors import EngineUnavailable
from app.engine.probe_verdicts import OK, MachineRecord, ProbeVerdicts, combination_key

logger = logging.getLogger(__name__)

_LIBRARY = re.compile(r"^(?:lib)?ggml-(?:cpu-(?P<variant>[\w.]+)|(?P<module>[a-z]+))\.(?:so|dll)$")
# Modules for a GPU or another accelerator, with the names people know them by. Not rpc: it would
# reach other machines over the network.
GPU_MODULES = {"cuda": "CUDA", "hip": "ROCm (HIP)", "musa": "MUSA", "sycl": "SYCL",
               "vulkan": "Vulkan", "metal": "Metal", "opencl": "OpenCL", "cann": "CANN",
               "blas": "BLAS"}
# Variants never to run, whatever their score says.
LEFT_OUT = {
    "sapphirerapids": "llama.cpp's Intel AMX code crashes (SIGILL in ggml_backend_amx_mul_mat, "
    "ggml-org/llama.cpp#26954); the same processors run the AVX-512 variants at full speed",
}
PROBE_TIMEOUT_S = 120
PROBE_FLAG = "--engine-probe"  # the bundle executable answers to it (packaging/launcher.py)


@dataclass(frozen=True)
class EngineBackends:
    """Which llama.cpp code this process runs and why, and what a person should know about it."""

    selection: str  # "runtime": chosen among the build's variants here; "built-in": compiled in
    cpu_variant: str
    reason: str
    gpu_modules: tuple[str, ...]  # loaded, with at least one device each ("CUDA", "Metal", ...)
    gpu_modules_built: tuple[str, ...]  # in this build, whether or not they could start here
    notices: tuple[str, ...]  # fallbacks and missing drivers, in words for a person
    # The notices about a library that crashed in a probe during this start: news to tell at once
    # (later starts remember the verdict and only list it).
    new_crashes: tuple[str, ...] = ()


@dataclass
class _Notes:
    """What to tell a person; `news` when a library it names crashed during this start."""

    known: set[str]  # libraries with a verdict from an earlier start
    all: list[str] = field(default_factory=list)
    news: list[str] = field(default_factory=list)

    def add(self, text: str, about: Sequence[str]) -> None:
        self.all.append(text)
        if any(name not in self.known for name in about):
            self.news.append(text)


@dataclass(frozen=True)
class _Outcome:
    ranking: list[str] | None
    verdicts: dict[str, str]  # library -> OK or how it died (recorded)
    unavailable: dict[str, str]  # library -> why ggml refused it (not recorded: a driver may come)


def library_name(path: Path) -> str:
    """'haswell' for libggml-cpu-haswell.so, 'cuda' for libggml-cuda.so."""
    match = _LIBRARY.match(path.name)
    if match is None:
        return path.stem
    return match["variant"] or match["module"]


def load_backends(folder: Path | None = None) -> EngineBackends:
    """Choose, probe where needed, and register this process's backends. Called once, before the
    first model loads (native.ensure_backend)."""
    if ggml_lib.registered_backends():
        return _built_in()
    folder = folder or ggml_lib.library_folder()
    variants, modules = _libraries(folder)
    if not variants:
        raise EngineUnavailable(f"no CPU library of llama.cpp was found in {folder}")
    verdicts = ProbeVerdicts(combination_key([*variants.values(), *modules], llama_cpp.__version__))
    record = verdicts.load()
    notes = _Notes(known=set(record.verdicts))
    try:
        cpu, reason = _choose_cpu(variants, record, notes)
        gpus = tuple(GPU_MODULES[library_name(m)] for m in modules
                     if _use_module(m, variants[cpu], record, notes))
    finally:
        verdicts.save(record)
    return EngineBackends("runtime", cpu, reason, gpus,
                          tuple(GPU_MODULES[library_name(m)] for m in modules),
                          tuple(notes.all), tuple(notes.news))


def forget_verdicts(folder: Path | None = None) -> None:
    """Probe this computer again at the next start (after a driver or processor change)."""
    variants, modules = _libraries(folder or ggml_lib.library_folder())
    ProbeVerdicts(combination_key([*variants.values(), *modules], llama_cpp.__version__)).forget()


def _built_in() -> EngineBackends:
    names = tuple(name for name in ggml_lib.registered_backends() if name != "CPU")
    return EngineBackends(
        "built-in", "built in",
        "this llama.cpp was compiled for one kind of processor (without GGML_BACKEND_DL), so "
        "there is no variant to choose; it may not run on other computers", names, names, ())


def _libraries(folder: Path) -> tuple[dict[str, Path], list[Path]]:
    variants, modules = {}, []
    for path in sorted(folder.iterdir()):
        match = _LIBRARY.match(path.name)
        if match is None:
            continue
        if match["variant"]:
            variants[match["variant"]] = path
        elif match["module"] in GPU_MODULES:
            modules.append(path)
    return variants, modules


def _choose_cpu(
    variants: dict[str, Path], record: MachineRecord, notes: _Notes
) -> tuple[str, str]:
    usable = {name: path for name, path in variants.items() if name not in LEFT_OUT}
    if not record.ranking:
        outcome = _probe([*usable.values()])
        record.ranking = outcome.ranking or []
        record.verdicts.update(outcome.verdicts)
    crashed: list[str] = []  # as "'haswell': SIGILL (illegal instruction)"
    failed: list[str] = []
    for name in record.ranking:
        if name not in usable:
            continue
        if name not in record.verdicts:
            record.verdicts.update(_probe([usable[name]]).verdicts)
        verdict = record.verdicts.get(name)
        if verdict != OK:
            crashed.append(f"'{name}': {verdict or 'no answer'}")
            failed.append(name)
            continue
        if ggml_lib.load_backend(usable[name]) is None:
            # The ranking was made for another processor than this process sees: an emulator,
            # or a virtual machine moved to another host. The next one down may suit it.
            logger.info("llama.cpp's %s code does not run on this processor; trying the next", name)
            continue
        best = record.ranking[0]
        if crashed:
            notes.add(
                f"In a test run on this computer, llama.cpp's fastest code for it stopped with an "
                f"error ({'; '.join(crashed)}), so Mini-Giants uses its '{name}' code instead: "
                "it works the same, a little slower.",
                failed,
            )
            return name, f"the fastest variant that passed a test run here ({best} did not)"
        if name != best:
            return name, "the fastest variant this processor runs"
        runnable = sum(1 for ranked in record.ranking if ranked in usable)
        return name, f"the fastest of the {runnable} variants this processor runs"
    raise EngineUnavailable(
        "none of llama.cpp's CPU variants ran on this processor"
        + (f" ({'; '.join(crashed)})" if crashed else "")
    )


def _use_module(module: Path, cpu: Path, record: MachineRecord, notes: _Notes) -> bool:
    name = library_name(module)
    shown = GPU_MODULES[name]
    if name not in record.verdicts:
        outcome = _probe([cpu], gpu=module)
        record.verdicts.update(outcome.verdicts)
        if name in outcome.unavailable:
            notes.add(
                f"This build can use {shown}, but it could not start here "
                f"({outcome.unavailable[name]}). Models run on the processor; installing or "
                "updating the graphics driver may help.",
                (),
            )
            return False
    verdict = record.verdicts.get(name)
    if verdict != OK:
        notes.add(
            f"The {shown} module stopped with {verdict or 'no answer'} in a test run on this "
            "computer, so models run on the processor instead. Updating the graphics driver may "
            "help; `minigiants doctor --recheck` tries again.",
            (name,),
        )
        return False
    devices = ggml_lib.load_backend(module)
    if not devices:
        notes.add(f"{shown} found no usable device this time, so models run on the processor.", ())
        return False
    return True


def _probe(variants: Sequence[Path], gpu: Path | None = None) -> _Outcome:
    """Run probe.py in a child on these libraries and read what it saw before it ended."""
    command = [*probe_command()]
    for path in variants:
        command += ["--variant", str(path)]
    if gpu is not None:
        command += ["--gpu", str(gpu)]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        output, errors, died = finished.stdout, finished.stderr, death(finished.returncode)
    except subprocess.TimeoutExpired as expired:
        output = _text(expired.stdout)
        errors = _text(expired.stderr)
        died = f"no answer within {PROBE_TIMEOUT_S} s"
    ranking, verdicts, unavailable = None, {}, {}
    trying = None
    for line in output.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "ranking" in message:
            ranking = [name for name, _score in message["ranking"]]
        trying = message.get("trying", trying)
        if "ok" in message:
            verdicts[message["ok"]] = OK
        if "failed" in message:
            verdicts[message["failed"]] = f"an error ({message['reason']})"
        if "unavailable" in message:
            unavailable[message["unavailable"]] = message["reason"]
    if trying is not None and trying not in verdicts and trying not in unavailable:
        if died is None:
            raise EngineUnavailable(f"the engine's start-up check failed: {_last_line(errors)}")
        logger.warning("llama.cpp's %s library died in the probe: %s", trying, died)
        verdicts[trying] = died
    elif ranking is None:
        raise EngineUnavailable(
            f"the engine's start-up check failed: {died or _last_line(errors)}")
    return _Outcome(ranking, verdicts, unavailable)


def probe_command() -> list[str]:
    """This program, started as the probe: the bundle's executable, or Python with our module."""
    if getattr(sys, "frozen", False):
        return [sys.executable, PROBE_FLAG]
    return [sys.executable, "-m", "app.engine.probe"]


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no reason was given"


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""
