"""Install llama-cpp-python into the running Python's environment, built the way llama.cpp's own
releases are: every CPU variant, one chosen at run time (GGML_BACKEND_DL, GGML_CPU_ALL_VARIANTS,
GGML_NATIVE off), so that the same libraries run on any x86-64 or ARM computer, plus the
person's own CMAKE_ARGS (-DGGML_CUDA=on, -DGGML_VULKAN=on, ...). `make setup` runs it.

pip's wheel cache does not key on CMAKE_ARGS: a wheel built earlier with other options (native,
CPU-only) would silently come back. So the wheel is built here with pip's cache off, kept in a
folder named after the version and every option, and installed from that folder only.

Usage: python packaging/install_llama.py [--print-options]"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shlex
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTABLE = [
    "-DGGML_NATIVE=OFF",
    "-DGGML_BACKEND_DL=ON",
    "-DGGML_CPU_ALL_VARIANTS=ON",
    # The variants next to libllama and libggml, where the engine looks (not in site-packages/bin).
    "-DCMAKE_INSTALL_BINDIR=llama_cpp/lib",
    # llama-cpp-python's multimodal library: Mini-Giants does not use it.
    "-DLLAVA_BUILD=OFF",
]
# GCC's generic tuning (what a build for every x86-64 gets, unlike -march=native) zeroes small
# fixed-size arrays with `rep stosq`, slow to start on every x86 core: measured, it made llama.cpp's
# F16 matrix kernel (attention over the KV cache) cost 1.6 times what it costs in a native build.
# Short copies and fills as vector loops, longer ones through the C library, as -march=native does.
GCC_X86_STRING_OPS = ("-mmemset-strategy=vector_loop:512:noalign,libcall:-1:noalign "
                      "-mmemcpy-strategy=vector_loop:512:noalign,libcall:-1:noalign")
MARKER = Path(sys.prefix) / ".mini-giants-llama-build"


def pinned_version() -> str:
    """The one version pyproject.toml names, so that the two never disagree."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'"llama-cpp-python==([^";]+)"', text)
    if match is None:
        sys.exit("pyproject.toml must pin llama-cpp-python with ==")
    return match[1].strip()


def build_options() -> list[str]:
    """The portable options, tuned for GCC on x86-64, then the person's (which win)."""
    tuning = []
    if platform.machine().lower() in ("x86_64", "amd64") and _compiler_is_gcc():
        tuning = [f"-DCMAKE_C_FLAGS={GCC_X86_STRING_OPS}", f"-DCMAKE_CXX_FLAGS={GCC_X86_STRING_OPS}"]
    return [*PORTABLE, *tuning, *shlex.split(os.environ.get("CMAKE_ARGS", ""))]


def _compiler_is_gcc() -> bool:
    """Whether CMake will compile with GCC: the compiler CXX names, else the system's c++."""
    try:
        version = subprocess.run([os.environ.get("CXX") or "c++", "--version"],
                                 capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return "Free Software Foundation" in version and "clang" not in version.lower()


def wheel_folder(version: str, options: list[str]) -> Path:
    """One folder per version, Python, platform, compiler and option list."""
    identity = "\n".join([
        version, sysconfig.get_platform(), sys.implementation.cache_tag or "",
        os.environ.get("CC", ""), os.environ.get("CXX", ""), *options,
    ])
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "mini-giants" / "llama-wheels" / f"{version}-{key}"


def main() -> int:
    version = pinned_version()
    options = build_options()
    if "--print-options" in sys.argv:
        print(shlex.join(options))
        return 0
    folder = wheel_folder(version, options)
    if MARKER.exists() and MARKER.read_text() == str(folder):
        print(f"llama-cpp-python {version} already installed as built in {folder}")
        return 0
    pip = [sys.executable, "-m", "pip"]
    if not any(folder.glob("llama_cpp_python-*.whl")):
        print(f"Building llama-cpp-python {version} with: {' '.join(options)}", flush=True)
        print("(once per set of options; about 10 minutes on 2 cores)", flush=True)
        started = time.monotonic()
        building = folder.with_name(folder.name + ".partial")
        subprocess.run([*pip, "wheel", "--no-deps", "--no-cache-dir", "--no-binary",
                        "llama-cpp-python", "--wheel-dir", str(building),
                        f"llama-cpp-python=={version}"],
                       env={**os.environ, "CMAKE_ARGS": shlex.join(options)}, check=True)
        building.replace(folder)
        print(f"Built in {(time.monotonic() - started) / 60:.1f} minutes", flush=True)
    subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", "--no-index",
                    "--find-links", str(folder), f"llama-cpp-python=={version}"], check=True)
    MARKER.write_text(str(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
