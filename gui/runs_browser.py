"""The runs browser: every run under the runs folder with its settings and results; the trade-off
scatter plot of clean against robust accuracy (one point per run, labelled with λ and ε); the selected
runs' curves overlaid; the transfer matrix between them; reports; and the λ-sweep that queues runs.

Reading the folder is engine code that knows nothing of Qt (``engine.compare``); the widget shows its
result and emits the user's wishes (sweep, transfer) for the main window's controller to carry out.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.compare import RunSummary, list_runs, run_history
from gui.compare_view import OverlayView, TransferView

WIDE_PX = 860  # narrower than this, the table goes above the plots
NARROW_PX = 380

COLUMNS = (
    QT_TRANSLATE_NOOP("RunsBrowser", "Run"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Dataset"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Model"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Attack"),
    "λ",
    "ε",
    QT_TRANSLATE_NOOP("RunsBrowser", "Clean"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Robust"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Status"),
)
# The table's cells in the window's language (English: the run folder's own words, unchanged).
CELL_TEXT = (
    QT_TRANSLATE_NOOP("RunsBrowser", "completed"),
    QT_TRANSLATE_NOOP("RunsBrowser", "stopped"),
    QT_TRANSLATE_NOOP("RunsBrowser", "interrupted"),
    QT_TRANSLATE_NOOP("RunsBrowser", "unfinished"),
    QT_TRANSLATE_NOOP("RunsBrowser", "finished"),
    QT_TRANSLATE_NOOP("RunsBrowser", "failed"),
    QT_TRANSLATE_NOOP("RunsBrowser", "digits"),
    QT_TRANSLATE_NOOP("RunsBrowser", "mnist"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fashion-mnist"),
    QT_TRANSLATE_NOOP("RunsBrowser", "cifar10"),
    QT_TRANSLATE_NOOP("RunsBrowser", "folder"),
    QT_TRANSLATE_NOOP("RunsBrowser", "seed-cnn"),
    QT_TRANSLATE_NOOP("RunsBrowser", "mlp"),
    QT_TRANSLATE_NOOP("RunsBrowser", "small-cnn"),
    QT_TRANSLATE_NOOP("RunsBrowser", "resnet"),
    QT_TRANSLATE_NOOP("RunsBrowser", "none"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fgsm"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fgsm-rs"),
    QT_TRANSLATE_NOOP("RunsBrowser", "pgd"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("RunsBrowser", text)


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%" if math.isfinite(v) else "–"


class RunsBrowser(QWidget):
    """Table of runs and their settings; trade-off, overlaid curves and transfer of the selected runs."""

    sweepRequested = Signal(str)  # the λ values as typed
    sweepCancelRequested = Signal()
    transferRequested = Signal(tuple, str, float, int, int)  # run folders, attack, ε, PGD steps, images

    reportWritten = Signal(str)  # the HTML file, once the engine has written it

    def __init__(self, root: str | Path | None = None, parent: QWidget | None = None, request=None):
        """``request``: the controller's ``request`` (reports are written by the engine process, which
        re-attacks a few images for them)."""
        super().__init__(parent)
        self.root = Path(root) if root else None
        self.request = request
        self.summaries: list[RunSummary] = []
        self.labels: list[pg.TextItem] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip(
            self.tr("Every run in the runs folder. Ctrl- or Shift-click to select several and compare them.")
        )
        self.settings_view = QPlainTextEdit()
        self.settings_view.setReadOnly(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the runs folder again (F5)"))
        self.refresh_button.setShortcut("F5")
        self.report_button = QPushButton(self.tr("Export report…"))
        self.report_button.setToolTip(
            self.tr(
                "Write the selected run's settings, curves and adversarial examples as an "
                "HTML report (with a CSV of every number beside it)"
            )
        )
        self.report_button.setEnabled(False)
        self.compare_button = QPushButton(self.tr("Compare report…"))
        self.compare_button.setToolTip(
            self.tr(
                "Write an HTML report comparing the selected runs: settings, the trade-off "
                "plot, their curves overlaid and the transfer matrix if measured"
            )
        )
        self.compare_button.setEnabled(False)

        self.lambdas = QLineEdit("0, 0.25, 0.5, 1")
        self.lambdas.setToolTip(
            self.tr(
                "The λ values to train with, separated by commas. λ is the weight of the attacked "
                "images in the training loss: 0 is ordinary training."
            )
        )
        self.sweep_button = QPushButton(self.tr("Sweep λ"))
        self.sweep_button.setObjectName("primaryButton")
        self.sweep_button.setToolTip(
            self.tr(
                "Train one run per λ, one after another, with all other settings taken from "
                "the panel on the left. Each finished run becomes a point on the trade-off "
                "plot, so you see what robustness costs in accuracy."
            )
        )
        self.sweep_cancel = QPushButton(self.tr("Cancel sweep"))
        self.sweep_cancel.setToolTip(self.tr("Stop the running sweep run and drop the runs still waiting"))
        self.sweep_cancel.setEnabled(False)
        self.sweep_status = QLabel("")

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", self.tr("clean accuracy"))
        self.plot.setLabel("left", self.tr("robust accuracy"))
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)  # accuracies, not "×0.001" multiples
        self.scatter = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(31, 119, 180, 200), pen=pg.mkPen("k"))
        self.selected = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen("r", width=2))
        self.plot.addItem(self.scatter)
        self.plot.addItem(self.selected)
        self.overlay = OverlayView()
        self.transfer = TransferView()
        self.views = QTabWidget()
        self.views.addTab(self.plot, self.tr("Trade-off"))
        self.views.addTab(self.overlay, self.tr("Curves"))
        self.views.addTab(self.transfer, self.tr("Transfer"))

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for w in (self.refresh_button, self.report_button, self.compare_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        sweep = QHBoxLayout()
        sweep.addWidget(QLabel(self.tr("λ values:")))
        sweep.addWidget(self.lambdas, 1)
        sweep.addWidget(self.sweep_button)
        sweep.addWidget(self.sweep_cancel)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 3)
        left_layout.addLayout(sweep)
        left_layout.addWidget(self.sweep_status)
        left_layout.addWidget(self.settings_view, 2)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.views)
        splitter.setSizes([520, 520])
        splitter.setMinimumWidth(NARROW_PX)  # below WIDE_PX the two sit one above the other (resizeEvent)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.sweep_button.clicked.connect(lambda: self.sweepRequested.emit(self.lambdas.text()))
        self.lambdas.returnPressed.connect(self.sweep_button.click)
        self.sweep_cancel.clicked.connect(self.sweepCancelRequested.emit)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.scatter.sigClicked.connect(self._on_point_clicked)
        self.transfer.runRequested.connect(self._on_transfer_requested)
        self.refresh()

    def refresh(self) -> None:
        chosen = {r.path for r in self.selected_runs()}
        self.summaries = list_runs(self.root)
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self.summaries))
        for row, s in enumerate(self.summaries):
            values = (
                s.name,
                _tr(s.dataset),
                _tr(s.model),
                _tr(s.attack),
                f"{s.lam:g}",
                f"{s.eps:g}",
                _pct(s.clean_accuracy),
                _pct(s.robust_accuracy),
                _tr(s.status),
            )
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        spots = []
        shown = [s for s in self.summaries if s.has_point]
        middle = (min(s.clean_accuracy for s in shown) + max(s.clean_accuracy for s in shown)) / 2 if shown else 0.5
        for row, s in enumerate(self.summaries):
            if not s.has_point:
                continue
            spots.append({"pos": (s.clean_accuracy, s.robust_accuracy), "data": row})
            # Labels point away from the middle of the cloud so that the ones at the edges stay in view.
            text = pg.TextItem(s.label, color="k", anchor=(1.05, 1) if s.clean_accuracy > middle else (-0.05, 1))
            text.setPos(s.clean_accuracy, s.robust_accuracy)
            self.plot.addItem(text)
            self.labels.append(text)
        self.scatter.setData(spots)
        self._fit_view(shown)
        self._select(lambda s: s.path in chosen)
        self.table.blockSignals(False)
        self._on_selection()

    def _fit_view(self, shown: list[RunSummary]) -> None:
        """Zoom to the points (runs of one dataset often differ by a few points of clean accuracy), keeping 0-1."""
        if not shown:
            self.plot.setXRange(0, 1)
            self.plot.setYRange(0, 1)
            return
        xs = [s.clean_accuracy for s in shown]
        ys = [s.robust_accuracy for s in shown]
        x_pad = max(0.05, (max(xs) - min(xs)) * 0.4)
        self.plot.setXRange(max(0.0, min(xs) - x_pad), min(1.0, max(xs) + x_pad) + 0.01)
        self.plot.setYRange(0.0, min(1.0, max(ys) + 0.1) + 0.01)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Table beside the plots when there is room, above them when not (a 1024 px screen with the
        Start panel open leaves this tab about 400 px)."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Runs finish while the tab is hidden: read the folder again whenever it is shown."""
        super().showEvent(event)
        self.refresh()

    def points(self) -> list[tuple[float, float, str]]:
        """(clean, robust, label) of every point on the plot, as drawn."""
        xs, ys = self.scatter.getData()
        return [(float(x), float(y), label.toPlainText()) for x, y, label in zip(xs, ys, self.labels, strict=True)]

    def selected_runs(self) -> list[RunSummary]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.summaries[r] for r in rows if r < len(self.summaries)]

    def selected_run(self) -> RunSummary | None:
        """The selected run when exactly one is selected."""
        chosen = self.selected_runs()
        return chosen[0] if len(chosen) == 1 else None

    def select_runs(self, names: list[str]) -> None:
        """Select the runs with these folder names (what a Ctrl-click on each row does)."""
        self.table.clearSelection()
        self._select(lambda s: s.name in names)

    def _select(self, wanted) -> None:
        model, flags = self.table.selectionModel(), self.table.selectionModel().SelectionFlag
        for row, s in enumerate(self.summaries):
            if wanted(s):
                model.select(self.table.model().index(row, 0), flags.Select | flags.Rows)

    def _on_selection(self) -> None:
        chosen = self.selected_runs()
        self.report_button.setEnabled(len(chosen) == 1)
        self.compare_button.setEnabled(len(chosen) >= 2)
        self.selected.setData([{"pos": (s.clean_accuracy, s.robust_accuracy)} for s in chosen if s.has_point])
        self.overlay.show_histories([run_history(s.path) for s in chosen])
        if len(chosen) == 1:
            self.settings_view.setPlainText(f"{chosen[0].path}\n\n{chosen[0].settings_json}")
        elif chosen:
            line = self.tr("  %1: %2, %3, clean %4, robust %5")
            self.settings_view.setPlainText(
                self.tr("%1 runs selected:").replace("%1", str(len(chosen)))
                + "\n"
                + "\n".join(
                    line.replace("%1", s.name)
                    .replace("%2", _tr(s.attack))
                    .replace("%3", s.label)
                    .replace("%4", _pct(s.clean_accuracy))
                    .replace("%5", _pct(s.robust_accuracy))
                    for s in chosen
                )
            )
        else:
            self.settings_view.clear()

    def set_sweep_state(self, text: str, running: bool) -> None:
        self.sweep_status.setText(text)
        self.sweep_button.setEnabled(not running)
        self.sweep_cancel.setEnabled(running)

    # ------------------------------------------------------------------ transfer
    def _on_transfer_requested(self, attack: str, eps: float, steps: int, images: int) -> None:
        chosen = self.selected_runs()
        if len(chosen) < 2:
            self.transfer.status.setText(self.tr("Select two or more runs in the table first (Ctrl-click)."))
            return
        self.transferRequested.emit(tuple(s.path for s in chosen), attack, eps, steps, images)

    def transfer_for(self, runs: list[RunSummary]) -> object | None:
        """The last measured transfer matrix, if it was measured on exactly these runs."""
        matrix = self.transfer.matrix
        return matrix if matrix is not None and list(matrix.names) == [s.name for s in runs] else None

    # ------------------------------------------------------------------ reports
    def export_report(self, run: RunSummary, path: str | Path) -> None:
        """Have the engine write the run's HTML report (it attacks a few images for it); ``reportWritten``
        follows."""
        self._write("report", {"run_dir": run.path, "path": str(path)})

    def export_comparison(self, chosen: list[RunSummary], path: str | Path) -> None:
        params = {"run_dirs": tuple(s.path for s in chosen), "path": str(path), "transfer": self.transfer_for(chosen)}
        self._write("comparison_report", params)

    def _ask_path(self, title: str, default: Path) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, str(default), self.tr("HTML report (*.html)"))
        if not path:
            return None
        return path if path.lower().endswith((".html", ".htm")) else path + ".html"

    def _write(self, kind: str, params: dict) -> None:
        if self.request is None:
            return
        self.report_button.setEnabled(False)
        self.compare_button.setEnabled(False)
        self.settings_view.appendPlainText("\n" + self.tr("Writing the report…"))

        def written(path: str) -> None:
            self.settings_view.appendPlainText(self.tr("Report written to %1").replace("%1", path))
            self._on_selection()
            self.reportWritten.emit(path)

        def failed(text: str) -> None:
            self._on_selection()
            QMessageBox.warning(self, self.tr("Report not written"), text)

        self.request(kind, params, written, on_failed=failed)

    def _on_report_clicked(self) -> None:
        run = self.selected_run()
        path = self._ask_path(self.tr("Export report"), Path(run.path) / "report.html") if run else None
        if run and path:
            self.export_report(run, path)

    def _on_compare_clicked(self) -> None:
        chosen = self.selected_runs()
        path = (
            self._ask_path(self.tr("Compare runs"), Path(chosen[0].path).parent / "comparison.html") if chosen else None
        )
        if chosen and path:
            self.export_comparison(chosen, path)

    def _on_point_clicked(self, _item, points, *_args) -> None:
        if len(points):
            self.table.selectRow(int(points[0].data()))
