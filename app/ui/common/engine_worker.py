"""The engine on its own thread. `EngineHost` is the GUI side: it asks by queued signals and hears
back by signals; the one exception is `cancel()`, a plain method, because the worker's event loop
is busy while it generates. Every reply chunk carries its request id so that the window can drop
chunks of a request it gave up on."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.api.turn import Turn
from app.chat.sealed_spill import KeptCaches, sealed_spill
from app.engine import (
    ChatMessage,
    Engine,
    GenerationStats,
    LoadOptions,
    ModelFacts,
    SamplingOptions,
    StopReason,
)
from app.errors import MiniGiantsError
from app.remote.remote_model import NeedsLocalModel, RemoteModel
from app.remote.your_servers import ServerModel
from app.ui.common.background import UnexpectedError

if TYPE_CHECKING:
    from app.engine.engine import ChatStream
    from app.remote.client import RemoteStream

log = logging.getLogger(__name__)


# A reply stopped before it started: nothing evaluated, nothing generated.
NOT_STARTED = GenerationStats(prompt_tokens=0, evaluated_tokens=0, completion_tokens=0,
                              time_to_first_token_s=None, prompt_tokens_per_s=None,
                              decode_tokens_per_s=None, stop_reason=StopReason.CANCELLED)


class NoModelLoaded(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__("No model is loaded.", "Choose a model above the conversation.")


class EngineWorker(QObject):
    """Lives on the engine thread; owns the one `Engine` (DESIGN: one Llama per thread)."""

    loaded = Signal(object, int)  # ModelFacts, context length
    remote_ready = Signal(str, str)  # a model on your server in use: its name, where it runs
    load_progress = Signal(float)
    load_failed = Signal(object)  # MiniGiantsError
    chunk = Signal(int, str)  # request id, text delta
    finished = Signal(int, object)  # request id, GenerationStats
    failed = Signal(int, object)  # request id, MiniGiantsError
    counted = Signal(int, int)  # request id, tokens
    ran = Signal(int, object)  # request id, what a job given the engine returned
    kept_usage = Signal(object)  # bytes of sealed caches on disk (an int: Qt's int is 32 bits)
    _api_turn_due = Signal()  # to itself, queued: the next API turn, after what the app asked

    def __init__(self) -> None:
        super().__init__()
        self._engine: Engine | None = None
        self._remote: RemoteModel | None = None  # instead of the engine: a model on your server
        self._kept: KeptCaches | None = None  # where caches are sealed, while unlocked
        # The API's turns wait here, not in the thread's event queue, so that the app's own
        # requests go first: one turn is due at a time, and the next is asked for behind them.
        self._api_lock = threading.Lock()
        self._api_turns: deque[Turn] = deque()
        self._api_unfinished = 0
        self._api_running = False
        self._app_stop = False  # the person's Stop, for their reply, made or waiting
        self._api_turn_due.connect(self._run_api_turn, Qt.ConnectionType.QueuedConnection)

    @Slot(str, object)
    def load(self, path: str, options: LoadOptions) -> None:
        self.unload()
        try:
            self._engine = Engine.load(Path(path), options, on_progress=self._progress)
        except MiniGiantsError as error:
            self.load_failed.emit(error)
            return
        self._attach_files()
        self.loaded.emit(self._engine.facts, self._engine.n_ctx)

    @Slot(object, bool)
    def use_server(self, chosen: ServerModel, offline: bool) -> None:
        """Replies from a model on your server from now on; the model here is let go."""
        self.unload()
        try:
            self._remote = RemoteModel.of(chosen, offline=offline)
        except MiniGiantsError as error:
            self.load_failed.emit(error)
            return
        self.remote_ready.emit(self._remote.name, self._remote.host)

    def _progress(self, fraction: float) -> bool:
        self.load_progress.emit(fraction)
        return True

    @Slot(int, object, object, object)
    def generate(self, request: int, messages: list[ChatMessage], sampling: SamplingOptions,
                 conversation: str | None) -> None:
        if self._engine is None and self._remote is None:
            self.failed.emit(request, NoModelLoaded())
            return
        if self._stopped_before_start():  # Stop while a program's reply was being made
            self.finished.emit(request, NOT_STARTED)
            return
        try:
            if self._remote is not None:
                stream: ChatStream | RemoteStream = self._remote.chat(messages, sampling)
            else:
                assert self._engine is not None
                self._engine.switch_to(conversation)
                stream = self._engine.chat(messages, sampling)
            for delta in stream:
                self.chunk.emit(request, delta)
        except MiniGiantsError as error:
            self.failed.emit(request, error)
            return
        finally:
            self._stopped_before_start()  # a Stop meant for this reply is used up
        self.finished.emit(request, stream.stats)

    @Slot(int, object)
    def run(self, request: int, job: Callable[[Engine], object]) -> None:
        """Any work that needs the model itself (the journal companion), in turn with replies."""
        if self._engine is None:
            self.failed.emit(request, NeedsLocalModel("The journal companion") if self._remote
                             else NoModelLoaded())
            return
        try:
            self._engine.switch_to(None)  # the conversation's cache is kept through the job
            result = job(self._engine)
        except MiniGiantsError as error:
            self.failed.emit(request, error)
            return
        except Exception:  # a bug must not leave the window waiting for an answer
            log.exception("engine job failed")
            self.failed.emit(request, UnexpectedError("asking the model"))
            return
        finally:
            self._stopped_before_start()  # a Stop meant for this job is used up
        self.ran.emit(request, result)

    def submit_api_turn(self, turn: Turn) -> None:
        """Any thread (the API server's): run `turn` when the app's own requests are done."""
        with self._api_lock:
            self._api_turns.append(turn)
            self._api_unfinished += 1
            first = self._api_unfinished == 1
        if first:
            self._api_turn_due.emit()

    def api_unfinished(self) -> int:
        with self._api_lock:
            return self._api_unfinished

    @Slot()
    def _run_api_turn(self) -> None:
        with self._api_lock:
            turn = self._api_turns.popleft()
            self._api_running = True
        try:
            if self._engine is None:
                turn.fail(NeedsLocalModel("The API for programs") if self._remote
                          else NoModelLoaded())
            else:
                turn.run(self._engine)
        finally:
            with self._api_lock:
                self._api_running = False
                self._api_unfinished -= 1
                more = self._api_unfinished > 0
            if more:
                self._api_turn_due.emit()  # behind whatever the app asked meanwhile

    @Slot(int, object)
    def count(self, request: int, messages: list[ChatMessage]) -> None:
        if self._engine is not None:
            self.counted.emit(request, self._engine.count_tokens(messages))

    @Slot(object)
    def keep_states_in(self, kept: KeptCaches) -> None:
        """The vault is unlocked: conversations' caches may be sealed into `kept` from now on."""
        self._kept = kept
        self._attach_files()
        self.report_usage()  # for a Settings page shown before the vault's answer came

    @Slot(object)
    def set_disk_budget(self, budget: int) -> None:
        """A new limit for the sealed caches, kept to at once (the oldest removed first)."""
        if self._kept is None:
            return
        self._kept = KeptCaches(self._kept.files, budget)
        self._kept.files.enforce(budget)
        self._attach_files()
        self.report_usage()

    @Slot()
    def report_usage(self) -> None:
        if self._kept is not None:
            self.kept_usage.emit(self._kept.files.usage())

    @Slot()
    def clear_kept(self) -> None:
        """Every kept cache gone, from memory and from disk: going back to any conversation
        evaluates it again."""
        if self._engine is not None:
            self._engine.states.forget(None)
        if self._kept is not None:
            self._kept.files.clear()
        self.report_usage()

    def _attach_files(self) -> None:
        if self._engine is not None:
            self._engine.states.spill = sealed_spill(self._kept, self._engine)

    def _seal_kept(self) -> None:
        """Every cache the engine keeps, and the one it holds, sealed to disk; nothing to do while
        locked (copying the cache out would only be thrown away)."""
        if self._engine is not None and self._engine.states.spill is not None:
            self._engine.keep_current()
            self._engine.states.spill_all()

    @Slot(object)
    def forget(self, conversation: str | None) -> None:
        """One conversation's cache (deleted), or, as the vault locks, every one from memory:
        sealed to disk first, then the key is let go."""
        if conversation is None:
            self._seal_kept()
            self._kept = None
            self._attach_files()
        if self._engine is not None:
            self._engine.states.forget(conversation)  # a deleted one's sealed file too
        elif conversation is not None and self._kept is not None:
            self._kept.files.delete(conversation)

    def cancel(self) -> None:
        """Any thread: the person's Stop. It stops their reply; while a program's reply is being
        made instead, theirs, waiting, ends before it starts and the program's goes on."""
        with self._api_lock:
            self._app_stop = True
            program = self._api_running
        engine = self._engine or self._remote
        if engine is not None and not program:
            engine.cancel()

    def cancel_everything(self) -> None:
        """Any thread: the app is closing; whatever is being made stops."""
        engine = self._engine or self._remote
        if engine is not None:
            engine.cancel()

    def _stopped_before_start(self) -> bool:
        with self._api_lock:
            stopped, self._app_stop = self._app_stop, False
        return stopped

    @Slot()
    def unload(self) -> None:
        if self._remote is not None:
            self._remote.close()
            self._remote = None
        if self._engine is not None:
            self._seal_kept()
            self._engine.close()
            self._engine = None


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
        self.remote: tuple[str, str] | None = None  # your server's model in use: name, host
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
        return self.remote[0] if self.remote else self.facts.name if self.facts else None

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
        self.remote = (name, host)

    def _on_load_failed(self, _error: MiniGiantsError) -> None:
        self.facts, self.n_ctx, self.remote = None, 0, None
