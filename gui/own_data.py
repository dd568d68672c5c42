"""Bring your own: a folder of your images as the dataset, your own model file to attack.

Both are read by the engine process (engine.service: ``open_folder``, ``open_model``), so a huge folder
or a hostile file never blocks or endangers the window. Model files are read by
engine.model_files.load_user_model, which never runs code from the file (README: what a file can and
cannot do). A file that does not fit the current dataset (image size, number of classes) or the chosen
architecture is refused with a message. The answer comes later: ``done(ok)`` is called with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog

from engine.config import MODELS, ConfigError
from engine.errors import user_message

translate = QCoreApplication.translate  # pyside6-lupdate reads translate("context", "text") calls


def _finish(done: Callable[[bool], None] | None, ok: bool) -> bool:
    if done is not None:
        done(ok)
    return ok


def open_image_folder(window, folder: str | Path | None = None, done: Callable[[bool], None] | None = None) -> None:
    """Use a folder with one sub-folder of images per class as the dataset; the person then presses Train."""
    if folder is None:
        folder = QFileDialog.getExistingDirectory(
            window, translate("OwnData", "A folder with one sub-folder of images per class")
        )
        if not folder:
            _finish(done, False)
            return
    try:
        config = window.build_config().with_changes({"data.name": "folder", "data.data_dir": str(folder)})
    except ConfigError as exc:
        window.show_error(translate("OwnData", "This folder cannot be used as a dataset"), user_message(exc))
        _finish(done, False)
        return

    def loaded(dataset) -> None:
        window.experiment.show_config(config)
        window.experiment.notes.setText(" ".join(dataset.notes))
        window.statusBar().showMessage(
            translate("OwnData", "Dataset: %1 classes (%2). Press ▶ Train to learn them.")
            .replace("%1", str(dataset.num_classes))
            .replace("%2", ", ".join(dataset.class_names[:6])),
            0,
        )
        _finish(done, True)

    def failed(text: str) -> None:
        window.statusBar().clearMessage()
        window.show_error(translate("OwnData", "This folder cannot be used as a dataset"), text)
        _finish(done, False)

    window.statusBar().showMessage(translate("OwnData", "Reading the images in %1…").replace("%1", str(folder)), 0)
    window.controller.request("open_folder", {"data": config.data}, loaded, on_failed=failed)


def open_model_file(
    window, path: str | Path | None = None, architecture: str | None = None, done: Callable[[bool], None] | None = None
) -> None:
    """Attack the person's own model (a .pt2 program, or weights for a built-in architecture)."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            window,
            translate("OwnData", "Open your model"),
            "",
            translate("OwnData", "PyTorch models (*.pt2 *.pt *.pth);;All files (*)"),
        )
        if not path:
            _finish(done, False)
            return
    path = Path(path)
    try:
        config = window.build_config()
    except ConfigError as exc:
        window.show_error(translate("OwnData", "These settings cannot be used"), user_message(exc))
        _finish(done, False)
        return
    if path.suffix != ".pt2" and architecture is None:
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
            _finish(done, False)
            return
    if architecture:
        config = config.with_changes({"model.name": architecture})

    def opened(_label) -> None:
        window.experiment.show_config(config)
        window.statusBar().showMessage(translate("OwnData", "Attacking your model %1").replace("%1", path.name), 8000)
        window.tabs.setCurrentIndex(0)
        values = window.knobs.values()
        window.controller.recompute_gallery(values["attack.eps"], values["attack.name"])
        _finish(done, True)

    def failed(text: str) -> None:
        window.statusBar().clearMessage()
        window.show_error(translate("OwnData", "This model cannot be used"), text)
        _finish(done, False)

    window.statusBar().showMessage(translate("OwnData", "Checking your model %1…").replace("%1", path.name), 0)
    window.controller.use_model_file(path, architecture, config, opened, failed)
