"""The λ sweep and the comparison, driven through the real window: queue runs, compare, transfer, report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from engine.messages import RunFinished, RunStarted, StepMetrics
from tests.gui.conftest import small_config

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]
TIMEOUT = 120_000


def _open_runs_tab(window):
    window.tabs.setCurrentWidget(window.runs_browser)
    return window.runs_browser


def _type(qtbot, line_edit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(line_edit, text)


def test_sweep_two_runs_then_compare_them(qtbot, make_window, tmp_path) -> None:
    window = make_window(small_config(**{"train.epochs": 4, "attack.eps": 0.2, "train.lr": 3e-3}))
    browser = _open_runs_tab(window)
    started: list[RunStarted] = []
    finished: list[RunFinished] = []
    window.controller.message.connect(lambda m: started.append(m) if isinstance(m, RunStarted) else None)
    window.controller.message.connect(lambda m: finished.append(m) if isinstance(m, RunFinished) else None)

    _type(qtbot, browser.lambdas, "1, 0")
    qtbot.mouseClick(browser.sweep_button, Qt.MouseButton.LeftButton)
    assert "run 1 of 2" in browser.sweep_status.text() and not browser.sweep_button.isEnabled()
    qtbot.waitUntil(
        lambda: len(finished) == 2 and window.controller.state == "idle" and browser.sweep_button.isEnabled(),
        timeout=TIMEOUT,
    )
    assert [m.config.train.lam for m in started] == [0.0, 1.0]  # sorted, all other settings from the panel
    assert all(m.config.attack.eps == 0.2 and m.config.train.epochs == 4 for m in started)
    assert "finished" in browser.sweep_status.text()

    # Both runs (same dataset, check and ε: comparable) are points on the trade-off plot, at their final
    # figures, labelled with their λ and time.
    points = browser.points()
    assert len(points) == 2
    for run in finished:
        lam = json.loads((Path(run.run_dir) / "config.json").read_text())["train"]["lam"]
        x, y, _ = next(p for p in points if p[2].startswith(f"λ {lam:g} · "))
        assert (x, y) == pytest.approx((run.clean_accuracy, run.robust_accuracy))

    # Select both: their curves are overlaid, one clean and one robust line per run.
    browser.select_runs([Path(run.run_dir).name for run in finished])
    assert len(browser.selected_runs()) == 2 and browser.compare_button.isEnabled()
    assert not browser.report_button.isEnabled()  # the single-run report needs one run
    assert set(browser.overlay.curves) == {Path(run.run_dir).name for run in finished}
    for clean, robust in browser.overlay.curves.values():
        xs, ys = clean.getData()
        assert list(xs) == [1, 2, 3, 4] and 0.5 < ys[-1] <= 1.0
        assert len(robust.getData()[0]) == 4

    # Transfer between the two, in the background.
    browser.views.setCurrentWidget(browser.transfer)
    browser.transfer.eps.setValue(0.2)
    with qtbot.waitSignal(window.controller.transferReady, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(browser.transfer.run_button, Qt.MouseButton.LeftButton)
    matrix = blocker.args[0]
    assert browser.transfer.table.rowCount() == 2 and browser.transfer.table.columnCount() == 2
    assert browser.transfer.table.item(1, 1).text() == f"{100 * matrix.accuracy[1][1]:.1f}%"
    assert browser.transfer.run_button.isEnabled() and not browser.transfer.progress.isVisible()

    with qtbot.waitSignal(browser.reportWritten, timeout=TIMEOUT) as written:
        browser.export_comparison(browser.selected_runs(), tmp_path / "cmp.html")
    html = Path(written.args[0]).read_text(encoding="utf-8")
    assert len(re.findall(r'<circle class="point"', html)) == 2
    assert "Transferability" in html and html.count('class="series"') >= 6


def test_cancel_sweep_keeps_the_current_run_and_drops_the_rest(qtbot, make_window) -> None:
    window = make_window(small_config())  # 300 epochs: the first run is still going when we cancel
    browser = _open_runs_tab(window)
    _type(qtbot, browser.lambdas, "0, 0.5, 1")
    steps = []
    window.controller.message.connect(lambda m: steps.append(m) if isinstance(m, StepMetrics) else None)
    qtbot.mouseClick(browser.sweep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(steps), timeout=TIMEOUT)  # the first run trains
    assert browser.sweep_cancel.isEnabled()
    qtbot.mouseClick(browser.sweep_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    qtbot.wait(200)  # a queued next run would have started by now
    assert window.controller.state == "idle" and "cancelled" in browser.sweep_status.text()
    browser.refresh()
    assert [s.lam for s in browser.summaries] == [0.0]


def test_a_bad_lambda_list_is_explained(qtbot, make_window) -> None:
    window = make_window()
    browser = _open_runs_tab(window)
    _type(qtbot, browser.lambdas, "0, lots")
    qtbot.keyClick(browser.lambdas, Qt.Key.Key_Return)
    assert window.error_box is not None and "'lots' is not a number" in window.error_box.text()
    assert window.controller.state == "idle" and browser.sweep_button.isEnabled()


def test_a_failing_run_ends_the_sweep_with_one_message(qtbot, make_window, tmp_path) -> None:
    window = make_window(small_config(**{"data.name": "mnist", "data.data_dir": str(tmp_path / "nothing")}))
    browser = _open_runs_tab(window)
    _type(qtbot, browser.lambdas, "0, 0.5, 1")
    qtbot.mouseClick(browser.sweep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=TIMEOUT)
    qtbot.wait(200)  # a queued next run would have started by now
    assert window.controller.state == "idle" and "a run failed" in browser.sweep_status.text()
    assert browser.sweep_button.isEnabled() and not window.sweep.pending
    window.error_box.close()
