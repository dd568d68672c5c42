"""Run folders, checkpoints (never executing code from a file) and the exported program."""

from __future__ import annotations

import pickle

import pytest
import torch

from engine import checkpoints, runs
from engine.config import AttackConfig, RunConfig, TrainConfig
from engine.export import export_run
from engine.messages import RunFinished
from engine.model_files import load_program
from engine.trainer import train


@pytest.fixture(scope="module")
def run_dir(digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "run"
    cfg = RunConfig(attack=AttackConfig("fgsm", 0.1), train=TrainConfig(epochs=1, gallery_every=0))
    assert isinstance(list(train(cfg, run_dir=path, dataset=digits))[-1], RunFinished)
    return path


def test_metrics_are_appended_as_json_lines(run_dir):
    records = runs.read_metrics(run_dir)
    kinds = {r["type"] for r in records}
    assert kinds == {"step", "epoch"}
    steps = [r for r in records if r["type"] == "step"]
    assert [r["step"] for r in steps] == list(range(1, len(steps) + 1))


def test_load_model_gives_the_trained_model(run_dir, digits):
    config, model, names = checkpoints.load_model(run_dir)
    assert config.attack.name == "fgsm" and names == tuple("0123456789")
    accuracy = (model(digits.test_x).argmax(1) == digits.test_y).float().mean().item()
    summary = runs.read_metrics(run_dir)[-1]
    assert accuracy == pytest.approx(summary["clean_accuracy"], abs=1e-6)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not-a-checkpoint"])
def test_damaged_checkpoints_give_a_clear_error(run_dir, tmp_path, damage):
    bad = tmp_path / "checkpoint.pt"
    data = (run_dir / runs.CHECKPOINT_FILE).read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        bad.write_bytes(b"\x00\x01not a checkpoint" * 100)
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        torch.save({"weights": torch.zeros(3)}, bad)
    with pytest.raises(runs.RunError, match="checkpoint"):
        checkpoints.load_checkpoint(bad)


class _Payload:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_loading_never_executes_code_from_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "checkpoint.pt"
    with open(evil, "wb") as fh:
        pickle.dump({"model": _Payload(), "meta": {}}, fh)
    with pytest.raises(runs.RunError):
        checkpoints.load_checkpoint(evil)
    assert not (tmp_path / "PWNED").exists()


def test_checkpoint_write_is_atomic(run_dir, tmp_path, monkeypatch):
    """A failure while writing leaves the previous checkpoint untouched and no temp file behind."""
    config, model, _ = checkpoints.load_model(run_dir)
    target = tmp_path / "run"
    target.mkdir()
    checkpoints.save_checkpoint(target, model, None, {"epoch": 1})
    before = (target / runs.CHECKPOINT_FILE).read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError):
        checkpoints.save_checkpoint(target, model, None, {"epoch": 2})
    assert (target / runs.CHECKPOINT_FILE).read_bytes() == before
    assert [p.name for p in target.iterdir()] == [runs.CHECKPOINT_FILE]


def test_export_is_a_dynamic_batch_program_with_normalisation_inside(run_dir, digits, tmp_path):
    path = export_run(run_dir, tmp_path / "model.pt2")
    program = load_program(path)
    _, model, _ = checkpoints.load_model(run_dir)
    for n in (1, 7, 64):
        x = digits.test_x[:n]
        assert torch.allclose(program(x), model(x), atol=1e-5)


def test_export_refuses_other_suffixes(run_dir, tmp_path):
    with pytest.raises(runs.RunError, match=".pt2"):
        export_run(run_dir, tmp_path / "model.pt")


def test_not_a_run_folder(tmp_path):
    with pytest.raises(runs.RunError, match="not a run folder"):
        checkpoints.load_model(tmp_path)


def _torchscript_file(model, path):
    """A TorchScript file as older tools wrote it (torch.jit is deprecated for writing, so only the test does)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.jit.script(model.eval()).save(str(path))
    return path


def test_torchscript_files_are_refused_with_a_way_out(run_dir, tmp_path):
    """TorchScript code may call operators that write files (torch.from_file(..., shared=True)), even at load
    time, and cannot be checked beforehand: it is refused, and the message says how to export instead."""
    from engine.model_files import is_torchscript, load_model_file, load_user_model

    _, model, _ = checkpoints.load_model(run_dir)
    script = _torchscript_file(model, tmp_path / "old-tool.pt")
    assert is_torchscript(script) and not is_torchscript(export_run(run_dir, tmp_path / "m.pt2"))
    for load in (lambda: load_model_file(script), lambda: load_user_model(script, "seed-cnn", (1, 8, 8), 10)):
        with pytest.raises(runs.RunError, match="TorchScript file and was not opened.*torch.export"):
            load()


def test_model_files_of_other_kinds_get_a_plain_error(run_dir, tmp_path):
    from engine.model_files import load_model_file

    weights = tmp_path / "weights.pt"
    torch.save(checkpoints.load_model(run_dir)[1].state_dict(), weights)
    with pytest.raises(runs.RunError, match="neither a torch.export program"):
        load_model_file(weights)
    with pytest.raises(runs.RunError, match="no model file"):
        load_model_file(tmp_path / "missing.pt2")
    broken = tmp_path / "broken.pt2"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(runs.RunError, match="not a torch.export program.*not a zip archive"):
        load_model_file(broken)
