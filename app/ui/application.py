"""Start the GUI on the starter model (the model manager will offer others)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import MiniGiantsError
from app.hub.starter import starter_model_path
from app.ui.main_window import MainWindow


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Mini-Giants")
    try:
        model_path = starter_model_path()
    except MiniGiantsError as error:
        QMessageBox.critical(None, "Mini-Giants", error.for_person())
        return 1
    window = MainWindow(str(model_path))
    window.show()
    code = app.exec()
    window.shut_down()
    return code


if __name__ == "__main__":
    sys.exit(run_app(sys.argv))
