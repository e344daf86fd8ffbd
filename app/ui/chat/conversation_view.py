"""The messages of one conversation, newest at the bottom, with a reply streaming in.

Only the newest PAGE_SIZE messages get widgets at first ("Show earlier messages" adds more), so a
long conversation opens as fast as a short one. A streaming reply is rendered at most every
RENDER_INTERVAL_MS, and only its own bubble; the view follows it down only when the reader was
already at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QPushButton,
    QScrollArea,
    QScrollBar,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.message_widget import MessageWidget
from app.ui.common.theme import is_dark
from app.ui.common.widgets import muted_label
from app.vault.records import Message
from app.vault.versions import answers_to

PAGE_SIZE = 50
RENDER_INTERVAL_MS = 50
AT_BOTTOM_PX = 24  # this close to the end still counts as "reading the newest"


class ConversationView(QWidget):
    edit_requested = Signal(str, str)  # message id, new text
    regenerate_requested = Signal()
    alternative_chosen = Signal(str, int)  # message id, index into versions(message)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversation")
        self._messages: list[Message] = []  # every message of the conversation, oldest first
        self._first_shown = 0  # index into _messages of the oldest message with a widget
        self._widgets: dict[str, MessageWidget] = {}
        self._reply: MessageWidget | None = None
        self._reply_parts: list[str] = []
        self._actions_enabled = True
        self._theme = self._theme_now()
        self._follow_bottom = True
        self._anchor: tuple[MessageWidget, int] | None = None  # widget kept in place, its offset
        self.reply_render_count = 0  # renders of the streaming reply since start_reply

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(self._render_reply)

        self.earlier_button = QPushButton("Show earlier messages")
        self.earlier_button.setToolTip("Show the messages before these")
        self.earlier_button.setAccessibleName("Show earlier messages")
        self.earlier_button.clicked.connect(self.show_earlier)
        content = QWidget()
        self._column = QVBoxLayout(content)
        self._column.setSpacing(10)
        self._column.addWidget(self.earlier_button, 0, Qt.AlignmentFlag.AlignHCenter)
        # In a conversation with no message yet: which model answers and what to do.
        self.empty_note = muted_label()
        self.empty_note.setAccessibleName("About this conversation")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setContentsMargins(40, 60, 40, 0)
        self._column.addWidget(self.empty_note)
        self._column.addStretch(1)  # few messages sit at the top, not spread out
        self._scroll = QScrollArea(self)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        bar = self._bar()
        bar.rangeChanged.connect(self._keep_position)
        bar.valueChanged.connect(self._note_position)
        bar.actionTriggered.connect(self._reader_scrolled)
        self._update_earlier_button()

    # --- messages

    def show_messages(self, messages: list[Message]) -> None:
        """Replace everything with `messages`; system messages are not shown."""
        self._drop_widgets()
        self._messages = [message for message in messages if message.role != "system"]
        self._first_shown = max(0, len(self._messages) - PAGE_SIZE)
        for message in self._messages[self._first_shown:]:
            self._place(self._new_widget(message), self._column.count() - 1)
        self._after_change()
        self._follow_bottom = True
        self._keep_position()

    def append_message(self, message: Message) -> None:
        if message.role == "system":
            return
        self._messages.append(message)
        before = self._column.indexOf(self._reply) if self._reply else self._column.count() - 1
        self._place(self._new_widget(message), before)
        self._after_change()

    def replace_message(self, message: Message) -> None:
        """Show the new content of a message already shown (same id)."""
        for number, known in enumerate(self._messages):
            if known.id == message.id:
                self._messages[number] = message
                break
        else:
            return
        widget = self._widgets.get(message.id)
        if widget is not None:
            widget.set_message(message, self._pages_of(message))

    def show_earlier(self) -> None:
        """Add the previous PAGE_SIZE messages above, keeping in place what the reader sees."""
        if self._first_shown == 0:
            return
        first = max(0, self._first_shown - PAGE_SIZE)
        top = self._widgets[self._messages[self._first_shown].id]
        if not self._follow_bottom:
            self._anchor = (top, top.y() - self._bar().value())
        for offset, message in enumerate(self._messages[first:self._first_shown]):
            self._place(self._new_widget(message), 1 + offset)  # after the button
        self._first_shown = first
        self._update_earlier_button()

    def clear(self) -> None:
        """Drop every message and any text of them (the vault is locking: gone, not hidden)."""
        self._drop_widgets()
        self._messages = []
        self._first_shown = 0
        self._update_earlier_button()

    def rendered_text(self) -> str:
        """The plain text of what is shown, oldest first, including a reply streaming in."""
        shown = [self._widgets[message.id] for message in self._messages[self._first_shown:]]
        if self._reply is not None:
            shown.append(self._reply)
        return "\n\n".join(text for text in (widget.shown_text() for widget in shown) if text)

    # --- the streaming reply

    def start_reply(self) -> None:
        if self._reply is not None:
            self._drop(self._reply)
        self._reply_parts = []
        self.reply_render_count = 0
        self._reply = MessageWidget(None, dark=self._theme[0])
        self._place(self._reply, self._column.count() - 1)

    def add_reply_text(self, text: str) -> None:
        if self._reply is None:
            self.start_reply()
        self._reply_parts.append(text)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def finish_reply(self, message: Message) -> None:
        """The stored reply (its id, its stats) takes the streaming bubble's place."""
        self._render_timer.stop()
        self._reply_parts = []
        reply, self._reply = self._reply, None
        if reply is None:
            self.append_message(message)
            return
        if message.role == "system":
            self._drop(reply)
            return
        self._messages.append(message)
        reply.set_message(message, self._pages_of(message))
        self._connect(reply)
        self._widgets[message.id] = reply
        self._after_change()

    def set_actions_enabled(self, enabled: bool) -> None:
        self._actions_enabled = enabled
        for widget in self._widgets.values():
            widget.set_actions_enabled(enabled)

    def _render_reply(self) -> None:
        if self._reply is None:
            return
        text = "".join(self._reply_parts)
        self._reply_parts = [text]
        self._reply.show_streaming(text)
        self.reply_render_count += 1

    # --- widgets

    def _new_widget(self, message: Message) -> MessageWidget:
        widget = MessageWidget(message, dark=self._theme[0], pages=self._pages_of(message))
        self._connect(widget)
        self._widgets[message.id] = widget
        return widget

    def _pages_of(self, message: Message) -> tuple[int, ...] | None:
        """A reply pages through the versions written for the wording its question shows."""
        ids = [known.id for known in self._messages]
        at = ids.index(message.id) if message.id in ids else -1
        if message.role == "assistant" and at > 0 and self._messages[at - 1].role == "user":
            return answers_to(message, self._messages[at - 1])
        return None

    def _connect(self, widget: MessageWidget) -> None:
        widget.edit_saved.connect(self.edit_requested)
        widget.regenerate_clicked.connect(self.regenerate_requested)
        widget.version_chosen.connect(self.alternative_chosen)
        widget.set_actions_enabled(self._actions_enabled)

    def _place(self, widget: MessageWidget, index: int) -> None:
        self._column.insertWidget(index, widget)
        widget.show()  # now, not on the layout's queued call: what is placed is shown

    def _drop(self, widget: MessageWidget) -> None:
        # Wiped now, deleted later: a widget may be dropped from inside its own button's click.
        self._column.removeWidget(widget)
        widget.wipe()
        widget.hide()
        widget.deleteLater()

    def _drop_widgets(self) -> None:
        self._render_timer.stop()
        self._reply_parts = []
        for widget in self._widgets.values():
            self._drop(widget)
        if self._reply is not None:
            self._drop(self._reply)
        self._widgets = {}
        self._reply = None
        self._anchor = None

    def _after_change(self) -> None:
        """Regenerate is offered on the newest message only, when it is a reply."""
        newest = self._messages[-1] if self._messages else None
        for message in self._messages[self._first_shown:]:
            self._widgets[message.id].set_offers_regenerate(
                message is newest and message.role == "assistant")
        self._update_earlier_button()

    def set_empty_note(self, text: str) -> None:
        self.empty_note.setText(text)

    def _update_earlier_button(self) -> None:
        self.empty_note.setVisible(not self._messages)
        self.earlier_button.setVisible(self._first_shown > 0)
        self.earlier_button.setText(f"Show earlier messages ({self._first_shown} more)")

    # --- scrolling

    def _bar(self) -> QScrollBar:
        return self._scroll.verticalScrollBar()

    def _keep_position(self) -> None:
        """After the content changed size: stay at the bottom if the reader was there, else keep
        the anchored message where it was on screen."""
        bar = self._bar()
        if self._follow_bottom:
            bar.setValue(bar.maximum())
        elif self._anchor is not None:
            widget, offset = self._anchor
            bar.setValue(widget.y() - offset)

    def _note_position(self, value: int) -> None:
        self._follow_bottom = value >= self._bar().maximum() - AT_BOTTOM_PX

    def _reader_scrolled(self) -> None:
        self._anchor = None  # the reader moves on: nothing to keep in place any more

    # --- theme

    @staticmethod
    def _theme_now() -> tuple[bool, str]:
        """What rendering depends on: the code style, and the link colour Qt puts in documents."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        return is_dark(app), app.palette().color(QPalette.ColorRole.Link).name()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # posted after QApplication.setPalette
            theme = self._theme_now()
            if theme != self._theme:
                self._theme = theme
                for widget in (*self._widgets.values(), *([self._reply] if self._reply else [])):
                    widget.set_dark(theme[0])
        super().changeEvent(event)
