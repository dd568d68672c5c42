"""Adversarial sets: saving an evaluation's adversarial examples, loading them back, evaluating another
model on them (transfer) and training on them, through the engine and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import adversarial_sets as sets
from engine import cli
from engine.adversarial_sets import SetSource, load_adversarial_set, save_adversarial_set
from engine.config import AttackConfig, ConfigError, DataConfig
from engine.data import DatasetError, load_dataset
from engine.demo import demo_model_dir

STANDARD, ROBUST = demo_model_dir("standard"), demo_model_dir("robust")


def _save(path: Path, digits, n: int = 40, **kw) -> Path:
    x, y = digits.test_x[:n], digits.test_y[:n]
    x_adv = (x + 0.1 * torch.randn_like(x)).clamp(0, 1)
    options = {
        "targets": None,
        "class_names": digits.class_names,
        "source": SetSource(str(STANDARD), "small-cnn"),
        "attack_cfg": AttackConfig("pgd", 0.1, 7),
    } | kw
    return save_adversarial_set(path, x_adv, x, y, **options)


def _last_json(capsys) -> dict:
    out = capsys.readouterr().out
    return json.loads(out.strip().splitlines()[-1])


def test_a_set_round_trips_with_its_description(digits, tmp_path):
    x, y = digits.test_x[:30], digits.test_y[:30]
    x_adv = (x + 0.05).clamp(0, 1)
    targets = torch.arange(30) % 10
    path = save_adversarial_set(
        tmp_path / "s.npz",
        x_adv,
        x,
        y,
        targets=targets,
        class_names=digits.class_names,
        source=SetSource("runs/a", "small-cnn"),
        attack_cfg=AttackConfig("pgd-l2", 1.5, 12, target="random"),
    )
    loaded = load_adversarial_set(path)
    assert np.array_equal(loaded.images, x_adv.numpy()) and np.array_equal(loaded.originals, x.numpy())
    assert loaded.images.dtype == np.float32 and loaded.labels.dtype == np.int64
    assert np.array_equal(loaded.labels, y.numpy()) and np.array_equal(loaded.targets, targets.numpy())
    assert loaded.class_names == digits.class_names and loaded.num_classes == 10
    assert (loaded.n, loaded.image_shape) == (30, (1, 8, 8))
    assert (loaded.source, loaded.architecture, loaded.attack, loaded.eps) == ("runs/a", "small-cnn", "pgd-l2", 1.5)
    assert loaded.target == "random" and loaded.meta["steps"] == 12 and loaded.meta["norm"] == "l2"
    assert loaded.meta["format_version"] == sets.FORMAT_VERSION and loaded.meta["created"]
    assert not loaded.images.flags.writeable
    with np.load(path, allow_pickle=False) as raw:  # arrays only, as the format says
        assert sorted(raw.files) == sorted(sets.ARRAYS)
        assert raw["meta"].dtype.kind == "U" and raw["class_names"].dtype.kind == "U"
    untargeted = load_adversarial_set(_save(tmp_path / "u.npz", digits))
    assert (untargeted.targets == -1).all() and untargeted.target is None


def test_an_existing_set_is_never_silently_replaced(digits, tmp_path):
    path = _save(tmp_path / "s.npz", digits)
    before = path.read_bytes()
    with pytest.raises(DatasetError, match="already exists. Nothing was changed"):
        _save(path, digits, n=20)
    assert path.read_bytes() == before
    _save(path, digits, n=20, overwrite=True)
    assert load_adversarial_set(path).n == 20
    aside = list(tmp_path.glob("s.replaced-*.npz"))
    assert len(aside) == 1 and aside[0].read_bytes() == before  # moved aside, not deleted
    with pytest.raises(DatasetError, match="ending in .npz"):
        _save(tmp_path / "s.npy", digits)
    with pytest.raises(DatasetError, match="is a folder"):
        _save(tmp_path, digits)


def test_a_failed_write_leaves_no_file_behind(digits, tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(OSError) as caught:
        _save(tmp_path / "s.npz", digits)
    assert caught.value.filename == str(tmp_path / "s.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_set_is_a_dataset_with_a_seeded_holdout(digits, tmp_path):
    path = _save(tmp_path / "s.npz", digits, n=100)
    cfg = DataConfig("adversarial-set", file=str(path), holdout_fraction=0.25)
    split, again = load_dataset(cfg), load_dataset(cfg)
    assert (len(split.train_x), len(split.test_x)) == (75, 25)
    assert split.class_names == digits.class_names and split.image_shape == (1, 8, 8)
    assert torch.equal(split.test_x, again.test_x) and torch.equal(split.train_y, again.train_y)
    images = torch.from_numpy(load_adversarial_set(path).images.copy())
    assert any(torch.equal(split.test_x[0], im) for im in images)  # the adversarial images, not the originals
    with pytest.raises(ConfigError, match="needs its file"):
        DataConfig("adversarial-set").validate()
    with pytest.raises(DatasetError, match="There is no adversarial set"):
        load_dataset(DataConfig("adversarial-set", file=str(tmp_path / "missing.npz")))
    with pytest.raises(DatasetError, match="at least 4"):
        load_dataset(DataConfig("adversarial-set", file=str(_save(tmp_path / "tiny.npz", digits, n=3))))


def test_command_line_save_transfer_and_train(tmp_path, capsys):
    saved = tmp_path / "toward3.npz"
    base = ["evaluate", str(STANDARD), "--limit-holdout", "120", "--no-sanity", "--suite", "fgsm"]
    argv = [*base, "--attack", "pgd", "--eps", "0.3", "--steps", "20", "--target", "3"]
    assert cli.main([*argv, "--save-adversarial", str(saved)]) == 0
    result = _last_json(capsys)
    assert result["target"] == "3" and result["target_success_rate"] > 0.85
    assert result["robust_accuracy"] < 0.3 and result["adversarial_set"] == str(saved)
    aset = load_adversarial_set(saved)
    assert aset.n == 120 and aset.target == "3" and aset.eps == 0.3 and aset.source == str(STANDARD)
    assert (aset.targets == 3).all()

    # Saving again is refused before the attack runs, and the file is kept.
    before = saved.read_bytes()
    assert cli.main([*argv, "--save-adversarial", str(saved)]) == 2
    assert "already exists" in capsys.readouterr().err and saved.read_bytes() == before

    # White-box on the model that made it, a transfer test on the robust one.
    assert cli.main(["evaluate", str(STANDARD), "--on-set", str(saved)]) == 0
    white = _last_json(capsys)
    assert cli.main(["evaluate", str(ROBUST), "--on-set", str(saved)]) == 0
    transfer = _last_json(capsys)
    for r in (white, transfer):
        assert r["n"] == 120 and r["set_source"] == str(STANDARD) and r["set_eps"] == 0.3
        assert r["accuracy_on_originals"] > 0.9
    assert white["accuracy_on_set"] == pytest.approx(result["robust_accuracy"], abs=0.02)
    assert transfer["accuracy_on_set"] > white["accuracy_on_set"] + 0.3  # examples transfer only in part
    assert transfer["accuracy_on_set"] < transfer["accuracy_on_originals"]

    # Training on the set.
    run = tmp_path / "run"
    argv = ["train", "--data", "adversarial-set", "--data-file", str(saved), "--epochs", "1", "--quiet"]
    assert cli.main([*argv, "--out", str(run)]) == 0
    trained = _last_json(capsys)
    assert trained["status"] == "completed" and trained["run_dir"] == str(run)
    assert json.loads((run / "config.json").read_text())["data"]["file"] == str(saved)
    assert cli.main(["evaluate", str(run), "--steps", "2", "--no-sanity", "--suite", "fgsm"]) == 0
    assert _last_json(capsys)["n"] == 24  # the set's own held-out 20%


def test_command_line_refusals_are_one_line(digits, tmp_path, capsys):
    other = tmp_path / "other.npz"
    x = torch.rand(12, 1, 4, 4)
    save_adversarial_set(
        other,
        x,
        x,
        torch.arange(12) % 3,
        targets=None,
        class_names=("a", "b", "c"),
        source=SetSource("elsewhere"),
        attack_cfg=AttackConfig("fgsm", 0.1),
    )
    cases = {
        ("evaluate", str(STANDARD), "--on-set", str(other)): "the set was made for other data",
        ("train", "--data-file", str(other), "--epochs", "1"): "only used with --dataset adversarial-set",
        ("train", "--dataset", "adversarial-set", "--epochs", "1"): "needs --data-file",
        ("evaluate", str(STANDARD), "--on-set", str(other), "--target", "3"): "are for making one",
        ("evaluate", str(STANDARD), "--overwrite"): "--overwrite needs --save-adversarial",
        ("evaluate", str(STANDARD), "--target", "3", "--attack", "square"): "can aim at a target class",
        ("evaluate", str(STANDARD), "--target", "10"): "There is no class 10",
        ("evaluate", str(STANDARD), "--target", "-1"): "is not a class number",
        ("evaluate", str(STANDARD), "--save-adversarial", str(tmp_path / "x.txt")): "ending in .npz",
    }
    for argv, words in cases.items():
        assert cli.main(list(argv)) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("error: ") and words in err[-1], (argv, err)
        assert sum(line.startswith("error: ") for line in err) == 1
    assert not (tmp_path / "x.txt").exists()
