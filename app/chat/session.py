"""The chat while the vault is open: which conversation is open and its messages, the list of
conversations, search, how full the context is, and the turns (`session.turns`: send, regenerate,
edit, branch, stop). Plain Python: the chat page only renders what it is told (`ChatView`) and
feeds the session what the person does; the CLI and the tests run the same session inline."""

from __future__ import annotations

import dataclasses

from app.chat.history import UNTITLED, counted_by_last_reply, draft, prompt_for
from app.chat.ports import ChatEngine, ChatView
from app.chat.turns import ChatTurns
from app.jobs import Jobs
from app.vault.records import Conversation, Message
from app.vault.search import JOURNAL_KINDS, SearchHit
from app.vault.store import Vault


class ChatSession:
    def __init__(self, jobs: Jobs, engine: ChatEngine, view: ChatView) -> None:
        self.jobs = jobs
        self.engine = engine
        self.view = view
        self.vault: Vault | None = None
        self.conversation: Conversation | None = None  # None: a new one, not stored yet
        self.messages: list[Message] = []
        self.titles: dict[str, str] = {}  # of every conversation, for search hits
        self.crisis_region = ""  # whose crisis lines a hit shows; "" = the system's region
        self._count_request: int | None = None
        self._shown_once = False
        self.turns = ChatTurns(self)

    @property
    def busy(self) -> bool:
        """A turn is under way: the conversation cannot change until it ends."""
        return self.turns.request is not None

    @property
    def model_name(self) -> str | None:
        return self.engine.model_name

    # -- the vault's life cycle -------------------------------------------------------------

    def open_vault(self, vault: Vault) -> None:
        """After unlocking: list the conversations and open the newest."""
        self.vault = vault
        self.jobs.submit(vault.conversations.all, self._show_first, "reading your conversations")

    def _show_first(self, conversations: list[Conversation]) -> None:
        self._list(conversations)
        if conversations:
            self.open_conversation(conversations[0].id)
        else:
            self.new_conversation()
            self.first_view_shown()

    def first_view_shown(self) -> None:
        """Once the first conversation is on screen after unlocking: decrypt everything into the
        search index, so that the first search is quick, then tell the view it is `ready` (the
        window loads the model then). Neither delays what the person sees first, and they run
        one after the other: run together, their Python work starves the window of the
        interpreter (measured: a 640 ms freeze, against 15 ms one after the other)."""
        vault = self.vault
        if vault is None or self._shown_once:
            return
        self._shown_once = True
        self.jobs.submit(vault.build_search_index, lambda _: self.view.ready(), "preparing search",
                         on_error=lambda _: self.view.ready())  # search then builds on first use

    def close(self) -> None:
        """The vault is locking: stop and save any reply (queued before the lock, so it lands
        first), drop the answers of jobs still running, and forget everything shown."""
        self.turns.abandon()
        self.jobs.end()
        self.engine.forget()  # a KV cache is the conversations' text in another form
        self._shown_once = False
        self._count_request = None
        self.vault = None
        self.conversation = None
        self.messages = []
        self.titles = {}

    # -- conversations ----------------------------------------------------------------------

    def new_conversation(self) -> None:
        """An empty conversation; it is stored with its first message, so that opening the app
        and leaving leaves no empty conversations behind."""
        if self.vault is None or self.busy:
            return
        self.conversation = None
        self.messages = []
        self.view.show_conversation(None, [])
        self.count_context()

    def open_conversation(self, conversation_id: str) -> None:
        vault = self.vault
        if vault is None or self.busy:
            return

        def load() -> tuple[Conversation, list[Message]]:
            return vault.conversations.get(conversation_id), \
                vault.conversations.messages(conversation_id)

        self.jobs.submit(load, self._opened, "opening the conversation")

    def _opened(self, loaded: tuple[Conversation, list[Message]]) -> None:
        self.conversation, self.messages = loaded
        self.view.show_conversation(self.conversation, self.messages)
        self.count_context()

    def _list(self, conversations: list[Conversation]) -> None:
        self.titles = {c.id: c.title for c in conversations}
        current = self.conversation.id if self.conversation else None
        self.view.show_conversations(conversations, current)

    def refresh_list(self) -> None:
        if self.vault is not None:
            self.jobs.submit(self.vault.conversations.all, self._list,
                             "reading your conversations")

    def rename(self, conversation_id: str, title: str) -> None:
        vault = self.vault
        if vault is None:
            return

        def renamed(conversation: Conversation) -> None:
            if self.conversation and self.conversation.id == conversation.id:
                self.conversation = conversation
                self.view.show_title(conversation.title)
            self.refresh_list()

        self.jobs.submit(lambda: vault.conversations.rename(conversation_id, title), renamed,
                         "renaming the conversation")

    def delete(self, conversation_id: str) -> None:
        vault = self.vault
        if vault is None or self.busy:
            return

        def deleted(_: None) -> None:
            self.engine.forget(conversation_id)
            if self.conversation and self.conversation.id == conversation_id:
                self.new_conversation()
            self.refresh_list()

        self.jobs.submit(lambda: vault.conversations.delete(conversation_id), deleted,
                         "deleting the conversation")

    def settings(self) -> Conversation:
        """The open conversation's persona and sampling, or those a new one would get."""
        return self.conversation or draft()

    def save_settings(self, system_prompt: str, sampling: dict[str, object]) -> None:
        vault = self.vault
        if vault is None:
            return

        def save() -> Conversation:
            if self.conversation is None:  # settings first, then the first message
                return vault.conversations.create(UNTITLED, system_prompt=system_prompt,
                                                  model=self.model_name, sampling=sampling)
            return vault.conversations.update(dataclasses.replace(
                self.conversation, system_prompt=system_prompt, sampling=sampling))

        def saved(conversation: Conversation) -> None:
            self.conversation = conversation
            self.refresh_list()
            self.count_context()

        self.jobs.submit(save, saved, "saving the conversation's settings")

    # -- search -----------------------------------------------------------------------------

    def search(self, text: str, highlight: tuple[str, str]) -> None:
        """`highlight`: the marks the view wants around each match."""
        vault = self.vault
        if vault is None:
            return
        if not text:
            self.view.show_hits("", [], {})
            return
        self.jobs.submit(lambda: vault.search(text, highlight=highlight),
                         lambda hits: self.view.show_hits(text, hits, self.titles), "searching")

    def open_hit(self, hit: SearchHit) -> None:
        conversation = hit.parent if hit.kind == "message" else \
            hit.ref if hit.kind == "conversation" else None
        if conversation is not None:
            self.open_conversation(conversation)
        elif hit.kind in JOURNAL_KINDS:
            self.view.open_journal_hit(hit)

    # -- the context ------------------------------------------------------------------------

    def count_context(self) -> None:
        if not self.engine.is_loaded:
            return
        system = self.settings().system_prompt
        self._count_request = self.engine.count(prompt_for(system, self.messages))
        if self._count_request is None:  # as your server counted the last reply
            self.view.show_context(counted_by_last_reply(self.messages), 0)

    def on_counted(self, request: int, tokens: int) -> None:
        if request == self._count_request:
            self.view.show_context(tokens, 0)

