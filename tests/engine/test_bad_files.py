"""Every bad model file gives a typed error a person understands, never a crash of the process."""

from __future__ import annotations

import os
from pathlib import Path

import gguf
import numpy as np
import pytest

from app.engine import (
    Engine,
    ModelFileInvalid,
    ModelFileMissing,
    SamplingOptions,
    Tokenizer,
    UnsupportedArchitecture,
    inspect_gguf,
)
from tests.engine.helpers import conversation, copy_without_chat_template, drain


def assert_refused(path: Path, error_type: type[Exception]) -> Exception:
    with pytest.raises(error_type) as by_inspect:
        inspect_gguf(path)
    with pytest.raises(error_type) as by_load:
        Engine.load(path)
    assert str(by_inspect.value) == str(by_load.value)
    assert path.name in str(by_load.value)
    return by_load.value


def test_missing_file(tmp_path: Path) -> None:
    error = assert_refused(tmp_path / "nowhere.gguf", ModelFileMissing)
    assert "was not found" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.touch()
    error = assert_refused(path, ModelFileInvalid)
    assert "empty" in str(error)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.gguf"
    path.write_bytes(np.random.default_rng(1).bytes(1 << 16))
    error = assert_refused(path, ModelFileInvalid)
    assert "GGUF signature" in str(error)


def test_text_file_renamed(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("These are my notes, not a model.\n" * 50)
    assert_refused(path, ModelFileInvalid)


def test_random_bytes_after_a_valid_signature(tmp_path: Path) -> None:
    path = tmp_path / "fake.gguf"
    path.write_bytes(b"GGUF" + np.random.default_rng(2).bytes(4096))
    assert_refused(path, ModelFileInvalid)


@pytest.mark.parametrize("keep", [3, 8, 24, 200, 5_000, 1_000_000, 50_000_000, -1])
def test_truncated_gguf(starter_path: Path, tmp_path: Path, keep: int) -> None:
    size = starter_path.stat().st_size
    keep = size + keep if keep < 0 else keep
    path = tmp_path / "truncated.gguf"
    with starter_path.open("rb") as source, path.open("wb") as target:
        target.write(source.read(keep))
    error = assert_refused(path, ModelFileInvalid)
    assert "download it again" in error.hint  # type: ignore[attr-defined]


def test_header_without_any_tensor_data(starter_path: Path, tmp_path: Path) -> None:
    header_end = gguf.GGUFReader(starter_path).data_offset
    path = tmp_path / "header-only.gguf"
    with starter_path.open("rb") as source:
        path.write_bytes(source.read(header_end))
    error = assert_refused(path, ModelFileInvalid)
    assert "cut short" in str(error)


def test_unknown_architecture(tmp_path: Path) -> None:
    path = tmp_path / "alien.gguf"
    writer = gguf.GGUFWriter(path, arch="alienformer")
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    error = assert_refused(path, UnsupportedArchitecture)
    assert "alienformer" in str(error)


def test_model_without_chat_template_falls_back_to_declared_chatml(
    starter_path: Path, tmp_path: Path
) -> None:
    path = copy_without_chat_template(starter_path, tmp_path / "no-template.gguf")
    facts = inspect_gguf(path)
    assert not facts.has_chat_template

    with Engine.load(path) as engine:
        assert engine.template.is_fallback
        assert engine.template.source == "fallback-chatml"
        prompt = engine.template.render(conversation("Hi there"))
        assert prompt.endswith("<|im_start|>assistant\n")
        assert "[INST]" not in prompt
        stream = engine.chat(conversation("Say hello."), SamplingOptions(temperature=0, max_tokens=24))
        reply = drain(stream)
    assert reply.strip()
    assert "<|im_end|>" not in reply


def test_facts_of_the_starter_model(starter_path: Path) -> None:
    facts = inspect_gguf(starter_path)
    assert facts.architecture == "llama"
    assert facts.quantization == "Q4_1"
    assert 130_000_000 < facts.parameters < 140_000_000
    assert facts.size_label == "135M"
    assert facts.trained_context == 8192
    assert facts.has_chat_template and "<|im_start|>" in (facts.chat_template or "")
    assert facts.license == "apache-2.0"
    assert facts.file_size == os.path.getsize(starter_path)


def test_token_counting_without_loading_the_weights(starter_path: Path, engine: Engine) -> None:
    messages = conversation("How many tokens is this?", "And this?", replies=("Some.",))
    with Tokenizer.open(starter_path) as tokenizer:
        counted = tokenizer.count_tokens(messages)
    assert counted == engine.count_tokens(messages)
    assert counted > len(" ".join(m.content for m in messages).split())


def test_gguf_that_llama_cpp_cannot_use(tmp_path: Path) -> None:
    # Well-formed GGUF of a known architecture, but most of the model is missing.
    path = tmp_path / "partial.gguf"
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_block_count(1)
    writer.add_context_length(128)
    writer.add_embedding_length(8)
    writer.add_feed_forward_length(16)
    writer.add_head_count(2)
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    inspect_gguf(path)  # looks fine from the outside
    with pytest.raises(ModelFileInvalid) as raised:
        Engine.load(path)
    assert "llama.cpp cannot use it" in str(raised.value)
    assert "key not found" in str(raised.value)
