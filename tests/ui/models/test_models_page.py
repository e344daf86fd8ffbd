"""The model manager page, offscreen with real widgets, the real library in a private data folder,
and real downloads through huggingface-hub from the loopback stand-in for the hub (tests/hub)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.hub.catalog import load_catalog
from app.hub.fit import Verdict
from app.hub.hub_client import Hub
from app.hub.library import COPY, REFERENCE, STARTER_ID, Library
from app.ui.common.background import TaskThread
from app.ui.models.catalog import FIT_COLUMN, LICENCE_COLUMN, STATUS_COLUMN
from app.ui.models.downloads import DownloadRequest, DownloadRow, DownloadState
from app.ui.models.page import ModelsPage
from tests.hub.gguf_files import write_gguf, write_lora
from tests.hub.hub_server import FILE, REPO, FakeHub

LEFT = Qt.MouseButton.LeftButton
WAIT = 60_000  # ms; generous, for two shared cores: no test asserts a duration


@pytest.fixture
def hub_settings() -> dict[str, bool]:
    """What the person set in Settings, read by the page's hub factory on every operation."""
    return {"offline": False}


@pytest.fixture
def page(qtbot: QtBot, fake_hub: FakeHub, hub_settings: dict[str, bool],
         vault_jobs: TaskThread) -> Iterator[ModelsPage]:
    shown = ModelsPage(Library(), lambda: Hub(endpoint=fake_hub.endpoint,
                                              offline=hub_settings["offline"]), 4096,
                       vault_jobs, lambda: hub_settings["offline"])
    qtbot.addWidget(shown)
    shown.resize(1100, 700)
    shown.show()
    qtbot.waitUntil(lambda: shown.catalog_tab.table.rowCount() > 0
                    and shown.library_tab.tree.topLevelItemCount() > 0
                    and shown.catalog_tab.table.item(0, FIT_COLUMN).text() != "…", timeout=WAIT)
    yield shown
    shown.shut_down()


def library_ids(page: ModelsPage) -> list[str]:
    tree = page.library_tab.tree
    ids = []
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        ids.append(item.data(0, Qt.ItemDataRole.UserRole))
        ids.extend(item.child(n).data(0, Qt.ItemDataRole.UserRole)
                   for n in range(item.childCount()))
    return ids


def choose_in_library(page: ModelsPage, model_id: str) -> None:
    tree = page.library_tab.tree
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        for candidate in [item, *(item.child(n) for n in range(item.childCount()))]:
            if candidate.data(0, Qt.ItemDataRole.UserRole) == model_id:
                tree.setCurrentItem(candidate)
                return
    raise AssertionError(f"{model_id} is not listed")


def partial_files() -> list[Path]:
    return sorted(Library().partial_dir.rglob("*.part"))


def status(page: ModelsPage) -> str:
    return page.status.text()


def test_the_catalog_shows_every_entry_with_its_licence_colour_and_fit(page: ModelsPage) -> None:
    catalog = load_catalog()
    table = page.catalog_tab.table
    assert table.rowCount() == len(catalog)
    verdicts = {f"{sign} {verdict.value}" for sign, verdict in
                (("✓", Verdict.FITS), ("!", Verdict.TIGHT), ("✗", Verdict.WONT_FIT))}
    dots = {}
    for row, entry in enumerate(catalog):
        assert table.item(row, 0).text() == entry.name
        badge = table.item(row, LICENCE_COLUMN)
        dots[entry.id] = badge.icon().pixmap(12, 12).toImage().pixelColor(6, 6)
        assert dots[entry.id] == QColor(entry.openness.colour)
        assert entry.licence in badge.text() and entry.openness.value in badge.text()
        assert table.item(row, FIT_COLUMN).text() in verdicts
        assert table.item(row, STATUS_COLUMN).text() == ""
    assert dots["qwen2.5-7b-instruct"] == QColor("green")
    assert dots["llama-3.1-8b-instruct"] == QColor("red")
    assert dots["orca-2-7b"] == QColor("yellow")
    # The chosen row's details: lineage, licence, and the fit in numbers at the page's context.
    llama = next(row for row, entry in enumerate(catalog) if entry.id == "llama-3.1-8b-instruct")
    table.setCurrentCell(llama, 0)
    details = page.catalog_tab.details.text()
    assert f"Based on {catalog[llama].base_model}" in details and catalog[llama].licence in details
    assert "4,096 tokens" in details and page.catalog_tab.download_button.isEnabled()


def test_a_catalog_download_ends_in_the_library(page: ModelsPage, qtbot: QtBot,
                                                fake_hub: FakeHub, starter_path: Path) -> None:
    entry = next(e for e in load_catalog() if e.id == "smollm2-360m-instruct")
    fake_hub.host(entry.repo, entry.default.filename, starter_path)  # any real GGUF will do
    tab = page.catalog_tab
    tab.table.setCurrentCell(tab.entries.index(entry), 0)
    assert tab.quantization.currentText().startswith(entry.default.quantization)
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(tab.download_button, LEFT)
        assert tab.table.item(tab.entries.index(entry), STATUS_COLUMN).text() == "Downloading"
        assert not tab.download_button.isEnabled(), "one download of a file at a time"
    qtbot.waitUntil(lambda: tab.table.item(tab.entries.index(entry), STATUS_COLUMN).text()
                    == "In library", timeout=WAIT)
    assert not tab.download_button.isEnabled()
    [model] = [m for m in Library().models() if m.repo == entry.repo]
    assert model.filename == entry.default.filename and model.sha256 is not None


def test_fit_verdicts_follow_a_new_context_length(page: ModelsPage, qtbot: QtBot) -> None:
    search = page.search_tab
    search.query.setText("smollm2")
    search.search_button.click()
    qtbot.waitUntil(lambda: search.files.rowCount() == 1, timeout=WAIT)
    catalog = page.catalog_tab
    assert "context 4,096 tokens" in catalog.details.text()

    page.set_context_length(6144)
    assert "context 6,144 tokens" in catalog.details.text()
    assert "context 4,096" not in catalog.details.text() and "6,144 tokens" in catalog.intro.text()
    assert all("context 6,144 tokens" in catalog.table.item(row, FIT_COLUMN).toolTip()
               for row in range(catalog.table.rowCount()))
    assert "context 6,144 tokens" in search.files.item(0, 3).toolTip()


def test_search_then_download_shows_progress_and_adds_a_verified_model(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub) -> None:
    hosted = fake_hub.files[(REPO, FILE)]
    fake_hub.behaviour.bytes_per_second = hosted.size // 3  # long enough to watch the bar move
    search = page.search_tab
    page.show_section("search")  # keys reach only what is on screen
    qtbot.keyClicks(search.query, "smollm2")
    qtbot.keyClick(search.query, "\r")
    qtbot.waitUntil(lambda: search.results.count() == 1 and search.files.rowCount() == 1,
                    timeout=WAIT)
    assert search.files.item(0, 0).text() == FILE and search.files.item(0, 1).text() == "Q4_1"
    assert search.files.item(0, 3).text().endswith(("fits", "tight", "won't fit"))

    seen: list[int] = []
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(search.download_button, LEFT)
        row = page.downloads_tab.rows[0]
        row.bar.valueChanged.connect(seen.append)
        assert page.tabs.tabText(2) == "D&ownloads (1)"
    assert len(set(seen)) >= 3 and seen == sorted(seen) and seen[-1] == row.bar.maximum()
    assert page.downloads_tab.rows == [] and page.tabs.tabText(2) == "D&ownloads"
    assert "SHA-256 verified" in status(page)

    model = next(m for m in Library().models() if m.repo == REPO)
    assert model.sha256 == hosted.sha256 and model.filename == FILE
    assert not partial_files()
    qtbot.waitUntil(lambda: model.id in library_ids(page), timeout=WAIT)
    assert search.files.item(0, 4).text() == "In library" and not search.download_button.isEnabled()


def start(page: ModelsPage, fake_hub: FakeHub) -> DownloadRow:
    fake_hub.behaviour.bytes_per_second = fake_hub.files[(REPO, FILE)].size // 20
    page.download(DownloadRequest(REPO, FILE, "SmolLM2 135M"))
    return page.downloads_tab.rows[-1]


def test_pause_keeps_the_partial_file_and_resume_finishes_from_it(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub) -> None:
    row = start(page, fake_hub)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(row.pause_button, LEFT)
    qtbot.waitUntil(lambda: row.state is DownloadState.PAUSED, timeout=WAIT)
    assert row.pause_button.text() == "Resume" and row.detail.text().startswith("Paused at")
    [partial] = partial_files()
    kept = partial.stat().st_size
    assert 0 < kept < fake_hub.files[(REPO, FILE)].size

    fake_hub.behaviour.bytes_per_second = None
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(row.pause_button, LEFT)
    assert fake_hub.get_starts[-1] == kept, "the transfer went on from the partial file's end"
    model = next(m for m in Library().models() if m.repo == REPO)
    assert Library().verify(model.id).ok and not partial_files()


def test_cancel_deletes_the_partial_file_running_or_paused(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub) -> None:
    row = start(page, fake_hub)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(row.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not page.downloads_tab.rows, timeout=WAIT)
    assert not partial_files() and "cancelled" in status(page)

    row = start(page, fake_hub)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(row.pause_button, LEFT)
    qtbot.waitUntil(lambda: row.state is DownloadState.PAUSED, timeout=WAIT)
    assert partial_files()
    qtbot.mouseClick(row.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not page.downloads_tab.rows, timeout=WAIT)
    assert not partial_files()
    assert [m.id for m in Library().models()] == [STARTER_ID]


def test_shutting_down_pauses_and_the_next_page_resumes(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub, vault_jobs: TaskThread) -> None:
    row = start(page, fake_hub)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT)
    page.shut_down()
    [partial] = partial_files()
    kept = partial.stat().st_size
    assert kept > 0

    fake_hub.behaviour.bytes_per_second = None
    again = ModelsPage(Library(), lambda: Hub(endpoint=fake_hub.endpoint), 4096, vault_jobs,
                       lambda: False)
    qtbot.addWidget(again)
    try:
        with qtbot.waitSignal(again.library_changed, timeout=WAIT):
            again.download(DownloadRequest(REPO, FILE, "SmolLM2 135M"))
        assert fake_hub.get_starts[-1] == kept
        assert any(m.repo == REPO for m in Library().models())
    finally:
        again.shut_down()


def test_downloads_kept_paused_are_listed_by_the_next_page_to_resume_or_cancel(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub, starter_path: Path,
        vault_jobs: TaskThread) -> None:
    other = ("someone/Other-GGUF", "other-Q4_1.gguf")
    fake_hub.host(*other, starter_path)
    row = start(page, fake_hub)
    page.download(DownloadRequest(*other, "Other"))
    other_row = page.downloads_tab.rows[-1]
    qtbot.waitUntil(lambda: row.bar.value() > 0 and other_row.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(row.pause_button, LEFT)
    qtbot.waitUntil(lambda: row.state is DownloadState.PAUSED, timeout=WAIT)
    page.shut_down()  # pauses the other one, as closing the app does
    kept = {path.name: path.stat().st_size for path in partial_files()}
    assert set(kept) == {FILE + ".part", other[1] + ".part"} and all(kept.values())

    fake_hub.behaviour.bytes_per_second = None
    again = ModelsPage(Library(), lambda: Hub(endpoint=fake_hub.endpoint), 4096, vault_jobs,
                       lambda: False)
    qtbot.addWidget(again)
    try:
        tab = again.downloads_tab
        qtbot.waitUntil(lambda: len(tab.rows) == 2, timeout=WAIT)
        assert again.tabs.tabText(2) == "D&ownloads (2)"
        rows = {row.request.filename: row for row in tab.rows}
        for filename, row in rows.items():
            assert row.state is DownloadState.PAUSED and row.pause_button.text() == "Resume"
            done = round(kept[filename + ".part"] / 1024**2)
            total = round(fake_hub.files[(row.request.repo, filename)].size / 1024**2)
            assert row.detail.text() == f"{done} of {total} MiB · paused"
            assert row.pause_button.accessibleName() == f"Resume the download of {filename}"

        with qtbot.waitSignal(again.library_changed, timeout=WAIT):
            qtbot.mouseClick(rows[FILE].pause_button, LEFT)
        assert kept[FILE + ".part"] in fake_hub.get_starts, "resumed from the partial file"
        model = next(m for m in Library().models() if m.repo == REPO)
        assert model.sha256 == fake_hub.files[(REPO, FILE)].sha256 and model.filename == FILE

        qtbot.mouseClick(rows[other[1]].cancel_button, LEFT)
        qtbot.waitUntil(lambda: not tab.rows, timeout=WAIT)
        assert not partial_files() and "cancelled" in status(again)
        assert not any(m.repo == other[0] for m in Library().models())
    finally:
        again.shut_down()


def test_a_damaged_download_is_reported_and_nothing_enters_the_library(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub) -> None:
    fake_hub.behaviour.corrupt_at = 4096
    row = page.downloads_tab.start(DownloadRequest(REPO, FILE, "SmolLM2 135M"))
    qtbot.waitUntil(lambda: row.state is DownloadState.FAILED, timeout=WAIT)
    assert "arrived damaged" in row.problem.text() and "Download it again" in row.problem.text()
    assert [m.id for m in Library().models()] == [STARTER_ID] and not partial_files()

    fake_hub.behaviour.corrupt_at = None
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(row.pause_button, LEFT)  # Retry
    assert page.downloads_tab.rows == []


def test_hub_refusals_read_as_messages_and_the_page_keeps_working(
        page: ModelsPage, qtbot: QtBot, fake_hub: FakeHub, hub_settings: dict[str, bool]) -> None:
    search = page.search_tab
    fake_hub.behaviour.status[REPO] = (401, "GatedRepo")
    search.query.setText("smollm2")
    search.search_button.click()
    qtbot.waitUntil(lambda: "refused access" in status(page), timeout=WAIT)
    assert "access token" in status(page) and "Traceback" not in status(page)
    assert search.files.rowCount() == 0 and not search.download_button.isEnabled()

    del fake_hub.behaviour.status[REPO]
    row = page.downloads_tab.start(DownloadRequest(REPO, "nope.gguf", "A missing file"))
    qtbot.waitUntil(lambda: row.state is DownloadState.FAILED, timeout=WAIT)
    assert "does not exist on Hugging Face" in row.problem.text() and not row.problem.isHidden()
    assert "does not exist" in status(page) and row.pause_button.text() == "Retry"
    qtbot.mouseClick(row.cancel_button, LEFT)
    qtbot.waitUntil(lambda: not page.downloads_tab.rows, timeout=WAIT)

    hub_settings["offline"] = True
    search.search_button.click()
    qtbot.waitUntil(lambda: "offline mode" in status(page), timeout=WAIT)

    hub_settings["offline"] = False
    search.list_files()
    qtbot.waitUntil(lambda: search.files.rowCount() == 1, timeout=WAIT)
    assert search.download_button.isEnabled()


def test_importing_a_damaged_file_says_why_and_adds_nothing(
        page: ModelsPage, qtbot: QtBot, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a model " * 100)
    qtbot.mouseClick(page.library_tab.import_button, LEFT)
    dialog = page.library_tab.file_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(broken))
    dialog.accept()
    question = page.library_tab.import_question
    assert question is not None and question.isVisible()
    copy = next(b for b in question.buttons() if b.text() == "&Copy into the library")
    qtbot.mouseClick(copy, LEFT)
    qtbot.waitUntil(lambda: "broken.gguf is not a usable GGUF model" in status(page),
                    timeout=WAIT)
    assert "Traceback" not in status(page)
    assert [m.id for m in Library().models()] == [STARTER_ID]
    assert not (Library().root / "imported").exists() or not any(
        (Library().root / "imported").iterdir())


def test_imports_in_place_list_their_metadata_and_adapters_under_their_base(
        page: ModelsPage, qtbot: QtBot, tmp_path: Path) -> None:
    tiny = write_gguf(tmp_path / "tiny-Q4_1.gguf")
    adapter = write_lora(tmp_path / "journal-lora.gguf")
    for path in (tiny, adapter):
        with qtbot.waitSignal(page.library_changed, timeout=WAIT):
            page.library_tab.import_file(path, copy=False)
    qtbot.waitUntil(lambda: len(library_ids(page)) == 4, timeout=WAIT)
    models = {m.id: m for m in Library().models()}
    assert {models["tiny-q4_1"].source, models["journal-lora"].source} == {REFERENCE}
    tree = page.library_tab.tree
    starter = tree.topLevelItem(0)
    assert starter.data(0, Qt.ItemDataRole.UserRole) == STARTER_ID
    assert [starter.text(n) for n in range(1, 6)] == ["llama", "135M", "Q4_1", "8,192", "yes"]
    assert starter.text(7) == "Comes with Mini-Giants"
    # The adapter is llama's: listed under each llama model, not as a model of its own.
    adapters = [starter.child(n).data(0, Qt.ItemDataRole.UserRole)
                for n in range(starter.childCount())]
    assert adapters == ["journal-lora"]
    assert "journal-lora" not in [tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole)
                                  for n in range(tree.topLevelItemCount())]
    choose_in_library(page, "journal-lora")
    assert not page.library_tab.use_button.isEnabled(), "an adapter is not loaded on its own"


def test_use_verify_and_remove(page: ModelsPage, qtbot: QtBot, tmp_path: Path) -> None:
    tab = page.library_tab
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        tab.import_file(write_gguf(tmp_path / "tiny-Q4_1.gguf"), copy=True)
    qtbot.waitUntil(lambda: "tiny-q4_1" in library_ids(page), timeout=WAIT)
    copied = Library().model("tiny-q4_1")
    assert copied.source == COPY and copied.path.parent == Library().root / "imported"

    choose_in_library(page, STARTER_ID)
    assert not tab.remove_button.isEnabled() and "comes with Mini-Giants" in \
        tab.remove_button.toolTip()

    choose_in_library(page, "tiny-q4_1")
    with qtbot.waitSignal(page.use_model, timeout=WAIT) as used:
        qtbot.mouseClick(tab.use_button, LEFT)
    assert used.args == ["tiny-q4_1"]

    qtbot.mouseClick(tab.verify_button, LEFT)
    qtbot.waitUntil(lambda: "is intact" in status(page), timeout=WAIT)
    data = bytearray(copied.path.read_bytes())
    data[-1] ^= 0xFF
    copied.path.write_bytes(bytes(data))
    qtbot.mouseClick(tab.verify_button, LEFT)
    qtbot.waitUntil(lambda: "has changed since it entered the library" in status(page),
                    timeout=WAIT)

    qtbot.mouseClick(tab.remove_button, LEFT)
    question = tab.remove_question
    assert question is not None and question.isVisible()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Cancel), LEFT)
    assert "tiny-q4_1" in [m.id for m in Library().models()], "Cancel keeps the model"

    qtbot.mouseClick(tab.remove_button, LEFT)
    question = tab.remove_question
    remove = next(b for b in question.buttons() if b.text() == "&Remove")
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(remove, LEFT)
    assert [m.id for m in Library().models()] == [STARTER_ID] and not copied.path.exists()
    qtbot.waitUntil(lambda: library_ids(page) == [STARTER_ID], timeout=WAIT)


def test_discover_offers_other_apps_models_to_use_in_place(
        page: ModelsPage, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "user"
    for variable in ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME",
                     "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(home))
    found = write_gguf(home / ".lmstudio" / "models" / "someone" / "Tiny-GGUF" / "tiny-Q4_1.gguf")
    qtbot.mouseClick(page.library_tab.discover_button, LEFT)
    qtbot.waitUntil(lambda: page.library_tab.discovered_dialog is not None, timeout=WAIT)
    dialog = page.library_tab.discovered_dialog
    assert dialog is not None and dialog.choices.count() == 1
    assert "someone/Tiny-GGUF/tiny-Q4_1.gguf" in dialog.choices.item(0).text()
    with qtbot.waitSignal(page.library_changed, timeout=WAIT):
        qtbot.mouseClick(dialog.add_button, LEFT)
    added = Library().model("tiny-q4_1")
    assert added.source == REFERENCE and added.path == found.resolve()

    page.library_tab.discover()
    qtbot.waitUntil(lambda: "No models from other apps" in status(page), timeout=WAIT)


def part_of_a_combo_box(widget: QWidget) -> bool:
    """Its drop-down list, which Qt builds and names itself."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def test_every_control_is_named_and_reachable_by_keyboard(page: ModelsPage, qtbot: QtBot) -> None:
    # What a person can reach with Tab, and the progress bars, which a screen reader announces.
    controls = [widget for kind in (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView,
                                    QProgressBar)
                for widget in page.findChildren(kind)
                if (isinstance(widget, QProgressBar)
                    or widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
                and not part_of_a_combo_box(widget)]
    unnamed = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}" for w in controls
               if not w.accessibleName()]
    assert not unnamed

    tab = page.catalog_tab
    page.activateWindow()
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus, timeout=WAIT)
    qtbot.keyClick(tab.table, "\t")
    assert tab.quantization.hasFocus()
    qtbot.keyClick(tab.quantization, "\t")
    assert tab.download_button.hasFocus()
