"""Opening a file never runs code from it: crafted .pt2 archives, renamed pickles and pickle checkpoints,
through every loader and every command-line entry point. Each payload would create a marker file.

Where plain ``torch.export.load`` really runs a payload, the test first proves it does, so a refusal by
our loaders cannot pass for a file that was harmless anyway.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

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
