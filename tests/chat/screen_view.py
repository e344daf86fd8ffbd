"""A chat view for the tests of the chat's logic: what a screen would show after each call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.chat.history import UNTITLED
from app.journal.safety import SafetyResult
from app.vault.records import Conversation, Message
from app.vault.search import SearchHit


@dataclass
class ScreenView:
    """What a screen would show after each call; `safety_choice` answers the crisis dialog."""

    safety_choice: str = "go on"
    conversations: list[Conversation] = field(default_factory=list)
    title: str = ""
    messages: list[Message] = field(default_factory=list)
    reply: str = ""
    busy: bool = False
    notice: str = ""
    context: tuple[int, int] | None = None
    draft: str = ""
    asked: list[SafetyResult] = field(default_factory=list)
    stored: list[Message] = field(default_factory=list)
    hits: list[SearchHit] = field(default_factory=list)
    journal_hit: SearchHit | None = None
    is_ready: bool = False
    on_reply_text: Callable[[str], None] | None = None

    def show_conversations(self, conversations: list[Conversation], current: str | None) -> None:
        self.conversations = conversations

    def show_conversation(self, conversation: Conversation | None, messages: list[Message]) -> None:
        self.title = conversation.title if conversation else UNTITLED
        self.messages = list(messages)

    def show_title(self, title: str) -> None:
        self.title = title

    def show_messages(self, messages: list[Message]) -> None:
        self.messages = list(messages)

    def append_message(self, message: Message) -> None:
        self.messages.append(message)

    def replace_message(self, message: Message) -> None:
        self.messages = [message if m.id == message.id else m for m in self.messages]

    def start_reply(self) -> None:
        self.reply = ""

    def add_reply_text(self, text: str) -> None:
        self.reply += text
        if self.on_reply_text is not None:
            self.on_reply_text(text)

    def finish_reply(self, message: Message) -> None:
        self.messages.append(message)

    def turn_started(self) -> None:
        self.busy = True

    def turn_ended(self) -> None:
        self.busy = False

    def reply_stored(self, message: Message) -> None:
        self.stored.append(message)

    def ask_to_continue(self, result: SafetyResult, go_on: Callable[[], None],
                        hold: Callable[[], None]) -> None:
        self.asked.append(result)
        (go_on if self.safety_choice == "go on" else hold)()

    def restore_draft(self, text: str) -> None:
        self.draft = text

    def show_notice(self, text: str) -> None:
        self.notice = text

    def hide_notice(self) -> None:
        self.notice = ""

    def show_context(self, used: int, dropped: int) -> None:
        self.context = (used, dropped)

    def show_hits(self, text: str, hits: list[SearchHit], titles: dict[str, str]) -> None:
        self.hits = hits

    def open_journal_hit(self, hit: SearchHit) -> None:
        self.journal_hit = hit

    def ready(self) -> None:
        self.is_ready = True
