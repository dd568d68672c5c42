"""Comparing the runs selected in the runs browser: their curves overlaid, and the transfer matrix.

Both only show engine results: the histories come from ``engine.compare.run_history`` (small files,
read on the GUI thread) and the transfer matrix is computed by the controller's background task.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout

from engine.compare import RunHistory, short_names

# The transfer attacks by the engine's name (shown through tr(), e.g. "PGD" in Chinese).
TRANSFER_ATTACKS = (QT_TRANSLATE_NOOP("TransferView", "pgd"), QT_TRANSLATE_NOOP("TransferView", "fgsm"))
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")


class OverlayView(QWidget):
    """Held-out clean (solid) and robust (dashed) accuracy per epoch, one colour per selected run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", self.tr("epoch"))
        self.plot.setLabel("left", self.tr("held-out accuracy"))
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setYRange(0, 1)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.hint = QLabel(
            self.tr(
                "Select runs in the table (Ctrl- or Shift-click) to overlay their accuracy curves: "
                "solid lines are clean accuracy, dashed lines accuracy under attack."
            )
        )
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.plot, 1)
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}

    def show_histories(self, histories: list[RunHistory]) -> None:
        self.plot.clear()
        self.legend.clear()
        self.curves = {}
        labels = short_names([h.name for h in histories])
        clean_name, robust_name = self.tr("%1 clean"), self.tr("%1 robust")
        for k, (h, label) in enumerate(zip(histories, labels, strict=True)):
            colour = COLOURS[k % len(COLOURS)]
            clean = self.plot.plot(
                list(h.epochs),
                list(h.clean),
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolSize=5,
                symbolBrush=colour,
                name=clean_name.replace("%1", label),
            )
            robust = self.plot.plot(
                list(h.epochs),
                [v if math.isfinite(v) else float("nan") for v in h.robust],
                pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine),
                symbol="t",
                symbolSize=6,
                symbolBrush=colour,
                name=robust_name.replace("%1", label),
                connect="finite",
            )
            self.curves[h.name] = (clean, robust)
        if histories:
            self.plot.enableAutoRange(axis="x")


class TransferView(QWidget):
    """Settings of the transfer attack, a Measure button with progress, and the matrix as a table."""

    runRequested = Signal(str, float, int, int)  # attack, ε, PGD steps, images
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attack = QComboBox()
        for name in TRANSFER_ATTACKS:
            self.attack.addItem(self.tr(name), name)
        self.attack.setToolTip(self.tr("The attack run on each model to make its adversarial examples."))
        self.eps = QDoubleSpinBox()
        self.eps.setRange(0.001, 1.0)
        self.eps.setDecimals(3)
        self.eps.setSingleStep(0.01)
        self.eps.setValue(0.1)
        self.eps.setPrefix("ε ")
        self.eps.setToolTip(self.tr("How far each pixel may move (as a fraction of the full range)."))
        self.steps = QSpinBox()
        self.steps.setRange(1, 200)
        self.steps.setValue(10)
        self.steps.setSuffix(self.tr(" PGD steps"))
        self.images = QSpinBox()
        self.images.setRange(10, 10_000)
        self.images.setValue(300)
        self.images.setSuffix(self.tr(" images"))
        self.images.setToolTip(self.tr("How many held-out images are attacked on each model."))
        self.run_button = QPushButton(self.tr("Measure transfer"))
        self.run_button.setToolTip(
            self.tr(
                "Make adversarial examples on each selected run's model and test every "
                "selected model on them (needs two or more runs on the same data)."
            )
        )
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel(
            self.tr(
                "Rows: the model the examples were made on. Columns: the model tested. The diagonal "
                "is the ordinary (white-box) robust accuracy; a cell far below its column's "
                "diagonal means that model's own gradients hide its weakness."
            )
        )
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.matrix: Any = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QFlowLayout()  # wraps on a narrow window (the tab sits beside or under the runs table)
        for w in (self.attack, self.eps, self.steps, self.images, self.run_button, self.cancel_button):
            row.addWidget(w)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.run_button.clicked.connect(self._request)
        self.cancel_button.clicked.connect(self.cancelRequested.emit)

    def _request(self) -> None:
        self.runRequested.emit(self.attack.currentData(), self.eps.value(), self.steps.value(), self.images.value())

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        if text:
            self.status.setText(text)

    def on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(
            self.tr("model %1 of %2").replace("%1", str(min(done + 1, total))).replace("%2", str(total))
            if done < total
            else self.tr("scoring")
        )

    def show_matrix(self, matrix: Any) -> None:
        """Cells coloured from red (the attack works) to green (the model resists it)."""
        self.set_busy(
            False,
            self.tr(
                "%1 at ε = %2 on %3 images. Rows: made on; columns: tested on. "
                "The diagonal is white-box robust accuracy."
            )
            .replace("%1", matrix.attack.name.upper())
            .replace("%2", f"{matrix.attack.eps:g}")
            .replace("%3", str(matrix.n)),
        )
        self.matrix = matrix
        n = len(matrix.names)
        self.table.setRowCount(n)
        self.table.setColumnCount(n)
        names = short_names(list(matrix.names))
        tested, made = self.tr("tested on %1"), self.tr("made on %1")
        self.table.setHorizontalHeaderLabels([tested.replace("%1", name) for name in names])
        self.table.setVerticalHeaderLabels([made.replace("%1", name) for name in names])
        for i, row in enumerate(matrix.accuracy):
            for j, value in enumerate(row):
                item = QTableWidgetItem(f"{100 * value:.1f}%")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(QColor.fromHsvF(0.33 * max(0.0, min(1.0, value)), 0.35, 1.0)))
                if i == j:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
