"""Small but real GGUF files for tests: a model, a vision projector and a LoRA adapter, each laid out
as llama.cpp's converters write them."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np


def write_gguf(
    path: Path, *, general_type: str | None = "model", architecture: str = "llama"
) -> Path:
    """A tiny GGUF: metadata, a three-token vocabulary (not for projectors) and one tensor."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(path, arch=architecture)
    if general_type is not None:
        writer.add_type(general_type)
    if architecture != "clip":
        writer.add_tokenizer_model("gpt2")
        writer.add_token_list(["a", "b", "c"])
    writer.add_tensor("token_embd.weight", np.zeros((3, 4), dtype=np.float32))
    return _finish(writer, path)


def write_projector(path: Path) -> Path:
    """A vision projector as llama.cpp's converter writes it: "clip" architecture, no vocabulary."""
    return write_gguf(path, general_type=None, architecture="clip")


def write_lora(path: Path, *, typed: bool = True) -> Path:
    """A LoRA adapter as llama.cpp's converter writes it, with an array ahead of its type key;
    untyped as converters wrote them before general.type existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_array("general.tags", ["lora", "journaling"])
    if typed:
        writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_tensor("blk.0.attn_q.weight.lora_a", np.zeros((2, 4), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight.lora_b", np.zeros((4, 2), dtype=np.float32))
    return _finish(writer, path)


def _finish(writer: gguf.GGUFWriter, path: Path) -> Path:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
