"""One message of a conversation as a bubble: its rendered text, a subtle stats footer and its
actions (copy, edit, regenerate, page through earlier versions)."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.chat.stats_footer import stats_line
from app.ui.common.icons import icon
from app.ui.common.markdown_render import copied_block, render_markdown
from app.vault.records import Message, Version
from app.vault.versions import in_use, versions

USER_INDENT = 56  # the user's bubbles sit to the right, as in most chat apps
PADDING = 10
RADIUS = 8
USER_TINT = 0.18  # how much of the highlight colour tints the user's bubble
OPENABLE_SCHEMES = ("http", "https", "mailto")


def _mix(base: QColor, tint: QColor, amount: float) -> QColor:
    def channel(b: float, t: float) -> float:
        return b + (t - b) * amount

    return QColor.fromRgbF(channel(base.redF(), tint.redF()), channel(base.greenF(), tint.greenF()),
                           channel(base.blueF(), tint.blueF()))


class MarkdownView(QTextBrowser):
    """A message's rendered Markdown: selectable, as tall as its text (it never scrolls itself).
    Links never navigate: "Copy code" copies its block, and web or mail links open in the
    system's browser or mail program only when clicked."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setOpenLinks(False)  # navigating would load whatever a link names into the view
        self.viewport().setAutoFillBackground(False)  # the bubble paints the background
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.code_blocks: tuple[str, ...] = ()
        self._rendered: QTextDocument | None = None
        self._heights: dict[int, int] = {}  # height for width, for the text now shown
        self.anchorClicked.connect(self._follow)

    def show_markdown(self, markdown: str, dark: bool) -> None:
        rendered = render_markdown(markdown, dark=dark, parent=self)
        rendered.document.setDefaultFont(self.font())
        self.setDocument(rendered.document)  # Qt deletes its own first document itself
        if self._rendered is not None:
            self._rendered.deleteLater()
        self._rendered = rendered.document
        self.code_blocks = rendered.code_blocks
        self._heights.clear()
        self.updateGeometry()

    def wipe(self) -> None:
        self.document().clear()
        self.code_blocks = ()
        self._heights.clear()

    def heightForWidth(self, width: int) -> int:
        # Layouts ask every bubble this, at more than one width, whenever any bubble changes
        # size: the answers are kept until the text changes, so a streaming reply costs its
        # own bubble only.
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._measure(width)
        return height

    def minimumSizeHint(self) -> QSize:
        # A scroll area's minimum height (room for its scroll bars) would outweigh the height
        # for width, and the column would grow by it for every bubble.
        return QSize(super().minimumSizeHint().width(), 0)

    def _measure(self, width: int) -> int:
        # No frame and no scroll bars: the document is exactly as wide as this view.
        document = self.document()
        used = document.textWidth()
        if used == width:
            return math.ceil(document.size().height())
        # Measuring at another width must not reach the view (it would adjust its scroll bars
        # and ask for a new layout twice over).
        layout = document.documentLayout()
        layout.blockSignals(True)
        document.setTextWidth(width)
        height = math.ceil(document.size().height())
        document.setTextWidth(used)
        layout.blockSignals(False)
        return height

    def _follow(self, url: QUrl) -> None:
        block = copied_block(url)
        if block is not None and block < len(self.code_blocks):
            QGuiApplication.clipboard().setText(self.code_blocks[block])
        elif url.scheme() in OPENABLE_SCHEMES:
            QDesktopServices.openUrl(url)


class MessageWidget(QWidget):
    """A bubble for one message, or (message None) for the reply streaming in."""

    edit_saved = Signal(str, str)  # message id, new text
    regenerate_clicked = Signal()
    version_chosen = Signal(str, int)  # message id, index into versions(message)

    def __init__(self, message: Message | None, *, dark: bool,
                 pages: tuple[int, ...] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message: Message | None = None
        self._dark = dark
        self._shown = ""  # the Markdown now rendered
        self._order: list[int] = []  # the versions the pager walks (indexes into versions())
        self._position = 0
        self._actions_enabled = True
        self._offers_regenerate = False
        self._is_user = False
        self.copy_button: QToolButton | None = None
        self.edit_button: QToolButton | None = None
        self.regenerate_button: QToolButton | None = None
        self.previous_button: QToolButton | None = None
        self.next_button: QToolButton | None = None
        self.pager_label: QLabel | None = None
        self.editor: QPlainTextEdit | None = None
        self.save_button: QPushButton | None = None
        self._editor_box: QWidget | None = None

        self.body = MarkdownView(self)
        self.body.setAccessibleName("Message text")
        self.footer = QLabel(self)
        self.footer.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = self.footer.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        self.footer.setFont(small)
        self.footer.hide()
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.footer)
        self._row.addStretch(1)
        self._column = QVBoxLayout(self)
        self._column.setSpacing(2)
        self._column.addWidget(self.body)
        self._column.addLayout(self._row)
        if message is None:
            self._set_role("assistant")
            self.setAccessibleName("Reply being written")
        else:
            self.set_message(message, pages)

    # --- content

    def set_message(self, message: Message, pages: tuple[int, ...] | None = None) -> None:
        """Show `message`; its pager walks `pages` (indexes into its versions, in the order they
        were written; all of them when None), each version with its own stats."""
        in_use_now = in_use(message)
        order = set(range(len(versions(message))) if pages is None else pages)
        self._order = sorted(order | {in_use_now})
        self._position = self._order.index(in_use_now)
        self.message = message
        self._set_role(message.role)
        self.setAccessibleName("Your message" if message.role == "user" else "Reply")
        self._show_version(Version(message.text, message.stats))
        self._ensure_actions()
        self._refresh_actions()

    def _show_version(self, version: Version) -> None:
        self._show_text(version.text)
        self.footer.setText(stats_line(version.stats))
        self.footer.setVisible(bool(self.footer.text()))  # no empty line under a bare bubble

    def show_streaming(self, text: str) -> None:
        self._show_text(text)

    def set_dark(self, dark: bool) -> None:
        """Render again with the code style for `dark` (also picks up a new palette's link colour)."""
        self._dark = dark
        text, self._shown = self._shown, ""
        self._show_text(text)

    def shown_text(self) -> str:
        return "\n".join(part for part in (self.body.toPlainText(), self.footer.text()) if part)

    def wipe(self) -> None:
        """Forget the message's text everywhere in this widget (the vault is locking)."""
        self.body.wipe()
        self.footer.clear()
        if self.editor is not None:
            self.editor.clear()
        if self.pager_label is not None:
            self.pager_label.clear()
        self.message = None
        self._shown = ""
        self._order = []

    def _show_text(self, text: str) -> None:
        if text != self._shown:
            self.body.show_markdown(text, self._dark)
            self._shown = text
            # The body's own request reaches this bubble's layout but, every other time, not
            # the column of bubbles around it (seen with Qt 6.11 and 6.12): ask the column directly.
            self.updateGeometry()

    def _set_role(self, role: str) -> None:
        left = USER_INDENT if role == "user" else 0
        self._column.setContentsMargins(left + PADDING, PADDING // 2, PADDING, PADDING // 2)
        self._is_user = role == "user"
        self.update()

    # --- actions

    def set_actions_enabled(self, enabled: bool) -> None:
        self._actions_enabled = enabled
        self._refresh_actions()

    def set_offers_regenerate(self, offered: bool) -> None:
        self._offers_regenerate = offered
        if offered and self.regenerate_button is None:
            self.regenerate_button = self._tool_button(
                "Regenerate", "Write this reply again", self.regenerate_clicked.emit,
                "regenerate")
            self._row.addWidget(self.regenerate_button)
        self._refresh_actions()

    def _ensure_actions(self) -> None:
        """Buttons are made when a message first needs them: a long conversation has many
        bubbles, and most never need a pager or an editor."""
        if self.copy_button is None:
            self.copy_button = self._tool_button("Copy", "Copy this message", self._copy, "copy")
            self._row.addWidget(self.copy_button)
        if self._is_user and self.edit_button is None:
            self.edit_button = self._tool_button("Edit", "Edit this message and send it again",
                                                 self._start_editing, "edit")
            self._row.addWidget(self.edit_button)
        if len(self._order) > 1 and self.pager_label is None:
            self.previous_button = self._tool_button("‹", "Show the previous version",
                                                     lambda: self._page(-1))
            self.pager_label = QLabel(self)
            self.pager_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.next_button = self._tool_button("›", "Show the next version",
                                                 lambda: self._page(1))
            at = self._row.indexOf(self.copy_button)
            for offset, widget in enumerate((self.previous_button, self.pager_label,
                                             self.next_button)):
                self._row.insertWidget(at + offset, widget)

    def _refresh_actions(self) -> None:
        enabled = self._actions_enabled and self.message is not None
        if self.edit_button is not None:
            self.edit_button.setEnabled(enabled)
        if self.save_button is not None:
            self.save_button.setEnabled(enabled)
        if self.regenerate_button is not None:
            self.regenerate_button.setVisible(self._offers_regenerate)
            self.regenerate_button.setEnabled(enabled)
        if self.pager_label is not None and self.previous_button and self.next_button:
            paged = len(self._order) > 1
            for widget in (self.previous_button, self.pager_label, self.next_button):
                widget.setVisible(paged)
            self.pager_label.setText(f"{self._position + 1}/{len(self._order)}")
            self.pager_label.setAccessibleName(
                f"Version {self._position + 1} of {len(self._order)}")
            self.previous_button.setEnabled(enabled and self._position > 0)
            self.next_button.setEnabled(enabled and self._position < len(self._order) - 1)

    def _tool_button(self, text: str, tip: str, slot: Callable[[], object],
                     icon_name: str = "") -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        if icon_name:
            button.setIcon(icon(icon_name))  # shown instead of the text; the name stays for tools
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab
        button.clicked.connect(slot)
        return button

    def _copy(self) -> None:
        if self.message is not None:
            QGuiApplication.clipboard().setText(self.message.text)

    def _page(self, step: int) -> None:
        target = self._position + step
        if self.message is None or not 0 <= target < len(self._order):
            return
        self._position = target
        chosen = self._order[target]
        self._show_version(versions(self.message)[chosen])
        self._refresh_actions()
        self.version_chosen.emit(self.message.id, chosen)

    # --- editing

    def _start_editing(self) -> None:
        if self.message is None:
            return
        if self._editor_box is None:
            self._build_editor()
        assert self.editor is not None and self._editor_box is not None
        self.editor.setPlainText(self.message.text)
        self.body.hide()
        self._editor_box.show()
        self.editor.setFocus()

    def _build_editor(self) -> None:
        self._editor_box = QWidget(self)
        self.editor = QPlainTextEdit(self._editor_box)
        self.editor.setAccessibleName("Edited message")
        self.editor.setTabChangesFocus(True)  # Tab moves on to the buttons, as elsewhere
        cancel = QPushButton("Cancel", self._editor_box)
        cancel.setToolTip("Keep the message as it was")
        cancel.setAccessibleName("Cancel editing")
        cancel.clicked.connect(self._stop_editing)
        self.save_button = QPushButton("Save && resend", self._editor_box)
        self.save_button.setToolTip("Send the edited message again; the reply is written anew")
        self.save_button.setAccessibleName("Save and resend")
        self.save_button.clicked.connect(self._save_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        box = QVBoxLayout(self._editor_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.editor)
        box.addLayout(buttons)
        self._column.insertWidget(1, self._editor_box)
        self._refresh_actions()

    def _save_edit(self) -> None:
        assert self.editor is not None
        text = self.editor.toPlainText()
        if self.message is None or not text.strip():
            return
        message_id = self.message.id
        # The chat page stores the edit and shows the conversation again; until then the
        # bubble shows the message as it was.
        self._stop_editing()
        self.edit_saved.emit(message_id, text)

    def _stop_editing(self) -> None:
        if self._editor_box is not None and self.editor is not None:
            self._editor_box.hide()
            self.editor.clear()
        self.body.show()

    # --- painting

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        fill = _mix(base, palette.color(QPalette.ColorRole.Highlight), USER_TINT) \
            if self._is_user else base
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        left = USER_INDENT if self._is_user else 0
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(left, 0, 0, 0), RADIUS, RADIUS)
