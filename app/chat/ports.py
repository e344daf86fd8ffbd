"""What the chat's logic needs of the world around it besides vault jobs (app/jobs.py): the engine
and a view. The GUI gives it the engine on a thread of its own and widgets; the tests give it the
engine inline and a view that records (tests/chat/inline.py). The logic is the same in each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.engine import ChatMessage, ModelFacts, SamplingOptions
from app.journal.safety import SafetyResult
from app.vault.records import Conversation, Message
from app.vault.search import SearchHit


class ChatEngine(Protocol):
    """The loaded model, answering one request at a time; what comes of a request arrives at the
    turns' `on_chunk`, `on_finished` and `on_failed` and at the session's `on_counted`, with the
    request's id."""

    facts: ModelFacts | None
    n_ctx: int

    @property
    def is_loaded(self) -> bool: ...

    @property
    def model_name(self) -> str | None:
        """As conversations and replies record it (for your server's model, with its host)."""

    def generate(self, messages: list[ChatMessage], sampling: SamplingOptions,
                 conversation: str | None = None) -> int:
        """A reply to `messages`, the turn of `conversation`: the engine keeps each
        conversation's KV cache while another is used, so going back evaluates only what is new."""

    def forget(self, conversation: str | None = None) -> None:
        """Drop the kept KV cache of `conversation` (deleted), or of every one (the vault
        locked)."""

    def count(self, messages: list[ChatMessage]) -> int | None:
        """None: this model cannot count here (your server's); its replies say what they used."""

    def cancel(self) -> None: ...


class ChatView(Protocol):
    """What the chat shows: it renders what it is told, and feeds the session what the person
    does."""

    def show_conversations(self, conversations: list[Conversation], current: str | None) -> None:
        """The conversation list, newest first, with the open one marked."""

    def show_conversation(self, conversation: Conversation | None, messages: list[Message]) -> None:
        """A conversation opened (None: a new one, not stored until its first message)."""

    def show_title(self, title: str) -> None: ...

    def show_messages(self, messages: list[Message]) -> None: ...

    def append_message(self, message: Message) -> None: ...

    def replace_message(self, message: Message) -> None: ...

    def start_reply(self) -> None: ...

    def add_reply_text(self, text: str) -> None: ...

    def finish_reply(self, message: Message) -> None: ...

    def turn_started(self) -> None:
        """A message is on its way: nothing else can be sent, edited or regenerated meanwhile."""

    def turn_ended(self) -> None: ...

    def reply_stored(self, message: Message) -> None: ...

    def ask_to_continue(self, result: SafetyResult, go_on: Callable[[], None],
                        hold: Callable[[], None]) -> None:
        """The crisis check flagged the message: the crisis lines, and the person's choice."""

    def restore_draft(self, text: str) -> None:
        """A message not sent after all goes back into the message box."""

    def show_notice(self, text: str) -> None: ...

    def hide_notice(self) -> None: ...

    def show_context(self, used: int, dropped: int) -> None:
        """How many tokens of the context the conversation fills; `dropped` older messages did not
        fit in the last reply's."""

    def show_hits(self, text: str, hits: list[SearchHit], titles: dict[str, str]) -> None: ...

    def open_journal_hit(self, hit: SearchHit) -> None: ...

    def ready(self) -> None:
        """The first conversation after unlocking is on screen and search is prepared."""
