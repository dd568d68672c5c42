"""The leak check every GUI test runs in (tests/gui/conftest.py) fails for each kind of leftover it names."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from tests.gui.conftest import leak_check


def test_it_passes_when_nothing_is_left(qapp, monkeypatch) -> None:
    with leak_check(qapp, monkeypatch):
        pass


def test_a_running_qthread_fails_it(qapp, monkeypatch) -> None:
    from PySide6.QtCore import QThread

    release = threading.Event()

    class Stuck(QThread):
        def run(self) -> None:
            release.wait(10)

    thread = Stuck()
    try:
        with pytest.raises(AssertionError, match="QThreads still running"), leak_check(qapp, monkeypatch):
            thread.start()
    finally:
        release.set()
        thread.wait(5000)


def test_a_child_process_fails_it(qapp, monkeypatch) -> None:
    child = None
    try:
        with pytest.raises(AssertionError, match="child processes"), leak_check(qapp, monkeypatch):
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    finally:
        if child is not None:
            child.kill()
            child.wait()


def test_an_open_window_fails_it(qapp, monkeypatch) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    try:
        with pytest.raises(AssertionError, match="windows left open"), leak_check(qapp, monkeypatch):
            window.show()
    finally:
        window.close()
        window.deleteLater()
