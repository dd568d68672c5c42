"""The Sweep dialog builds the grid `main.py sweep` would, and the window trains it into a sweep folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from engine.compare import list_runs
from engine.sweep import make_plan, read_sweep, trial_state
from gui.sweep_dialog import SweepDialog, duration_text
from tests.gui.conftest import small_config
from tests.processes import HAS_PROC, spawned_workers, wait_until_gone

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]
TIMEOUT = 120_000


def _type(qtbot, line_edit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(line_edit, text)


def _ok(dialog: SweepDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_dialog_counts_the_grid_and_refuses_what_cannot_run(qtbot) -> None:
    base = small_config(**{"train.epochs": 2})
    dialog = SweepDialog(base)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not _ok(dialog).isEnabled() and "at least two runs" in dialog.count.text()  # base alone: one run
    _type(qtbot, dialog.edits["train.lam"], "0, 0.5, 1")
    _type(qtbot, dialog.edits["attack.eps"], "0.1, 8/255")
    _type(qtbot, dialog.seeds, "0, 1")
    dialog.boxes["model.name"]["mlp"].setChecked(True)  # seed-cnn is ticked already: two models
    assert _ok(dialog).isEnabled()
    assert dialog.count.text().startswith("24 runs (12 settings × 2 seeds);")
    assert "time unknown" in dialog.count.text()  # no finished run to measure the speed by
    expected = make_plan(
        base,
        {"train.lam": [0.0, 0.5, 1.0], "attack.eps": [0.1, 8 / 255], "model.name": ["seed-cnn", "mlp"]},
        [0, 1],
    )
    assert dialog.plan == expected  # the same plan `main.py sweep --lambda 0,0.5,1 --eps 0.1,8/255 …` makes

    _type(qtbot, dialog.edits["regularization.l2"], "0, lots")
    assert not _ok(dialog).isEnabled() and "'lots' is not a number" in dialog.count.text()
    _type(qtbot, dialog.edits["regularization.l2"], "0")
    for box in dialog.boxes["model.name"].values():
        box.setChecked(False)
    assert not _ok(dialog).isEnabled() and "give at least one value" in dialog.count.text()
    dialog.boxes["model.name"]["mlp"].setChecked(True)
    _type(qtbot, dialog.edits["attack.eps"], "0.1, 3")
    assert not _ok(dialog).isEnabled() and "ε" in dialog.count.text()  # the engine's own words for ε > 1
    _type(qtbot, dialog.seeds, "-1")
    assert not _ok(dialog).isEnabled()


def test_the_estimate_comes_from_the_speed_of_finished_runs(qtbot, tmp_path) -> None:
    from engine.compare import epoch_seconds
    from engine.sweep_runner import run_sweep

    base = small_config(**{"train.epochs": 2, "train.eval_size": 100, "train.eval_steps": 2, "train.threads": 1})
    run_sweep(make_plan(base, {"train.lam": [0.0, 1.0]}), tmp_path / "done")
    recent = list_runs(tmp_path)
    per_epoch = sorted(epoch_seconds(s.path) for s in recent if s.attack == base.attack.name)
    dialog = SweepDialog(base.with_changes({"train.epochs": 10}), recent)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.seeds, "0, 1, 2")
    assert dialog.count.text().startswith("3 runs (1 settings × 3 seeds); about ")
    median = per_epoch[len(per_epoch) // 2] if len(per_epoch) % 2 else sum(per_epoch) / 2
    assert duration_text(3 * 10 * median) in dialog.count.text()


def test_the_window_trains_the_grid_into_a_sweep_folder_and_shows_the_seed_spread(qtbot, make_window) -> None:
    window = make_window(small_config(**{"train.epochs": 2, "train.eval_size": 100, "train.eval_steps": 2}))
    browser = window.runs_browser
    window.tabs.setCurrentWidget(browser)

    def fill_in(dialog: SweepDialog) -> int:
        _type(qtbot, dialog.edits["train.lam"], "0, 1")
        _type(qtbot, dialog.seeds, "0, 1")
        assert dialog.count.text().startswith("4 runs (2 settings × 2 seeds)")
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
        return dialog.result()

    window.exec_sweep_dialog = fill_in
    qtbot.mouseClick(browser.grid_button, Qt.MouseButton.LeftButton)
    assert "run 1 of 4" in browser.sweep_status.text() and not browser.grid_button.isEnabled()
    qtbot.waitUntil(lambda: "finished" in browser.sweep_status.text() and window.controller.state == "idle",
                    timeout=TIMEOUT)  # fmt: skip
    folder = window.sweep.folder
    record = read_sweep(folder)
    assert [t["state"] for t in record["trials"]] == ["finished"] * 4
    assert [(t["settings"], t["seed"]) for t in record["trials"]] == [
        ({"train.lam": lam}, seed) for lam in (0.0, 1.0) for seed in (0, 1)
    ]
    for trial in record["trials"]:  # each an ordinary run folder whose config.json is its whole truth
        config = json.loads((Path(folder) / trial["name"] / "config.json").read_text())
        assert config["train"]["lam"] == trial["settings"]["train.lam"] and config["train"]["seed"] == trial["seed"]
    browser.refresh()
    assert browser.table.rowCount() == 4 and len(browser.spread_points()) == 2

    # The same grid into the same folder again: nothing is left to train, nothing is retrained.
    stamps = {p: p.stat().st_mtime_ns for p in Path(folder).glob("t*/checkpoint.pt")}
    window.start_grid(make_plan(window.build_config(), {"train.lam": [0.0, 1.0]}, [0, 1]), folder)
    qtbot.wait(300)
    assert window.controller.state == "idle" and not window.sweep.pending
    assert {p: p.stat().st_mtime_ns for p in Path(folder).glob("t*/checkpoint.pt")} == stamps


def test_cancelling_the_dialog_queues_nothing(qtbot, make_window) -> None:
    window = make_window(small_config())
    window.exec_sweep_dialog = lambda dialog: QDialog.DialogCode.Rejected
    qtbot.mouseClick(window.runs_browser.grid_button, Qt.MouseButton.LeftButton)
    assert window.controller.state == "idle" and not window.sweep.active


def _fill_in_parallel(qtbot, lambdas: str, at_once: int):
    def fill_in(dialog: SweepDialog) -> int:
        _type(qtbot, dialog.edits["train.lam"], lambdas)
        dialog.parallel.setFocus()
        dialog.parallel.selectAll()
        qtbot.keyClicks(dialog.parallel, str(at_once))
        assert dialog.parallel.value() == at_once
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
        return dialog.result()

    return fill_in


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two runs at once need two cores")
def test_the_window_trains_a_grid_two_runs_at_once_in_worker_processes(qtbot, make_window) -> None:
    window = make_window(small_config(**{"train.epochs": 2, "train.eval_size": 100, "train.eval_steps": 2}))
    browser = window.runs_browser
    window.tabs.setCurrentWidget(browser)
    window.exec_sweep_dialog = _fill_in_parallel(qtbot, "0, 0.5, 1", 2)
    qtbot.mouseClick(browser.grid_button, Qt.MouseButton.LeftButton)
    assert "up to 2 training at once" in browser.sweep_status.text()
    assert not browser.grid_button.isEnabled() and not window.train_action.isEnabled()
    assert browser.sweep_cancel.isEnabled()
    window.train()  # refused in words while the sweep trains, nothing queued behind it
    assert window.error_box is not None and window.error_box.windowTitle() == "A sweep is in progress"
    window.error_box.close()
    assert not window.controller.running
    qtbot.waitUntil(lambda: "finished" in browser.sweep_status.text(), timeout=TIMEOUT)
    assert window.train_action.isEnabled() and browser.grid_button.isEnabled()
    record = read_sweep(next(Path(window.controller.runs_root).glob("sweep-*")))
    assert [t["state"] for t in record["trials"]] == ["finished"] * 3
    assert browser.table.rowCount() == 3  # each trial is an ordinary run in the list


@pytest.mark.skipif(not HAS_PROC or (os.cpu_count() or 1) < 2, reason="reads the process tree from /proc; 2 cores")
def test_closing_the_window_mid_sweep_saves_the_runs_at_once_and_leaves_no_process(qtbot, make_window) -> None:
    window = make_window(small_config(**{"train.epochs": 200, "train.eval_size": 100, "train.eval_steps": 2}))
    browser = window.runs_browser
    window.exec_sweep_dialog = _fill_in_parallel(qtbot, "0, 1", 2)
    qtbot.mouseClick(browser.grid_button, Qt.MouseButton.LeftButton)
    folder = next(Path(window.controller.runs_root).glob("sweep-*"))
    names = [t["name"] for t in read_sweep(folder)["trials"]]
    qtbot.waitUntil(lambda: all((folder / n / "checkpoint.pt").is_file() for n in names), timeout=TIMEOUT)
    workers = spawned_workers(window.controller.engine.pid)
    assert len(workers) == 2
    window.close()  # the person closes the window: the engine ends, and so must the workers it started
    took = wait_until_gone(workers, 60)  # a minute is a hang, not a speed limit
    print(f"workers exited {took:.1f} s after the window closed")
    for name in names:  # stopped with their checkpoints, as interrupted, ready to resume
        assert trial_state(folder / name) == "interrupted"
        assert json.loads((folder / name / "summary.json").read_text())["reason"] == "interrupted"
