"""Values that cross the engine's edge: chat messages, options, and what a turn reports."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown chat role {self.role!r}; expected one of {ROLES}")


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model. None means "let Mini-Giants choose" (see the engine for the choice)."""

    n_ctx: int = 4096  # 0 = the context length the model was trained with
    n_threads: int | None = None  # decoding threads; None = physical cores
    n_threads_batch: int | None = None  # prompt-processing threads; None = physical cores
    n_gpu_layers: int = 0  # -1 = all layers
    n_batch: int = 512
    flash_attention: bool = False
    kv_cache_type: str = "f16"  # f16, q8_0 or q4_0 (a quantized V cache needs flash attention)
    use_mmap: bool = True
    use_mlock: bool = False
    seed: int | None = None  # default sampling seed when a request gives none; None = random
    lora_path: str | None = None
    lora_scale: float = 1.0


@dataclass(frozen=True)
class SamplingOptions:
    temperature: float = 0.7  # 0 = greedy, deterministic
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    repeat_last_n: int = 64
    max_tokens: int = 512
    seed: int | None = None
    # Added to a token's logit before sampling: -inf forbids it, a positive value favours it.
    logit_bias: Mapping[int, float] = field(default_factory=dict)
    # Structured output: the reply is JSON of this shape (a JSON schema), enforced token by token by
    # llama.cpp's grammar sampler. It is complete unless the turn stops for LENGTH or CANCELLED.
    json_schema: Mapping[str, object] | None = None
    # More strings that end the reply (the template's own always do), cut off where they begin.
    stop: tuple[str, ...] = ()


class StopReason(str, enum.Enum):
    EOS = "eos"  # the model ended its turn
    LENGTH = "length"  # max_tokens reached, or the context window is full
    CANCELLED = "cancelled"
    ERROR = "error"


@dataclass(frozen=True)
class GenerationStats:
    prompt_tokens: int  # the whole prompt of this turn
    evaluated_tokens: int  # prompt tokens actually computed this turn (the rest came from the cache)
    completion_tokens: int
    time_to_first_token_s: float | None  # None when no token was produced
    prompt_tokens_per_s: float | None
    decode_tokens_per_s: float | None
    stop_reason: StopReason
    dropped_messages: tuple[int, ...] = ()  # indexes of messages left out to fit the context
    error: str | None = None

    @property
    def reused_tokens(self) -> int:
        return self.prompt_tokens - self.evaluated_tokens
