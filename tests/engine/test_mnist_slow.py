"""Real MNIST (the shared t10k files, seeded 8,000 / 2,000 split): the numbers the engine must reach.

Slow (several minutes on 2 cores); deselect with ``-m "not slow"``. CI runs them.
Training goes through the command line, end to end, exactly as a user would run it.
"""

from __future__ import annotations

import json
import time

import pytest
import torch

from engine.checkpoints import load_model
from engine.config import AttackConfig, DataConfig
from engine.data import load_dataset
from engine.evaluate import clean_accuracy

from .test_cli import last_json, run_cli

pytestmark = pytest.mark.slow
torchattacks = pytest.importorskip("torchattacks")


def _train(mnist_dir, out, *extra: str) -> dict:
    return last_json(
        run_cli(
            "train",
            "--dataset",
            "mnist",
            "--data-dir",
            str(mnist_dir),
            "--model",
            "small-cnn",
            "--epochs",
            "8",
            "--seed",
            "0",
            "--eval-size",
            "500",
            "--quiet",
            "--out",
            str(out),
            *extra,
        )
    )


def _pgd40(run_dir, eps: float) -> dict:
    return last_json(run_cli("evaluate", str(run_dir), "--attack", "pgd", "--eps", str(eps), "--steps", "40"))


@pytest.fixture(scope="module")
def standard_run(mnist_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("mnist") / "standard"
    return out, _train(mnist_dir, out, "--attack", "none", "--lambda", "0")


@pytest.fixture(scope="module")
def robust_run(mnist_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("mnist") / "fgsm-rs"
    return out, _train(mnist_dir, out, "--attack", "fgsm-rs", "--eps", "0.1", "--lambda", "1")


def test_standard_training_is_accurate_and_broken_by_pgd(standard_run):
    out, summary = standard_run
    result = _pgd40(out, 0.2)
    print(f"standard: clean {summary['clean_accuracy']:.4f}, PGD-40 ε=0.2 robust {result['robust_accuracy']:.4f}")
    assert summary["clean_accuracy"] >= 0.96
    assert result["robust_accuracy"] < 0.10


def test_fgsm_rs_training_is_accurate_and_robust(robust_run):
    out, summary = robust_run
    # FGSM-RS at ε = 0.1 is sound: the catastrophic-overfitting guard, which compared FGSM and PGD each
    # epoch, stayed quiet (it fires on plain FGSM at ε = 0.3: tests/engine/test_objectives.py).
    assert "warnings" not in json.loads((out / "summary.json").read_text())
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert sum("fgsm_accuracy" in r for r in records if r["type"] == "epoch") == 8
    result = _pgd40(out, 0.1)
    print(f"FGSM-RS: clean {result['clean_accuracy']:.4f}, PGD-40 ε=0.1 robust {result['robust_accuracy']:.4f}")
    assert result["clean_accuracy"] >= 0.97
    assert result["robust_accuracy"] >= 0.85


def worst_of_three(model, x, y, eps: float) -> float:
    """The fraction of images that every one of PGD-40 (ours), APGD-CE and APGD-DLR (torchattacks, 40
    steps each) leaves correctly classified: the per-image worst case of the three."""
    from engine.attacks import pgd

    survives = torch.ones(len(x), dtype=torch.bool)
    apgd_ce = torchattacks.APGD(model, norm="Linf", eps=eps, steps=40, loss="ce", seed=0)
    apgd_dlr = torchattacks.APGD(model, norm="Linf", eps=eps, steps=40, loss="dlr", seed=0)
    torch.manual_seed(0)
    for i in range(0, len(x), 500):
        xb, yb = x[i : i + 500], y[i : i + 500]
        for adv in (pgd(model, xb, yb, eps, 40, 0.01), apgd_ce(xb, yb), apgd_dlr(xb, yb)):
            with torch.no_grad():
                survives[i : i + 500] &= model(adv).argmax(1) == yb
    return float(survives.float().mean())


def test_our_pgd40_is_as_strong_as_torchattacks_on_a_trained_model(robust_run, mnist_dir):
    out, _ = robust_run
    _, model, _ = load_model(out)
    split = load_dataset(DataConfig("mnist", str(mnist_dir)))
    x, y = split.test_x[:1000], split.test_y[:1000]
    from engine.evaluate import robust_accuracy

    torch.manual_seed(0)
    ours = robust_accuracy(model, x, y, AttackConfig("pgd", 0.1, steps=40, step_size=0.01))
    atk = torchattacks.PGD(model, eps=0.1, alpha=0.01, steps=40, random_start=True)
    theirs_adv = torch.cat([atk(x[i : i + 500], y[i : i + 500]) for i in range(0, len(x), 500)])
    with torch.no_grad():
        theirs = (model(theirs_adv).argmax(1) == y).float().mean().item()
    print(f"clean {clean_accuracy(model, x, y):.4f}  ours {ours:.4f}  torchattacks {theirs:.4f}")
    assert abs(ours - theirs) <= 0.01
    assert theirs < clean_accuracy(model, x, y)


@pytest.mark.timeout(1800)
def test_trades_is_accurate_and_robust_to_the_worst_of_three_attacks(mnist_dir, tmp_path):
    """`train --model small-cnn --method trades --beta 6 --eps 0.1 --epochs 10` (KL adversary: PGD-3, both
    threads) on the 8,000 / 2,000 split: at least 93 % of the held-out images survive each of PGD-40,
    APGD-CE and APGD-DLR (per image), at least 98 % clean, within 10 minutes of training."""
    out = tmp_path / "trades"
    start = time.perf_counter()
    summary = _train(
        mnist_dir, out, "--method", "trades", "--beta", "6", "--eps", "0.1", "--attack", "pgd", "--steps", "3",
        "--epochs", "10", "--threads", "2",
    )  # fmt: skip
    seconds = time.perf_counter() - start
    _, model, _ = load_model(out)
    split = load_dataset(DataConfig("mnist", str(mnist_dir)))
    worst = worst_of_three(model, split.test_x, split.test_y, 0.1)
    print(f"TRADES: clean {summary['clean_accuracy']:.4f}, worst of three at ε=0.1 {worst:.4f}, {seconds:.0f} s")
    assert summary["clean_accuracy"] >= 0.98
    assert worst >= 0.93
    assert seconds <= 600


def test_robust_model_gradient_lies_on_the_strokes(standard_run, robust_run) -> None:
    """Tsipras et al. 2019 on real 28×28 MNIST: the input gradient of an adversarially trained model
    follows the digit. Measured by the share of its mass on the strokes (figures in README)."""
    from engine.saliency import saliency_summary

    config, standard, _ = load_model(standard_run[0])
    _, robust, _ = load_model(robust_run[0])
    split = load_dataset(config.data)
    x, y = split.test_x[:500], split.test_y[:500]
    summary = saliency_summary([("standard", standard), ("fgsm-rs", robust)], x, y, methods=("gradient",))
    print(summary.to_dict())
    (standard_share,), (robust_share,) = summary.inside
    assert robust_share > standard_share + 0.08, summary.to_dict()
    assert standard_share > summary.chance  # even a standard model's gradient is not spread evenly
