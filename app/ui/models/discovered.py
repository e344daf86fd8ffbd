"""The dialog that offers the GGUF models other apps downloaded, to add them to the library where
they are (no second copy): each is a checkbox, all ticked at first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.hub.discover import FoundModel
from app.ui.common.sizes import size_text


class DiscoveredDialog(QDialog):
    def __init__(self, found: list[FoundModel], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models from other apps")
        self._found = found
        intro = QLabel(f"Mini-Giants found {len(found)} model(s) that other apps downloaded. The "
                       "ticked ones are added to the library and used where they are: nothing is "
                       "copied, and removing them later leaves their files alone.")
        intro.setWordWrap(True)
        self.choices = QListWidget()
        self.choices.setAccessibleName("Models found in other apps")
        for model in found:
            item = QListWidgetItem(f"{model.name} · {model.app} · {size_text(model.size)}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(str(model.path))
            self.choices.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add to the library",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setAccessibleName("Add the ticked models to the library, used in place")
        self.add_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.choices, 1)
        layout.addWidget(buttons)

    def chosen(self) -> list[FoundModel]:
        return [model for index, model in enumerate(self._found)
                if self.choices.item(index).checkState() == Qt.CheckState.Checked]
