"""engine.errors: every exception becomes one plain sentence; unexpected ones are logged with a traceback."""

from __future__ import annotations

import errno
import logging

from engine.config import ConfigError
from engine.errors import user_message
from engine.logs import log_file, setup_logging


def test_operating_system_errors_name_the_path_and_what_to_do():
    assert "Permission denied for /data/runs" in user_message(
        PermissionError(errno.EACCES, "Permission denied", "/data/runs")
    )
    assert "Choose a folder you own" in user_message(PermissionError(errno.EACCES, "x", "/d"))
    assert "disk is full" in user_message(OSError(errno.ENOSPC, "No space left on device", "/d/checkpoint.pt"))
    assert "read-only disk" in user_message(OSError(errno.EROFS, "Read-only file system", "/mnt/cd"))
    assert "is a folder" in user_message(IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp"))
    for exc in (PermissionError(errno.EACCES, "Permission denied", "/x"), FileNotFoundError(2, "nope", "/y")):
        assert "Errno" not in user_message(exc)


def test_user_errors_keep_their_words_and_bugs_point_to_the_log(tmp_path, monkeypatch):
    monkeypatch.setenv("ROBUSTNESS_LAB_LOGS", str(tmp_path))
    setup_logging()
    assert user_message(ConfigError("Epochs must be a whole number from 1 to 10000.")).startswith("Epochs must")
    try:
        {}["missing"]
    except KeyError as exc:
        text = user_message(exc, "Evaluating")
    assert text.startswith("Evaluating: Something went wrong") and str(log_file()) in text
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = log_file().read_text()
    assert "Traceback (most recent call last)" in logged and "KeyError: 'missing'" in logged
