"""The app's non-secret preferences and UI state (engine settings, theme, auto-lock, offline mode,
the region whose crisis lines are shown, window geometry), kept with QSettings in an INI file in
the data folder so that a test's or a portable install's data folder holds all of it. Anything
personal lives in the vault instead."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings

from app.api.listen import DEFAULT_PORT
from app.datadir import data_dir
from app.engine import LoadOptions
from app.journal.safety import crisis_regions

THEMES = ("system", "light", "dark")
KV_CACHE_TYPES = ("f16", "q8_0", "q4_0")


@dataclass(frozen=True)
class Preferences:
    threads: int = 0  # 0 = as many as the machine has physical cores
    gpu_layers: int = 0  # -1 = all
    context_length: int = 4096
    flash_attention: bool = False
    kv_cache_type: str = "f16"
    theme: str = "system"
    auto_lock_minutes: int = 10  # 0 = never
    offline: bool = False  # on: no network at all, not even a search or download
    model: str = "starter"  # the library id of the model to load at start
    # whose crisis lines the safety net shows: "" = this computer's region, else a region code
    # from crisis_regions() ("international" included)
    crisis_region: str = ""
    api_enabled: bool = False  # the OpenAI-compatible API for programs on this computer
    api_port: int = DEFAULT_PORT

    def load_options(self) -> LoadOptions:
        return LoadOptions(n_ctx=self.context_length, n_threads=self.threads or None,
                           n_threads_batch=self.threads or None, n_gpu_layers=self.gpu_layers,
                           flash_attention=self.flash_attention, kv_cache_type=self.kv_cache_type)


def ui_settings() -> QSettings:
    return QSettings(str(data_dir() / "ui.ini"), QSettings.Format.IniFormat)


def load_preferences() -> Preferences:
    stored = ui_settings()
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Preferences):
        default: Any = field.default
        raw = stored.value(f"preferences/{field.name}", default)
        try:
            if isinstance(default, bool):  # INI files give back "true"/"false"
                values[field.name] = raw if isinstance(raw, bool) else str(raw).lower() == "true"
            else:
                values[field.name] = type(default)(raw)
        except (TypeError, ValueError):
            values[field.name] = default  # a hand-edited value we cannot read: the default
    if values["theme"] not in THEMES:
        values["theme"] = "system"
    if values["kv_cache_type"] not in KV_CACHE_TYPES:
        values["kv_cache_type"] = "f16"
    if not 1024 <= values["api_port"] <= 65535:
        values["api_port"] = DEFAULT_PORT
    if values["crisis_region"] not in {code for code, _ in crisis_regions()}:
        values["crisis_region"] = ""  # also a region dropped from the data file since
    return Preferences(**values)


def save_preferences(preferences: Preferences) -> None:
    stored = ui_settings()
    for field in dataclasses.fields(Preferences):
        stored.setValue(f"preferences/{field.name}", getattr(preferences, field.name))
    stored.sync()
