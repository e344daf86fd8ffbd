"""`minigiants --self-test` run as a person (or CI, or a bundle) runs it: a separate process with no
display, the real starter model, a real temporary vault, Qt offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = ("hardware", "find the model", "load the model", "one chat turn", "encrypt the turn",
         "decrypt it again", "nothing readable on disk", "the safety net", "the GUI toolkit")


def self_test(*args: str, home: Path, temp: Path) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(MINIGIANTS_HOME=str(home), TMPDIR=str(temp))
    return subprocess.run([sys.executable, "-m", "app.cli", "--self-test", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_self_test_passes_on_the_starter_model_and_leaves_nothing(
        private_home: Path, tmp_path: Path) -> None:
    result = self_test(home=private_home, temp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Mini-Giants ")
    for step in STEPS:
        assert any(line.startswith("ok ") and f" {step} " in line for line in lines), step
    assert "offscreen" in result.stdout  # no display here: Qt ran offscreen by itself
    assert lines[-1] == f"All {len(STEPS)} checks passed."
    assert list(tmp_path.iterdir()) == []  # the temporary vault is gone


def test_a_broken_model_fails_the_self_test_with_the_reason(
        private_home: Path, tmp_path: Path, starter_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(starter_path.read_bytes()[:1_000_000])
    with tempfile.TemporaryDirectory() as temp:
        result = self_test("--model", str(broken), home=private_home, temp=Path(temp))
    assert result.returncode == 1
    assert "FAIL load the model" in result.stdout
    assert "Self-test failed at “load the model”" in result.stderr
    assert "damaged or cut short" in result.stderr
