"""A run folder is never silently destroyed or mixed: --out on a run, two writers, --resume, signals.

Processes are real (``main.py`` in a subprocess) where the behaviour is about processes: a lock held
by another process, SIGTERM in the middle of an epoch.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import checkpoints, cli, runs

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--dataset", "digits", "--limit-train", "256", "--eval-size", "50", "--eval-steps", "2", "--quiet"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(run: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(run.iterdir()) if p.is_file() and p.name != runs.LOCK_FILE}


@pytest.fixture
def finished_run(tmp_path) -> Path:
    run = tmp_path / "run"
    assert cli.main(["train", *QUICK, "--epochs", "2", "--eval-size", "40", "--out", str(run)]) == 0
    return run


def test_out_on_a_finished_run_is_refused_and_changes_nothing(finished_run, capsys):
    before = _fingerprint(finished_run)
    assert cli.main(["train", *QUICK, "--epochs", "1", "--out", str(finished_run)]) == 2
    err = capsys.readouterr().err
    assert "already holds a run (completed, 2 of 2 epochs trained)" in err and "--resume" in err
    assert _fingerprint(finished_run) == before


def test_out_on_a_folder_with_other_files_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("my thesis")
    assert cli.main(["train", *QUICK, "--epochs", "1", "--out", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "my thesis" and not (tmp_path / "config.json").exists()


def test_overwrite_moves_the_old_run_aside_intact(finished_run, capsys):
    before = _fingerprint(finished_run)
    assert cli.main(["train", *QUICK, "--epochs", "1", "--out", str(finished_run), "--overwrite"]) == 0
    aside = [p for p in finished_run.parent.iterdir() if p.name.startswith("run.replaced-")]
    assert len(aside) == 1 and _fingerprint(aside[0]) == before
    assert runs.load_config(finished_run).train.epochs == 1


def test_resume_continues_with_the_runs_own_config(finished_run, capsys):
    config_before = runs.load_config(finished_run)
    # Nothing to do: the run has trained all its epochs.
    assert cli.main(["train", "--resume", "--out", str(finished_run), "--quiet"]) == 2
    assert "already trained all 2 of its 2 epochs" in capsys.readouterr().err
    # A flag that would change what the run learns is refused, by name, with the run's own value.
    assert cli.main(["train", "--resume", "--out", str(finished_run), "--epochs", "3", "--lr", "0.05"]) == 2
    assert "--lr 0.05 (the run has 0.001)" in capsys.readouterr().err
    # More epochs are allowed and listed; every other setting (eval size 40, 256 images) stays the run's.
    assert cli.main(["train", "--resume", "--out", str(finished_run), "--epochs", "3"]) == 0
    err = capsys.readouterr().err
    assert "Resuming" in err and "after epoch 2 of 3" in err and "train.epochs 2 -> 3" in err
    after = runs.load_config(finished_run)
    assert after.train.epochs == 3 and after.train.eval_size == 40 and after.data.limit_train == 256
    assert after.with_changes({"train.epochs": 2}) == config_before
    assert checkpoints.completed_epochs(finished_run) == 3


def test_resume_of_a_missing_folder_is_an_error(tmp_path, capsys):
    assert cli.main(["train", "--resume", "--out", str(tmp_path / "nothing"), "--quiet"]) == 2
    assert "There is no run to resume" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()


def test_leftover_temporary_files_are_cleaned_at_the_next_open(finished_run):
    leftover = finished_run / ".checkpoint.pt8x1k2j.tmp"
    leftover.write_bytes(b"half a checkpoint")
    assert cli.main(["train", "--resume", "--out", str(finished_run), "--epochs", "3", "--quiet"]) == 0
    assert not leftover.exists()


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _epochs_done(run: Path) -> int:
    path = run / runs.METRICS_FILE
    if not path.is_file():
        return 0
    return sum(1 for line in path.read_text().splitlines() if '"type": "epoch"' in line)


def test_a_second_writer_fails_and_sigterm_saves_an_interrupted_resumable_run(tmp_path):
    run = tmp_path / "run"
    first = _start(
        ["train", *QUICK, "--limit-train", "1437", "--batch-size", "32", "--epochs", "400", "--out", str(run)]
    )
    try:
        _wait_for(lambda: _epochs_done(run) >= 1)
        second = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "train", *QUICK, "--epochs", "1", "--out", str(run), "--overwrite"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert second.stderr.strip().count("\n") == 0 and "Another Robustness Lab process is writing" in second.stderr
        assert runs.load_config(run).train.epochs == 400  # the first run's config, untouched
        assert not any(p.name.startswith("run.replaced") for p in tmp_path.iterdir())
        # SIGTERM mid-run: the trainer stops at the next batch, saves, marks the run interrupted, exits 143.
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "Interrupted: the run is saved" in err
    summary = json.loads((run / runs.SUMMARY_FILE).read_text())
    assert summary["reason"] == "interrupted"
    assert json.loads(out.strip().splitlines()[-1])["status"] == "interrupted"
    done = checkpoints.completed_epochs(run)
    assert done >= 1
    checkpoints.load_model(run)  # loadable
    resumed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "--resume", "--out", str(run), "--epochs", str(done + 1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"after epoch {done} of {done + 1}" in resumed.stderr
    assert json.loads((run / runs.SUMMARY_FILE).read_text())["reason"] == "completed"
    assert checkpoints.completed_epochs(run) == done + 1
