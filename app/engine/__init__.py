"""In-process llama.cpp engine (no Qt): choose llama.cpp's code for this computer, load a GGUF, stream
chat replies, cancel, reuse the KV cache, fit the context, hold a reply to a JSON schema, read model
facts and the hardware."""

from app.engine.backends import EngineBackends
from app.engine.context_fit import ContextFit
from app.engine.engine import ChatStream, Engine
from app.engine.errors import (
    ChatTemplateError,
    EngineClosed,
    EngineError,
    EngineUnavailable,
    LoadCancelled,
    LoraAdapterFailed,
    MessageTooLong,
    ModelFileInvalid,
    ModelFileMissing,
    ModelLoadFailed,
    ReplyFormatInvalid,
    UnsupportedArchitecture,
)
from app.engine.gguf_file import ModelFacts, inspect_gguf
from app.engine.hardware import HardwareReport, hardware_report
from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    SamplingOptions,
    StopReason,
)
from app.engine.tokenizer import Tokenizer

__all__ = [
    "ChatMessage",
    "ChatStream",
    "ChatTemplateError",
    "ContextFit",
    "Engine",
    "EngineBackends",
    "EngineClosed",
    "EngineError",
    "EngineUnavailable",
    "GenerationStats",
    "HardwareReport",
    "LoadCancelled",
    "LoadOptions",
    "LoraAdapterFailed",
    "MessageTooLong",
    "ModelFacts",
    "ModelFileInvalid",
    "ModelFileMissing",
    "ModelLoadFailed",
    "ReplyFormatInvalid",
    "SamplingOptions",
    "StopReason",
    "Tokenizer",
    "UnsupportedArchitecture",
    "hardware_report",
    "inspect_gguf",
]
