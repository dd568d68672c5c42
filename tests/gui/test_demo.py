"""The first minute (issue 5): instant demo, presets, drawing, presentation mode, help, languages, own data."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, Qt

from engine.demo import DEMO_ATTACK, demo_model_dir
from engine.messages import RunStarted
from gui import i18n
from tests.gui.conftest import answer, small_config

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("propagateSizeHints", "support raise"),
]

TIMEOUT = 20_000


def test_first_launch_shows_attacked_digits_within_seconds(qtbot, open_app, capsys) -> None:
    t0 = time.perf_counter()
    window = open_app()
    qtbot.waitUntil(lambda: window.gallery.batch is not None, timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    batch = window.gallery.batch
    right = int((batch.pred_clean == batch.labels).sum())
    fooled = int(batch.fooled.sum())
    with capsys.disabled():
        print(
            f"\nlaunch to first adversarial gallery: {elapsed:.2f} s; standard model fooled on "
            f"{fooled}/{right} gallery digits at ε = {batch.eps} ({batch.attack})"
        )
    assert window.controller.run_dir == demo_model_dir("standard")
    assert elapsed < 10.0
    assert fooled > right / 2
    assert f"{fooled} of {right}" in window.demo.panel.result.text()

    # The same attack on the robust model mostly fails.
    window.demo.panel.robust.setChecked(True)
    qtbot.mouseClick(window.demo.panel.attack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.controller.run_dir == demo_model_dir("robust") and window.gallery.batch is not batch,
        timeout=TIMEOUT,
    )
    robust = window.gallery.batch
    r_right, r_fooled = int((robust.pred_clean == robust.labels).sum()), int(robust.fooled.sum())
    with capsys.disabled():
        print(f"robust model fooled on {r_fooled}/{r_right} gallery digits")
    assert r_fooled < r_right / 2


def test_second_launch_without_a_last_run_shows_the_first_launch_view(qtbot, open_app, settings) -> None:
    """Settings saved, no run made yet: the shipped model's attacked digits, the saved panel kept."""
    config = small_config()
    settings.setValue("config", config.to_json())
    window = open_app()
    qtbot.waitUntil(lambda: window.gallery.batch is not None, timeout=TIMEOUT)
    assert window.controller.run_dir == demo_model_dir("standard")
    assert window.build_config().model.name == config.model.name


def test_presets_set_the_knobs_and_explain(qtbot, open_app, settings) -> None:
    settings.setValue("config", small_config().to_json())
    window = open_app()
    panel = window.demo.panel
    qtbot.mouseClick(panel.preset_buttons["train-robust"], Qt.MouseButton.LeftButton)
    values = window.knobs.values()
    assert values["attack.name"] == "fgsm-rs" and values["train.lam"] == 1.0 and values["attack.eps"] == 0.2
    assert panel.explanation.isVisible() and "Train" in panel.explanation.text()
    qtbot.mouseClick(panel.preset_buttons["sweep-lambda"], Qt.MouseButton.LeftButton)
    assert window.knobs.values()["train.lam"] == 0.0 and "λ" in panel.explanation.text()


def test_draw_a_digit_get_a_prediction_and_its_adversarial_version(qtbot, open_app, settings) -> None:
    from engine.checkpoints import load_model
    from engine.demo_attacks import predict_image
    from gui.canvas import DrawDigitDialog

    settings.setValue("config", small_config().to_json())
    window = open_app()
    dialog = DrawDigitDialog(window.controller, parent=window)
    dialog.show()
    assert dialog.prediction is None and not dialog.attack_button.isEnabled()
    canvas = dialog.canvas
    # A "1": one vertical stroke; the engine process answers each stroke, the last answer is shown.
    with qtbot.waitSignal(dialog.answered, timeout=60_000):
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(128, 40))
        for y in range(50, 221, 10):
            qtbot.mouseMove(canvas, QPoint(128, y))
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(128, 220))
    qtbot.waitUntil(lambda: dialog.attack_button.isEnabled(), timeout=10_000)
    digit = canvas.digit()
    assert digit.shape == (8, 8) and 0.0 <= digit.min() and digit.max() <= 1.0 and digit.max() > 0.5
    # The answer shown is the shipped model's on this very drawing, checked independently here.
    model = load_model(demo_model_dir("standard"))[1]
    expected = predict_image(model, digit)
    assert dialog.prediction is not None and dialog.prediction.label == expected.label
    np.testing.assert_allclose(dialog.prediction.probabilities, expected.probabilities, atol=1e-5)
    assert dialog.bars.headline.text().startswith(f"It is a {expected.label}")
    with qtbot.waitSignal(dialog.answered, timeout=60_000):
        qtbot.mouseClick(dialog.attack_button, Qt.MouseButton.LeftButton)
    assert dialog.adversarial is not None
    assert np.abs(dialog.adversarial[0] - digit).max() <= DEMO_ATTACK.eps + 1e-6
    again = predict_image(model, dialog.adversarial)
    fooled = again.label != dialog.prediction.label
    assert dialog.adv_prediction.label == again.label
    assert dialog.adv_bars.headline.text().startswith("Fooled" if fooled else "Not fooled")
    assert str(again.label) in dialog.adv_bars.headline.text()
    dialog.close()


def test_presentation_mode_enlarges_and_keeps_the_live_panels(qtbot, open_app, settings) -> None:
    settings.setValue("config", small_config().to_json())
    window = open_app()
    size_before = window.demo.panel.attack_button.font().pointSizeF()
    window.demo.presentation_action.trigger()
    assert window.demo.presenting and window.isFullScreen()
    for shown in (window.gallery, window.curves, window.knobs, window.demo.panel.attack_button, window.train_button):
        assert shown.isVisible(), type(shown).__name__
    assert not window.experiment.isVisible() and not window.demo.panel.intro.isVisible()
    assert window.demo.panel.attack_button.font().pointSizeF() > size_before
    plots = [window.curves.loss_plot, window.curves.acc_plot, window.robustness.plot]
    # Style sheets stop at a plot's edge: the ticks, axis titles and legends grow too (they read 8–9 pt).
    for plot in plots:
        assert plot.getAxis("bottom").style["tickFont"].pointSizeF() > 8.5
        assert plot.getAxis("left").labelStyle["font-size"] == "11pt"
    legend_label = window.curves.legends["loss"].items[0][1]
    assert legend_label.opts["size"] == "11pt" and "11pt" in legend_label.item.toHtml()
    window.demo.presentation_action.trigger()
    assert not window.demo.presenting and window.experiment.isVisible() and window.curves.isVisible()
    assert window.demo.panel.intro.isVisible() and not window.demo.panel.explanation.isVisible()
    for plot in plots:
        assert plot.getAxis("bottom").style["tickFont"] is None and "font-size" not in plot.getAxis("left").labelStyle
    assert legend_label.opts["size"] == "9pt"


def test_glossary_and_whats_this(qtbot, open_app, settings) -> None:
    settings.setValue("config", small_config().to_json())
    window = open_app()
    window.demo.open_glossary("lambda")
    dialog = window.demo.glossary
    assert "λ" in dialog.text.toPlainText()
    keys = {key for key, _title, _text in dialog.entries}
    assert {"eps", "lambda", "fgsm", "pgd", "robust", "augment", "l1l2", "dropout"} <= keys
    for knob in (window.knobs.eps, window.knobs.lam, window.knobs.l1, window.knobs.dropout, window.robustness):
        assert knob.whatsThis() and knob.toolTip()
    dialog.close()


def test_switch_to_chinese(qtbot, open_app, settings) -> None:
    settings.setValue("config", small_config().to_json())
    window = open_app()
    window.demo.language_actions["zh_CN"].trigger()
    assert i18n.current_language(settings) == "zh_CN"
    window.close()
    # Takes effect at the next start.
    chinese = open_app()
    panel = chinese.demo.panel
    assert panel.attack_button.text() == "⚡ 攻击！"
    assert chinese.experiment.title() == "实验"
    assert chinese.tabs.tabText(0) == "训练"
    assert "稳健" in panel.robust.text()
    titles = [a.text() for a in chinese.menuBar().actions()]
    assert any("帮助" in t for t in titles)
    assert chinese.demo.dock.windowTitle() == "从这里开始"
    qtbot.mouseClick(panel.attack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(chinese.gallery.cells), timeout=10_000)  # texts made at run time
    assert "攻击前认对" in chinese.gallery.header.text()
    assert "识别为" in chinese.gallery.cells[0].text_clean.text()


def _write_images(root: Path) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    for cls, value in (("dark", 40), ("bright", 215)):
        (root / cls).mkdir(parents=True)
        for i in range(10):
            pixels = np.clip(rng.normal(value, 20, size=(12, 12)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "L").save(root / cls / f"{i}.png")
    return root


def test_open_an_image_folder_and_train_on_it(qtbot, open_app, settings, tmp_path) -> None:
    from gui.own_data import open_image_folder

    settings.setValue("config", small_config().to_json())
    window = open_app()
    assert not answer(qtbot, open_image_folder, window, tmp_path / "missing")
    assert "does not exist" in window.error_box.text()
    folder = _write_images(tmp_path / "mine")
    assert answer(qtbot, open_image_folder, window, folder)
    config = window.build_config()
    assert config.data.name == "folder" and config.data.data_dir == str(folder)
    started = []
    window.controller.message.connect(lambda m: started.append(m) if isinstance(m, RunStarted) else None)
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(started), timeout=TIMEOUT)
    assert started[0].class_names == ("bright", "dark")
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def standard_model():
    from engine.checkpoints import load_model

    _config, model, _names = load_model(demo_model_dir("standard"))
    return model


def _digits_window(qtbot, open_app, settings):
    """A second launch with settings and no run yet: it first shows the shipped model's attacked digits
    (waited for here, so that the gallery a test waits for next is its own)."""
    config = small_config(**{"model.name": "small-cnn", "train.gallery_size": 6})
    settings.setValue("config", config.to_json())
    window = open_app()
    qtbot.waitUntil(lambda: window.gallery.batch is not None, timeout=TIMEOUT)
    return window


def test_open_an_exported_program(qtbot, open_app, settings, tmp_path, standard_model) -> None:
    from engine.export import export_model
    from gui.own_data import open_model_file

    path = export_model(standard_model, (1, 8, 8), tmp_path / "mine.pt2")
    window = _digits_window(qtbot, open_app, settings)
    with qtbot.waitSignal(window.controller.galleryReady, timeout=TIMEOUT):
        assert answer(qtbot, open_model_file, window, path)
    assert window.gallery.batch is not None and len(window.gallery.batch.labels) == 6
    # The robustness tab measures the same foreign model (no run folder behind it).
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT) as blocker:
        assert window.controller.run_robustness(("fgsm",), (0.0, 0.2), 3, 60)
    curve = blocker.args[0]
    assert curve.n == 60 and curve.accuracy["fgsm"][0] > 0.9 > curve.accuracy["fgsm"][1]


def test_a_torchscript_file_is_refused_with_a_way_out(
    qtbot, open_app, settings, tmp_path, standard_model, monkeypatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from gui.own_data import open_model_file
    from tests.engine.test_runs import _torchscript_file

    # A .pt file could hold weights, so the window asks for their architecture; the engine then sees
    # that the file is TorchScript (which can run code) and refuses it.
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("small-cnn", True))
    path = _torchscript_file(standard_model, tmp_path / "from-an-older-tool.pt")
    window = _digits_window(qtbot, open_app, settings)
    assert not answer(qtbot, open_model_file, window, path)
    assert "TorchScript file and was not opened" in window.error_box.text()
    assert "torch.export" in window.error_box.text()
    window.error_box.close()


def test_open_a_state_dict_and_refuse_one_that_does_not_fit(
    qtbot, open_app, settings, tmp_path, standard_model
) -> None:
    from gui.own_data import open_model_file

    full = tmp_path / "weights.pt"
    torch.save(standard_model.state_dict(), full)
    inner = tmp_path / "inner.pth"  # without the Normalize layer, as a network made elsewhere would be
    torch.save(standard_model[1].state_dict(), inner)
    window = _digits_window(qtbot, open_app, settings)
    for path in (full, inner):
        with qtbot.waitSignal(window.controller.galleryReady, timeout=TIMEOUT):
            assert answer(qtbot, open_model_file, window, path, "small-cnn")
    assert not answer(qtbot, open_model_file, window, full, "seed-cnn")
    assert window.error_box is not None and window.error_box.isVisible()
    assert "do not fit the 'seed-cnn' model" in window.error_box.text()
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    assert not answer(qtbot, open_model_file, window, junk, "small-cnn")
    assert "is not a usable weights file" in window.error_box.text()
