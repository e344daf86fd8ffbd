"""One API request's reply: made on the thread that owns the engine, read on the server's event
loop. The engine's deltas cross over as events on an asyncio queue; `drop()`, from any thread,
stops the generation when the program that asked has gone (a closed stream), and only that one."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.engine.engine import ChatStream, Engine
from app.engine.messages import GenerationStats
from app.errors import MiniGiantsError

log = logging.getLogger(__name__)
HAND_OVER_S = 0.05  # at most 20 wake-ups of the server's loop a second


class ReplyFailed(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__("Something went wrong while making the reply.",
                         "Try again; if it keeps happening, restart Mini-Giants.")


@dataclass(frozen=True)
class Finished:
    stats: GenerationStats


@dataclass(frozen=True)
class Failed:
    error: MiniGiantsError


Event = str | Finished | Failed


class EngineRunner(Protocol):
    """Runs turns on the thread that owns the engine, one at a time, in order (the CLI's
    engine_thread.py; in the app, the window's engine thread, its own chat first)."""

    def submit(self, turn: Turn) -> None: ...

    def unfinished(self) -> int:
        """Turns submitted whose run has not returned: the one generating and those waiting."""
        ...


class Turn:
    def __init__(self, start: Callable[[Engine], ChatStream]) -> None:
        """`start`: asks the engine for the reply (engine.chat or engine.complete). Made on the
        server's event loop."""
        self._start = start
        self._loop = asyncio.get_running_loop()
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._lock = threading.Lock()
        self._engine: Engine | None = None  # while this turn is the one generating
        self._dropped = False
        self.stats: GenerationStats | None = None  # how the reply ended, once it has

    def run(self, engine: Engine) -> None:
        """On the engine's thread, in its turn."""
        with self._lock:
            if self._dropped:
                return
            self._engine = engine
        try:
            engine.switch_to(None)  # the app's conversations keep their caches
            stream = self._start(engine)
            self._hand_over(stream)
            assert stream.stats is not None
            self.stats = stream.stats
            self._put(Finished(stream.stats))
        except MiniGiantsError as error:
            self._put(Failed(error))
        except Exception as error:  # a bug must not end the engine's thread nor hang the caller
            # The type only: an exception's text may quote what the program sent.
            log.error("an API reply failed: %s", type(error).__name__)
            self._put(Failed(ReplyFailed()))
        finally:
            with self._lock:
                self._engine = None

    def _hand_over(self, stream: ChatStream) -> None:
        """The deltas to the server's loop: the first at once, then what came in each HAND_OVER_S
        together. Every hand-over wakes the loop (and the client), whose work takes processor time
        from llama.cpp's threads: one a token cost 6 % of decoding speed on two cores (25 ms:
        3-6 %, 50 ms: 2-3 %, tests/bench/bench_api.py). A slow model's tokens, further apart
        than that, still go one by one."""
        waiting: list[str] = []
        handed_at = 0.0
        for delta in stream:
            waiting.append(delta)
            now = time.monotonic()
            if now - handed_at >= HAND_OVER_S:
                self._put("".join(waiting))
                waiting.clear()
                handed_at = now
        if waiting:
            self._put("".join(waiting))

    def fail(self, error: MiniGiantsError) -> None:
        """On the engine's thread, instead of `run`: it cannot be made (no model is loaded)."""
        self._put(Failed(error))

    def drop(self) -> None:
        """Any thread: the program went away; stop this turn's generation, or never start it."""
        with self._lock:
            self._dropped = True
            if self._engine is not None:
                self._engine.cancel()

    async def next_event(self) -> Event:
        """The reply's next text delta, then Finished or Failed. Safe to cancel."""
        return await self._events.get()

    def _put(self, event: Event) -> None:
        try:
            self._loop.call_soon_threadsafe(self._events.put_nowait, event)
        except RuntimeError:  # the server's loop has closed: nobody is reading any more
            self.drop()
