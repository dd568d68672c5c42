"""Draw your own digit: the model's answer updates as you draw; one button makes the adversarial version.

The drawing is turned into what the built-in 8×8 digits look like: the ink's bounding box is made square
with a margin, then averaged down to 8×8 (each cell = the share of its area covered by ink, 0..1), as the
UCI digits count the set pixels of 4×4 blocks of a 32×32 bitmap. Predictions and the attack are jobs of
the engine process (engine.demo_attacks, through the window's controller) on a single 8×8 image: a few
milliseconds there, so the answer follows the pen. While one answer is computed, newer drawings wait
and only the newest is sent (the controller keeps one request of a kind in flight).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.demo import DEMO_ATTACK, DEMO_MODELS
from engine.gallery_images import to_rgb8
from engine.messages import Prediction
from gui.pixmaps import pixmap

CANVAS = 256
PEN = 22


def to_digit_image(gray: np.ndarray, size: int = 8) -> np.ndarray:
    """H×W uint8 drawing (ink bright) -> size×size float32 in [0, 1], framed like the 8×8 digits."""
    ink = np.asarray(gray, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(ink > 0.1)
    if len(rows) == 0:
        return np.zeros((size, size), np.float32)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    side = int(max(bottom - top, right - left) * 1.1) + 1
    side = -(-side // size) * size  # a multiple of size, so the averaging blocks are equal
    framed = np.zeros((side, side), np.float32)
    h, w = bottom - top, right - left
    y0, x0 = (side - h) // 2, (side - w) // 2
    framed[y0 : y0 + h, x0 : x0 + w] = ink[top:bottom, left:right]
    framed = _thicken(framed, side / 7.0)  # strokes about 1/7 of the digit, as in the UCI bitmaps
    block = side // size
    return framed.reshape(size, block, size, block).mean(axis=(1, 3)).clip(0.0, 1.0)


def _thicken(ink: np.ndarray, width: float) -> np.ndarray:
    """Widen strokes drawn with the PEN to about ``width`` pixels (a separable maximum filter)."""
    radius = int(max(0.0, width - PEN) / 2)
    if radius == 0:
        return ink
    out = ink.copy()
    for axis in (0, 1):
        grown = out.copy()
        for shift in range(1, radius + 1):
            for sign in (1, -1):
                np.maximum(grown, np.roll(out, sign * shift, axis=axis), out=grown)
        out = grown
    return out


class DrawingCanvas(QWidget):
    """A black square to draw on with the mouse in thick white strokes."""

    drawn = Signal()  # after every stroke segment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(CANVAS, CANVAS)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Draw a digit here with the mouse"))
        self.image = QImage(CANVAS, CANVAS, QImage.Format.Format_Grayscale8)
        self._last: QPoint | None = None
        self._drawing = False  # own flag: synthetic move events (tests, tablets) may not carry the button
        self.clear()

    def clear(self) -> None:
        self.image.fill(QColor(0, 0, 0))
        self.update()
        self.drawn.emit()

    def array(self) -> np.ndarray:
        ptr = self.image.constBits()
        stride = self.image.bytesPerLine()
        return np.frombuffer(ptr, np.uint8, count=stride * CANVAS).reshape(CANVAS, stride)[:, :CANVAS].copy()

    def digit(self) -> np.ndarray:
        return to_digit_image(self.array())

    def _line(self, end: QPoint) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(QColor(255, 255, 255), PEN, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        )
        painter.drawLine(self._last or end, end)
        painter.end()
        self._last = end
        self.update()
        self.drawn.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last, self._drawing = None, True
            self._line(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing:
            self._line(event.position().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last, self._drawing = None, False

    def paintEvent(self, event: QPaintEvent) -> None:
        QPainter(self).drawImage(0, 0, self.image)


class ProbabilityBars(QWidget):
    """One bar per class, the highest one named above them."""

    def __init__(self, names: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("–")
        self.headline.setObjectName("predictionHeadline")
        self.headline.setStyleSheet("font-size: 20pt; font-weight: 600;")
        grid = QGridLayout()
        grid.setVerticalSpacing(1)
        self.bars: list[QProgressBar] = []
        for i, name in enumerate(names):
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setFormat("%p%")
            bar.setMaximumHeight(16)
            grid.addWidget(QLabel(name), i, 0)
            grid.addWidget(bar, i, 1)
            self.bars.append(bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addLayout(grid)

    def show_probabilities(self, probs: np.ndarray | None, headline: str) -> None:
        for i, bar in enumerate(self.bars):
            bar.setValue(0 if probs is None else int(round(float(probs[i]) * 1000)))
        self.headline.setText(headline)


class DrawDigitDialog(QDialog):
    """Canvas | what the model sees and its answer | the adversarial version and the new answer."""

    answered = Signal()  # after each answer of the engine is shown (tests wait for it)

    def __init__(self, controller, eps: float = DEMO_ATTACK.eps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Draw your own digit"))
        self.controller = controller
        self.eps = eps
        self.model_choice = QComboBox()
        for kind, label in (("standard", self.tr("Standard model")), ("robust", self.tr("Robust model"))):
            if kind in DEMO_MODELS:
                self.model_choice.addItem(label, kind)
        names = tuple(str(i) for i in range(10))  # the shipped models read the digits 0-9
        self.names = names
        self.model_choice.setToolTip(self.tr("Which of the two shipped models answers"))
        self.canvas = DrawingCanvas()
        self.clear_button = QPushButton(self.tr("Clear"))
        self.seen = QLabel()
        self.seen.setFixedSize(128, 128)
        self.seen.setToolTip(self.tr("Your drawing as the model sees it: 8×8 pixels, like the training digits"))
        self.bars = ProbabilityBars(names)
        self.attack_button = QPushButton(self.tr("Make it adversarial (ε = %1)").replace("%1", f"{eps:.2f}"))
        self.attack_button.setObjectName("primaryButton")
        self.attack_button.setToolTip(self.tr("Change every pixel by at most ε so that the model changes its mind"))
        self.adv_seen = QLabel()
        self.adv_seen.setFixedSize(128, 128)
        self.adv_bars = ProbabilityBars(names)
        self.adversarial: np.ndarray | None = None
        self.prediction: Prediction | None = None
        self.adv_prediction: Prediction | None = None
        self._drawing_id = 0  # bumped by every stroke: an answer about an older drawing is not shown

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("1. Draw a digit (0–9)")))
        left.addWidget(self.canvas)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.model_choice, 1)
        left.addLayout(row)
        middle = QVBoxLayout()
        middle.addWidget(QLabel(self.tr("2. What the model sees and says")))
        middle.addWidget(self.seen)
        middle.addWidget(self.bars)
        right = QVBoxLayout()
        right.addWidget(self.attack_button)
        right.addWidget(self.adv_seen)
        right.addWidget(self.adv_bars)
        layout = QHBoxLayout(self)
        for column in (left, middle, right):
            column.addStretch(1)
            layout.addLayout(column)

        self.canvas.drawn.connect(self.update_prediction)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.model_choice.currentIndexChanged.connect(lambda _i: self.update_prediction())
        self.attack_button.clicked.connect(self.make_adversarial)
        self.update_prediction()

    @property
    def kind(self) -> str:
        return str(self.model_choice.currentData())

    def update_prediction(self) -> None:
        digit = self.canvas.digit()
        self._drawing_id += 1
        self.seen.setPixmap(pixmap(to_rgb8(digit[None]), 128))
        self.adversarial = self.adv_prediction = None
        self.adv_seen.clear()
        self.adv_bars.show_probabilities(None, self.tr("3. Press the button above"))
        self.attack_button.setEnabled(False)
        if not digit.any():
            self.prediction = None
            self.bars.show_probabilities(None, self.tr("Draw something"))
            return
        drawing = self._drawing_id
        self.controller.request(
            "predict",
            {"kind": self.kind, "image": digit},
            lambda result: self._show_prediction(drawing, *result),
            on_failed=self._show_failure,
        )

    def _show_prediction(self, drawing: int, prediction: Prediction, names: tuple[str, ...]) -> None:
        if drawing != self._drawing_id:
            return  # the person drew on since: the newer drawing's answer follows
        self.prediction = prediction
        self.bars.show_probabilities(
            prediction.probabilities,
            self.tr("It is a %1 (%2%)")
            .replace("%1", names[prediction.label])
            .replace("%2", f"{prediction.confidence * 100:.0f}"),
        )
        self.attack_button.setEnabled(True)
        self.answered.emit()

    def _show_failure(self, text: str) -> None:
        self.bars.show_probabilities(None, self.tr("No answer: %1").replace("%1", text))
        self.answered.emit()

    def make_adversarial(self) -> None:
        digit = self.canvas.digit()
        if not digit.any():
            return
        drawing = self._drawing_id
        self.attack_button.setEnabled(False)
        self.controller.request(
            "attack_image",
            {"kind": self.kind, "image": digit, "eps": float(self.eps)},
            lambda result: self._show_adversarial(drawing, *result),
            on_failed=self._show_failure,
        )

    def _show_adversarial(self, drawing: int, adversarial: np.ndarray, before: Prediction, after: Prediction) -> None:
        self.attack_button.setEnabled(True)
        if drawing != self._drawing_id:
            return
        self.adversarial, self.adv_prediction = adversarial, after
        self.adv_seen.setPixmap(pixmap(to_rgb8(adversarial), 128))
        changed = after.label != before.label
        text = self.tr("Fooled! Now a %1 (%2%)") if changed else self.tr("Not fooled: still a %1 (%2%)")
        self.adv_bars.show_probabilities(
            after.probabilities,
            text.replace("%1", self.names[after.label]).replace("%2", f"{after.confidence * 100:.0f}"),
        )
        self.answered.emit()
