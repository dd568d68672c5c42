"""One logging set-up for the app: a rotated file in the user's data folder, stderr only on request.

Python warnings (torch prints several while loading files) go to the same file instead of the
terminal, so a person sees our one-line message and not a library's traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from engine.paths import user_dir

LOGGER = "robustness_lab"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"


_active: Path | None = None  # the file this process logs to (set by setup_logging)


def log_file(name: str | None = None) -> Path:
    """The log file named ``name``; without one, the file this process logs to (the window's and the
    engine's processes keep separate files), or the window's by default."""
    if name is None and _active is not None:
        return _active
    return user_dir("logs", "ROBUSTNESS_LAB_LOGS") / f"{name or 'robustness-lab'}.log"


def setup_logging(verbose: bool = False, name: str = "robustness-lab") -> Path | None:
    """Log to the rotated file (1 MB × 3), and to stderr too when ``verbose``; returns the file (or None
    when the folder cannot be written, in which case logging goes to stderr only at warning level).

    The engine process logs to its own file (``name="engine"``): two processes rotating one file
    would race."""
    global _active
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_robustness_lab", False):
            root.removeHandler(handler)
            handler.close()
    target = log_file(name)
    _active = target
    path: Path | None = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=1 << 20, backupCount=3, encoding="utf-8"
        )
        file_handler.setLevel(logging.DEBUG)
    except OSError:
        path, file_handler = None, logging.StreamHandler(sys.stderr)
        file_handler.setLevel(logging.WARNING)
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler._robustness_lab = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console._robustness_lab = True  # type: ignore[attr-defined]
        root.addHandler(console)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("filelock").setLevel(logging.WARNING)  # a line per lock taken: noise, even with --verbose
    logging.captureWarnings(True)
    return path
