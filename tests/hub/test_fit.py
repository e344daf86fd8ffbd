"""The fit estimate against values worked out by hand from SmolLM2's own metadata."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.engine.backends import EngineBackends
from app.engine.gguf_file import inspect_gguf
from app.engine.hardware import Device, HardwareReport
from app.hub.fit import AttentionShape, Verdict, attention_of, estimate_fit

GIB = 1024**3


def machine(ram_total: float, ram_available: float, gpu_free: float = 0) -> HardwareReport:
    devices = (Device("GPU0", "a test GPU", "gpu", int(gpu_free * GIB), int(gpu_free * GIB),
                      "CUDA"),) if gpu_free else ()
    backends = EngineBackends("runtime", "haswell", "a test", ("CUDA",) if gpu_free else (),
                              ("CUDA",) if gpu_free else (), ())
    return HardwareReport("test CPU", (), 2, 4, int(ram_total * GIB), int(ram_available * GIB),
                          bool(gpu_free), devices, "0.3", backends)


def test_smollm2_kv_cache_and_total_by_hand(starter_path: Path) -> None:
    facts = inspect_gguf(starter_path)
    attention = attention_of(facts)
    # SmolLM2-135M: 30 layers, 3 KV heads, 64-wide keys and values (576 / 9 heads).
    assert attention == AttentionShape(30, 3, 64, 64)
    estimate = estimate_fit(facts.file_size, attention, 2048, machine(24, 20))
    assert estimate.kv_bytes == 30 * 3 * (64 + 64) * 2 * 2048 == 47_185_920
    assert estimate.model_bytes == facts.file_size == 98_362_432
    assert estimate.overhead_bytes == 384 * 1024**2 + round(0.05 * 98_362_432)
    assert estimate.total_bytes == 98_362_432 + 47_185_920 + 407_571_306
    assert estimate.verdict is Verdict.FITS and estimate.gpu_layers == 0
    assert attention.kv_bytes(2048, "q8_0") == 30 * 3 * 128 * 2048 * 34 // 32


def test_verdicts_follow_the_memory_there_is() -> None:
    llama_8b = AttentionShape(32, 8, 128, 128)
    q4_file = int(4.9 * GIB)
    assert llama_8b.kv_bytes(8192) == GIB
    assert estimate_fit(q4_file, llama_8b, 8192, machine(16, 12)).verdict is Verdict.FITS
    assert estimate_fit(q4_file, llama_8b, 8192, machine(8, 5)).verdict is Verdict.TIGHT
    assert estimate_fit(q4_file, llama_8b, 8192, machine(4, 3)).verdict is Verdict.WONT_FIT
    longer = estimate_fit(q4_file, llama_8b, 131072, machine(16, 12))
    assert longer.kv_bytes == 16 * GIB and longer.verdict is Verdict.WONT_FIT


def test_gpu_layers_are_suggested_from_free_gpu_memory() -> None:
    llama_8b = AttentionShape(32, 8, 128, 128)
    q4_file = int(4.9 * GIB)
    everything = estimate_fit(q4_file, llama_8b, 8192, machine(16, 12, gpu_free=12))
    assert everything.gpu_layers == 33 and everything.verdict is Verdict.FITS
    half = estimate_fit(q4_file, llama_8b, 8192, machine(4, 3, gpu_free=4))
    per_layer = (q4_file + GIB) / 32
    assert half.gpu_layers == int((0.85 * 4 * GIB - half.overhead_bytes) // per_layer)
    assert 0 < half.gpu_layers < 32
    assert half.verdict is not Verdict.WONT_FIT, "what does not fit in RAM goes to the GPU"
    no_offload = dataclasses.replace(machine(16, 12, gpu_free=12), gpu_offload=False)
    assert estimate_fit(q4_file, llama_8b, 8192, no_offload).gpu_layers == 0
