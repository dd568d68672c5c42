"""A run on disk: ``config.json``, ``metrics.jsonl`` (appended as it trains) and ``checkpoint.pt``.

Files are written to a temporary name and renamed, so a crash or a full disk never leaves a
half-written checkpoint where a good one was. Checkpoints are read with ``weights_only=True``:
opening a file never runs code from it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock, Timeout
from torch import nn

from engine.config import ConfigError, RunConfig
from engine.errors import UserError, first_line
from engine.models import build_model
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
            f"There is no run to resume in {folder}: it has no {CONFIG_FILE}. "
            "Check the path, or leave out --resume to start a new run there."
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
            raise RunError(f"{folder} is a file, not a folder: choose a folder for the run.")
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
                f"Another Robustness Lab process is writing the run in {folder} right now. Wait for it "
                "to finish (or stop it), or choose another folder."
            ) from exc
        return lock

    def _check_empty(self, folder: Path) -> None:
        if holds_run(folder):
            raise RunError(
                f"{folder} already holds a run{describe_run(folder)}. Nothing was changed. "
                "Continue it with --resume, start again with --overwrite (the old run is moved aside, "
                "not deleted), or choose another --out folder."
            )
        leftovers = set(_leftovers(folder))
        others = [p.name for p in folder.iterdir() if p.name != LOCK_FILE and p not in leftovers]
        if others:
            raise RunError(
                f"{folder} is not empty (it holds {', '.join(sorted(others)[:3])}"
                f"{'…' if len(others) > 3 else ''}). Choose an empty or a new folder for the run."
            )

    def _move_aside(self, folder: Path) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target, n = folder.with_name(f"{folder.name}.replaced-{stamp}"), 1
        while target.exists():
            n += 1
            target = folder.with_name(f"{folder.name}.replaced-{stamp}-{n}")
        target.mkdir()
        for entry in list(folder.iterdir()):
            if entry.name != LOCK_FILE:
                os.replace(entry, target / entry.name)
        self.moved_aside = target

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def describe_run(folder: Path) -> str:
    """' (completed, 30 of 30 epochs)': a few words on what a run folder holds, for messages."""
    words = []
    summary = folder / SUMMARY_FILE
    if summary.is_file():
        with contextlib.suppress(OSError, ValueError, AttributeError, RecursionError):
            words.append(str(json.loads(summary.read_text(encoding="utf-8")).get("reason", "finished")))
    with contextlib.suppress(RunError):
        config = load_config(folder)
        done = completed_epochs(folder)
        words.append(f"{done} of {config.train.epochs} epochs trained")
    return f" ({', '.join(words)})" if words else ""


def completed_epochs(folder: Path) -> int:
    """Epochs saved in the checkpoint (0 when there is none yet)."""
    if not (Path(folder) / CHECKPOINT_FILE).is_file():
        return 0
    return int(load_checkpoint(folder)["meta"].get("epoch", 0))


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
        raise RunError(f"{run_dir} is not a run folder: it has no {CONFIG_FILE}.")
    try:
        return RunConfig.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # bad JSON, bad UTF-8, huge integers
        raise RunError(f"{path} is damaged or not a Robustness Lab config ({type(exc).__name__}).") from exc
    except ConfigError as exc:
        raise RunError(f"{path}: {exc}") from exc


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


def save_checkpoint(
    run_dir: Path, model: nn.Module, optimizer: torch.optim.Optimizer | None, meta: dict[str, Any]
) -> None:
    state = {"model": model.state_dict(), "meta": meta}
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    atomic_write(Path(run_dir) / CHECKPOINT_FILE, lambda fh: torch.save(state, fh))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint safely, turning every way a file can be broken into a RunError."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_FILE
    if not path.is_file():
        raise RunError(f"No checkpoint at {path}.")
    state = safe_torch_load(path, "checkpoint")
    if (
        not isinstance(state, dict)
        or not isinstance(state.get("model"), dict)
        or not isinstance(state.get("meta"), dict)
        or not _META_KEYS <= set(state["meta"])
    ):
        raise RunError(f"{path} is not a Robustness Lab checkpoint (no model weights and settings inside).")
    _check_meta(path, state["meta"])
    return state


_META_KEYS = frozenset({"shape", "num_classes", "mean", "std", "class_names"})


def _check_meta(path: Path, meta: dict[str, Any]) -> None:
    """The settings a checkpoint carries build the model, so they are checked like any input."""
    shape, n, mean, std, names = (meta[k] for k in ("shape", "num_classes", "mean", "std", "class_names"))

    def whole(v: Any, lo: int, hi: int) -> bool:
        return type(v) is int and lo <= v <= hi

    ok = (
        isinstance(shape, list) and len(shape) == 3 and whole(shape[0], 1, 4)
        and all(whole(s, 4, 512) for s in shape[1:]) and whole(n, 2, 1000)
        and isinstance(mean, list) and isinstance(std, list) and len(mean) == len(std) == shape[0]
        and all(type(v) in (int, float) and math.isfinite(v) for v in mean + std) and all(v > 0 for v in std)
        and isinstance(names, list) and len(names) == n and all(isinstance(c, str) and len(c) < 200 for c in names)
        and type(meta.get("epoch", 0)) is int and type(meta.get("step", 0)) is int
    )  # fmt: skip
    if not ok:
        raise RunError(
            f"{path} is not a usable checkpoint: its settings (image shape, classes, normalisation) are damaged "
            "or out of range."
        )


MAX_WEIGHTS_BYTES = 1 << 30  # the models of this app are a few MB; a file that unpacks to more is refused


def _check_unpacked_size(path: Path, what: str) -> None:
    """A torch.save file is a zip: its records are sized (with torch's own reader) before anything is read,
    so a few MB that would inflate to gigabytes are refused."""
    if not zipfile.is_zipfile(path):
        return  # the legacy format is not compressed: its size is the file's
    try:
        reader = torch._C.PyTorchFileReader(str(path))
        total = sum(int(reader.get_record_size(name)) for name in reader.get_all_records())
    except Exception as exc:  # noqa: BLE001 - a damaged archive; torch.load would fail the same way
        raise RunError(f"{path} is not a usable {what} (a damaged archive).") from exc
    if total > MAX_WEIGHTS_BYTES:
        raise RunError(
            f"{path} was not opened: the {what} unpacks to {total / 2**30:.1f} GiB, far more than a "
            "model of this app needs."
        )


def _corrupt(path: Path, what: str, exc: BaseException) -> RunError:
    return RunError(f"{path} is not a usable {what} (corrupt, truncated or not made by PyTorch): {first_line(exc)}")


def safe_torch_load(path: Path, what: str = "weights file") -> Any:
    """``torch.load(weights_only=True)``, with every failure as a RunError in plain words.

    weights_only rebuilds tensors and plain containers and refuses any other Python object, so a
    crafted pickle is refused before anything in it runs.
    """
    _check_unpacked_size(path, what)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "GLOBAL" not in str(exc) and "Unsupported global" not in str(exc):  # garbage, not a refused object
            raise _corrupt(path, what, exc) from exc
        raise RunError(
            f"{path} was not opened: the {what} holds Python objects beyond tensors, which could run "
            "code on this computer. Only plain PyTorch weights (state dicts) are opened."
        ) from exc
    except (
        RuntimeError,
        EOFError,
        OSError,
        zipfile.BadZipFile,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
    ) as exc:
        raise _corrupt(path, what, exc) from exc


def load_model(run_dir: str | Path, device: str | torch.device = "cpu") -> tuple[RunConfig, nn.Module, tuple[str, ...]]:
    """Rebuild the trained model of a run folder, in eval mode."""
    config = load_config(run_dir)
    state = load_checkpoint(run_dir)
    meta = state["meta"]
    model = build_model(
        config.model, tuple(meta["shape"]), int(meta["num_classes"]), tuple(meta["mean"]), tuple(meta["std"])
    )
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as exc:
        raise RunError(
            f"The checkpoint in {run_dir} does not fit the model '{config.model.name}': {str(exc).splitlines()[0]}"
        ) from exc
    return config, model.to(device).eval(), tuple(meta["class_names"])
