"""Conversations' KV caches sealed on disk: only ciphertext is ever written, and a file opens only
as the conversation, model and options it was sealed for, whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.vault import state_files
from app.vault.state_files import StateFiles, state_key

MARKER = "the lighthouse keeper's secret"
IDENTITY = "SmolLM2-135M-Instruct.Q4_1.gguf|n_ctx=2048|f16"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StateFiles:
    monkeypatch.setattr(state_files, "CHUNK", 1000)  # several pieces from a small state
    return StateFiles(tmp_path / "states", state_key(b"k" * 32))


def data_with_marker() -> bytes:
    return (MARKER.encode() + bytes(range(256))) * 20


def test_a_state_comes_back_whole_and_nothing_of_it_is_on_disk_in_the_clear(
        files: StateFiles) -> None:
    files.save("conversation-1", IDENTITY, {"tokens": [1, 2, 3], "note": MARKER},
               data_with_marker())
    assert files.load("conversation-1", IDENTITY) == (
        {"tokens": [1, 2, 3], "note": MARKER}, data_with_marker())
    [path] = list(files.folder.iterdir())
    raw = path.read_bytes()
    assert MARKER.encode() not in raw and b"conversation-1" not in raw
    assert "conversation-1" not in path.name
    assert os.stat(path).st_mode & 0o077 == 0, "readable by its owner only"


@pytest.mark.parametrize("spoil", ["another identity", "another conversation", "cut short",
                                   "a byte changed", "another vault"])
def test_a_file_that_does_not_open_as_this_conversations_is_deleted(
        files: StateFiles, spoil: str) -> None:
    files.save("conversation-1", IDENTITY, {"tokens": [1]}, data_with_marker())
    [path] = list(files.folder.iterdir())
    conversation, identity, opener = "conversation-1", IDENTITY, files
    if spoil == "another identity":
        identity = IDENTITY.replace("2048", "4096")
    elif spoil == "another conversation":
        conversation = "conversation-2"
        os.replace(path, files._path(conversation))
        path = files._path(conversation)
    elif spoil == "cut short":
        path.write_bytes(path.read_bytes()[:-1100])
    elif spoil == "a byte changed":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 1
        path.write_bytes(bytes(raw))
    else:
        opener = StateFiles(files.folder, state_key(b"o" * 32))
        path = opener._path(conversation)
        os.replace(files._path(conversation), path)
    assert opener.load(conversation, identity) is None
    assert not path.exists()


def test_the_folder_keeps_to_its_budget_removing_the_least_recently_used(
        files: StateFiles) -> None:
    for number, age in ((1, 300), (2, 200), (3, 100)):
        files.save(f"conversation-{number}", IDENTITY, {}, b"x" * 3000)
        os.utime(files._path(f"conversation-{number}"), (0, 1_000_000 - age))
    one = files._path("conversation-1").stat().st_size
    files.enforce(2 * one)
    assert files.load("conversation-1", IDENTITY) is None
    assert files.load("conversation-2", IDENTITY) is not None
    assert files.usage() == 2 * one
    files.delete("conversation-2")
    files.clear()
    assert files.usage() == 0
