"""A 2 λ × 2 seed grid through Ray Tune gives the same run folders as the same grid run here."""

from __future__ import annotations

import json
import statistics

import pytest
import torch

from engine import runs
from engine.config import RunConfig
from engine.sweep import make_plan, read_sweep
from engine.sweep_runner import Backend, run_sweep

ray = pytest.importorskip("ray", reason="Ray Tune is not installed: pip install -e '.[cluster]' (.ci/run installs it)")
pytest.importorskip("ray.tune", reason="Ray is installed without Tune: pip install -e '.[cluster]'")

# Timings, and the names of where a run was made, are the only things allowed to differ.
TIMING = {"seconds", "images_per_second", "eta_seconds"}


def _content(folder):
    metrics = [{k: v for k, v in r.items() if k not in TIMING} for r in runs.read_metrics(folder)]
    summary = json.loads((folder / runs.SUMMARY_FILE).read_text())
    weights = torch.load(folder / runs.CHECKPOINT_FILE, weights_only=True)["model"]
    return (folder / runs.CONFIG_FILE).read_text(), metrics, summary, weights


@pytest.mark.slow
def test_a_grid_on_ray_tune_matches_the_same_grid_run_locally(tmp_path):
    base = RunConfig().with_changes(
        {"train.epochs": 3, "train.eval_size": 300, "train.eval_steps": 5, "train.threads": 1, "train.gallery_every": 0}
    )
    plan = make_plan(base, {"train.lam": [0.0, 1.0]}, [0, 1])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = run_sweep(plan, tmp_path / "ray", Backend("ray", trial_cpus=1))
    finally:
        ray.shutdown()
    here = run_sweep(plan, tmp_path / "here")

    assert [t["state"] for t in read_sweep(tmp_path / "ray")["trials"]] == ["finished"] * 4
    assert (tmp_path / "ray" / ".ray").is_dir()  # the trials did go through Tune
    for trial in plan.trials():
        config_r, metrics_r, summary_r, weights_r = _content(tmp_path / "ray" / trial.name)
        config_h, metrics_h, summary_h, weights_h = _content(tmp_path / "here" / trial.name)
        assert config_r == config_h and metrics_r == metrics_h and summary_r == summary_h
        assert weights_r.keys() == weights_h.keys() and all(torch.equal(weights_r[k], weights_h[k]) for k in weights_r)
    assert on_ray["settings"] == here["settings"]
    for setting in on_ray["settings"]:
        rows = [t for t in on_ray["trials"] if t["settings"] == setting["settings"]]
        assert setting["n"] == 2
        robust = [r["robust_accuracy"] for r in rows]
        assert setting["robust_accuracy"]["mean"] == pytest.approx(statistics.fmean(robust))
        assert setting["robust_accuracy"]["sd"] == pytest.approx(statistics.stdev(robust))


@pytest.mark.slow
def test_sigterm_stops_a_sweep_on_ray_with_its_trials_saved_and_the_summary_printed(tmp_path):
    """ray.init puts in a SIGTERM handler of its own that exits at once; the sweep's must win, so that the
    trials end as interrupted (resumable) and the summary is printed, as without Ray."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    folder = tmp_path / "sw"
    command = [sys.executable, "main.py", "sweep", "--ray", "local", "--lambda", "0,1", "--epochs", "2000"]
    command += ["--eval-size", "100", "--out", str(folder)]
    # stderr to a file: nothing reads a pipe while the test waits, and a full one would stall the sweep
    err_file = (tmp_path / "stderr.txt").open("w+")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err_file, text=True)
    try:
        deadline = time.monotonic() + 300
        while not all((folder / t / runs.CHECKPOINT_FILE).is_file() for t in ("t001-lam0-seed0", "t002-lam1-seed0")):
            assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()[-2000:]
            assert time.monotonic() < deadline, "the trials did not start in time"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        err_file.close()
    assert proc.returncode == 128 + signal.SIGTERM, (tmp_path / "stderr.txt").read_text()[-2000:]
    assert json.loads(out.strip().splitlines()[-1])["interrupted"] is True
    assert [t["state"] for t in read_sweep(folder)["trials"]] == ["interrupted", "interrupted"]
