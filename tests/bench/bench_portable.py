"""Benchmark (not a test): the portable llama.cpp build (every CPU variant, the best chosen at run
time) against a build compiled with -march=native for this very machine (AMX off), on the same
model, threads and prompts. Each round starts one fresh process per build, alternating which goes
first, and reports prompt and decode tokens/s. The ratio is taken within each round (the two runs
sit side by side, so a busy neighbour on a shared machine weighs on both) and its median reported.

    .venv/bin/python tests/bench/bench_portable.py [--native DIR] [--rounds R] [--json]

The native build is made once into DIR (default build/llama-native) with pip, with the same
llama-cpp-python version; a process uses it when DIR comes first on PYTHONPATH."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
from install_llama import pinned_version  # noqa: E402

NATIVE_OPTIONS = [
    "-DGGML_NATIVE=ON", "-DLLAVA_BUILD=OFF",
    # The AMX kernels crash (ggml-org/llama.cpp#26954): the baseline is native without them.
    "-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16",
    "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16",
]
PROMPTS = [  # about 500 tokens each: long enough for a steady prompt rate
    "Write a detailed guide to keeping a vegetable garden through a dry summer: " * 35,
    "Explain, step by step, how a steam locomotive turns coal into motion, and why " * 35,
    "Describe a walk through an old harbour town at dawn, with its sounds and smells " * 35,
]
REPLY_TOKENS = 128


def build_native(folder: Path) -> float:
    """pip-build llama-cpp-python with -march=native into `folder`; minutes it took."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as wheels:
        options = " ".join(f'"{option}"' if " " in option else option
                           for option in NATIVE_OPTIONS)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir",
                        "--no-binary", "llama-cpp-python", "--wheel-dir", wheels,
                        f"llama-cpp-python=={pinned_version()}"],
                       env={**os.environ, "CMAKE_ARGS": options}, stdout=sys.stderr, check=True)
        (wheel,) = Path(wheels).glob("*.whl")
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target",
                        str(folder), str(wheel)], stdout=sys.stderr, check=True)
    return (time.monotonic() - started) / 60


def measure() -> dict[str, object]:
    """In a fresh process: load the starter model, answer each prompt with exactly REPLY_TOKENS."""
    from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
    from app.engine.hardware import hardware_report
    from app.hub.starter import starter_model_path

    report = hardware_report()
    prompt_rates, decode_rates = [], []
    with Engine.load(starter_model_path(), LoadOptions(n_ctx=2048, seed=1)) as engine:
        ban_end = {token: -1e9 for token in _end_tokens(engine)}
        for text in PROMPTS:
            stream = engine.chat([ChatMessage("user", text)], SamplingOptions(
                temperature=0, max_tokens=REPLY_TOKENS, logit_bias=ban_end, repeat_penalty=1.0))
            for _ in stream:
                pass
            assert stream.stats is not None and stream.stats.completion_tokens == REPLY_TOKENS
            prompt_rates.append(stream.stats.prompt_tokens_per_s)
            decode_rates.append(stream.stats.decode_tokens_per_s)
    return {"code": report.backends.cpu_variant, "features": report.cpu_features,
            "prompt": statistics.median(prompt_rates), "decode": statistics.median(decode_rates)}


def _end_tokens(engine: object) -> list[int]:
    import llama_cpp

    model = engine._model  # type: ignore[attr-defined]
    count = llama_cpp.llama_vocab_n_tokens(model.vocab)
    return [token for token in range(count) if model.is_end_of_generation(token)]


def run_child(native: Path | None) -> dict[str, object]:
    env = dict(os.environ)
    if native is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(native), str(ROOT)])
    with tempfile.TemporaryDirectory() as home:
        env["MINIGIANTS_HOME"] = home
        output = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--native", type=Path, default=ROOT / "build" / "llama-native")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return 0
    build_minutes = None
    if not (args.native / "llama_cpp").is_dir():
        build_minutes = build_native(args.native)
    runs: dict[str, list[dict[str, object]]] = {"portable": [], "native": []}
    for round_ in range(args.rounds):
        order = ["portable", "native"] if round_ % 2 == 0 else ["native", "portable"]
        for name in order:
            result = run_child(args.native if name == "native" else None)
            runs[name].append(result)
            if not args.json:
                print(f"round {round_ + 1} {name:8} ({result['code']}): prompt "
                      f"{result['prompt']:.1f} tok/s, decode {result['decode']:.1f} tok/s",
                      flush=True)
    summary: dict[str, object] = {"rounds": args.rounds, "native_build_minutes": build_minutes}
    for name, results in runs.items():
        summary[name] = {
            "code": results[0]["code"],
            "prompt_tokens_per_s": statistics.median(float(r["prompt"]) for r in results),
            "decode_tokens_per_s": statistics.median(float(r["decode"]) for r in results),
        }
    for rate in ("prompt", "decode"):
        summary[f"{rate}_ratio"] = statistics.median(
            float(portable[rate]) / float(native[rate])
            for portable, native in zip(runs["portable"], runs["native"]))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"portable/native: prompt {summary['prompt_ratio']:.3f}, "
              f"decode {summary['decode_ratio']:.3f} (medians of the {args.rounds} rounds' ratios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
