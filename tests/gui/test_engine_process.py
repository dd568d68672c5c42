"""The engine runs in its own process: the window survives its death, Stop always works, closing leaves
nothing behind, settings survive a crash of the window, and the window's process never imports torch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from engine.messages import EpochMetrics, RunStarted, StepMetrics
from tests.gui.conftest import _child_pids, small_config

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60_000


def _record(window, kind):
    seen: list = []
    window.controller.message.connect(lambda m: seen.append(m) if isinstance(m, kind) else None)
    return seen


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_during_training_keeps_the_window_and_the_run_resumes(qtbot, make_window) -> None:
    from engine.checkpoints import completed_epochs, load_model

    window = make_window(small_config(**{"train.epochs": 50}))
    epochs, started = _record(window, EpochMetrics), _record(window, RunStarted)
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(epochs) >= 1, timeout=TIMEOUT)
    controller = window.controller
    run_dir, old_pid = Path(controller.run_dir), controller.engine.pid
    qtbot.waitUntil(lambda: (run_dir / "checkpoint.pt").is_file(), timeout=TIMEOUT)  # one epoch is checkpointed
    os.kill(old_pid, signal.SIGKILL)

    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible(), timeout=TIMEOUT)
    text = window.error_box.text()
    assert "engine stopped unexpectedly" in text and "SIGKILL" in text and "resume" in text
    assert window.isVisible() and controller.state == "idle" and window.train_action.isEnabled()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["reason"] == "interrupted" and "SIGKILL" in summary["why"]
    saved = completed_epochs(run_dir)
    assert saved >= 1
    load_model(run_dir)  # the checkpoint is intact
    window.runs_browser.refresh()
    assert {s.status for s in window.runs_browser.summaries if s.path == str(run_dir)} == {"interrupted"}

    # A fresh engine answers, and the offered Resume continues the same run after its checkpoint.
    qtbot.waitUntil(lambda: controller.engine.info is not None, timeout=TIMEOUT)
    assert controller.engine.pid != old_pid and not _alive(old_pid)
    steps = _record(window, StepMetrics)
    resume = next(b for b in window.error_box.buttons() if "Resume" in b.text())
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(started) == 2 and bool(steps), timeout=TIMEOUT)
    assert started[1].run_dir == str(run_dir)
    assert steps[0].epoch == saved + 1  # continues after the saved epoch, not from scratch
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=TIMEOUT)


def test_stop_while_the_engine_is_stuck_returns_within_2_5_seconds(qtbot, make_window) -> None:
    window = make_window()
    steps = _record(window, StepMetrics)
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(steps), timeout=TIMEOUT)
    controller = window.controller
    stuck = controller.engine.pid
    os.kill(stuck, signal.SIGSTOP)  # frozen mid-run, as inside a long library call that never checks Stop
    t0 = time.perf_counter()
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    elapsed = time.perf_counter() - t0
    assert elapsed <= 2.5, f"Stop took {elapsed:.2f} s"
    assert window.error_box is not None and "did not answer Stop within 2 seconds" in window.error_box.text()
    assert not _alive(stuck)
    summary = json.loads((Path(controller.run_dir) / "summary.json").read_text())
    assert summary["reason"] == "interrupted"
    qtbot.waitUntil(lambda: controller.engine.info is not None, timeout=TIMEOUT)  # a fresh engine answers
    assert controller.recompute_gallery(0.1)  # and works: the run's model is attacked again


def test_closing_the_window_during_a_sweep_leaves_no_process(qtbot, make_window) -> None:
    window = make_window()
    before = _child_pids()
    steps = _record(window, StepMetrics)
    window.tabs.setCurrentWidget(window.runs_browser)
    browser = window.runs_browser
    browser.lambdas.setText("0, 0.5, 1")
    qtbot.mouseClick(browser.sweep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(steps), timeout=TIMEOUT)
    engine = window.controller.engine.pid
    assert engine in _child_pids()
    t0 = time.perf_counter()
    window.close()
    assert time.perf_counter() - t0 < 2.5
    assert not _alive(engine)
    assert not (_child_pids() - before), "a process outlived the window"
    from engine.compare import list_runs
    from engine.sweep import read_sweep

    runs = [Path(s.path) for s in list_runs(window.controller.runs_root)]
    assert len(runs) == 1  # the sweep's later runs never started
    assert json.loads((runs[0] / "summary.json").read_text())["reason"] == "stopped"
    record = read_sweep(runs[0].parent)  # the sweep folder's record: the stopped trial can be resumed
    assert [t["state"] for t in record["trials"]] == ["interrupted", "pending", "pending"]


_CRASHING_WINDOW = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QSettings, QTimer
    from gui.app import create_application
    from gui.main_window import MainWindow
    app = create_application([])
    window = MainWindow(settings=QSettings({ini!r}, QSettings.Format.IniFormat))
    window.show()
    def change():
        window.knobs.lam.slider.setValue(window.knobs.lam.slider.maximum() // 2)  # as a drag would
        window.tabs.setCurrentIndex(2)
        QTimer.singleShot(1000, lambda: os.kill(os.getpid(), signal.SIGKILL))  # no clean exit
    QTimer.singleShot(300, change)
    app.exec()
    """
)


def test_settings_written_before_a_crash_are_there_on_the_next_start(qtbot, make_window, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow

    ini = tmp_path / "crash.ini"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = _CRASHING_WINDOW.format(root=str(ROOT), ini=str(ini))
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_root=tmp_path / "runs")
    qtbot.addWidget(window)
    try:
        assert window.knobs.values()["train.lam"] == pytest.approx(2.5)
        assert window.tabs.currentIndex() == 2
    finally:
        window.close()


_WINDOW_WITHOUT_TORCH = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QSettings, QTimer
    from gui.app import create_application, create_main_window
    from engine.messages import RunFinished
    app = create_application([])
    window = create_main_window(QSettings({ini!r}, QSettings.Format.IniFormat), runs_root={runs!r})
    window.show()
    seen = []
    def finished(message):
        if isinstance(message, RunFinished):
            seen.append(message)
    window.controller.message.connect(finished)
    window.controller.galleryReady.connect(lambda batch: seen.append(batch))
    def train():
        from tests.gui.conftest import small_config
        window.controller.start(small_config(**{{"train.epochs": 1}}))
    def check():
        if len(seen) >= 2:
            print("torch imported:", "torch" in sys.modules, "gallery and run:", len(seen))
            window.close()
            app.quit()
        else:
            QTimer.singleShot(200, check)
    window.controller.galleryReady.connect(lambda _b: QTimer.singleShot(0, train))
    QTimer.singleShot(200, check)
    QTimer.singleShot(90_000, app.quit)
    app.exec()
    """
)


def test_the_window_process_never_imports_torch(tmp_path) -> None:
    """First-minute gallery (shipped model attacked in the engine) and a whole training run, in a fresh
    interpreter: torch is never loaded by the window's process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = _WINDOW_WITHOUT_TORCH.format(root=str(ROOT), ini=str(tmp_path / "s.ini"), runs=str(tmp_path / "runs"))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, timeout=150, capture_output=True, text=True, cwd=ROOT
    )
    assert "torch imported: False gallery and run: 2" in done.stdout, done.stdout + done.stderr


def test_stop_right_after_train_ends_the_run_without_a_restart(qtbot, make_window) -> None:
    """Train and Stop at once, before the engine has even started: the run ends, no engine is killed."""
    from engine.messages import RunFailed, RunFinished

    window = make_window()
    controller = window.controller
    pid = controller.engine.pid
    ends = _record(window, (RunFinished, RunFailed))
    qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=TIMEOUT)
    assert controller.engine.pid == pid and controller.engine.alive()
    assert window.engine_box is None  # no "engine stopped" message: nothing went wrong
    assert len(ends) == 1  # the run said how it ended: stopped at its first step, or before training began
    end = ends[0]
    assert (isinstance(end, RunFinished) and end.reason == "stopped") or "Stopped before training" in end.message
    if window.error_box is not None:
        window.error_box.close()


def _die_at_start(conn, threads, language) -> None:  # an engine whose install is broken (spawned by name)
    os._exit(7)


def test_an_engine_that_cannot_start_is_not_restarted_forever(qtbot, make_window, monkeypatch) -> None:
    import gui.engine_process

    monkeypatch.setattr(gui.engine_process.engine_process, "run", _die_at_start)
    window = make_window()
    controller = window.controller
    qtbot.waitUntil(lambda: controller.broken, timeout=TIMEOUT)
    text = window.engine_box.text()
    assert "cannot start" in text and "exited with code 7" in text and "engine.log" in text
    assert not controller.engine.alive()
    failures: list[str] = []
    controller.request("gallery", {}, print, on_failed=failures.append)
    assert failures == ["The engine is not running."]
