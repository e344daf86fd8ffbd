"""The API server in this process, over the real engine on its own thread, so that each turn's end
can be seen: a program that closes its stream, or gives up waiting, stops its reply (or it never
starts), and too many waiting get a 503 with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest

from app.api.engine_thread import EngineThread
from app.api.listen import ApiServer, loopback_socket
from app.api.server import MAX_UNFINISHED, RETRY_AFTER_S, ServedModel, api_app
from app.api.turn import Turn
from app.engine import Engine, LoadOptions, StopReason

KEY = "mg-test-key"
LONG = 1500  # tokens: far longer than any of these tests waits
# The starter model's end-of-text, start and end of turn: banned, so a reply never ends by itself.
ENDLESS = {"0": -100, "1": -100, "2": -100}
QUESTION = [{"role": "user", "content": "Tell me a long story."}]


class RecordingThread(EngineThread):
    """The real engine thread, keeping the turns it was given so a test can see how they ended."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.turns: list[Turn] = []

    def submit(self, turn: Turn) -> None:
        self.turns.append(turn)
        super().submit(turn)


class Api:
    def __init__(self, runner: RecordingThread, server: ApiServer, model: str) -> None:
        self.runner, self.server, self.model = runner, server, model

    def client(self, timeout: float = 120) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.server.base_url, api_key=KEY, max_retries=0,
                             timeout=timeout)

    def settled(self) -> list[Turn]:
        """The turns, once every one has ended (a reply left running would end at LONG)."""
        wait_until(lambda: self.runner.unfinished() == 0)
        return self.runner.turns


def wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "did not happen"
        time.sleep(0.02)


@pytest.fixture
def api(starter_path: Path) -> Iterator[Api]:
    with Engine.load(starter_path, LoadOptions(n_ctx=2048, seed=7)) as engine:
        runner = RecordingThread(engine)
        model = ServedModel.of(engine.facts, engine.n_ctx)
        server = ApiServer(api_app(runner, lambda: model, KEY), loopback_socket("127.0.0.1", 0))
        server.start()
        try:
            yield Api(runner, server, model.id)
        finally:
            server.stop()
            runner.stop()


def test_closing_a_stream_stops_its_reply(api: Api) -> None:
    with api.client() as client:
        stream = client.chat.completions.create(
            model=api.model, messages=QUESTION, max_tokens=LONG, logit_bias=ENDLESS, stream=True)
        for _, _chunk in zip(range(3), stream):
            pass
        stream.close()
    (turn,) = api.settled()
    assert turn.stats is not None and turn.stats.stop_reason is StopReason.CANCELLED
    assert turn.stats.completion_tokens < LONG


def test_a_program_that_stops_waiting_stops_its_reply_or_it_never_starts(api: Api) -> None:
    with api.client() as client:
        first = client.chat.completions.create(
            model=api.model, messages=QUESTION, max_tokens=LONG, logit_bias=ENDLESS, stream=True)
        next(iter(first))  # generating now
        with api.client(timeout=1) as impatient, pytest.raises(openai.APITimeoutError):
            impatient.chat.completions.create(model=api.model, messages=QUESTION,
                                              max_tokens=LONG, logit_bias=ENDLESS)
        first.close()
    generating, waiting = api.settled()
    assert generating.stats is not None
    assert generating.stats.stop_reason is StopReason.CANCELLED
    assert waiting.stats is None, "gone before its turn came: never started"


def test_when_too_many_wait_the_answer_is_busy_with_retry_after(api: Api) -> None:
    def ask() -> None:
        with api.client() as client:
            client.chat.completions.create(model=api.model, messages=QUESTION, max_tokens=200,
                                           logit_bias=ENDLESS)

    with ThreadPoolExecutor(MAX_UNFINISHED) as pool:
        asked = [pool.submit(ask) for _ in range(MAX_UNFINISHED)]
        wait_until(lambda: api.runner.unfinished() == MAX_UNFINISHED)
        with api.client() as client, pytest.raises(openai.InternalServerError) as busy:
            client.chat.completions.create(model=api.model, messages=QUESTION, max_tokens=4)
        for question in asked:
            question.result()
    assert busy.value.status_code == 503 and "busy" in busy.value.message
    assert busy.value.response.headers["retry-after"] == str(RETRY_AFTER_S)
