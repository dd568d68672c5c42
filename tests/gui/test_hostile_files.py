"""The window's open dialogs with hostile files: nothing runs, one plain message, the window stays usable."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QInputDialog

from engine.data import MAX_PIXELS
from engine.demo import demo_model_dir
from engine.export import export_run
from tests import hostile
from tests.gui.conftest import answer, small_config

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("propagateSizeHints", "support raise"),
]

TIMEOUT = 20_000


def _window(make_window):
    return make_window(small_config(**{"model.name": "seed-cnn", "train.gallery_size": 6}))


def test_crafted_model_files_are_refused_by_the_open_dialog(qtbot, make_window, tmp_path, monkeypatch):
    from gui.own_data import open_model_file

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("seed-cnn", True))  # for the renamed pickle
    genuine = export_run(demo_model_dir("standard"), tmp_path / "genuine.pt2")
    window = _window(make_window)
    marker = tmp_path / "payload-ran"
    files = [
        make(genuine, tmp_path / f"{name}.pt2", marker)
        for name, make in sorted(hostile.PT2_VARIANTS.items())
        if name not in ("guard-code", "pickled-sample-inputs")  # these two load, without their hostile part
    ]
    files.append(hostile.pickle_renamed(tmp_path / "renamed.pt2", marker))
    files.append(hostile.pickle_renamed(tmp_path / "weights.pth", marker))
    for path in files:
        assert not answer(qtbot, open_model_file, window, path), path
        text = window.error_box.text()
        assert "was not opened" in text or "is not a torch.export program" in text, text
        assert "Traceback" not in text and path.name in text
        window.error_box.close()
    assert not marker.exists()
    # The window still works: a genuine program opens and its gallery is made.
    with qtbot.waitSignal(window.controller.galleryReady, timeout=TIMEOUT):
        assert answer(qtbot, open_model_file, window, genuine)


def test_a_run_folder_with_a_pickle_checkpoint_is_refused_by_the_window(qtbot, make_window, tmp_path):
    marker = tmp_path / "payload-ran"
    run = tmp_path / "run"
    shutil.copytree(demo_model_dir("standard"), run)
    hostile.pickle_checkpoint(run, marker)
    window = _window(make_window)
    window.load_run(run)  # reads config.json; the model is read by the gallery task
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=TIMEOUT)
    assert "Python objects beyond tensors" in window.error_box.text()
    assert not marker.exists()
    window.error_box.close()


def test_a_decompression_bomb_in_an_image_folder_gets_a_message(qtbot, make_window, tmp_path):
    from gui.own_data import open_image_folder

    root = tmp_path / "images"
    for cls in ("a", "b"):
        (root / cls).mkdir(parents=True)
        for k in range(3):
            Image.fromarray(np.full((10, 10), 40 * k, np.uint8)).save(root / cls / f"{k}.png")
    side = int(MAX_PIXELS**0.5) + 200
    Image.new("1", (side, side)).save(root / "a" / "bomb.png")
    window = _window(make_window)
    assert not answer(qtbot, open_image_folder, window, root)
    text = window.error_box.text()
    assert "bomb.png" in text and "too large to open safely" in text
    window.error_box.close()


def test_unexpected_errors_name_the_log_file(qtbot, make_window, tmp_path):
    """An error the engine did not expect (here: a job asked for with a parameter of the wrong type) is
    shown in one sentence that names the engine's log file, which holds the traceback."""
    from engine.logs import log_file

    window = _window(make_window)
    failures: list[str] = []
    window.controller.request("gallery", {"source": None, "attack": None}, print, on_failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
    text = failures[0]
    engine_log = log_file("engine")
    assert "did not expect" in text and str(engine_log) in text and "Traceback" not in text
    logged = engine_log.read_text()
    assert "Traceback" in logged and "AttributeError" in logged


def test_refusals_and_their_titles_read_in_chinese(qtbot, open_app, settings, tmp_path) -> None:
    """In 简体中文 the engine's refusals (made in the engine process) and the dialog around them are
    Chinese: no English word but proper names and what the person sees on disk (file names, options)."""
    from engine import catalogue
    from gui.own_data import open_model_file
    from tests.gui.window_audit import latin_words, without_code

    settings.setValue("config", small_config(**{"model.name": "seed-cnn"}).to_json())
    settings.setValue("language", "zh_CN")
    window = open_app()
    assert catalogue.active_language() == "zh_CN"  # the engine errors this (the window's) process shows
    genuine = export_run(demo_model_dir("standard"), tmp_path / "genuine.pt2")
    marker = tmp_path / "payload-ran"
    files = [make(genuine, tmp_path / f"{name}.pt2", marker) for name, make in sorted(hostile.PT2_VARIANTS.items())[:3]]
    files.append(tmp_path / "missing.pt2")
    for path in files:
        assert not answer(qtbot, open_model_file, window, path), path
        shown = window.error_box.windowTitle() + " " + window.error_box.text()
        assert path.name in shown
        assert not latin_words(without_code(shown.replace(str(path), " ").replace(path.name, " "))), shown
        window.error_box.close()
    assert not marker.exists()
