"""The versions of a chat message: a question's wordings, a reply written again. Kept in the
order they were written, each with its own statistics; a reply's versions know which wording of
the question they answered. Pure functions over the vault's records, shared by the reply saver,
the CLI and the chat page."""

from __future__ import annotations

import dataclasses

from app.vault.records import Message, Version


def versions(message: Message) -> tuple[Version, ...]:
    """Every version of a message in the order they were written; the one in use among them at
    `in_use(message)`."""
    at = in_use(message)
    current = Version(message.text, message.stats, message.model, message.answers)
    return (*message.alternatives[:at], current, *message.alternatives[at:])


def in_use(message: Message) -> int:
    return len(message.alternatives) if message.position is None else message.position


def with_new_version(message: Message, text: str, *, stats: dict[str, object] | None = None,
                     model: str | None = None, answers: int | None = None) -> Message:
    """The message with `text` as its newest version, in use; the others kept as they were."""
    earlier = versions(message)
    return dataclasses.replace(message, text=text, stats=dict(stats or {}), model=model,
                               answers=answers, alternatives=earlier, position=len(earlier))


def choose_version(message: Message, index: int) -> Message:
    """The message with its version number `index` (into `versions`) in use; the order of the
    versions stays as it is."""
    every = versions(message)
    chosen = every[index]
    return dataclasses.replace(message, text=chosen.text, stats=chosen.stats, model=chosen.model,
                               answers=chosen.answers, alternatives=every[:index] + every[index + 1:],
                               position=index)


def answers_to(reply: Message, question: Message) -> tuple[int, ...]:
    """The versions of `reply` (indexes into `versions`) that answer the wording of `question` in
    use; versions from before wordings were recorded answer any."""
    wording = in_use(question)
    return tuple(index for index, version in enumerate(versions(reply))
                 if version.answers is None or version.answers == wording)


def follow_wording(reply: Message, question: Message) -> Message:
    """`reply` with a version answering the question's wording in use: the one in use if it does,
    else the newest that does (or as it is, when none does)."""
    matching = answers_to(reply, question)
    if not matching or in_use(reply) in matching:
        return reply
    return choose_version(reply, matching[-1])
