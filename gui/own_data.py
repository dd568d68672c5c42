"""Bring your own: a folder of your images as the dataset, your own model file to attack.

Model files are read by engine.model_files.load_user_model, which never runs code from the file
(README: what a file can and cannot do). A file that does not fit the
current dataset (image size, number of classes) or the chosen architecture is refused with a message.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from engine.config import MODELS, ConfigError
from engine.errors import user_message

translate = QCoreApplication.translate  # pyside6-lupdate reads translate("context", "text") calls


def open_image_folder(window, folder: str | Path | None = None) -> bool:
    """Use a folder with one sub-folder of images per class as the dataset; the person then presses Train."""
    if folder is None:
        folder = QFileDialog.getExistingDirectory(
            window, translate("OwnData", "A folder with one sub-folder of images per class")
        )
        if not folder:
            return False
    from engine.data import load_dataset

    try:
        config = window.build_config().with_changes({"data.name": "folder", "data.data_dir": str(folder)})
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            split = load_dataset(config.data)  # read once now, so a bad folder is reported at once
        finally:
            QApplication.restoreOverrideCursor()
    except Exception as exc:  # noqa: BLE001 - engine.errors words every failure; the window stays up
        window.show_error(translate("OwnData", "This folder cannot be used as a dataset"), user_message(exc))
        return False
    window.experiment.show_config(config)
    window.experiment.notes.setText(" ".join(split.notes))
    window.statusBar().showMessage(
        translate("OwnData", "Dataset: %1 classes (%2). Press ▶ Train to learn them.")
        .replace("%1", str(split.num_classes))
        .replace("%2", ", ".join(split.class_names[:6])),
        0,
    )
    return True


def open_model_file(window, path: str | Path | None = None, architecture: str | None = None) -> bool:
    """Attack the person's own model (.pt2 program, TorchScript, or weights for a built-in architecture)."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            window,
            translate("OwnData", "Open your model"),
            "",
            translate("OwnData", "PyTorch models (*.pt2 *.pt *.pth);;All files (*)"),
        )
        if not path:
            return False
    path = Path(path)
    try:
        config = window.build_config()
    except ConfigError as exc:
        window.show_error(translate("OwnData", "These settings cannot be used"), user_message(exc))
        return False
    from engine.model_files import is_torchscript

    if path.suffix != ".pt2" and architecture is None and not is_torchscript(path):
        current = config.model.name
        architecture, ok = QInputDialog.getItem(
            window,
            translate("OwnData", "Which architecture?"),
            translate("OwnData", "These weights are for which built-in model?"),
            list(MODELS),
            list(MODELS).index(current),
            False,
        )
        if not ok:
            return False
    from engine.data import load_dataset
    from engine.model_files import load_user_model

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        split = load_dataset(config.data)
        model = load_user_model(
            path, architecture or config.model.name, split.image_shape, split.num_classes, sample=split.test_x[:8]
        )
    except Exception as exc:  # noqa: BLE001 - engine.errors words every failure; the window stays up
        window.show_error(translate("OwnData", "This model cannot be used"), user_message(exc))
        return False
    finally:
        QApplication.restoreOverrideCursor()
    if architecture:
        config = config.with_changes({"model.name": architecture})
    window.controller.use_model(model, config, path)
    window.experiment.show_config(config)
    window.statusBar().showMessage(translate("OwnData", "Attacking your model %1").replace("%1", path.name), 8000)
    window.tabs.setCurrentIndex(0)
    values = window.knobs.values()
    window.controller.recompute_gallery(values["attack.eps"], values["attack.name"])
    return True
