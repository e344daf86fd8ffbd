"""LoRA adapters: applied at load time with a scale; a bad adapter is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Engine, LoadOptions, LoraAdapterFailed, SamplingOptions
from tests.engine.helpers import conversation, drain, write_lora_adapter

GREEDY = SamplingOptions(temperature=0, max_tokens=24)
MESSAGES = conversation("Name three colours of the rainbow.")


def reply_with(starter_path: Path, **lora: object) -> str:
    with Engine.load(starter_path, LoadOptions(n_ctx=512, **lora)) as engine:  # type: ignore[arg-type]
        return drain(engine.chat(MESSAGES, GREEDY))


def test_adapter_changes_replies_only_when_it_has_weight(starter_path: Path, tmp_path: Path) -> None:
    base = reply_with(starter_path)
    neutral = write_lora_adapter(tmp_path / "neutral.gguf", strength=0.0)
    strong = write_lora_adapter(tmp_path / "strong.gguf", strength=1.0)

    assert reply_with(starter_path, lora_path=str(neutral)) == base
    assert reply_with(starter_path, lora_path=str(strong), lora_scale=1.0) != base
    assert reply_with(starter_path, lora_path=str(strong), lora_scale=0.0) == base


def test_adapter_for_another_model_is_refused(starter_path: Path, tmp_path: Path) -> None:
    wrong_shape = write_lora_adapter(tmp_path / "other-model.gguf", strength=1.0, width=1024)
    with pytest.raises(LoraAdapterFailed) as raised:
        Engine.load(starter_path, LoadOptions(n_ctx=512, lora_path=str(wrong_shape)))
    assert "other-model.gguf" in raised.value.message
    assert "made for this base model" in raised.value.hint


def test_adapter_that_is_not_a_gguf_is_refused(starter_path: Path, tmp_path: Path) -> None:
    text = tmp_path / "adapter.gguf"
    text.write_text("not an adapter")
    with pytest.raises(LoraAdapterFailed):
        Engine.load(starter_path, LoadOptions(n_ctx=512, lora_path=str(text)))
