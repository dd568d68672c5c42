"""The headless command line, run as a user would: a subprocess, JSON on the last stdout line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, timeout=1500, cwd=ROOT
    )  # generous: the MNIST evaluations on a busy 2-core CI machine
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def last_json(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    proc = run_cli(
        "train",
        "--dataset",
        "digits",
        "--model",
        "seed-cnn",
        "--epochs",
        "4",
        "--attack",
        "fgsm-rs",
        "--eps",
        "0.1",
        "--lambda",
        "1.0",
        "--lr",
        "0.003",
        "--seed",
        "0",
        "--out",
        str(out),
    )
    return out, proc


def test_train_prints_progress_and_a_json_summary(trained_run):
    out, proc = trained_run
    summary = last_json(proc)
    assert 0.5 < summary["clean_accuracy"] <= 1.0 and 0.0 <= summary["robust_accuracy"] <= summary["clean_accuracy"]
    assert summary["run_dir"] == str(out) and summary["status"] == "completed"
    assert "epoch 4:" in proc.stderr and "Embedded 8×8 digits" in proc.stderr


def test_evaluate_and_export(trained_run, tmp_path):
    out, _ = trained_run
    result = last_json(run_cli("evaluate", str(out), "--attack", "pgd", "--eps", "8/255", "--steps", "20"))
    assert result["n"] == 359 and result["attack"]["eps"] == pytest.approx(8 / 255)
    assert result["robust_accuracy"] < result["clean_accuracy"]
    noise = last_json(run_cli("evaluate", str(out), "--attack", "noise-uniform", "--eps", "8/255"))
    assert noise["robust_accuracy"] > result["robust_accuracy"]
    assert noise["clean_accuracy"] == result["clean_accuracy"]
    exported = last_json(run_cli("export", str(out), str(tmp_path / "m.pt2")))
    assert Path(exported["file"]).stat().st_size > 1000
    # The same model as a TorchScript file from an older tool is refused in one line (it could write files).
    from engine.checkpoints import load_model
    from tests.engine.test_runs import _torchscript_file

    script = _torchscript_file(load_model(out)[1], tmp_path / "old.pt")
    refused = run_cli("evaluate", "--model-file", str(script), "--no-sanity", check=False)
    assert refused.returncode == 2 and "TorchScript file and was not opened" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0


def test_bad_input_exits_2_with_one_line_in_a_real_process():
    proc = run_cli("train", "--eps", "-0.1", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == "error: ε (epsilon) must be 0 or more."


def test_bad_input_gets_a_clear_error(tmp_path, trained_run, capsys):
    from engine.cli import main

    def _expect_error(*args: str, match: str) -> None:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own errors (unknown choice, not a number)
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2, err
        assert match in err and "Traceback" not in err, err

    _expect_error("train", "--dataset", "imagenet", match="invalid choice: 'imagenet'")
    _expect_error("train", "--model", "vgg", match="invalid choice: 'vgg'")
    _expect_error("train", "--eps", "-0.1", match="ε (epsilon) must be 0 or more")
    _expect_error("train", "--lambda", "-1", match="argument --lambda: must be from 0 to 1000000 (got -1)")
    _expect_error("train", "--eps", "abc", match="is not a number")
    _expect_error("train", "--dataset", "mnist", "--data-dir", str(tmp_path), match="t10k-images-idx3-ubyte.gz")
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    _expect_error("train", "--dataset", "folder", "--data-dir", str(tmp_path / "empty"), match="No images")
    (tmp_path / "one" / "cats").mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "one" / "cats" / "a.png")
    _expect_error("train", "--dataset", "folder", "--data-dir", str(tmp_path / "one"), match="at least two")
    out, _ = trained_run
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((out / "config.json").read_text())
    (broken / "checkpoint.pt").write_bytes((out / "checkpoint.pt").read_bytes()[:500])
    _expect_error("evaluate", str(broken), match="not a usable checkpoint")
    _expect_error("evaluate", str(tmp_path), match="not a run folder")
