"""Data read as it is: high bit-depth images, decompression bombs and malformed IDX files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import cli
from engine.config import DataConfig
from engine.data import MAX_PIXELS, DatasetError, load_dataset


def _folder(tmp_path: Path, make) -> Path:
    root = tmp_path / "images"
    for cls, level in (("dark", 0.1), ("bright", 0.9)):
        (root / cls).mkdir(parents=True)
        for k in range(4):
            make(root / cls / f"{k}", level + 0.01 * k)
    return root


def test_16_bit_grayscale_pngs_keep_their_levels(tmp_path):
    def make(stem: Path, level: float) -> None:
        Image.fromarray(np.full((20, 20), int(level * 65535), np.uint16)).save(stem.with_suffix(".png"))

    split = load_dataset(DataConfig("folder", str(_folder(tmp_path, make)), image_size=8))
    x = np.concatenate([split.train_x.numpy(), split.test_x.numpy()])
    y = np.concatenate([split.train_y.numpy(), split.test_y.numpy()])
    bright, dark = split.class_names.index("bright"), split.class_names.index("dark")
    assert x.shape[1] == 1  # grayscale, not turned into white RGB
    assert 0.89 < x[y == bright].mean() < 0.94 and 0.09 < x[y == dark].mean() < 0.14


def test_float_tiffs_in_0_1_are_kept_as_they_are(tmp_path):
    def make(stem: Path, level: float) -> None:
        Image.fromarray(np.full((12, 12), level, np.float32), mode="F").save(stem.with_suffix(".tif"))

    split = load_dataset(DataConfig("folder", str(_folder(tmp_path, make)), image_size=6))
    x = np.concatenate([split.train_x.numpy(), split.test_x.numpy()])
    assert 0.09 < x.min() < 0.11 and 0.92 < x.max() < 0.94


def test_a_decompression_bomb_is_refused_with_a_message(tmp_path, capsys):
    def make(stem: Path, level: float) -> None:
        Image.new("L", (16, 16), int(255 * level)).save(stem.with_suffix(".png"))

    root = _folder(tmp_path, make)
    side = int(MAX_PIXELS**0.5) + 200  # just over the limit: 1-bit, so the file itself is small
    Image.new("1", (side, side)).save(root / "dark" / "huge.png")
    with pytest.raises(DatasetError, match="too large to open safely"):
        load_dataset(DataConfig("folder", str(root)))
    assert cli.main(["train", "--dataset", "folder", "--data-dir", str(root), "--epochs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "huge.png" in err and err.count("\n") == 1


def _idx(path: Path, array: np.ndarray | None = None, ndim: int | None = None, dims: tuple[int, ...] = ()) -> None:
    if array is not None:
        ndim, dims, payload = array.ndim, array.shape, array.astype(np.uint8).tobytes()
    else:
        payload = b""
    path.write_bytes(gzip.compress(bytes([0, 0, 8, ndim]) + struct.pack(">" + "I" * len(dims), *dims) + payload))


GOOD_X = np.random.default_rng(0).integers(0, 255, (20, 28, 28))
GOOD_Y = np.arange(20) % 10


@pytest.mark.parametrize(
    "case, match",
    [
        ("ndim0", "declares 0 dimensions"),
        ("ndim255", "declares 255 dimensions"),
        ("empty-images", "should hold images"),
        ("swapped", "seem to be swapped"),
        ("label-10", "has the label 12"),
        ("count-mismatch", "holds 20 images but"),
    ],
)
def test_malformed_idx_files_get_a_plain_error(tmp_path, case, match, capsys):
    images, labels = tmp_path / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz"
    _idx(images, GOOD_X)
    _idx(labels, GOOD_Y)
    if case == "ndim0":
        _idx(images, ndim=0)
    elif case == "ndim255":
        _idx(images, ndim=255, dims=(1,) * 255)
    elif case == "empty-images":
        _idx(images, np.zeros((20, 0, 0)))
    elif case == "swapped":
        _idx(images, GOOD_Y)
        _idx(labels, GOOD_X)
    elif case == "label-10":
        _idx(labels, np.where(GOOD_Y == 3, 12, GOOD_Y))
    elif case == "count-mismatch":
        _idx(labels, GOOD_Y[:7])
    with pytest.raises(DatasetError, match=match):
        load_dataset(DataConfig("mnist", str(tmp_path)))
    assert cli.main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_pipes_and_linked_class_folders_are_not_followed(tmp_path):
    import os

    def make(stem: Path, level: float) -> None:
        Image.new("L", (16, 16), int(255 * level)).save(stem.with_suffix(".png"))

    root = _folder(tmp_path, make)
    os.mkfifo(root / "dark" / "zz.png")  # reading it would block for ever
    (root / "everything").symlink_to("/", target_is_directory=True)  # walking it would read the whole disk
    split = load_dataset(DataConfig("folder", str(root)))
    assert split.class_names == ("bright", "dark") and len(split.train_x) + len(split.test_x) == 8


def test_a_small_gzip_that_would_inflate_to_gigabytes_is_refused_from_its_header(tmp_path):
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", 60_000_000, 28, 28)  # 47 GB announced
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + bytes(1 << 20)))
    _idx(tmp_path / "t10k-labels-idx1-ubyte.gz", GOOD_Y)
    with pytest.raises(DatasetError, match="more than this app reads"):
        load_dataset(DataConfig("mnist", str(tmp_path)))


def test_damaged_checkpoint_settings_and_run_files_get_plain_messages(tmp_path, capsys):
    import shutil

    import torch

    from engine import checkpoints, runs

    demo = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits-standard"
    run = tmp_path / "run"
    shutil.copytree(demo, run)
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    for meta in ({"shape": [1, 2000, 2000]}, {"num_classes": 5_000_000}, {"shape": [1, -8, 8]},
                 {"class_names": ["a"]}, {"mean": [float("nan")]}):  # fmt: skip
        torch.save({**state, "meta": {**state["meta"], **meta}}, run / "checkpoint.pt")
        with pytest.raises(runs.RunError, match="settings .* are damaged or out of range"):
            checkpoints.load_model(run)
    shutil.copy(demo / "checkpoint.pt", run / "checkpoint.pt")
    (run / "summary.json").write_bytes(b"\xff\xfe not utf-8")
    (run / "metrics.jsonl").write_bytes(b'{"type": "epoch", "epoch": ' + b"9" * 5000 + b"}\n\xff\n")
    assert cli.main(["compare", str(run), str(demo), "--report", str(tmp_path / "r.html")]) == 0
    assert "did not expect" not in capsys.readouterr().err


def test_a_checkpoint_that_unpacks_to_more_than_the_limit_is_refused_before_loading(tmp_path, monkeypatch):
    import shutil

    from engine import checkpoints, runs

    demo = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits-standard"
    shutil.copytree(demo, tmp_path / "run")
    checkpoints.load_model(tmp_path / "run")
    monkeypatch.setattr(checkpoints, "MAX_WEIGHTS_BYTES", 100_000)  # the shipped checkpoint unpacks to ~400 kB
    with pytest.raises(runs.RunError, match="unpacks to .* far more than a model of this app needs"):
        checkpoints.load_model(tmp_path / "run")
