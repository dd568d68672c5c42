"""The status bar's permanent fields: what the window is doing, on which device, how fast, how far.

Fed by the main window with the engine's snapshots; it keeps the last step and refreshes the speed,
progress and time left four times a second, so a fast run does not re-lay-out the bar every step.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from engine.messages import EngineReady, RunFinished, RunStarted, StepMetrics
from gui import i18n

STATE_TEXT = {
    "idle": QT_TRANSLATE_NOOP("RunStatus", "Ready"),
    "running": QT_TRANSLATE_NOOP("RunStatus", "Training"),
    "paused": QT_TRANSLATE_NOOP("RunStatus", "Paused"),
    "stopping": QT_TRANSLATE_NOOP("RunStatus", "Stopping…"),
}
# The engine's device descriptions (engine.trainer.describe_device), re-made in the window's language.
DEVICE_TEXTS = (
    QT_TRANSLATE_NOOP("RunStatus", "cpu (%1 threads)"),
    QT_TRANSLATE_NOOP("RunStatus", "cpu (%1 thread)"),
    QT_TRANSLATE_NOOP("RunStatus", "cuda:%1 (%2)"),
)


def torch_version_text(version: str) -> str:
    """PyTorch's version as the status bar shows it: in a translated window the build tag in words
    ("2.5.1+cu124" -> "2.5.1 CUDA 12.4"), since "cu124" is not a word in any language."""
    public, _, build = version.partition("+")
    if not build or i18n.active_language() == "en":
        return version
    cuda = re.fullmatch(r"cu(\d+)(\d)", build)
    if cuda:
        return f"{public} CUDA {cuda[1]}.{cuda[2]}"
    return f"{public} CPU" if build == "cpu" else public


def format_seconds(seconds: float) -> str:
    if math.isnan(seconds) or seconds < 0:
        return "–"
    seconds = round(seconds)
    if seconds >= 3600:
        return (
            QCoreApplication.translate("RunStatus", "%1 h %2 min")
            .replace("%1", str(seconds // 3600))
            .replace("%2", f"{seconds % 3600 // 60:02d}")
        )
    return f"{seconds // 60}:{seconds % 60:02d}"


class RunStatus(QObject):
    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.state = "idle"
        self.state_label = QLabel()
        self.device_label = QLabel(self.tr("Device: –"))
        self.device_label.setToolTip(self.tr("The device actually used by the current run"))
        self.speed_label = QLabel(self.tr("– images/s"))
        self.epoch_progress = QProgressBar()
        self.epoch_progress.setRange(0, 1000)
        self.epoch_progress.setFixedWidth(200)
        self.epoch_progress.setFormat(self.tr("epoch –"))
        self.eta_label = QLabel(self.tr("time left –"))
        for w in (self.state_label, self.device_label, self.speed_label, self.epoch_progress, self.eta_label):
            bar.addPermanentWidget(w)
        # The figures change four times a second: with fixed widths a new text repaints one label instead
        # of re-laying out the status bar and the window above it (5–8 ms a time while training, measured).
        self._widest = {
            self.speed_label: self.tr("%1 images/s").replace("%1", "88,888"),
            self.eta_label: self.tr("time left %1").replace("%1", "88:88:88"),
        }
        for label in self._widest:
            label.installEventFilter(self)  # a new font (presentation mode) needs new widths
        self._fit_widths()
        self._last_step: StepMetrics | None = None
        self._epochs = 1
        self._timer = QTimer(self, interval=250)
        self._timer.timeout.connect(self._refresh)
        self._timer.start()

    def _fit_widths(self) -> None:
        for label, widest in self._widest.items():
            shown = label.text()
            label.setText(widest)  # the label's own size for its widest text (margins and indent included)
            label.setFixedWidth(label.sizeHint().width() + 6)
            label.setText(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and watched in self._widest:
            QTimer.singleShot(0, self._fit_widths)  # after the new font is in place
        return False

    def stop(self) -> None:
        self._timer.stop()

    def engine_ready(self, info: EngineReady) -> None:
        if self.state == "idle":
            self.device_label.setText(
                self.tr("Engine ready (PyTorch %1)").replace("%1", torch_version_text(info.torch_version))
            )

    def run_started(self, msg: RunStarted) -> None:
        self._epochs = msg.config.train.epochs
        self._last_step = None
        self.epoch_progress.setValue(0)
        self.epoch_progress.setFormat(self.tr("epoch 1/%1").replace("%1", str(self._epochs)))
        self.device_label.setText(
            self.tr("Device: %1").replace("%1", i18n.translate_sentences("RunStatus", msg.device, DEVICE_TEXTS))
        )

    def step(self, msg: StepMetrics) -> None:
        self._last_step = msg

    def run_finished(self, msg: RunFinished) -> None:
        if msg.reason == "completed":
            self.epoch_progress.setValue(1000)
            self.epoch_progress.setFormat(self.tr("epoch %1/%1 · done").replace("%1", str(self._epochs)))

    def set_state(self, state: str) -> None:
        self.state = state
        self.state_label.setText(self.tr(STATE_TEXT[state]))
        self.state_label.setProperty("state", state)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        if state == "idle" and self._last_step is not None:
            self.eta_label.setText(self.tr("time left –"))
            self.speed_label.setText(self.tr("– images/s"))

    def _refresh(self) -> None:
        m = self._last_step
        if m is None or self.state not in ("running", "paused"):
            return
        self.speed_label.setText(self.tr("%1 images/s").replace("%1", f"{m.images_per_second:,.0f}"))
        self.epoch_progress.setValue(int(m.epoch_progress * 1000))
        self.epoch_progress.setFormat(
            self.tr("epoch %1/%2 · %3")
            .replace("%1", str(m.epoch))
            .replace("%2", str(self._epochs))
            .replace("%3", f"{m.epoch_progress:.0%}")
        )
        self.eta_label.setText(self.tr("time left %1").replace("%1", format_seconds(m.eta_seconds)))
