"""The engine's side of its own thread: the one model loaded here (or a model on your server in
its place), answering what the GUI asks through `EngineHost` (app/ui/common/engine_host.py) in
turn, and the API's turns behind the app's own requests. Every reply chunk carries its request id
so that the window can drop chunks of a request it gave up on."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.api.turn import Turn
from app.chat.sealed_spill import KeptCaches, sealed_spill
from app.engine import (
    ChatMessage,
    Engine,
    GenerationStats,
    LoadOptions,
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
