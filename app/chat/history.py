"""Chat turns kept in the vault, as the engine needs them: the prompt for a turn, a conversation's
title, new versions of a message (regenerate, edit) and branches. Plain Python shared by the CLI
and the GUI, so both store and replay conversations the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.engine import ChatMessage, SamplingOptions
from app.personas import DEFAULT_PERSONA, persona
from app.vault.records import Conversation, Message
from app.vault.store import Vault

TITLE_LENGTH = 60
UNTITLED = "New conversation"


def title_for(first_message: str) -> str:
    """A title from the first message: its first line, cut at a word within TITLE_LENGTH; made
    locally, since asking the model would cost a turn and could wander."""
    line = " ".join(first_message.strip().splitlines()[0].split()) if first_message.strip() else ""
    if len(line) <= TITLE_LENGTH:
        return line or UNTITLED
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0] or line[:TITLE_LENGTH]
    return cut.rstrip(",.;:") + "…"


def empty_conversation_note(model: str | None, good_for: str | None, loading: bool,
                            server: str | None = None) -> str:
    """What a new conversation says before its first message: which model answers, what it is
    good for, what to do, and where it goes (`server`: the host of your server, if there)."""
    if model is None:
        return "No model is loaded yet: choose one above, or add one in Models."
    lines = [f"Loading {model}… you can start typing below." if loading
             else f"{model} is ready."]
    if good_for:
        lines.append(f"Good for: {good_for}")
    if server is None:
        lines.append("Write a message below and press Enter. It stays on this computer, "
                     "encrypted in your vault; nothing is sent anywhere.")
    else:
        lines.append(f"Write a message below and press Enter. Replies are computed on {server}, "
                     "your server: each message goes there with the conversation so far. The "
                     "conversation is kept on this computer, encrypted in your vault.")
    return "\n\n".join(lines)


def context_used(prompt_tokens: object, completion_tokens: object) -> int:
    """How much of the context a reply filled: its prompt and itself. 0 (not known) when the
    prompt was not counted, as by a server that reports no usage while streaming: the reply
    alone would understate it."""
    counts = [prompt_tokens, completion_tokens]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in counts) \
            or not prompt_tokens:
        return 0
    return sum(counts)  # type: ignore[arg-type]


def counted_by_last_reply(messages: Sequence[Message]) -> int:
    """The context a conversation filled at its last reply, as that reply's model counted it: for
    a model on your server, which alone can count its tokens."""
    for message in reversed(messages):
        if message.role == "assistant":
            return context_used(message.stats.get("prompt_tokens"),
                                message.stats.get("completion_tokens"))
    return 0


def draft() -> Conversation:
    """The settings a conversation not yet stored would get."""
    return Conversation("", UNTITLED, persona(DEFAULT_PERSONA).prompt, None, {}, "", "")


def prompt_for(system_prompt: str, messages: Sequence[Message]) -> list[ChatMessage]:
    """The engine's view of a conversation: its system prompt, then each message's version in use."""
    prompt = [ChatMessage("system", system_prompt)] if system_prompt.strip() else []
    return prompt + [ChatMessage(m.role, m.text) for m in messages if m.role != "system"]


def sampling_of(conversation: Conversation, defaults: SamplingOptions = SamplingOptions()
                ) -> SamplingOptions:
    """The conversation's sampling settings over the defaults; unknown keys (from a newer app)
    are ignored rather than refused."""
    known = {f.name for f in dataclasses.fields(SamplingOptions)} - {"logit_bias"}
    chosen = {k: v for k, v in conversation.sampling.items() if k in known}
    return dataclasses.replace(defaults, **chosen)  # type: ignore[arg-type]


def branch(vault: Vault, conversation: Conversation, messages: Sequence[Message], upto: int
           ) -> Conversation:
    """A new conversation holding copies of messages[:upto], with the same settings: editing an
    earlier message continues there, and the original conversation stays as it was."""
    copy = vault.conversations.create(
        f"{conversation.title} (branch)", system_prompt=conversation.system_prompt,
        model=conversation.model, sampling=conversation.sampling)
    for message in messages[:upto]:
        added = vault.conversations.add_message(copy.id, message.role, message.text,
                                                model=message.model, stats=message.stats,
                                                answers=message.answers)
        if message.alternatives:
            vault.conversations.update_message(dataclasses.replace(
                added, alternatives=message.alternatives, position=message.position))
    return copy
