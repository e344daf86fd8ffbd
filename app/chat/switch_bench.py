"""Measure going back to a conversation (`minigiants bench --switch`): one conversation of about
2,500 tokens, its first turn (cold), its next turn (warm), and a turn after one in another
conversation (return), with the time to restore its kept KV cache and the bytes kept for it; the
same return with the cache not kept, as the app did before (the baseline); and the return after a
restart, as a person has it: a new process (`minigiants chat --conversation`) in a fresh data
folder, the vault unlocked, the cache its previous turn sealed read back, opened and restored.
The model's load and the unlock are not counted, as they are not in a time to first token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.datadir import HOME_VARIABLE
from app.engine.engine import Engine
from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    SamplingOptions,
)
from app.errors import MiniGiantsError

SYSTEM = "You are a helpful assistant."
LONG_WORDS = 2150  # about 2,500 tokens of this prose with SmolLM2's tokenizer


def long_text(words: int) -> str:
    """Varied English prose, so the tokenizer cannot merge it into a few tokens."""
    vocabulary = (
        "river mountain lantern quiet harbor garden window silver morning letter bridge meadow "
        "candle thunder orchard pebble violin compass feather market winter station"
    ).split()
    return " ".join(vocabulary[(i * 7 + i // 5) % len(vocabulary)] for i in range(words))


class RestartFailed(MiniGiantsError):
    def __init__(self, command: str, said: str) -> None:
        super().__init__(f"The restart's `minigiants {command}` failed: {said}",
                         "Run that command by hand to see why.")


@dataclass(frozen=True)
class SwitchReport:
    model: str
    conversation_tokens: int  # the prompt of the return turn
    cold_ttft_s: float
    warm_ttft_s: float
    return_ttft_s: float  # restoring the kept cache included
    unkept_return_ttft_s: float  # the same return with the cache not kept: the baseline
    restart_ttft_s: float  # a new process: reading and opening the sealed cache included
    restore_s: float
    cold_evaluated: int
    return_evaluated: int
    restart_evaluated: int
    state_bytes: int  # kept for the conversation while another one was used


def run_switch_bench(path: str | Path, options: LoadOptions, sampling: SamplingOptions
                     ) -> SwitchReport:
    with Engine.load(path, options) as engine:
        engine.switch_to("long")
        question = f"Read this and tell me what it evokes: {long_text(LONG_WORDS)}"
        history = [ChatMessage("system", SYSTEM), ChatMessage("user", question)]
        cold = _reply(engine, history, sampling)
        history = _then(history, cold, "And in one sentence?")
        warm = _reply(engine, history, sampling)
        history = _then(history, warm, "Which word comes up most?")
        engine.switch_to("other")
        _reply(engine, [ChatMessage("system", SYSTEM), ChatMessage("user", "Say hello.")],
               sampling)
        state_bytes = engine.states.kept_bytes
        began = time.perf_counter()
        engine.switch_to("long")
        restore_s = time.perf_counter() - began
        back = _reply(engine, history, sampling)
        engine.switch_to("other")
        engine.states.forget("long")
        engine.switch_to("long")
        unkept = _reply(engine, history, sampling)
        model = engine.facts.name
    restart_ttft_s, restart_evaluated = _restart_in_new_process(path, options, sampling, question)
    (_, cold_stats), (_, warm_stats), (_, back_stats), (_, unkept_stats) = cold, warm, back, unkept
    return SwitchReport(
        model=model,
        conversation_tokens=back_stats.prompt_tokens,
        cold_ttft_s=cold_stats.time_to_first_token_s or 0.0,
        warm_ttft_s=warm_stats.time_to_first_token_s or 0.0,
        return_ttft_s=restore_s + (back_stats.time_to_first_token_s or 0.0),
        unkept_return_ttft_s=unkept_stats.time_to_first_token_s or 0.0,
        restart_ttft_s=restart_ttft_s,
        restore_s=restore_s,
        cold_evaluated=cold_stats.evaluated_tokens,
        return_evaluated=back_stats.evaluated_tokens,
        restart_evaluated=restart_evaluated,
        state_bytes=state_bytes,
    )


def _restart_in_new_process(path: str | Path, options: LoadOptions, sampling: SamplingOptions,
                            question: str) -> tuple[float, int]:
    """Two turns of `minigiants chat` in a fresh data folder with a new vault: the first saves
    the conversation and seals its cache as the process ends; the second, a new process, is the
    return after a restart. Its time to first token, with the sealed cache's restore, and what
    it evaluated."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, HOME_VARIABLE: home}
        passphrase = Path(home, "passphrase")  # a throwaway vault's, in a private temporary folder
        passphrase.write_text("quiet benchmark harbor lantern " + os.urandom(8).hex())
        unlock = ["--passphrase-file", str(passphrase)]
        _cli(env, "vault", "init", *unlock)
        common = [*unlock, "--model", str(path), "--ctx", str(options.n_ctx),
                  "--gpu-layers", str(options.n_gpu_layers).replace("-1", "all"),
                  *(["--threads", str(options.n_threads)] if options.n_threads else []),
                  "--json", "--temperature", str(sampling.temperature),
                  "--max-tokens", str(sampling.max_tokens), "--seed", str(sampling.seed or 0)]
        first = _cli(env, "chat", *common, "--system", SYSTEM, "--save", question)
        restarted = _cli(env, "chat", *common, "--conversation", str(first["conversation"]),
                         "And in one sentence?")
    stats = restarted["stats"]
    return restarted["cache_restore_s"] + (stats["time_to_first_token_s"] or 0.0), \
        stats["evaluated_tokens"]


def _cli(env: dict[str, str], *arguments: str) -> dict[str, object]:
    """Run the CLI in a new process; what its --json printed last, if anything."""
    done = subprocess.run([sys.executable, "-m", "app.cli", *arguments], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise RestartFailed(arguments[0], done.stderr.strip()[-2000:])
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


def _reply(engine: Engine, messages: list[ChatMessage], sampling: SamplingOptions
           ) -> tuple[str, GenerationStats]:
    stream = engine.chat(messages, sampling)
    for _ in stream:
        pass
    assert stream.stats is not None
    return stream.text, stream.stats


def _then(history: list[ChatMessage], reply: tuple[str, GenerationStats], question: str
          ) -> list[ChatMessage]:
    return [*history, ChatMessage("assistant", reply[0]), ChatMessage("user", question)]
