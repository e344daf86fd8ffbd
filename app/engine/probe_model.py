"""A tiny llama model with random weights for the engine probe (probe.py): a real decode through the
matrix kernels that people's models use, with no model of theirs (the bundle carries none) and in a
fraction of a second. Its outputs mean nothing; only that computing them does not kill the process.

The weights come in the quantizations most GGUF files on the hub use, since llama.cpp's CPU code
takes a separate path for several of them (repacked Q4_0 and IQ4-style layouts, AMX tiles for Q4/Q8
and K-quants): a variant that crashes on one of them must crash here, not in the app."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

Q = gguf.GGMLQuantizationType
EMBEDDING = 256  # a multiple of the K-quants' 256-value blocks
FEED_FORWARD = 512
HEADS = 4
VOCABULARY = 512
CONTEXT = 256
# Where each quantized block keeps its float16 scales (ggml-common.h): left finite and small, so
# the random bits elsewhere are valid numbers and the decode computes what a real model would.
_SCALE_OFFSETS = {Q.Q4_0: (0,), Q.Q4_1: (0, 2), Q.Q8_0: (0,), Q.Q4_K: (0, 2), Q.Q6_K: (208,)}
# Per layer: attention q, k, v, output, then feed-forward gate, up, down.
_LAYERS = (
    (Q.Q4_0, Q.Q4_0, Q.Q8_0, Q.Q4_K, Q.Q4_K, Q.Q4_0, Q.Q6_K),
    (Q.F16, Q.Q4_1, Q.Q8_0, Q.Q8_0, Q.Q4_0, Q.Q4_K, Q.Q8_0),
)


def write_probe_model(path: Path) -> Path:
    random = np.random.default_rng(7)
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_type("model")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBEDDING)
    writer.add_block_count(len(_LAYERS))
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBEDDING // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("no_vocab")  # token ids go straight in; nothing to tokenize
    writer.add_vocab_size(VOCABULARY)

    def matrix(name: str, kind: Q, columns: int, rows: int) -> None:
        values = _random_matrix(random, kind, columns, rows)
        writer.add_tensor(name, values, raw_dtype=None if kind == Q.F16 else kind)

    def norm(name: str) -> None:
        writer.add_tensor(name, np.ones(EMBEDDING, dtype=np.float32))

    matrix("token_embd.weight", Q.Q8_0, EMBEDDING, VOCABULARY)
    for index, (q, k, v, out, gate, up, down) in enumerate(_LAYERS):
        block = f"blk.{index}"
        norm(f"{block}.attn_norm.weight")
        for name, kind in (("attn_q", q), ("attn_k", k), ("attn_v", v), ("attn_output", out)):
            matrix(f"{block}.{name}.weight", kind, EMBEDDING, EMBEDDING)
        norm(f"{block}.ffn_norm.weight")
        matrix(f"{block}.ffn_gate.weight", gate, EMBEDDING, FEED_FORWARD)
        matrix(f"{block}.ffn_up.weight", up, EMBEDDING, FEED_FORWARD)
        matrix(f"{block}.ffn_down.weight", down, FEED_FORWARD, EMBEDDING)
    norm("output_norm.weight")
    matrix("output.weight", Q.Q6_K, EMBEDDING, VOCABULARY)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _random_matrix(random: np.random.Generator, kind: Q, columns: int, rows: int) -> np.ndarray:
    """`rows` rows of `columns` values in `kind` (quantized ones as their blocks' bytes)."""
    if kind == Q.F16:
        return (random.standard_normal((rows, columns)) * 0.05).astype(np.float16)
    block_values, block_bytes = gguf.GGML_QUANT_SIZES[kind]
    blocks = random.integers(0, 256, (rows, columns // block_values, block_bytes), dtype=np.uint8)
    scale = np.frombuffer(np.float16(0.002).tobytes(), dtype=np.uint8)
    for offset in _SCALE_OFFSETS[kind]:
        blocks[:, :, offset : offset + 2] = scale
    return blocks.reshape(rows, -1)
