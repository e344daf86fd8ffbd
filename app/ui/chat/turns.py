"""One turn of the chat, as the chat page runs it: a message checked by the local crisis check,
stored, answered by the model while the reply streams into the view and into the vault (after a
crisis hit the person chose to go on from, answered under a supportive instruction and read before
it is shown: app/journal/held_reply.py); a reply
written again, a question edited and answered again (or branched), one version of a message
chosen; a turn stopped or failed. Part of ChatPage (a mixin over the page's own state, so that
the page's file keeps to laying out and wiring)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.chat_history import UNTITLED, branch, prompt_for, sampling_of, title_for
from app.engine import GenerationStats
from app.errors import MiniGiantsError
from app.journal.held_reply import held_prompt, screened
from app.journal.safety import SafetyResult, check, crisis_resources
from app.personas import DEFAULT_PERSONA, persona
from app.ui.chat.composer import Composer
from app.ui.chat.conversation_view import ConversationView
from app.ui.common.background import SessionJobs, TaskThread
from app.ui.common.engine_worker import EngineHost
from app.ui.common.safety_prompt import ask_to_continue
from app.vault.records import Conversation, Message
from app.vault.reply_saver import ReplySaver
from app.vault.store import Vault
from app.vault.versions import choose_version, follow_wording, in_use, with_new_version

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


@dataclass
class HeldTurn:
    """A turn answering a message the crisis check flagged: its reply is read whole first."""

    result: SafetyResult
    parts: list[str] = field(default_factory=list)


class ChatTurns:
    """What a turn needs of the page; ChatPage sets all of it up."""

    _vault: Vault | None
    _vault_jobs: TaskThread
    _jobs: SessionJobs
    _engine: EngineHost
    _conversation: Conversation | None
    _messages: list[Message]
    _request: int | None
    _saver: ReplySaver | None
    _held: HeldTurn | None = None  # this turn answers a message the check flagged; each sets it
    _crisis_region: str
    safety_dialog: QMessageBox | None
    view: ConversationView
    composer: Composer
    notice: QLabel
    title_label: QLabel
    reply_finished: SignalInstance

    if TYPE_CHECKING:  # the page's own, which turns use
        def _show_notice(self, text: str) -> None: ...
        def _refresh_list(self) -> None: ...
        def _update_composer(self) -> None: ...
        def _count_context(self) -> None: ...
        def _show_context(self, used: int, dropped: int) -> None: ...
        def _model_name(self) -> str | None: ...

    def send(self, text: str) -> None:
        if self._vault is None or self._request is not None or not self._engine.is_loaded:
            return
        self.composer.set_streaming()  # at once: a second Enter must not send twice
        self._checked_first(text, self._messages, lambda hit: self._send(text, hit))

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
            assert isinstance(self, QWidget)  # the chat page
            self.safety_dialog = ask_to_continue(
                self, result, lambda: proceed(result), lambda: self._hold(text),
                region=self._crisis_region)

        self._jobs.submit(lambda: check(text, context), checked, "checking your message",
                         on_error=self._turn_failed)

    def _hold(self, text: str) -> None:
        """Not now: nothing is stored or sent, and what was written is back in the box."""
        self._update_composer()
        if not self.composer.editor.toPlainText().strip():
            self.composer.editor.setPlainText(text)

    def _send(self, text: str, hit: SafetyResult | None) -> None:
        vault = self._vault
        if vault is None:
            return
        existing = self._conversation

        def store() -> tuple[Conversation, Message]:
            conversation = existing
            if conversation is None:
                conversation = vault.create_conversation(
                    title_for(text), system_prompt=persona(DEFAULT_PERSONA).prompt,
                    model=self._model_name())
            elif conversation.title == UNTITLED and not self._messages:
                conversation = vault.rename_conversation(conversation.id, title_for(text))
            return conversation, vault.add_message(conversation.id, "user", text)

        def stored(result: tuple[Conversation, Message]) -> None:
            self._conversation, message = result
            self.title_label.setText(self._conversation.title)
            self._messages.append(message)
            self.view.append_message(message)
            self._refresh_list()
            self._generate(self._messages, replacing=None, hit=hit)

        self._jobs.submit(store, stored, "saving your message", on_error=self._turn_failed)

    def regenerate(self) -> None:
        """A new reply to the last question; the previous one stays as an alternative. The
        question is checked again (the person already chose to go on): a flagged one's reply is
        held again."""
        if self._request is not None or not self._messages or \
                self._messages[-1].role != "assistant" or not self._engine.is_loaded:
            return
        history, previous = self._messages[:-1], self._messages[-1]
        self.view.show_messages(history)
        self.view.set_actions_enabled(False)
        self.composer.set_streaming()
        question = history[-1].text if history else ""
        context = _earlier_questions(history[:-1])

        def checked(result: SafetyResult) -> None:
            self._generate(history, replacing=previous, hit=result if result.flagged else None)

        self._jobs.submit(lambda: check(question, context), checked, "checking your message",
                         on_error=self._turn_failed)

    def edit_and_resend(self, message_id: str, text: str) -> None:
        if self._vault is None or self._request is not None or not self._engine.is_loaded:
            return
        self.composer.set_streaming()
        index = next(i for i, m in enumerate(self._messages) if m.id == message_id)
        self._checked_first(text, self._messages[:index],
                            lambda hit: self._edit_and_resend(message_id, text, hit))

    def _edit_and_resend(self, message_id: str, text: str, hit: SafetyResult | None) -> None:
        """The last question is edited in place (its earlier wording kept as an alternative) and
        answered again; an earlier one starts a branch, so nothing said after it is lost."""
        vault, conversation = self._vault, self._conversation
        if vault is None or conversation is None or self._request is not None or \
                not self._engine.is_loaded:
            return
        index = next(i for i, m in enumerate(self._messages) if m.id == message_id)
        last_question = max(i for i, m in enumerate(self._messages) if m.role == "user")
        messages = list(self._messages)
        if index == last_question:
            edited = with_new_version(messages[index], text)
            reply = messages[index + 1] if index + 1 < len(messages) else None

            def store() -> None:
                vault.update_message(edited)

            def stored(_: None) -> None:
                self._messages = [*messages[:index], edited, *([reply] if reply else [])]
                self.view.show_messages(self._messages[:index + 1])
                self._generate(self._messages[:index + 1], replacing=reply, hit=hit)
        else:
            def store_branch() -> tuple[Conversation, Message]:
                copy = branch(vault, conversation, messages, index)
                return copy, vault.add_message(copy.id, "user", text)

            def branched(result: tuple[Conversation, Message]) -> None:
                copy, question = result
                self._conversation = copy
                self._messages = [*messages[:index], question]
                self.title_label.setText(copy.title)
                self.view.show_messages(self._messages)
                self._refresh_list()
                self._generate(self._messages, replacing=None, hit=hit)

            self._jobs.submit(store_branch, branched, "starting a branch",
                              on_error=self._turn_failed)
            return
        self._jobs.submit(store, stored, "saving your edit", on_error=self._turn_failed)

    def _choose_alternative(self, message_id: str, index: int) -> None:
        """One version of a message chosen; for a question's wording, its reply follows to the
        one written for that wording."""
        vault = self._vault
        if vault is None or self._request is not None:
            return
        position = next(i for i, m in enumerate(self._messages) if m.id == message_id)
        chosen = [choose_version(self._messages[position], index)]
        following = self._messages[position + 1] if position + 1 < len(self._messages) else None
        if chosen[0].role == "user" and following is not None and following.role == "assistant":
            reply = follow_wording(following, chosen[0])
            if reply is not following:
                chosen.append(reply)

        def store() -> None:
            for message in chosen:
                vault.update_message(message)

        def chose(_: None) -> None:
            for offset, message in enumerate(chosen):
                self._messages[position + offset] = message
                self.view.replace_message(message)
            self._count_context()

        self._jobs.submit(store, chose, "choosing that version")

    def _generate(self, history: list[Message], *, replacing: Message | None,
                  hit: SafetyResult | None) -> None:
        assert self._vault is not None and self._conversation is not None
        prompt = prompt_for(self._conversation.system_prompt, history)
        self._held = HeldTurn(hit) if hit is not None else None
        if hit is not None:
            prompt = held_prompt(prompt)
        question = history[-1] if history and history[-1].role == "user" else None
        self._saver = ReplySaver(self._vault, self._conversation.id, model=self._model_name(),
                                 replacing=replacing,
                                 answers=in_use(question) if question is not None else None)
        self.notice.hide()
        self.view.start_reply()
        self.view.set_actions_enabled(False)
        self.composer.set_streaming()
        self._request = self._engine.generate(prompt, sampling_of(self._conversation))

    def stop(self) -> None:
        if self._request is not None:
            self._engine.cancel()

    def _on_chunk(self, request: int, text: str) -> None:
        if request != self._request or self._saver is None:
            return
        if self._held is not None:  # read whole before anyone sees it
            self._held.parts.append(text)
            return
        self.view.add_reply_text(text)
        saver = self._saver
        self._vault_jobs.submit(lambda: saver.add(text), on_error=self._save_failed,
                                what="saving the reply")

    def _on_finished(self, request: int, stats: GenerationStats) -> None:
        if request != self._request or self._saver is None:
            return
        saver, conversation, vault = self._saver, self._conversation, self._vault
        assert conversation is not None and vault is not None
        stored_stats = dataclasses.asdict(stats)
        shown = ""
        if self._held is not None:
            held = screened("".join(self._held.parts), self._held.result,
                            crisis_resources(self._crisis_region or None))
            shown = held.text
            if held.withheld:  # the figures were the withheld reply's, not this message's
                stored_stats = {"withheld": True}
            self.view.add_reply_text(shown)

        def finish() -> tuple[Message | None, Conversation]:
            if shown:
                saver.add(shown)
            # A stop before the first token leaves nothing worth keeping.
            message = saver.finish(stored_stats) if saver.text or saver.saved else None
            return message, vault.update_conversation(conversation)  # to the top of the list

        def finished(result: tuple[Message | None, Conversation]) -> None:
            message, self._conversation = result
            self._end_turn()
            if message is None:
                self.view.show_messages(self._messages)
            else:
                self._keep(message)
                self.view.finish_reply(message)
                self.reply_finished.emit(message)
            self._refresh_list()
            self._show_context(stats.prompt_tokens + stats.completion_tokens,
                               len(stats.dropped_messages))

        self._jobs.submit(finish, finished, "saving the reply", on_error=self._turn_failed)

    def _on_failed(self, request: int, error: MiniGiantsError) -> None:
        if request != self._request:
            return
        saver = None if self._held is not None else self._saver  # a held reply unread is not kept
        self._end_turn()
        self._show_notice(error.for_person())
        if saver is not None and saver.text:
            self._jobs.submit(lambda: saver.finish({"stop_reason": "error"}), self._keep_shown,
                             "saving the reply")
        else:
            self.view.show_messages(self._messages)

    def _keep_shown(self, message: Message) -> None:
        self._keep(message)
        self.view.show_messages(self._messages)

    def _keep(self, message: Message) -> None:
        """The stored reply into the local copy: in place when it replaced one, else appended."""
        for i, existing in enumerate(self._messages):
            if existing.id == message.id:
                self._messages[i] = message
                return
        self._messages.append(message)

    def _end_turn(self) -> None:
        self._request = None
        self._saver = None
        self._held = None
        self.view.set_actions_enabled(True)
        self._update_composer()

    def _turn_failed(self, error: MiniGiantsError) -> None:
        if self._request is not None:
            self._engine.cancel()
        self._end_turn()
        self._show_notice(error.for_person())
        self.view.show_messages(self._messages)

    def _save_failed(self, error: MiniGiantsError) -> None:
        """The disk is full or the vault failed mid-reply: stop rather than show text that is
        not kept."""
        self.stop()
        self._show_notice(error.for_person())


def _earlier_questions(messages: list[Message]) -> list[str]:
    """The person's own messages before this one, as the crisis check's context."""
    return [message.text for message in messages if message.role == "user"]
