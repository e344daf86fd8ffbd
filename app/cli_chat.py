"""`minigiants chat`: one turn, streamed to stdout, with the model loaded here or with your own
server (`--server URL`); kept in the vault with --save or --conversation, where a saved
conversation's KV cache (local model) comes back sealed, as in the app."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.cli_model_options import add_model_arguments, load_options, model_path
from app.cli_vault import add_passphrase_argument, open_unlocked

if TYPE_CHECKING:
    from app.engine import ChatMessage, SamplingOptions
    from app.engine.engine import ChatStream, Engine
    from app.remote.client import RemoteServer, RemoteStream
    from app.remote.remote_model import RemoteModel
    from app.vault.store import Vault

SERVER_KEY_VARIABLE = "MINIGIANTS_SERVER_KEY"


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chat = commands.add_parser("chat", help="one chat turn, streamed to stdout")
    add_model_arguments(chat)
    chat.add_argument("--server", metavar="URL",
                      help="your own OpenAI-compatible server's base URL (then --model names "
                           f"one of its models; its key from ${SERVER_KEY_VARIABLE} or "
                           "--server-key-file)")
    chat.add_argument("--server-key-file", type=Path, help="read your server's API key from here")
    chat.add_argument("--system", help="system prompt")
    chat.add_argument("--max-tokens", type=int, default=512)
    chat.add_argument("--temperature", type=float, default=0.7)
    chat.add_argument("--seed", type=int)
    chat.add_argument("--json", action="store_true", help="print one JSON object at the end")
    chat.add_argument("--save", action="store_true", help="keep the turn in the encrypted vault")
    chat.add_argument("--conversation", help="continue this saved conversation (implies --save)")
    add_passphrase_argument(chat)
    chat.add_argument("prompt")
    chat.set_defaults(handler=_chat)


class _Replier(Protocol):
    """Where the reply is made: the model loaded here, or your server."""

    name: str

    def start(self, messages: list[ChatMessage], sampling: SamplingOptions,
              conversation: str | None, vault: Vault | None) -> ChatStream | RemoteStream: ...

    def cancel(self) -> None: ...

    def saved(self) -> None: ...

    def facts(self) -> dict[str, object]: ...


class _Local:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.name = engine.facts.name
        self._restore_s = 0.0
        if engine.template.is_fallback:
            print("Note: this model has no chat template; using ChatML.", file=sys.stderr)

    def start(self, messages: list[ChatMessage], sampling: SamplingOptions,
              conversation: str | None, vault: Vault | None) -> ChatStream:
        from app.chat.sealed_spill import kept_caches, sealed_spill

        if vault is not None:
            # As in the app: this conversation's cache, sealed by its last turn, comes back, so
            # only what is new is evaluated; this turn's is sealed again once saved.
            self._engine.states.spill = sealed_spill(kept_caches(vault), self._engine)
        began = time.perf_counter()
        self._engine.switch_to(conversation)
        self._restore_s = time.perf_counter() - began
        return self._engine.chat(messages, sampling)

    def cancel(self) -> None:
        self._engine.cancel()  # also while llama.cpp reads the prompt

    def saved(self) -> None:
        self._engine.keep_current()
        self._engine.states.spill_all()

    def facts(self) -> dict[str, object]:
        return {"chat_template": self._engine.template.source,
                "cache_restore_s": self._restore_s}


class _Remote:
    def __init__(self, server: RemoteServer, model: RemoteModel) -> None:
        self._server = server
        self._model = model
        self.name = model.name

    def start(self, messages: list[ChatMessage], sampling: SamplingOptions,
              conversation: str | None, vault: Vault | None) -> RemoteStream:
        return self._model.chat(messages, sampling)

    def cancel(self) -> None:
        self._model.cancel()

    def saved(self) -> None:
        pass

    def facts(self) -> dict[str, object]:
        # The model as the server names it; the vault records where it ran too (`name`).
        return {"server": self._server.address.base_url, "model": self._model.model}


def _first_model(server: RemoteServer) -> str:
    from app.remote.errors import ServerFailed

    listed = server.models()
    if not listed:
        raise ServerFailed(200, "it lists no models")
    return listed[0]


@contextlib.contextmanager
def _replier(args: argparse.Namespace) -> Iterator[_Replier]:
    if args.server is None:
        from app.engine import Engine

        with Engine.load(model_path(args), load_options(args)) as engine:
            yield _Local(engine)
        return
    from app.remote.address import PLAIN_HTTP_WARNING, server_address
    from app.remote.client import RemoteServer
    from app.remote.remote_model import RemoteModel

    address = server_address(args.server)
    if address.plain_http:
        print(f"Warning: {PLAIN_HTTP_WARNING}", file=sys.stderr)
    key = os.environ.get(SERVER_KEY_VARIABLE) or (
        args.server_key_file.read_text(encoding="utf-8").strip() if args.server_key_file
        else None)
    with RemoteServer(address, key, offline=False) as server:
        yield _Remote(server, RemoteModel.on(server, args.model or _first_model(server)))


def _chat(args: argparse.Namespace) -> int:
    saving = args.save or args.conversation is not None
    vault = open_unlocked(args) if saving else None
    try:
        with _replier(args) as replier:
            return _chat_turn(args, vault, replier)
    finally:
        if vault is not None:
            vault.close()


def _chat_turn(args: argparse.Namespace, vault: Vault | None, replier: _Replier) -> int:
    from app.chat.history import prompt_for, title_for
    from app.engine import ChatMessage, SamplingOptions, StopReason
    from app.journal.held_reply import held_prompt, screened
    from app.journal.safety import check, support_message
    from app.vault.reply_saver import ReplySaver

    history = []
    conversation = None
    if vault is not None and args.conversation is not None:
        conversation = vault.conversations.get(args.conversation)
        history = vault.conversations.messages(conversation.id)
    system = args.system or (conversation.system_prompt if conversation else "")
    messages = [*prompt_for(system, history), ChatMessage("user", args.prompt)]
    # The safety net, as in the app: on a hit the crisis lines come first (on stderr: stdout is the
    # reply), and the reply is held, read whole before it is printed or saved.
    hit = check(args.prompt, [m.text for m in history if m.role == "user"])
    if hit.flagged:
        print(support_message(hit), end="\n\n", file=sys.stderr)
        messages = held_prompt(messages)
    sampling = SamplingOptions(
        temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
    )
    saver = None
    if vault is not None:  # the question is stored before the answer starts
        if conversation is None:
            conversation = vault.conversations.create(
                title_for(args.prompt), system_prompt=system, model=replier.name)
        vault.conversations.add_message(conversation.id, "user", args.prompt)
        saver = ReplySaver(vault, conversation.id, model=replier.name)
    stream = replier.start(messages, sampling, None if conversation is None else conversation.id,
                           vault)
    # Ctrl+C stops the reply (a KeyboardInterrupt cannot stop llama.cpp's C code), and what was
    # written so far is kept.
    previous = signal.signal(signal.SIGINT, lambda *_: replier.cancel())
    try:
        for delta in stream:
            if hit.flagged:
                continue
            if saver is not None:
                saver.add(delta)
            if not args.json:
                print(delta, end="", flush=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    stats = stream.stats
    assert stats is not None
    reply = stream.text
    if hit.flagged:
        reply = screened(reply, hit).text
        if saver is not None:
            saver.add(reply)
        if not args.json:
            print(reply, end="", flush=True)
    if saver is not None and conversation is not None:
        saver.finish(asdict(stats))
        replier.saved()
        print(f"Saved in conversation {conversation.id}", file=sys.stderr)
    if args.json:
        print(json.dumps({"reply": reply, "model": replier.name, "stats": asdict(stats),
                          "conversation": None if conversation is None else conversation.id,
                          **replier.facts()}, ensure_ascii=False))
    else:
        print()
    if stats.error:
        print(f"The reply stopped early: {stats.error}", file=sys.stderr)
        return 1
    if stats.stop_reason is StopReason.CANCELLED:
        print("Stopped.", file=sys.stderr)
        return 130
    return 0
