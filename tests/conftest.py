"""Shared fixtures: a private data folder for every test, the real starter model, and one loaded
engine shared by the tests that only chat (loading takes a second or two)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine import Engine, LoadOptions
from app.hub.starter import starter_model_path
from app.vault.keys import KdfParams
from tests.hub.hub_server import FILE, REPO, FakeHub
from tests.vault.conftest import floor_kdf


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MINIGIANTS_HOME", str(home))
    return home


@pytest.fixture
def kdf() -> KdfParams:
    """The Argon2id floor instead of settings calibrated to half a second: quick vault unlocks."""
    return floor_kdf()


@pytest.fixture(scope="session")
def starter_path() -> Path:
    return starter_model_path()


@pytest.fixture(scope="session")
def engine(starter_path: Path) -> Iterator[Engine]:
    with Engine.load(starter_path, LoadOptions(n_ctx=2048, seed=7)) as loaded:
        yield loaded


@pytest.fixture
def fake_hub(starter_path: Path) -> Iterator[FakeHub]:
    """A loopback stand-in for huggingface.co serving the starter model as REPO/FILE."""
    hub = FakeHub()
    hub.host(REPO, FILE, starter_path)
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture(scope="session")
def your_server(starter_path: Path) -> Iterator[str]:
    """llama-cpp-python's own OpenAI-compatible server on loopback with the starter model, asking
    for tests/remote/llama_cpp_server.KEY: "your own server" for the tests that only use it."""
    from tests.remote.llama_cpp_server import KEY, llama_cpp_server

    with llama_cpp_server(starter_path, KEY) as (base_url, _process):
        yield base_url
