"""The engine probe, run as a child process by backends.py: rank llama.cpp's CPU variants for this
processor, then load the best one (and a GPU module, if asked) and decode a few tokens of a tiny
model with it. If the library does not suit the processor or the driver, this child dies of it
(SIGILL, an abort), not the app.

It answers with one JSON object per line on stdout, each flushed at once, so that the parent knows
what was being tried when the child died:
  {"ranking": [["haswell", 189], ...]}   every CPU variant given that this processor runs, best first
  {"trying": "haswell"}                   loading and decoding with this library now
  {"ok": "haswell", "devices": [...]}     it decoded
  {"unavailable": "cuda", "reason": ...}  ggml refused the library: a driver or device missing
  {"failed": "cuda", "reason": ...}       it loaded, but llama.cpp reported an error with it

Usage: python -m app.engine.probe --variant PATH [--variant PATH ...] [--gpu PATH]"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.child_probes import crash_as_asked, no_core_dumps
from app.engine import ggml_lib, llama_log, native
from app.engine.backends import EngineBackends, library_name
from app.engine.errors import EngineError
from app.engine.messages import LoadOptions
from app.engine.probe_model import write_probe_model

# Tests make a chosen library "crash" here, to see the app survive and fall back.
CRASH_HOOK = "MINIGIANTS_TEST_PROBE_CRASH"
PROMPT_TOKENS = 48  # more than 32: llama.cpp's batched matrix paths (repack, AMX) start there
DECODED_TOKENS = 4


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minigiants --engine-probe")
    parser.add_argument("--variant", type=Path, action="append", required=True)
    parser.add_argument("--gpu", type=Path)
    args = parser.parse_args(argv)
    no_core_dumps()

    ranking = sorted(((path, ggml_lib.variant_score(path)) for path in args.variant),
                     key=lambda item: item[1], reverse=True)
    runnable = [(path, score) for path, score in ranking if score > 0]
    _say(ranking=[[library_name(path), score] for path, score in runnable])
    if not runnable:
        return 0
    cpu = runnable[0][0]
    _say(trying=library_name(cpu))
    _crash_if_asked(cpu)
    if ggml_lib.load_backend(cpu) is None:
        _say(failed=library_name(cpu), reason="ggml refused it")
        return 0
    chosen = EngineBackends("runtime", library_name(cpu), "the probe's choice", (), (), ())
    with tempfile.TemporaryDirectory(prefix="minigiants-probe-") as folder:
        model = write_probe_model(Path(folder) / "probe.gguf")
        if not _decoded(library_name(cpu), model, chosen, gpu_layers=0) or args.gpu is None:
            return 0
        name = library_name(args.gpu)
        _say(trying=name)
        _crash_if_asked(args.gpu)
        with llama_log.capture_problems() as problems:
            device_count = ggml_lib.load_backend(args.gpu)
        if not device_count:
            reason = problems[-1] if problems else "it found no device"
            _say(unavailable=name, reason=reason)
            return 0
        _decoded(name, model, chosen, gpu_layers=-1)
    return 0


def _say(**message: object) -> None:
    print(json.dumps(message), flush=True)


def _crash_if_asked(path: Path) -> None:
    if os.environ.get(CRASH_HOOK) == library_name(path):
        crash_as_asked()


def _decoded(name: str, path: Path, chosen: EngineBackends, *, gpu_layers: int) -> bool:
    """Load the model and decode with it; say how it went."""
    native.ensure_backend(lambda: chosen)
    options = LoadOptions(n_ctx=256, n_batch=64, n_gpu_layers=gpu_layers)
    try:
        model = native.Model(path, options)
    except EngineError as error:
        _say(failed=name, reason=error.message)
        return False
    try:
        context = native.Context(model, path, options, threads=2)
        try:
            status = context.decode(list(range(1, PROMPT_TOKENS + 1)))
            for token in range(DECODED_TOKENS):
                status = status or context.decode([token + 1])
            context.synchronize()
        finally:
            context.close()
    except EngineError as error:
        _say(failed=name, reason=error.message)
        return False
    finally:
        model.close()
    if status != native.DECODE_OK:
        _say(failed=name, reason=f"llama_decode returned {status}")
        return False
    _say(ok=name, devices=[d.description or d.name for d in ggml_lib.devices() if d.kind != "cpu"])
    return True


if __name__ == "__main__":
    sys.exit(main())
