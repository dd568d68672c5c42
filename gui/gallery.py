"""The adversarial gallery: for each sample, original | perturbation | adversarial, with predictions.

The perturbation is amplified to the largest change in the batch and drawn on a blue-white-red map
centred on zero (blue: darker, red: brighter). A red frame and "FOOLED" mark samples that were right
before the attack and wrong after. Clicking a sample opens a dialog with both class-probability bars.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.gallery_images import change_scale, eps_text, sample_tiles
from engine.messages import GalleryBatch, SampleExplanation
from gui.pixmaps import pixmap
from gui.saliency import SaliencyView

# Asks the engine for a sample's saliency maps: (batch, index, on_done, on_failed) -> False when there is
# no model to ask. The main window passes the controller's ``explain``.
Explainer = Callable[[GalleryBatch, int, Callable[[SampleExplanation], None], Callable[[str], None]], bool]

TILE = 64  # pixels per image in the grid
SUBTLE_EPS = 8 / 255  # up to this ε most people see no change in an image (the usual bound for "imperceptible")


def _set_text(label: QLabel, text: str) -> None:
    """Rich text is laid out again on every setText: skip it when nothing changed (most refreshes)."""
    if label.text() != text:
        label.setText(text)


def _image_label(pix: QPixmap, tip: str) -> QLabel:
    label = QLabel()
    label.setPixmap(pix)
    label.setToolTip(tip)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class GalleryCell(QFrame):
    """One sample: three images in a row and two prediction lines; click to enlarge. Reused across batches."""

    clicked = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None, tile: int = TILE) -> None:
        super().__init__(parent)
        self.index = index
        self.tile = tile
        self.fooled = False
        self.prediction_clean = self.prediction_adv = -1
        self._shown_original: np.ndarray | None = None
        self.setObjectName("galleryCell")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(QCoreApplication.translate("Gallery", "Click to enlarge and see all class probabilities"))
        self.original = _image_label(QPixmap(), QCoreApplication.translate("Gallery", "Original image"))
        self.change = _image_label(
            QPixmap(),
            QCoreApplication.translate("Gallery", "The attacker's change, amplified (red brighter, blue darker)"),
        )
        self.adversarial = _image_label(QPixmap(), QCoreApplication.translate("Gallery", "Attacked image"))
        images = QHBoxLayout()
        images.setSpacing(3)
        for label in (self.original, self.change, self.adversarial):
            label.setFixedSize(tile, tile)
            images.addWidget(label)
        self.text_clean, self.text_adv = QLabel(), QLabel()
        for t in (self.text_clean, self.text_adv):
            t.setTextFormat(Qt.TextFormat.RichText)
            t.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(5, 5, 5, 5)
        layout.setSpacing(2)
        layout.addLayout(images)
        layout.addWidget(self.text_clean)
        layout.addWidget(self.text_adv)

    def set_sample(self, batch: GalleryBatch, scale: float) -> None:
        i, names = self.index, batch.class_names
        label, pc, pa = int(batch.labels[i]), int(batch.pred_clean[i]), int(batch.pred_adv[i])
        self.prediction_clean, self.prediction_adv = pc, pa
        original, change, adversarial = sample_tiles(batch.original[i], batch.adversarial[i], scale)
        if self._shown_original is None or not np.array_equal(original, self._shown_original):
            self.original.setPixmap(pixmap(original, self.tile))  # during training it is the same image each time
            self._shown_original = original
        self.change.setPixmap(pixmap(change, self.tile))
        self.adversarial.setPixmap(pixmap(adversarial, self.tile))
        conf_c, conf_a = float(batch.probs_clean[i, pc]), float(batch.probs_adv[i, pa])
        mark = "" if pc == label else " ✗"
        _set_text(
            self.text_clean,
            QCoreApplication.translate("Gallery", "true <b>{true}</b> · seen as {seen} ({conf})").format(
                true=names[label], seen=names[pc], conf=f"{conf_c:.0%}"
            )
            + mark,
        )
        fooled = bool(batch.fooled[i])
        word = QCoreApplication.translate("Gallery", "FOOLED")
        verdict = f"<span style='color:#c62828'><b>{word}</b></span> → " if fooled else ""
        text = QCoreApplication.translate("Gallery", "attacked: {verdict}{seen} ({conf})").format(
            verdict=verdict, seen=names[pa], conf=f"{conf_a:.0%}"
        )
        if batch.targets is not None and int(batch.targets[i]) != label:
            text += " · " + QCoreApplication.translate("Gallery", "aim {target}").format(
                target=names[int(batch.targets[i])]
            )
        _set_text(self.text_adv, text)
        if fooled != self.fooled or self.property("fooled") is None:
            self.fooled = fooled
            self.setProperty("fooled", fooled)
            self.style().unpolish(self)
            self.style().polish(self)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.index)
        super().mousePressEvent(event)


class SampleDialog(QDialog):
    """An enlarged sample with the class probabilities before and after the attack."""

    def __init__(
        self, batch: GalleryBatch, index: int, parent: QWidget | None = None, explainer: Explainer | None = None
    ) -> None:
        super().__init__(parent)
        names = batch.class_names
        label = int(batch.labels[index])
        self.setWindowTitle(
            QCoreApplication.translate("Gallery", "Sample {n}: true class {name}").format(
                n=index + 1, name=names[label]
            )
        )
        scale = change_scale(batch.perturbation)  # as in the gallery: the same amplification at every ε
        original, change, adversarial = sample_tiles(batch.original[index], batch.adversarial[index], scale)
        row = QHBoxLayout()
        for title, rgb in (
            (QCoreApplication.translate("Gallery", "Original"), original),
            (
                QCoreApplication.translate("Gallery", "Change (±{px}/255 at full colour)").format(
                    px=f"{scale * 255:.0f}"
                ),
                change,
            ),
            (
                QCoreApplication.translate("Gallery", "Attacked ({attack}, ε = {eps})").format(
                    attack=batch.attack.upper(), eps=eps_text(batch.eps)
                ),
                adversarial,
            ),
        ):
            box = QVBoxLayout()
            caption = QLabel(title)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(caption)
            box.addWidget(_image_label(pixmap(rgb, 170), title))
            row.addLayout(box)
        self.plot = pg.PlotWidget()
        self.plot.setTitle(QCoreApplication.translate("Gallery", "Class probabilities"))
        self.plot.setLabel("left", QCoreApplication.translate("Gallery", "probability"))
        self.plot.setYRange(0, 1.0, padding=0.02)
        k = len(names)
        xs = np.arange(k)
        self.bars_clean = pg.BarGraphItem(
            x=xs - 0.2,
            height=batch.probs_clean[index],
            width=0.38,
            brush="#1f77b4",
            name=QCoreApplication.translate("Gallery", "before attack"),
        )
        self.bars_adv = pg.BarGraphItem(
            x=xs + 0.2,
            height=batch.probs_adv[index],
            width=0.38,
            brush="#d62728",
            name=QCoreApplication.translate("Gallery", "after attack"),
        )
        self.plot.addLegend(offset=(-10, 10))  # the bars' names fill it
        self.plot.addItem(self.bars_clean)
        self.plot.addItem(self.bars_adv)
        self.plot.getAxis("bottom").setTicks([[(i, str(n)) for i, n in enumerate(names)]])
        self.plot.setMouseEnabled(x=False, y=False)
        pc, pa = int(batch.pred_clean[index]), int(batch.pred_adv[index])
        verdict = (
            "<b style='color:#c62828'>" + QCoreApplication.translate("Gallery", "The attack fooled the model.") + "</b>"
            if batch.fooled[index]
            else QCoreApplication.translate("Gallery", "The attack did not change a right answer.")
            if pc == label == pa
            else QCoreApplication.translate("Gallery", "The model was already wrong before the attack.")
            if pc != label
            else QCoreApplication.translate("Gallery", "The model was right before and still is.")
        )
        self.summary = QLabel(
            QCoreApplication.translate(
                "Gallery",
                "True class <b>{true}</b>. Before the attack the model says <b>{before}</b> ({p_before}); "
                "after it, <b>{after}</b> ({p_after}). {verdict}",
            ).format(
                true=names[label],
                before=names[pc],
                p_before=f"{batch.probs_clean[index, pc]:.0%}",
                after=names[pa],
                p_after=f"{batch.probs_adv[index, pa]:.0%}",
                verdict=verdict,
            )
        )
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.saliency = SaliencyView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plot, QCoreApplication.translate("Gallery", "Class &probabilities"))
        self.tabs.addTab(self.saliency, QCoreApplication.translate("Gallery", "What the model &looks at"))
        self.tabs.setTabToolTip(
            1,
            QCoreApplication.translate(
                "Gallery",
                "Saliency maps: which pixels the answer depends on, for this model and the shipped standard "
                "and robust models",
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.resize(760, 620)
        if explainer is None or not explainer(batch, index, self._explained, self._not_explained):
            self.saliency.show_failed(QCoreApplication.translate("Gallery", "there is no model to ask."))

    def _explained(self, explanation: SampleExplanation) -> None:
        if shiboken6.isValid(self.saliency):  # the dialog may have been closed before the answer came
            self.saliency.show_explanation(explanation)

    def _not_explained(self, text: str) -> None:
        if shiboken6.isValid(self.saliency):
            self.saliency.show_failed(text)


class GalleryView(QWidget):
    """A grid of ``GalleryCell``s, refilled on each batch; as many columns as the width allows."""

    REFRESH_MS = 500
    targetChosen = Signal(object)  # None (any wrong class), a class number as text, "random", "least-likely"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch: GalleryBatch | None = None
        self.cells: list[GalleryCell] = []
        self.header = QLabel("The gallery shows attacked examples once training starts.")
        self.header.setObjectName("galleryHeader")
        self.header.setWordWrap(True)
        # "Make it look like a …": a targeted attack on the gallery (outside training; engine.attacks).
        self.target = QComboBox()
        self.target.setObjectName("galleryTarget")
        self.target.setToolTip(
            QCoreApplication.translate(
                "Gallery",
                "Aim the attack at a class of your choice: the attacker changes each image until the model sees "
                "that class (a targeted attack, harder than just any wrong answer). Works on a finished model.",
            )
        )
        self._target_label = QLabel(QCoreApplication.translate("Gallery", "Ma&ke it look like a:"))
        self._target_label.setBuddy(self.target)
        self._target_names: tuple[str, ...] = ()
        self._fill_targets(())
        self.target.activated.connect(lambda _i: self.targetChosen.emit(self.target.currentData()))
        target_row = QHBoxLayout()
        target_row.setContentsMargins(0, 0, 0, 0)
        target_row.addWidget(self._target_label)
        target_row.addWidget(self.target)
        target_row.addStretch(1)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setSpacing(6)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.columns = 4
        self.tile = TILE
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addLayout(target_row)
        layout.addWidget(scroll, 1)
        self.dialog: SampleDialog | None = None
        self.explainer: Explainer | None = None  # set by the main window
        self.model_text = ""
        self.compact = False
        self._pending: GalleryBatch | None = None
        self._examples: tuple[np.ndarray, int] | None = None  # see expect_examples
        self._throttle = QTimer(self, singleShot=True, interval=self.REFRESH_MS)
        self._throttle.timeout.connect(self._on_throttle)

    def show_batch(self, batch: GalleryBatch, immediate: bool = False) -> None:
        """Show a batch; during fast training at most one every REFRESH_MS (the newest wins)."""
        self._pending = batch
        if immediate or not self._throttle.isActive():
            self._render()

    def _on_throttle(self) -> None:
        if self._pending is not None:
            self._render()

    def _render(self) -> None:
        batch, self._pending = self._pending, None
        if batch is None:
            return
        self._throttle.start(self.REFRESH_MS)
        self.batch = batch
        if batch.class_names != self._target_names:
            self._fill_targets(batch.class_names)
        n = len(batch.labels)
        while len(self.cells) > n:
            cell = self.cells.pop()
            self._grid.removeWidget(cell)
            cell.deleteLater()
        while len(self.cells) < n:
            cell = GalleryCell(len(self.cells), self._grid_host, self.tile)
            cell.clicked.connect(self.open_sample)
            self._grid.addWidget(cell, cell.index // self.columns, cell.index % self.columns)
            self.cells.append(cell)
        self._relayout()
        scale = change_scale(batch.perturbation)
        for cell in self.cells:
            cell.set_sample(batch, scale)
        fooled = int(batch.fooled.sum())
        right = int((batch.pred_clean == batch.labels).sum())
        # step 0: a finished model, not training
        step = ""
        if batch.step:
            step = QCoreApplication.translate("Gallery", "<b>Step {step}</b> · ").format(step=batch.step)
        summary = QCoreApplication.translate(
            "Gallery",
            "Attack <b>{attack}</b> at ε = {eps} · {right}/{n} recognised before the attack, "
            "<b style='color:#c62828'>{fooled} fooled</b> by it",
        ).format(attack=batch.attack.upper(), eps=eps_text(batch.eps), right=right, n=n, fooled=fooled)
        if batch.targets is not None:
            aimed = batch.targets != batch.labels
            hit = int((batch.pred_adv[aimed] == batch.targets[aimed]).sum())
            summary += " · " + QCoreApplication.translate(
                "Gallery", "<b>{hit}/{n}</b> now seen as the class they were pushed toward"
            ).format(hit=hit, n=int(aimed.sum()))
        if batch.eps <= SUBTLE_EPS:
            seen = QCoreApplication.translate("Gallery", "a change most people cannot see")
        else:
            seen = QCoreApplication.translate("Gallery", "a change you can see, yet a person still reads each image")
        legend = QCoreApplication.translate(
            "Gallery",
            "Each sample: original | the change, amplified ×{amp} at every ε (red brighter, blue darker) | "
            "attacked image: {seen}. Click one to enlarge.",
        ).format(amp=f"{1 / scale:.0f}", seen=seen)
        model = ""
        if self.model_text:
            model = QCoreApplication.translate("Gallery", "Model: {model}").format(model=self.model_text) + " · "
        examples = self._examples_note(batch)
        if self.compact:  # presentation mode: large type, the presenter explains the three pictures
            self.header.setText(f"{examples}{step}{summary}")
        else:
            self.header.setText(f"{examples}{step}{model}{summary}<br><span style='color:#5f6b7a'>{legend}</span>")

    def _fill_targets(self, class_names: tuple[str, ...]) -> None:
        """The choices of "Make it look like a": any wrong class, each class by name, random, least likely."""
        chosen = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem(QCoreApplication.translate("Gallery", "any wrong class (untargeted)"), None)
        for k, name in enumerate(class_names):
            self.target.addItem(name, str(k))
        self.target.addItem(QCoreApplication.translate("Gallery", "a random other class"), "random")
        self.target.addItem(QCoreApplication.translate("Gallery", "the class it finds least likely"), "least-likely")
        index = self.target.findData(chosen)
        self.target.setCurrentIndex(max(0, index))
        self.target.blockSignals(False)
        self._target_names = class_names

    def target_choice(self) -> str | None:
        return self.target.currentData()

    def set_running(self, running: bool) -> None:
        """Training shows the trainer's own (untargeted) attack: the choice waits for the end of the run."""
        self.target.setEnabled(not running)
        self._target_label.setEnabled(not running)
        if running:  # the run's gallery is untargeted: the box must not claim otherwise
            self.target.setCurrentIndex(0)

    def set_compact(self, compact: bool) -> None:
        """A one-line header (presentation mode), or the full one with the model and the legend."""
        self.compact = compact
        if self.batch is not None:
            self._pending = self.batch
            self._render()

    def expect_examples(self, images: np.ndarray, first: int) -> None:
        """The next batches are the Robustness tab's examples: ``first`` images that fall first, then those
        that hold longest. The header says so for as long as the gallery shows exactly these images (a move
        of ε re-attacks them); any other batch (training, another model) ends it, so it is never stale."""
        self._examples = (np.array(images, copy=True), first)

    def _examples_note(self, batch: GalleryBatch) -> str:
        if self._examples is None:
            return ""
        images, first = self._examples
        if batch.original.shape != images.shape or not np.array_equal(batch.original, images):
            self._examples = None
            return ""
        return (
            QCoreApplication.translate(
                "Gallery",
                "From the Robustness tab: the {first} images that fall first (the smallest critical ε), then the "
                "{last} that hold longest.",
            ).format(first=first, last=len(images) - first)
            + "<br>"
        )

    def set_model(self, description: str | None) -> None:
        """Name the model whose attacked images are shown (from the next batch on)."""
        self.model_text = description or ""

    def set_tile_size(self, size: int | None) -> None:
        """Bigger images (presentation mode) or back to the default (None); the cells are rebuilt."""
        self.tile = size or TILE
        for cell in self.cells:
            self._grid.removeWidget(cell)
            cell.deleteLater()
        self.cells.clear()
        if self.batch is not None:
            self.show_batch(self.batch, immediate=True)

    def _relayout(self) -> None:
        if not self.cells:
            return
        cell_width = self.cells[0].sizeHint().width() + self._grid.spacing()
        columns = max(1, (self._scroll.viewport().width() - 8) // max(1, cell_width))
        if columns == self.columns:
            return
        self.columns = columns
        for cell in self.cells:
            self._grid.removeWidget(cell)
        for cell in self.cells:
            self._grid.addWidget(cell, cell.index // columns, cell.index % columns)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()

    def open_sample(self, index: int) -> SampleDialog | None:
        if self.batch is None:
            return None
        self.dialog = SampleDialog(self.batch, index, self, self.explainer)
        self.dialog.show()
        return self.dialog
