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
from torch import nn

from engine.config import ConfigError, RunConfig
from engine.models import build_model
from engine.paths import user_dir

CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
CHECKPOINT_FILE = "checkpoint.pt"
SUMMARY_FILE = "summary.json"


class RunError(ValueError):
    """A run folder or checkpoint cannot be used; the message says why."""


def default_runs_root() -> Path:
    """Where run folders go unless the user says otherwise (ROBUSTNESS_LAB_RUNS overrides)."""
    return user_dir("runs", "ROBUSTNESS_LAB_RUNS")


def new_run_dir(root: str | Path | None = None, name: str | None = None) -> Path:
    root = Path(root) if root else default_runs_root()
    root.mkdir(parents=True, exist_ok=True)
    stem = name or time.strftime("%Y%m%d-%H%M%S")
    path, n = root / stem, 1
    while path.exists():
        n += 1
        path = root / f"{stem}-{n}"
    path.mkdir()
    return path


def _atomic_write(path: Path, write) -> None:
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
    _atomic_write(Path(path), lambda fh: fh.write(json.dumps(jsonable(data), indent=2, sort_keys=True).encode()))


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
        return RunConfig.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, TypeError) as exc:
        raise RunError(f"{path} is damaged: {exc}.") from exc
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
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: keep everything before and after it
    return out


def save_checkpoint(run_dir: Path, model: nn.Module, optimizer: torch.optim.Optimizer | None,
                    meta: dict[str, Any]) -> None:
    state = {"model": model.state_dict(), "meta": meta}
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    _atomic_write(Path(run_dir) / CHECKPOINT_FILE, lambda fh: torch.save(state, fh))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint safely, turning every way a file can be broken into a RunError."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_FILE
    if not path.is_file():
        raise RunError(f"No checkpoint at {path}.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunError(f"{path} is not a usable checkpoint (corrupt, truncated or not made by PyTorch): "
                       f"{first[:200]}") from exc
    if not isinstance(state, dict) or "model" not in state or "meta" not in state:
        raise RunError(f"{path} is not a Robustness Lab checkpoint (no model weights and settings inside).")
    return state


def load_model(run_dir: str | Path, device: str | torch.device = "cpu") -> tuple[RunConfig, nn.Module, tuple[str, ...]]:
    """Rebuild the trained model of a run folder, in eval mode."""
    config = load_config(run_dir)
    state = load_checkpoint(run_dir)
    meta = state["meta"]
    model = build_model(config.model, tuple(meta["shape"]), int(meta["num_classes"]),
                        tuple(meta["mean"]), tuple(meta["std"]))
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as exc:
        raise RunError(f"The checkpoint in {run_dir} does not fit the model '{config.model.name}': "
                       f"{str(exc).splitlines()[0]}") from exc
    return config, model.to(device).eval(), tuple(meta["class_names"])
