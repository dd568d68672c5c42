"""Checkpoints: the trained weights of a run folder, written atomically and read without running code.

Checkpoints are read with ``weights_only=True`` after their unpacked size is checked, and the settings
they carry are range-checked before a model is built from them. Only the engine process imports this
module (it needs torch); engine.runs holds the rest of a run folder in plain Python.
"""

from __future__ import annotations

import math
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from engine.catalogue import Text
from engine.config import RunConfig
from engine.errors import first_line
from engine.models import build_model
from engine.runs import CHECKPOINT_FILE, RunError, atomic_write, load_config


def completed_epochs(folder: Path) -> int:
    """Epochs saved in the checkpoint (0 when there is none yet)."""
    if not (Path(folder) / CHECKPOINT_FILE).is_file():
        return 0
    return int(load_checkpoint(folder)["meta"].get("epoch", 0))


def save_checkpoint(
    run_dir: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None,
    meta: dict[str, Any],
    random: dict[str, Any] | None = None,
) -> None:
    """``random``: where a resumed run picks up (the trainer's resume point: random streams, steps made
    of the epoch under way, their summed loss), so that resuming changes no number."""
    state: dict[str, Any] = {"model": model.state_dict(), "meta": meta}
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    if random is not None:
        state["random"] = random
    atomic_write(Path(run_dir) / CHECKPOINT_FILE, lambda fh: torch.save(state, fh))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint safely, turning every way a file can be broken into a RunError."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_FILE
    if not path.is_file():
        raise RunError("No checkpoint at {path}.", path=path)
    state = safe_torch_load(path, Text("checkpoint"))
    if (
        not isinstance(state, dict)
        or not isinstance(state.get("model"), dict)
        or not isinstance(state.get("meta"), dict)
        or not _META_KEYS <= set(state["meta"])
    ):
        raise RunError("{path} is not a Robustness Lab checkpoint (no model weights and settings inside).", path=path)
    _check_meta(path, state["meta"])
    if "random" in state and not _valid_random(state["random"]):
        raise RunError(
            "{path} is not a usable checkpoint: where training would resume (its random state) is damaged.",
            path=path,
        )
    return state


def _valid_random(random: Any) -> bool:
    """A resume point as the trainer saves it: generator states (byte tensors of a few KB), a step count
    and a finite loss sum. Anything else would be handed to torch's generators, so it is checked first."""

    def state(v: Any) -> bool:
        return isinstance(v, torch.Tensor) and v.dtype == torch.uint8 and v.ndim == 1 and 0 < v.numel() <= 1 << 16

    return (
        isinstance(random, dict)
        and set(random) <= {"torch", "shuffle", "cuda", "in_epoch", "loss_sum"}
        and state(random.get("torch")) and state(random.get("shuffle"))
        and ("cuda" not in random or state(random["cuda"]))
        and type(random.get("in_epoch")) is int and 0 <= random["in_epoch"] <= 10**7
        and type(random.get("loss_sum")) in (int, float) and math.isfinite(random["loss_sum"])
    )  # fmt: skip


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
            "{path} is not a usable checkpoint: its settings (image shape, classes, normalisation) are damaged "
            "or out of range.",
            path=path,
        )


MAX_WEIGHTS_BYTES = 1 << 30  # the models of this app are a few MB; a file that unpacks to more is refused


def _check_unpacked_size(path: Path, what: Text) -> None:
    """A torch.save file is a zip: its records are sized (with torch's own reader) before anything is read,
    so a few MB that would inflate to gigabytes are refused."""
    if not zipfile.is_zipfile(path):
        return  # the legacy format is not compressed: its size is the file's
    try:
        reader = torch._C.PyTorchFileReader(str(path))
        total = sum(int(reader.get_record_size(name)) for name in reader.get_all_records())
    except Exception as exc:  # noqa: BLE001 - a damaged archive; torch.load would fail the same way
        raise RunError("{path} is not a usable {what} (a damaged archive).", path=path, what=what) from exc
    if total > MAX_WEIGHTS_BYTES:
        raise RunError(
            "{path} was not opened: the {what} unpacks to {size} GiB, far more than a model of this app needs.",
            path=path,
            what=what,
            size=f"{total / 2**30:.1f}",
        )


def _corrupt(path: Path, what: Text, exc: BaseException) -> RunError:
    return RunError(
        "{path} is not a usable {what} (corrupt, truncated or not made by PyTorch): {reason}",
        path=path,
        what=what,
        reason=first_line(exc),
    )


def safe_torch_load(path: Path, what: Text | None = None) -> Any:
    """``torch.load(weights_only=True)``, with every failure as a RunError in plain words.

    weights_only rebuilds tensors and plain containers and refuses any other Python object, so a
    crafted pickle is refused before anything in it runs. ``what`` names the file in messages ("weights
    file" when not given).
    """
    what = Text("weights file") if what is None else what
    _check_unpacked_size(path, what)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "GLOBAL" not in str(exc) and "Unsupported global" not in str(exc):  # garbage, not a refused object
            raise _corrupt(path, what, exc) from exc
        raise RunError(
            "{path} was not opened: the {what} holds Python objects beyond tensors, which could run "
            "code on this computer. Only plain PyTorch weights (state dicts) are opened.",
            path=path,
            what=what,
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
            "The checkpoint in {run_dir} does not fit the model '{model}': {reason}",
            run_dir=run_dir,
            model=config.model.name,
            reason=first_line(exc, 400),
        ) from exc
    return config, model.to(device).eval(), tuple(meta["class_names"])
