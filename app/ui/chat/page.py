"""The chat: conversations in the sidebar, the open one in the middle, the composer below, and
above it the model in use, the conversation's settings and how full the context is. What happens
on send, regenerate, edit, branch, stop and lock is the chat session's (app/chat/session.py,
plain Python); this page lays the widgets out, feeds the session what the person does, and shows
what the session tells it (it is the session's `ChatView`)."""

from __future__ import annotations

from collections.abc import Callable

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

from app.chat.history import UNTITLED, empty_conversation_note, sampling_of
from app.chat.session import ChatSession
from app.engine import GenerationStats, ModelFacts
from app.errors import MiniGiantsError
from app.hub.catalog import good_for
from app.hub.library import LibraryModel
from app.journal.safety import SafetyResult
from app.remote.your_servers import ServerModel
from app.ui.chat.composer import Composer
from app.ui.chat.conversation_list import ConversationList
from app.ui.chat.conversation_settings import ConversationSettings
from app.ui.chat.conversation_view import ConversationView
from app.ui.chat.model_bar import ModelBar
from app.ui.common.background import SessionJobs, TaskThread
from app.ui.common.dialogs import close_open, show_problem
from app.ui.common.engine_host import EngineHost
from app.ui.common.safety_prompt import ask_to_continue
from app.ui.common.search_hits import MATCH_END, MATCH_START
from app.ui.common.widgets import heading_label
from app.vault.records import Conversation, Message
from app.vault.search import SearchHit
from app.vault.store import Vault


class ChatPage(QWidget):
    model_chosen = Signal(str)  # a library id to load
    manage_models_requested = Signal()
    reply_finished = Signal(object)  # the stored reply (Message), after it is saved
    shown = Signal()  # the first conversation after unlocking is on screen, search is ready
    journal_hit_chosen = Signal(object)  # a SearchHit in the journal, for the journal to open

    def __init__(self, vault_jobs: TaskThread, engine: EngineHost,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        # answers to jobs of an earlier unlock are dropped
        jobs = SessionJobs(vault_jobs, lambda e: self.show_notice(e.for_person()))
        self.session = ChatSession(jobs, engine, self)
        self.error_dialog: QMessageBox | None = None  # the last model error shown
        self.safety_dialog: QMessageBox | None = None  # the last crisis-check dialog shown
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
        self._lay_out()
        self._wire(engine)
        self.update_composer()

    def _lay_out(self) -> None:
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

    def _wire(self, engine: EngineHost) -> None:
        session, turns = self.session, self.session.turns
        self.sidebar.open_requested.connect(session.open_conversation)
        self.sidebar.new_requested.connect(session.new_conversation)
        self.sidebar.rename_requested.connect(session.rename)
        self.sidebar.delete_requested.connect(session.delete)
        self.sidebar.search_requested.connect(
            lambda text: session.search(text, (MATCH_START, MATCH_END)))
        self.sidebar.hit_chosen.connect(session.open_hit)
        self.settings_button.clicked.connect(self._edit_settings)
        self.model_bar.chosen.connect(self._model_picked)
        self.model_bar.manage_requested.connect(self.manage_models_requested)
        self.composer.send_requested.connect(turns.send)
        self.composer.stop_requested.connect(turns.stop)
        self.view.regenerate_requested.connect(turns.regenerate)
        self.view.edit_requested.connect(turns.edit_and_resend)
        self.view.alternative_chosen.connect(turns.choose_alternative)
        # To the page's own methods, not the session's: only a receiver that lives on the GUI
        # thread makes Qt deliver what the engine thread says there, in order.
        worker = engine.worker
        worker.chunk.connect(self._on_chunk)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.counted.connect(self._on_counted)
        QShortcut(QKeySequence("Esc"), self, turns.stop)
        QShortcut(QKeySequence.StandardKey.New, self, session.new_conversation)
        QShortcut(QKeySequence.StandardKey.Find, self, self.sidebar.focus_search)

    def _on_chunk(self, request: int, text: str) -> None:
        self.session.turns.on_chunk(request, text)

    def _on_finished(self, request: int, stats: GenerationStats) -> None:
        self.session.turns.on_finished(request, stats)

    def _on_failed(self, request: int, error: MiniGiantsError) -> None:
        self.session.turns.on_failed(request, error)

    def _on_counted(self, request: int, tokens: int) -> None:
        self.session.on_counted(request, tokens)

    # -- the vault's life cycle ------------------------------------------------------------

    def open_vault(self, vault: Vault) -> None:
        """After unlocking: list the conversations and open the newest."""
        self.session.open_vault(vault)
        self.update_composer()  # ready at once when the model stayed loaded through the lock

    def clear(self) -> None:
        """The vault is locking: the session stops and saves any reply, then every widget
        forgets what it showed."""
        self.session.close()
        close_open(self.safety_dialog, self.error_dialog)  # they are windows of their own
        self.view.clear()
        self.sidebar.clear()
        self.composer.clear()
        self.title_label.setText(UNTITLED)
        self.context_label.clear()
        self.context_meter.setValue(0)
        self.hide_notice()
        self.notice.clear()
        self.view.set_actions_enabled(True)
        self.update_composer()

    def set_crisis_region(self, region: str) -> None:
        """The region whose crisis lines a safety-check hit shows; "" for the system's region."""
        self.session.crisis_region = region

    # -- the model -------------------------------------------------------------------------

    def set_models(self, models: list[LibraryModel], servers: list[ServerModel],
                   current: str | None) -> None:
        self.model_bar.set_models(models, servers, current)
        chosen = next((model for model in models if model.id == current), None)
        self._chosen = (chosen.filename, good_for(chosen)) if chosen else (None, None)
        self.update_composer()

    def model_loading(self, name: str) -> None:
        self.model_bar.loading(name)
        self.update_composer()

    def model_load_progress(self, fraction: float) -> None:
        self.model_bar.set_progress(fraction)

    def model_loaded(self, facts: ModelFacts) -> None:
        note = "" if facts.has_chat_template else " · no chat template (ChatML used)"
        self.model_bar.done(f"{facts.quantization} · {self._engine.n_ctx:,} ctx{note}")
        self.update_composer()
        self.session.count_context()

    def model_remote(self, host: str) -> None:
        """A model on your server answers from now on: said where the model's facts would be."""
        self.model_bar.done(f"Computed on {host} · your server",
                            "Each message goes to your server with the conversation so far; the "
                            "conversation is kept on this computer, encrypted.")
        self.update_composer()
        self.session.count_context()

    def model_failed(self, error: MiniGiantsError) -> None:
        """Said in the page and in a dialog that does not block the window: the app goes on,
        and another model can be chosen."""
        self.model_bar.done("No model loaded")
        self.show_notice(error.for_person())
        self.update_composer()
        self.error_dialog = show_problem(self, "The model could not be loaded", error)

    def _model_picked(self, model_id: str) -> None:
        if not self.session.busy:
            self.model_chosen.emit(model_id)

    def _edit_settings(self) -> None:
        shown = self.session.settings()
        dialog = ConversationSettings(shown.system_prompt, sampling_of(shown), self)
        if dialog.exec():
            self.session.save_settings(dialog.chosen_prompt(), dialog.chosen_sampling())

    # -- what the session shows (ChatView) -------------------------------------------------

    def show_conversations(self, conversations: list[Conversation], current: str | None) -> None:
        self.sidebar.show_conversations(conversations, current)

    def show_conversation(self, conversation: Conversation | None, messages: list[Message]) -> None:
        self.view.show_messages(messages)
        if conversation is None:
            self.title_label.setText(UNTITLED)
            self.sidebar.conversations.clearSelection()
            self.composer.take_focus()
            return
        self.title_label.setText(conversation.title)
        self.hide_notice()
        # Search is prepared once this conversation is painted, not before: see the session.
        QTimer.singleShot(0, self.session.first_view_shown)

    def show_title(self, title: str) -> None:
        self.title_label.setText(title)

    def show_messages(self, messages: list[Message]) -> None:
        self.view.show_messages(messages)

    def append_message(self, message: Message) -> None:
        self.view.append_message(message)

    def replace_message(self, message: Message) -> None:
        self.view.replace_message(message)

    def start_reply(self) -> None:
        self.view.start_reply()

    def add_reply_text(self, text: str) -> None:
        self.view.add_reply_text(text)

    def finish_reply(self, message: Message) -> None:
        self.view.finish_reply(message)

    def turn_started(self) -> None:
        self.view.set_actions_enabled(False)
        self.composer.set_streaming()

    def turn_ended(self) -> None:
        self.view.set_actions_enabled(True)
        self.update_composer()

    def reply_stored(self, message: Message) -> None:
        self.reply_finished.emit(message)

    def ask_to_continue(self, result: SafetyResult, go_on: Callable[[], None],
                        hold: Callable[[], None]) -> None:
        self.safety_dialog = ask_to_continue(self, result, go_on, hold,
                                             region=self.session.crisis_region)

    def restore_draft(self, text: str) -> None:
        if not self.composer.editor.toPlainText().strip():
            self.composer.editor.setPlainText(text)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def hide_notice(self) -> None:
        self.notice.hide()

    def show_context(self, used: int, dropped: int) -> None:
        remote = self._engine.remote is not None
        self.context_meter.setVisible(not remote)  # your server does not say its context length
        if remote:
            self.context_label.setText(f"{used:,} tokens, as your server counted them" if used
                                       else "Context used: not reported by your server (some "
                                            "servers report it with each reply)")
        else:
            total = self._engine.n_ctx or 1
            self.context_meter.setMaximum(total)
            self.context_meter.setValue(min(used, total))
            self.context_label.setText(f"{used:,} of {total:,} tokens")
        if dropped:
            self.show_notice(f"{dropped} older message{'s' if dropped > 1 else ''} did not fit in "
                             "the model's context and were left out of this reply. They are "
                             "still saved here.")

    def show_hits(self, text: str, hits: list[SearchHit], titles: dict[str, str]) -> None:
        self.sidebar.show_hits(text, hits, titles)

    def open_journal_hit(self, hit: SearchHit) -> None:
        self.journal_hit_chosen.emit(hit)

    def ready(self) -> None:
        self.shown.emit()

    def update_composer(self) -> None:
        """The message box as the vault, the model and the turn allow."""
        name, uses = self._chosen
        remote = self._engine.remote
        self.view.set_empty_note(empty_conversation_note(
            self.session.model_name if remote else name or self.session.model_name, uses,
            self.model_bar.is_loading, server=remote.host if remote else None))
        if self.session.busy:
            return
        if self.session.vault is None:
            self.composer.set_unavailable("Locked")
        elif self.model_bar.is_loading:
            self.composer.set_waiting("Loading the model… you can start typing.")
        elif not self._engine.is_loaded:
            self.composer.set_unavailable(
                "No model is loaded: choose one above, or add one in Models.")
        else:
            self.composer.set_ready()
