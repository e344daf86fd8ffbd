"""`minigiants serve` as a program on this computer meets it: a separate process on a free
loopback port, the official `openai` client, the starter model. Models listed, a reply whole and
streamed, a completion, a JSON-schema reply that parses, and refusals a program understands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import openai
import pytest

from app.vault.keys import KdfParams
from app.vault.store import Vault
from tests.remote.server_chat import chat_on

PASSPHRASE = "quiet harbor lantern violet"
PERSON = {"type": "object", "properties": {"name": {"type": "string"},
                                           "age": {"type": "integer"}},
          "required": ["name", "age"]}


@dataclass(frozen=True)
class Served:
    base_url: str
    key: str
    model: str

    def client(self, key: str | None = None) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=key or self.key, max_retries=0,
                             timeout=120)


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIGIANTS_")}
    return {**env, "MINIGIANTS_HOME": str(home), "MINIGIANTS_PASSPHRASE": PASSPHRASE}


def minigiants(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=environment(home),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("serve-home")
    assert minigiants("vault", "init", home=home).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", "0", "--ctx", "2048", "--show-key"],
        env=environment(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None and process.stdout is not None
        said = process.stderr.readline()  # "Serving MODEL at URL (...)"
        assert said.startswith("Serving "), said + process.stderr.read()
        model, url = said.split()[1], said.split()[3]
        yield Served(url, process.stdout.readline().strip(), model)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        code = process.wait(timeout=60)
        said = process.stderr.read() if process.stderr else ""
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    assert code == 0 and "Stopped." in said and "Traceback" not in said, said


def test_the_model_is_listed_and_answers_whole_and_streamed(served: Served) -> None:
    with served.client() as client:
        assert [model.id for model in client.models.list().data] == [served.model]
        question = [{"role": "user", "content": "Name three colours."}]
        whole = client.chat.completions.create(model=served.model, messages=question,
                                               temperature=0, max_tokens=24, seed=1)
        text = whole.choices[0].message.content
        assert text and whole.choices[0].finish_reason in ("stop", "length")
        assert whole.usage is not None and whole.usage.completion_tokens > 0
        assert whole.usage.prompt_tokens > 5

        chunks = list(client.chat.completions.create(
            model=served.model, messages=question, temperature=0, max_tokens=24, seed=1,
            stream=True, stream_options={"include_usage": True}))
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in chunks
                           if chunk.choices)
        assert streamed == text, "the same reply, in pieces"
        assert len([chunk for chunk in chunks if chunk.choices]) > 3
        assert chunks[-1].usage == whole.usage


def test_stop_strings_a_completion_and_a_reply_in_a_json_schema(served: Served) -> None:
    with served.client() as client:
        counted = client.chat.completions.create(
            model=served.model, temperature=0, max_tokens=60, stop=["4"],
            messages=[{"role": "user", "content": "Count from 1 to 10, one number a line."}])
        assert "4" not in (counted.choices[0].message.content or "")
        assert counted.choices[0].finish_reason == "stop"

        completed = client.completions.create(model=served.model, prompt="Once upon a time",
                                              max_tokens=8, temperature=0, echo=True)
        assert completed.choices[0].text.startswith("Once upon a time")
        assert completed.usage is not None and completed.usage.completion_tokens == 8
        pieces = list(client.completions.create(model=served.model, prompt="Once upon a time",
                                                max_tokens=8, temperature=0, stream=True))
        assert "".join(piece.choices[0].text for piece in pieces) == \
            completed.choices[0].text.removeprefix("Once upon a time")
        assert pieces[-1].choices[0].finish_reason == "length"

        person = client.chat.completions.create(
            model=served.model, temperature=0, max_tokens=80,
            messages=[{"role": "user", "content": "Describe a person."}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "person", "schema": PERSON}})
        parsed = json.loads(person.choices[0].message.content or "")
        assert isinstance(parsed["name"], str) and isinstance(parsed["age"], int)


def test_refusals_a_program_understands(served: Served) -> None:
    with served.client(key="mg-not-the-key") as wrong, pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    with httpx2.Client() as plain:
        assert plain.get(f"{served.base_url}/models").status_code == 401, "no key at all"
        headers = {"Authorization": f"Bearer {served.key}"}
        malformed = plain.post(f"{served.base_url}/chat/completions", headers=headers,
                               content=b'{"model": ')
        assert malformed.status_code == 400 and "JSON" in malformed.json()["error"]["message"]
        huge = plain.post(f"{served.base_url}/completions", headers=headers,
                          content=b'{"prompt": "' + b"a" * (5 * 1024**2) + b'"}')
        assert huge.status_code == 413
        assert plain.get(f"{served.base_url}/nowhere", headers=headers).status_code == 404
    with served.client() as client:
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            client.chat.completions.create(model="gpt-4o", messages=[
                {"role": "user", "content": "Hi"}])
        with pytest.raises(openai.BadRequestError, match="temperature"):
            client.chat.completions.create(model=served.model, temperature=5, messages=[
                {"role": "user", "content": "Hi"}])
        with pytest.raises(openai.BadRequestError) as too_long:
            client.completions.create(model=served.model, prompt="word " * 3000, max_tokens=4)
        assert too_long.value.code == "context_length_exceeded"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_any_address_but_loopback_is_refused(tmp_path: Path, host: str) -> None:
    refused = minigiants("serve", "--host", host, "--port", "0", home=tmp_path)
    assert refused.returncode == 2
    assert "not a loopback address" in refused.stderr and "Traceback" not in refused.stderr


def test_minigiants_chat_uses_another_minigiants_as_its_server(served: Served,
                                                              tmp_path: Path) -> None:
    env = {**environment(tmp_path), "MINIGIANTS_SERVER_KEY": served.key}

    def chat(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "chat", "--server",
                               served.base_url, "--json", "--max-tokens", "8", *args], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=300)

    answered = chat("--temperature", "0", "Say hello.")
    assert answered.returncode == 0, answered.stderr
    said = json.loads(answered.stdout)
    assert said["model"] == served.model and said["reply"]
    assert said["server"] == served.base_url and said["stats"]["completion_tokens"] > 0
    gone = chat("--model", "a-model-it-does-not-have", "Say hello.")
    assert gone.returncode == 2 and "no longer has the model" in gone.stderr


def test_another_minigiants_as_your_server_counts_the_context(served: Served, tmp_path: Path,
                                                              kdf: KdfParams) -> None:
    """It reports usage while streaming, so the chat shows the context it counted: the prompt
    and the reply."""
    with Vault.create(tmp_path / "vault.db", "a long passphrase", kdf=kdf) as vault:
        chat = chat_on(vault, served.base_url, served.key, {"temperature": 0.0, "max_tokens": 8})
        chat.send("Say hello.")
        _question, reply = chat.stored()
        prompt, completion = reply.stats["prompt_tokens"], reply.stats["completion_tokens"]
        assert isinstance(prompt, int) and prompt > 5 and completion == 8
        assert chat.view.context == (prompt + completion, 0)
        assert reply.model == f"{served.model} ({served.base_url.split('/')[2]})"
