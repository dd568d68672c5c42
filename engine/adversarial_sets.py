"""Adversarial sets: the adversarial examples of an evaluation saved as a dataset, to test transfer to
another model or to train on later.

A set is one ``.npz`` file (``np.savez_compressed``) of plain arrays only:

- ``images``: the adversarial examples, float32 N×C×H×W in [0, 1]; ``originals``: the clean images;
- ``labels``: int64 true classes; ``targets``: int64 target classes of a targeted attack (−1: untargeted);
- ``class_names``: a unicode array; ``meta``: a one-element unicode array holding a JSON object (the
  source model and its architecture, the attack, ε, steps, target mode, creation time, format version).

It is read with ``np.load(allow_pickle=False)`` only, after the zip's directory and each array's header
have been checked (no Python objects; declared sizes within limits, so a decompression bomb is refused
before anything is inflated), and every array is then checked against the others. Each problem is a
``DatasetError`` that says what is wrong with the file.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import numpy as np

from engine.catalogue import Text
from engine.config import AttackConfig
from engine.data import MAX_CLASSES, DatasetError
from engine.runs import aside_path

FORMAT_VERSION = 1
FORMAT_NAME = "robustness-lab adversarial set"
ARRAYS = ("images", "originals", "labels", "targets", "class_names", "meta")
MAX_SET_BYTES = 1 << 31  # 2 GiB for all arrays together, unpacked: 8 times CIFAR-10's 10,000 test images twice
MAX_MEMBERS = 64  # a set has six arrays; a zip of thousands of parts is not one
MAX_META_CHARS = 65_536
MAX_NAME_CHARS = 200
MAX_SIDE = 512  # as for the datasets (DataConfig.image_size)
CHANNELS = (1, 3)


@dataclass(frozen=True)
class SetSource:
    """Where a set's adversarial examples were made: the run folder or model file, and its architecture
    (a MODELS name; None for a model file, whose architecture is not known)."""

    model: str
    architecture: str | None = None


@dataclass(frozen=True, eq=False)
class AdversarialSet:
    """A loaded adversarial set; its arrays are read-only."""

    path: str
    images: np.ndarray  # N×C×H×W float32 in [0, 1]
    originals: np.ndarray  # same shape
    labels: np.ndarray  # N int64
    targets: np.ndarray  # N int64, −1 where untargeted
    class_names: tuple[str, ...]
    meta: Mapping[str, Any]

    @property
    def n(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.images.shape[1:])  # type: ignore[return-value]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def source(self) -> str:
        return str(self.meta["source"]["model"])

    @property
    def architecture(self) -> str | None:
        return self.meta["source"]["architecture"]

    @property
    def attack(self) -> str:
        return str(self.meta["attack"])

    @property
    def eps(self) -> float:
        return float(self.meta["eps"])

    @property
    def target(self) -> str | None:
        return self.meta["target"]


# ---------------------------------------------------------------------------------------------- saving
def save_adversarial_set(
    path: str | Path,
    adversarial: Any,
    originals: Any,
    labels: Any,
    *,
    targets: Any | None,
    class_names: Sequence[str],
    source: SetSource,
    attack_cfg: AttackConfig,
    overwrite: bool = False,
) -> Path:
    """Write the set atomically (a temporary file beside it, then ``os.replace``). An existing file is
    refused unless ``overwrite``, which moves it aside to ``<name>.replaced-<time>.npz`` first (nothing
    is deleted). Tensors or arrays are accepted; ``targets`` None means untargeted (all −1)."""
    from engine.runs import atomic_write

    path = check_set_path(path, overwrite)
    images, clean = _as_images(adversarial), _as_images(originals)
    y = _as_array(labels).astype(np.int64).reshape(-1)
    n = len(images)
    t = np.full(n, -1, dtype=np.int64) if targets is None else _as_array(targets).astype(np.int64).reshape(-1)
    if clean.shape != images.shape or len(y) != n or len(t) != n or n == 0:
        raise ValueError(f"mismatched set arrays: {images.shape}, {clean.shape}, {y.shape}, {t.shape}")
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "source": {"model": str(source.model), "architecture": source.architecture},
        "attack": attack_cfg.name,
        "eps": float(attack_cfg.eps),
        "norm": "l2" if attack_cfg.name == "pgd-l2" else attack_cfg.norm,
        "steps": int(attack_cfg.steps),
        "target": attack_cfg.target,
        "attack_config": dataclasses.asdict(attack_cfg),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "n": n,
    }
    arrays: dict[str, Any] = {
        "images": images,
        "originals": clean,
        "labels": y,
        "targets": t,
        "class_names": np.array([str(c) for c in class_names], dtype=np.str_),
        "meta": np.array([json.dumps(meta, sort_keys=True)], dtype=np.str_),
    }
    check_set_path(path, overwrite)  # again: the file may have appeared while the arrays were made
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            os.replace(path, _aside_name(path))
        atomic_write(path, lambda fh: np.savez_compressed(fh, **arrays))
    except OSError as exc:  # name the file the person asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    return path


def check_set_path(path: str | Path, overwrite: bool = False) -> Path:
    """Where a set may be saved: a file name ending in .npz that is not a folder, and (unless
    ``overwrite``) not a file that already exists."""
    path = Path(path)
    if path.is_dir():
        raise DatasetError("{path} is a folder; give a file name ending in .npz inside it.", path=path)
    if path.suffix.lower() != ".npz":
        raise DatasetError("An adversarial set is saved as a file ending in .npz (got '{name}').", name=path.name)
    if (path.exists() or path.is_symlink()) and not overwrite:
        raise DatasetError(
            "{path} already exists. Nothing was changed. Choose another file name, or replace it with "
            "--overwrite (the old file is moved aside, not deleted).",
            path=path,
        )
    return path


def set_fits(aset: AdversarialSet, image_shape: tuple[int, ...], num_classes: int, model: str) -> None:
    """Refuse a set made for other data than the model's: other image sizes or another number of classes."""
    if tuple(image_shape) != aset.image_shape or num_classes != aset.num_classes:
        raise DatasetError(
            "The adversarial set {path} holds images of {set_shape} of {set_classes} classes, but the model "
            "of {model} takes images of {model_shape} of {model_classes} classes: the set was made for other data.",
            path=aset.path,
            set_shape="×".join(str(s) for s in aset.image_shape),
            set_classes=aset.num_classes,
            model=model,
            model_shape="×".join(str(s) for s in image_shape),
            model_classes=num_classes,
        )


def _aside_name(path: Path) -> Path:
    return aside_path(path, path.suffix)


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _as_images(value: Any) -> np.ndarray:
    images = np.ascontiguousarray(_as_array(value), dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be N×C×H×W, got shape {images.shape}")
    return images


# ---------------------------------------------------------------------------------------------- loading
def _bad(path: Path, problem: Text) -> DatasetError:
    return DatasetError("{path} is not a usable adversarial set: {problem}.", path=path, problem=problem)


def load_adversarial_set(path: str | Path) -> AdversarialSet:
    """Read and check a set written by ``save_adversarial_set``; anything else is a DatasetError."""
    path = Path(path)
    if path.is_dir():
        raise DatasetError("{path} is a folder, not an adversarial set (.npz file).", path=path)
    if not path.is_file():  # also refuses a named pipe or a device, which could block or never end
        raise DatasetError(
            "There is no adversarial set {path}. Check the path, or save one with "
            "'main.py evaluate RUN --save-adversarial FILE.npz'.",
            path=path,
        )
    try:
        with open(path, "rb") as fh:  # one handle for the checks and the reading: the file cannot be swapped
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_SET_BYTES:
                raise _bad(path, Text("the file is larger than {limit} MiB", {"limit": MAX_SET_BYTES >> 20}))
            if not zipfile.is_zipfile(fh):
                raise _bad(path, Text("it is not a NumPy archive (.npz); it may be another kind of file renamed"))
            fh.seek(0)
            _check_members(path, fh)
            fh.seek(0)
            with np.load(fh, allow_pickle=False) as data:
                arrays = {name: data[name] for name in ARRAYS}
    except DatasetError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise _bad(path, Text("it is damaged ({reason})", {"reason": type(exc).__name__})) from exc
    return _checked_set(path, arrays)


def _check_members(path: Path, fh: IO[bytes]) -> None:
    """The zip directory and each array's .npy header, before any array is read: all six arrays present,
    plain numbers or text (no Python objects), and declared sizes that add up and stay within limits."""
    with zipfile.ZipFile(fh) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _bad(path, Text("it holds {count} parts, more than an adversarial set has", {"count": len(infos)}))
        by_name = {info.filename: info for info in infos}
        missing = [name for name in ARRAYS if f"{name}.npy" not in by_name]
        if missing:
            raise _bad(path, Text("it lacks the arrays {names}", {"names": ", ".join(missing)}))
        members = [by_name[f"{name}.npy"] for name in ARRAYS]
        declared = sum(info.file_size for info in members)
        if declared > MAX_SET_BYTES:
            raise _bad(
                path,
                Text(
                    "it would unpack to {size} MiB, more than the {limit} MiB this app reads from one set "
                    "(a damaged file or a decompression bomb)",
                    {"size": f"{declared / 2**20:,.0f}", "limit": MAX_SET_BYTES >> 20},
                ),
            )
        for name, info in zip(ARRAYS, members, strict=True):
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _bad(
                    path,
                    Text(
                        "its part '{name}' is encrypted or compressed in a way this app does not read", {"name": name}
                    ),
                )
            with archive.open(info) as member:
                try:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version == (2, 0):
                        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(member)
                    else:
                        raise ValueError(f"npy format {version}")
                except ValueError as exc:
                    problem = Text("its array '{name}' has a damaged or unknown header", {"name": name})
                    raise _bad(path, problem) from exc
                header_length = member.tell()
            if dtype.hasobject:
                raise _bad(
                    path,
                    Text(
                        "its array '{name}' holds Python objects, which are refused because reading them could "
                        "run code",
                        {"name": name},
                    ),
                )
            if header_length + math.prod(shape) * dtype.itemsize != info.file_size:
                raise _bad(path, Text("its array '{name}' does not hold what its header says", {"name": name}))


def _checked_set(path: Path, arrays: dict[str, np.ndarray]) -> AdversarialSet:
    images, originals = arrays["images"], arrays["originals"]
    for name in ("images", "originals"):
        if arrays[name].dtype.kind != "f" or arrays[name].dtype.fields is not None:
            raise _bad(
                path,
                Text(
                    "'{name}' must hold floating-point numbers, but holds {dtype}",
                    {"name": name, "dtype": str(arrays[name].dtype)},
                ),
            )
    shape = images.shape
    if (
        images.ndim != 4
        or shape[0] < 1
        or shape[1] not in CHANNELS
        or not (1 <= shape[2] <= MAX_SIDE and 1 <= shape[3] <= MAX_SIDE)
    ):
        raise _bad(
            path,
            Text(
                "'images' must be N × channels × height × width (1 or 3 channels, 1 to {side} pixels a side), "
                "but has shape {shape}",
                {"side": MAX_SIDE, "shape": list(shape)},
            ),
        )
    if originals.shape != shape:
        raise _bad(
            path,
            Text(
                "'originals' has shape {shape}, but 'images' has {expected}",
                {"shape": list(originals.shape), "expected": list(shape)},
            ),
        )
    n = shape[0]
    for name in ("labels", "targets"):
        a = arrays[name]
        if a.dtype.kind not in "iu":
            raise _bad(
                path, Text("'{name}' must hold whole numbers, but holds {dtype}", {"name": name, "dtype": str(a.dtype)})
            )
        if a.shape != (n,):
            raise _bad(
                path,
                Text(
                    "'{name}' must hold one value per image ({n}), but has shape {shape}",
                    {"name": name, "n": n, "shape": list(a.shape)},
                ),
            )
    names = arrays["class_names"]
    if names.dtype.kind != "U":
        raise _bad(path, Text("'class_names' must hold text, but holds {dtype}", {"dtype": str(names.dtype)}))
    if names.ndim != 1 or not 2 <= len(names) <= MAX_CLASSES:
        raise _bad(
            path,
            Text(
                "'class_names' must be a list of 2 to {limit} names, but has shape {shape}",
                {"limit": MAX_CLASSES, "shape": list(names.shape)},
            ),
        )
    class_names = tuple(str(c) for c in names)
    if any(not c.strip() or len(c) > MAX_NAME_CHARS for c in class_names):
        raise _bad(path, Text("a class name is empty or longer than {limit} characters", {"limit": MAX_NAME_CHARS}))
    for name in ("images", "originals"):
        a = arrays[name]
        if not np.isfinite(a).all():
            raise _bad(
                path, Text("'{name}' holds values that are not finite numbers (NaN or infinity)", {"name": name})
            )
        lo, hi = float(a.min()), float(a.max())
        if lo < 0.0 or hi > 1.0:
            raise _bad(
                path,
                Text(
                    "'{name}' holds values outside 0 to 1 (from {lo} to {hi})",
                    {"name": name, "lo": f"{lo:g}", "hi": f"{hi:g}"},
                ),
            )
    k = len(class_names)
    labels, targets = arrays["labels"].astype(np.int64), arrays["targets"].astype(np.int64)
    if arrays["labels"].min() < 0 or arrays["labels"].max() >= k:
        bad = int(arrays["labels"].min()) if arrays["labels"].min() < 0 else int(arrays["labels"].max())
        raise _bad(
            path,
            Text(
                "'labels' holds the label {label}, but the set has only {num_classes} classes (0 to {last})",
                {"label": bad, "num_classes": k, "last": k - 1},
            ),
        )
    if arrays["targets"].min() < -1 or arrays["targets"].max() >= k:
        bad = int(arrays["targets"].min()) if arrays["targets"].min() < -1 else int(arrays["targets"].max())
        raise _bad(
            path,
            Text(
                "'targets' holds {target}, but the set has only {num_classes} classes (targets are 0 to {last}, "
                "or -1 for none)",
                {"target": bad, "num_classes": k, "last": k - 1},
            ),
        )
    meta = _checked_meta(path, arrays["meta"])
    frozen = {}
    for name, a in (
        ("images", images.astype(np.float32)),
        ("originals", originals.astype(np.float32)),
        ("labels", labels),
        ("targets", targets),
    ):
        a = np.ascontiguousarray(a)
        a.setflags(write=False)
        frozen[name] = a
    return AdversarialSet(str(path), class_names=class_names, meta=meta, **frozen)


def _checked_meta(path: Path, raw: np.ndarray) -> Mapping[str, Any]:
    if raw.dtype.kind != "U" or raw.size != 1 or raw.ndim > 1 or len(str(raw.reshape(-1)[0])) > MAX_META_CHARS:
        raise _bad(
            path,
            Text(
                "its description ('meta') must be one JSON text of at most {limit} characters",
                {"limit": MAX_META_CHARS},
            ),
        )
    try:
        meta = json.loads(str(raw.reshape(-1)[0]))
    except (ValueError, RecursionError) as exc:
        raise _bad(path, Text("its description ('meta') is not valid JSON")) from exc
    if not isinstance(meta, dict):
        raise _bad(path, Text("its description ('meta') is not valid JSON"))
    version = meta.get("format_version")
    if type(version) is int and version > FORMAT_VERSION:
        raise _bad(
            path,
            Text(
                "it was made by a newer version of Robustness Lab (format {version}); update the app to read it",
                {"version": version},
            ),
        )
    source = meta.get("source")
    checks = {
        "format_version": version == FORMAT_VERSION and type(version) is int,
        "source": isinstance(source, dict)
        and isinstance(source.get("model"), str)
        and (source.get("architecture") is None or isinstance(source.get("architecture"), str)),
        "attack": isinstance(meta.get("attack"), str),
        "eps": type(meta.get("eps")) in (int, float) and math.isfinite(meta["eps"]) and meta["eps"] >= 0,
        "steps": meta.get("steps") is None or (type(meta.get("steps")) is int and meta["steps"] >= 0),
        "target": meta.get("target") is None or isinstance(meta.get("target"), str),
        "created": isinstance(meta.get("created"), str),
    }
    for key, ok in checks.items():
        if not ok:
            raise _bad(path, Text("its description ('meta') lacks '{key}' or has a wrong value there", {"key": key}))
    return MappingProxyType(meta)


def describe_set(aset: AdversarialSet) -> dict[str, Any]:
    """What a set is, for a JSON line or a message: where it came from and how it was made."""
    return {
        "set": aset.path,
        "set_source": aset.source,
        "set_architecture": aset.architecture,
        "set_attack": aset.attack,
        "set_eps": aset.eps,
        "set_target": aset.target,
        "n": aset.n,
    }
