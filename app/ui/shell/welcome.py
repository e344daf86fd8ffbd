"""The first run: what stays on this computer and what the passphrase protects; the passphrase
(with a strength hint) and the recovery key; then which model to start with."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.centred import centre
from app.ui.common.passphrase_fields import PassphraseFields

WELCOME = """<h2>Welcome to Mini-Giants</h2>
<p>Mini-Giants runs open language models <b>on this computer</b>. What you write, the replies and
your journal never leave it: chatting uses no network at all. The only connections the app makes
are a model download or a Hugging Face search that you start.</p>
<p>Everything you write is kept <b>encrypted</b> with a passphrase that only you know. Nobody can
reset it for you: <b>if you forget it and have no recovery key, your conversations and journal
cannot be opened again</b>.</p>"""

MODEL_CHOICE = """<h2>Choose a model to start with</h2>
<p>You can change models at any time in <b>Models</b>.</p>"""

STARTER, CATALOG, DISCOVER = "starter", "catalog", "discover"


class WelcomePage(QWidget):
    create_requested = Signal(str, bool)  # passphrase, whether to make a recovery key
    model_choice = Signal(str)  # STARTER, CATALOG or DISCOVER

    def __init__(self, parent: QWidget | None = None, *, starter_installed: bool = True) -> None:
        super().__init__(parent)
        self._starter_installed = starter_installed  # the installed app ships without weights
        self.steps = QStackedWidget()
        self.steps.addWidget(self._passphrase_step())
        self.steps.addWidget(self._recovery_step())
        self.steps.addWidget(self._model_step())
        centre(self, self.steps, 560)

    def _column(self, *widgets: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        for widget in widgets:
            column.addWidget(widget)
        return box

    def _passphrase_step(self) -> QWidget:
        text = QLabel(WELCOME)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.fields = PassphraseFields()
        self.with_recovery = QCheckBox("Also create a recovery key (recommended)")
        self.with_recovery.setAccessibleName("Also create a recovery key")
        self.with_recovery.setChecked(True)
        self.create_button = QPushButton("Create my encrypted vault")
        self.create_button.setAccessibleName("Create my encrypted vault")
        self.create_button.setEnabled(False)
        self.busy = QProgressBar(minimum=0, maximum=0, textVisible=False)
        self.busy.setAccessibleName("Creating the vault")
        self.busy.setMaximumHeight(6)
        self.busy.hide()
        self.error = QLabel()
        self.error.setAccessibleName("Error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.fields.changed.connect(
            lambda: self.create_button.setEnabled(self.fields.acceptable))
        self.create_button.clicked.connect(self._create)
        return self._column(text, self.fields, self.with_recovery, self.create_button,
                            self.busy, self.error)

    def _recovery_step(self) -> QWidget:
        text = QLabel("<h2>Your recovery key</h2><p>If you ever forget your passphrase, this key "
                      "opens your vault. Write it down or print it, and keep it somewhere safe "
                      "away from this computer. It is shown only now.</p>")
        text.setWordWrap(True)
        self.recovery_key = QLabel()
        self.recovery_key.setAccessibleName("Recovery key")
        self.recovery_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                                  Qt.TextInteractionFlag.TextSelectableByKeyboard)
        font = self.recovery_key.font()
        font.setFamily("monospace")
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.recovery_key.setFont(font)
        copy = QPushButton("Copy")
        copy.setAccessibleName("Copy the recovery key")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.recovery_key.text()))
        self.written_down = QCheckBox("I have written it down")
        self.written_down.setAccessibleName("I have written the recovery key down")
        self.continue_button = QPushButton("Continue")
        self.continue_button.setAccessibleName("Continue")
        self.continue_button.setEnabled(False)
        self.written_down.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._done_with_key)
        return self._column(text, self.recovery_key, copy, self.written_down, self.continue_button)

    def _model_step(self) -> QWidget:
        text = QLabel(MODEL_CHOICE)
        text.setWordWrap(True)
        choices = [
            (STARTER, "Start with the tiny starter model (already installed; quick, but simple)"),
            (CATALOG, "Choose from the catalog: models that fit this computer"),
            (DISCOVER, "Use models that other apps already downloaded"),
        ]
        self.choice_buttons: dict[str, QPushButton] = {}
        for choice, label in choices:
            button = QPushButton(label)
            button.setAccessibleName(label)
            button.clicked.connect(lambda _=False, c=choice: self.model_choice.emit(c))
            self.choice_buttons[choice] = button
        if not self._starter_installed:
            self.choice_buttons.pop(STARTER).deleteLater()
            download = "Choose a model to download: the catalog shows which fit this computer"
            self.choice_buttons[CATALOG].setText(download)
            self.choice_buttons[CATALOG].setAccessibleName(download)
        next(iter(self.choice_buttons.values())).setDefault(True)
        return self._column(text, *self.choice_buttons.values())

    def _create(self) -> None:
        if not self.fields.acceptable or self.busy.isVisible():
            return
        self.busy.show()
        self.error.hide()
        self.create_button.setEnabled(False)
        self.create_requested.emit(self.fields.passphrase, self.with_recovery.isChecked())

    def created(self, recovery_key: str | None) -> None:
        """The vault exists: show the recovery key once, or go straight to choosing a model."""
        self.busy.hide()
        self.fields.clear()
        if recovery_key:
            self.recovery_key.setText(recovery_key)
            self.steps.setCurrentIndex(1)
        else:
            self.steps.setCurrentIndex(2)

    def failed(self, message: str) -> None:
        self.busy.hide()
        self.error.setText(message)
        self.error.show()
        self.create_button.setEnabled(self.fields.acceptable)

    def _done_with_key(self) -> None:
        self.recovery_key.clear()  # shown once: it does not stay in the window
        self.steps.setCurrentIndex(2)
