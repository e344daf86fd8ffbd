"""Engine errors: each says what went wrong with the model file or the request, and what to do."""

from __future__ import annotations

from pathlib import Path

from app.errors import MiniGiantsError


class EngineError(MiniGiantsError):
    """Base class of every engine error."""


class ModelFileMissing(EngineError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The model file {path.name} was not found at {path.parent}.",
            "Check the path, or download the model again from the model manager.",
        )
        self.path = path


class ModelFileInvalid(EngineError):
    """Not a GGUF file, or a damaged one (truncated download, corrupt header or tensor table)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path.name} is not a usable GGUF model: {reason}.",
            "If it was downloaded, delete it and download it again; "
            "Mini-Giants runs quantized GGUF files such as *.Q4_K_M.gguf.",
        )
        self.path = path
        self.reason = reason


class UnsupportedArchitecture(EngineError):
    def __init__(self, path: Path, architecture: str) -> None:
        super().__init__(
            f"{path.name} uses the model architecture '{architecture}', "
            "which this build of llama.cpp cannot run.",
            "Pick another model, or update Mini-Giants to a newer llama.cpp.",
        )
        self.path = path
        self.architecture = architecture


class ModelLoadFailed(EngineError):
    """llama.cpp refused a file that looked valid: usually memory, or an option it cannot honour."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"llama.cpp could not load {path.name}: {detail}",
            "Try a smaller context length or quantization, fewer GPU layers, or close other programs "
            "to free memory.",
        )
        self.path = path
        self.detail = detail


class LoadCancelled(EngineError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"Loading {path.name} was cancelled.", "Choose a model to load it again.")
        self.path = path


class LoraAdapterFailed(EngineError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The LoRA adapter {path.name} could not be applied: {detail}",
            "Use a GGUF LoRA adapter made for this base model.",
        )
        self.path = path


class MessageTooLong(EngineError):
    """The system prompt and the latest message alone do not fit in the context window."""

    def __init__(self, needed_tokens: int, available_tokens: int, n_ctx: int) -> None:
        super().__init__(
            f"This message needs {needed_tokens:,} tokens with the system prompt, but only "
            f"{available_tokens:,} of the model's {n_ctx:,}-token context are free for it "
            "(the rest is kept for the reply).",
            "Shorten the message or the system prompt, lower the reply length, or load the model "
            "with a larger context length.",
        )
        self.needed_tokens = needed_tokens
        self.available_tokens = available_tokens
        self.n_ctx = n_ctx


class EngineUnavailable(EngineError):
    """No build of llama.cpp's code in this installation can run on this computer."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The engine cannot start on this computer: {detail}.",
            "Run `minigiants doctor` and report what it says; reinstalling Mini-Giants may help.",
        )
        self.detail = detail


class EngineClosed(EngineError):
    def __init__(self) -> None:
        super().__init__("The model has been unloaded.", "Load a model before chatting.")


class ChatTemplateError(EngineError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The model's chat template could not format this conversation: {detail}",
            "This model may expect a different message order (for example no system prompt); "
            "try removing the system prompt or use another model.",
        )


class ReplyFormatInvalid(EngineError):
    """A JSON schema for the reply that llama.cpp's grammar cannot express or compile."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The reply format (a JSON schema) cannot be used: {detail}.",
            "Simplify the schema: types, properties, required, items, minItems/maxItems, enum, "
            "const, anyOf, minLength/maxLength and ^...$ patterns work; a definition may not refer "
            "to itself before any text, and references must be local (#/...).",
        )
        self.detail = detail
