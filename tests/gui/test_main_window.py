"""Drive the real window: train, turn knobs mid-run, pause, stop, gallery, robustness, close, errors."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.messages import ConfigApplied, GalleryBatch, StepMetrics
from tests.gui.conftest import small_config

# Any Qt warning (e.g. "QThread: Destroyed while thread is still running") fails the test.
# The offscreen platform's own notice about size hints is not ours and is ignored.
pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

TIMEOUT = 20_000  # ms: generous for a slow CI machine; typical waits are well under a second


class Recorder:
    """Collects every engine snapshot the controller forwards to the GUI thread."""

    def __init__(self, window) -> None:
        self.messages: list[object] = []
        window.controller.message.connect(self.messages.append)

    def of(self, kind: type) -> list:
        return [m for m in self.messages if isinstance(m, kind)]


def start(qtbot, window, steps: int = 3) -> Recorder:
    rec = Recorder(window)
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rec.of(StepMetrics)) >= steps, timeout=TIMEOUT)
    return rec


def stop_and_wait(qtbot, window) -> float:
    t0 = time.perf_counter()
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    return time.perf_counter() - t0


def test_train_button_starts_a_run_and_fills_the_curves(qtbot, make_window) -> None:
    window = make_window()
    rec = start(qtbot, window, steps=5)
    assert window.controller.state == "running"
    assert not window.train_action.isEnabled() and window.stop_action.isEnabled()
    assert window.device_label.text().startswith("Device: cpu")
    curve = window.curves.curve("loss_total")
    qtbot.waitUntil(lambda: curve.getData()[0] is not None and len(curve.getData()[0]) >= 5, timeout=TIMEOUT)
    x, y = curve.getData()
    assert np.isfinite(y).all()
    assert [m.step for m in rec.of(StepMetrics)][:5] == [1, 2, 3, 4, 5]
    stop_and_wait(qtbot, window)


def test_lambda_and_eps_changed_mid_run_reach_the_engine(qtbot, make_window) -> None:
    window = make_window()
    rec = start(qtbot, window, steps=3)
    assert rec.of(StepMetrics)[-1].lam == pytest.approx(1.0)

    knobs = window.knobs
    knobs.lam.slider.setValue(knobs.lam.position_of(0.5))  # as a drag or arrow keys would
    knobs.eps.slider.setValue(16)  # 16/255
    sent_at = rec.of(StepMetrics)[-1].step
    qtbot.waitUntil(lambda: any(m.changes for m in rec.of(ConfigApplied)), timeout=TIMEOUT)
    applied = next(m for m in rec.of(ConfigApplied) if m.changes)
    assert dict(applied.changes) == {"train.lam": 0.5, "attack.eps": pytest.approx(16 / 255)}
    qtbot.waitUntil(lambda: rec.of(StepMetrics)[-1].step > applied.step + 1, timeout=TIMEOUT)

    after = [m for m in rec.of(StepMetrics) if m.step >= applied.step + 1]
    assert after[0].lam == pytest.approx(0.5) and after[0].eps == pytest.approx(16 / 255)
    before = [m for m in rec.of(StepMetrics) if m.step <= applied.step]
    assert before[-1].lam == pytest.approx(1.0)
    # debounced, yet in force within a few steps of the user's change (steps take milliseconds here)
    assert applied.step - sent_at <= 60
    assert len(window.curves.markers) == 1
    assert "λ → 0.5" in window.curves.markers[0].label.toPlainText()
    assert "0.5" in knobs.lam.label.text()
    assert "16/255" in knobs.eps.label.text()
    stop_and_wait(qtbot, window)


def test_pause_resume_and_stop_within_one_second(qtbot, make_window) -> None:
    window = make_window()
    rec = start(qtbot, window)
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=TIMEOUT)
    assert window.pause_action.text().endswith("Resume")
    steps_when_paused = len(rec.of(StepMetrics))
    qtbot.wait(300)  # let time pass: nothing may arrive while paused
    assert len(rec.of(StepMetrics)) == steps_when_paused

    qtbot.keyClick(window, Qt.Key.Key_Space)  # the keyboard shortcut resumes
    qtbot.waitUntil(lambda: len(rec.of(StepMetrics)) > steps_when_paused + 3, timeout=TIMEOUT)
    assert window.controller.state == "running"

    seconds = stop_and_wait(qtbot, window)
    assert seconds < 1.0, f"stop took {seconds:.2f} s"
    assert window.train_action.isEnabled()
    assert "stopped" in window.statusBar().currentMessage()


def test_stop_while_paused_returns_quickly(qtbot, make_window) -> None:
    window = make_window()
    start(qtbot, window)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=TIMEOUT)
    assert stop_and_wait(qtbot, window) < 1.0


def test_gallery_shows_the_engine_batch(qtbot, make_window) -> None:
    window = make_window()
    rec = start(qtbot, window)
    qtbot.waitUntil(lambda: len(rec.of(GalleryBatch)) >= 2 and window.gallery.batch is not None, timeout=TIMEOUT)
    stop_and_wait(qtbot, window)
    batch = rec.of(GalleryBatch)[-1]
    # during training the gallery shows at most two batches a second; the newest one is shown last
    qtbot.waitUntil(lambda: window.gallery.batch is batch, timeout=TIMEOUT)
    cells = window.gallery.cells
    assert len(cells) == len(batch.labels) == 8
    for i, cell in enumerate(cells):
        assert cell.prediction_clean == int(batch.pred_clean[i])
        assert cell.prediction_adv == int(batch.pred_adv[i])
        assert batch.class_names[int(batch.pred_adv[i])] in cell.text_adv.text()
        assert cell.fooled == bool(batch.fooled[i])
        assert ("FOOLED" in cell.text_adv.text()) == cell.fooled
    qtbot.mouseClick(cells[0], Qt.MouseButton.LeftButton)
    dialog = window.gallery.dialog
    assert dialog is not None and dialog.isVisible()
    np.testing.assert_allclose(dialog.bars_adv.opts["height"], batch.probs_adv[0])
    dialog.close()


def test_moving_eps_after_training_remakes_the_gallery(qtbot, make_window) -> None:
    window = make_window(small_config(**{"train.epochs": 2}))
    rec = start(qtbot, window, steps=1)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    assert rec.of(GalleryBatch)
    with qtbot.waitSignal(window.controller.galleryReady, timeout=5000) as blocker:
        window.knobs.eps.slider.setValue(40)
    batch = blocker.args[0]
    assert batch.eps == pytest.approx(40 / 255)
    assert window.gallery.batch is batch
    assert float(np.abs(batch.perturbation).max()) <= 40 / 255 + 1e-5


def test_robustness_tab_plots_a_curve(qtbot, make_window) -> None:
    window = make_window(small_config(**{"train.epochs": 2}))
    start(qtbot, window, steps=1)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.points.setValue(4)
    view.images.setValue(100)
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert set(view.curves) == {"fgsm", "pgd", "noise-uniform"}
    x, y = view.curves["pgd"].getData()
    assert len(x) == 4 and x[0] == 0 and y[0] >= y[-1]
    # The sanity checks follow the curve, at the Adversary knob's ε, one badge per check.
    with qtbot.waitSignal(window.controller.sanityReady, timeout=TIMEOUT) as blocker:
        pass
    checks = blocker.args[0]
    assert [badge.text() for badge, _ in view.sanity_rows] == [
        "skipped" if c.skipped else "pass" if c.passed else "warning" for c in checks
    ]
    assert [text.text() for _, text in view.sanity_rows] == [c.reason for c in checks]
    assert len(checks) == 5 and checks[1].numbers["eps"] == pytest.approx(window.knobs.values()["attack.eps"])
    assert "Checks at ε" in view.sanity_summary.text() and view.sanity_box.title() == "Can these numbers be trusted?"
    assert view.progress.value() == view.progress.maximum() > 0
    assert view.run_button.isEnabled()


def test_sanity_checks_flag_a_gradient_masked_model(qtbot, make_window, tmp_path) -> None:
    """A model that rounds its input has zero gradients: the window must say its robustness is not real."""

    from engine.checkpoints import load_model
    from engine.data import load_dataset
    from engine.demo import demo_model_dir  # the shipped standard model: a real, accurate classifier
    from engine.export import export_model
    from gui.own_data import open_model_file
    from tests.engine.test_sanity import RoundedInput  # rounds its input: zero gradients everywhere

    config, model, _ = load_model(demo_model_dir("standard"))
    window = make_window(config.with_changes({"data.limit_holdout": 120, "attack.eps": 0.1}))
    split = load_dataset(config.data)
    assert split.num_classes == 10
    masked = tmp_path / "masked.pt2"  # the engine process opens it like any model file of the user's
    export_model(RoundedInput(model).eval(), split.image_shape, masked)
    opened: list[bool] = []
    open_model_file(window, masked, done=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=TIMEOUT)
    assert opened == [True]
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.points.setValue(3)
    view.images.setValue(120)
    with qtbot.waitSignal(window.controller.sanityReady, timeout=TIMEOUT):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    verdicts = {text.text(): badge.text() for badge, text in view.sanity_rows}
    assert "warning" in verdicts.values()
    large = next(text for text, _ in verdicts.items() if "gradient masking" in text)
    assert verdicts[large] == "warning" and "warning" in view.sanity_summary.text()


def test_closing_during_training_stops_cleanly_and_saves(qtbot, make_window) -> None:
    window = make_window()
    rec = start(qtbot, window, steps=5)
    controller = window.controller
    engine = controller.engine.proc
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 2.0
    assert engine is not None and not engine.is_alive()  # the engine ended by itself (no kill needed)
    run_dir = Path(controller.run_dir)
    assert (run_dir / "config.json").is_file() and (run_dir / "metrics.jsonl").is_file()
    assert rec.of(StepMetrics)
    # What was learned is saved: the checkpoint loads, holds the steps trained, and the run says it was stopped.
    from engine.checkpoints import load_checkpoint, load_model

    assert load_checkpoint(run_dir)["meta"]["step"] >= 5
    load_model(run_dir)
    assert json.loads((run_dir / "summary.json").read_text())["reason"] == "stopped"
    # the fixture's teardown checks that no thread is left and pytest-qt that Qt logged no warning


def test_engine_error_is_shown_and_window_stays_usable(qtbot, make_window, tmp_path) -> None:
    window = make_window(small_config(**{"data.name": "mnist", "data.data_dir": str(tmp_path / "nothing")}))
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=TIMEOUT)
    assert "MNIST" in window.error_box.text() or "mnist" in window.error_box.text()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    assert window.train_action.isEnabled()
    window.error_box.close()


def test_curves_export_png_and_csv(qtbot, make_window, tmp_path) -> None:
    window = make_window()
    start(qtbot, window, steps=5)
    stop_and_wait(qtbot, window)
    window.curves.export_png(tmp_path / "curves.png")
    window.curves.export_csv(tmp_path / "curves.csv")
    assert (tmp_path / "curves.png").stat().st_size > 1000
    rows = (tmp_path / "curves.csv").read_text().splitlines()
    assert rows[0].startswith("step,loss_clean") and len(rows) >= 6


def test_curves_stay_fast_with_100k_points(qtbot, make_window) -> None:
    window = make_window()
    curves = window.curves
    for i in range(99_999):
        curves.steps.append((i + 1, 1.0 / (i + 1), 0.5, 0.5, 0.0, 1.5))
    last = StepMetrics(100_000, 1, 1.0, 1e-5, 0.5, 1.0, 0.5, 0.0, 0.0, 1.5, 0.9, 0.5, 0.1, 1e-3, "fgsm", 100.0, 5.0)
    curves.add_step(last)  # as the window feeds it
    t0 = time.perf_counter()
    curves.redraw()
    curves.grab()  # paint it: the cost is in drawing the points, not in handing them over
    assert time.perf_counter() - t0 < 0.5


def test_layout_and_settings_persist(qtbot, make_window) -> None:
    window = make_window(use_settings=True)
    window.experiment.epochs.setValue(7)
    window.knobs.lam.slider.setValue(window.knobs.lam.position_of(2.0))
    window.main_split.setSizes([400, 880])
    sizes = window.main_split.sizes()
    window.tabs.setCurrentIndex(1)
    window.close()
    again = make_window(use_settings=True)
    assert again.experiment.epochs.value() == 7
    assert math.isclose(again.knobs.lam.value(), 2.0)
    assert again.main_split.sizes() == sizes
    assert again.tabs.currentIndex() == 1


def test_stronger_attacks_from_the_suite_plot_curves(qtbot, make_window) -> None:
    """APGD-CE (torchattacks) and DeepFool beside PGD on the shipped standard model, from the window."""
    from engine.demo import demo_model_dir

    window = make_window()
    window.load_run(demo_model_dir("standard"))
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    for name in ("fgsm", "noise-uniform"):
        view.checks[name].setChecked(False)
    for name in ("apgd-ce", "deepfool"):
        qtbot.mouseClick(view.checks[name], Qt.MouseButton.LeftButton)
    view.sanity_check.setChecked(False)
    view.points.setValue(3)
    view.images.setValue(60)
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    curve = blocker.args[0]
    assert set(view.curves) == {"pgd", "apgd-ce", "deepfool"} and curve.n == 60
    for name, values in curve.accuracy.items():
        assert values[0] == pytest.approx(curve.clean_accuracy)  # ε = 0
        assert list(values) == sorted(values, reverse=True), name
    assert curve.accuracy["apgd-ce"][-1] <= curve.accuracy["pgd"][-1] + 0.05  # at least about as strong as PGD
    assert not view.sanity_box.isVisible() and view.run_button.isEnabled()


@pytest.mark.parametrize("height", [260, 600])
def test_nearby_marker_labels_do_not_cover_each_other(qtbot, height) -> None:
    """Three knob changes a few steps apart: their labels sit in rows, whatever the plot's height (a
    fixed fraction of the height overlapped in a short plot), and below the plot's top edge."""
    from gui.curves import CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(700, height)
    view.set_run_length(200)
    view.show()
    config = small_config()
    for step, change in ((50, ("eps", 16 / 255)), (53, ("lam", 2.0)), (56, ("lam", 0.5))):
        view.add_marker(ConfigApplied(step, (change,), config))
    qtbot.wait(50)  # the rows are placed once the plots have their height
    boxes = [m.label.sceneBoundingRect() for m in view.markers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.intersects(b), (a, b)
    top = view.loss_plot.getPlotItem().vb.sceneBoundingRect()
    assert all(top.contains(box.topLeft()) for box in boxes)


def test_measure_robustness_draws_the_certified_curve_under_the_attacks(qtbot, make_window) -> None:
    """Measure robustness also certifies (interval bounds) the same images at the same ε: the certified
    curve lies under every attack's (a proof cannot beat an attack), and the note says what the gap
    means."""
    from engine.demo import demo_model_dir

    window = make_window()
    window.load_run(demo_model_dir("robust"))
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.sanity_check.setChecked(False)
    view.points.setValue(3)
    view.images.setValue(60)
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT) as attacked:
        with qtbot.waitSignal(window.controller.certifiedReady, timeout=TIMEOUT) as certified:
            qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    curve, proof = attacked.args[0], certified.args[0]
    assert proof.eps == curve.eps and proof.n == curve.n
    assert proof.accuracy[0] == pytest.approx(curve.clean_accuracy, abs=1e-6)  # ε = 0: every correct image
    for name, values in curve.accuracy.items():
        assert all(c <= a + 1e-9 for c, a in zip(proof.accuracy, values, strict=True)), name
    assert "certified" in view.curves and view.certified_note.isVisible()
    assert "not proven safe" in view.certified_note.text()
    drawn = view.curves["certified"].getData()[1]
    assert list(drawn) == pytest.approx(list(proof.accuracy))


def choose_method(window, method: str) -> None:
    knobs = window.knobs
    knobs.method.setCurrentIndex(knobs.method.findData(method))  # as a pick from the list would


def test_choosing_trades_shows_the_beta_knob_and_goes_into_the_config(qtbot, make_window) -> None:
    """The method box: TRADES and MART use β (λ's row is hidden), AT and certified training use λ; the choice
    and β reach the config the window builds, and a loaded config or the saved settings set them back."""
    window = make_window()
    knobs = window.knobs
    assert knobs.method.currentData() == "at" and knobs.method.itemData(0) == "at"
    assert knobs.lam.isVisible() and not knobs.beta.isVisible()
    assert "L_clean + λ·L_adv" in knobs.method_note.text()

    choose_method(window, "trades")
    assert knobs.beta.isVisible() and not knobs.lam.isVisible()
    assert knobs.beta.label.text() == "β = 6.0"
    assert "Zhang" in knobs.method_note.text() and knobs.method.toolTip() == knobs.method_note.text()
    knobs.beta.slider.setValue(knobs.beta.position_of(3.5))
    config = window.build_config()
    assert config.train.method == "trades" and config.train.beta == pytest.approx(3.5)

    choose_method(window, "ibp")  # certified training weighs its bound's loss with λ
    assert knobs.lam.isVisible() and not knobs.beta.isVisible()
    assert window.build_config().train.method == "ibp"

    window.set_base_config(small_config(**{"train.method": "mart", "train.beta": 2.0}))
    assert knobs.method.currentData() == "mart" and knobs.beta.value() == pytest.approx(2.0)
    assert knobs.beta.isVisible() and not knobs.lam.isVisible()
    window.save_settings()
    again = make_window(use_settings=True)
    assert again.knobs.method.currentData() == "mart" and again.knobs.beta.value() == pytest.approx(2.0)
    assert again.knobs.beta.isVisible() and not again.knobs.lam.isVisible()


def test_the_method_is_fixed_while_a_run_trains(qtbot, make_window) -> None:
    """Like the Experiment form, the method box is disabled from Train until the run has ended."""
    window = make_window(small_config(**{"train.epochs": 1}))
    seen: list[tuple[str, bool]] = []
    window.controller.stateChanged.connect(lambda state: seen.append((state, window.knobs.method.isEnabled())))
    assert window.knobs.method.isEnabled()
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: seen and seen[-1][0] == "idle", timeout=TIMEOUT)  # the one epoch completes
    assert ("running", False) in seen and seen[-1] == ("idle", True)


def test_beta_changed_during_a_trades_run_reaches_the_engine(qtbot, make_window) -> None:
    window = make_window()
    choose_method(window, "trades")
    rec = start(qtbot, window, steps=3)
    assert rec.of(StepMetrics)
    knobs = window.knobs
    knobs.beta.slider.setValue(knobs.beta.position_of(3.0))  # as a drag or arrow keys would
    qtbot.waitUntil(lambda: any(m.changes for m in rec.of(ConfigApplied)), timeout=TIMEOUT)
    applied = next(m for m in rec.of(ConfigApplied) if m.changes)
    assert applied.changes == (("train.beta", pytest.approx(3.0)),) and not applied.rejected
    assert applied.config.train.method == "trades" and applied.config.train.beta == pytest.approx(3.0)
    assert knobs.beta.label.text() == "β = 3.0" and "β → 3" in window.knobs._applied_label.text()
    stop_and_wait(qtbot, window)


def test_a_training_warning_shows_as_a_banner_until_the_next_run(qtbot, make_window) -> None:
    """The engine's TrainingWarning (catastrophic overfitting, made for real on MNIST in
    tests/engine/test_objectives.py) is shown above the tabs on every tab, and goes when a new run starts."""
    from engine.messages import TrainingWarning

    window = make_window()
    words = "Catastrophic overfitting at epoch 2: … Remedies: train with N-FGSM (attack 'n-fgsm') …"
    window.controller.message.emit(TrainingWarning(40, 2, "catastrophic_overfitting", words, (("fgsm", 0.9),)))
    assert window.warning_banner.isVisible() and words in window.warning_banner.text()
    window.tabs.setCurrentWidget(window.robustness)
    assert window.warning_banner.isVisible()
    start(qtbot, window, steps=1)
    assert not window.warning_banner.isVisible()
    stop_and_wait(qtbot, window)


def test_a_model_that_cannot_be_certified_says_why_and_drops_the_old_curve(qtbot, make_window, tmp_path) -> None:
    """After a certifiable model, a resnet (residual blocks: no interval bounds here): the attack curves
    come, the certified curve of the model before does not stay, and the note names the reason."""
    import subprocess
    import sys

    from engine.demo import demo_model_dir

    run = tmp_path / "resnet"
    subprocess.run(
        [sys.executable, "main.py", "train", "--model", "resnet", "--epochs", "1", "--limit-train", "64",
         "--limit-holdout", "40", "--quiet", "--out", str(run)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    window = make_window()
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.sanity_check.setChecked(False)
    view.points.setValue(3)
    view.images.setValue(40)
    window.load_run(demo_model_dir("robust"))
    with qtbot.waitSignal(window.controller.certifiedReady, timeout=TIMEOUT):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert "certified" in view.curves
    assert window.load_run(run)
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT):
        with qtbot.waitSignal(window.controller.certifyFailed, timeout=TIMEOUT) as failed:
            qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    reason = failed.args[0]
    assert "certified" not in view.curves or not view.curves["certified"].isVisible()
    assert view.certified_note.isVisible() and reason in view.certified_note.text()
    assert "No certified curve" in view.certified_note.text()
    assert "residual" in reason, reason  # the layer is named (engine.certify's words)


def test_the_critical_eps_histogram_comes_with_the_curve(qtbot, make_window) -> None:
    """The Robustness tab's second plot: one bar per ε (images PGD first breaks there), the median, the
    digits that fall first and those that hold; it goes when another model is opened."""
    from engine.demo import demo_model_dir

    window = make_window()
    window.load_run(demo_model_dir("standard"))
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.sanity_check.setChecked(False)
    view.points.setValue(5)
    view.images.setValue(80)
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT) as ready:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    critical = ready.args[0].critical
    hist = view.critical_view
    view.plots.setCurrentWidget(hist)
    assert hist.critical is critical and hist.bars is not None
    heights = hist.bars.opts["height"]
    assert list(heights) == [int((critical.index == k).sum()) for k in range(len(critical.eps))]
    assert sum(heights) + (critical.index < 0).sum() + (critical.index == len(critical.eps)).sum() == 80
    assert len(hist.tiles[0]) == 6 and len(hist.tiles[1]) == 6
    assert "Median critical ε" in hist.summary.text() or "survive every ε" in hist.summary.text()
    window.load_run(demo_model_dir("robust"))
    qtbot.waitUntil(lambda: hist.critical is None, timeout=TIMEOUT)
    assert hist.bars is None and not hist.tiles[0]


def test_the_digits_that_fall_first_and_last_go_to_the_gallery(qtbot, make_window) -> None:
    """'Show them in the gallery': the examples beside the histogram are attacked again in the Training tab's
    gallery at one ε, the median critical ε, where those that fell first are broken and those that held are not;
    a later re-make (a move of ε) keeps attacking the same digits."""
    import numpy as np

    from engine.demo import demo_model_dir

    window = make_window()
    window.load_run(demo_model_dir("standard"))
    view = window.robustness
    window.tabs.setCurrentWidget(view)
    view.sanity_check.setChecked(False)
    view.points.setValue(9)
    view.images.setValue(120)
    hist = view.critical_view
    assert not hist.gallery_button.isEnabled()  # nothing measured yet
    with qtbot.waitSignal(window.controller.robustnessReady, timeout=TIMEOUT) as ready:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    critical = ready.args[0].critical
    view.plots.setCurrentWidget(hist)
    assert hist.gallery_button.isEnabled() and "median critical ε" in hist.gallery_button.toolTip()
    with qtbot.waitSignal(window.controller.galleryReady, timeout=TIMEOUT) as shown:
        qtbot.mouseClick(hist.gallery_button, Qt.MouseButton.LeftButton)
    batch = shown.args[0]
    assert window.tabs.currentWidget() is window.training_split
    curves, gallery = window.training_split.sizes()
    assert curves > 0 and gallery >= curves  # the gallery has room; the curves are still there
    expected = np.concatenate([critical.first_images, critical.last_images])
    np.testing.assert_array_equal(batch.original, expected)
    np.testing.assert_array_equal(batch.labels, critical.labels[[*critical.first_index, *critical.last_index]])
    assert batch.attack == "pgd" and batch.eps == pytest.approx(critical.median) and batch.targets is None
    k = len(critical.first_index)
    fell, held = int(batch.fooled[:k].sum()), int(batch.fooled[k:].sum())
    assert fell >= k - 1 and held <= 1, (fell, held)  # a fresh random start may move one image at its edge
    header = window.gallery.header.text()
    assert "PGD" in header and f"the {k} images that fall first" in header
    with qtbot.waitSignal(window.controller.galleryReady, timeout=TIMEOUT) as again:
        window.refresh_gallery()
    np.testing.assert_array_equal(again.args[0].original, expected)
    assert "fall first" in window.gallery.header.text()
    window.load_run(demo_model_dir("robust"))  # another model's gallery: its own images, no such note
    qtbot.waitUntil(lambda: "fall first" not in window.gallery.header.text(), timeout=TIMEOUT)
