"""Unloading frees memory; the hardware report describes this machine; a chat turn uses no network."""

from __future__ import annotations

import socket
from pathlib import Path

import psutil
import pytest

from app.engine import (
    Engine,
    LoadCancelled,
    LoadOptions,
    SamplingOptions,
    hardware_report,
)
from tests.engine.helpers import conversation, drain


def rss() -> int:
    return psutil.Process().memory_info().rss


def test_close_returns_memory_near_its_pre_load_level(starter_path: Path) -> None:
    before = rss()
    engine = Engine.load(starter_path, LoadOptions(n_ctx=4096, use_mmap=False))
    drain(engine.chat(conversation("Say hello."), SamplingOptions(temperature=0, max_tokens=8)))
    loaded = rss()
    engine.close()
    after = rss()

    grown = loaded - before
    assert grown > 80 * 2**20, f"loading should take memory (grew {grown / 2**20:.0f} MiB)"
    assert after - before < 0.2 * grown, (
        f"{(after - before) / 2**20:.0f} MiB of {grown / 2**20:.0f} MiB still held after close()"
    )
    engine.close()  # idempotent


def test_hardware_report_describes_this_machine() -> None:
    report = hardware_report()
    assert report.physical_cores >= 1
    assert report.logical_cores >= report.physical_cores
    assert 0 < report.ram_available <= report.ram_total
    assert report.cpu_features, "llama.cpp reports the CPU features it was built to use"
    assert any(device.kind == "cpu" for device in report.devices)
    if report.gpus:
        assert report.gpu_offload


class NetworkUsed(AssertionError):
    pass


def test_a_whole_chat_turn_opens_no_network_connection(
    starter_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise NetworkUsed("the engine tried to use the network")

    monkeypatch.setattr(socket.socket, "__init__", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(NetworkUsed):
        socket.socket()  # the guard is really in place

    with Engine.load(starter_path, LoadOptions(n_ctx=1024)) as engine:
        stream = engine.chat(conversation("Say hello."), SamplingOptions(temperature=0, max_tokens=16))
        reply = drain(stream)
    assert reply.strip()
    assert stream.stats is not None and stream.stats.error is None


def test_load_reports_progress_and_can_be_cancelled(starter_path: Path) -> None:
    seen: list[float] = []
    with Engine.load(starter_path, LoadOptions(n_ctx=512), on_progress=seen.append):
        pass
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)

    with pytest.raises(LoadCancelled) as raised:
        Engine.load(starter_path, LoadOptions(n_ctx=512), on_progress=lambda fraction: False)
    assert "cancelled" in raised.value.message
