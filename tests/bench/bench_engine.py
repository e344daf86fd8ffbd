"""Benchmark (not a test): our engine's streaming decode against llama-cpp-python's plain
`create_completion(stream=True)`, side by side in one process, plus time to first token at turn 1 and
turn 20 of a growing conversation.

    .venv/bin/python tests/bench/bench_engine.py [--model PATH] [--threads N] [--rounds R]

Both sides get the same GGUF, threads, batch size, prompt tokens and sampler settings; end-of-turn
tokens are banned on both so every reply has exactly the asked length. Runs alternate A B A B and the
medians are compared."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import llama_cpp

from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.engine.bench import run_bench
from app.engine.hardware import physical_cores
from app.hub.starter import starter_model_path

PROMPT = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "Tell me a long, detailed story about a lighthouse keeper and a storm."),
]
SAMPLING = dict(temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.1, seed=42)


def decode_rate(chunks: Iterable[object], tokens: int) -> tuple[float, float]:
    """Consume a stream; return (decode tokens/s between first and last chunk, time to first chunk)."""
    started = time.perf_counter()
    first = last = None
    for _ in chunks:
        last = time.perf_counter()
        first = first or last
    assert first is not None and last is not None and last > first
    return (tokens - 1) / (last - first), first - started


def compare_with_llama_bench(
    args: argparse.Namespace, model_path: Path, results: dict[str, object]
) -> dict[str, float]:
    """llama-bench's pure decode rate (no sampling, no Python) for each reply length, against ours."""
    lengths = ",".join(str(length) for length in args.lengths)
    output = subprocess.run(
        [str(args.llama_bench), "-m", str(model_path), "-t", str(args.threads), "-p", "0",
         "-n", lengths, "-r", str(args.rounds), "-o", "json"],
        capture_output=True, text=True, check=True,
    ).stdout
    native = {}
    for row in json.loads(output):
        length = row["n_gen"]
        native[str(length)] = row["avg_ts"]
        ours = statistics.median(results["decode"][str(length)]["ours"])  # type: ignore[index]
        print(f"decode {length:>5} tokens: ours {ours:7.1f} tok/s, llama-bench {row['avg_ts']:7.1f} "
              f"tok/s, ratio {ours / row['avg_ts']:.3f}x", flush=True)
    return native


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=physical_cores())
    parser.add_argument("--rounds", type=int, default=3, help="A/B pairs per reply length")
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 1024])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--llama-bench", type=Path,
        help="llama.cpp's own llama-bench binary (built from the same llama.cpp): compare with it too",
    )
    args = parser.parse_args()
    model_path = args.model or starter_model_path()
    options = LoadOptions(n_ctx=args.ctx, n_threads=args.threads, n_threads_batch=args.threads)

    ours = Engine.load(model_path, options)
    plain = llama_cpp.Llama(
        str(model_path), n_ctx=args.ctx, n_threads=args.threads, n_threads_batch=args.threads,
        n_batch=options.n_batch, verbose=False,
    )
    end_tokens = [t for t in range(plain.n_vocab()) if llama_cpp.llama_vocab_is_eog(plain._model.vocab, t)]
    ban = {token: float("-inf") for token in end_tokens}
    prompt_tokens = ours.tokenizer.tokenize_prompt(PROMPT)
    print(f"model {ours.facts.name} ({ours.facts.quantization}), {args.threads} threads, "
          f"prompt {len(prompt_tokens)} tokens, banned end tokens {end_tokens}", flush=True)

    results: dict[str, object] = {"model": ours.facts.name, "threads": args.threads, "decode": {}}
    for length in args.lengths:
        ours_rates, plain_rates = [], []
        for round_ in range(args.rounds):
            sampling = SamplingOptions(max_tokens=length, logit_bias=ban, **SAMPLING)  # type: ignore[arg-type]
            stream = ours.chat(PROMPT, sampling)
            rate, _ = decode_rate(stream, length)
            assert stream.stats is not None and stream.stats.completion_tokens == length
            ours_rates.append(rate)
            chunks = plain.create_completion(
                prompt_tokens, max_tokens=length, stream=True, logit_bias=ban,  # type: ignore[arg-type]
                **SAMPLING,
            )
            rate, _ = decode_rate(chunks, length)
            plain_rates.append(rate)
            print(f"  {length:>5} tokens, round {round_ + 1}: ours {ours_rates[-1]:7.1f} tok/s, "
                  f"plain {plain_rates[-1]:7.1f} tok/s", flush=True)
        a, b = statistics.median(ours_rates), statistics.median(plain_rates)
        print(f"decode {length:>5} tokens: ours {a:7.1f} tok/s, llama-cpp-python {b:7.1f} tok/s, "
              f"ratio {a / b:.3f}x", flush=True)
        results["decode"][str(length)] = {"ours": ours_rates, "plain": plain_rates, "ratio": a / b}  # type: ignore[index]
    ours.close()
    plain.close()
    if args.llama_bench:
        results["llama_bench"] = compare_with_llama_bench(args, model_path, results)

    results["ttft"] = {}
    for length in args.lengths:
        report = run_bench(
            model_path, options, turns=args.turns,
            sampling=SamplingOptions(max_tokens=length, logit_bias=ban, **SAMPLING),  # type: ignore[arg-type]
        )
        ttfts = [t.stats.time_to_first_token_s or 0.0 for t in report.turns]
        for t in report.turns:
            s = t.stats
            print(f"  reply {length:>5}, turn {t.turn:>2}: prompt {s.prompt_tokens:>5} "
                  f"({s.evaluated_tokens:>5} evaluated, {len(s.dropped_messages):>2} messages left out) "
                  f"TTFT {1000 * (s.time_to_first_token_s or 0):7.1f} ms", flush=True)
        print(f"TTFT reply {length:>5}: turn 1 {1000 * ttfts[0]:.1f} ms, turn {len(ttfts)} "
              f"{1000 * ttfts[-1]:.1f} ms, ratio {ttfts[-1] / ttfts[0]:.2f}x", flush=True)
        results["ttft"][str(length)] = {"per_turn_s": ttfts, "ratio": ttfts[-1] / ttfts[0]}  # type: ignore[index]

    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
