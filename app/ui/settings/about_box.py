"""The Settings page's About box: the version, what Mini-Giants is and is not, and what its safety
net can do."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from app import __version__
from app.journal.self_help import NOT_A_THERAPIST, SAFETY_NET_LIMITS
from app.ui.common.widgets import wrapping_label


def about_section() -> tuple[QGroupBox, QLabel, QLabel, QLabel]:
    """The version, what the app is and is not (not a therapist), and what its safety net can
    do: the box, then those three labels."""
    version = QLabel(f"Mini-Giants {__version__}")
    version.setAccessibleName("Version")
    font = version.font()
    font.setBold(True)
    version.setFont(font)
    not_a_therapist = wrapping_label(NOT_A_THERAPIST)
    not_a_therapist.setAccessibleName("Not a therapist")
    safety_net = wrapping_label(SAFETY_NET_LIMITS)
    safety_net.setAccessibleName("What the safety net can do")

    box = QGroupBox("About")
    layout = QVBoxLayout(box)
    layout.addWidget(version)
    layout.addWidget(wrapping_label(
        "A private chat and journal that run entirely on this computer. Nothing leaves it "
        "except the model downloads and searches you start, and the messages you send to a "
        "server of yours, if you add one in Models."))
    layout.addWidget(not_a_therapist)
    layout.addWidget(safety_net)
    layout.addWidget(wrapping_label("Free software under the Apache License 2.0."))
    return box, version, not_a_therapist, safety_net
