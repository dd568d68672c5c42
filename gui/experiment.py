"""The experiment panel: what a run is made of (data, model, device, schedule). Fixed once a run starts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.config import DATASETS, DEVICES, MODELS, OPTIMIZERS, RunConfig
from gui.i18n import translate_sentences

# English sources, shown through translate("ExperimentPanel", …)
DATASET_LABELS = {
    "digits": QT_TRANSLATE_NOOP("ExperimentPanel", "Digits 8×8 (built in)"),
    "mnist": QT_TRANSLATE_NOOP("ExperimentPanel", "MNIST handwritten digits"),
    "fashion-mnist": QT_TRANSLATE_NOOP("ExperimentPanel", "Fashion-MNIST clothes"),
    "cifar10": QT_TRANSLATE_NOOP("ExperimentPanel", "CIFAR-10 photos"),
    "folder": QT_TRANSLATE_NOOP("ExperimentPanel", "My image folder…"),
}
MODEL_LABELS = {
    "seed-cnn": QT_TRANSLATE_NOOP("ExperimentPanel", "Seed CNN (tiny, fast)"),
    "mlp": QT_TRANSLATE_NOOP("ExperimentPanel", "MLP (fully connected)"),
    "small-cnn": QT_TRANSLATE_NOOP("ExperimentPanel", "Small CNN"),
    "resnet": QT_TRANSLATE_NOOP("ExperimentPanel", "Small ResNet"),
}
DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("ExperimentPanel", "Automatic"), "cpu": "CPU", "cuda": "GPU (CUDA)"}
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": QT_TRANSLATE_NOOP("ExperimentPanel", "SGD with momentum")}

# The dataset notes of engine.data (English there), re-made in the window's language by translate_sentences.
# A template that starts with a placeholder comes last (it would take the start of an earlier note).
DATASET_NOTES = (
    QT_TRANSLATE_NOOP("DatasetNote", "Embedded 8×8 digits: %1 training / %2 held-out images."),
    QT_TRANSLATE_NOOP(
        "DatasetNote", "Only the %1 test files were found in %2: using a seeded %3 / %4 train / held-out split of them."
    ),
    QT_TRANSLATE_NOOP("DatasetNote", "Folder %1: %2 classes, %3 training / %4 held-out images."),
    QT_TRANSLATE_NOOP("DatasetNote", "Resumed from epoch %1."),
    QT_TRANSLATE_NOOP("DatasetNote", "The run that was in this folder was moved to %1."),
    QT_TRANSLATE_NOOP("DatasetNote", "%1 file(s) could not be read as images and were skipped."),
    QT_TRANSLATE_NOOP("DatasetNote", "%1: %2 training images, %3 test images held out."),
    QT_TRANSLATE_NOOP("DatasetNote", "mnist"),  # the dataset names that fill the templates above
    QT_TRANSLATE_NOOP("DatasetNote", "fashion-mnist"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExperimentPanel", text)


class NotesLabel(QLabel):
    """The dataset notes under the form: the engine writes them in English, this shows them translated."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(translate_sentences("DatasetNote", text, DATASET_NOTES))


def narrow_combo(combo: QComboBox, characters: int = 10) -> None:
    """Let a combo box be narrower than its longest entry (shown whole in the open list, elided in the
    box): the side panel must fit beside the tabs and the Start panel on a 1024 px screen."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _combo(names: tuple[str, ...], labels: dict[str, str], tip: str) -> QComboBox:
    combo = QComboBox()
    narrow_combo(combo)
    for name in names:
        combo.addItem(_tr(labels.get(name, name)), name)
    combo.setToolTip(tip)
    return combo


class ExperimentPanel(QGroupBox):
    """Dataset, model, device, epochs, batch size, learning rate, optimizer, seed."""

    changed = Signal(dict)  # {dotted key: value}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("ExperimentPanel", "Experiment"), parent)
        self.dataset = _combo(
            DATASETS,
            DATASET_LABELS,
            self.tr(
                "Which images to learn from. The built-in digits work offline; "
                "the others read files from the data folder."
            ),
        )
        self.data_dir = QLineEdit()
        self.data_dir.setPlaceholderText(self.tr("default data folder"))
        self.data_dir.setToolTip(
            self.tr(
                "Folder holding the dataset files (or, for 'My image folder', one sub-folder "
                "per class). Empty: the standard data folder."
            )
        )
        browse = QPushButton("…")
        browse.setFixedWidth(28)
        browse.setToolTip(self.tr("Choose the data folder"))
        browse.clicked.connect(self._browse)
        self.model = _combo(
            MODELS,
            MODEL_LABELS,
            self.tr("The network that is trained. Bigger models learn more but train more slowly."),
        )
        self.device = _combo(
            DEVICES,
            DEVICE_LABELS,
            self.tr(
                "Where to compute. 'Automatic' uses a GPU when there is one; "
                "the status bar shows what is actually used."
            ),
        )
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10_000)
        self.epochs.setToolTip(self.tr("How many times the training images are gone through."))
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 65_536)
        self.batch_size.setToolTip(self.tr("How many images are used for each update step."))
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 10.0)
        self.lr.setSingleStep(0.0001)
        self.lr.setToolTip(self.tr("Learning rate: how big each update step is. Too big diverges, too small is slow."))
        self.optimizer = _combo(OPTIMIZERS, OPTIMIZER_LABELS, self.tr("The update rule. Adam is a safe default."))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(self.tr("Random seed: the same seed and settings give the same run."))

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Dataset"), self.dataset)
        folder_row = QWidget()
        h = QHBoxLayout(folder_row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.data_dir, 1)
        h.addWidget(browse)
        form.addRow(self.tr("Data folder"), folder_row)
        form.addRow(self.tr("Model"), self.model)
        form.addRow(self.tr("Device"), self.device)
        form.addRow(self.tr("Epochs"), self.epochs)
        form.addRow(self.tr("Batch size"), self.batch_size)
        form.addRow(self.tr("Learning rate"), self.lr)
        form.addRow(self.tr("Optimizer"), self.optimizer)
        form.addRow(self.tr("Seed"), self.seed)
        self.notes = NotesLabel()
        self.notes.setObjectName("notesLabel")
        self.notes.setWordWrap(True)
        form.addRow(self.notes)
        for i in range(form.rowCount()):
            label = form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(i, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None and field.widget() is not None:
                label.widget().setToolTip(field.widget().toolTip())

        self._fields: dict[str, QWidget] = {
            "data.name": self.dataset,
            "model.name": self.model,
            "train.device": self.device,
            "train.epochs": self.epochs,
            "train.batch_size": self.batch_size,
            "train.lr": self.lr,
            "train.optimizer": self.optimizer,
            "train.seed": self.seed,
        }
        for key, widget in self._fields.items():
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, k=key, w=widget: self.changed.emit({k: w.currentData()}))
            else:
                widget.valueChanged.connect(lambda v, k=key: self.changed.emit({k: v}))
        self.data_dir.editingFinished.connect(
            lambda: self.changed.emit({"data.data_dir": self.data_dir.text().strip() or None})
        )

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data folder"), self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)
            self.changed.emit({"data.data_dir": folder})

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self._fields.items():
            out[key] = widget.currentData() if isinstance(widget, QComboBox) else widget.value()
        out["data.data_dir"] = self.data_dir.text().strip() or None
        return out

    def show_config(self, config: RunConfig) -> None:
        for key, widget in self._fields.items():
            section, _, name = key.partition(".")
            value = getattr(getattr(config, section), name)
            with signals_blocked(widget):
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
                else:
                    widget.setValue(value)
        with signals_blocked(self.data_dir):
            self.data_dir.setText(config.data.data_dir or "")

    def set_running(self, running: bool) -> None:
        """The run's shape is fixed while it trains (only the live knobs and the learning rate change)."""
        for key, widget in self._fields.items():
            widget.setEnabled(not running or key == "train.lr")
        self.data_dir.setEnabled(not running)
