"""Datasets: shapes, ranges, splits and the errors a person sees for bad folders."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import ConfigError, DataConfig
from engine.data import DatasetError, load_dataset, read_idx


def test_digits_is_embedded_and_in_range():
    split = load_dataset(DataConfig("digits"))
    assert split.train_x.shape[1:] == (1, 8, 8) and split.train_x.dtype == torch.float32
    assert 0.0 <= split.train_x.min() and split.train_x.max() <= 1.0
    assert len(split.train_x) + len(split.test_x) == 1797
    assert split.class_names == tuple("0123456789")
    assert set(split.train_y.tolist()) == set(range(10))


def test_mnist_test_files_alone_give_a_seeded_8000_2000_split(mnist_dir):
    a = load_dataset(DataConfig("mnist", str(mnist_dir)))
    b = load_dataset(DataConfig("mnist", str(mnist_dir)))
    assert a.train_x.shape == (8000, 1, 28, 28) and a.test_x.shape == (2000, 1, 28, 28)
    assert torch.equal(a.test_y, b.test_y) and torch.equal(a.train_x[:5], b.train_x[:5])
    assert any("8000 / 2000" in note for note in a.notes)
    assert 0.0 <= a.train_x.min() and a.train_x.max() == 1.0


def _write_idx(path, array: np.ndarray, truncate: int = 0):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    with gzip.open(path, "wb") as fh:
        fh.write(data[: len(data) - truncate])


def test_idx_reader_and_truncated_file(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (20, 28, 28))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(20) % 10)
    assert np.array_equal(read_idx(tmp_path / "t10k-images-idx3-ubyte.gz"), images)
    split = load_dataset(DataConfig("fashion-mnist", str(tmp_path)))
    assert split.class_names[0] == "T-shirt/top" and len(split.train_x) + len(split.test_x) == 20
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images, truncate=100)
    with pytest.raises(DatasetError, match="truncated"):
        load_dataset(DataConfig("mnist", str(tmp_path)))


def test_missing_mnist_names_the_files_to_put_where(tmp_path):
    with pytest.raises(DatasetError) as info:
        load_dataset(DataConfig("mnist", str(tmp_path)))
    assert str(tmp_path) in str(info.value) and "t10k-images-idx3-ubyte.gz" in str(info.value)


def test_missing_cifar_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="cifar-10-batches-py"):
        load_dataset(DataConfig("cifar10", str(tmp_path)))


def _make_folder(root, classes, per_class=5, mode="RGB"):
    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(per_class):
            shape = (12, 10, 3) if mode == "RGB" else (12, 10)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(root / c / f"{i}.png")


def test_folder_dataset(tmp_path):
    _make_folder(tmp_path, ["cats", "dogs", "owls"])
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    (tmp_path / "owls" / "broken.png").write_bytes(b"not really a png")
    split = load_dataset(DataConfig("folder", str(tmp_path), image_size=16))
    assert split.class_names == ("cats", "dogs", "owls")
    assert split.train_x.shape[1:] == (3, 16, 16)
    assert len(split.train_x) + len(split.test_x) == 15
    assert any("skipped" in n for n in split.notes)


def test_grayscale_folder_has_one_channel(tmp_path):
    _make_folder(tmp_path, ["a", "b"], mode="L")
    assert load_dataset(DataConfig("folder", str(tmp_path), image_size=8)).train_x.shape[1] == 1


def test_folder_without_images_or_with_one_class(tmp_path):
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(DatasetError, match="No images"):
        load_dataset(DataConfig("folder", str(tmp_path / "empty")))
    _make_folder(tmp_path / "one", ["only"])
    with pytest.raises(DatasetError, match="at least two"):
        load_dataset(DataConfig("folder", str(tmp_path / "one")))


def test_unknown_dataset_is_a_config_error():
    with pytest.raises(ConfigError, match="Unknown dataset 'imagenet'"):
        load_dataset(DataConfig("imagenet"))


def test_download_offline_is_a_quick_clear_error(tmp_path, monkeypatch):
    import socket
    import time

    def no_network(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    t0 = time.perf_counter()
    with pytest.raises(DatasetError, match="Downloading mnist .* failed"):
        load_dataset(DataConfig("mnist", str(tmp_path), download=True))
    assert time.perf_counter() - t0 < 30
