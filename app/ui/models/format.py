"""How the model manager page words numbers (parameter counts, download progress and fit
verdicts; sizes are common/sizes.py's) and lays out its tables, the same way in every tab."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from app.hub.download import Progress
from app.hub.fit import FitEstimate, Verdict
from app.ui.common.sizes import GIB, MIB

# A sign beside each word, so the verdict reads at a glance without relying on colour.
_VERDICT_SIGNS = {Verdict.FITS: "✓", Verdict.TIGHT: "!", Verdict.WONT_FIT: "✗"}


def parameters_text(parameters: float) -> str:
    """A parameter count as people quote it: 135M, 7.6B."""
    if parameters < 1e9:
        return f"{parameters / 1e6:.0f}M"
    return f"{parameters / 1e9:.1f}B"


def fit_text(estimate: FitEstimate) -> str:
    return f"{_VERDICT_SIGNS[estimate.verdict]} {estimate.verdict.value}"


def progress_text(progress: Progress) -> str:
    """"12 of 98 MiB · 4.1 MiB/s · 0:21 left"."""
    parts = [amount_text(progress), f"{progress.speed / MIB:.1f} MiB/s"]
    if progress.eta is not None:
        parts.append(f"{duration_text(progress.eta)} left")
    return " · ".join(parts)


def amount_text(progress: Progress) -> str:
    """"12 of 98 MiB", in the unit the whole file is best counted in."""
    unit, name, digits = (GIB, "GiB", 1) if (progress.total or progress.done) >= GIB \
        else (MIB, "MiB", 0)
    done = f"{progress.done / unit:.{digits}f}"
    if progress.total:
        return f"{done} of {progress.total / unit:.{digits}f} {name}"
    return f"{done} {name}"


def duration_text(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def row_picker(columns: list[str] | tuple[str, ...], accessible_name: str) -> QTableWidget:
    """A read-only table where one whole row is chosen at a time; Tab leaves it and the arrows
    move within it, so that the buttons after it stay one key away."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    return table
