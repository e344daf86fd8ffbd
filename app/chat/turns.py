"""One turn of the chat: a message checked by the local crisis check, stored, answered by the model
while the reply streams into the view and into the vault (after a crisis hit the person chose to
go on from, answered under a supportive instruction and read whole before it is shown:
app/journal/held_reply.py); a reply written again, a question edited and answered again (or
branched), one version of a message chosen; a turn stopped or failed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.chat.history import (
    UNTITLED,
    branch,
    context_used,
    prompt_for,
    sampling_of,
    title_for,
)
from app.chat.ports import ChatEngine, ChatView
from app.engine import GenerationStats
from app.errors import MiniGiantsError
from app.jobs import Jobs
from app.journal.held_reply import held_prompt, screened
from app.journal.safety import SafetyResult, check, crisis_resources
from app.personas import DEFAULT_PERSONA, persona
from app.vault.records import Conversation, Message
from app.vault.reply_saver import ReplySaver
from app.vault.store import Vault
from app.vault.versions import choose_version, follow_wording, in_use, with_new_version


@dataclass
class HeldTurn:
    """A turn answering a message the crisis check flagged: its reply is read whole first."""

    result: SafetyResult
    parts: list[str] = field(default_factory=list)


class TurnHost(Protocol):
    """What a turn reads and changes of the chat session (app/chat/session.py) that holds it."""

    jobs: Jobs
    engine: ChatEngine
    view: ChatView
    vault: Vault | None
    conversation: Conversation | None
    messages: list[Message]
    crisis_region: str

    @property
    def model_name(self) -> str | None: ...

    def refresh_list(self) -> None: ...

    def count_context(self) -> None: ...


class ChatTurns:
    def __init__(self, session: TurnHost) -> None:
        self._session = session
        self.request: int | None = None  # the reply streaming now
        self._saver: ReplySaver | None = None
        self._held: HeldTurn | None = None  # this turn answers a message the check flagged

    def _ready(self) -> bool:
        session = self._session
        return session.vault is not None and self.request is None and session.engine.is_loaded

    def send(self, text: str) -> None:
        if not self._ready():
            return
        self._session.view.turn_started()  # at once: a second Enter must not send twice
        self._checked_first(text, self._session.messages, lambda hit: self._send(text, hit))

    def _checked_first(self, text: str, before: list[Message],
                       proceed: Callable[[SafetyResult | None], None]) -> None:
        """The local crisis check comes before the model sees the text (off the GUI thread: a
        long paste takes a while), with the person's messages `before` it as context; on a hit
        the person decides whether to go on, and the reply is held."""
        context = _earlier_questions(before)

        def checked(result: SafetyResult) -> None:
            if not result.flagged:
                proceed(None)
                return
            self._session.view.ask_to_continue(result, lambda: proceed(result),
                                               lambda: self._hold(text))

        self._session.jobs.submit(lambda: check(text, context), checked, "checking your message",
                                  on_error=self._failed)

    def _hold(self, text: str) -> None:
        """Not now: nothing is stored or sent, and what was written is back in the box."""
        self._session.view.turn_ended()
        self._session.view.restore_draft(text)

    def _send(self, text: str, hit: SafetyResult | None) -> None:
        session = self._session
        vault = session.vault
        if vault is None:
            return
        existing, had_messages = session.conversation, bool(session.messages)

        def store() -> tuple[Conversation, Message]:
            conversation = existing
            if conversation is None:
                conversation = vault.conversations.create(
                    title_for(text), system_prompt=persona(DEFAULT_PERSONA).prompt,
                    model=session.model_name)
            elif conversation.title == UNTITLED and not had_messages:
                conversation = vault.conversations.rename(conversation.id, title_for(text))
            return conversation, vault.conversations.add_message(conversation.id, "user", text)

        def stored(result: tuple[Conversation, Message]) -> None:
            session.conversation, message = result
            session.view.show_title(session.conversation.title)
            session.messages.append(message)
            session.view.append_message(message)
            session.refresh_list()
            self._generate(session.messages, replacing=None, hit=hit)

        session.jobs.submit(store, stored, "saving your message", on_error=self._failed)

    def regenerate(self) -> None:
        """A new reply to the last question; the previous one stays as an alternative. The
        question is checked again (the person already chose to go on): a flagged one's reply is
        held again."""
        session = self._session
        if not self._ready() or not session.messages or session.messages[-1].role != "assistant":
            return
        history, previous = session.messages[:-1], session.messages[-1]
        session.view.show_messages(history)
        session.view.turn_started()
        question = history[-1].text if history else ""
        context = _earlier_questions(history[:-1])

        def checked(result: SafetyResult) -> None:
            self._generate(history, replacing=previous, hit=result if result.flagged else None)

        session.jobs.submit(lambda: check(question, context), checked, "checking your message",
                            on_error=self._failed)

    def edit_and_resend(self, message_id: str, text: str) -> None:
        if not self._ready():
            return
        self._session.view.turn_started()
        index = _index_of(self._session.messages, message_id)
        self._checked_first(text, self._session.messages[:index],
                            lambda hit: self._edit_and_resend(message_id, text, hit))

    def _edit_and_resend(self, message_id: str, text: str, hit: SafetyResult | None) -> None:
        """The last question is edited in place (its earlier wording kept as an alternative) and
        answered again; an earlier one starts a branch, so nothing said after it is lost."""
        session = self._session
        vault, conversation = session.vault, session.conversation
        if vault is None or conversation is None or not self._ready():
            return
        messages = list(session.messages)
        index = _index_of(messages, message_id)
        last_question = max(i for i, m in enumerate(messages) if m.role == "user")
        if index != last_question:
            self._branch(conversation, messages, index, text, hit)
            return
        edited = with_new_version(messages[index], text)
        reply = messages[index + 1] if index + 1 < len(messages) else None

        def stored(_: None) -> None:
            session.messages = [*messages[:index], edited, *([reply] if reply else [])]
            session.view.show_messages(session.messages[:index + 1])
            self._generate(session.messages[:index + 1], replacing=reply, hit=hit)

        session.jobs.submit(lambda: vault.conversations.update_message(edited), stored,
                            "saving your edit", on_error=self._failed)

    def _branch(self, conversation: Conversation, messages: list[Message], index: int, text: str,
                hit: SafetyResult | None) -> None:
        session = self._session
        vault = session.vault
        assert vault is not None

        def store() -> tuple[Conversation, Message]:
            copy = branch(vault, conversation, messages, index)
            return copy, vault.conversations.add_message(copy.id, "user", text)

        def branched(result: tuple[Conversation, Message]) -> None:
            copy, question = result
            session.conversation = copy
            session.messages = [*messages[:index], question]
            session.view.show_title(copy.title)
            session.view.show_messages(session.messages)
            session.refresh_list()
            self._generate(session.messages, replacing=None, hit=hit)

        session.jobs.submit(store, branched, "starting a branch", on_error=self._failed)

    def choose_alternative(self, message_id: str, index: int) -> None:
        """One version of a message chosen; for a question's wording, its reply follows to the
        one written for that wording."""
        session = self._session
        vault = session.vault
        if vault is None or self.request is not None:
            return
        position = _index_of(session.messages, message_id)
        chosen = [choose_version(session.messages[position], index)]
        following = session.messages[position + 1] \
            if position + 1 < len(session.messages) else None
        if chosen[0].role == "user" and following is not None and following.role == "assistant":
            reply = follow_wording(following, chosen[0])
            if reply is not following:
                chosen.append(reply)

        def store() -> None:
            for message in chosen:
                vault.conversations.update_message(message)

        def chose(_: None) -> None:
            for offset, message in enumerate(chosen):
                session.messages[position + offset] = message
                session.view.replace_message(message)
            session.count_context()

        session.jobs.submit(store, chose, "choosing that version")

    def _generate(self, history: list[Message], *, replacing: Message | None,
                  hit: SafetyResult | None) -> None:
        session = self._session
        assert session.vault is not None and session.conversation is not None
        prompt = prompt_for(session.conversation.system_prompt, history)
        self._held = HeldTurn(hit) if hit is not None else None
        if hit is not None:
            prompt = held_prompt(prompt)
        question = history[-1] if history and history[-1].role == "user" else None
        self._saver = ReplySaver(session.vault, session.conversation.id,
                                 model=session.model_name, replacing=replacing,
                                 answers=in_use(question) if question is not None else None)
        session.view.hide_notice()
        session.view.start_reply()
        session.view.turn_started()
        self.request = session.engine.generate(prompt, sampling_of(session.conversation),
                                               session.conversation.id)

    def stop(self) -> None:
        if self.request is not None:
            self._session.engine.cancel()

    def abandon(self) -> None:
        """The vault is locking: stop the reply and keep what came of it."""
        if self.request is not None:
            self._session.engine.cancel()
            saver = self._saver
            if saver is not None and saver.text:
                self._session.jobs.save(lambda: saver.finish({"stop_reason": "cancelled"}),
                                        "saving the reply")
        self.request = None
        self._saver = None
        self._held = None

    # -- what the engine says ---------------------------------------------------------------

    def on_chunk(self, request: int, text: str) -> None:
        if request != self.request or self._saver is None:
            return
        if self._held is not None:  # read whole before anyone sees it
            self._held.parts.append(text)
            return
        saver = self._saver
        self._session.jobs.save(lambda: saver.add(text), "saving the reply", self._save_failed)
        self._session.view.add_reply_text(text)

    def on_finished(self, request: int, stats: GenerationStats) -> None:
        session = self._session
        if request != self.request or self._saver is None:
            return
        saver, conversation, vault = self._saver, session.conversation, session.vault
        assert conversation is not None and vault is not None
        stored_stats = dataclasses.asdict(stats)
        shown = ""
        if self._held is not None:
            held = screened("".join(self._held.parts), self._held.result,
                            crisis_resources(session.crisis_region or None))
            shown = held.text
            if held.withheld:  # the figures were the withheld reply's, not this message's
                stored_stats = {"withheld": True}
            session.view.add_reply_text(shown)

        def finish() -> tuple[Message | None, Conversation]:
            if shown:
                saver.add(shown)
            # A stop before the first token leaves nothing worth keeping.
            message = saver.finish(stored_stats) if saver.text or saver.saved else None
            return message, vault.conversations.update(conversation)  # to the top of the list

        def finished(result: tuple[Message | None, Conversation]) -> None:
            message, session.conversation = result
            self._end()
            if message is None:
                session.view.show_messages(session.messages)
            else:
                self._keep(message)
                session.view.finish_reply(message)
                session.view.reply_stored(message)
            session.refresh_list()
            session.view.show_context(context_used(stats.prompt_tokens, stats.completion_tokens),
                                      len(stats.dropped_messages))
            if stats.error:  # it ended early (your server stopped mid-reply): what came is kept
                session.view.show_notice(stats.error)

        session.jobs.submit(finish, finished, "saving the reply", on_error=self._failed)

    def on_failed(self, request: int, error: MiniGiantsError) -> None:
        if request != self.request:
            return
        session = self._session
        saver = None if self._held is not None else self._saver  # a held reply unread is not kept
        self._end()
        session.view.show_notice(error.for_person())
        if saver is not None and saver.text:
            session.jobs.submit(lambda: saver.finish({"stop_reason": "error"}), self._keep_shown,
                                "saving the reply")
        else:
            session.view.show_messages(session.messages)

    def _keep_shown(self, message: Message) -> None:
        self._keep(message)
        self._session.view.show_messages(self._session.messages)

    def _keep(self, message: Message) -> None:
        """The stored reply into the local copy: in place when it replaced one, else appended."""
        messages = self._session.messages
        for i, existing in enumerate(messages):
            if existing.id == message.id:
                messages[i] = message
                return
        messages.append(message)

    def _end(self) -> None:
        self.request = None
        self._saver = None
        self._held = None
        self._session.view.turn_ended()

    def _failed(self, error: MiniGiantsError) -> None:
        if self.request is not None:
            self._session.engine.cancel()
        self._end()
        self._session.view.show_notice(error.for_person())
        self._session.view.show_messages(self._session.messages)

    def _save_failed(self, error: MiniGiantsError) -> None:
        """The disk is full or the vault failed mid-reply: stop rather than show text that is
        not kept."""
        self.stop()
        self._session.view.show_notice(error.for_person())


def _earlier_questions(messages: list[Message]) -> list[str]:
    """The person's own messages before this one, as the crisis check's context."""
    return [message.text for message in messages if message.role == "user"]


def _index_of(messages: list[Message], message_id: str) -> int:
    return next(i for i, m in enumerate(messages) if m.id == message_id)
