"""llama.cpp's code chosen for the processor at run time: the fastest variant a probe in a child saw
decode, remembered; a variant that crashes in the probe is skipped with a message and the app goes
on; a GPU module that cannot load means the processor; older processors (under qemu) get their own
variant and chat. Each start is a fresh process: a process chooses its backends once."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.engine.backends import LEFT_OUT
from app.engine.ggml_lib import library_folder
from app.engine.probe import CRASH_HOOK
from app.engine.probe_verdicts import FILE_NAME, OK

START = Path(__file__).with_name("engine_start.py")
ROOT = START.parents[2]


def start(home: Path, *args: str, hook: str | None = None, prefix: tuple[str, ...] = (),
          timeout: float = 120) -> dict:
    env = {**os.environ, "MINIGIANTS_HOME": str(home)}
    env.pop(CRASH_HOOK, None)
    if hook is not None:
        env[CRASH_HOOK] = hook
    finished = subprocess.run([*prefix, sys.executable, str(START), *args], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=timeout, check=False)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def verdicts(home: Path) -> dict:
    (record,) = json.loads((home / FILE_NAME).read_text()).values()
    return record


def runtime_selected() -> bool:
    return any(path.name.startswith(("libggml-cpu-", "ggml-cpu-"))
               for path in library_folder().iterdir())


needs_variants = pytest.mark.skipif(
    not runtime_selected(), reason="this llama.cpp was built without its CPU variants "
    "(packaging/install_llama.py builds them)")


@needs_variants
def test_the_fastest_variant_that_decodes_is_chosen_and_remembered(tmp_path: Path) -> None:
    first = start(tmp_path)
    backends = first["backends"]
    record = verdicts(tmp_path)
    assert backends["selection"] == "runtime"
    assert backends["cpu_variant"] == record["ranking"][0]
    assert record["verdicts"][backends["cpu_variant"]] == OK
    assert "the fastest of the" in backends["reason"]
    assert backends["notices"] == [] and backends["new_crashes"] == []
    assert first["tokens"] > 0 and first["reply"].strip()
    assert not set(LEFT_OUT) & set(record["ranking"]), "the AMX variant is never a candidate"

    # The next start asks no probe: one that crashed on the chosen variant would change the choice.
    again = start(tmp_path, hook=backends["cpu_variant"])
    assert again["backends"] == backends


@needs_variants
def test_a_variant_that_crashes_in_the_probe_is_skipped_and_the_app_goes_on(tmp_path: Path) -> None:
    best = start(tmp_path / "plain")["backends"]["cpu_variant"]
    ranking = verdicts(tmp_path / "plain")["ranking"]
    assert len(ranking) >= 2, "every processor runs at least two variants (x64 and sse42 on x86-64)"

    crashed = start(tmp_path / "crash", hook=best)
    backends = crashed["backends"]
    assert backends["cpu_variant"] == ranking[1]
    (notice,) = backends["notices"]
    assert f"'{best}': SIGILL (illegal instruction)" in notice
    assert f"'{ranking[1]}' code instead" in notice
    assert backends["new_crashes"] == [notice], "told at once, the first time"
    assert f"({best} did not)" in backends["reason"]
    assert crashed["tokens"] > 0, "the app went on to chat"
    assert verdicts(tmp_path / "crash")["verdicts"][best].startswith("SIGILL")

    later = start(tmp_path / "crash")["backends"]
    assert later["cpu_variant"] == ranking[1] and later["notices"] == [notice]
    assert later["new_crashes"] == [], "a known crash is listed, not announced again"


@needs_variants
def test_a_gpu_module_that_cannot_load_means_the_processor_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    for path in library_folder().iterdir():
        (folder / path.name).symlink_to(path)
    (folder / "libggml-vulkan.so").write_bytes(b"not a library: a driver-less machine's stand-in")

    started = start(tmp_path / "home", str(folder))
    backends = started["backends"]
    assert backends["gpu_modules"] == []
    (notice,) = backends["notices"]
    assert "This build can use Vulkan, but it could not start here" in notice
    assert "Models run on the processor" in notice
    assert started["tokens"] > 0


QEMU = shutil.which("qemu-x86_64")


@needs_variants
@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 processors only")
@pytest.mark.skipif(QEMU is None, reason="qemu-x86_64 (Debian: qemu-user) is not installed")
@pytest.mark.parametrize(("processor", "variant", "features"), [
    ("Haswell-v4", "haswell", {"AVX2", "FMA", "F16C"}),
    ("Nehalem", "sse42", {"SSE3", "SSSE3"}),
])
def test_an_older_processor_gets_its_own_variant_and_chats(
        tmp_path: Path, processor: str, variant: str, features: set[str]) -> None:
    assert QEMU is not None
    started = start(tmp_path, prefix=(QEMU, "-cpu", processor), timeout=600)
    assert started["backends"]["cpu_variant"] == variant
    assert features <= set(started["features"])
    assert "AVX512" not in started["features"]
    assert started["tokens"] > 0 and started["reply"].strip()
