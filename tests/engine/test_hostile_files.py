"""Opening a file never runs code from it: crafted .pt2 archives, renamed pickles and pickle checkpoints,
through every loader and every command-line entry point. Each payload would create a marker file.

Where plain ``torch.export.load`` really runs a payload, the test first proves it does, so a refusal by
our loaders cannot pass for a file that was harmless anyway.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from engine import cli
from engine.checkpoints import load_model
from engine.export import export_run
from engine.model_files import check_classifier, load_any_model, load_model_file, load_user_model
from engine.runs import RunError
from tests import hostile

DEMO_RUN = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits-standard"
# The payloads plain torch runs (the other three are refused by torch too, later, but only by luck of a check).
TORCH_RUNS = tuple(sorted(set(hostile.PT2_VARIANTS) - {"foreign-call", "injected-name", "file-operator"}))
# Only a part torch does not need is hostile: it is left out (guard code, sample inputs) and the program loads.
LOADS_HARMLESSLY = ("guard-code", "pickled-sample-inputs")


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    return export_run(DEMO_RUN, tmp_path_factory.mktemp("genuine") / "digits.pt2")


def _plain_torch_load(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.export.load(str(path)).module()(torch.rand(2, 1, 8, 8))
        except Exception:  # noqa: BLE001 - only whether the payload ran matters here
            pass


def test_genuine_programs_still_load(genuine, digits, tmp_path):
    _, model, _ = load_model(DEMO_RUN)
    program = load_model_file(genuine)
    x = digits.test_x[:32]
    assert torch.allclose(program(x), model(x), atol=1e-5)
    check_classifier(program, x, 10, genuine.name)

    class Plain(nn.Module):  # an ordinary module saved with plain torch.export.save, dynamic batch
        def __init__(self):
            super().__init__()
            self.conv, self.head = nn.Conv2d(1, 4, 3), nn.Linear(4 * 6 * 6, 10)
            self.register_buffer("scale", torch.tensor(2.0))

        def forward(self, x):
            return self.head(torch.relu(self.conv(x * self.scale)).flatten(1))

    plain = Plain().eval()
    batch = torch.export.Dim("batch", min=1, max=4096)
    torch.export.save(
        torch.export.export(plain, (torch.rand(2, 1, 8, 8),), dynamic_shapes={"x": {0: batch}}),
        str(tmp_path / "plain.pt2"),
    )
    loaded = load_model_file(tmp_path / "plain.pt2")
    assert torch.allclose(loaded(x), plain(x), atol=1e-5)


@pytest.mark.parametrize("variant", sorted(hostile.PT2_VARIANTS))
def test_crafted_pt2_never_runs_code(variant, genuine, tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))  # where spec-module-import writes the module it names
    marker = tmp_path / "payload-ran"
    evil = hostile.PT2_VARIANTS[variant](genuine, tmp_path / f"{variant}.pt2", marker)
    if variant in TORCH_RUNS:
        probe = tmp_path / "probe"
        hostile.PT2_VARIANTS[variant](genuine, tmp_path / "probe.pt2", probe)
        _plain_torch_load(tmp_path / "probe.pt2")
        assert probe.exists(), "the crafted file should run its payload under plain torch.export.load"
        capsys.readouterr()  # torch's own noise while it ran the payload

    if variant in LOADS_HARMLESSLY:
        model = load_model_file(evil)
        model(torch.rand(3, 1, 8, 8))
    else:
        with pytest.raises(RunError, match="was not opened|not a usable|not a readable"):
            load_model_file(evil)
        with pytest.raises(RunError):
            load_user_model(evil, "seed-cnn", (1, 8, 8), 10)
        with pytest.raises(RunError):
            load_any_model(evil)
        # Every command-line way in: evaluate --model-file, and a run evaluated --transfer-from the file.
        assert cli.main(["evaluate", "--model-file", str(evil), "--no-sanity", "--suite", "fgsm"]) == 2
        assert cli.main(["evaluate", str(DEMO_RUN), "--transfer-from", str(evil), "--suite", "fgsm"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and all(line.startswith("error: ") for line in err), err
        assert "Traceback" not in "".join(err)
    assert not marker.exists()


def test_a_pickle_renamed_pt2_or_pt_is_refused(tmp_path, capsys):
    marker = tmp_path / "payload-ran"
    for name in ("model.pt2", "model.pt", "weights.pth"):
        evil = hostile.pickle_renamed(tmp_path / name, marker)
        with pytest.raises(RunError):
            load_user_model(evil, "seed-cnn", (1, 8, 8), 10)
        assert cli.main(["evaluate", "--model-file", str(evil)]) == 2
    torch_save = tmp_path / "checkpoint-like.pt"
    torch_save.write_bytes(hostile.torch_save_payload(marker))
    with pytest.raises(RunError, match="Python objects beyond tensors"):
        load_user_model(torch_save, "seed-cnn", (1, 8, 8), 10)
    assert not marker.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_a_pickle_checkpoint_in_a_run_folder_is_refused_everywhere(tmp_path, capsys):
    marker = tmp_path / "payload-ran"
    run = tmp_path / "run"
    shutil.copytree(DEMO_RUN, run)
    hostile.pickle_checkpoint(run, marker)
    with pytest.raises(RunError, match="Python objects beyond tensors"):
        load_model(run)
    other = tmp_path / "other"
    shutil.copytree(DEMO_RUN, other)
    calls = [
        ["evaluate", str(run), "--suite", "fgsm"],
        ["evaluate", str(other), "--transfer-from", str(run), "--suite", "fgsm"],
        ["compare", str(run), str(other), "--transfer", "--limit-holdout", "20"],
        ["train", "--resume", "--out", str(run), "--epochs", "31", "--quiet"],
        ["export", str(run), str(tmp_path / "x.pt2")],
    ]
    for argv in calls:
        assert cli.main(argv) == 2, argv
    err = capsys.readouterr().err
    assert err.count("error: ") == len(calls) and "Traceback" not in err, err
    # A comparison report reads only config.json and metrics (JSON): it is written, and nothing runs.
    assert cli.main(["compare", str(run), str(other), "--report", str(tmp_path / "cmp.html")]) == 0
    assert not marker.exists()
    assert not (tmp_path / "x.pt2").exists()


def test_models_that_are_not_classifiers_are_refused_with_what_came_back(tmp_path, digits):
    x = digits.test_x[:8]

    class Tuple(nn.Module):
        def forward(self, x):
            return x.flatten(1)[:, :10], x

    class Flat(nn.Module):
        def forward(self, x):
            return x.flatten(1).sum(1)

    class NaNs(nn.Module):
        def forward(self, x):
            return x.flatten(1)[:, :10] * float("nan")

    with pytest.raises(RunError, match="returns a tuple"):
        check_classifier(Tuple(), x, 10, "t.pt2")
    with pytest.raises(RunError, match=r"shape \[1\] for a batch of 1"):
        check_classifier(Flat(), x, 10, "f.pt2")
    with pytest.raises(RunError, match="not numbers"):
        check_classifier(NaNs(), x, 10, "n.pt2")

    class NoParameters(nn.Module):  # a graph with no weights at all is still a classifier
        def forward(self, x):
            return x.flatten(1)[:, :10] * 3.0

    torch.export.save(
        torch.export.export(
            NoParameters(), (torch.rand(2, 1, 8, 8),), dynamic_shapes={"x": {0: torch.export.Dim("b", min=1, max=4096)}}
        ),
        str(tmp_path / "noparams.pt2"),
    )
    model = load_user_model(tmp_path / "noparams.pt2", "seed-cnn", (1, 8, 8), 10, sample=x)
    assert (
        cli.main(
            [
                "evaluate",
                "--model-file",
                str(tmp_path / "noparams.pt2"),
                "--no-sanity",
                "--suite",
                "fgsm",
                "--steps",
                "2",
                "--limit-holdout",
                "40",
            ]
        )
        == 0
    )
    # A program exported for a fixed batch of 2 cannot be evaluated in batches: said plainly.
    torch.export.save(torch.export.export(NoParameters(), (torch.rand(2, 1, 8, 8),)), str(tmp_path / "fixed.pt2"))
    with pytest.raises(RunError, match="fixed batch size"):
        load_user_model(tmp_path / "fixed.pt2", "seed-cnn", (1, 8, 8), 10, sample=x)
    assert model(x).shape == (8, 10)


@pytest.mark.parametrize("variant", sorted(hostile.PT2_DENIALS))
def test_files_that_would_hang_or_exhaust_memory_are_refused_at_once(variant, genuine, tmp_path, capsys):
    import time

    evil = hostile.PT2_DENIALS[variant](genuine, tmp_path / f"{variant}.pt2", tmp_path / "unused")
    t0 = time.perf_counter()
    with pytest.raises(RunError, match="was not opened"):
        load_model_file(evil)
    assert time.perf_counter() - t0 < 5  # refused from the description; torch would hang or fill 4 GiB
    assert cli.main(["evaluate", "--model-file", str(evil), "--no-sanity"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


# ---------------------------------------------------------------------------------------------- adversarial sets
def _set_arrays(n: int = 40) -> dict:
    """The arrays of a genuine adversarial set (as engine.adversarial_sets writes them)."""
    import json

    rng = np.random.default_rng(0)
    images = rng.random((n, 1, 8, 8), dtype=np.float32)
    meta = {
        "format": "robustness-lab adversarial set",
        "format_version": 1,
        "source": {"model": str(DEMO_RUN), "architecture": "small-cnn"},
        "attack": "pgd",
        "eps": 0.1,
        "steps": 10,
        "target": None,
        "created": "2025-01-01T00:00:00+0000",
    }
    return {
        "images": images,
        "originals": images.copy(),
        "labels": (np.arange(n) % 10).astype(np.int64),
        "targets": np.full(n, -1, dtype=np.int64),
        "class_names": np.array([str(i) for i in range(10)]),
        "meta": np.array([json.dumps(meta)]),
    }


def _write_set(path: Path, arrays: dict) -> Path:
    with open(path, "wb") as fh:  # a file handle: numpy would add .npz to a name without it
        np.savez(fh, **arrays)
    return path


def _meta_with(**changes) -> object:
    import json

    meta = json.loads(str(_set_arrays()["meta"][0]))
    for key, value in changes.items():
        if value is KeyError:
            del meta[key]
        else:
            meta[key] = value
    return np.array([json.dumps(meta)])


def _rezip(path: Path, change) -> Path:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _header_lies(parts: dict) -> None:
    data = parts["images.npy"]
    assert b"(40, 1, 8, 8)" in data[:128]
    parts["images.npy"] = data.replace(b"(40, 1, 8, 8)", b"(90, 1, 8, 8)", 1)


def _declared_huge(path: Path) -> Path:
    """The zip's directory says images.npy unpacks to almost 4 GiB (a real bomb would say as much)."""
    import struct

    raw = bytearray(path.read_bytes())
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            if raw[start + name_at : start + name_at + 10] == b"images.npy":
                raw[start + size_at : start + size_at + 4] = struct.pack("<I", 0xFFFFFF00)
            start += 4
    path.write_bytes(bytes(raw))
    return path


def _arrays(**changes) -> dict:
    arrays = _set_arrays()
    for key, value in changes.items():
        if value is KeyError:
            del arrays[key]
        else:
            arrays[key] = value(arrays) if callable(value) else value
    return arrays


def _nan(a: dict):
    images = a["images"].copy()
    images[3, 0, 2, 2] = float("nan")
    return images


def _inf(a: dict):
    originals = a["originals"].copy()
    originals[0, 0, 0, 0] = float("inf")
    return originals


def _label(value: int):
    def change(a: dict):
        labels = a["labels"].copy()
        labels[5] = value
        return labels

    return change


def _target(value: int):
    def change(a: dict):
        targets = a["targets"].copy()
        targets[5] = value
        return targets

    return change


def _many_parts(parts: dict) -> None:
    parts.update({f"x{i}.npy": b"" for i in range(99)})


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


SET_VARIANTS = {  # name: (make the file at path, words of the refusal)
    "text-renamed": (lambda p: _bytes(p, b"images,labels\n0.1,3\n"), "not a NumPy archive"),
    "pickle-renamed": (lambda p: hostile.pickle_renamed(p, p.with_name("unused")), "not a NumPy archive"),
    "empty-file": (lambda p: _bytes(p, b""), "not a NumPy archive"),
    "truncated": (lambda p: _bytes(p, _write_set(p, _set_arrays()).read_bytes()[:3000]), "usable"),
    "missing-array": (lambda p: _write_set(p, _arrays(labels=KeyError)), "lacks the arrays labels"),
    "flat-images": (lambda p: _write_set(p, _arrays(images=lambda a: a["images"].reshape(40, 64))), "N × channels"),
    "two-channels": (lambda p: _write_set(p, _arrays(images=lambda a: a["images"].reshape(40, 2, 4, 8))), "channels"),
    "huge-side": (lambda p: _write_set(p, _arrays(images=lambda a: a["images"].reshape(1, 1, 1, 2560))), "channels"),
    "byte-images": (lambda p: _write_set(p, _arrays(images=lambda a: (a["images"] * 255).astype("uint8"))), "floating"),
    "float-labels": (lambda p: _write_set(p, _arrays(labels=lambda a: a["labels"].astype("float32"))), "whole numbers"),
    "nan": (lambda p: _write_set(p, _arrays(images=_nan)), "not finite numbers"),
    "infinity": (lambda p: _write_set(p, _arrays(originals=_inf)), "not finite numbers"),
    "above-one": (lambda p: _write_set(p, _arrays(images=lambda a: a["images"] * 2)), "outside 0 to 1"),
    "label-out-of-range": (lambda p: _write_set(p, _arrays(labels=_label(10))), "the label 10"),
    "negative-label": (lambda p: _write_set(p, _arrays(labels=_label(-1))), "the label -1"),
    "target-out-of-range": (lambda p: _write_set(p, _arrays(targets=_target(-2))), "'targets' holds -2"),
    "short-labels": (lambda p: _write_set(p, _arrays(labels=lambda a: a["labels"][:-1])), "one value per image"),
    "short-originals": (lambda p: _write_set(p, _arrays(originals=lambda a: a["originals"][:-1])), "'originals' has"),
    "numeric-class-names": (lambda p: _write_set(p, _arrays(class_names=lambda a: a["labels"][:10])), "must hold text"),
    "one-class": (lambda p: _write_set(p, _arrays(class_names=lambda a: a["class_names"][:1])), "2 to 1000 names"),
    "meta-not-json": (lambda p: _write_set(p, _arrays(meta=lambda a: a["meta"].astype("U8"))), "not valid JSON"),
    "meta-a-list": (lambda p: _write_set(p, _arrays(meta=np.array(["[1, 2]"]))), "not valid"),
    "meta-two-texts": (lambda p: _write_set(p, _arrays(meta=lambda a: a["meta"].repeat(2))), "one JSON text"),
    "meta-without-eps": (lambda p: _write_set(p, _arrays(meta=lambda a: _meta_with(eps=KeyError))), "lacks 'eps'"),
    "meta-nan-eps": (lambda p: _write_set(p, _arrays(meta=lambda a: _meta_with(eps=float("nan")))), "lacks 'eps'"),
    "meta-newer": (lambda p: _write_set(p, _arrays(meta=lambda a: _meta_with(format_version=9))), "newer version"),
    "header-lies": (lambda p: _rezip(_write_set(p, _set_arrays()), _header_lies), "does not hold what its header"),
    "declared-huge": (lambda p: _declared_huge(_write_set(p, _set_arrays())), "decompression bomb"),
    "many-parts": (lambda p: _rezip(_write_set(p, _set_arrays()), _many_parts), "parts"),
}


@pytest.mark.parametrize("variant", sorted(SET_VARIANTS))
def test_hostile_adversarial_sets_are_refused_in_words(variant, tmp_path, capsys):
    from engine.adversarial_sets import load_adversarial_set
    from engine.data import DatasetError

    make, words = SET_VARIANTS[variant]
    evil = make(tmp_path / "evil.npz")
    with pytest.raises(DatasetError, match="is not a usable adversarial set") as caught:
        load_adversarial_set(evil)
    assert words in str(caught.value), str(caught.value)
    assert cli.main(["evaluate", str(DEMO_RUN), "--on-set", str(evil)]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 1 and words in err and "Traceback" not in err


def test_the_genuine_set_of_those_variants_loads(tmp_path):
    from engine.adversarial_sets import load_adversarial_set

    assert load_adversarial_set(_write_set(tmp_path / "fine.npz", _set_arrays())).n == 40


@pytest.mark.parametrize("where", ["images", "meta", "class_names"])
def test_a_pickled_object_array_never_runs(where, tmp_path, capsys):
    from engine.adversarial_sets import load_adversarial_set
    from engine.data import DatasetError

    def evil_file(path: Path, marker: Path) -> Path:
        payload = np.empty(1, dtype=object)
        payload[0] = hostile._Payload(marker)
        return _write_set(path, _arrays(**{where: payload}))

    probe = tmp_path / "probe-ran"  # a careless loader really runs it
    with np.load(evil_file(tmp_path / "probe.npz", probe), allow_pickle=True) as data:
        data[where]
    assert probe.exists()

    marker = tmp_path / "payload-ran"
    evil = evil_file(tmp_path / "evil.npz", marker)
    with pytest.raises(DatasetError, match=f"its array '{where}' holds Python objects"):
        load_adversarial_set(evil)
    run = tmp_path / "run"
    calls = [
        ["evaluate", str(DEMO_RUN), "--on-set", str(evil)],
        ["train", "--dataset", "adversarial-set", "--data-file", str(evil), "--epochs", "1", "--out", str(run)],
    ]
    for argv in calls:
        assert cli.main(argv) == 2, argv
    err = capsys.readouterr().err
    assert err.count("error: ") == len(calls) and "Traceback" not in err, err
    assert not marker.exists()


def test_a_real_decompression_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    import time
    import zipfile

    from engine import adversarial_sets
    from engine.adversarial_sets import load_adversarial_set
    from engine.data import DatasetError

    monkeypatch.setattr(adversarial_sets, "MAX_SET_BYTES", 16 << 20)  # the real limit, 2 GiB, takes long to build
    bomb = _write_set(tmp_path / "bomb.npz", _set_arrays())
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1 << 19, 1, 8, 8), np.float32))

    def inflate(parts: dict) -> None:
        import io

        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(buffer, header)
        parts["images.npy"] = buffer.getvalue() + bytes(4 << 23)  # 32 MiB of zeros, a few KiB compressed

    _rezip(bomb, inflate)
    assert bomb.stat().st_size < 200_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("images.npy").file_size > 32 << 20
    read = []
    real_load = np.load
    monkeypatch.setattr(np, "load", lambda *a, **k: read.append(a) or real_load(*a, **k))
    t0 = time.perf_counter()
    with pytest.raises(DatasetError, match="decompression bomb"):
        load_adversarial_set(bomb)
    assert time.perf_counter() - t0 < 2 and not read  # refused from the zip's directory, nothing inflated
