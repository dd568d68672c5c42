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

from engine.config import ConfigError, DataConfig
from engine.errors import UserError
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
                raise DatasetError(f"{path} is not an MNIST-format (IDX, unsigned byte) file.")
            ndim = head[3]
            if not 1 <= ndim <= 4:
                raise DatasetError(
                    f"{path} is not a usable IDX file: it declares {ndim} dimensions (images have 3, labels 1)."
                )
            raw_dims = fh.read(4 * ndim)
            if len(raw_dims) < 4 * ndim:
                raise DatasetError(f"{path} is truncated: its header is incomplete.")
            dims = struct.unpack(">" + "I" * ndim, raw_dims)
            count = math.prod(dims)
            if count > MAX_IDX_VALUES:
                raise DatasetError(f"{path} declares {count:,} values, more than this app reads from one file.")
            data = fh.read(count + 1)
    except (OSError, EOFError) as exc:
        raise DatasetError(f"Cannot read {path}: {exc}. The file may be truncated; download it again.") from exc
    if len(data) != count:
        raise DatasetError(
            f"{path} does not hold what its header says: expected {count} values, found "
            f"{'more' if len(data) > count else len(data)}."
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims).copy()


def _idx_pair(images_path: Path, labels_path: Path, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Images (N×H×W) and labels (N, each < num_classes) from two IDX files, checked against each other."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim == 1 and labels.ndim == 3:
        raise DatasetError(
            f"{images_path.name} holds labels and {labels_path.name} holds images: the two files "
            "seem to be swapped (or misnamed)."
        )
    if images.ndim != 3 or min(images.shape[1:], default=0) < 1 or max(images.shape[1:]) > 512:
        raise DatasetError(
            f"{images_path} should hold images (N × height × width, 1 to 512 pixels a side) but "
            f"holds an array of shape {list(images.shape)}."
        )
    if labels.ndim != 1:
        raise DatasetError(
            f"{labels_path} should hold one label per image but holds an array of shape {list(labels.shape)}."
        )
    if len(images) != len(labels) or len(images) == 0:
        raise DatasetError(
            f"{images_path.name} holds {len(images)} images but {labels_path.name} {len(labels)} "
            "labels: they must be the same, non-zero number."
        )
    if labels.max() >= num_classes:
        raise DatasetError(
            f"{labels_path.name} has the label {int(labels.max())}, but this dataset has only "
            f"{num_classes} classes (0 to {num_classes - 1})."
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
            f"Downloading {cfg.name} into {root} failed ({str(exc).splitlines()[0][:160]}). "
            "Without a network, copy the files there by hand."
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
            f"{cfg.name} files were not found in {root}. Put the four IDX files "
            f"({', '.join(s + '.gz' for s in IDX_FILES.values())}) in that folder, or at least the two t10k "
            "files (they are then split 8,000 / 2,000 into training and held-out images)."
        )
    test_x, test_y = _idx_pair(files["test_images"], files["test_labels"], len(class_names))
    notes = []
    if files["train_images"] and files["train_labels"]:
        train_x, train_y = _idx_pair(files["train_images"], files["train_labels"], len(class_names))
        if train_x.shape[1:] != test_x.shape[1:]:
            raise DatasetError(
                f"The training images are {train_x.shape[1]}×{train_x.shape[2]} but the test images "
                f"{test_x.shape[1]}×{test_x.shape[2]}: the files are from different datasets."
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
            f"CIFAR-10 was not found in {root}. Put the extracted 'cifar-10-batches-py' folder "
            "(from cifar-10-python.tar.gz) there."
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


def _bomb_message(path: Path, detail: str = "") -> str:
    return (
        f"{path} is too large to open safely{(' (' + detail[:120] + ')') if detail else ''}: images of more "
        f"than {MAX_PIXELS // 1_000_000} million pixels are refused, because decoding one could use all the "
        "memory. Shrink it or remove it from the folder."
    )


def _check_pixels(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ValueError("empty image")  # counted as unreadable
    if width * height > MAX_PIXELS:
        raise DatasetError(_bomb_message(path, f"{width}×{height} pixels"))


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
        raise DatasetError(f"The folder {root} does not exist.")
    # Class folders that are links are not followed (one linked to / would walk the whole disk), and only
    # regular files are read (a named pipe called x.png would block the read for ever).
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    if len(classes) > MAX_CLASSES:
        raise DatasetError(f"{root} has {len(classes)} sub-folders; at most {MAX_CLASSES} classes are supported.")
    per_class = {
        c.name: sorted(
            f for f in c.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file() and not f.is_symlink()
        )
        for c in classes
    }
    per_class = {k: v for k, v in per_class.items() if v}
    if not per_class:
        raise DatasetError(
            f"No images were found in {root}. Put images ({', '.join(IMAGE_SUFFIXES)}) into one "
            "sub-folder per class, e.g. cats/…, dogs/…."
        )
    if len(per_class) < 2:
        only = next(iter(per_class))
        raise DatasetError(
            f"Only one class ('{only}') has images in {root}; a classifier needs at least two sub-folders of images."
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
                raise DatasetError(_bomb_message(f, str(exc))) from exc
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
        raise DatasetError(f"Only {len(images)} readable images in {root}; at least 4 are needed.")
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
    else:  # pragma: no cover - validate() rejects it
        raise ConfigError(f"Unknown dataset '{cfg.name}'.")
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
