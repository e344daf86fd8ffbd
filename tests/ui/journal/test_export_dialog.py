"""Exporting the journal offscreen, over a real vault on its own TaskThread: the unencrypted-file
warning, the file dialog, the Markdown and PDF files written owner-only, and what a person is told
when the file cannot be written."""

from __future__ import annotations

import re
import stat
import unicodedata
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.export import PLAINTEXT_WARNING, Export, collect_journal
from app.ui.common.background import TaskThread
from app.ui.journal.export_dialog import (
    FILTERS,
    ExportFlow,
    ExportNotWritten,
    export_to_file,
    write_export,
)
from app.vault.store import Vault
from tests.ui.conftest import SLOW, run_on

ENTRY = "Walked by the river after work and felt lighter than in weeks."
BALANCED = "One awkward meeting does not make me a failure at my job."


@pytest.fixture
def vault(vault_jobs: TaskThread, qtbot: QtBot, vault: Vault) -> Vault:
    """The shared empty vault with an entry, a check-in and a complete thought record."""
    def fill() -> None:
        vault.journal.add(ENTRY, title="A better evening", day="2026-03-14")
        vault.checkins.add(6, emotions=[("calm", 60)], note="Slept well", day="2026-03-14")
        vault.thought_records.add(
            situation="The team meeting", thoughts=[("I always get it wrong", 80)],
            emotions=[("ashamed", 70)], distortions=["overgeneralising"],
            evidence_for="I mixed up two numbers", evidence_against="The rest went fine",
            balanced_thought=BALANCED, rerated_beliefs=[(0, 30)],
            rerated_emotions=[("ashamed", 30)], status="complete", step="rerate")

    run_on(vault_jobs, qtbot, fill)
    return vault


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    return window


def start(parent: QWidget, jobs: TaskThread, vault: Vault,
          done: list[Path]) -> tuple[ExportFlow, list[int]]:
    """An export of the whole journal; the list counts how often it was collected."""
    collected: list[int] = []

    def collect() -> Export:
        collected.append(1)
        return collect_journal(vault)

    return export_to_file(parent, jobs, collect, "journal", on_done=done.append), collected


def answer_warning(flow: ExportFlow, button: str) -> None:
    warning = flow.warning
    assert warning is not None and warning.isVisible()
    assert warning.informativeText() == PLAINTEXT_WARNING
    next(b for b in warning.buttons() if b.text().replace("&", "") == button).click()


def choose_file(flow: ExportFlow, path: Path, name_filter: str = FILTERS["md"]) -> None:
    dialog = flow.file_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectNameFilter(name_filter)
    dialog.selectFile(str(path))
    dialog.accept()


def result(flow: ExportFlow, qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(lambda: flow.result_box is not None and flow.result_box.isVisible(),
                    timeout=SLOW)
    assert flow.result_box is not None
    return flow.result_box


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def pdf_text(data: bytes) -> str:
    """The text a PDF written by QPdfWriter shows, without its white space: the glyph ids each
    content stream draws, mapped back to characters through their font's ToUnicode table."""
    objects = dict(re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S))

    def stream(body: bytes) -> bytes:
        header, _, rest = body.partition(b"stream")
        raw = rest.lstrip(b"\r\n").rpartition(b"endstream")[0]
        return zlib.decompressobj().decompress(raw) if b"/FlateDecode" in header else raw

    def characters(font: bytes) -> dict[int, str]:
        cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[font])
        assert cmap_ref is not None
        cmap = stream(objects[cmap_ref.group(1)])
        table: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for glyph, text in re.findall(rb"<(\w+)> *<(\w+)>", block):
                table[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, first, listed in re.findall(
                    rb"<(\w+)> *<(\w+)> *(?:<(\w+)>|\[([^\]]*)\])", block):
                count = int(high, 16) - int(low, 16) + 1
                texts = ([bytes.fromhex(text.decode()).decode("utf-16-be")
                          for text in re.findall(rb"<(\w+)>", listed)] if listed
                         else [chr(int(first, 16) + offset) for offset in range(count)])
                for offset, text in enumerate(texts):
                    table[int(low, 16) + offset] = text
        return table

    fonts = {name: characters(number)
             for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data)}
    shown: list[str] = []
    for body in objects.values():
        if b"stream" not in body:
            continue
        table: dict[int, str] = {}
        for font, glyphs in re.findall(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> Tj", stream(body)):
            if font:
                table = fonts[font]
            else:
                shown += [table.get(int(glyphs[i:i + 4], 16), "?")
                          for i in range(0, len(glyphs), 4)]
    # NFKC: the font's ligatures ("ﬁ") read as the letters they join
    return "".join(unicodedata.normalize("NFKC", "".join(shown)).split())


def squeezed(text: str) -> str:
    return "".join(text.split())


# -- the flow ---------------------------------------------------------------------------------

def test_markdown_is_written_owner_only_with_the_warning_and_the_journal(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
        tmp_path: Path) -> None:
    done: list[Path] = []
    flow, _ = start(parent, vault_jobs, vault, done)
    answer_warning(flow, "Export anyway")
    target = tmp_path / "journal.md"
    choose_file(flow, target)
    box = result(flow, qtbot)
    assert str(target) in box.text()
    assert done == [target]
    assert owner_only(target)
    text = target.read_text(encoding="utf-8")
    assert PLAINTEXT_WARNING in text and ENTRY in text and BALANCED in text
    assert "mood 6/10" in text
    assert list(tmp_path.iterdir()) == [target], "no partial file left behind"


def test_a_pdf_is_written_owner_only_and_holds_the_text(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
        tmp_path: Path) -> None:
    done: list[Path] = []
    flow, _ = start(parent, vault_jobs, vault, done)
    answer_warning(flow, "Export anyway")
    choose_file(flow, tmp_path / "journal", FILTERS["pdf"])  # the filter chooses the suffix
    result(flow, qtbot)
    target = tmp_path / "journal.pdf"
    assert done == [target]
    assert owner_only(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (PLAINTEXT_WARNING, ENTRY, BALANCED, "Mood history"):
        assert squeezed(expected) in text


def test_the_suggested_name_follows_the_chosen_format(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
        tmp_path: Path) -> None:
    flow, _ = start(parent, vault_jobs, vault, [])
    answer_warning(flow, "Export anyway")
    dialog = flow.file_dialog
    assert dialog is not None
    dialog.setDirectory(str(tmp_path))
    assert Path(dialog.selectedFiles()[0]).name == "journal.md"
    types = dialog.findChild(QComboBox, "fileTypeCombo")  # Qt's own dialog, as offscreen
    assert types is not None
    types.setFocus()
    qtbot.keyClick(types, Qt.Key.Key_Down)
    assert dialog.selectedNameFilter() == FILTERS["pdf"]
    assert Path(dialog.selectedFiles()[0]).name == "journal.pdf"
    dialog.reject()


def test_an_existing_file_is_not_overwritten_and_the_person_is_told(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
        tmp_path: Path) -> None:
    target = tmp_path / "journal.md"
    target.write_bytes(b"an older export")
    done: list[Path] = []
    flow, _ = start(parent, vault_jobs, vault, done)
    answer_warning(flow, "Export anyway")
    choose_file(flow, target)
    box = result(flow, qtbot)
    assert box.icon() == QMessageBox.Icon.Warning
    assert "already exists" in box.text() and "new file name" in box.informativeText()
    assert target.read_bytes() == b"an older export"
    assert done == []


def test_cancelling_the_warning_writes_nothing(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, tmp_path: Path) -> None:
    flow, collected = start(parent, vault_jobs, vault, [])
    answer_warning(flow, "Cancel")
    assert flow.warning is None and flow.file_dialog is None
    assert collected == [] and list(tmp_path.iterdir()) == []


def test_a_locked_vault_is_reported_and_nothing_written(
        parent: QWidget, vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
        tmp_path: Path) -> None:
    run_on(vault_jobs, qtbot, vault.lock)
    flow, _ = start(parent, vault_jobs, vault, [])
    answer_warning(flow, "Export anyway")
    choose_file(flow, tmp_path / "journal.md")
    assert "locked" in result(flow, qtbot).text()
    assert list(tmp_path.iterdir()) == []


# -- writing ----------------------------------------------------------------------------------

def test_a_folder_that_cannot_be_written_is_explained(vault_jobs: TaskThread, vault: Vault,
                                                     qtbot: QtBot, tmp_path: Path) -> None:
    export = run_on(vault_jobs, qtbot, lambda: collect_journal(vault))
    assert isinstance(export, Export)
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    with pytest.raises(ExportNotWritten) as raised:
        write_export(blocked / "journal.md", "md", export)
    assert raised.value.message == "journal.md could not be written (Not a directory); " \
                                   "nothing was exported."
    assert list(tmp_path.iterdir()) == [blocked]


def test_the_pdf_grows_with_what_is_in_it(vault_jobs: TaskThread, vault: Vault, qtbot: QtBot,
                                          tmp_path: Path) -> None:
    empty = Export([], [], [], [])
    full = run_on(vault_jobs, qtbot, lambda: collect_journal(vault))
    assert isinstance(full, Export)
    write_export(tmp_path / "empty.pdf", "pdf", empty)
    write_export(tmp_path / "full.pdf", "pdf", full)
    assert squeezed(ENTRY) not in pdf_text((tmp_path / "empty.pdf").read_bytes())
    assert squeezed(ENTRY) in pdf_text((tmp_path / "full.pdf").read_bytes())
