"""Chat templates: the model's own Jinja template from its GGUF, rendered in a sandbox.

A model without a template gets ChatML, declared as a fallback (never llama-2 in silence), and the
engine reports that it did."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.engine.errors import ChatTemplateError
from app.engine.messages import ChatMessage

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
# A model that was not trained on ChatML may print the end marker as plain text.
CHATML_STOP_STRINGS = ("<|im_end|>", "<|im_start|>")

SOURCE_GGUF = "gguf"
SOURCE_FALLBACK_CHATML = "fallback-chatml"


def _raise_exception(message: str) -> None:
    raise jinja2.TemplateError(message)


def _strftime_now(date_format: str) -> str:
    return datetime.now().strftime(date_format)


def _tojson(value: object, indent: int | None = None) -> str:
    # Hugging Face's templates expect non-ASCII text kept as is, unlike Jinja's HTML-safe tojson.
    return json.dumps(value, ensure_ascii=False, indent=indent)


class ChatTemplate:
    def __init__(self, template: str | None, *, bos_token: str, eos_token: str) -> None:
        self.source = SOURCE_GGUF if template else SOURCE_FALLBACK_CHATML
        self.stop_strings: tuple[str, ...] = () if template else CHATML_STOP_STRINGS
        self.bos_token = bos_token
        self.eos_token = eos_token
        # Same settings as Hugging Face's renderer, which these templates are written for.
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        environment.globals.update(raise_exception=_raise_exception, strftime_now=_strftime_now)
        environment.filters["tojson"] = _tojson
        try:
            self._compiled = environment.from_string(template or CHATML_TEMPLATE)
        except jinja2.TemplateError as error:
            raise ChatTemplateError(f"the template does not compile ({error})") from None

    @property
    def is_fallback(self) -> bool:
        return self.source == SOURCE_FALLBACK_CHATML

    def render(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        try:
            return self._compiled.render(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
            )
        except jinja2.TemplateError as error:
            raise ChatTemplateError(str(error)) from None
