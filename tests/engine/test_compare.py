"""Comparing runs: the sweep plan, run histories, transfer between runs, the comparison report and CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine import runs
from engine.compare import (
    list_runs,
    parse_lambdas,
    run_history,
    summarize_run,
)
from engine.config import AttackConfig, ConfigError, RunConfig
from engine.report import write_comparison_report
from engine.transfer import transfer_between_runs

ROOT = Path(__file__).resolve().parents[2]


def test_parse_lambdas_sorts_and_refuses_bad_values():
    assert parse_lambdas(" 1, 0 ,0.5;0.5") == (0.0, 0.5, 1.0)
    for text, message in (
        ("0, x", "'x' is not a number"),
        ("0, -1", "0 or more"),
        ("1", "at least two"),
        (",".join(str(i) for i in range(13)), "at most 12"),
        ("0, nan", "0 or more"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse_lambdas(text)


def test_sweep_changes_only_lambda_and_refuses_a_sweep_without_an_attack():
    base = RunConfig().with_changes({"attack.name": "fgsm-rs", "attack.eps": 0.2, "train.seed": 7})
    from engine.sweep import make_plan

    plan = make_plan(base, {"train.lam": parse_lambdas("1, 0")}, [base.train.seed])
    assert [t.name for t in plan.trials()] == ["t001-lam0-seed7", "t002-lam1-seed7"]
    for trial, lam in zip(plan.trials(), (0.0, 1.0), strict=True):
        assert trial.config == base.with_changes({"train.lam": lam})
    with pytest.raises(ConfigError, match="needs a training attack"):
        make_plan(base.with_changes({"attack.name": "none"}), {"train.lam": [0.0, 1.0]})


@pytest.fixture(scope="module")
def sweep_root(tmp_path_factory):
    """Two real runs made by the headless sweep, as a user would from a terminal."""
    root = tmp_path_factory.mktemp("sweep")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "sweep",
            "--dataset",
            "digits",
            "--model",
            "seed-cnn",
            "--epochs",
            "8",
            "--attack",
            "fgsm-rs",
            "--eps",
            "0.2",
            "--lr",
            "0.003",
            "--lambdas",
            "0,1",
            "--eval-steps",
            "5",
            "--threads",
            "1",
            "--out",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return root, json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_cli_sweep_trains_one_run_per_lambda(sweep_root):
    root, result, stderr = sweep_root
    assert [r["settings"]["train.lam"] for r in result["trials"]] == [0.0, 1.0]
    assert "Sweep: trial 2 of 2 (lam=1, seed=0)" in stderr
    summaries = list_runs(root)
    assert [s.lam for s in summaries] == [0.0, 1.0] and all(s.status == "completed" for s in summaries)
    for s, r in zip(summaries, result["trials"], strict=True):
        assert s.path == r["run_dir"] and s.clean_accuracy == pytest.approx(r["clean_accuracy"])
    standard, robust = summaries
    # The point of the sweep: adversarial training buys robustness at ε = 0.2 (measured by PGD on held-out data).
    assert robust.robust_accuracy > standard.robust_accuracy + 0.2


def test_history_holds_every_epoch_and_step(sweep_root):
    root, _, _ = sweep_root
    run = list_runs(root)[0]
    history = run_history(run.path)
    records = runs.read_metrics(run.path)
    assert history.epochs == tuple(range(1, 9))
    assert history.clean[-1] == pytest.approx(run.clean_accuracy, abs=0.02)  # last epoch: all held-out images
    assert len(history.steps) == sum(r["type"] == "step" for r in records) and history.steps[0] == 1


def test_transfer_between_runs_and_a_clear_error_for_other_data(sweep_root, tmp_path):
    root, _, _ = sweep_root
    paths = [s.path for s in list_runs(root)]
    matrix = transfer_between_runs(paths, AttackConfig("pgd", 0.2, 5), limit=200)
    assert matrix.n == 200 and matrix.names == tuple(Path(p).name for p in paths)
    standard_on_standard, robust_on_robust = matrix.whitebox()
    assert robust_on_robust > standard_on_standard
    for i in range(2):
        for j in range(2):
            assert 0.0 <= matrix.accuracy[i][j] <= matrix.clean_accuracy[j]
    other = tmp_path / "other"
    other.mkdir()
    config = runs.load_config(paths[1]).with_changes({"data.name": "folder", "data.data_dir": str(tmp_path)})
    runs.save_config(other, config)
    (other / runs.CHECKPOINT_FILE).write_bytes((Path(paths[1]) / runs.CHECKPOINT_FILE).read_bytes())
    with pytest.raises(ConfigError, match="trained on other data"):
        transfer_between_runs([paths[0], other], AttackConfig("fgsm", 0.1))
    with pytest.raises(ConfigError, match="at least two runs"):
        transfer_between_runs(paths[:1], AttackConfig("fgsm", 0.1))


def test_cli_compare_writes_a_report_with_points_curves_and_matrix(sweep_root, tmp_path):
    root, _, _ = sweep_root
    paths = [s.path for s in list_runs(root)]
    report = tmp_path / "comparison.html"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "compare",
            *paths,
            "--transfer",
            "--eps",
            "0.2",
            "--steps",
            "5",
            "--limit-holdout",
            "100",
            "--threads",
            "1",
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [r["lambda"] for r in result["runs"]] == [0.0, 1.0]
    assert len(result["transfer"]["accuracy"]) == 2 and result["transfer"]["n"] == 100
    text = report.read_text(encoding="utf-8")
    points = re.findall(r'<circle class="point" data-label="([^"]+)"', text)
    assert len(points) == 2 and "λ=0, ε=51/255 (0.20)" in points[0] and "λ=1, ε=51/255 (0.20)" in points[1]
    assert text.count('class="series"') >= 6  # clean, robust and loss curves of both runs
    assert "Transferability" in text
    csv_text = (tmp_path / "comparison.csv").read_text()
    assert "tradeoff" in csv_text and "transfer" in csv_text


def test_comparison_report_needs_runs_and_summaries_need_a_run(tmp_path):
    with pytest.raises(ConfigError):
        write_comparison_report([], tmp_path / "r.html")
    with pytest.raises(runs.RunError, match="not a run folder"):
        summarize_run(tmp_path)
