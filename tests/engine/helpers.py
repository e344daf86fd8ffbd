"""Conversations and files the engine tests build for themselves."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
from gguf.scripts.gguf_new_metadata import copy_with_new_metadata

from app.chat.switch_bench import long_text as long_text  # the benchmark's prose
from app.engine import ChatMessage, ChatStream

SYSTEM = ChatMessage("system", "You are a helpful assistant.")


def conversation(*user_turns: str, replies: tuple[str, ...] = ()) -> list[ChatMessage]:
    """System prompt, then user turns interleaved with the given replies."""
    messages = [SYSTEM]
    for index, text in enumerate(user_turns):
        messages.append(ChatMessage("user", text))
        if index < len(replies):
            messages.append(ChatMessage("assistant", replies[index]))
    return messages


def drain(stream: ChatStream) -> str:
    return "".join(stream)


def copy_without_chat_template(source: Path, target: Path) -> Path:
    reader = gguf.GGUFReader(source)
    architecture = reader.get_field(gguf.Keys.General.ARCHITECTURE).contents()
    writer = gguf.GGUFWriter(target, arch=architecture, endianess=reader.endianess)
    copy_with_new_metadata(reader, writer, {}, [gguf.Keys.Tokenizer.CHAT_TEMPLATE])
    return target


def write_lora_adapter(path: Path, *, strength: float, layers: int = 30, width: int = 576) -> Path:
    """A rank-4 LoRA adapter in llama.cpp's GGUF format over every attention query projection of
    SmolLM2-135M. strength 0 makes lora_b zero: the adapter then changes nothing."""
    rng = np.random.default_rng(0)
    rank = 4
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(rank))
    for layer in range(layers):
        base = f"blk.{layer}.attn_q.weight"
        writer.add_tensor(f"{base}.lora_a", rng.normal(size=(rank, width)).astype(np.float32))
        writer.add_tensor(
            f"{base}.lora_b", (strength * rng.normal(size=(width, rank))).astype(np.float32)
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
