"""The robustness tab: accuracy of the trained model as the attacker's budget ε grows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout

from engine.gallery_images import eps_text
from gui.critical_eps import CriticalEpsView
from gui.i18n import translate_sentences

# attack name, legend label, colour, tooltip (English sources, shown through translate("RobustnessView", …))
EVAL_ATTACKS = (
    (
        "fgsm",
        "FGSM",
        "#ff7f0e",
        QT_TRANSLATE_NOOP("RobustnessView", "One gradient step of size ε: a fast, weak attack."),
    ),
    (
        "pgd",
        "PGD",
        "#d62728",
        QT_TRANSLATE_NOOP("RobustnessView", "Many small gradient steps inside the ε box: the standard strong attack."),
    ),
    (
        "noise-uniform",
        QT_TRANSLATE_NOOP("RobustnessView", "random noise"),
        "#7f7f7f",
        QT_TRANSLATE_NOOP(
            "RobustnessView", "Random ±ε noise, no gradient: shows how much of the drop is due to a real attack."
        ),
    ),
)
# The stronger attacks of the suite (torchattacks' implementations), off by default: slower on a CPU.
STRONG_ATTACKS = (
    (
        "apgd-ce",
        QT_TRANSLATE_NOOP("RobustnessView", "APGD-CE"),
        "#9467bd",
        QT_TRANSLATE_NOOP(
            "RobustnessView",
            "Auto-PGD on the cross-entropy: PGD that tunes its own step size "
            "(part of AutoAttack). Stronger than PGD when PGD's step size is badly chosen.",
        ),
    ),
    (
        "apgd-dlr",
        QT_TRANSLATE_NOOP("RobustnessView", "APGD-DLR"),
        "#8c564b",
        QT_TRANSLATE_NOOP(
            "RobustnessView",
            "Auto-PGD on a loss that ignores how confident the model is: it "
            "sees through models that hide their gradients by being over-confident.",
        ),
    ),
    (
        "cw",
        QT_TRANSLATE_NOOP("RobustnessView", "Carlini–Wagner"),
        "#17becf",
        QT_TRANSLATE_NOOP(
            "RobustnessView",
            "Finds the smallest change that fools each image (L2 distance). Its "
            "curve counts an image as fooled at ε when the change it found is at most ε per pixel.",
        ),
    ),
    (
        "deepfool",
        "DeepFool",
        "#e377c2",
        QT_TRANSLATE_NOOP(
            "RobustnessView",
            "Steps straight to the nearest decision boundary: the smallest change "
            "it finds is a quick estimate of how far each image is from being misread.",
        ),
    ),
)

# The sentences of engine.sanity (English there), re-made in the window's language by translate_sentences.
SANITY_SENTENCES = (
    QT_TRANSLATE_NOOP("SanityCheck", "At ε = %1 PGD brings accuracy down to %2, as it should."),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "At ε = %1 accuracy is still %2 under PGD: the attack cannot follow the gradients "
        "(a sign of gradient masking).",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "The model gives different answers for %1 of the same adversarial examples from one pass to the next: "
        "it is randomised, so PGD's number is not to be trusted (attack it with an average over many passes, EOT).",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "More PGD steps or restarts lowered robust accuracy (%1 → %2): PGD-%3 had not converged, "
        "so its number is too optimistic.",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "4× the steps and 3 restarts leave robust accuracy at %1 (PGD-%2: %3): the attack has converged.",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "Neither noise nor PGD changes accuracy at ε = %1; nothing to compare (see the large-ε check).",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck", "PGD (%1) is much stronger than random noise (%2) of the same size, as it should be."
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "Random noise (%1) is nearly as strong as PGD (%2): the gradients do not help the attack (gradient masking).",
    ),
    QT_TRANSLATE_NOOP("SanityCheck", "Not run: no other model was given to transfer attacks from."),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "Examples made on another model (%1) beat the white-box attack on this one (%2): its gradients are masked.",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck", "The transfer attack (%1) is weaker than the white-box attack (%2), as it should be."
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "One-step FGSM (%1) beats PGD (%2): the iterative attack is being misled (gradient masking).",
    ),
    QT_TRANSLATE_NOOP(
        "SanityCheck",
        "FGSM leaves %1 but PGD only %2: the model resists the one-step attack but not a real one "
        "(%3; a masking sign).",
    ),
    QT_TRANSLATE_NOOP("SanityCheck", "catastrophic overfitting to the one-step training attack"),
    QT_TRANSLATE_NOOP("SanityCheck", "the gradient at the clean image points the wrong way"),
    QT_TRANSLATE_NOOP("SanityCheck", "FGSM (%1) and PGD (%2) agree as expected."),
)
# The numbers behind a verdict (its tooltip), by the engine's key.
SANITY_NUMBERS = {
    "eps": "ε",
    "accuracy": QT_TRANSLATE_NOOP("SanityCheck", "accuracy"),
    "limit": QT_TRANSLATE_NOOP("SanityCheck", "limit"),
    "steps": QT_TRANSLATE_NOOP("SanityCheck", "steps"),
    "accuracy_4x_steps": QT_TRANSLATE_NOOP("SanityCheck", "accuracy with 4× the steps"),
    "accuracy_3_restarts": QT_TRANSLATE_NOOP("SanityCheck", "accuracy with 3 restarts"),
    "changed_between_passes": QT_TRANSLATE_NOOP("SanityCheck", "share of answers that changed between two passes"),
    "clean_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "clean accuracy"),
    "noise_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "accuracy under noise"),
    "pgd_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "accuracy under PGD"),
    "fgsm_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "accuracy under FGSM"),
    "whitebox_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "white-box accuracy"),
    "transfer_accuracy": QT_TRANSLATE_NOOP("SanityCheck", "transfer accuracy"),
}
VERDICTS = {
    "pass": QT_TRANSLATE_NOOP("SanityCheck", "pass"),
    "warning": QT_TRANSLATE_NOOP("SanityCheck", "warning"),
    "skipped": QT_TRANSLATE_NOOP("SanityCheck", "skipped"),
}


def _tr(text: str, context: str = "RobustnessView") -> str:
    return QCoreApplication.translate(context, text)


def sanity_reason(reason: str) -> str:
    """An engine.sanity sentence in the window's language."""
    return translate_sentences("SanityCheck", reason, SANITY_SENTENCES)


def sanity_numbers(numbers: dict[str, float]) -> str:
    return ", ".join(f"{_tr(SANITY_NUMBERS.get(k, k), 'SanityCheck')} = {v:.3g}" for k, v in numbers.items())


class _PlotTabs(QTabWidget):
    """The two plots' tabs, asking for a modest height: the tab scrolls, and a scroll area that fits its page
    to the width makes the page as tall as the sum of its parts' preferred heights (a plot prefers ~600 px),
    which would push the sanity checks off a 1280×800 screen. The plots still take whatever room is left."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().sizeHint().width(), max(250, self.minimumSizeHint().height()))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name: a tab widget asks its page, and so the plot
        return False


class RobustnessView(QWidget):
    """Choose attacks and the ε range, run the evaluation in the background, plot one curve per attack."""

    runRequested = Signal(tuple, tuple, int, int, bool)  # attacks, eps values, PGD steps, images, sanity checks
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checks: dict[str, QCheckBox] = {}
        # Flow layouts: the rows wrap on a narrow window (1024 px with the Start panel open) instead of
        # keeping the whole window wider than the screen.
        controls = QFlowLayout()
        controls.addWidget(QLabel(self.tr("Attacks:")))
        for name, label, _colour, tip in EVAL_ATTACKS:
            check = QCheckBox(_tr(label))
            check.setChecked(True)
            check.setToolTip(_tr(tip))
            self.checks[name] = check
            controls.addWidget(check)
        strong_row = QFlowLayout()
        strong_row.addWidget(QLabel(self.tr("Stronger attacks:")))
        for name, label, _colour, tip in STRONG_ATTACKS:
            check = QCheckBox(_tr(label))
            check.setToolTip(_tr(tip) + self.tr(" Slower: try fewer images first."))
            self.checks[name] = check
            strong_row.addWidget(check)
        self.max_eps = QSpinBox()
        self.max_eps.setRange(1, 128)
        self.max_eps.setValue(64)
        self.max_eps.setPrefix(self.tr("ε up to "))
        self.max_eps.setSuffix("/255")
        self.max_eps.setToolTip(self.tr("The largest pixel change tried, in grey levels out of 255."))
        self.points = QSpinBox()
        self.points.setRange(2, 40)
        self.points.setValue(9)
        self.points.setSuffix(self.tr(" ε values"))
        self.points.setToolTip(self.tr("How many ε values between 0 and the maximum are measured."))
        self.steps = QSpinBox()
        self.steps.setRange(1, 200)
        self.steps.setValue(10)
        self.steps.setSuffix(self.tr(" PGD steps"))
        self.steps.setToolTip(self.tr("Steps of the PGD attack: more is stronger and slower."))
        self.images = QSpinBox()
        self.images.setRange(10, 10_000)
        self.images.setValue(300)
        self.images.setSuffix(self.tr(" images"))
        self.images.setToolTip(self.tr("How many held-out images are attacked (more = more precise, slower)."))
        self.sanity_check = QCheckBox(self.tr("Sanity checks"))
        self.sanity_check.setChecked(True)
        self.sanity_check.setToolTip(
            self.tr(
                "After the curve, test whether its numbers can be trusted: a huge ε must "
                "break the model, more attack steps must not help it, random noise must be "
                "weaker than the attack, and FGSM must not be much weaker than PGD."
            )
        )
        controls.addWidget(self.sanity_check)
        settings_row = QFlowLayout()
        settings_row.addWidget(QLabel(self.tr("Measure at")))
        for w in (self.max_eps, self.points, self.steps, self.images):
            settings_row.addWidget(w)
        self.run_button = QPushButton(self.tr("Measure robustness"))
        self.run_button.setObjectName("primaryButton")
        self.run_button.setToolTip(self.tr("Attack the trained model at each ε and plot the accuracy that survives."))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        settings_row.addWidget(self.run_button)
        settings_row.addWidget(self.cancel_button)

        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m")
        self.progress.setValue(0)
        self.status = QLabel(self.tr("Train a model (or open a run), then measure how its accuracy falls as ε grows."))
        self.status.setWordWrap(True)
        self.model_label = QLabel(self.tr("Testing: no model yet"))
        self.model_label.setObjectName("testingLabel")
        self.model_label.setWordWrap(True)
        self.model_label.setToolTip(self.tr("The model these measurements attack"))
        self.plot = pg.PlotWidget()
        self.plot.setTitle(self.tr("Accuracy under attack"))
        self.plot.setLabel("left", self.tr("accuracy"))
        self.plot.setLabel("bottom", self.tr("ε (grey levels out of 255)"))
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setXRange(0, 64, padding=0.02)  # grey levels, as the axis says, before the first curve
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(10, -10), labelTextSize="10pt")
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.curves: dict[str, pg.PlotDataItem] = {}

        # Everything scrolls up and down inside the tab: after a measurement (curve or histogram with its
        # digits, the certified note, five sanity verdicts) the tab is taller than a 1024×768 or 1280×800
        # screen leaves it, and squeezed into it the histogram's digits overlapped and verdicts were cut.
        page = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(page)
        layout.addWidget(self.model_label)
        layout.addLayout(controls)
        layout.addLayout(strong_row)
        layout.addLayout(settings_row)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        layout.addLayout(row)
        self.critical_view = CriticalEpsView()
        self._model_description: str | None = None  # the model the histogram was measured on (set_model)
        self.measured_steps = self.steps.value()  # PGD's steps in the last measurement asked for
        self.plots = _PlotTabs()
        self.plots.addTab(self.plot, self.tr("&Accuracy against ε"))
        self.plots.addTab(self.critical_view, self.tr("&Where images fall"))
        self.plots.setTabToolTip(
            1,
            self.tr("Per image, the smallest ε at which PGD breaks it: a histogram and the digits that fall first"),
        )
        layout.addWidget(self.plots, 1)
        self.certified_note = QLabel()
        self.certified_note.setObjectName("certifiedNote")
        self.certified_note.setWordWrap(True)
        self.certified_note.setVisible(False)
        layout.addWidget(self.certified_note)
        self.sanity_box = QGroupBox(self.tr("Can these numbers be trusted?"))
        self.sanity_box.setToolTip(
            self.tr(
                "A model can look robust only because the attack cannot use its gradients "
                "(gradient masking). These checks look for the usual signs of that."
            )
        )
        self.sanity_layout = QVBoxLayout(self.sanity_box)
        # The verdict's line (at which ε, how many warnings) under the box's short title, word-wrapped: as
        # the title itself it made the box at least ~500 px wide, wider than the tab beside the Start panel.
        self.sanity_summary = QLabel()
        self.sanity_summary.setObjectName("sanitySummary")
        self.sanity_summary.setWordWrap(True)
        self.sanity_layout.addWidget(self.sanity_summary)
        self.sanity_box.setVisible(False)
        self.sanity_rows: list[tuple[QLabel, QLabel]] = []
        self._sanity_row_widgets: list[QWidget] = []
        self._sanity_pending = False
        self._last_progress = (0, 1)
        layout.addWidget(self.sanity_box)
        self.run_button.clicked.connect(self.request_run)
        self.cancel_button.clicked.connect(self.cancelRequested.emit)

    def eps_values(self) -> tuple[float, ...]:
        return tuple(float(e) for e in np.linspace(0.0, self.max_eps.value() / 255, self.points.value()))

    def request_run(self) -> None:
        attacks = tuple(name for name, check in self.checks.items() if check.isChecked())
        if not attacks:
            self.status.setText(self.tr("Tick at least one attack."))
            return
        self.measured_steps = self.steps.value()  # the PGD the histogram's critical ε come from
        self.runRequested.emit(
            attacks, self.eps_values(), self.steps.value(), self.images.value(), self.sanity_check.isChecked()
        )

    def set_model(self, description: str | None) -> None:
        """Name the model the measurements attack (None: there is none yet), and say what to do next."""
        if description != self._model_description and self.critical_view.critical is not None:
            self.critical_view.clear()  # another model: the old one's histogram would be read as this one's
        self._model_description = description
        self.model_label.setText(
            self.tr("Testing: %1").replace("%1", description) if description else self.tr("Testing: no model yet")
        )
        if not self.cancel_button.isEnabled():  # not in the middle of a measurement
            self.status.setText(
                self.tr("Choose the attacks and the ε range, then press Measure robustness.")
                if description
                else self.tr("Train a model (or open a run), then measure how its accuracy falls as ε grows.")
            )

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setRange(0, 0)
        if text:
            self.status.setText(text)

    def on_progress(self, done: int, total: int) -> None:
        self._last_progress = (done, total)
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def show_curve(self, curve: Any) -> None:
        """Plot an ``engine.evaluate.EpsCurve``; the sanity verdicts follow when they were asked for."""
        self.set_busy(self._sanity_pending)
        self.critical_view.show_critical(getattr(curve, "critical", None))
        self.plot.clear()
        self.legend.clear()
        self.curves = {}
        x = np.asarray(curve.eps) * 255
        styles = {name: (label, colour) for name, label, colour, _ in EVAL_ATTACKS + STRONG_ATTACKS}
        for name, values in curve.accuracy.items():
            label, colour = styles.get(name, (name, "#333"))
            label = _tr(label)
            style = Qt.PenStyle.DashLine if name.startswith("noise") else Qt.PenStyle.SolidLine
            self.curves[name] = self.plot.plot(
                x,
                np.asarray(values),
                name=label,
                symbol="o",
                symbolSize=6,
                symbolBrush=colour,
                symbolPen=None,
                pen=pg.mkPen(colour, width=2, style=style),
            )
        self.plot.setXRange(0, float(x.max()) if len(x) else 1, padding=0.02)
        self.certified_note.setText(self.tr("Proving which images no attack can change (interval bounds)…"))
        self.certified_note.setVisible(True)
        self.status.setText(
            self.tr(
                "Clean accuracy %1 on %2 held-out images. "
                "A robust model keeps its curve high as ε grows; noise should barely hurt."
            )
            .replace("%1", f"{curve.clean_accuracy:.1%}")
            .replace("%2", str(curve.n))
        )

    def show_certified(self, curve: Any) -> None:
        """Draw an ``engine.messages.CertifiedCurve`` under the attacks' curves, shaded down to zero (the
        images proven safe), and say in words what the gap between it and the attacks means."""
        x = np.asarray(curve.eps) * 255
        y = np.asarray(curve.accuracy)
        self.curves["certified"] = self.plot.plot(
            x,
            y,
            name=self.tr("certified (interval bounds)"),
            pen=pg.mkPen("#111111", width=2, style=Qt.PenStyle.DotLine),
            fillLevel=0.0,
            brush=pg.mkBrush(44, 160, 44, 50),
        )
        # The sentence names the largest ε at which anything is proven (at the grid's end a model trained
        # by attacking is usually proven for nothing, which the curve already shows), else the first ε > 0.
        proven = [i for i, (e, a) in enumerate(zip(curve.eps, y, strict=True)) if e > 0 and a > 0]
        at = proven[-1] if proven else min(1, len(y) - 1)
        self.certified_note.setText(
            self.tr(
                "Certified (dotted line, green area): at ε = %1, %2 of the %3 images are proven to keep their "
                "label under every change of that size, whatever the attack. Between this line and the attacks' "
                "curves: not broken by our attacks, not proven safe."
            )
            .replace("%1", eps_text(float(curve.eps[at])) if len(y) else "–")
            .replace("%2", f"{float(y[at]) if len(y) else 0.0:.1%}")
            .replace("%3", str(curve.n))
        )
        self.certified_note.setVisible(True)

    def show_not_certified(self, reason: str) -> None:
        """The model cannot be certified (a layer interval bounds cannot pass): say why, in one line."""
        self.certified_note.setText(self.tr("No certified curve: %1").replace("%1", reason))
        self.certified_note.setVisible(True)

    def expect_sanity(self, eps: float | None) -> None:
        """Clear old verdicts; with an ε, show that checks at that ε are on their way."""
        # Each verdict is a row widget owned by the box (Qt), removed and deleted by Qt. (Taking sub-layouts
        # out with takeAt() hands them to Python, and deleteLater() on one then frees it twice: a crash
        # minutes later, which the soak test found.)
        for row in self._sanity_row_widgets:
            self.sanity_layout.removeWidget(row)
            row.deleteLater()
        self._sanity_row_widgets = []
        self.sanity_rows = []
        self.sanity_box.setVisible(eps is not None)
        self._sanity_pending = eps is not None
        if eps is not None:
            self.sanity_summary.setText(
                self.tr("Checks at ε = %1 (%2/255): checking…")
                .replace("%1", f"{eps:.2f}")  # two decimals at most, as everywhere
                .replace("%2", f"{eps * 255:.0f}")
            )

    def show_sanity(self, checks: Any) -> None:
        """One row per ``engine.sanity.SanityCheck``: a coloured badge and its one-sentence reason."""
        self.expect_sanity(None)
        self.sanity_box.setVisible(True)
        warnings = 0
        for check in checks:
            kind = "skipped" if check.skipped else "pass" if check.passed else "warning"
            warnings += kind == "warning"
            badge = QLabel(_tr(VERDICTS[kind], "SanityCheck"))
            badge.setObjectName("sanityBadge")
            badge.setProperty("verdict", kind)
            badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
            badge.setFixedWidth(72)
            text = QLabel(sanity_reason(check.reason))
            text.setWordWrap(True)
            text.setToolTip(sanity_numbers(check.numbers))
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(badge)
            line.addWidget(text, 1)
            self.sanity_layout.addWidget(row)
            self._sanity_row_widgets.append(row)
            self.sanity_rows.append((badge, text))
        eps = next((c.numbers.get("eps") for c in checks if "eps" in c.numbers and c.name != "large_eps"), None)
        if not warnings:
            verdict = self.tr("all passed")
        elif warnings == 1:
            verdict = self.tr("1 warning")
        else:
            verdict = self.tr("%1 warnings").replace("%1", str(warnings))
        if eps is not None:
            summary = (
                self.tr("Checks at ε = %1 (%2/255): %3")
                .replace("%1", f"{eps:.2f}")  # two decimals at most, as everywhere
                .replace("%2", f"{eps * 255:.0f}")
            )
        else:
            summary = self.tr("Checks: %3")
        self.sanity_summary.setText(f"<b>{summary.replace('%3', verdict)}</b>")
        self.set_busy(False)
        self.on_progress(*self._last_progress)  # the indeterminate "checking" bar back to the curve's count
