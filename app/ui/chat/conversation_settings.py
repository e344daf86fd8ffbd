"""A conversation's persona (system prompt) and sampling settings, in a dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.engine import SamplingOptions
from app.personas import personas

CUSTOM = "Custom"


def _double(value: float, low: float, high: float, step: float, decimals: int = 2
            ) -> QDoubleSpinBox:
    box = QDoubleSpinBox(minimum=low, maximum=high, singleStep=step, decimals=decimals)
    box.setValue(value)
    return box


class ConversationSettings(QDialog):
    def __init__(self, system_prompt: str, sampling: SamplingOptions,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conversation settings")
        self._personas = personas()
        self.persona = QComboBox()
        self.persona.addItems([p.name for p in self._personas] + [CUSTOM])
        matching = [i for i, p in enumerate(self._personas) if p.prompt == system_prompt.strip()]
        self.persona.setCurrentIndex(matching[0] if matching else len(self._personas))
        self.system_prompt = QPlainTextEdit(system_prompt)
        self.system_prompt.setTabChangesFocus(True)
        self.temperature = _double(sampling.temperature, 0, 2, 0.05)
        self.top_p = _double(sampling.top_p, 0, 1, 0.01)
        self.top_k = QSpinBox(minimum=0, maximum=1000, value=sampling.top_k)
        self.min_p = _double(sampling.min_p, 0, 1, 0.01)
        self.repeat_penalty = _double(sampling.repeat_penalty, 0.5, 2, 0.05)
        self.max_tokens = QSpinBox(minimum=16, maximum=32768, singleStep=64,
                                   value=sampling.max_tokens)
        self.seed = QSpinBox(minimum=-1, maximum=2**31 - 1, value=-1 if sampling.seed is None
                             else sampling.seed)
        self.seed.setSpecialValueText("random")

        form = QFormLayout()
        rows = [
            ("&Persona", self.persona, "The kind of helper this conversation has"),
            ("&System prompt", self.system_prompt, "What the model is told before the conversation"),
            ("&Temperature", self.temperature, "Higher is more varied, 0 always gives the same reply"),
            ("Top-&p", self.top_p, "Only the most likely words that add up to this share"),
            ("Top-&k", self.top_k, "Only this many most likely words (0 = no limit)"),
            ("&Min-p", self.min_p, "Leave out words much less likely than the best one"),
            ("&Repeat penalty", self.repeat_penalty, "Above 1 discourages repeating itself"),
            ("Max &tokens", self.max_tokens, "The longest reply, in tokens"),
            ("S&eed", self.seed, "The same seed and settings give the same reply"),
        ]
        for label, field, tip in rows:
            field.setAccessibleName(label.replace("&", ""))
            field.setToolTip(tip)
            form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.persona.currentIndexChanged.connect(self._persona_chosen)
        self.system_prompt.textChanged.connect(self._prompt_edited)

    def _persona_chosen(self, index: int) -> None:
        if index < len(self._personas):
            self.system_prompt.blockSignals(True)
            self.system_prompt.setPlainText(self._personas[index].prompt)
            self.system_prompt.blockSignals(False)

    def _prompt_edited(self) -> None:
        self.persona.blockSignals(True)
        self.persona.setCurrentIndex(len(self._personas))
        self.persona.blockSignals(False)

    def chosen_prompt(self) -> str:
        return self.system_prompt.toPlainText().strip()

    def chosen_sampling(self) -> dict[str, object]:
        """What the conversation stores: only the sampling settings, as plain values."""
        return {
            "temperature": round(self.temperature.value(), 3), "top_p": round(self.top_p.value(), 3),
            "top_k": self.top_k.value(), "min_p": round(self.min_p.value(), 3),
            "repeat_penalty": round(self.repeat_penalty.value(), 3),
            "max_tokens": self.max_tokens.value(),
            "seed": None if self.seed.value() < 0 else self.seed.value(),
        }
