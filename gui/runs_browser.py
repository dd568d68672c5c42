"""The runs browser: every run under the runs folder with its settings and results, and a trade-off
scatter plot of clean against robust accuracy (one point per run, labelled with λ and ε).

Reading the folder is a plain function (``list_runs``) that knows nothing of Qt; the widget only shows
its result. Runs are small JSON files, so they are read on the GUI thread when the user refreshes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import runs

COLUMNS = ("Run", "Dataset", "Model", "Attack", "λ", "ε", "Clean", "Robust", "Status")


@dataclass(frozen=True)
class RunSummary:
    path: str
    name: str
    dataset: str
    model: str
    attack: str
    lam: float
    eps: float
    clean_accuracy: float
    robust_accuracy: float
    status: str
    settings_json: str

    @property
    def label(self) -> str:
        return f"λ={self.lam:g}, ε={self.eps:g}"

    @property
    def has_point(self) -> bool:
        return math.isfinite(self.clean_accuracy) and math.isfinite(self.robust_accuracy)


def _num(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else float("nan")


def list_runs(root: str | Path | None = None) -> list[RunSummary]:
    """Every run folder under ``root`` (default: the runs folder), oldest first; damaged folders are skipped."""
    root = Path(root) if root else runs.default_runs_root()
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if (p / runs.CONFIG_FILE).is_file()):
        try:
            config = runs.load_config(folder)
        except runs.RunError:
            continue
        clean = robust = float("nan")
        status = "unfinished"
        summary_path = folder / runs.SUMMARY_FILE
        if summary_path.is_file():
            try:
                summary = json.loads(summary_path.read_text())
                clean, robust = _num(summary.get("clean_accuracy")), _num(summary.get("robust_accuracy"))
                status = str(summary.get("reason", "finished"))
            except (json.JSONDecodeError, OSError):
                pass
        if not math.isfinite(clean):
            epochs = [m for m in runs.read_metrics(folder) if m.get("type") == "epoch"]
            if epochs:
                clean, robust = _num(epochs[-1].get("clean_accuracy")), _num(epochs[-1].get("robust_accuracy"))
        out.append(RunSummary(str(folder), folder.name, config.data.name, config.model.name, config.attack.name,
                              config.train.lam, config.attack.eps, clean, robust, status, config.to_json()))
    return out


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%" if math.isfinite(v) else "–"


class RunsBrowser(QWidget):
    """Table of runs, the selected run's settings, and the clean-vs-robust trade-off plot."""

    def __init__(self, root: str | Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.root = Path(root) if root else None
        self.summaries: list[RunSummary] = []
        self.labels: list[pg.TextItem] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.settings_view = QPlainTextEdit()
        self.settings_view.setReadOnly(True)
        self.refresh_button = QPushButton("Refresh")
        self.report_button = QPushButton("Export report…")
        self.report_button.setToolTip("Write the selected run's settings, curves and adversarial examples as an "
                                      "HTML report (with a CSV of every number beside it)")
        self.report_button.setEnabled(False)

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", "clean accuracy")
        self.plot.setLabel("left", "robust accuracy")
        self.plot.setXRange(0, 1)
        self.plot.setYRange(0, 1)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.scatter = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(31, 119, 180, 200), pen=pg.mkPen("k"))
        self.selected = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen("r", width=2))
        self.plot.addItem(self.scatter)
        self.plot.addItem(self.selected)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 3)
        left_layout.addWidget(self.settings_view, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.plot)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.scatter.sigClicked.connect(self._on_point_clicked)
        self.refresh()

    def refresh(self) -> None:
        self.summaries = list_runs(self.root)
        self.table.setRowCount(len(self.summaries))
        for row, s in enumerate(self.summaries):
            values = (s.name, s.dataset, s.model, s.attack, f"{s.lam:g}", f"{s.eps:g}", _pct(s.clean_accuracy),
                      _pct(s.robust_accuracy), s.status)
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        spots = []
        for row, s in enumerate(self.summaries):
            if not s.has_point:
                continue
            spots.append({"pos": (s.clean_accuracy, s.robust_accuracy), "data": row})
            text = pg.TextItem(s.label, color="k", anchor=(0, 1))
            text.setPos(s.clean_accuracy, s.robust_accuracy)
            self.plot.addItem(text)
            self.labels.append(text)
        self.scatter.setData(spots)
        self.selected.setData([])
        self.settings_view.clear()
        self.report_button.setEnabled(False)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Runs finish while the tab is hidden: read the folder again whenever it is shown."""
        super().showEvent(event)
        self.refresh()

    def points(self) -> list[tuple[float, float, str]]:
        """(clean, robust, label) of every point on the plot, as drawn."""
        xs, ys = self.scatter.getData()
        return [(float(x), float(y), label.toPlainText()) for x, y, label in zip(xs, ys, self.labels, strict=True)]

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        s = self.summaries[rows[0].row()]
        self.settings_view.setPlainText(f"{s.path}\n\n{s.settings_json}")
        self.selected.setData([{"pos": (s.clean_accuracy, s.robust_accuracy)}] if s.has_point else [])
        self.report_button.setEnabled(True)

    def selected_run(self) -> RunSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.summaries[rows[0].row()] if rows else None

    def export_report(self, run: RunSummary, path: str | Path) -> Path:
        """Write the run's HTML report (a few attacked images are made on the GUI thread: 8 samples, fast)."""
        from engine.report import write_run_report

        return write_run_report(run.path, path)["html"]

    def _on_report_clicked(self) -> None:
        run = self.selected_run()
        if run is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export report", str(Path(run.path) / "report.html"),
                                              "HTML report (*.html)")
        if not path:
            return
        if not path.lower().endswith((".html", ".htm")):
            path += ".html"
        try:
            written = self.export_report(run, path)
        except (OSError, ValueError) as exc:  # RunError and DatasetError are ValueErrors
            QMessageBox.warning(self, "Report not written", str(exc))
            return
        self.settings_view.appendPlainText(f"\nReport written to {written}")

    def _on_point_clicked(self, _item, points, *_args) -> None:
        if len(points):
            self.table.selectRow(int(points[0].data()))
