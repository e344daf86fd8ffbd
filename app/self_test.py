"""`minigiants --self-test`: does this installation work, end to end, on this machine? It loads a
model (the one given, else the starter model), runs one short chat turn, keeps it in a temporary
encrypted vault, locks and unlocks the vault and reads the turn back, and checks that none of it is
readable in the vault's file; then the safety net judges two sentences. Each step is reported as
it ends; the first failure stops the run and says why. Nothing is kept: the vault lives in a
temporary folder that is removed afterwards."""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app import __version__
from app.errors import MiniGiantsError

if TYPE_CHECKING:  # llama.cpp is imported when the test runs, so that an import failure is a step
    from app.engine import ChatStream, Engine, HardwareReport

T = TypeVar("T")
QUESTION = "Say hello in five words."
REPLY_TOKENS = 24


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    detail: str
    seconds: float


class SelfTestFailed(MiniGiantsError):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"Self-test failed at “{step}”: {reason}",
                         "Run `minigiants doctor` for the hardware and versions, and report both.")


def run_self_test(model: Path | None, report: Callable[[Step], None], *, gpu_layers: int = 0,
                  extra_checks: Sequence[tuple[str, Callable[[], str]]] = ()) -> list[Step]:
    """Run every step, calling `report` as each ends; raises SelfTestFailed at the first failure.
    `extra_checks` are further (name, check returning what it saw) pairs, e.g. the GUI toolkit's,
    run after the others."""
    from app.engine import (
        ChatMessage,
        Engine,
        LoadOptions,
        SamplingOptions,
        hardware_report,
    )
    from app.hub.starter import starter_model_path

    steps: list[Step] = []

    def step(name: str, action: Callable[[], tuple[T, str]]) -> T:
        started = time.perf_counter()
        try:
            value, detail = action()
        except MiniGiantsError as error:
            failed = Step(name, False, error.message, time.perf_counter() - started)
            steps.append(failed)
            report(failed)
            raise SelfTestFailed(name, error.message) from None
        except Exception as error:  # noqa: BLE001 - a self-test reports whatever breaks
            reason = f"{type(error).__name__}: {error}"
            steps.append(Step(name, False, reason, time.perf_counter() - started))
            report(steps[-1])
            raise SelfTestFailed(name, reason) from None
        done = Step(name, True, detail, time.perf_counter() - started)
        steps.append(done)
        report(done)
        return value

    step("hardware", lambda: (None, _hardware(hardware_report())))
    path = step("find the model", lambda: _found(model or starter_model_path()))
    options = LoadOptions(n_ctx=1024, n_gpu_layers=gpu_layers, seed=1)
    engine = step("load the model", lambda: _loaded(Engine.load(path, options), gpu_layers))
    with engine, tempfile.TemporaryDirectory(prefix="minigiants-self-test-") as folder:
        messages = [ChatMessage("user", QUESTION)]
        reply = step("one chat turn", lambda: _answered(
            engine.chat(messages, SamplingOptions(temperature=0.0, max_tokens=REPLY_TOKENS))))
        passphrase = secrets.token_urlsafe(16)
        vault_path = Path(folder) / "vault.db"
        step("encrypt the turn", lambda: _stored(vault_path, passphrase, reply))
        step("decrypt it again", lambda: _read_back(vault_path, passphrase, reply))
        step("nothing readable on disk", lambda: _sealed(Path(folder), reply))
    step("the safety net", lambda: (None, _safety_net()))
    for name, check in extra_checks:
        step(name, lambda: (None, check()))  # noqa: B023 - called at once, in this turn
    return steps


def _safety_net() -> str:
    """The patterns and the learned detector, with the embedding models from their packages."""
    from app.journal.safety import check
    from app.journal.sentence_embedding import embedder

    if not check("I want to end my life tonight").flagged or check(
            "What a lovely walk in the park today").flagged:
        raise RuntimeError("it misjudged its own two test sentences")
    chosen = embedder()
    return f"the crisis detector reads with {chosen.name} ({chosen.reason})"


def _hardware(report: HardwareReport) -> str:
    backend = "this build can offload to a GPU" if report.gpu_offload else "CPU-only build"
    engine = report.backends
    notes = "".join(f"; note: {notice}" for notice in engine.notices)
    return (f"{report.cpu_name}, {report.physical_cores} cores, {backend}, "
            f"llama-cpp-python {report.llama_cpp_python}, its '{engine.cpu_variant}' code "
            f"({engine.reason}){notes}")


def _found(path: Path) -> tuple[Path, str]:
    from app.engine import ModelFileMissing

    if not path.is_file():
        raise ModelFileMissing(path)
    return path, f"{path.name} ({path.stat().st_size / 2**20:.0f} MiB)"


def _loaded(engine: Engine, gpu_layers: int) -> tuple[Engine, str]:
    facts = engine.facts
    where = "on the processor" if gpu_layers == 0 else \
        "all layers to the GPU" if gpu_layers < 0 else f"{gpu_layers} layers to the GPU"
    return engine, f"{facts.name} {facts.quantization}, context {engine.n_ctx}, {where}"


def _answered(stream: ChatStream) -> tuple[str, str]:
    reply = "".join(stream)
    stats = stream.stats
    if not reply.strip() or stats is None:
        raise RuntimeError("the model gave no reply")
    rate = f", {stats.decode_tokens_per_s:.0f} tokens/s" if stats.decode_tokens_per_s else ""
    return reply, f"{stats.completion_tokens} tokens{rate}: {reply.strip()[:60]!r}"


def _stored(path: Path, passphrase: str, reply: str) -> tuple[None, str]:
    from app.vault.store import Vault

    with Vault.create(path, passphrase) as vault:
        conversation = vault.conversations.create("Self-test")
        vault.conversations.add_message(conversation.id, "user", QUESTION)
        vault.conversations.add_message(conversation.id, "assistant", reply)
    return None, "Argon2id key, sealed rows, vault closed"


def _read_back(path: Path, passphrase: str, reply: str) -> tuple[None, str]:
    from app.vault.store import Vault

    with Vault.open(path) as vault:
        vault.unlock(passphrase)
        (conversation,) = vault.conversations.all()
        texts = [message.text for message in vault.conversations.messages(conversation.id)]
    if texts != [QUESTION, reply]:
        raise RuntimeError("the turn read back differs from the one stored")
    return None, "unlocked with the passphrase; the turn reads back unchanged"


def _sealed(folder: Path, reply: str) -> tuple[None, str]:
    needles = [text.encode() for text in (QUESTION, reply.strip()) if len(text.strip()) >= 8]
    for file in folder.rglob("*"):
        if file.is_file() and any(needle in file.read_bytes() for needle in needles):
            raise RuntimeError(f"plain text found in {file.name}")
    return None, "no plain text in the vault's files"


def print_step(step: Step) -> None:
    mark = "ok  " if step.ok else "FAIL"
    print(f"{mark} {step.name:<26} {step.seconds * 1000:7.0f} ms  {step.detail}", flush=True)


def header() -> str:
    return f"Mini-Giants {__version__} self-test (Python {sys.version.split()[0]})"
