"""The Settings page offscreen, over a real vault living on its own TaskThread: preferences it
emits, the theme it applies, the access token and passphrase it changes in the vault, and the
passphrase fields' live strength meter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app import __version__
from app.engine.backends import EngineBackends
from app.engine.hardware import Device, HardwareReport
from app.hub.access_token import stored_token
from app.journal.self_help import NOT_A_THERAPIST
from app.ui.common.api_host import ApiHost
from app.ui.common.background import TaskThread
from app.ui.common.engine_host import EngineHost
from app.ui.common.passphrase_fields import PassphraseFields
from app.ui.common.preferences import (
    Preferences,
    load_preferences,
    save_preferences,
    ui_settings,
)
from app.ui.common.theme import is_dark
from app.ui.settings.page import SettingsPage
from app.vault.errors import WrongPassphrase
from app.vault.store import Vault
from tests.ui.conftest import PASSPHRASE, SLOW, run_on

NEW_PASSPHRASE = "quiet harbor violet engine"
TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz12"
GIB = 1024**3


@pytest.fixture
def page(qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, private_home: Path,
         engine_host: EngineHost, api_host: ApiHost) -> SettingsPage:
    shown = SettingsPage(Preferences(model="my-model"), data_folder=private_home,
                         vault_jobs=vault_jobs, vault=vault, engine=engine_host,
                         api=api_host)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.token_box.status_label.text() == "No token saved.",
                    timeout=SLOW)
    return shown


def emitted(page: SettingsPage, qtbot: QtBot, action: Callable[[], object]) -> Preferences:
    with qtbot.waitSignal(page.preferences_changed, timeout=1000) as signal:
        action()
    preferences = signal.args[0]
    assert isinstance(preferences, Preferences)
    assert page.preferences == preferences
    return preferences


def type_into(qtbot: QtBot, edit: QLineEdit, text: str, *, enter: bool = False) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


HASWELL = EngineBackends("runtime", "haswell", "the fastest of the 6 variants this processor runs",
                         (), (), ())


def report(*, offload: bool, devices: tuple[Device, ...],
           backends: EngineBackends = HASWELL) -> HardwareReport:
    return HardwareReport(cpu_name="Test CPU", cpu_features=("AVX2",), physical_cores=8,
                          logical_cores=16, ram_total=32 * GIB, ram_available=20 * GIB,
                          gpu_offload=offload, devices=devices, llama_cpp_python="0.3.36",
                          backends=backends)


# -- preferences ------------------------------------------------------------------------------

def test_engine_controls_emit_the_changed_preferences(page: SettingsPage, qtbot: QtBot) -> None:
    assert emitted(page, qtbot, lambda: page.threads_spin.setValue(6)).threads == 6
    all_layers = emitted(page, qtbot, lambda: page.gpu_mode_combo.setCurrentIndex(1))
    assert all_layers.gpu_layers == -1
    assert not page.gpu_layers_spin.isEnabled()
    assert emitted(page, qtbot, lambda: page.gpu_mode_combo.setCurrentIndex(2)).gpu_layers == 16
    assert page.gpu_layers_spin.isEnabled()
    assert emitted(page, qtbot, lambda: page.gpu_layers_spin.setValue(24)).gpu_layers == 24
    assert emitted(page, qtbot, lambda: page.gpu_mode_combo.setCurrentIndex(0)).gpu_layers == 0

    typed = page.context_combo.lineEdit()
    assert typed is not None
    longer = emitted(page, qtbot, lambda: type_into(qtbot, typed, "16384", enter=True))
    assert longer.context_length == 16384
    # Everything else is carried over unchanged, the model choice included.
    assert longer == Preferences(threads=6, context_length=16384, model="my-model")


def test_the_page_shows_the_preferences_it_was_given(
        qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, private_home: Path,
        engine_host: EngineHost, api_host: ApiHost) -> None:
    given = Preferences(threads=4, gpu_layers=5, context_length=6000, flash_attention=True,
                        kv_cache_type="q4_0", theme="dark", auto_lock_minutes=3, offline=True)
    shown = SettingsPage(given, data_folder=private_home, vault_jobs=vault_jobs, vault=vault,
                         engine=engine_host,
                         api=api_host)
    qtbot.addWidget(shown)
    assert shown.threads_spin.value() == 4
    assert shown.gpu_mode_combo.currentData() == "some" and shown.gpu_layers_spin.value() == 5
    assert shown.context_combo.currentText() == "6000"
    assert shown.flash_check.isChecked() and shown.kv_combo.currentData() == "q4_0"
    assert shown.theme_combo.currentData() == "dark"
    assert shown.auto_lock_spin.value() == 3 and shown.offline_check.isChecked()
    assert shown.preferences == given


def test_a_context_length_out_of_range_is_refused_readably(page: SettingsPage,
                                                           qtbot: QtBot) -> None:
    typed = page.context_combo.lineEdit()
    assert typed is not None
    with qtbot.assertNotEmitted(page.preferences_changed):
        type_into(qtbot, typed, "100", enter=True)
    assert "from 512 to 1,048,576 tokens" in page.context_note.text()
    assert page.context_combo.currentText() == "4096"
    assert page.preferences.context_length == 4096


def test_a_quantized_kv_cache_brings_flash_attention_with_it(page: SettingsPage,
                                                             qtbot: QtBot) -> None:
    q8 = emitted(page, qtbot, lambda: page.kv_combo.setCurrentIndex(page.kv_combo.findData("q8_0")))
    assert (q8.kv_cache_type, q8.flash_attention) == ("q8_0", True)
    assert page.flash_check.isChecked()
    assert "Flash attention was turned on" in page.kv_note.text()
    off = emitted(page, qtbot, page.flash_check.click)
    assert (off.kv_cache_type, off.flash_attention) == ("f16", False)
    assert page.kv_combo.currentData() == "f16"
    on = emitted(page, qtbot, page.flash_check.click)
    assert (on.kv_cache_type, on.flash_attention) == ("f16", True)


def test_privacy_controls_emit_the_changed_preferences(page: SettingsPage, qtbot: QtBot) -> None:
    assert emitted(page, qtbot, lambda: page.auto_lock_spin.setValue(0)).auto_lock_minutes == 0
    assert page.auto_lock_spin.text() == "Never"
    assert emitted(page, qtbot, page.offline_check.click).offline is True
    with qtbot.waitSignal(page.lock_requested, timeout=1000):
        page.lock_button.click()


@pytest.mark.usefixtures("restore_look")
def test_the_theme_choice_applies_at_once(page: SettingsPage, qtbot: QtBot,
                                          qapp: QApplication) -> None:
    dark = emitted(page, qtbot, lambda: page.theme_combo.setCurrentIndex(
        page.theme_combo.findData("dark")))
    assert dark.theme == "dark"
    assert is_dark(qapp)
    qtbot.waitUntil(lambda: page.palette().color(QPalette.ColorRole.Window).lightness() < 60)
    light = emitted(page, qtbot, lambda: page.theme_combo.setCurrentIndex(
        page.theme_combo.findData("light")))
    assert light.theme == "light"
    assert not is_dark(qapp)


def test_choosing_a_crisis_region_emits_it(page: SettingsPage, qtbot: QtBot) -> None:
    combo = page.crisis_region_combo
    assert combo.currentIndex() == 0 and combo.currentData() == ""
    assert combo.itemText(0).startswith("Follow this computer's region (")
    assert combo.itemData(combo.count() - 1) == "international"
    chosen = emitted(page, qtbot, lambda: combo.setCurrentIndex(combo.findData("GB")))
    assert chosen.crisis_region == "GB"
    assert combo.currentText() == "United Kingdom"
    back = emitted(page, qtbot, lambda: combo.setCurrentIndex(0))
    assert back == Preferences(model="my-model")


def test_the_follow_choice_names_the_computers_region(
        monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault,
        private_home: Path, engine_host: EngineHost, api_host: ApiHost) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    for locale_name, shown in (("de_AT.UTF-8", "(Österreich)"), ("C", "(international list)")):
        monkeypatch.setenv("LANG", locale_name)
        opened = SettingsPage(Preferences(crisis_region="US"), data_folder=private_home,
                              vault_jobs=vault_jobs, vault=vault, engine=engine_host,
                         api=api_host)
        qtbot.addWidget(opened)
        assert opened.crisis_region_combo.itemText(0).endswith(shown)
        assert opened.crisis_region_combo.currentData() == "US"


def test_a_stored_crisis_region_is_kept_and_an_unknown_one_is_dropped() -> None:
    save_preferences(Preferences(crisis_region="NZ"))
    assert load_preferences().crisis_region == "NZ"
    stored = ui_settings()
    stored.setValue("preferences/crisis_region", "Atlantis")
    stored.sync()
    assert load_preferences().crisis_region == ""


def test_about_says_which_version_and_that_it_is_not_a_therapist(page: SettingsPage) -> None:
    assert page.version_label.text() == f"Mini-Giants {__version__}"
    labels = page.findChildren(QLabel)
    named = [label for label in labels if label.accessibleName() == "Not a therapist"]
    assert [label.text() for label in named] == [NOT_A_THERAPIST]
    texts = " ".join(label.text() for label in labels)
    assert "Nothing leaves it except the model downloads and searches you start" in texts
    assert "Apache License 2.0" in texts
    (safety,) = [label for label in labels if label.accessibleName() == "What the safety net can do"]
    assert "German, French and Spanish it misses more" in safety.text(), "weaker languages named"


# -- hardware ---------------------------------------------------------------------------------

CPU = Device("CPU", "Test CPU", "cpu", 0, 0, "CPU")


def test_a_build_without_gpu_offload_disables_gpu_layers_and_says_why(page: SettingsPage) -> None:
    page.set_hardware(report(offload=False, devices=(CPU,)))
    assert "8 physical cores (16 logical)" in page.threads_note.text()
    assert not page.gpu_mode_combo.isEnabled()
    assert not page.gpu_layers_spin.isEnabled()
    assert "processor only" in page.gpu_note.text()
    assert page.gpu_mode_combo.toolTip() == page.gpu_note.text()


def test_a_gpu_build_lists_its_gpus_with_memory(page: SettingsPage, qtbot: QtBot) -> None:
    gpu = Device("CUDA0", "NVIDIA GeForce RTX 4070", "gpu", 12 * GIB, 10 * GIB, "CUDA")
    page.set_hardware(report(offload=True, devices=(CPU, gpu)))
    assert "NVIDIA GeForce RTX 4070 (12.0 GiB, 10.0 GiB free)" in page.gpu_note.text()
    assert page.gpu_mode_combo.isEnabled()
    emitted(page, qtbot, lambda: page.gpu_mode_combo.setCurrentIndex(2))
    assert page.gpu_layers_spin.isEnabled()


def test_the_processor_code_in_use_is_named_with_why(page: SettingsPage) -> None:
    page.set_hardware(report(offload=False, devices=(CPU,)))
    assert page.code_note.text() == (
        "llama.cpp's “haswell” code: the fastest of the 6 variants this processor runs.")


def test_a_gpu_module_that_could_not_start_is_explained(page: SettingsPage) -> None:
    notice = "This build can use CUDA, but it could not start here (no driver)."
    backends = EngineBackends("runtime", "haswell", "the fastest of the 6 variants this "
                              "processor runs", (), ("CUDA",), (notice,))
    page.set_hardware(report(offload=False, devices=(CPU,), backends=backends))
    assert page.code_note.text().endswith(notice)
    assert "This build can use CUDA, but it could not start" in page.gpu_note.text()
    assert "built without GPU support" not in page.gpu_note.text()
    assert not page.gpu_mode_combo.isEnabled()


def test_a_gpu_build_on_a_machine_without_gpus_says_so(page: SettingsPage) -> None:
    page.set_hardware(report(offload=True, devices=(CPU,)))
    assert "found none" in page.gpu_note.text()
    assert not page.gpu_mode_combo.isEnabled()


# -- the vault --------------------------------------------------------------------------------

def test_an_access_token_is_kept_in_the_vault_and_shown_masked(
        page: SettingsPage, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault) -> None:
    box = page.token_box
    assert not box.save_button.isEnabled() and not box.forget_button.isEnabled()
    type_into(qtbot, box.token_edit, "my password")
    box.save_button.click()
    qtbot.waitUntil(lambda: "does not look like a Hugging Face access token"
                    in box.message_label.text(), timeout=SLOW)
    assert box.status_label.text() == "No token saved."

    type_into(qtbot, box.token_edit, f"  {TOKEN} ", enter=True)  # pasted with spaces
    qtbot.waitUntil(lambda: box.status_label.text() == "Saved token: hf_…Yz12", timeout=SLOW)
    assert box.token_edit.text() == ""
    assert box.forget_button.isEnabled()
    assert run_on(vault_jobs, qtbot, lambda: stored_token(vault.settings)) == TOKEN

    box.forget_button.click()
    qtbot.waitUntil(lambda: box.status_label.text() == "No token saved.", timeout=SLOW)
    assert run_on(vault_jobs, qtbot, lambda: stored_token(vault.settings)) is None


def test_a_saved_token_is_shown_when_the_page_opens(
        qtbot: QtBot, vault_jobs: TaskThread, vault: Vault, private_home: Path,
        engine_host: EngineHost, api_host: ApiHost) -> None:
    run_on(vault_jobs, qtbot, lambda: vault.settings.set("huggingface_token", TOKEN))
    shown = SettingsPage(Preferences(), data_folder=private_home, vault_jobs=vault_jobs,
                         vault=vault, engine=engine_host,
                         api=api_host)
    qtbot.addWidget(shown)
    qtbot.waitUntil(lambda: shown.token_box.status_label.text() == "Saved token: hf_…Yz12",
                    timeout=SLOW)


def test_changing_the_passphrase(page: SettingsPage, qtbot: QtBot, vault_jobs: TaskThread,
                                 vault: Vault) -> None:
    box = page.passphrase_box
    fields = box.new_fields
    type_into(qtbot, box.current_edit, "not my passphrase")
    type_into(qtbot, fields.passphrase_edit, "password")
    assert not box.change_button.isEnabled()
    assert "too weak" in fields.message_label.text()
    type_into(qtbot, fields.passphrase_edit, NEW_PASSPHRASE)
    type_into(qtbot, fields.confirm_edit, NEW_PASSPHRASE[:-1])
    assert fields.message_label.text() == "The two passphrases are not the same."
    assert not box.change_button.isEnabled()
    type_into(qtbot, fields.confirm_edit, NEW_PASSPHRASE)
    assert box.change_button.isEnabled()

    box.change_button.click()
    qtbot.waitUntil(lambda: "does not unlock this vault" in box.message_label.text(),
                    timeout=SLOW)
    assert box.change_button.isEnabled()  # ready to try again

    type_into(qtbot, box.current_edit, PASSPHRASE)
    qtbot.keyClick(fields.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.message_label.text().startswith("Passphrase changed"),
                    timeout=SLOW)
    assert box.current_edit.text() == fields.passphrase == fields.confirm_edit.text() == ""

    def old_refused_new_accepted() -> bool:
        vault.lock()
        try:
            vault.unlock(PASSPHRASE)
        except WrongPassphrase:
            vault.unlock(NEW_PASSPHRASE)
            return not vault.is_locked
        return False

    assert run_on(vault_jobs, qtbot, old_refused_new_accepted) is True


def test_a_locked_vault_is_not_unlocked_by_a_passphrase_change(
        page: SettingsPage, qtbot: QtBot, vault_jobs: TaskThread, vault: Vault) -> None:
    run_on(vault_jobs, qtbot, vault.lock)
    box = page.passphrase_box
    type_into(qtbot, box.current_edit, PASSPHRASE)
    type_into(qtbot, box.new_fields.passphrase_edit, NEW_PASSPHRASE)
    type_into(qtbot, box.new_fields.confirm_edit, NEW_PASSPHRASE)
    box.change_button.click()
    qtbot.waitUntil(lambda: "The vault is locked" in box.message_label.text(), timeout=SLOW)
    assert run_on(vault_jobs, qtbot, lambda: vault.is_locked) is True


# -- passphrase fields ------------------------------------------------------------------------

def test_the_strength_meter_follows_the_typing(qtbot: QtBot) -> None:
    fields = PassphraseFields()
    qtbot.addWidget(fields)
    assert fields.meter.value() == 0 and not fields.acceptable
    assert fields.message_label.text() == ""  # nothing typed is not an error yet
    with qtbot.waitSignal(fields.changed, timeout=1000):
        type_into(qtbot, fields.passphrase_edit, "password")
    assert fields.strength.score == 0
    assert fields.meter.value() == 1
    assert fields.strength_label.text().startswith("Too weak.")
    assert "too weak" in fields.problem

    type_into(qtbot, fields.passphrase_edit, "correct horse battery staple")
    assert fields.meter.value() == 4
    assert fields.strength_label.text().startswith("Strong.")
    assert fields.meter.accessibleDescription() == fields.strength_label.text()
    assert fields.problem == "Type the passphrase again to confirm it."
    type_into(qtbot, fields.confirm_edit, "correct horse battery staple")
    assert fields.acceptable and fields.problem == "" and fields.message_label.text() == ""
    assert fields.passphrase == "correct horse battery staple"


def test_the_passphrases_can_be_shown(qtbot: QtBot) -> None:
    fields = PassphraseFields()
    qtbot.addWidget(fields)
    assert fields.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password
    fields.show_check.click()
    assert fields.passphrase_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert fields.confirm_edit.echoMode() == QLineEdit.EchoMode.Normal
    fields.clear()
    assert fields.confirm_edit.echoMode() == QLineEdit.EchoMode.Password


# -- folder, keyboard, accessibility ----------------------------------------------------------

class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_data_folder_is_shown_and_opened(page: SettingsPage, private_home: Path) -> None:
    assert page.data_folder_label.text() == str(private_home)
    catcher = _UrlCatcher()  # stands in for the desktop's file manager
    QDesktopServices.setUrlHandler("file", catcher, "open")  # type: ignore[arg-type]  # stubs say bytes; only str works
    try:
        page.open_folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == [QUrl.fromLocalFile(str(private_home))]
    assert page.data_message.text() == ""


def test_every_control_is_named_and_in_reading_order(page: SettingsPage) -> None:
    controls = [widget for widget in page.findChildren(QWidget)
                if isinstance(widget, (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox))
                and not isinstance(widget.parent(), (QComboBox, QAbstractSpinBox))]
    assert len(controls) >= 18
    for control in controls:
        assert control.accessibleName(), control
    # The tab chain visits the controls top to bottom, as they appear.
    order: list[QWidget] = []
    widget: QWidget | None = page.threads_spin
    while widget is not None and widget not in order:
        order.append(widget)
        widget = widget.nextInFocusChain()
    visited = [control for control in order if control in controls]
    assert sorted(visited, key=lambda control: control.mapTo(page, control.rect().topLeft()).y()) \
        == visited
    assert set(visited) == set(controls)
