"""Plain-language help: a glossary dialog ("What is this?") and What's-This texts on the knobs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

translate = QCoreApplication.translate  # pyside6-lupdate reads translate("context", "text") calls


def glossary() -> list[tuple[str, str, str]]:
    """(key, title, explanation) for every knob and metric a newcomer meets, in the current language."""
    return [
        (
            "eps",
            translate("Glossary", "ε (epsilon): attack strength"),
            translate(
                "Glossary",
                "How much the attacker may change each pixel, as a share of the full brightness range. "
                "ε = 0.2 means every pixel may become up to 20% brighter or darker. A person still reads the same "
                "digit, but a network often does not.",
            ),
        ),
        (
            "lambda",
            translate("Glossary", "λ (lambda): weight of the attacked images"),
            translate(
                "Glossary",
                "During training the model learns from normal images and from attacked ones. λ says how much the "
                "attacked ones count: 0 is ordinary training, 1 counts both equally, more favours robustness, "
                "usually at some cost in ordinary accuracy.",
            ),
        ),
        (
            "beta",
            translate("Glossary", "β (beta): weight of the closeness term"),
            translate(
                "Glossary",
                "TRADES and MART ask the model to give an attacked image the same answer as the clean one. β says "
                "how much that counts: more favours robustness, usually at some cost in ordinary accuracy.",
            ),
        ),
        (
            "method",
            translate("Glossary", "Training method"),
            translate(
                "Glossary",
                "How the model is made robust. Adversarial training learns from attacked images (weight λ). TRADES "
                "and MART also learn from attacked images, in two other ways (weight β). Certified training works "
                "with interval bounds so that robustness can be proven, not only tested; it suits small models.",
            ),
        ),
        (
            "fgsm",
            translate("Glossary", "FGSM: the one-step attack"),
            translate(
                "Glossary",
                "Fast Gradient Sign Method. The attacker asks the network which direction of every pixel would "
                "hurt the right answer most, and moves each pixel by ε in that direction, once. Fast but weak.",
            ),
        ),
        (
            "pgd",
            translate("Glossary", "PGD: the many-step attack"),
            translate(
                "Glossary",
                "Projected Gradient Descent repeats small FGSM-like steps and stays within ε of the original image. "
                "It finds stronger adversarial examples than FGSM and is the usual test of robustness.",
            ),
        ),
        (
            "robust",
            translate("Glossary", "Robust accuracy"),
            translate(
                "Glossary",
                "The share of test images that the model still gets right after each one was attacked with strength "
                "ε. Ordinary (clean) accuracy measures normal images; robust accuracy measures images an attacker "
                "was allowed to change.",
            ),
        ),
        (
            "augment",
            translate("Glossary", "Augmentation"),
            translate(
                "Glossary",
                "Small random changes to training images (rotating, shifting, adding noise) so the model sees more "
                "variety. It helps the model generalise, but random changes are not attacks: it gives little "
                "protection against them.",
            ),
        ),
        (
            "l1l2",
            translate("Glossary", "L1 and L2 penalties"),
            translate(
                "Glossary",
                "Extra costs on large weights. L1 pushes many weights to exactly zero; L2 (weight decay) keeps all "
                "weights small. Both make a model simpler and can reduce overfitting.",
            ),
        ),
        (
            "dropout",
            translate("Glossary", "Dropout"),
            translate(
                "Glossary",
                "While training, a random share of the network's neurons is switched off at every step, so the "
                "model cannot rely on any single one. Turned off automatically when the model is used.",
            ),
        ),
    ]


class GlossaryDialog(QDialog):
    """A list of terms on the left, the explanation of the chosen one on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("What is this? – Glossary"))
        self.entries = glossary()
        self.terms = QListWidget()
        self.text = QTextBrowser()
        for key, title, _text in self.entries:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.terms.addItem(item)
        self.terms.currentRowChanged.connect(self._show_row)
        layout = QHBoxLayout(self)
        layout.addWidget(self.terms, 2)
        layout.addWidget(self.text, 3)
        self.terms.setCurrentRow(0)
        self.resize(760, 380)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            _key, title, text = self.entries[row]
            self.text.setHtml(f"<h3>{title}</h3><p style='font-size: 12pt'>{text}</p>")

    def show_term(self, key: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry[0] == key:
                self.terms.setCurrentRow(row)


def apply_whats_this(window) -> None:
    """What's-This texts (Shift+F1, or the ? pointer) on the knobs and metrics, from the glossary."""
    text = {key: f"<b>{title}</b><br>{body}" for key, title, body in glossary()}
    knobs = window.knobs
    pairs = [
        (knobs.eps, "eps"),
        (knobs.lam, "lambda"),
        (knobs.beta, "beta"),
        (knobs.method, "method"),
        (knobs.attack, "pgd"),
        (knobs.steps, "pgd"),
        (knobs.l1, "l1l2"),
        (knobs.l2, "l1l2"),
        (knobs.dropout, "dropout"),
        (knobs.rotation, "augment"),
        (knobs.shift, "augment"),
        (knobs.noise, "augment"),
        (knobs.crop, "augment"),
        (window.robustness, "robust"),
        (window.curves, "robust"),
    ]
    for widget, key in pairs:
        widget.setWhatsThis(text[key])
        if not widget.toolTip():
            widget.setToolTip(text[key])
