"""What the thought record's steps are built from: a row for one automatic thought (its words, how
much it was believed, and later how much it is believed now), text boxes, labelled boxes and
scrolling pages."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.icons import icon
from app.ui.common.widgets import buddy_label
from app.ui.journal.emotions_editor import percent_slider

DEFAULT_RATING = 50  # where a new belief slider starts: the middle, no suggestion


class ThoughtRow(QFrame):
    """One automatic thought: its words, how much it was believed, and, once re-rated, how much
    it is believed now."""

    def __init__(self, text: str, belief: int, new_belief: int | None) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.new_belief = new_belief
        self.text_edit = QLineEdit(text)
        self.text_edit.setPlaceholderText("e.g. She thinks my work is useless.")
        self.text_label = QLabel()
        self.text_label.setBuddy(self.text_edit)
        rating, self.belief_slider = percent_slider("", belief)
        self.remove_button = QToolButton()
        self.remove_button.setIcon(icon("delete"))
        grid = QGridLayout(self)
        grid.addWidget(self.text_label, 0, 0)
        grid.addWidget(self.text_edit, 0, 1)
        grid.addWidget(self.remove_button, 0, 2)
        grid.addWidget(QLabel("Believed:"), 1, 0)
        grid.addWidget(rating, 1, 1)
        grid.setColumnStretch(1, 1)

    def number(self, number: int) -> None:
        self.text_label.setText(f"Thought {number}:")
        self.text_edit.setAccessibleName(f"Thought {number}")
        self.belief_slider.setAccessibleName(f"Belief in thought {number}")
        self.remove_button.setAccessibleName(f"Remove thought {number}")
        self.remove_button.setToolTip(f"Remove thought {number}")

    def set_new_belief(self, value: int) -> None:
        self.new_belief = value


def text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # keyboard users move on with Tab, as in any form
    return box


def labelled(text: str, box: QWidget) -> QWidget:
    holder = QWidget()
    label = buddy_label(text, box)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(label)
    column.addWidget(box, 1)
    return holder


def step_page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)
    return page


def scrolling(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def bold_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label
