"""Where each image falls: the histogram of per-image critical ε, and the digits that fall first and last.

The numbers come with the Robustness tab's curve (``EpsCurve.critical``, engine.suite): PGD's bisection
already found, for every held-out image, the first ε of the grid that breaks it. This widget only draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.gallery_images import eps_text, to_rgb8
from engine.messages import CriticalEps
from gui.pixmaps import pixmap

TILE = 40
COLUMNS = 3  # example images per row beside the histogram


class CriticalEpsView(QWidget):
    """A bar per ε of the grid (images first broken there), the median, and two rows of example images,
    which a button sends to the Training tab's gallery (original | change | attacked, at one ε)."""

    # the example images (first to fall, then those that hold longest), their labels, the ε to attack at
    galleryRequested = Signal(object, object, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.critical: CriticalEps | None = None
        self._drawn = True  # False: a measurement waits to be drawn until the view is shown (show_critical)
        self.summary = QLabel(self.tr("Measure robustness with PGD to see at which ε each image falls."))
        self.summary.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setTitle(self.tr("Critical ε of each image"))
        self.plot.setLabel("left", self.tr("images"))
        self.plot.setLabel("bottom", self.tr("ε (grey levels out of 255)"))
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setMouseEnabled(x=False, y=False)
        self.bars: pg.BarGraphItem | None = None
        self.median_line: pg.InfiniteLine | None = None
        self.plot.setMinimumHeight(120)
        # The examples sit beside the plot, not under it: the tab is short on a 1280×800 screen.
        self.first_label = QLabel(self.tr("These fall first:"))
        self.last_label = QLabel(self.tr("These hold longest:"))
        self.first_label.setToolTip(self.tr("Held-out images the model got right that the smallest ε already breaks"))
        self.last_label.setToolTip(self.tr("Held-out images that survive the largest ε (or fall last)"))
        self.grids = (QGridLayout(), QGridLayout())
        side = QVBoxLayout()
        for label, grid in zip((self.first_label, self.last_label), self.grids, strict=True):
            grid.setSpacing(3)
            side.addWidget(label)
            side.addLayout(grid)
        side.addStretch(1)
        # beside the summary, not under the digits: the side column is as tall as the plot may be on 1280×800
        self.gallery_button = QPushButton(self.tr("Sh&ow them in the gallery"))
        self.gallery_button.setObjectName("criticalToGallery")
        self.gallery_button.setEnabled(False)
        self.gallery_button.clicked.connect(self._request_gallery)
        self.tiles: list[list[QLabel]] = [[], []]
        row = QHBoxLayout()
        row.addWidget(self.plot, 1)
        row.addLayout(side)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.gallery_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row, 1)

    def clear(self) -> None:
        self.critical = None
        self._drawn = True  # nothing left to draw
        self.plot.clear()
        self.bars = self.median_line = None
        for row in self.tiles:
            for tile in row:
                tile.hide()  # deleted by Qt, which also takes it out of its layout
                tile.deleteLater()
        self.tiles = [[], []]
        self.gallery_button.setEnabled(False)
        self.gallery_button.setToolTip("")
        self.summary.setText(self.tr("Measure robustness with PGD to see at which ε each image falls."))

    def show_critical(self, critical: CriticalEps | None) -> None:
        """Take a measurement's critical ε; drawn now if the view is on screen, else when it is first shown.

        Drawing (bars, twelve tiles, their layout) is ~20 ms of the window's thread, which the measurement
        arrives on while the person may be looking at another tab (tests/gui/test_latency.py)."""
        self.clear()
        if critical is None or not len(critical.index):
            self.summary.setText(self.tr("No histogram: PGD was not among the attacks measured."))
            return
        self.critical = critical
        self._drawn = False
        if self.isVisible():
            self._draw()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._drawn:
            self._draw()

    def _draw(self) -> None:
        critical = self.critical
        self._drawn = True
        if critical is None:
            return
        grid = np.asarray(critical.eps) * 255
        counts = np.array([(critical.index == k).sum() for k in range(len(grid))], dtype=float)
        width = float(np.min(np.diff(grid))) * 0.8 if len(grid) > 1 else 4.0
        self.bars = pg.BarGraphItem(x=grid, height=counts, width=width, brush="#d62728")
        self.plot.addItem(self.bars)
        self.plot.setYRange(0, max(1.0, float(counts.max())), padding=0.05)
        self.plot.setXRange(0, float(grid.max()) + width, padding=0.02)
        median = critical.median
        if math.isfinite(median) and median > 0:
            self.median_line = pg.InfiniteLine(pos=median * 255, angle=90, pen=pg.mkPen("#111", width=2))
            self.plot.addItem(self.median_line)
        n = len(critical.index)
        wrong = int((critical.index < 0).sum())
        unbroken = int((critical.index == len(grid)).sum())
        if math.isinf(median):
            middle = self.tr("More than half of the images survive every ε measured.")
        elif median == 0:
            middle = self.tr("More than half of the images are wrong before any attack.")
        else:
            middle = self.tr("Median critical ε: %1 (black line): half of the images fall at or below it.").replace(
                "%1", eps_text(median)
            )
        self.summary.setText(
            middle
            + " "
            + self.tr("Of %1 images, %2 were wrong before any attack and %3 survive the largest ε.")
            .replace("%1", str(n))
            .replace("%2", str(wrong))
            .replace("%3", str(unbroken))
        )
        values = critical.values
        for row, (images, indices) in enumerate(
            ((critical.first_images, critical.first_index), (critical.last_images, critical.last_index))
        ):
            if images is None:
                continue
            for c, (image, i) in enumerate(zip(images, indices, strict=True)):
                tile = QLabel()
                tile.setPixmap(pixmap(to_rgb8(image), TILE))
                value = float(values[i])
                when = (
                    self.tr("not broken")
                    if math.isinf(value)
                    else self.tr("falls at ε = %1").replace("%1", eps_text(value))
                )
                tile.setToolTip(self.tr("Held-out image %1: %2").replace("%1", str(i + 1)).replace("%2", when))
                self.grids[row].addWidget(tile, c // COLUMNS, c % COLUMNS)
                self.tiles[row].append(tile)

        eps = self.gallery_eps()
        if eps is not None and critical.first_images is not None and critical.last_images is not None:
            self.gallery_button.setEnabled(True)
            self.gallery_button.setToolTip(
                self.tr(
                    "Attack these %3 images again in the Training tab's gallery, all at ε = %1 (%2): those that "
                    "fell first come first and should fall, those that held longest come last and should hold. "
                    "Move ε there to watch them go."
                )
                .replace("%3", str(len(critical.first_index) + len(critical.last_index)))
                .replace("%1", eps_text(eps))
                .replace("%2", self.tr("the median critical ε") if eps == critical.median else self.tr("the largest ε"))
            )

    def gallery_eps(self) -> float | None:
        """The one ε the gallery attacks the examples at: the median critical ε, where by definition half of
        the images fall (those that fall first are broken there, those that hold longest are not); the grid's
        largest ε when the median is 0 or beyond the grid."""
        critical = self.critical
        if critical is None or not critical.eps:
            return None
        median = critical.median
        return median if math.isfinite(median) and median > 0 else float(max(critical.eps))

    def _request_gallery(self) -> None:
        critical, eps = self.critical, self.gallery_eps()
        if critical is None or eps is None or critical.first_images is None or critical.last_images is None:
            return
        images = np.concatenate([critical.first_images, critical.last_images])
        labels = critical.labels[[*critical.first_index, *critical.last_index]]
        self.galleryRequested.emit(images, labels, eps)
