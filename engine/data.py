"""Dataset registry: every dataset becomes in-memory tensors in [0, 1], N×C×H×W, with class names.

The datasets here are small enough to hold in memory, which keeps the training loop free of
loader threads: on a 2-core machine those would compete with the GUI for the second core.
"""

from __future__ import annotations

import gzip
import math
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engine.catalogue import Text
from engine.config import ConfigError, DataConfig
from engine.errors import UserError, first_line
from engine.paths import user_dir
from resources import resource_path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")

MNIST_CLASSES = tuple(str(i) for i in range(10))
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class DatasetError(UserError):
    """A dataset cannot be loaded; the message says what to put where."""


@dataclass(frozen=True)
class DatasetSplit:
    name: str
    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    class_names: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.train_x.shape[1:])  # type: ignore[return-value]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def default_data_dir() -> Path:
    """Where datasets live unless the user says otherwise (ROBUSTNESS_LAB_DATA overrides)."""
    return user_dir("data", "ROBUSTNESS_LAB_DATA")


def _seeded_split(x: torch.Tensor, y: torch.Tensor, holdout: int, seed: int = 0):
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    test_idx, train_idx = order[:holdout], order[holdout:]
    return x[train_idx], y[train_idx], x[test_idx], y[test_idx]


def _to_float(images_uint8: np.ndarray) -> torch.Tensor:
    """H×W or N×H×W(×C) uint8 -> N×C×H×W float32 in [0, 1]."""
    t = torch.from_numpy(np.ascontiguousarray(images_uint8))
    if t.ndim == 3:
        t = t.unsqueeze(1)
    elif t.ndim == 4:
        t = t.permute(0, 3, 1, 2)
    return t.float().div_(255.0).contiguous()


# ---------------------------------------------------------------------------- digits
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 images (N×8×8, values 0..16) and labels, from the app's own copy (resources/data)."""
    with np.load(resource_path("data", "digits.npz"), allow_pickle=False) as data:
        return data["images"].astype(np.float32), data["labels"].astype(np.int64)


def load_digits(cfg: DataConfig) -> DatasetSplit:
    """scikit-learn's bundled 8×8 UCI digits: works with no network and nothing downloaded."""
    images, target = _digits_arrays()
    x = torch.from_numpy(images.astype(np.float32) / 16.0).unsqueeze(1)
    y = torch.from_numpy(target.astype(np.int64))
    holdout = int(round(len(x) * cfg.holdout_fraction))
    tx, ty, vx, vy = _seeded_split(x, y, holdout)
    return DatasetSplit(
        "digits",
        tx,
        ty,
        vx,
        vy,
        MNIST_CLASSES,
        (f"Embedded 8×8 digits: {len(tx)} training / {len(vx)} held-out images.",),
    )


# ---------------------------------------------------------------------------- IDX (MNIST format)
MAX_IDX_VALUES = 1 << 30  # 1 G values: 20 times MNIST's training images; a larger header is a bomb or damage


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped): a tiny header then raw big-endian bytes.

    The header is read first and only the bytes it announces (plus one, to notice trailing data) are
    decompressed, so a small gzip that would inflate to gigabytes is refused before it does.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] != 0x08:
                raise DatasetError("{path} is not an MNIST-format (IDX, unsigned byte) file.", path=path)
            ndim = head[3]
            if not 1 <= ndim <= 4:
                raise DatasetError(
                    "{path} is not a usable IDX file: it declares {ndim} dimensions (images have 3, labels 1).",
                    path=path,
                    ndim=ndim,
                )
            raw_dims = fh.read(4 * ndim)
            if len(raw_dims) < 4 * ndim:
                raise DatasetError("{path} is truncated: its header is incomplete.", path=path)
            dims = struct.unpack(">" + "I" * ndim, raw_dims)
            count = math.prod(dims)
            if count > MAX_IDX_VALUES:
                raise DatasetError(
                    "{path} declares {count} values, more than this app reads from one file.",
                    path=path,
                    count=f"{count:,}",
                )
            data = fh.read(count + 1)
    except (OSError, EOFError) as exc:
        raise DatasetError(
            "Cannot read {path}: {reason}. The file may be truncated; download it again.", path=path, reason=str(exc)
        ) from exc
    if len(data) > count:
        raise DatasetError(
            "{path} does not hold what its header says: expected {count} values, found more.", path=path, count=count
        )
    if len(data) != count:
        raise DatasetError(
            "{path} does not hold what its header says: expected {count} values, found {found}.",
            path=path,
            count=count,
            found=len(data),
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims).copy()


def _idx_pair(images_path: Path, labels_path: Path, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Images (N×H×W) and labels (N, each < num_classes) from two IDX files, checked against each other."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim == 1 and labels.ndim == 3:
        raise DatasetError(
            "{images} holds labels and {labels} holds images: the two files seem to be swapped (or misnamed).",
            images=images_path.name,
            labels=labels_path.name,
        )
    if images.ndim != 3 or min(images.shape[1:], default=0) < 1 or max(images.shape[1:]) > 512:
        raise DatasetError(
            "{path} should hold images (N × height × width, 1 to 512 pixels a side) but "
            "holds an array of shape {shape}.",
            path=images_path,
            shape=list(images.shape),
        )
    if labels.ndim != 1:
        raise DatasetError(
            "{path} should hold one label per image but holds an array of shape {shape}.",
            path=labels_path,
            shape=list(labels.shape),
        )
    if len(images) != len(labels) or len(images) == 0:
        raise DatasetError(
            "{images} holds {image_count} images but {labels} {label_count} labels: they must be the same, "
            "non-zero number.",
            images=images_path.name,
            image_count=len(images),
            labels=labels_path.name,
            label_count=len(labels),
        )
    if labels.max() >= num_classes:
        raise DatasetError(
            "{labels} has the label {label}, but this dataset has only {num_classes} classes (0 to {last}).",
            labels=labels_path.name,
            label=int(labels.max()),
            num_classes=num_classes,
            last=num_classes - 1,
        )
    return images, labels.astype(np.int64)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / (stem + ".gz"), folder / "raw" / stem, folder / "raw" / (stem + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def _mnist_folder_candidates(root: Path, name: str) -> list[Path]:
    tv_name = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}[name]
    return [root, root / name, root / tv_name, root / tv_name / "raw", root / name / "raw"]


TORCHVISION_DATASETS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST", "cifar10": "CIFAR10"}


def download(cfg: DataConfig, root: Path) -> None:
    """Fetch a dataset with torchvision into ``root`` (only when the user asked for it).

    A short socket time-out turns "offline" into a clear error within seconds instead of a hang.
    """
    import socket

    import torchvision.datasets as tvd

    dataset_cls = getattr(tvd, TORCHVISION_DATASETS[cfg.name])
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(20)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for train in (True, False):
            dataset_cls(str(root), train=train, download=True)
    except Exception as exc:  # urllib, HTTP and checksum errors all mean the same thing to the user
        raise DatasetError(
            "Downloading {name} into {root} failed ({reason}). Without a network, copy the files there by hand.",
            name=cfg.name,
            root=root,
            reason=first_line(exc),
        ) from exc
    finally:
        socket.setdefaulttimeout(previous)


def load_idx_dataset(cfg: DataConfig, class_names: tuple[str, ...]) -> DatasetSplit:
    root = Path(cfg.data_dir) if cfg.data_dir else default_data_dir()
    if cfg.download and not any(
        _find_idx(f, IDX_FILES["test_images"]) for f in _mnist_folder_candidates(root, cfg.name)
    ):
        download(cfg, root)
    for folder in _mnist_folder_candidates(root, cfg.name):
        files = {key: _find_idx(folder, stem) for key, stem in IDX_FILES.items()}
        if files["test_images"] and files["test_labels"]:
            break
    else:
        raise DatasetError(
            "{name} files were not found in {root}. Put the four IDX files ({files}) in that folder, or at least "
            "the two t10k files (they are then split 8,000 / 2,000 into training and held-out images).",
            name=cfg.name,
            root=root,
            files=", ".join(s + ".gz" for s in IDX_FILES.values()),
        )
    test_x, test_y = _idx_pair(files["test_images"], files["test_labels"], len(class_names))
    notes = []
    if files["train_images"] and files["train_labels"]:
        train_x, train_y = _idx_pair(files["train_images"], files["train_labels"], len(class_names))
        if train_x.shape[1:] != test_x.shape[1:]:
            raise DatasetError(
                "The training images are {train_size} but the test images {test_size}: the files are from "
                "different datasets.",
                train_size=f"{train_x.shape[1]}×{train_x.shape[2]}",
                test_size=f"{test_x.shape[1]}×{test_x.shape[2]}",
            )
        tx, ty, vx, vy = _to_float(train_x), torch.from_numpy(train_y), _to_float(test_x), torch.from_numpy(test_y)
        notes.append(f"{cfg.name}: {len(tx)} training images, {len(vx)} test images held out.")
    else:
        x, y = _to_float(test_x), torch.from_numpy(test_y)
        holdout = int(round(len(x) * cfg.holdout_fraction))
        tx, ty, vx, vy = _seeded_split(x, y, holdout)
        notes.append(
            f"Only the {cfg.name} test files were found in {folder}: using a seeded "
            f"{len(tx)} / {len(vx)} train / held-out split of them."
        )
    return DatasetSplit(cfg.name, tx, ty, vx, vy, class_names, tuple(notes))


# ---------------------------------------------------------------------------- CIFAR-10
def load_cifar10(cfg: DataConfig) -> DatasetSplit:
    root = Path(cfg.data_dir) if cfg.data_dir else default_data_dir()
    if cfg.download and not (root / "cifar-10-batches-py").is_dir():
        download(cfg, root)
    try:
        from torchvision.datasets import CIFAR10

        train = CIFAR10(str(root), train=True, download=False)
        test = CIFAR10(str(root), train=False, download=False)
    except RuntimeError as exc:
        raise DatasetError(
            "CIFAR-10 was not found in {root}. Put the extracted 'cifar-10-batches-py' folder "
            "(from cifar-10-python.tar.gz) there.",
            root=root,
        ) from exc
    return DatasetSplit(
        "cifar10",
        _to_float(train.data),
        torch.tensor(train.targets),
        _to_float(test.data),
        torch.tensor(test.targets),
        CIFAR_CLASSES,
        (f"CIFAR-10: {len(train)} training images, {len(test)} test images held out.",),
    )


# ---------------------------------------------------------------------------- folder
GRAY_MODES = ("L", "LA", "1", "I;16", "I;16B", "I;16L", "I;16N", "I", "F")
HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
MAX_CLASSES = 1000
MAX_PIXELS = 64_000_000  # 8000×8000: a larger image in a training folder is far more likely a bomb than a photo


def _too_large(path: Path, detail: str | Text = "") -> DatasetError:
    limit = MAX_PIXELS // 1_000_000
    if not detail:
        return DatasetError(
            "{path} is too large to open safely: images of more than {limit} million pixels are refused, "
            "because decoding one could use all the memory. Shrink it or remove it from the folder.",
            path=path,
            limit=limit,
        )
    return DatasetError(
        "{path} is too large to open safely ({detail}): images of more than {limit} million pixels are refused, "
        "because decoding one could use all the memory. Shrink it or remove it from the folder.",
        path=path,
        detail=detail[:120] if isinstance(detail, str) else detail,
        limit=limit,
    )


def _check_pixels(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ValueError("empty image")  # counted as unreadable
    if width * height > MAX_PIXELS:
        raise _too_large(path, Text("{width}×{height} pixels", {"width": width, "height": height}))


def _unit_gray(im) -> np.ndarray:
    """A 16-bit, 32-bit or float grayscale image as float32 in [0, 1], scaled by its real range: 16-bit
    by 65535, integers by the smallest of 255 / 65535 / their maximum that holds them, floats already in
    [0, 1] as they are (others by their own minimum and maximum)."""
    a = np.asarray(im, dtype=np.float32)
    if im.mode.startswith("I;16"):
        return a / 65535.0
    lo, hi = float(a.min()), float(a.max())
    if im.mode == "F" and lo >= 0.0 and hi <= 1.0:
        return a
    if lo >= 0.0 and hi <= 65535.0:
        return a / (255.0 if hi <= 255.0 else 65535.0)
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def _decode_image(path: Path, rgb: bool, side: int) -> np.ndarray:
    """One image as float32 in [0, 1], side × side (× 3 when ``rgb``), decoded at reduced scale if possible."""
    from PIL import Image

    size = (side, side)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            _check_pixels(path, im.size)
            if im.mode in HIGH_DEPTH_MODES:
                gray = Image.fromarray(_unit_gray(im), mode="F").resize(size, Image.Resampling.BILINEAR)
                out = np.clip(np.asarray(gray, dtype=np.float32), 0.0, 1.0)
                return np.repeat(out[:, :, None], 3, axis=2) if rgb else out
            im.draft("RGB" if rgb else "L", size)  # JPEG decodes at 1/2, 1/4 or 1/8 scale, still ≥ size
            small = im.convert("RGB" if rgb else "L").resize(size, Image.Resampling.BILINEAR)
            return np.asarray(small, dtype=np.float32) / 255.0


def load_folder(cfg: DataConfig) -> DatasetSplit:
    """The user's own images: one sub-folder per class, each image resized to a square."""
    if not cfg.data_dir:
        raise DatasetError("Choose a folder that holds one sub-folder of images per class.")
    root = Path(cfg.data_dir)
    if not root.is_dir():
        raise DatasetError("The folder {root} does not exist.", root=root)
    # Class folders that are links are not followed (one linked to / would walk the whole disk), and only
    # regular files are read (a named pipe called x.png would block the read for ever).
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    if len(classes) > MAX_CLASSES:
        raise DatasetError(
            "{root} has {count} sub-folders; at most {limit} classes are supported.",
            root=root,
            count=len(classes),
            limit=MAX_CLASSES,
        )
    per_class = {
        c.name: sorted(
            f for f in c.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file() and not f.is_symlink()
        )
        for c in classes
    }
    per_class = {k: v for k, v in per_class.items() if v}
    if not per_class:
        raise DatasetError(
            "No images were found in {root}. Put images ({suffixes}) into one sub-folder per class, "
            "e.g. cats/…, dogs/….",
            root=root,
            suffixes=", ".join(IMAGE_SUFFIXES),
        )
    if len(per_class) < 2:
        only = next(iter(per_class))
        raise DatasetError(
            "Only one class ('{name}') has images in {root}; a classifier needs at least two sub-folders of images.",
            name=only,
            root=root,
        )
    from PIL import Image, UnidentifiedImageError

    unreadable = (OSError, UnidentifiedImageError, ValueError, SyntaxError, EOFError)
    # First pass: headers only (no pixels decoded) to choose grayscale or colour for the whole set.
    readable, skipped, grayscale = [], 0, True
    for label, files in enumerate(per_class.values()):
        for f in files:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    with Image.open(f) as im:
                        _check_pixels(f, im.size)
                        grayscale &= im.mode in GRAY_MODES
                readable.append((f, label))
            except DatasetError:
                raise  # a ValueError too, but not one to skip quietly
            except Image.DecompressionBombError as exc:
                raise _too_large(f, str(exc)) from exc
            except unreadable:
                skipped += 1
    # Second pass: decode one image at a time, at reduced scale where the format allows (JPEG draft),
    # and keep only the resized copy, so memory stays proportional to the resized dataset.
    images, labels = [], []
    for f, label in readable:
        try:
            images.append(_decode_image(f, not grayscale, cfg.image_size))
            labels.append(label)
        except DatasetError:
            raise
        except unreadable:
            skipped += 1
    if len(images) < 4:
        raise DatasetError(
            "Only {count} readable images in {root}; at least 4 are needed.", count=len(images), root=root
        )
    x = torch.from_numpy(np.stack(images))
    x = x.unsqueeze(1) if grayscale else x.permute(0, 3, 1, 2)
    x = x.contiguous()
    y = torch.tensor(labels, dtype=torch.int64)
    holdout = max(1, int(round(len(x) * cfg.holdout_fraction)))
    tx, ty, vx, vy = _seeded_split(x, y, holdout)
    notes = [f"Folder {root}: {len(per_class)} classes, {len(tx)} training / {len(vx)} held-out images."]
    if skipped:
        notes.append(f"{skipped} file(s) could not be read as images and were skipped.")
    return DatasetSplit("folder", tx, ty, vx, vy, tuple(per_class), tuple(notes))


# ---------------------------------------------------------------------------- adversarial set
def load_adversarial_dataset(cfg: DataConfig) -> DatasetSplit:
    """A saved adversarial set (engine.adversarial_sets) as a dataset: its adversarial images and true
    labels, split into training and held-out images with a seeded split, with the set's class names."""
    from engine.adversarial_sets import load_adversarial_set

    if not cfg.file:  # pragma: no cover - validate() requires it
        raise ConfigError("The dataset 'adversarial-set' needs its file: choose a saved adversarial set (.npz).")
    aset = load_adversarial_set(cfg.file)
    if aset.n < 4:
        raise DatasetError(
            "The adversarial set {path} holds only {count} images; at least 4 are needed to train on it.",
            path=cfg.file,
            count=aset.n,
        )
    x = torch.from_numpy(aset.images.copy())
    y = torch.from_numpy(aset.labels.copy())
    holdout = max(1, int(round(len(x) * cfg.holdout_fraction)))
    tx, ty, vx, vy = _seeded_split(x, y, holdout)
    note = (
        f"Adversarial set {cfg.file}: {aset.n} images made by {aset.attack} at ε={aset.eps:g} on {aset.source}; "
        f"{len(tx)} training / {len(vx)} held-out images."
    )
    return DatasetSplit("adversarial-set", tx, ty, vx, vy, aset.class_names, (note,))


def load_dataset(cfg: DataConfig) -> DatasetSplit:
    cfg.validate()
    if cfg.name == "digits":
        split = load_digits(cfg)
    elif cfg.name == "mnist":
        split = load_idx_dataset(cfg, MNIST_CLASSES)
    elif cfg.name == "fashion-mnist":
        split = load_idx_dataset(cfg, FASHION_CLASSES)
    elif cfg.name == "cifar10":
        split = load_cifar10(cfg)
    elif cfg.name == "folder":
        split = load_folder(cfg)
    elif cfg.name == "adversarial-set":
        split = load_adversarial_dataset(cfg)
    else:  # pragma: no cover - validate() rejects it
        raise ConfigError("Unknown dataset '{name}'.", name=cfg.name)
    if cfg.limit_train or cfg.limit_holdout:
        split = DatasetSplit(
            split.name,
            split.train_x[: cfg.limit_train],
            split.train_y[: cfg.limit_train],
            split.test_x[: cfg.limit_holdout],
            split.test_y[: cfg.limit_holdout],
            split.class_names,
            split.notes,
        )
    return split
