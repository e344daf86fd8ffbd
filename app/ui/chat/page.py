"""The chat: conversations in the sidebar, the open one in the middle, the composer below, and
above it the model in use, the conversation's settings and how full the context is. Every vault
call runs on the vault's thread (`TaskThread`); the engine on its own; this page only wires them."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.chat_history import UNTITLED, empty_conversation_note, prompt_for, sampling_of
from app.engine import ChatMessage, ModelFacts
from app.errors import MiniGiantsError
from app.hub.catalog import good_for
from app.hub.library import LibraryModel
from app.personas import DEFAULT_PERSONA, persona
from app.ui.chat.composer import Composer
from app.ui.chat.conversation_list import MATCH_END, MATCH_START, ConversationList
from app.ui.chat.conversation_settings import ConversationSettings
from app.ui.chat.conversation_view import ConversationView
from app.ui.chat.model_bar import ModelBar
from app.ui.chat.turns import ChatTurns
from app.ui.common.background import SessionJobs, TaskThread
from app.ui.common.dialogs import close_open, show_problem
from app.ui.common.engine_worker import EngineHost
from app.ui.common.widgets import heading_label
from app.vault.records import Conversation, Message
from app.vault.reply_saver import ReplySaver
from app.vault.search import JOURNAL_KINDS, SearchHit
from app.vault.store import Vault


class ChatPage(QWidget, ChatTurns):
    model_chosen = Signal(str)  # a library id to load
    manage_models_requested = Signal()
    reply_finished = Signal(object)  # the stored reply (Message), after it is saved
    shown = Signal()  # the first conversation after unlocking is on screen, search is ready
    journal_hit_chosen = Signal(object)  # a SearchHit in the journal, for the journal to open

    def __init__(self, vault_jobs: TaskThread, engine: EngineHost,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault_jobs = vault_jobs
        # answers to jobs of an earlier unlock are dropped
        self._jobs = SessionJobs(vault_jobs, lambda e: self._show_notice(e.for_person()))
        self._engine = engine
        self._vault: Vault | None = None
        self._conversation: Conversation | None = None
        self._messages: list[Message] = []
        self._titles: dict[str, str] = {}
        self._request: int | None = None  # the reply streaming now
        self._count_request: int | None = None
        self._saver: ReplySaver | None = None
        self.error_dialog: QMessageBox | None = None  # the last model error shown
        self.safety_dialog: QMessageBox | None = None  # the last crisis-check dialog shown
        self._crisis_region = ""  # whose crisis lines it shows; "" = the system's region
        self._shown_once = False
        self._chosen: tuple[str | None, str | None] = (None, None)  # model file, what it's good for

        self.sidebar = ConversationList()
        self.title_label = heading_label(UNTITLED, elided=True)
        self.title_label.setAccessibleName("Conversation title")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_bar = ModelBar()
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setAccessibleName("Conversation settings")
        self.settings_button.setToolTip("Persona and sampling for this conversation")
        self.view = ConversationView()
        self.context_meter = QProgressBar()
        self.context_meter.setAccessibleName("Context used")
        self.context_meter.setMaximumHeight(14)
        self.context_meter.setFormat("")
        self.context_label = QLabel()
        self.context_label.setAccessibleName("Context")
        self.notice = QLabel()
        self.notice.setAccessibleName("Notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.composer = Composer()

        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.model_bar)
        header.addWidget(self.settings_button)
        meter = QHBoxLayout()
        meter.addWidget(self.context_meter, 1)
        meter.addWidget(self.context_label)
        main = QWidget()
        column = QVBoxLayout(main)
        column.addLayout(header)
        column.addWidget(self.view, 1)
        column.addWidget(self.notice)
        column.addLayout(meter)
        column.addWidget(self.composer)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.sidebar.open_requested.connect(self.open_conversation)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.sidebar.rename_requested.connect(self._rename)
        self.sidebar.delete_requested.connect(self._delete)
        self.sidebar.search_requested.connect(self._search)
        self.sidebar.hit_chosen.connect(self._open_hit)
        self.settings_button.clicked.connect(self._edit_settings)
        self.model_bar.chosen.connect(self._model_picked)
        self.model_bar.manage_requested.connect(self.manage_models_requested)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop)
        self.view.regenerate_requested.connect(self.regenerate)
        self.view.edit_requested.connect(self.edit_and_resend)
        self.view.alternative_chosen.connect(self._choose_alternative)
        worker = engine.worker
        worker.chunk.connect(self._on_chunk)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.counted.connect(self._on_counted)
        QShortcut(QKeySequence("Esc"), self, self.stop)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_conversation)
        QShortcut(QKeySequence.StandardKey.Find, self, self.sidebar.focus_search)
        self._update_composer()

    # -- vault life cycle ------------------------------------------------------------------

    def open_vault(self, vault: Vault) -> None:
        """After unlocking: list the conversations and open the newest."""
        self._vault = vault
        self._update_composer()  # ready at once when the model stayed loaded through the lock
        self._jobs.submit(vault.conversations, self._show_first, "reading your conversations")

    def _show_first(self, conversations: list[Conversation]) -> None:
        self._list(conversations)
        if conversations:
            self.open_conversation(conversations[0].id)
        else:
            self.new_conversation()
            self._first_view_shown()

    def _first_view_shown(self) -> None:
        """Once the first conversation is on screen after unlocking: decrypt everything into the
        search index, so that the first search is quick, then say `shown` (the window loads the
        model then). Neither delays what the person sees first, and they run one after the
        other: run together, their Python work starves the window of the interpreter (measured:
        a 640 ms freeze, against 15 ms one after the other)."""
        vault = self._vault
        if vault is None or self._shown_once:
            return
        self._shown_once = True
        self._jobs.submit(vault.build_search_index, lambda _: self.shown.emit(), "preparing search",
                         on_error=lambda _: self.shown.emit())  # search then builds on first use

    def clear(self) -> None:
        """The vault is locking: stop and save any reply, then drop everything shown. The save
        is queued on the vault thread before the lock, so it lands first."""
        if self._request is not None:
            self._engine.cancel()
            saver = self._saver
            if saver is not None and saver.text:
                self._vault_jobs.submit(lambda: saver.finish({"stop_reason": "cancelled"}),
                                        what="saving the reply")
        self._jobs.end()
        close_open(self.safety_dialog, self.error_dialog)  # they are windows of their own
        self._shown_once = False
        self._request = self._count_request = None
        self._saver = None
        self._vault = None
        self._conversation = None
        self._messages = []
        self._titles = {}
        self.view.clear()
        self.sidebar.clear()
        self.composer.clear()
        self.title_label.setText(UNTITLED)
        self.context_label.clear()
        self.context_meter.setValue(0)
        self.notice.hide()
        self.notice.clear()
        self._update_composer()

    # -- the model -------------------------------------------------------------------------

    def set_models(self, models: list[LibraryModel], current: str | None) -> None:
        self.model_bar.set_models(models, current)
        chosen = next((model for model in models if model.id == current), None)
        self._chosen = (chosen.filename, good_for(chosen)) if chosen else (None, None)
        self._update_composer()

    def model_loading(self, name: str) -> None:
        self.model_bar.loading(name)
        self._update_composer()

    def model_load_progress(self, fraction: float) -> None:
        self.model_bar.set_progress(fraction)

    def model_loaded(self, facts: ModelFacts) -> None:
        note = "" if facts.has_chat_template else " · no chat template (ChatML used)"
        self.model_bar.done(f"{facts.quantization} · {self._engine.n_ctx:,} ctx{note}")
        self._update_composer()
        self._count_context()

    def model_failed(self, error: MiniGiantsError) -> None:
        """Said in the page and in a dialog that does not block the window: the app goes on,
        and another model can be chosen."""
        self.model_bar.done("No model loaded")
        self._show_notice(error.for_person())
        self._update_composer()
        self.error_dialog = show_problem(self, "The model could not be loaded", error)

    def _model_picked(self, model_id: str) -> None:
        if self._request is None:
            self.model_chosen.emit(model_id)

    # -- conversations ---------------------------------------------------------------------

    def new_conversation(self) -> None:
        """An empty conversation; it is stored with its first message, so that opening the app
        and leaving leaves no empty conversations behind."""
        if self._vault is None or self._request is not None:
            return
        self._conversation = None
        self._messages = []
        self.view.show_messages([])
        self.title_label.setText(UNTITLED)
        self.sidebar.conversations.clearSelection()
        self._count_context()
        self.composer.take_focus()

    def open_conversation(self, conversation_id: str) -> None:
        vault = self._vault
        if vault is None or self._request is not None:
            return

        def load() -> tuple[Conversation, list[Message]]:
            return vault.conversation(conversation_id), vault.messages(conversation_id)

        self._jobs.submit(load, self._show_conversation, "opening the conversation")

    def _show_conversation(self, loaded: tuple[Conversation, list[Message]]) -> None:
        self._conversation, self._messages = loaded
        self.title_label.setText(self._conversation.title)
        self.view.show_messages(self._messages)
        self.notice.hide()
        self._count_context()
        QTimer.singleShot(0, self._first_view_shown)  # after this conversation is painted

    def _list(self, conversations: list[Conversation]) -> None:
        self._titles = {c.id: c.title for c in conversations}
        current = self._conversation.id if self._conversation else None
        self.sidebar.show_conversations(conversations, current)

    def _refresh_list(self) -> None:
        if self._vault is not None:
            self._jobs.submit(self._vault.conversations, self._list, "reading your conversations")

    def _rename(self, conversation_id: str, title: str) -> None:
        vault = self._vault
        if vault is None:
            return

        def renamed(conversation: Conversation) -> None:
            if self._conversation and self._conversation.id == conversation.id:
                self._conversation = conversation
                self.title_label.setText(conversation.title)
            self._refresh_list()

        self._jobs.submit(lambda: vault.rename_conversation(conversation_id, title), renamed,
                         "renaming the conversation")

    def _delete(self, conversation_id: str) -> None:
        vault = self._vault
        if vault is None or self._request is not None:
            return

        def deleted(_: None) -> None:
            if self._conversation and self._conversation.id == conversation_id:
                self.new_conversation()
            self._refresh_list()

        self._jobs.submit(lambda: vault.delete_conversation(conversation_id), deleted,
                         "deleting the conversation")

    def _edit_settings(self) -> None:
        shown = self._conversation or _draft()
        dialog = ConversationSettings(shown.system_prompt, sampling_of(shown), self)
        if not dialog.exec():
            return
        vault = self._vault
        if vault is None:
            return
        chosen_prompt, chosen_sampling = dialog.chosen_prompt(), dialog.chosen_sampling()

        def save() -> Conversation:
            if self._conversation is None:  # settings first, then the first message
                return vault.create_conversation(UNTITLED, system_prompt=chosen_prompt,
                                                 model=self._model_name(),
                                                 sampling=chosen_sampling)
            return vault.update_conversation(dataclasses.replace(
                self._conversation, system_prompt=chosen_prompt, sampling=chosen_sampling))

        def saved(conversation: Conversation) -> None:
            self._conversation = conversation
            self._refresh_list()
            self._count_context()

        self._jobs.submit(save, saved, "saving the conversation's settings")

    # -- search ----------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        vault = self._vault
        if vault is None:
            return
        if not text:
            self.sidebar.show_hits("", [], {})
            return
        self._jobs.submit(lambda: vault.search(text, highlight=(MATCH_START, MATCH_END)),
                         lambda hits: self.sidebar.show_hits(text, hits, self._titles), "searching")

    def _open_hit(self, hit: SearchHit) -> None:
        conversation = hit.parent if hit.kind == "message" else \
            hit.ref if hit.kind == "conversation" else None
        if conversation is not None:
            self.open_conversation(conversation)
        elif hit.kind in JOURNAL_KINDS:
            self.journal_hit_chosen.emit(hit)

    # -- a turn ----------------------------------------------------------------------------

    def set_crisis_region(self, region: str) -> None:
        """The region whose crisis lines a safety-check hit shows; "" for the system's region."""
        self._crisis_region = region

    # -- context ---------------------------------------------------------------------------

    def _count_context(self) -> None:
        if not self._engine.is_loaded:
            return
        system = (self._conversation or _draft()).system_prompt
        prompt: list[ChatMessage] = prompt_for(system, self._messages)
        self._count_request = self._engine.count(prompt)

    def _on_counted(self, request: int, tokens: int) -> None:
        if request == self._count_request:
            self._show_context(tokens, 0)

    def _show_context(self, used: int, dropped: int) -> None:
        total = self._engine.n_ctx or 1
        self.context_meter.setMaximum(total)
        self.context_meter.setValue(min(used, total))
        self.context_label.setText(f"{used:,} of {total:,} tokens")
        if dropped:
            self._show_notice(f"{dropped} older message{'s' if dropped > 1 else ''} did not fit in "
                              "the model's context and were left out of this reply. They are "
                              "still saved here.")

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- helpers ---------------------------------------------------------------------------

    def _update_composer(self) -> None:
        name, uses = self._chosen
        self.view.set_empty_note(empty_conversation_note(
            name or self._model_name(), uses, self.model_bar.is_loading))
        if self._request is not None:
            return
        if self._vault is None:
            self.composer.set_unavailable("Locked")
        elif self.model_bar.is_loading:
            self.composer.set_waiting("Loading the model… you can start typing.")
        elif not self._engine.is_loaded:
            self.composer.set_unavailable(
                "No model is loaded: choose one above, or add one in Models.")
        else:
            self.composer.set_ready()

    def _model_name(self) -> str | None:
        return self._engine.facts.name if self._engine.facts else None


def _draft() -> Conversation:
    """The settings a conversation not yet stored would get."""
    return Conversation("", UNTITLED, persona(DEFAULT_PERSONA).prompt, None, {}, "", "")
