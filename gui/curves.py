"""Live loss and accuracy curves (pyqtgraph).

Snapshots only append to growing numpy buffers; a ~30 Hz timer redraws what changed. Curves are
created once and fed with ``setData``; clip-to-view and peak downsampling keep 100,000 points fluid.

Painting the axes (tick labels and grid) is most of a frame's cost, so the axes are cached as pixmaps
and the view moves as rarely as it can: the x axis spans the whole run from its first step (when the
run's length is known and not huge), else it doubles when the data reach its end; the y range changes
only when the data leave it or use less than half of it. A range change repaints a whole plot (8–15 ms
here), so the accuracy plot follows the loss plot's x one redraw later, never in the same frame
(bench/gui_latency.py measures it).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGraphicsItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout

from engine.gallery_images import eps_text
from engine.messages import ConfigApplied, EpochMetrics, StepMetrics

REDRAW_MS = 50  # 20 Hz: smooth for curves that grow a point per step, and half the paint work of 40 Hz
SIDE_BY_SIDE_PX = 520  # narrower than this, the accuracy plot goes under the loss plot
WHOLE_RUN_MAX_STEPS = 20_000  # longer runs would start as a sliver at the left: their x axis doubles instead

# key, legend label (English source; shown through translate("CurvesView", …)), colour, pen style
LOSS_CURVES = (
    ("loss_clean", "L_clean", "#1f77b4", None),
    ("loss_adv", "L_adv", "#d62728", None),
    ("weighted_adv", "λ·L_adv", "#ff7f0e", "dash"),
    ("penalties", QT_TRANSLATE_NOOP("CurvesView", "penalties (L1+L2)"), "#7f7f7f", None),
    ("loss_total", "L_total", "#111111", None),
)
ACC_CURVES = (
    ("clean_accuracy", QT_TRANSLATE_NOOP("CurvesView", "clean (held-out)"), "#1f77b4"),
    ("robust_accuracy", QT_TRANSLATE_NOOP("CurvesView", "robust (held-out, PGD)"), "#d62728"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("CurvesView", text)


class GrowingBuffer:
    """Columns of float64 that double their capacity when full; ``view`` is the filled part."""

    def __init__(self, columns: tuple[str, ...], capacity: int = 1024) -> None:
        self.columns = columns
        self._data = np.full((capacity, len(columns)), np.nan)
        self.size = 0

    def append(self, values: tuple[float, ...]) -> None:
        if self.size == len(self._data):
            grown = np.full((2 * len(self._data), len(self.columns)), np.nan)
            grown[: self.size] = self._data
            self._data = grown
        self._data[self.size] = values
        self.size += 1

    def column(self, name: str) -> np.ndarray:
        return self._data[: self.size, self.columns.index(name)]

    def clear(self) -> None:
        self.size = 0


def moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points in O(n) (cumulative sums)."""
    if window <= 1 or len(y) < 2:
        return y
    clean = np.nan_to_num(y)
    c = np.cumsum(np.insert(clean, 0, 0.0))
    n = np.arange(1, len(y) + 1)
    lo = np.maximum(0, n - window)
    return (c[n] - c[lo]) / (n - lo)


def _legend_below(plot: pg.PlotWidget, columns: int) -> pg.LegendItem:
    """A legend under the plot's x axis, outside the data: it never covers a curve or a marker's label
    (inside the plot the accuracy legend hid the robust curve, which runs along the bottom)."""
    legend = pg.LegendItem(colCount=columns, labelTextSize="9pt", verSpacing=-8, horSpacing=8)
    plot.getPlotItem().layout.addItem(legend, 4, 1)
    return legend


def _pen(colour: str, style: str | None = None, width: float = 1.0) -> Any:
    """Width 1 by default: Qt's raster engine draws 1 px lines on a fast path, wider ones ~3.5× slower
    (a 2,000-step loss plot here: 2.5 ms a frame at width 1, 9 ms at 1.6), and the paint of the loss
    plot is what sets the window's lateness while it trains (``bench/gui_latency.py``)."""
    pen = pg.mkPen(colour, width=width)
    if style == "dash":
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


class CurvesView(QWidget):
    """Two x-linked plots (losses per step, accuracy at each epoch's step) with knob-change markers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=False, background="w", foreground="#333")
        self.steps = GrowingBuffer(("step",) + tuple(k for k, *_ in LOSS_CURVES))
        self.epochs = GrowingBuffer(("step", "epoch", "clean_accuracy", "robust_accuracy"), 64)
        self.markers: list[pg.InfiniteLine] = []
        self._acc_markers: list[pg.InfiniteLine] = []
        self._dirty = False
        self._epochs_drawn = -1
        self._loss_drawn = -1

        self.loss_plot = pg.PlotWidget()
        self.acc_plot = pg.PlotWidget()
        self.loss_plot.setLabel("left", self.tr("loss"))
        self.loss_plot.setLabel("bottom", self.tr("training step"))
        self.loss_plot.setTitle(self.tr("Losses per step"))
        self.acc_plot.setLabel("left", self.tr("accuracy"))
        self.acc_plot.setLabel("bottom", self.tr("training step"))
        self.acc_plot.setTitle(self.tr("Accuracy after each epoch"))
        self.acc_plot.setYRange(0, 1, padding=0.02)
        self._curves: dict[str, pg.PlotDataItem] = {}
        self.legends = {"loss": _legend_below(self.loss_plot, 3), "accuracy": _legend_below(self.acc_plot, 1)}
        for key, label, colour, style in LOSS_CURVES:
            self._curves[key] = self.loss_plot.plot(pen=_pen(colour, style))
            self.legends["loss"].addItem(self._curves[key], _tr(label))
        for key, label, colour in ACC_CURVES:
            self._curves[key] = self.acc_plot.plot(
                pen=_pen(colour, width=2), symbol="o", symbolSize=6, symbolBrush=colour, symbolPen=None
            )
            self.legends["accuracy"].addItem(self._curves[key], _tr(label))
        # A plot narrower than its one-column legend or its title would cut them off (the splitter does not
        # know a graphics scene's needs): as wide as they are, at the least.
        title_w = self.acc_plot.fontMetrics().horizontalAdvance(self.acc_plot.getPlotItem().titleLabel.text) * 1.3
        self.acc_plot.setMinimumWidth(int(max(self.legends["accuracy"].boundingRect().width(), title_w)) + 60)
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().setContentsMargins(0, 0, 14, 0)  # the data end before the edge, visibly
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            item = plot.getPlotItem()
            cached = [item.titleLabel, *self.legends.values()]
            for name in ("left", "bottom"):
                cached += [plot.getAxis(name), plot.getAxis(name).label]
            for graphics in cached:  # text is the costly part of a frame: paint it once, then blit it
                if graphics is not None:
                    graphics.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._following = True  # the loss view follows the data until the person pans or zooms it
        self._run_steps: int | None = None  # the run's length in steps, when known
        self._acc_x: float | None = None  # an x range the accuracy plot takes at the next redraw
        self.loss_plot.disableAutoRange()
        self.acc_plot.disableAutoRange(axis="x")
        self.loss_plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)

        self.smooth = QCheckBox(self.tr("Smooth"))
        self.smooth.setToolTip(self.tr("Show a moving average of the per-step losses (they are noisy batch by batch)."))
        self.smooth.setChecked(True)
        self.window = QSpinBox()
        self.window.setRange(2, 500)
        self.window.setValue(10)
        self.window.setSuffix(self.tr(" steps"))
        self.window.setToolTip(self.tr("How many steps the moving average spans."))
        self.log_y = QCheckBox(self.tr("Log scale"))
        self.log_y.setToolTip(self.tr("Show the losses on a logarithmic axis."))
        self.follow = QPushButton(self.tr("Fit view"))
        self.follow.setToolTip(self.tr("Zoom out to show all data (drag to pan, wheel to zoom, right-click for more)."))
        # One "Export" button with a menu: two wide buttons kept the whole window wider than a 1024 px screen.
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Save both plots as an image, or every recorded value as a table."))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(self.tr("Image (PNG)…"), self._export_png_dialog)
        menu.addAction(self.tr("Table for a spreadsheet (CSV)…"), self._export_csv_dialog)
        self.export_button.setMenu(menu)
        for w in (self.smooth, self.window, self.log_y):
            w.toggled.connect(self._mark_dirty) if isinstance(w, QCheckBox) else w.valueChanged.connect(
                self._mark_dirty
            )
        self.log_y.toggled.connect(lambda on: self.loss_plot.setLogMode(y=on))
        self.follow.clicked.connect(self.fit_view)

        bar = QFlowLayout()  # wraps on a narrow window instead of widening it
        for w in (self.smooth, self.window, self.log_y, self.follow, self.export_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.loss_plot)
        self.split.addWidget(self.acc_plot)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([600, 400])
        layout.addWidget(self.split, 1)

        self._timer = QTimer(self, interval=REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Side by side when there is room, one above the other when not (the tab is about 400 px wide
        on a 1024 px screen with the Start panel open); legends take as many columns as fit."""
        super().resizeEvent(event)
        width = event.size().width()
        orientation = Qt.Orientation.Horizontal if width >= SIDE_BY_SIDE_PX else Qt.Orientation.Vertical
        if self.split.orientation() != orientation:
            self.split.setOrientation(orientation)
            self._set_stacked(orientation == Qt.Orientation.Vertical)
        side_by_side = orientation == Qt.Orientation.Horizontal
        loss_w = width * 0.6 if side_by_side else width
        acc_w = width * 0.4 if side_by_side else width
        for legend, plot_w, most in ((self.legends["loss"], loss_w, 3), (self.legends["accuracy"], acc_w, 2)):
            columns = max(1, min(most, int((plot_w - 50) // 125)))
            if legend.columnCount != columns:
                legend.setColumnCount(columns)
        QTimer.singleShot(0, self._fit_to_height)  # once the plots have their new height

    def _fit_to_height(self) -> None:
        """Marker labels in rows, and a y-axis title only where it fits along its axis (a short plot
        showed "accurac"; the legend still says what is drawn)."""
        self._place_marker_labels()
        for plot in (self.loss_plot, self.acc_plot):
            axis = plot.getAxis("left")
            fits = axis.label.boundingRect().width() + 4 <= axis.geometry().height()
            if axis.label.isVisible() != fits:
                axis.showLabel(fits)

    def _set_stacked(self, stacked: bool) -> None:
        """One plot above the other leaves each little height: no titles (the legends and axes say what
        is drawn) and one "training step" label, under the lower plot."""
        for plot, title in (
            (self.loss_plot, self.tr("Losses per step")),
            (self.acc_plot, self.tr("Accuracy after each epoch")),
        ):
            plot.setTitle(None if stacked else title)
        self.loss_plot.getAxis("bottom").showLabel(not stacked)

    # ------------------------------------------------------------------ data in
    def clear(self) -> None:
        self.steps.clear()
        self.epochs.clear()
        for line in self.markers:
            self.loss_plot.removeItem(line)
        for line in self._acc_markers:
            self.acc_plot.removeItem(line)
        self.markers, self._acc_markers = [], []
        self._dirty, self._epochs_drawn, self._loss_drawn = True, -1, -1
        self._following = True  # a new run: the view follows it again
        self._run_steps = None

    def set_run_length(self, steps: int) -> None:
        """The run will last ``steps`` steps: show all of them from the start (no axis jumps mid-run)."""
        self._run_steps = steps if 0 < steps <= WHOLE_RUN_MAX_STEPS else None
        if self._run_steps and self._following:
            self.loss_plot.setXRange(0, self._run_steps, padding=0.01)
            self.acc_plot.setXRange(0, self._run_steps, padding=0.01)

    def add_step(self, m: StepMetrics) -> None:
        self.steps.append((m.step, m.loss_clean, m.loss_adv, m.weighted_adv, m.l1_penalty + m.l2_penalty, m.loss_total))
        self._dirty = True

    def curve(self, key: str) -> pg.PlotDataItem:
        """The plotted curve of one quantity (a LOSS_CURVES or ACC_CURVES key), as drawn at the last redraw."""
        return self._curves[key]

    def add_epoch(self, m: EpochMetrics) -> None:
        self.epochs.append((m.step, m.epoch, m.clean_accuracy, m.robust_accuracy))
        self._dirty = True

    def add_marker(self, applied: ConfigApplied) -> pg.InfiniteLine | None:
        if not applied.changes:
            return None
        text = ", ".join(f"{_short(k)} {_fmt(k, v)}" for k, v in applied.changes)
        x = applied.step - 0.5  # between the last step with the old value and the first with the new one
        line = pg.InfiniteLine(
            pos=x,
            angle=90,
            movable=False,
            pen=_pen("#6a3d9a", "dash"),
            label=text,
            labelOpts={
                "position": 0.97,  # placed in rows by _place_marker_labels
                "color": "#4a2377",
                "anchors": [(0, 0), (0, 0)],
                "fill": pg.mkBrush(255, 255, 255, 220),
            },
        )
        line.setToolTip(self.tr("Applied from step %1: %2").replace("%1", str(applied.step)).replace("%2", text))
        self.loss_plot.addItem(line)
        twin = pg.InfiniteLine(pos=x, angle=90, movable=False, pen=_pen("#6a3d9a", "dash"))
        self.acc_plot.addItem(twin)
        self.markers.append(line)
        self._acc_markers.append(twin)
        self._place_marker_labels()
        return line

    def _place_marker_labels(self) -> None:
        """Marker labels in rows one text line apart from the top of the loss plot (three rows, then
        again from the top), so that nearby markers' labels do not cover each other at any plot height
        or text size (a fixed fraction of the height overlapped in short plots)."""
        view_h = self.loss_plot.getPlotItem().vb.height()
        if view_h <= 0 or not self.markers:
            return
        line_h = max(m.label.boundingRect().height() for m in self.markers) + 2
        rows = max(1, min(3, int(view_h // line_h)))
        for i, marker in enumerate(self.markers):
            marker.label.setPosition(max(0.0, 1.0 - (2 + (i % rows) * line_h) / view_h))

    # ------------------------------------------------------------------ drawing
    def _mark_dirty(self, *_: object) -> None:
        self._dirty = True

    def redraw(self) -> None:
        """Update what changed, one plot per tick: Qt paints every changed widget of the window in one
        pass, so the accuracy plot (new points once per epoch) and the loss plot never change in the same
        tick; the other follows 50 ms later. Each pass then costs one plot's paint, not two."""
        if self._acc_x is not None:
            self.acc_plot.setXRange(0, self._acc_x, padding=0)
            self._acc_x = None
            return  # this frame repaints the accuracy plot: the rest waits for the next tick
        if not self._dirty:
            return
        if self.epochs.size != self._epochs_drawn:
            self._epochs_drawn = self.epochs.size
            ex = self.epochs.column("step")
            for key, *_ in ACC_CURVES:
                self._curves[key].setData(ex, self.epochs.column(key), connect="finite")
            if self._loss_drawn != self.steps.size:
                return  # the losses next tick (still dirty)
        self._dirty = False
        self._loss_drawn = self.steps.size
        x = self.steps.column("step")
        window = self.window.value() if self.smooth.isChecked() else 1
        shown = []
        for key, *_ in LOSS_CURVES:
            y = self.steps.column(key)
            if key == "loss_adv" and np.all(y == 0):  # no attack: keep the legend, draw nothing
                self._curves[key].setData([], [])
                continue
            y = moving_average(y, window)
            if self.log_y.isChecked():
                y = np.where(y > 0, y, np.nan)
            self._curves[key].setData(x, y, connect="finite")
            shown.append(y)
        self._follow(x, shown)

    def _stop_following(self, *_: object) -> None:
        self._following = False

    def _follow(self, x: np.ndarray, ys: list[np.ndarray]) -> None:
        """Move the loss view (and the accuracy view's x) only when the data need it (see the docstring)."""
        if not self._following or not len(x):
            return
        view = self.loss_plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        xmax = float(x[-1])
        if self._run_steps and xmax <= self._run_steps:
            pass  # the axis spans the whole run already (set_run_length)
        elif xmax > x1 or x1 > 4 * max(xmax, 8) or x0 > 0.05 * x1:
            x1 = max(8.0, xmax * 2.0)
            self.loss_plot.setXRange(0, x1, padding=0)
            self._acc_x = x1
        finite = [v[np.isfinite(v)] for v in ys]
        finite = [v for v in finite if len(v)]
        if not finite:
            return
        lo, hi = min(float(v.min()) for v in finite), max(float(v.max()) for v in finite)
        if self.log_y.isChecked():
            lo, hi = np.log10(max(lo, 1e-12)), np.log10(max(hi, 1e-12))
        span = max(hi - lo, 1e-6)
        if lo < y0 or hi > y1 or span < 0.5 * (y1 - y0):
            self.loss_plot.setYRange(lo - 0.08 * span, hi + 0.08 * span, padding=0)

    def fit_view(self) -> None:
        self._following = True
        self._dirty = True
        self.redraw()

    # ------------------------------------------------------------------ export
    def export_png(self, path: str | Path) -> None:
        from pyqtgraph.exporters import ImageExporter

        for _ in range(3):  # a redraw updates one plot (and a pending x range takes one more)
            self.redraw()
        path = Path(path)
        ImageExporter(self.loss_plot.plotItem).export(str(path.with_name(path.stem + "-losses" + path.suffix)))
        ImageExporter(self.acc_plot.plotItem).export(str(path.with_name(path.stem + "-accuracy" + path.suffix)))
        self.grab().save(str(path))

    def export_csv(self, path: str | Path) -> None:
        """All raw (unsmoothed) values: one row per step, epoch accuracies on their step's row."""
        acc = {
            int(s): (c, r)
            for s, c, r in zip(
                self.epochs.column("step"),
                self.epochs.column("clean_accuracy"),
                self.epochs.column("robust_accuracy"),
                strict=True,
            )
        }
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*self.steps.columns, "clean_accuracy", "robust_accuracy"])
            data = np.column_stack([self.steps.column(c) for c in self.steps.columns])
            for row in data:
                c, r = acc.get(int(row[0]), ("", ""))
                writer.writerow([int(row[0]), *(f"{v:.6g}" for v in row[1:]), c, r])

    def _export_png_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export plots"), "curves.png", self.tr("PNG image (*.png)"))
        if path:
            self.export_png(path)

    def _export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export values"), "curves.csv", self.tr("CSV table (*.csv)")
        )
        if path:
            self.export_csv(path)


# The short names of the live settings in change markers and the knobs' "in force" note (context "Knob").
SHORT_NAMES = {
    "train.lam": "λ",
    "train.beta": "β",
    "attack.eps": "ε",
    "attack.name": QT_TRANSLATE_NOOP("Knob", "attack"),
    "attack.steps": QT_TRANSLATE_NOOP("Knob", "PGD steps"),
    "attack.step_size": QT_TRANSLATE_NOOP("Knob", "step size"),
    "train.lr": QT_TRANSLATE_NOOP("Knob", "learning rate"),
    "model.dropout": QT_TRANSLATE_NOOP("Knob", "dropout"),
    "regularization.l1": "L1",
    "regularization.l2": "L2",
    "augment.noise_std": QT_TRANSLATE_NOOP("Knob", "noise"),
    "augment.crop_padding": QT_TRANSLATE_NOOP("Knob", "crop"),
    "augment.rotation": QT_TRANSLATE_NOOP("Knob", "rotation"),
    "augment.shift": QT_TRANSLATE_NOOP("Knob", "shift"),
    "augment.hflip": QT_TRANSLATE_NOOP("Knob", "hflip"),
    "train.gallery_every": QT_TRANSLATE_NOOP("Knob", "gallery_every"),
    "train.gallery_seconds": QT_TRANSLATE_NOOP("Knob", "gallery_seconds"),
}


def _short(key: str) -> str:
    return QCoreApplication.translate("Knob", SHORT_NAMES.get(key, key.split(".")[-1]))


def _fmt(key: str, value: Any) -> str:
    """A value as the knobs show it: ε in 1/255 steps, switches as on/off."""
    if key == "attack.eps":
        return f"→ {eps_text(value)}"
    if isinstance(value, bool):
        return QCoreApplication.translate("Knob", "on") if value else QCoreApplication.translate("Knob", "off")
    if isinstance(value, float):
        return f"→ {value:.3g}"
    return f"→ {value}"
