"""Shared test fixtures: where the real dataset files are, and small trained models."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_mnist_dir() -> Path | None:
    """../shared/data/mnist beside the project (or ROBUSTNESS_LAB_SHARED_DATA/mnist), if it holds the files."""
    base = Path(os.environ.get("ROBUSTNESS_LAB_SHARED_DATA", ROOT.parent / "shared" / "data"))
    folder = base / "mnist"
    return folder if (folder / "t10k-images-idx3-ubyte.gz").is_file() else None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = shared_mnist_dir()
    if folder is None:
        pytest.skip("the shared MNIST files (../shared/data/mnist) are not present")
    return folder


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Tests read the engine's English words whatever the machine's locale; a test that switches the
    language (the CLI's --lang, a window in zh_CN) leaves English behind for the next."""
    from engine import catalogue

    monkeypatch.setenv("LANGUAGE", "en")
    yield
    catalogue.set_language("en")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Never write runs or data into the user's home during tests."""
    monkeypatch.setenv("ROBUSTNESS_LAB_RUNS", str(tmp_path_factory.getbasetemp() / "runs"))
    monkeypatch.setenv("ROBUSTNESS_LAB_DATA", str(tmp_path_factory.getbasetemp() / "data"))
    monkeypatch.setenv("ROBUSTNESS_LAB_LOGS", str(tmp_path_factory.getbasetemp() / "logs"))


@pytest.fixture(autouse=True)
def _restore_logging():
    """Tests that run ``cli.main`` in-process set up the app's logging; put the root logger back after each."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
