"""pytest-qt fixtures driving the real main window, offscreen, with temporary settings and runs."""

from __future__ import annotations

import os
from pathlib import Path

# Before any Qt import: offscreen, with a 1600×1000 screen (the default 800×800 one would shrink
# restored 1280×800 windows, as a real desktop of that size would).
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).with_name('offscreen_screen.json')}"

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSettings

from engine.config import RunConfig


def small_config(**changes: object) -> RunConfig:
    """Digits + seed CNN, a small held-out set and cheap per-epoch checks; many epochs so runs last."""
    base = {
        "data.name": "digits",
        "data.limit_holdout": 120,
        "model.name": "seed-cnn",
        "train.epochs": 300,
        "train.batch_size": 64,
        "train.gallery_every": 5,
        "train.gallery_size": 8,
        "train.eval_steps": 3,
        "attack.name": "fgsm-rs",
        "attack.eps": 0.1,
        "train.lam": 1.0,
    }
    return RunConfig().with_changes({**base, **changes})


def answer(qtbot, call, *args, **kwargs) -> bool:
    """Call one of gui.own_data's functions and wait for its answer (the engine process gives it)."""
    result: list[bool] = []
    call(*args, done=result.append, **kwargs)
    qtbot.waitUntil(lambda: bool(result), timeout=60_000)
    return result[0]


@pytest.fixture
def settings(tmp_path: Path, qapp) -> QSettings:
    qapp.setOrganizationName("Robustness Lab Tests")
    qapp.setApplicationName("Robustness Lab Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _child_pids() -> set[int]:
    """Live child processes of this process (Linux /proc; empty elsewhere), but not multiprocessing's
    resource tracker: it is started with the first spawned process and stays, by design, until this
    process ends (it cleans up after the children, and cannot leak per window)."""
    from multiprocessing import resource_tracker

    pids: set[int] = set()
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        pids |= {int(p) for p in children.read_text().split()}
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive - {getattr(resource_tracker._resource_tracker, "_pid", None)}


@contextmanager
def leak_check(qapp, monkeypatch) -> Iterator[None]:
    """Fails (AssertionError) when the block leaves a QThread running, a Python thread, a child process or
    a visible top-level window behind. A plain context manager so that tests/gui/test_leak_check.py can
    show it failing for each of them.

    QThreads are invisible to ``threading.enumerate()``, so every ``QThread.start`` is recorded here.
    """
    from PySide6.QtCore import QThread

    started: list[QThread] = []
    real_start = QThread.start

    def start(self, *args):
        started.append(self)
        return real_start(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    threads_before, pids_before = set(threading.enumerate()), _child_pids()
    windows_before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    monkeypatch.setattr(QThread, "start", real_start)
    running = []
    for thread in started:
        try:
            if thread.isRunning() and not thread.wait(2000):
                running.append(type(thread).__name__)
        except RuntimeError:  # its C++ object is gone: it is not running
            continue
    assert not running, f"QThreads still running after the test: {running}"
    # A _DummyThread is Python's stand-in for a thread it did not start (a QThread that logged, say): it stays
    # listed for good, so it says nothing about leaks; the QThreads themselves are checked above.
    leaked = [
        t
        for t in threading.enumerate()
        if t not in threads_before and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    assert not leaked, f"Python threads left running: {leaked}"
    children = _child_pids() - pids_before
    assert not children, f"child processes left running: {sorted(children)}"
    qapp.processEvents()
    shown = [type(w).__name__ for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in windows_before]
    assert not shown, f"windows left open after the test: {shown}"


@pytest.fixture(autouse=True)
def no_leaks(qapp, monkeypatch) -> Iterator[None]:
    """Every GUI test runs inside ``leak_check`` (after the window fixtures have closed what they made)."""
    with leak_check(qapp, monkeypatch):
        yield


@pytest.fixture
def make_window(qtbot, tmp_path: Path, settings: QSettings, monkeypatch) -> Iterator:
    """Factory for MainWindow instances; closes them all (``no_leaks`` then checks nothing outlives them)."""
    from gui.app import load_style_sheet
    from gui.main_window import MainWindow

    monkeypatch.setenv("ROBUSTNESS_LAB_RUNS", str(tmp_path / "runs"))
    qtbot_app = qtbot  # keep the name for readability below
    windows: list[MainWindow] = []

    def make(config: RunConfig | None = None, use_settings: bool = False) -> MainWindow:
        window = MainWindow(
            settings=settings,
            runs_root=tmp_path / "runs",
            base_config=None if use_settings else (config or small_config()),
        )
        window.setStyleSheet(load_style_sheet())
        qtbot_app.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.controller.busy()
        assert not window.controller.engine.alive()


@pytest.fixture
def open_app(qtbot, tmp_path: Path, settings: QSettings) -> Iterator:
    """Windows made as run_app makes them (gui.app.create_main_window); closed and checked afterwards
    (``no_leaks`` then checks that no thread, process or window outlives them)."""
    from gui import i18n
    from gui.app import create_main_window, load_style_sheet

    windows = []

    def make(base_settings: QSettings | None = None):
        window = create_main_window(base_settings or settings, runs_root=tmp_path / "runs")
        window.setStyleSheet(load_style_sheet())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.controller.busy() and not window.controller.engine.alive()
    i18n.install_translator("en")
