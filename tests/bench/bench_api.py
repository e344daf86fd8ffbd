"""Benchmark (not a test): what the two doors of issue 17 cost in decoding speed.

1. Through `minigiants serve` with the official `openai` client, against the same engine called in
   this process (same model, threads, context, prompt and reply length).
2. Through Mini-Giants' client for your own server (app/remote), against the `openai` client
   calling that server directly; the server is llama-cpp-python's own (`llama_cpp.server`).

Every reply is exactly --tokens long (the end tokens are banned) and greedy. Decoding speed is
(tokens - 1) / (time from the first to the last token), measured where the tokens arrive. The two
sides of a pair alternate which goes first, the ratio is taken within each round (a busy
neighbour on a shared machine weighs on both) and its median reported.

    .venv/bin/python tests/bench/bench_api.py [--rounds R] [--tokens N] [--threads T] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions  # noqa: E402
from app.hub.starter import starter_model_path  # noqa: E402
from app.remote.address import server_address  # noqa: E402
from app.remote.client import RemoteServer  # noqa: E402
from app.remote.remote_model import RemoteModel  # noqa: E402
from tests.remote.llama_cpp_server import llama_cpp_server  # noqa: E402

QUESTION = "Tell me a long story about a lighthouse keeper and the sea."
ENDS = (0, 1, 2)  # the starter model's end-of-text, start and end of turn
N_CTX = 2048


def rate(arrivals: list[float]) -> float:
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def stream_rate(client: openai.OpenAI, model: str, tokens: int) -> float:
    """Decoding tokens/s of one streamed reply, timed as its text arrives: the tokens after the
    first over the time from the first text to the last. A server may send several tokens in one
    chunk (Mini-Giants does when they come fast), so they are counted from the usage it reports,
    or one a chunk when it reports none (llama_cpp.server sends one token a chunk)."""
    arrivals, counted = [], None
    for chunk in client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": QUESTION}], temperature=0,
            max_tokens=tokens, logit_bias={str(t): -100 for t in ENDS}, stream=True,
            stream_options={"include_usage": True}):
        if chunk.usage is not None:
            counted = chunk.usage.completion_tokens
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.perf_counter())
    if counted is None:
        return rate(arrivals)
    return (counted - 1) / (arrivals[-1] - arrivals[0])


def paired(rounds: int, first: Callable[[], float], second: Callable[[], float]
           ) -> tuple[list[float], list[float], list[float]]:
    """Each round runs both, alternating the order; the rates and second/first per round."""
    ones, twos, ratios = [], [], []
    for index in range(rounds):
        if index % 2:
            two, one = second(), first()
        else:
            one, two = first(), second()
        ones.append(one)
        twos.append(two)
        ratios.append(two / one)
    return ones, twos, ratios


def serve_against_in_process(model: Path, args: argparse.Namespace) -> dict[str, object]:
    sampling = SamplingOptions(temperature=0, max_tokens=args.tokens,
                               logit_bias={t: float("-inf") for t in ENDS})
    options = LoadOptions(n_ctx=N_CTX, n_threads=args.threads, n_threads_batch=args.threads)
    with tempfile.TemporaryDirectory() as home, Engine.load(model, options) as engine:
        env = {**os.environ, "MINIGIANTS_HOME": home,
               "MINIGIANTS_PASSPHRASE": "benchmark harbor lantern violet"}
        subprocess.run([sys.executable, "-m", "app.cli", "vault", "init"], env=env, check=True,
                       capture_output=True)
        serve = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", "0", "--ctx", str(N_CTX),
             "--threads", str(args.threads), "--model", str(model), "--show-key"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert serve.stderr is not None and serve.stdout is not None
            said = serve.stderr.readline().split()
            served, url, key = said[1], said[3], serve.stdout.readline().strip()

            def in_process() -> float:
                stream = engine.chat([ChatMessage("user", QUESTION)], sampling)
                arrivals = []
                for _ in stream:
                    arrivals.append(time.perf_counter())
                return rate(arrivals)

            with openai.OpenAI(base_url=url, api_key=key, max_retries=0) as client:
                stream_rate(client, served, 8)  # warm both
                in_process()
                ones, twos, ratios = paired(args.rounds, in_process,
                                            lambda: stream_rate(client, served, args.tokens))
        finally:
            serve.terminate()
            serve.wait()
    return report("in process", "through serve (openai client)", ones, twos, ratios)


def remote_against_direct(model: Path, args: argparse.Namespace) -> dict[str, object]:
    key = "benchmark-key"
    sampling = SamplingOptions(temperature=0, max_tokens=args.tokens,
                               logit_bias={t: float("-inf") for t in ENDS})
    with llama_cpp_server(model, key) as (url, _process), \
            openai.OpenAI(base_url=url, api_key=key, max_retries=0) as direct, \
            RemoteServer(server_address(url), key) as ours:
        name = ours.models()[0]

        chosen = RemoteModel.on(ours, name)  # what the app's engine thread holds

        def through_ours() -> float:
            arrivals = []
            for _ in chosen.chat([ChatMessage("user", QUESTION)], sampling):
                arrivals.append(time.perf_counter())
            return rate(arrivals)

        stream_rate(direct, name, 8)
        ones, twos, ratios = paired(args.rounds, lambda: stream_rate(direct, name, args.tokens),
                                    through_ours)
    return report("llama_cpp.server directly (openai client)",
                  "llama_cpp.server as your server (app/remote)", ones, twos, ratios)


def report(first: str, second: str, ones: list[float], twos: list[float],
           ratios: list[float]) -> dict[str, object]:
    quartiles = statistics.quantiles(ratios, n=4)
    return {"baseline": first, "measured": second,
            "baseline_tokens_per_s": statistics.median(ones),
            "measured_tokens_per_s": statistics.median(twos),
            "ratio_median": statistics.median(ratios),
            "ratio_quartiles": [quartiles[0], quartiles[2]], "rounds": len(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = starter_model_path()
    results = [serve_against_in_process(model, args), remote_against_direct(model, args)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for result in results:
        low, high = result["ratio_quartiles"]  # type: ignore[misc]
        print(f"{result['measured']} / {result['baseline']}: "
              f"{result['measured_tokens_per_s']:.1f} / {result['baseline_tokens_per_s']:.1f} "
              f"tok/s; per-round ratio median {result['ratio_median']:.3f} "
              f"(quartiles {low:.3f} - {high:.3f}, {result['rounds']} rounds)")


if __name__ == "__main__":
    main()
