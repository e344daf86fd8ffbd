"""The chat: conversations in the sidebar, the open one in the middle, the composer below, and
above it the model in use, the conversation's settings and how full the context is. Every vault
call runs on the vault's thread (`TaskThread`); the engine on its own; this page only wires them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.chat_history import UNTITLED, branch, prompt_for, sampling_of, title_for
from app.engine import ChatMessage, GenerationStats, ModelFacts
from app.errors import MiniGiantsError
from app.hub.library import LibraryModel
from app.journal.safety import SafetyResult, check
from app.personas import DEFAULT_PERSONA, persona
from app.ui.background import SessionJobs, TaskThread
from app.ui.composer import Composer
from app.ui.conversation_list import MATCH_END, MATCH_START, ConversationList
from app.ui.conversation_settings import ConversationSettings
from app.ui.conversation_view import ConversationView
from app.ui.engine_worker import EngineHost
from app.ui.open_dialogs import close_open
from app.ui.safety_prompt import ask_to_continue
from app.vault.records import Conversation, Message
from app.vault.reply_saver import ReplySaver
from app.vault.search import JOURNAL_KINDS, SearchHit
from app.vault.store import Vault
from app.vault.versions import choose_version, follow_wording, in_use, with_new_version

MANAGE_MODELS = "Manage models…"


class ChatPage(QWidget):
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
        self._model_ids: list[str] = []
        self.error_dialog: QMessageBox | None = None  # the last model error shown
        self.safety_dialog: QMessageBox | None = None  # the last crisis-check dialog shown
        self._crisis_region = ""  # whose crisis lines it shows; "" = the system's region
        self._shown_once = False

        self.sidebar = ConversationList()
        self.title_label = QLabel(UNTITLED)
        self.title_label.setAccessibleName("Conversation title")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title_label.setFont(font)
        self.model_picker = QComboBox()
        self.model_picker.setAccessibleName("Model")
        self.model_picker.setToolTip("The model this conversation talks to")
        self.model_picker.setMinimumContentsLength(22)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setAccessibleName("Conversation settings")
        self.settings_button.setToolTip("Persona and sampling for this conversation")
        self.model_status = QLabel()
        self.model_status.setAccessibleName("Model status")
        self.load_progress = QProgressBar(maximum=100, textVisible=False)
        self.load_progress.setAccessibleName("Model loading progress")
        self.load_progress.setMaximumWidth(120)
        self.load_progress.hide()
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
        header.addWidget(self.model_status)
        header.addWidget(self.load_progress)
        header.addWidget(self.model_picker)
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
        self.model_picker.activated.connect(self._model_picked)
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
        """The library's chat models in the picker (adapters are not chat models on their own)."""
        chat_models = [m for m in models if not m.is_adapter]
        self._model_ids = [m.id for m in chat_models]
        self.model_picker.clear()
        self.model_picker.addItems([m.filename for m in chat_models] + [MANAGE_MODELS])
        if current in self._model_ids:
            self.model_picker.setCurrentIndex(self._model_ids.index(current))

    def model_loading(self, name: str) -> None:
        self.model_status.setText(f"Loading {name}…")
        self.load_progress.setValue(0)
        self.load_progress.show()
        self._update_composer()

    def model_load_progress(self, fraction: float) -> None:
        self.load_progress.setValue(round(fraction * 100))

    def model_loaded(self, facts: ModelFacts) -> None:
        self.load_progress.hide()
        note = "" if facts.has_chat_template else " · no chat template (ChatML used)"
        self.model_status.setText(f"{facts.quantization} · {self._engine.n_ctx:,} ctx{note}")
        self._update_composer()
        self._count_context()

    def model_failed(self, error: MiniGiantsError) -> None:
        """Said in the page and in a dialog that does not block the window: the app goes on,
        and another model can be chosen."""
        self.load_progress.hide()
        self.model_status.setText("No model loaded")
        self._show_notice(error.for_person())
        self._update_composer()
        box = QMessageBox(QMessageBox.Icon.Warning, "The model could not be loaded",
                          error.message, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(error.hint)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.error_dialog = box

    def _model_picked(self, index: int) -> None:
        if index >= len(self._model_ids):
            self.manage_models_requested.emit()
            return
        if self._request is None:
            self.model_chosen.emit(self._model_ids[index])

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
        self.composer.editor.setFocus()

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
        sampling = sampling_of(self._conversation) if self._conversation else \
            sampling_of(_draft())
        prompt = self._conversation.system_prompt if self._conversation else \
            persona(DEFAULT_PERSONA).prompt
        dialog = ConversationSettings(prompt, sampling, self)
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

    def send(self, text: str) -> None:
        if self._vault is None or self._request is not None or not self._engine.is_loaded:
            return
        self.composer.set_streaming()  # at once: a second Enter must not send twice
        self._checked_first(text, lambda: self._send(text))

    def _checked_first(self, text: str, proceed: Callable[[], None]) -> None:
        """The local crisis check comes before the model sees the text (off the GUI thread: a
        long paste takes a while); on a hit the person decides whether to go on."""
        def checked(result: SafetyResult) -> None:
            if not result.flagged:
                proceed()
                return
            self.safety_dialog = ask_to_continue(self, result, proceed, lambda: self._hold(text),
                                                 region=self._crisis_region)

        self._jobs.submit(lambda: check(text), checked, "checking your message",
                         on_error=self._turn_failed)

    def _hold(self, text: str) -> None:
        """Not now: nothing is stored or sent, and what was written is back in the box."""
        self._update_composer()
        if not self.composer.editor.toPlainText().strip():
            self.composer.editor.setPlainText(text)

    def _send(self, text: str) -> None:
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
            self._generate(self._messages, replacing=None)

        self._jobs.submit(store, stored, "saving your message", on_error=self._turn_failed)

    def regenerate(self) -> None:
        """A new reply to the last question; the previous one stays as an alternative."""
        if self._request is not None or not self._messages or \
                self._messages[-1].role != "assistant" or not self._engine.is_loaded:
            return
        self.view.show_messages(self._messages[:-1])
        self._generate(self._messages[:-1], replacing=self._messages[-1])

    def edit_and_resend(self, message_id: str, text: str) -> None:
        if self._vault is None or self._request is not None or not self._engine.is_loaded:
            return
        self.composer.set_streaming()
        self._checked_first(text, lambda: self._edit_and_resend(message_id, text))

    def _edit_and_resend(self, message_id: str, text: str) -> None:
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
                self._generate(self._messages[:index + 1], replacing=reply)
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
                self._generate(self._messages, replacing=None)

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

    def _generate(self, history: list[Message], *, replacing: Message | None) -> None:
        assert self._vault is not None and self._conversation is not None
        prompt = prompt_for(self._conversation.system_prompt, history)
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

        def finish() -> tuple[Message | None, Conversation]:
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
        saver = self._saver
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

    # -- context ---------------------------------------------------------------------------

    def _count_context(self) -> None:
        if not self._engine.is_loaded:
            return
        system = self._conversation.system_prompt if self._conversation else \
            persona(DEFAULT_PERSONA).prompt
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
        if self._request is not None:
            return
        if self._vault is None:
            self.composer.set_unavailable("Locked")
        elif not self._engine.is_loaded:
            loading = self.load_progress.isVisible()
            self.composer.set_unavailable(
                "Loading the model…" if loading else
                "No model is loaded: choose one above, or add one in Models.")
        else:
            self.composer.set_ready()

    def _model_name(self) -> str | None:
        return self._engine.facts.name if self._engine.facts else None


def _draft() -> Conversation:
    """The settings a conversation not yet stored would get."""
    return Conversation("", UNTITLED, persona(DEFAULT_PERSONA).prompt, None, {}, "", "")
