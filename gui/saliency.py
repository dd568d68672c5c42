"""What the model looks at: the saliency panel of an enlarged gallery sample.

The maps are computed in the engine process (engine.saliency, with Captum) and arrive as one
``SampleExplanation``; this widget only colours and arranges them. One row per model (the model in
use, then the shipped standard and robust models when the image is an 8×8 digit), four images per
row: the clean image, its map, the attacked image, its map. Under each map, the share of its mass that
lies on the digit's strokes: the number that says whether the map "looks like the digit".
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from engine.gallery_images import heat_rgb8, to_rgb8
from engine.messages import SampleExplanation
from gui.pixmaps import pixmap

TILE = 92  # pixels per image: four images and a row title fit a 760-pixel dialog


def method_names() -> dict[str, str]:
    """engine.saliency.METHODS in the window's words (translated when the dialog is built)."""
    return {
        "gradient": QCoreApplication.translate("Saliency", "Input gradient"),
        "smoothgrad": QCoreApplication.translate("Saliency", "SmoothGrad (gradient averaged over noisy copies)"),
        "integrated-gradients": QCoreApplication.translate("Saliency", "Integrated Gradients (from a black image)"),
    }


def model_names() -> dict[str, str]:
    return {
        "current": QCoreApplication.translate("Saliency", "This model"),
        "standard": QCoreApplication.translate("Saliency", "Shipped standard model"),
        "robust": QCoreApplication.translate("Saliency", "Shipped robust model"),
    }


class SaliencyView(QWidget):
    """Attribution maps of one sample for each model, with a method and a class to explain."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation: SampleExplanation | None = None
        self.intro = QLabel(
            self.tr(
                "Bright pixels are where a small change moves the model's score for the class the most. "
                "The percentage under each map is the share of its brightness on the digit's strokes "
                "(pixels brighter than mid-grey)."
            )
        )
        self.intro.setWordWrap(True)
        self.method = QComboBox()
        for key, text in method_names().items():
            self.method.addItem(text, key)
        self.method.setToolTip(
            self.tr(
                "How the map is made. Input gradient: the raw sensitivity. SmoothGrad: the same, averaged over "
                "25 noisy copies of the image, so single-pixel noise fades. Integrated Gradients: the "
                "gradient summed along the way from a black image, so every pixel's share of the score adds up."
            )
        )
        self.target = QComboBox()
        self.target.addItem(self.tr("the true class"), 0)
        self.target.addItem(self.tr("the class the model sees"), 1)
        self.target.setToolTip(
            self.tr("Explain the right answer, or the answer the model gives (after an attack, the wrong one).")
        )
        form = QFormLayout()
        form.addRow(self.tr("&Map:"), self.method)
        form.addRow(self.tr("&Explain:"), self.target)
        self.status = QLabel(self.tr("Computing the maps…"))
        self.status.setWordWrap(True)
        self._grid_host = QWidget()
        self.grid = QGridLayout(self._grid_host)
        self.grid.setSpacing(4)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self._grid_host, 1)
        self.method.currentIndexChanged.connect(self._render)
        self.target.currentIndexChanged.connect(self._render)
        self.cells: list[QLabel] = []

    def show_failed(self, text: str) -> None:
        self.status.setText(self.tr("The maps could not be made: {reason}").format(reason=text))
        self.status.show()

    def show_explanation(self, explanation: SampleExplanation) -> None:
        self.explanation = explanation
        self.status.hide()
        self._render()

    def inside_text(self, panel: int, image: int) -> str:
        """The line under one map ("on the strokes: 62 %") for the chosen method and class."""
        assert self.explanation is not None
        p = self.explanation.panels[panel]
        m = p.methods.index(self.method.currentData())
        share = float(p.inside[m, image, self.target.currentData()])
        return self.tr("on the strokes: {share}").format(share=f"{share:.0%}")

    def _clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cells = []

    def _render(self) -> None:
        if self.explanation is None:
            return
        self._clear()
        e, names = self.explanation, self.explanation.class_names
        k = self.target.currentData()
        headers = (
            self.tr("Clean image"),
            self.tr("Its map"),
            self.tr("Attacked image"),
            self.tr("Its map"),
        )
        for c, text in enumerate(headers):
            header = QLabel(text)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setWordWrap(True)
            header.setMaximumWidth(TILE + 30)
            self.grid.addWidget(header, 0, c + 1)
        model_words = model_names()
        for r, panel in enumerate(e.panels):
            title = QLabel(f"<b>{model_words.get(panel.model, panel.model)}</b>")
            title.setWordWrap(True)
            title.setMaximumWidth(120)
            self.grid.addWidget(title, r + 1, 0)
            m = panel.methods.index(self.method.currentData())
            for i in range(2):  # the clean image, the attacked image
                seen = panel.predictions[i]
                explained = e.label if k == 0 else seen
                image = QLabel()
                image.setPixmap(pixmap(to_rgb8(panel.images[i]), TILE))
                image.setToolTip(self.tr("The model sees {seen}").format(seen=names[seen]))
                box = QVBoxLayout()
                box.setSpacing(1)
                heat = QLabel()
                heat.setPixmap(pixmap(heat_rgb8(panel.maps[m, i, k]), TILE))
                heat.setToolTip(self.tr("What moves the score of class {name}").format(name=names[explained]))
                caption = QLabel(
                    self.tr("sees {seen} · map of {name}").format(seen=names[seen], name=names[explained])
                    + "<br>"
                    + self.inside_text(r, i)
                )
                caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
                box.addWidget(heat)
                box.addWidget(caption)
                holder = QWidget()
                holder.setLayout(box)
                self.grid.addWidget(image, r + 1, 2 * i + 1, Qt.AlignmentFlag.AlignTop)
                self.grid.addWidget(holder, r + 1, 2 * i + 2)
                self.cells.append(heat)
