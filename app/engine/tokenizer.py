"""Prompt tokenization: a conversation through the chat template into the model's tokens.

`Tokenizer.open(path)` loads only the vocabulary (fast, little memory), for counting tokens without
loading the weights; a loaded Engine uses the same class over its full model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.engine.gguf_file import ModelFacts, inspect_gguf
from app.engine.messages import ChatMessage, LoadOptions
from app.engine.native import Model
from app.engine.templates import ChatTemplate


class Tokenizer:
    def __init__(self, model: Model, template: ChatTemplate) -> None:
        self._model = model
        self.template = template

    @classmethod
    def for_model(cls, model: Model, facts: ModelFacts) -> Tokenizer:
        template = ChatTemplate(
            facts.chat_template, bos_token=model.bos_token, eos_token=model.eos_token
        )
        return cls(model, template)

    @classmethod
    def open(cls, path: str | Path) -> Tokenizer:
        facts = inspect_gguf(path)
        return cls.for_model(Model(facts.path, LoadOptions(), vocab_only=True), facts)

    def close(self) -> None:
        """Free the vocabulary of a Tokenizer made by `open` (an Engine frees its own model)."""
        self._model.close()

    def __enter__(self) -> Tokenizer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def tokenize_prompt(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The tokens the model sees for `messages`, ending with the assistant's turn opening."""
        tokens = self._model.tokenize(
            self.template.render(messages), add_special=False, parse_special=True
        )
        bos = self._model.bos_id
        # Most templates write the BOS token themselves; add it only where the model wants one.
        if self._model.adds_bos and bos >= 0 and tokens[:1] != [bos]:
            tokens.insert(0, bos)
        return tokens

    def tokenize_text(self, text: str) -> list[int]:
        """Plain text as the model reads it (a completion's prompt): no template, the BOS token
        where the model wants one, special tokens as written text."""
        return self._model.tokenize(text, add_special=True, parse_special=False)

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self.tokenize_prompt(messages))
