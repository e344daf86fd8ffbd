"""The GUI thread's handle on the engine thread (app/ui/common/engine_worker.py): it asks by queued
signals and hears back by the worker's signals; the one exception is `cancel()`, a plain method,
because the worker's event loop is busy while it generates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QObject, QThread, Signal

from app.api.turn import Turn
from app.chat.sealed_spill import KeptCaches
from app.engine import ChatMessage, Engine, LoadOptions, ModelFacts, SamplingOptions
from app.errors import MiniGiantsError
from app.remote.your_servers import ServerModel
from app.ui.common.engine_worker import EngineWorker


class RemoteInUse(NamedTuple):
    """A model on your server in use: its name as replies record it, and where it runs."""

    name: str
    host: str


class EngineHost(QObject):
    """The GUI thread's handle on the engine thread."""

    _load = Signal(str, object)
    _use_server = Signal(object, bool)
    _generate = Signal(int, object, object, object)
    _forget = Signal(object)
    _keep_states_in = Signal(object)
    _set_disk_budget = Signal(object)
    _report_usage = Signal()
    _clear_kept = Signal()
    _count = Signal(int, object)
    _run = Signal(int, object)
    _unload = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requests = itertools.count(1)
        self.facts: ModelFacts | None = None
        self.n_ctx = 0  # 0 with your server's model: it does not say
        self.remote: RemoteInUse | None = None  # instead of a model here
        self._thread = QThread()
        self._thread.setObjectName("engine")
        self.worker = EngineWorker()
        self.worker.moveToThread(self._thread)
        self._load.connect(self.worker.load)
        self._use_server.connect(self.worker.use_server)
        self._generate.connect(self.worker.generate)
        self._forget.connect(self.worker.forget)
        self._keep_states_in.connect(self.worker.keep_states_in)
        self._set_disk_budget.connect(self.worker.set_disk_budget)
        self._report_usage.connect(self.worker.report_usage)
        self._clear_kept.connect(self.worker.clear_kept)
        self._count.connect(self.worker.count)
        self._run.connect(self.worker.run)
        self._unload.connect(self.worker.unload)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.remote_ready.connect(self._on_remote_ready)
        self.worker.load_failed.connect(self._on_load_failed)
        self._thread.start()

    @property
    def is_loaded(self) -> bool:
        return self.facts is not None or self.remote is not None

    @property
    def model_name(self) -> str | None:
        """As conversations and replies record it."""
        return self.remote.name if self.remote else self.facts.name if self.facts else None

    def load(self, path: Path, options: LoadOptions) -> None:
        self.facts, self.remote = None, None
        self._load.emit(str(path), options)

    def use_server(self, chosen: ServerModel, offline: bool) -> None:
        """Replies from `chosen` on your server from now on: `worker.remote_ready`, or
        `worker.load_failed` (offline mode)."""
        self.facts, self.remote, self.n_ctx = None, None, 0
        self._use_server.emit(chosen, offline)

    def generate(self, messages: list[ChatMessage], sampling: SamplingOptions,
                 conversation: str | None = None) -> int:
        """Starts a reply, the turn of `conversation`; its chunks and end come on
        `worker.chunk/finished/failed` with this id."""
        request = next(self._requests)
        self._generate.emit(request, messages, sampling, conversation)
        return request

    def submit(self, turn: Turn) -> None:
        """The API's EngineRunner (app/api/turn.py): from the server's thread."""
        self.worker.submit_api_turn(turn)

    def unfinished(self) -> int:
        return self.worker.api_unfinished()

    def keep_states_in(self, kept: KeptCaches) -> None:
        """Conversations' caches may be sealed into `kept` (given after each unlock)."""
        self._keep_states_in.emit(kept)

    def set_disk_budget(self, budget: int) -> None:
        self._set_disk_budget.emit(budget)

    def report_usage(self) -> None:
        """The sealed caches' bytes on disk come on `worker.kept_usage` (while unlocked)."""
        self._report_usage.emit()

    def clear_kept(self) -> None:
        self._clear_kept.emit()

    def forget(self, conversation: str | None = None) -> None:
        """Drop the kept KV cache of `conversation`, or of every one, after what was asked."""
        self._forget.emit(conversation)

    def count(self, messages: list[ChatMessage]) -> int | None:
        """None with your server's model: only it can count, and it does as it answers."""
        if self.remote is not None:
            return None
        request = next(self._requests)
        self._count.emit(request, messages)
        return request

    def run(self, job: Callable[[Engine], object]) -> int:
        """Runs `job(engine)` on the engine thread after what was asked before; its result comes on
        `worker.ran`, its error on `worker.failed`, with this id. `cancel()` stops its generation."""
        request = next(self._requests)
        self._run.emit(request, job)
        return request

    def cancel(self) -> None:
        self.worker.cancel()

    def unload(self) -> None:
        """Let the model go (or your server's), after what was asked before."""
        self.facts, self.n_ctx, self.remote = None, 0, None
        self._unload.emit()

    def shut_down(self) -> None:
        """Stop any reply, free the model on its own thread, then end that thread."""
        if not self._thread.isRunning():
            return
        self.worker.cancel_everything()
        self._unload.emit()
        self._thread.quit()
        self._thread.wait()

    def _on_loaded(self, facts: ModelFacts, n_ctx: int) -> None:
        self.facts, self.n_ctx = facts, n_ctx

    def _on_remote_ready(self, name: str, host: str) -> None:
        self.remote = RemoteInUse(name, host)

    def _on_load_failed(self, _error: MiniGiantsError) -> None:
        self.facts, self.n_ctx, self.remote = None, 0, None
