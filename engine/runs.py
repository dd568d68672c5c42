"""A run on disk: ``config.json``, ``metrics.jsonl`` (appended as it trains), ``summary.json`` and
``checkpoint.pt`` (written and read by engine.checkpoints).

Plain Python only (no torch): the window's process lists, names and marks run folders with this
module without importing the engine's heavy half. Files are written to a temporary name and renamed,
so a crash or a full disk never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from engine.catalogue import Text
from engine.config import ConfigError, RunConfig
from engine.errors import UserError
from engine.paths import user_dir

CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
CHECKPOINT_FILE = "checkpoint.pt"
SUMMARY_FILE = "summary.json"
LOCK_FILE = ".lock"
RUN_FILES = (CONFIG_FILE, METRICS_FILE, CHECKPOINT_FILE, SUMMARY_FILE)
WRITE_MODES = ("new", "resume", "overwrite")


class RunError(UserError):
    """A run folder or checkpoint cannot be used; the message says why."""


def default_runs_root() -> Path:
    """Where run folders go unless the user says otherwise (ROBUSTNESS_LAB_RUNS overrides)."""
    return user_dir("runs", "ROBUSTNESS_LAB_RUNS")


def new_run_dir(root: str | Path | None = None, name: str | None = None) -> Path:
    root = Path(root) if root else default_runs_root()
    root.mkdir(parents=True, exist_ok=True)
    stem = name or time.strftime("%Y%m%d-%H%M%S")
    path, n = root / stem, 1
    while True:
        try:
            path.mkdir()  # atomic: two processes never get the same new folder
            return path
        except FileExistsError:
            n += 1
            path = root / f"{stem}-{n}"


def require_run_to_resume(folder: Path) -> None:
    if not (folder / CONFIG_FILE).is_file():
        raise RunError(
            "There is no run to resume in {folder}: it has no config.json. "
            "Check the path, or leave out --resume to start a new run there.",
            folder=folder,
        )


def holds_run(folder: Path) -> bool:
    return any((folder / name).exists() for name in RUN_FILES)


def _leftovers(folder: Path) -> list[Path]:
    """Temporary files an interrupted atomic write left behind (``.<name>…tmp``)."""
    return [p for p in folder.glob(".*.tmp") if p.is_file()]


class RunWriter:
    """The one way to open a run folder for writing: a lock, and no silent loss of an earlier run.

    ``mode`` says what the caller means to do with a folder that already holds a run:
    ``new`` refuses it (and any folder with other files in it), ``resume`` requires it, and
    ``overwrite`` moves it aside to ``<name>.replaced-<time>`` first (nothing is deleted). The lock
    (``filelock``, a ``.lock`` file inside the folder) is held until ``release()``, so a second
    process writing the same folder gets a clear error instead of mixing two runs. Leftover
    temporary files of an interrupted write are removed once the lock is held.
    """

    def __init__(self, run_dir: str | Path, mode: str = "new"):
        if mode not in WRITE_MODES:
            raise ValueError(f"unknown run-folder mode {mode!r}")
        self.run_dir = Path(run_dir)
        self.mode = mode
        self.moved_aside: Path | None = None
        self._lock: FileLock | None = None

    def acquire(self) -> RunWriter:
        folder = self.run_dir
        if folder.exists() and not folder.is_dir():
            raise RunError("{folder} is a file, not a folder: choose a folder for the run.", folder=folder)
        if self.mode == "resume":
            require_run_to_resume(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = self._take_lock(folder)
        try:
            if self.mode == "new":
                self._check_empty(folder)
            elif self.mode == "overwrite" and any(p.name != LOCK_FILE for p in folder.iterdir()):
                self._move_aside(folder)
            for leftover in _leftovers(folder):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        except BaseException:
            self.release()
            raise
        return self

    @staticmethod
    def _take_lock(folder: Path) -> FileLock:
        lock = FileLock(folder / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout as exc:
            raise RunError(
                "Another Robustness Lab process is writing the run in {folder} right now. Wait for it "
                "to finish (or stop it), or choose another folder.",
                folder=folder,
            ) from exc
        return lock

    def _check_empty(self, folder: Path) -> None:
        if holds_run(folder):
            what = describe_run(folder)
            if what is None:
                raise RunError(
                    "{folder} already holds a run. Nothing was changed. "
                    "Continue it with --resume, start again with --overwrite (the old run is moved aside, "
                    "not deleted), or choose another --out folder.",
                    folder=folder,
                )
            raise RunError(
                "{folder} already holds a run ({what}). Nothing was changed. "
                "Continue it with --resume, start again with --overwrite (the old run is moved aside, "
                "not deleted), or choose another --out folder.",
                folder=folder,
                what=what,
            )
        leftovers = set(_leftovers(folder))
        others = [p.name for p in folder.iterdir() if p.name != LOCK_FILE and p not in leftovers]
        if others:
            raise RunError(
                "{folder} is not empty (it holds {names}). Choose an empty or a new folder for the run.",
                folder=folder,
                names=", ".join(sorted(others)[:3]) + ("…" if len(others) > 3 else ""),
            )

    def _move_aside(self, folder: Path) -> None:
        target = aside_path(folder)
        target.mkdir()
        for entry in list(folder.iterdir()):
            if entry.name != LOCK_FILE:
                os.replace(entry, target / entry.name)
        self.moved_aside = target

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def aside_path(path: Path, suffix: str = "") -> Path:
    """A free name beside ``path`` to move it aside to instead of deleting it: ``<name>.replaced-<time>``,
    ``-2``, ``-3``… when taken; ``suffix`` (a file's ".npz") stays at the end."""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target, n = path.with_name(f"{stem}.replaced-{stamp}{suffix}"), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stem}.replaced-{stamp}-{n}{suffix}")
    return target


def describe_run(folder: Path) -> Text | None:
    """'completed, 30 of 30 epochs trained': a few words on what a run folder holds, for messages (None
    when nothing can be said)."""
    state: Text | None = None
    summary = folder / SUMMARY_FILE
    if summary.is_file():
        with contextlib.suppress(OSError, ValueError, AttributeError, RecursionError):
            reason = str(json.loads(summary.read_text(encoding="utf-8")).get("reason", "finished"))
            state = Text(reason)  # completed, stopped, interrupted …: words of the catalogue
    progress: Text | None = None
    with contextlib.suppress(RunError):
        config = load_config(folder)
        progress = Text(
            "{done} of {epochs} epochs trained", {"done": logged_epochs(folder), "epochs": config.train.epochs}
        )
    if state is not None and progress is not None:
        return Text("{state}, {progress}", {"state": state, "progress": progress})
    return state or progress


def atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: Path, data: Any) -> None:
    atomic_write(Path(path), lambda fh: fh.write(json.dumps(jsonable(data), indent=2, sort_keys=True).encode()))


def jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def save_config(run_dir: Path, config: RunConfig) -> None:
    write_json(Path(run_dir) / CONFIG_FILE, config.to_dict())


def load_config(run_dir: str | Path) -> RunConfig:
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise RunError("{folder} is not a run folder: it has no config.json.", folder=run_dir)
    try:
        return RunConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # bad JSON, bad UTF-8, huge integers
        raise RunError(
            "{path} is damaged or not a Robustness Lab config ({error}).", path=path, error=type(exc).__name__
        ) from exc
    except ConfigError as exc:
        raise RunError("{path}: {problem}", path=path, problem=exc.text) from exc


def append_metrics(run_dir: Path, record: dict[str, Any]) -> None:
    with open(Path(run_dir) / METRICS_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(jsonable(record)) + "\n")


def read_metrics(run_dir: str | Path) -> list[dict[str, Any]]:
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # JSONDecodeError, or an integer of thousands of digits
            continue  # a line cut short by a crash: keep everything before and after it
        if isinstance(record, dict):  # anything else was not written by us
            out.append(record)
    return out


def logged_epochs(folder: str | Path) -> int:
    """The last epoch metrics.jsonl reports (0 when none): enough for messages; the checkpoint itself
    (engine.checkpoints.completed_epochs) is what a resume trusts."""
    epochs = [r.get("epoch") for r in read_metrics(folder) if r.get("type") == "epoch"]
    return max((e for e in epochs if type(e) is int), default=0)


def mark_interrupted(folder: str | Path, why: str) -> None:
    """Record in summary.json that a run ended without finishing (its process was stopped or died), so
    the runs list says so instead of showing it as a normal run; the checkpoint is left as it was."""
    folder = Path(folder)
    if not (folder / CONFIG_FILE).is_file():
        return
    summary: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, RecursionError):
        loaded = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        summary = loaded if isinstance(loaded, dict) else {}
    if summary.get("reason") == "completed":
        return
    summary.update(reason="interrupted", why=why, epochs_saved=logged_epochs(folder))
    write_json(folder / SUMMARY_FILE, summary)
