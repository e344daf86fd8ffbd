"""Will a model fit this machine? An estimate made before loading (and before downloading, from the
catalog's or the hub's sizes): the weights, the KV cache for the chosen context, and llama.cpp's
working buffers, against the RAM and GPU memory there is.

KV cache = layers x KV heads x (key width + value width) x bytes per element x context tokens,
which is what llama.cpp allocates for a full context (f16 unless the KV cache type says otherwise)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.engine.gguf_file import ModelFacts
from app.engine.hardware import HardwareReport

GIB = 1024**3
KV_BYTES_PER_ELEMENT = {"f16": 2.0, "bf16": 2.0, "f32": 4.0, "q8_0": 34 / 32, "q4_0": 18 / 32}
# llama.cpp's compute buffers, the tokenizer and the runtime: measured at 150-400 MiB for 1-8B models
# with the default batch size; a fixed allowance plus a little per weight byte covers them.
OVERHEAD_FIXED = 384 * 1024**2
OVERHEAD_SHARE = 0.05
# What must stay free for the system and the app itself, as a share of memory.
FITS_SHARE = 0.85  # of available memory: fits comfortably
TIGHT_SHARE = 0.90  # of total memory: would run by pushing other programs out (swap, slow)


# Bits per weight of llama.cpp's quantization types (llama.cpp's quantize tool lists these), to
# tell a file's size from its parameter count before the hub or the catalog says.
BITS_PER_WEIGHT = {
    "Q2_K": 3.35, "Q3_K_S": 3.50, "Q3_K_M": 3.91, "Q3_K_L": 4.27, "IQ4_XS": 4.25, "IQ4_NL": 4.50,
    "Q4_0": 4.55, "Q4_1": 5.00, "Q4_K_S": 4.58, "Q4_K_M": 4.85, "Q5_0": 5.54, "Q5_1": 6.00,
    "Q5_K_S": 5.54, "Q5_K_M": 5.69, "Q6_K": 6.56, "Q8_0": 8.50, "F16": 16.0, "BF16": 16.0,
    "F32": 32.0,
}


def estimated_file_size(parameters_billion: float, quantization: str) -> int | None:
    bits = BITS_PER_WEIGHT.get(quantization.upper())
    return round(parameters_billion * 1e9 * bits / 8) if bits else None


class Verdict(str, enum.Enum):
    FITS = "fits"
    TIGHT = "tight"
    WONT_FIT = "won't fit"


@dataclass(frozen=True)
class AttentionShape:
    block_count: int
    head_count_kv: int
    key_length: int
    value_length: int

    def kv_bytes(self, n_ctx: int, kv_type: str = "f16") -> int:
        per_token = self.block_count * self.head_count_kv * (self.key_length + self.value_length)
        return round(per_token * KV_BYTES_PER_ELEMENT[kv_type] * n_ctx)


def attention_of(facts: ModelFacts) -> AttentionShape | None:
    """The attention shape a GGUF declares, or None when it does not say enough."""
    if facts.block_count and facts.head_count_kv and facts.key_length and facts.value_length:
        return AttentionShape(facts.block_count, facts.head_count_kv, facts.key_length,
                              facts.value_length)
    return None


@dataclass(frozen=True)
class FitEstimate:
    n_ctx: int
    model_bytes: int
    kv_bytes: int
    overhead_bytes: int
    ram_total: int
    ram_available: int
    gpu_free: int  # of the largest GPU this build can use; 0 without one
    gpu_layers: int  # suggested: 0 = CPU only, block_count + 1 = everything (output layer too)
    verdict: Verdict

    @property
    def total_bytes(self) -> int:
        return self.model_bytes + self.kv_bytes + self.overhead_bytes

    def summary(self) -> str:
        where = ("on the GPU" if self.gpu_layers and self.gpu_free >= self.total_bytes
                 else f"{self.gpu_layers} layers on the GPU" if self.gpu_layers else "in RAM")
        return (f"{self.verdict.value}: needs about {self.total_bytes / GIB:.1f} GiB "
                f"({self.model_bytes / GIB:.1f} model + {self.kv_bytes / GIB:.2f} context "
                f"{self.n_ctx:,} tokens + {self.overhead_bytes / GIB:.1f} working) {where}; "
                f"{self.ram_available / GIB:.1f} of {self.ram_total / GIB:.1f} GiB RAM free")


def estimate_fit(model_bytes: int, attention: AttentionShape | None, n_ctx: int,
                 hardware: HardwareReport, *, kv_type: str = "f16") -> FitEstimate:
    """`attention` may be unknown (a hub file not yet downloaded and not in the catalog): the KV
    cache is then left out, and the verdict can only be optimistic about long contexts."""
    kv = attention.kv_bytes(n_ctx, kv_type) if attention else 0
    overhead = OVERHEAD_FIXED + round(OVERHEAD_SHARE * model_bytes)
    need = model_bytes + kv + overhead
    gpu_free = max((gpu.memory_free for gpu in hardware.gpus), default=0) \
        if hardware.gpu_offload else 0
    layers = attention.block_count if attention else 0
    gpu_layers, on_gpu = _gpu_split(model_bytes, kv, overhead, layers, gpu_free)
    in_ram = need - on_gpu
    if in_ram <= FITS_SHARE * hardware.ram_available:
        verdict = Verdict.FITS
    elif in_ram <= TIGHT_SHARE * hardware.ram_total:
        verdict = Verdict.TIGHT
    else:
        verdict = Verdict.WONT_FIT
    return FitEstimate(n_ctx, model_bytes, kv, overhead, hardware.ram_total, hardware.ram_available,
                       gpu_free, gpu_layers, verdict)


def _gpu_split(model_bytes: int, kv: int, overhead: int, layers: int,
               gpu_free: int) -> tuple[int, int]:
    """(layers to offload, bytes that then live on the GPU). Everything when it fits with room to
    spare; otherwise as many whole layers (weights and their share of the KV cache) as fit."""
    usable = int(FITS_SHARE * gpu_free)
    if not layers or usable <= overhead:
        return 0, 0
    if model_bytes + kv + overhead <= usable:
        return layers + 1, model_bytes + kv + overhead
    per_layer = (model_bytes + kv) / layers
    count = min(layers, int((usable - overhead) // per_layer))
    return (count, round(count * per_layer) + overhead) if count > 0 else (0, 0)
