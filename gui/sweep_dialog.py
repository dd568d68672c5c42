"""The Sweep dialog: a grid of settings built row by row, the number of runs it means and about how long.

Each row is a knob a grid can vary (engine.sweep.GRID_KEYS): numbers are typed as a comma list (ε also as
8/255), choices are ticked. The seeds row trains every setting once per seed, so the Runs tab can show the
seed spread. The plan itself is made and checked by engine.sweep.make_plan (the same one as ``main.py
sweep``), so the window refuses exactly what the command line refuses, in the same words; the estimate
comes from the epoch times of the runs already in the runs folder (engine.sweep.estimate_seconds).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.config import MODELS, TRAIN_ATTACKS, TRAIN_METHODS, ConfigError, RunConfig
from engine.errors import user_message
from engine.sweep import SweepPlan, epoch_times, estimate_seconds, make_plan

# (config key, row label, tooltip); numbers unless the key has CHOICES.
ROWS = (
    (
        "train.lam",
        QT_TRANSLATE_NOOP("SweepDialog", "λ (weight of attacked images)"),
        QT_TRANSLATE_NOOP("SweepDialog", "0 is ordinary training; 1 weighs clean and attacked images alike."),
    ),
    (
        "train.beta",
        QT_TRANSLATE_NOOP("SweepDialog", "β (TRADES, MART)"),
        QT_TRANSLATE_NOOP("SweepDialog", "The weight of the KL term of TRADES and MART (used by those methods only)."),
    ),
    (
        "attack.eps",
        QT_TRANSLATE_NOOP("SweepDialog", "ε (strength)"),
        QT_TRANSLATE_NOOP(
            "SweepDialog", "How far the training attack may change each pixel: 0.1, or grey levels such as 8/255."
        ),
    ),
    (
        "attack.name",
        QT_TRANSLATE_NOOP("SweepDialog", "Attack"),
        QT_TRANSLATE_NOOP("SweepDialog", "The attack that makes the training's adversarial images."),
    ),
    (
        "train.method",
        QT_TRANSLATE_NOOP("SweepDialog", "Method"),
        QT_TRANSLATE_NOOP("SweepDialog", "How attacked images enter the loss."),
    ),
    ("model.name", QT_TRANSLATE_NOOP("SweepDialog", "Model"), QT_TRANSLATE_NOOP("SweepDialog", "The network trained.")),
    ("regularization.l1", "L1", QT_TRANSLATE_NOOP("SweepDialog", "Weight of the L1 penalty on the weights.")),
    ("regularization.l2", "L2", QT_TRANSLATE_NOOP("SweepDialog", "Weight of the L2 penalty on the weights.")),
    (
        "model.dropout",
        QT_TRANSLATE_NOOP("SweepDialog", "Dropout"),
        QT_TRANSLATE_NOOP("SweepDialog", "Share of units dropped while training, 0 to 0.99."),
    ),
    (
        "augment.rotation",
        QT_TRANSLATE_NOOP("SweepDialog", "Rotation (°)"),
        QT_TRANSLATE_NOOP("SweepDialog", "Augmentation strength: images turned by up to this many degrees."),
    ),
    (
        "augment.noise_std",
        QT_TRANSLATE_NOOP("SweepDialog", "Noise"),
        QT_TRANSLATE_NOOP("SweepDialog", "Augmentation strength: Gaussian noise of this standard deviation."),
    ),
    (
        "train.epochs",
        QT_TRANSLATE_NOOP("SweepDialog", "Epochs"),
        QT_TRANSLATE_NOOP("SweepDialog", "Passes over the training images per run."),
    ),
)
CHOICES: dict[str, tuple[str, ...]] = {
    "attack.name": TRAIN_ATTACKS,
    "train.method": TRAIN_METHODS,
    "model.name": MODELS,
}
# How a choice is named in the dialog (the others use the Runs tab's names of models and attacks).
CHOICE_NAMES = {
    "at": QT_TRANSLATE_NOOP("SweepDialog", "adversarial training"),
    "trades": "TRADES",
    "mart": "MART",
    "ibp": QT_TRANSLATE_NOOP("SweepDialog", "IBP (certified)"),
    "n-fgsm": "N-FGSM",
}
WHOLE = {"train.epochs"}
MAX_SEED = 2**32 - 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("SweepDialog", text)


def _value_text(value: Any) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def parse_numbers(text: str, whole: bool = False) -> list[float | int]:
    """ "0, 0.5, 1" or "2/255, 8/255" -> numbers, in the order typed; ValueError names the bad part."""
    values: list[float | int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "/" in part:
                num, den = part.split("/", 1)
                value: float | int = float(num) / float(den)
            else:
                value = int(part) if whole else float(part)
        except (ValueError, ZeroDivisionError):
            raise ValueError(part) from None
        if not math.isfinite(value):
            raise ValueError(part)
        values.append(value)
    return values


class RowError(Exception):
    """A row of the dialog cannot be read: (its label, the text that is not a number, or "")."""


class SweepDialog(QDialog):
    """Build a grid on top of ``base`` (the left panel's settings); ``plan`` holds it once accepted."""

    def __init__(
        self, base: RunConfig, recent: Sequence[Any] = (), parent: QWidget | None = None, lambdas: Sequence[float] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sweep: a grid of runs"))
        self.base = base
        self.timed = epoch_times(recent)  # read once; the estimate is re-made at every keystroke
        self.plan: SweepPlan | None = None
        self.edits: dict[str, QLineEdit] = {}
        self.boxes: dict[str, dict[str, QCheckBox]] = {}

        intro = QLabel(
            self.tr(
                "Every combination of the values below is trained, once per seed; everything else comes from "
                "the panel on the left. Type several numbers separated by commas, or tick several choices."
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, tip in ROWS:
            section, name = key.split(".")
            current = getattr(getattr(base, section), name)
            if key in CHOICES:
                row = QWidget()
                line = QHBoxLayout(row)
                line.setContentsMargins(0, 0, 0, 0)
                self.boxes[key] = {}
                for choice in CHOICES[key]:
                    name = _tr(CHOICE_NAMES[choice]) if choice in CHOICE_NAMES else None
                    box = QCheckBox(name or QCoreApplication.translate("RunsBrowser", choice))
                    box.setChecked(choice == current)
                    box.setToolTip(_tr(tip))
                    box.toggled.connect(self._update)
                    line.addWidget(box)
                    self.boxes[key][choice] = box
                line.addStretch(1)
                field: QWidget = row
            else:
                edit = QLineEdit(_value_text(current))
                if key == "train.lam" and lambdas:
                    edit.setText(", ".join(f"{v:g}" for v in lambdas))
                edit.setToolTip(_tr(tip))
                edit.textChanged.connect(self._update)
                self.edits[key] = edit
                field = edit
            title = QLabel(_tr(label) + ":")
            title.setBuddy(field if key not in CHOICES else next(iter(self.boxes[key].values())))
            form.addRow(title, field)
        self.seeds = QLineEdit(str(base.train.seed))
        self.seeds.setToolTip(
            self.tr(
                "Each setting is trained once per seed (e.g. 0, 1, 2). With several seeds the Runs tab shows the "
                "mean and the spread, so a difference can be told from chance."
            )
        )
        self.seeds.textChanged.connect(self._update)
        seeds_label = QLabel(self.tr("&Seeds:"))
        seeds_label.setBuddy(self.seeds)
        form.addRow(seeds_label, self.seeds)
        self.parallel = QSpinBox()
        self.parallel.setRange(1, max(1, os.cpu_count() or 1))
        self.parallel.setValue(1)
        self.parallel.setToolTip(
            self.tr(
                "1 trains the runs one after another, with live curves. More trains that many at once, each in "
                "its own process with a share of the processor's cores; a run shows up in the Runs tab as it "
                "goes, without live curves. On a computer with few cores, more at once is not faster."
            )
        )
        parallel_label = QLabel(self.tr("&Runs at once:"))
        parallel_label.setBuddy(self.parallel)
        form.addRow(parallel_label, self.parallel)

        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.count = QLabel("")
        self.count.setWordWrap(True)
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Queue the runs"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.resize(680, 600)  # the widest row (Method) whole, without a sideways scroll bar
        self._update()

    def grid(self) -> tuple[dict[str, list[Any]], list[int]]:
        """The axes and seeds as typed and ticked; RowError when a row cannot be read."""
        axes: dict[str, list[Any]] = {}
        for key, label, _tip in ROWS:
            if key in CHOICES:
                picked = [choice for choice, box in self.boxes[key].items() if box.isChecked()]
                if not picked:
                    raise RowError(_tr(label), "")
                axes[key] = picked
                continue
            try:
                values = parse_numbers(self.edits[key].text(), whole=key in WHOLE)
            except ValueError as exc:
                raise RowError(_tr(label), str(exc)) from None
            if not values:
                raise RowError(_tr(label), "")
            axes[key] = values
        try:
            seeds = [int(v) for v in parse_numbers(self.seeds.text(), whole=True)]
        except ValueError as exc:
            raise RowError(self.tr("Seeds"), str(exc)) from None
        if not seeds or any(not 0 <= s <= MAX_SEED for s in seeds):
            raise RowError(self.tr("Seeds"), self.seeds.text())
        return axes, seeds

    def _update(self, *_args: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            axes, seeds = self.grid()
            plan = make_plan(self.base, axes, seeds)
        except RowError as exc:
            row, bad = exc.args
            text = (
                self.tr("%1: '%2' is not a number.").replace("%1", row).replace("%2", bad)
                if bad
                else self.tr("%1: give at least one value.").replace("%1", row)
            )
            self._say(text, error=True)
            self.plan = None
            ok.setEnabled(False)
            return
        except ConfigError as exc:
            self._say(user_message(exc), error=True)
            self.plan = None
            ok.setEnabled(False)
            return
        self.plan = plan
        ok.setEnabled(True)
        n = len(plan.trials())
        seconds = estimate_seconds(plan, self.timed)
        when = (
            self.tr("time unknown: no finished run of this dataset to measure the speed by")
            if seconds is None
            else self.tr("about %1, from the speed of the runs already trained").replace("%1", duration_text(seconds))
        )
        self._say(
            self.tr("%1 runs (%2 settings × %3 seeds); %4.")
            .replace("%1", str(n))
            .replace("%2", str(n // len(plan.seeds)))
            .replace("%3", str(len(plan.seeds)))
            .replace("%4", when)
        )

    def _say(self, text: str, error: bool = False) -> None:
        self.count.setText(text)
        self.count.setStyleSheet("color: #b00020;" if error else "")


def duration_text(seconds: float) -> str:
    """ "40 s", "12 min", "3.5 h": a duration as a person reads it."""
    if seconds < 90:
        return QCoreApplication.translate("SweepDialog", "%1 s").replace("%1", f"{seconds:.0f}")
    if seconds < 90 * 60:
        return QCoreApplication.translate("SweepDialog", "%1 min").replace("%1", f"{seconds / 60:.0f}")
    return QCoreApplication.translate("SweepDialog", "%1 h").replace("%1", f"{seconds / 3600:.1f}")


def ask_for_plan(
    parent: QWidget,
    base: RunConfig,
    recent: Sequence[Any],
    lambdas: Sequence[float] = (),
    exec_dialog: Callable[[QDialog], int] | None = None,
) -> tuple[SweepPlan, int] | None:
    """Show the dialog; (the plan, how many runs at once) when the person queues it, None when cancelled."""
    dialog = SweepDialog(base, recent, parent, lambdas)
    accepted = (exec_dialog or (lambda d: d.exec()))(dialog) == QDialog.DialogCode.Accepted
    return (dialog.plan, dialog.parallel.value()) if accepted and dialog.plan is not None else None
