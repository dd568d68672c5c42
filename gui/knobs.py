"""The knobs that act while training runs: attack, ε, PGD steps, λ or β, augmentation, regularization.

The training method (adversarial training, TRADES, MART, certified) sits in the same panel but is fixed
once a run starts: its box is disabled while training runs (``set_running``).

Each knob is one row (name, slider, value in words). A user's change is emitted at once as a dotted
config key (``changed({"attack.eps": 0.05})``); the controller debounces and sends it to the engine.
What the engine answers (``ConfigApplied``) comes back through ``show_config``, so the panel shows
what is actually in force. Nothing here talks to the engine directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible
from superqt.utils import signals_blocked

from engine.config import TRAIN_ATTACKS, TRAIN_METHODS, RunConfig
from engine.gallery_images import eps_text
from gui.experiment import narrow_combo
from gui.i18n import translate_sentences

# English sources, shown through translate("KnobsPanel", …)
ATTACK_LABELS = {
    "none": QT_TRANSLATE_NOOP("KnobsPanel", "None (standard training)"),
    "fgsm": QT_TRANSLATE_NOOP("KnobsPanel", "FGSM (one step)"),
    "fgsm-rs": QT_TRANSLATE_NOOP("KnobsPanel", "FGSM + random start"),
    "n-fgsm": QT_TRANSLATE_NOOP("KnobsPanel", "N-FGSM (noise start)"),
    "pgd": QT_TRANSLATE_NOOP("KnobsPanel", "PGD (several steps)"),
}
# Why the engine refused a live change (engine.trainer), re-made in the window's language.
REJECTED_REASONS = (QT_TRANSLATE_NOOP("KnobsPanel", "This setting cannot change while training runs."),)


def _tr(text: str, context: str = "KnobsPanel") -> str:
    return QCoreApplication.translate(context, text)


def _get(config: RunConfig, key: str) -> Any:
    section, _, name = key.partition(".")
    return getattr(getattr(config, section), name)


class SliderKnob(QWidget):
    """An integer QSlider mapped to a float value, with the value shown next to it in words.

    ``to_value``/``to_position`` map slider positions to config values (linear, logarithmic, /255...).
    """

    valueChanged = Signal(object)

    def __init__(
        self,
        minimum: int,
        maximum: int,
        to_value: Callable[[int], Any],
        to_position: Callable[[Any], int],
        describe: Callable[[Any], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._to_value, self._to_position, self._describe = to_value, to_position, describe
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(minimum, maximum)
        self.slider.setPageStep(max(1, (maximum - minimum) // 10))
        self.label = QLabel()
        self.label.setMinimumWidth(92)
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(self._on_slider)

    def value(self) -> Any:
        return self._to_value(self.slider.value())

    def position_of(self, value: Any) -> int:
        """The slider position that shows ``value`` (what a drag or the arrow keys would reach)."""
        return self._to_position(value)

    def setValue(self, value: Any) -> None:
        """Show a value without emitting (used for the engine's answer and for restored settings)."""
        with signals_blocked(self.slider):
            self.slider.setValue(self._to_position(value))
        self.label.setText(self._describe(value))

    def _on_slider(self, position: int) -> None:
        value = self._to_value(position)
        self.label.setText(self._describe(value))
        self.valueChanged.emit(value)


def linear_knob(
    minimum: float, maximum: float, step: float, describe: Callable[[float], str], integer: bool = False
) -> SliderKnob:
    n = round((maximum - minimum) / step)

    def to_value(p: int) -> float | int:
        v = minimum + p * step
        return round(v) if integer else round(v, 12)

    def to_position(v: float) -> int:
        return max(0, min(n, round((float(v) - minimum) / step)))

    return SliderKnob(0, n, to_value, to_position, describe)


def log_knob(low: float, high: float, per_decade: int = 4) -> SliderKnob:
    """Position 0 is "off" (0.0); positions 1..n cover low..high logarithmically."""
    decades = math.log10(high / low)
    n = round(decades * per_decade) + 1

    def to_value(p: int) -> float:
        return 0.0 if p == 0 else float(f"{low * 10 ** ((p - 1) / per_decade):.3g}")

    def to_position(v: float) -> int:
        if v <= 0:
            return 0
        return max(1, min(n, round(math.log10(v / low) * per_decade) + 1))

    return SliderKnob(
        0, n, to_value, to_position, lambda v: _tr("off", "Knob") if v == 0 else f"{v:.0e}".replace("e-0", "e-")
    )


class KnobsPanel(QWidget):
    """Attack and training-balance knobs, plus collapsible augmentation and regularization sections."""

    changed = Signal(dict)  # {dotted key: value}, emitted for every user change

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widgets: dict[str, QWidget] = {}
        self._applied_label = QLabel(self.tr("Changes act on the next training step."))
        self._applied_label.setObjectName("appliedLabel")
        self._applied_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._attack_box())
        layout.addWidget(self._augment_section())
        layout.addWidget(self._regularization_section())
        layout.addWidget(self._applied_label)
        layout.addStretch(1)
        self._connect()
        self._update_enabled()

    # ------------------------------------------------------------------ building
    def _attack_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Adversary and balance (live)"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        self.method = QComboBox()
        narrow_combo(self.method)
        self._method_notes = {
            "at": self.tr("Learns from clean and attacked images: L_total = L_clean + λ·L_adv."),
            "trades": self.tr(
                "Keeps the answer on an attacked image close to the answer on the clean one; "
                "β says how close (Zhang et al. 2019)."
            ),
            "mart": self.tr(
                "Trains on attacked images and pushes hardest on the images the model gets wrong (Wang et al. 2020)."
            ),
            "ibp": self.tr(
                "Trains so that robustness can be proven, not only tested (Gowal et al. 2018); small models only."
            ),
        }
        method_labels = {
            "at": self.tr("Adversarial training (λ)"),
            "trades": self.tr("TRADES (β)"),
            "mart": self.tr("MART (β)"),
            "ibp": self.tr("Certified (interval bounds)"),
        }
        for name in TRAIN_METHODS:
            self.method.addItem(method_labels.get(name, name), name)
            self.method.setItemData(
                self.method.count() - 1, self._method_notes.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.method_note = QLabel()
        self.method_note.setObjectName("methodNote")
        self.method_note.setWordWrap(True)
        self.attack = QComboBox()
        narrow_combo(self.attack)
        for name in TRAIN_ATTACKS:
            self.attack.addItem(_tr(ATTACK_LABELS.get(name, name)), name)
        self.attack.setToolTip(
            self.tr(
                "How the training images are attacked to make the adversarial loss.\n"
                "FGSM takes one step, PGD several (stronger, slower). 'None' trains normally."
            )
        )
        self.eps = linear_knob(0.0, 80 / 255, 1 / 255, eps_text)
        self.eps.setToolTip(
            self.tr(
                "ε (epsilon): how far the attacker may change each pixel, as a fraction of the full\n"
                "brightness range and in 1/255 grey-level steps. Larger ε = stronger attack."
            )
        )
        steps_text = self.tr("%1 steps")
        self.steps = linear_knob(1, 50, 1, lambda v: steps_text.replace("%1", str(v)), integer=True)
        self.steps.setToolTip(
            self.tr("Number of PGD steps: more steps find stronger adversarial images but cost time.")
        )
        self.lam = linear_knob(0.0, 5.0, 0.05, lambda v: f"λ = {v:.2f}")
        self.lam.setToolTip(
            self.tr(
                "λ (lambda): how much the adversarial loss counts.\n"
                "0 = standard training; 1 = clean and adversarial equally; higher = favour robustness."
            )
        )
        self.beta = linear_knob(0.0, 10.0, 0.1, lambda v: f"β = {v:.1f}")
        self.beta.setToolTip(
            self.tr(
                "β (beta): how strongly TRADES and MART insist that an attacked image gets the same answer\n"
                "as the clean one. Higher = favour robustness, usually at some cost in clean accuracy; 6 is usual."
            )
        )
        form.addRow(self.tr("Method"), self.method)
        form.addRow(self.method_note)
        form.addRow(self.tr("Attack"), self.attack)
        form.addRow(self.tr("ε (strength)"), self.eps)
        form.addRow(self.tr("PGD steps"), self.steps)
        form.addRow(self.tr("λ (weight)"), self.lam)
        form.addRow(self.tr("β (weight)"), self.beta)
        self._widgets.update(
            {
                "train.method": self.method,
                "attack.name": self.attack,
                "attack.eps": self.eps,
                "attack.steps": self.steps,
                "train.lam": self.lam,
                "train.beta": self.beta,
            }
        )
        for widget in self._widgets.values():
            self._label_for(form, widget).setToolTip(widget.toolTip())
        return box

    @staticmethod
    def _label_for(form: QFormLayout, widget: QWidget) -> QWidget:
        label = form.labelForField(widget)
        return label if label is not None else widget

    def _switch(self, key: str, knob: SliderKnob | None, tip: str, form: QFormLayout, title: str) -> None:
        check = QCheckBox()
        check.setToolTip(tip)
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(check)
        if knob is not None:
            knob.setToolTip(tip)
            h.addWidget(knob, 1)
            self._widgets[key] = knob
            self._toggles[key] = check
            knob.setEnabled(False)
        else:
            self._widgets[key] = check
            h.addStretch(1)
        form.addRow(title, row)
        self._label_for(form, row).setToolTip(tip)

    def _augment_section(self) -> QCollapsible:
        self._toggles: dict[str, QCheckBox] = {}
        self._last_strength: dict[str, Any] = {}
        section = QCollapsible(self.tr("Augmentation (live)"), expandedIcon="▼", collapsedIcon="▶")
        body = QWidget()
        form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rotation = linear_knob(0, 45, 1, lambda v: f"±{v:.0f}°")
        shift_text, crop_text = self.tr("%1% of size"), self.tr("%1 px pad")
        self.shift = linear_knob(0.0, 0.3, 0.01, lambda v: shift_text.replace("%1", f"{v * 100:.0f}"))
        self.crop = linear_knob(0, 8, 1, lambda v: crop_text.replace("%1", str(v)), integer=True)
        self.noise = linear_knob(0.0, 0.3, 0.01, lambda v: f"σ = {v:.2f}")
        self._switch(
            "augment.rotation",
            self.rotation,
            self.tr("Randomly rotate training images by up to this angle."),
            form,
            self.tr("Rotation"),
        )
        self._switch(
            "augment.shift",
            self.shift,
            self.tr("Randomly move training images by up to this fraction."),
            form,
            self.tr("Shift"),
        )
        self._switch(
            "augment.hflip",
            None,
            self.tr("Randomly mirror training images left-right (not for digits!)."),
            form,
            self.tr("Mirror"),
        )
        self._switch(
            "augment.crop_padding",
            self.crop,
            self.tr("Pad with black and cut a random window back out."),
            form,
            self.tr("Crop"),
        )
        self._switch(
            "augment.noise_std",
            self.noise,
            self.tr("Add random Gaussian noise of this strength to pixels."),
            form,
            self.tr("Noise"),
        )
        section.addWidget(body)
        return section

    def _regularization_section(self) -> QCollapsible:
        section = QCollapsible(self.tr("Regularization (live)"), expandedIcon="▼", collapsedIcon="▶")
        body = QWidget()
        form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.l1 = log_knob(1e-7, 1e-2)
        self.l1.setToolTip(self.tr("L1 penalty: pushes weights to exactly zero (sparser model). Far left = off."))
        self.l2 = log_knob(1e-6, 1e-1)
        self.l2.setToolTip(self.tr("L2 penalty (weight decay): keeps weights small. Far left = off."))
        self.dropout = linear_knob(0.0, 0.8, 0.05, lambda v: f"{v * 100:.0f}%")
        self.dropout.setToolTip(self.tr("Dropout: randomly silence this share of neurons while training."))
        form.addRow("L1", self.l1)
        form.addRow("L2", self.l2)
        form.addRow(self.tr("Dropout"), self.dropout)
        for w in (self.l1, self.l2, self.dropout):
            self._label_for(form, w).setToolTip(w.toolTip())
        self._widgets.update(
            {"regularization.l1": self.l1, "regularization.l2": self.l2, "model.dropout": self.dropout}
        )
        section.addWidget(body)
        section.expand(animate=False)
        return section

    def _connect(self) -> None:
        for key, widget in self._widgets.items():
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, k=key, w=widget: self._emit(k, w.currentData()))
            elif isinstance(widget, SliderKnob):
                widget.valueChanged.connect(lambda v, k=key: self._on_knob(k, v))
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(lambda on, k=key: self._emit(k, bool(on)))
        for key, check in self._toggles.items():
            check.toggled.connect(lambda on, k=key: self._on_toggle(k, on))

    # ------------------------------------------------------------------ behaviour
    def _on_knob(self, key: str, value: Any) -> None:
        if key in self._toggles and not self._toggles[key].isChecked():
            return
        self._emit(key, value)

    def _on_toggle(self, key: str, on: bool) -> None:
        knob = self._widgets[key]
        assert isinstance(knob, SliderKnob)
        knob.setEnabled(on)
        if on and knob.value() in (0, 0.0):
            knob.slider.setValue(max(1, knob.slider.maximum() // 4))  # emits via _on_knob
            return
        self._emit(key, knob.value() if on else type(knob.value())(0))

    def _emit(self, key: str, value: Any) -> None:
        self._update_enabled()
        self.changed.emit({key: value})

    def _update_enabled(self) -> None:
        name, method = self.attack.currentData(), self.method.currentData()
        self.steps.setEnabled(name == "pgd")
        self.eps.setEnabled(name != "none" or method == "ibp")  # interval bounds need only ε
        self._show_method(method)

    def _show_method(self, method: str) -> None:
        """The method's sentence under its box (and as tool tip); λ's row or β's, whichever it uses."""
        note = self._method_notes.get(method, "")
        self.method_note.setText(note)
        self._fit_method_note()
        self.method.setToolTip(note)
        self._label_for(self._form, self.method).setToolTip(note)
        uses_beta = method in ("trades", "mart")
        self._form.setRowVisible(self.lam, not uses_beta)
        self._form.setRowVisible(self.beta, uses_beta)

    def _fit_method_note(self) -> None:
        """Room for every line of the method's sentence: the panel lives in a scroll area, which does not
        ask a word-wrapped label for its height at the width it gets (it cut a three-line sentence)."""
        width = self.method_note.width()
        if width > 0:
            self.method_note.setMinimumHeight(self.method_note.heightForWidth(width))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_method_note()

    def set_running(self, running: bool) -> None:
        """The method is fixed while a run trains; every other knob here stays live."""
        self.method.setEnabled(not running)

    def values(self) -> dict[str, Any]:
        """The knob settings as dotted config keys (what the panel currently shows)."""
        out: dict[str, Any] = {}
        for key, widget in self._widgets.items():
            if isinstance(widget, QComboBox):
                out[key] = widget.currentData()
            elif isinstance(widget, SliderKnob):
                on = key not in self._toggles or self._toggles[key].isChecked()
                out[key] = widget.value() if on else type(widget.value())(0)
            elif isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
        return out

    def show_config(self, config: RunConfig, skip: frozenset[str] = frozenset()) -> None:
        """Show the settings in force without emitting; keys in ``skip`` (user still editing) are left alone."""
        for key, widget in self._widgets.items():
            if key in skip:
                continue
            value = _get(config, key)
            if isinstance(widget, SliderKnob):
                if widget.slider.isSliderDown():
                    continue
                widget.setValue(value)
                if key in self._toggles:
                    with signals_blocked(self._toggles[key]):
                        self._toggles[key].setChecked(bool(value))
                    widget.setEnabled(bool(value))
            elif isinstance(widget, QCheckBox):
                with signals_blocked(widget):
                    widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                with signals_blocked(widget):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
        self._update_enabled()

    def show_applied(
        self, step: int, changes: tuple[tuple[str, Any], ...], rejected: tuple[tuple[str, str], ...] = ()
    ) -> None:
        lines = []
        if changes:
            from gui.curves import _fmt, _short

            applied = ", ".join(f"{'β' if k == 'train.beta' else _short(k)} {_fmt(k, v)}" for k, v in changes)
            lines.append(self.tr("In force from step %1: %2").replace("%1", str(step)).replace("%2", applied))
        if rejected:
            reasons = "; ".join(
                translate_sentences("KnobsPanel", reason, REJECTED_REASONS) for _key, reason in rejected
            )
            lines.append(self.tr("Not applied: %1").replace("%1", reasons))
        if lines:
            self._applied_label.setText("\n".join(lines))

    def reset_applied(self) -> None:
        """A new run starts: the last run's "in force from step …" note no longer applies."""
        self._applied_label.setText(self.tr("Changes act on the next training step."))
