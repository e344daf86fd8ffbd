"""Renders the app icon (resources/icons/app.svg) into the formats the bundles need: Mini-Giants.icns
for the macOS .app and Mini-Giants.ico for Windows, with Qt's own image writers (no other tool).
`make bundle` runs it before PyInstaller:

    .venv/bin/python packaging/make_icons.py build/icons"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "app.svg"
# ICO holds up to 256 px; ICNS's largest is 1024 px (512 px at 2x).
SIZES = {"ico": 256, "icns": 1024}


def rendered(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SOURCE)).render(painter)
    painter.end()
    return image


def write(image: QImage, path: Path, fmt: str) -> None:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, fmt.encode())
    if not writer.write(image):
        raise SystemExit(f"could not write {path.name}: {writer.errorString()}")
    path.write_bytes(bytes(buffer.data().data()))


def main(folder: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication([])  # image plugins are loaded by an application object
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, size in SIZES.items():
        path = folder / f"Mini-Giants.{fmt}"
        write(rendered(size), path, fmt)
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    del app


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons")
