"""Peak memory of loading a folder of large photos (issue: 40 JPEGs of 4000×3000 took 2.47 GB).

    python bench/folder_memory.py make DIR        # write 40 JPEGs of 4000×3000 (2 classes, about 7 MB)
    /usr/bin/time -v python bench/folder_memory.py load DIR    # "Maximum resident set size"

The images are smooth gradients with a little noise, so they compress like photos. ``load`` reads the
folder with the app's own loader at the default 32×32 size and prints the tensor's size, so the
resident-set figure can be set against what is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def make(folder: Path, n: int = 40, size: tuple[int, int] = (4000, 3000)) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for k in range(n):
        cls = folder / ("dark" if k % 2 else "light")
        cls.mkdir(parents=True, exist_ok=True)
        base = 60 + 120 * (k % 2 == 0) + 40 * np.sin(xx / (300 + 7 * k)) * np.cos(yy / 400)
        rgb = np.stack([base, base * 0.9, base * 0.8], axis=2) + rng.normal(0, 2, (h, w, 1))
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(cls / f"{k:02d}.jpg", quality=80)


def load(folder: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from engine.config import DataConfig
    from engine.data import load_dataset

    split = load_dataset(DataConfig(name="folder", data_dir=str(folder)))
    kept = split.train_x.nbytes + split.test_x.nbytes
    print(
        f"{len(split.train_x) + len(split.test_x)} images, tensor {kept / 1e6:.2f} MB, "
        f"shape {tuple(split.train_x.shape[1:])}"
    )


if __name__ == "__main__":
    command, target = sys.argv[1], Path(sys.argv[2])
    make(target) if command == "make" else load(target)
