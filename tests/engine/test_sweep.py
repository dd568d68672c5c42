"""Sweeps: the grid's product, sweep.json, refusals, the seed summary, and a sweep killed and re-run."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from engine import runs
from engine.compare import RunSummary, SettingGroup, clearly_different, group_by_setting, list_runs, summarize_run
from engine.config import ConfigError, RunConfig
from engine.sweep import SWEEP_FILE, make_plan, read_sweep
from engine.sweep_runner import run_sweep
from tests.conftest import ROOT
from tests.processes import HAS_PROC, spawned_workers, wait_until_gone

BASE = RunConfig().with_changes(
    {"train.epochs": 2, "train.eval_size": 200, "train.eval_steps": 3, "train.threads": 1, "train.gallery_every": 0}
)


def test_the_plan_is_the_product_of_the_lists_and_the_seeds():
    plan = make_plan(BASE, {"train.lam": [0.0, 1.0], "attack.eps": [0.1, 0.2, 0.1], "model.name": ["mlp"]}, [0, 1])
    trials = plan.trials()
    assert len(trials) == 2 * 2 * 2  # the repeated ε counts once; a one-value list is the base setting
    assert all(t.config.model.name == "mlp" for t in trials)
    assert {(t.config.train.lam, t.config.attack.eps, t.config.train.seed) for t in trials} == {
        (lam, eps, seed) for lam in (0.0, 1.0) for eps in (0.1, 0.2) for seed in (0, 1)
    }
    assert trials[0].name == "t001-lam0-eps0.1-seed0" and trials[-1].name == "t008-lam1-eps0.2-seed1"
    assert len({t.name for t in trials}) == len(trials)
    assert [t.name for t in plan.trials()] == [t.name for t in trials]  # the same plan names its trials alike


@pytest.mark.parametrize(
    ("axes", "seeds", "words"),
    [
        ({"train.lam": [0.0]}, [0], "at least two runs"),
        ({"train.seed": [1, 2]}, [0], "cannot vary 'train.seed'"),
        ({"train.lam": [0.0, 1.0]}, [], "at least one seed"),
        ({"attack.eps": [float(i) / 1000 for i in range(300)]}, [0], "at most 256"),
        ({"attack.eps": [0.1, 2.0]}, [0], "ε"),
    ],
)
def test_a_plan_that_cannot_run_is_refused_before_anything_is_written(axes, seeds, words):
    with pytest.raises(ConfigError) as caught:
        make_plan(BASE, axes, seeds)
    assert words in str(caught.value)


def test_a_lambda_sweep_without_an_attack_is_refused():
    with pytest.raises(ConfigError, match="needs a training attack"):
        make_plan(BASE.with_changes({"attack.name": "none"}), {"train.lam": [0.0, 1.0]})


def test_sweep_json_lists_the_trials_and_the_summary_gives_mean_and_sd_over_seeds(tmp_path):
    plan = make_plan(BASE, {"train.lam": [0.0, 1.0]}, [0, 1])
    out = run_sweep(plan, tmp_path / "sw")
    record = read_sweep(tmp_path / "sw")
    assert record is not None and [t["name"] for t in record["trials"]] == [t.name for t in plan.trials()]
    assert all(t["state"] == "finished" for t in record["trials"])
    assert record["plan"]["seeds"] == [0, 1] and record["plan"]["axes"] == [["train.lam", [0.0, 1.0]]]
    for trial in plan.trials():  # each trial is an ordinary run folder: its config.json is the whole truth
        assert runs.load_config(tmp_path / "sw" / trial.name) == trial.config
    by_lam = {s["settings"]["train.lam"]: s for s in out["settings"]}
    for lam, setting in by_lam.items():
        rows = [r for r in out["trials"] if r["settings"]["train.lam"] == lam]
        assert setting["n"] == 2 and setting["seeds"] == [0, 1]
        for figure in ("clean_accuracy", "robust_accuracy"):
            values = [r[figure] for r in rows]
            assert setting[figure]["mean"] == pytest.approx(statistics.fmean(values))
            assert setting[figure]["sd"] == pytest.approx(statistics.stdev(values))
    # the runs list sees a sweep folder's trials like any run
    assert sorted(s.name for s in list_runs(tmp_path)) == sorted(t.name for t in plan.trials())


def test_another_plan_or_a_run_folder_is_refused_and_nothing_changes(tmp_path):
    folder = tmp_path / "sw"
    run_sweep(make_plan(BASE.with_changes({"train.epochs": 1}), {"train.lam": [0.0, 1.0]}), folder)
    before = (folder / SWEEP_FILE).read_bytes()
    with pytest.raises(runs.RunError, match="holds another sweep"):
        run_sweep(make_plan(BASE.with_changes({"train.epochs": 1}), {"train.lam": [0.0, 2.0]}), folder)
    assert (folder / SWEEP_FILE).read_bytes() == before
    with pytest.raises(runs.RunError, match="holds a run, not a sweep"):
        run_sweep(make_plan(BASE, {"train.lam": [0.0, 1.0]}), folder / "t001-lam0-seed0")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / SWEEP_FILE).write_text("{not json")
    with pytest.raises(runs.RunError, match="damaged"):
        run_sweep(make_plan(BASE, {"train.lam": [0.0, 1.0]}), tmp_path / "bad")


def _sweep_command(out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "main.py"),
        "sweep",
        "--epochs",
        "25",
        "--lambda",
        "0,0.5,1",
        "--eval-size",
        "100",
        "--eval-steps",
        "2",
        "--threads",
        "1",
        "--out",
        str(out),
        *extra,
    ]


def _wait_for(condition, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "the sweep ended early"
        assert time.monotonic() < deadline, "the sweep did not get there in time"
        time.sleep(0.05)


def _state(folder: Path, index: int) -> str:
    record = read_sweep(folder)
    return record["trials"][index]["state"] if record else ""


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir() if p.is_file()}


def test_a_sweep_killed_mid_way_resumes_without_training_finished_trials_again(tmp_path):
    folder = tmp_path / "sw"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        _sweep_command(folder), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # kill -9 while the second trial trains, once it has saved a checkpoint: no handler runs, nothing is tidied
        _wait_for(lambda: _state(folder, 0) == "finished" and _state(folder, 1) == "running", 300, proc)
        second = folder / read_sweep(folder)["trials"][1]["name"]
        _wait_for(lambda: (second / runs.CHECKPOINT_FILE).is_file(), 300, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    record = read_sweep(folder)
    names = [t["name"] for t in record["trials"]]
    assert [t["state"] for t in record["trials"]] == ["finished", "running", "pending"]  # as the kill left it
    first = _files(folder / names[0])

    again = subprocess.run(_sweep_command(folder), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "1 of 3 trials already finished; they are not trained again." in again.stderr
    assert "trial 1 of 3" not in again.stderr
    assert "Sweep: trial 2 of 3 (lam=0.5, seed=0), resumed from its checkpoint" in again.stderr
    assert "Sweep: trial 3 of 3 (lam=1, seed=0)" in again.stderr
    assert _files(folder / names[0]) == first  # not one byte of the finished trial was rewritten
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert [t["state"] for t in summary["trials"]] == ["finished"] * 3 and summary["skipped"] == 1
    assert [t["state"] for t in read_sweep(folder)["trials"]] == ["finished"] * 3
    resumed = [r for r in runs.read_metrics(folder / names[1]) if r.get("type") == "epoch"]
    assert sorted({r["epoch"] for r in resumed}) == list(range(1, 26))
    # and the resumed trial is the trial it would have been: the same weights as its config trained at one go
    from engine.checkpoints import load_checkpoint
    from engine.trainer import train

    whole = list(train(runs.load_config(folder / names[1]), run_dir=tmp_path / "whole"))
    assert whole[-1].reason == "completed"
    a, b = load_checkpoint(tmp_path / "whole")["model"], load_checkpoint(folder / names[1])["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_sigterm_stops_parallel_workers_with_checkpoints_and_the_rerun_resumes_them(tmp_path):
    folder = tmp_path / "sw"
    proc = subprocess.Popen(
        _sweep_command(folder, "--parallel", "2"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        record_names = lambda: [t["name"] for t in (read_sweep(folder) or {"trials": []})["trials"]]  # noqa: E731
        _wait_for(
            lambda: (
                len(record_names()) == 3
                and all((folder / n / runs.CHECKPOINT_FILE).is_file() for n in record_names()[:2])
            ),
            300,
            proc,
        )
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["interrupted"] is True
    states = [t["state"] for t in read_sweep(folder)["trials"]]
    assert states[2] == "pending" and set(states[:2]) <= {"interrupted", "finished"} and "interrupted" in states
    again = subprocess.run(_sweep_command(folder, "--parallel", "2"), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "resumed from its checkpoint" in again.stderr
    assert [t["state"] for t in read_sweep(folder)["trials"]] == ["finished"] * 3


@pytest.mark.skipif(not HAS_PROC, reason="reads the process tree from Linux's /proc")
def test_workers_whose_sweep_was_killed_stop_their_trials_and_exit(tmp_path):
    # kill -9 of the driver (a terminal closed, the window's engine killed): no handler runs in it, so the
    # workers must notice on their own, save their trials' checkpoints and exit, not train on unseen for ever
    folder = tmp_path / "sw"
    proc = subprocess.Popen(
        _sweep_command(folder, "--parallel", "2"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        names = lambda: [t["name"] for t in (read_sweep(folder) or {"trials": []})["trials"]]  # noqa: E731
        _wait_for(
            lambda: len(names()) == 3 and all((folder / n / runs.CHECKPOINT_FILE).is_file() for n in names()[:2]),
            300,
            proc,
        )
        workers = spawned_workers(proc.pid)
        assert len(workers) == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    took = wait_until_gone(workers, 60)  # a minute is a hang, not a speed limit
    print(f"workers exited {took:.1f} s after the driver was killed")
    # each had been training (epoch 25 is far off): both stopped as interrupted, checkpoint saved, lock let go
    from engine.sweep import trial_state

    assert [trial_state(folder / n) for n in names()[:2]] == ["interrupted", "interrupted"]
    summaries = [json.loads((folder / n / runs.SUMMARY_FILE).read_text()) for n in names()[:2]]
    assert [s["reason"] for s in summaries] == ["interrupted"] * 2  # the trainer's own words: it was stopped
    again = subprocess.run(_sweep_command(folder, "--parallel", "2"), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("resumed from its checkpoint") == 2
    assert [t["state"] for t in read_sweep(folder)["trials"]] == ["finished"] * 3


def test_cli_sweep_grid_is_refused_with_one_line_for_a_bad_value(capsys):
    from engine import cli

    assert cli.main(["sweep", "--model", "mlp,nope", "--seeds", "0,1"]) == 2
    assert "'nope' is not one of" in capsys.readouterr().err
    assert cli.main(["sweep", "--lambda", "0,1", "--parallel", "2", "--ray", "local"]) == 2
    assert "--parallel is for sweeps on this machine" in capsys.readouterr().err


@pytest.fixture(scope="module")
def seeded_grid(tmp_path_factory):
    """A finished 2 λ × 2 seed grid: the runs a seed-spread comparison is made of."""
    folder = tmp_path_factory.mktemp("grid") / "sw"
    plan = make_plan(BASE.with_changes({"train.epochs": 3}), {"train.lam": [0.0, 1.0]}, [0, 1])
    return folder, run_sweep(plan, folder)


def test_runs_that_differ_only_by_seed_are_one_setting_with_mean_and_sd(seeded_grid):
    folder, out = seeded_grid
    summaries = [summarize_run(t["run_dir"]) for t in out["trials"]]
    groups = group_by_setting(summaries)
    assert [g.n for g in groups] == [2, 2] and [g.seeds for g in groups] == [(0, 1), (0, 1)]
    for group, setting in zip(groups, out["settings"], strict=True):
        assert {m.lam for m in group.members} == {setting["settings"]["train.lam"]}
        assert group.robust_mean == pytest.approx(setting["robust_accuracy"]["mean"])
        assert group.clean_sd == pytest.approx(setting["clean_accuracy"]["sd"])
    # the seed is not part of a setting; λ is
    assert summaries[0].setting == summarize_run(out["trials"][1]["run_dir"]).setting
    assert summaries[0].setting != summaries[2].setting


def _group(robust: list[float]) -> SettingGroup:
    members = tuple(
        RunSummary("p", "n", "digits", "seed-cnn", "fgsm-rs", 1.0, 0.1, 0.9, r, "completed", "{}", seed=k)
        for k, r in enumerate(robust)
    )
    mean, sd = statistics.fmean(robust), statistics.stdev(robust) if len(robust) > 1 else float("nan")
    return SettingGroup(members, 0.9, 0.0, mean, sd)


def test_a_difference_is_claimed_only_beyond_both_seed_spreads():
    a = _group([0.50, 0.52, 0.54])  # sd 0.02
    assert clearly_different(a, _group([0.60, 0.62, 0.64]))  # Δ 0.10 > 0.04
    assert clearly_different(a, _group([0.55, 0.57, 0.59]))  # Δ 0.05 > 0.04
    assert not clearly_different(a, _group([0.53, 0.55, 0.57]))  # Δ 0.03 < 0.04
    assert not clearly_different(a, _group([0.90]))  # one seed: no spread, no claim


def test_the_comparison_report_and_cli_show_mean_sd_and_error_bars(seeded_grid, tmp_path, capsys):
    from engine import cli

    folder, out = seeded_grid
    paths = [t["run_dir"] for t in out["trials"]]
    assert cli.main(["compare", *paths, "--report", str(tmp_path / "cmp.html")]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [g["n"] for g in result["settings"]] == [2, 2]
    assert result["settings"][0]["robust_accuracy"] == pytest.approx(out["settings"][0]["robust_accuracy"])
    page = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    assert "Seed spread" in page and "(mean of 2 seeds)" in page and " ± " in page
    sd = [s["clean_accuracy"]["sd"] for s in out["settings"]] + [s["robust_accuracy"]["sd"] for s in out["settings"]]
    assert page.count('class="errorbar"') == sum(1 for v in sd if v and v > 0)
    assert page.count('class="point"') == 2  # one point per setting, not per run


def _same_identity(plan) -> dict:
    from engine.sweep import jsonable_identity

    return {"identity": jsonable_identity(plan)}


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8",
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser recurses
        b'{"identity": 1e999999}',
        b"PK\x03\x04 a zip renamed to sweep.json",
        b'"just a string"',
        b" " * (17 * 2**20),  # larger than any sweep.json the app writes
    ],
    ids=["bad-utf8", "deep-nesting", "huge-number", "zip", "string", "huge-file"],
)
def test_a_hostile_sweep_json_is_refused_in_one_sentence_and_left_as_it_is(tmp_path, content):
    folder = tmp_path / "sw"
    folder.mkdir()
    (folder / SWEEP_FILE).write_bytes(content)
    with pytest.raises(runs.RunError) as caught:
        run_sweep(make_plan(BASE, {"train.lam": [0.0, 1.0]}), folder)
    assert "Nothing was changed" in str(caught.value) or "damaged" in str(caught.value)
    assert (folder / SWEEP_FILE).read_bytes() == content and sorted(p.name for p in folder.iterdir()) == [
        ".sweep.lock",
        SWEEP_FILE,
    ]
    assert read_sweep(folder) is None or not isinstance(read_sweep(folder).get("trials"), list)


def test_a_sweep_json_of_this_plan_with_wrong_types_is_taken_up_not_trusted(tmp_path):
    """The identity matches but the rest is garbage: the trials' states come from their run folders."""
    plan = make_plan(BASE.with_changes({"train.epochs": 1}), {"train.lam": [0.0, 1.0]})
    folder = tmp_path / "sw"
    folder.mkdir()
    hostile = _same_identity(plan) | {"created": "yesterday", "trials": "t001-lam0-seed0"}
    (folder / SWEEP_FILE).write_text(json.dumps(hostile))
    out = run_sweep(plan, folder)
    assert [t["state"] for t in out["trials"]] == ["finished", "finished"] and out["skipped"] == 0
