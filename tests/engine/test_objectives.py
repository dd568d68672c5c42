"""TRADES and MART: the objectives against ART's TRADES and a per-image reading of the MART paper, the KL
adversary, the live β knob, and training through the command line that buys robustness."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from engine import cli
from engine.attacks import kl_pgd
from engine.config import AttackConfig, RunConfig, TrainConfig
from engine.messages import ConfigApplied, StepMetrics, TrainingControl, UpdateConfig
from engine.objectives import mart_terms, trades_kl, trades_terms
from engine.trainer import train


class _Small(nn.Module):
    """Not an nn.Sequential: ART's wrapper would return every layer's output for one, and its TRADES
    trainer reads the first as the logits for its accuracy."""

    def __init__(self) -> None:
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 8, 3), nn.Linear(8 * 6 * 6, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(F.relu(self.conv(x)).flatten(1))


def _model_and_batch(seed: int = 0) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    model = _Small()
    x = torch.rand(32, 1, 8, 8)
    y = torch.randint(0, 10, (32,))
    return model, x, y


def test_trades_loss_matches_arts_trades_trainer() -> None:
    """ART 1.20's AdversarialTrainerTRADESPyTorch computes CE + β·KL on the same model, batch and x'
    (its attack is given our x'): the same loss to 1e-5."""
    art_trainer = pytest.importorskip("art.defences.trainer")
    from art.attacks.attack import EvasionAttack
    from art.estimators.classification import PyTorchClassifier

    model, x, y = _model_and_batch()
    with torch.no_grad():
        model.fc.weight *= 20  # confident predictions, so that the KL's direction and size matter
    x_adv = kl_pgd(model, x, 0.3, steps=10)
    beta = 6.0

    class GivenExamples(EvasionAttack):
        attack_params: list[str] = []
        _estimator_requirements = ()

        def generate(self, x, y=None, **kwargs):  # noqa: ANN001, ANN201 - ART's signature
            return x_adv.numpy()

    classifier = PyTorchClassifier(
        model,
        loss=nn.CrossEntropyLoss(),
        optimizer=torch.optim.SGD(model.parameters(), lr=0.0),  # the step changes nothing: compare the loss
        input_shape=(1, 8, 8),
        nb_classes=10,
        clip_values=(0.0, 1.0),
    )
    trainer = art_trainer.AdversarialTrainerTRADESPyTorch(classifier, GivenExamples(estimator=classifier), beta=beta)
    art_loss_sum, _acc, n = trainer._batch_process(x.numpy(), y.numpy())  # noqa: SLF001 - ART's one-batch step
    model.train()
    first, kl = trades_terms(model(x), model(x_adv), y)
    assert float(first + beta * kl) == pytest.approx(art_loss_sum / n, abs=1e-5)
    # The comparison can tell the terms apart: the KL is far from 0 and from its reverse direction.
    reverse = float(F.kl_div(F.log_softmax(model(x), 1), F.softmax(model(x_adv), 1), reduction="batchmean"))
    assert float(kl) > 0.05 and abs(reverse - float(kl)) * beta > 1e-3


def test_kl_adversary_stays_in_the_ball_and_raises_the_kl() -> None:
    model, x, y = _model_and_batch(1)
    eps = 0.1
    x_adv = kl_pgd(model, x, eps, steps=10)
    assert float((x_adv - x).abs().max()) <= eps + 1e-6 and float(x_adv.min()) >= 0 and float(x_adv.max()) <= 1
    with torch.no_grad():
        clean = model(x)
        found = float(trades_kl(clean, model(x_adv)))
        noise = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
        random_kl = float(trades_kl(clean, model(noise)))
    assert found > 3 * random_kl  # it searches, unlike noise of the same size


def test_mart_terms_match_the_papers_definition_image_by_image() -> None:
    """Wang et al. 2020, eq. (6)/(7), written per image: BCE = −log p_y(x') − log(1 − max_{k≠y} p_k(x')),
    KL(p(x) ‖ p(x')) weighted by 1 − p_y(x), both averaged over the batch."""
    model, x, y = _model_and_batch(2)
    x_adv = kl_pgd(model, x, 0.2, steps=3)
    with torch.no_grad():
        logits, logits_adv = model(x), model(x_adv)
        boosted, weighted_kl = mart_terms(logits, logits_adv, y)
        p, q = F.softmax(logits, 1).double(), F.softmax(logits_adv, 1).double()
    bce, kl = [], []
    for i in range(len(y)):
        yi = int(y[i])
        wrong = max(float(q[i, k]) for k in range(10) if k != yi)
        bce.append(-math.log(float(q[i, yi])) - math.log(1 - wrong))
        kl_i = sum(float(p[i, k]) * math.log(float(p[i, k]) / float(q[i, k])) for k in range(10))
        kl.append(kl_i * (1 - float(p[i, yi])))
    assert float(boosted) == pytest.approx(np.mean(bce), rel=1e-3)
    assert float(weighted_kl) == pytest.approx(np.mean(kl), rel=1e-3, abs=1e-6)


def test_beta_is_a_live_knob_and_zero_beta_trades_is_standard_training(digits) -> None:
    config = RunConfig(
        attack=AttackConfig("pgd", 0.1, steps=2),
        train=TrainConfig(epochs=2, batch_size=64, gallery_every=0, method="trades", beta=6.0),
    )
    control = TrainingControl()
    seen: list[StepMetrics] = []
    for m in train(config, control, dataset=digits):
        if isinstance(m, StepMetrics):
            seen.append(m)
            if m.step == 3:
                control.send(UpdateConfig((("train.beta", 1.5),)))
            if m.step == 4:
                control.stop()
        elif isinstance(m, ConfigApplied):
            assert dict(m.changes) == {"train.beta": 1.5} and m.config.train.beta == 1.5
    assert [s.lam for s in seen] == [6.0] * 3 + [1.5]
    for s in seen:
        assert s.loss_total == pytest.approx(s.loss_clean + s.lam * s.loss_adv + s.l1_penalty + s.l2_penalty, rel=1e-5)
        assert s.loss_adv > 0
    assert not RunConfig(train=TrainConfig(method="trades", beta=0.0)).adversarially_trained
    assert RunConfig(train=TrainConfig(method="mart", beta=0.0)).adversarially_trained  # its CE is on x'


@pytest.mark.parametrize("method", ["trades", "mart"])
def test_training_with_the_method_buys_robustness(method, tmp_path, capsys) -> None:
    """`train --method trades|mart` on the built-in digits (seed-cnn, PGD-3 at ε = 0.2, 6 epochs): robust
    accuracy under the held-out PGD check well above standard training's, with the same seed."""

    def run(*extra: str) -> dict:
        out = tmp_path / "-".join(extra).replace("--", "")
        argv = ["train", "--model", "seed-cnn", "--epochs", "6", "--eps", "0.2", "--attack", "pgd", "--steps", "3"]
        argv += ["--lr", "0.003", "--seed", "0", "--quiet", "--out", str(out), *extra]
        assert cli.main(argv) == 0
        summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        return summary

    standard = run("--lambda", "0")
    robust = run("--method", method, "--beta", "6")
    assert json.loads((tmp_path / f"method-{method}-beta-6" / "config.json").read_text())["train"]["method"] == method
    with capsys.disabled():
        print(f"\n{method}: robust {robust['robust_accuracy']:.3f} vs standard {standard['robust_accuracy']:.3f}")
    assert robust["robust_accuracy"] > standard["robust_accuracy"] + 0.25, (robust, standard)
    assert robust["clean_accuracy"] > 0.8


# ---------------------------------------------------------------- catastrophic overfitting guard
def test_overfitting_is_told_only_for_a_collapsed_pgd() -> None:
    from engine.trainer import OVERFITTING_GAP, overfitting_warning

    assert overfitting_warning(3, 90, fgsm=0.93, pgd=0.90) is None  # a sound FGSM-trained model
    assert overfitting_warning(3, 90, fgsm=0.40, pgd=0.38) is None  # weak but not overfit
    assert overfitting_warning(3, 90, fgsm=float("nan"), pgd=0.0) is None
    warning = overfitting_warning(4, 120, fgsm=0.91, pgd=0.02)
    assert warning is not None and warning.kind == "catastrophic_overfitting" and warning.epoch == 4
    assert "91.0%" in warning.message and "2.0%" in warning.message
    assert "n-fgsm" in warning.message and "pgd" in warning.message  # the remedies, as a person types them
    assert dict(warning.numbers) == {"fgsm": 0.91, "pgd": 0.02}
    assert overfitting_warning(1, 1, fgsm=0.5 + OVERFITTING_GAP, pgd=0.5) is not None


def test_only_one_step_training_is_watched() -> None:
    from engine.trainer import watches_for_overfitting

    def config(attack: str, **train: object) -> RunConfig:
        return RunConfig(attack=AttackConfig(attack, 0.1), train=TrainConfig(**train))

    assert all(watches_for_overfitting(config(a)) for a in ("fgsm", "fgsm-rs", "n-fgsm"))
    assert watches_for_overfitting(config("fgsm", method="trades"))
    assert not watches_for_overfitting(config("pgd"))
    assert not watches_for_overfitting(config("fgsm", lam=0.0))  # standard training
    assert not watches_for_overfitting(config("fgsm", method="ibp"))


def test_a_warning_reaches_the_stream_the_summary_and_stderr_once(tmp_path, capsys, monkeypatch) -> None:
    """The plumbing, with the FGSM check made to read high (a real collapse takes MNIST: see the slow test):
    one TrainingWarning after the epoch's metrics, in the run summary and on stderr even with --quiet."""
    import engine.trainer as trainer_module

    real = trainer_module.robust_accuracy

    def fgsm_reads_high(model, x, y, cfg, **kwargs):  # noqa: ANN001, ANN202
        return 0.99 if cfg.name == "fgsm" else min(real(model, x, y, cfg, **kwargs), 0.5)

    monkeypatch.setattr(trainer_module, "robust_accuracy", fgsm_reads_high)
    out = tmp_path / "run"
    argv = ["train", "--model", "seed-cnn", "--epochs", "2", "--attack", "fgsm", "--eps", "0.2", "--quiet"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: Catastrophic overfitting at epoch 1") == 1, err
    summary = json.loads((out / "summary.json").read_text())
    assert [w["kind"] for w in summary["warnings"]] == ["catastrophic_overfitting"]
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records if r["type"] == "warning"] == [1]
    assert all("fgsm_accuracy" in r for r in records if r["type"] == "epoch")


def test_n_fgsm_starts_from_wider_noise_and_is_not_clipped_to_the_ball() -> None:
    from engine.attacks import n_fgsm

    model, x, y = _model_and_batch(3)
    x = x * 0.5 + 0.25  # room on both sides, so that the pixel range does not hide the reach
    torch.manual_seed(0)
    x_adv = n_fgsm(model, x, y, 0.05)
    reach = float((x_adv - x).abs().max())
    assert 0.05 < reach <= 0.15 + 1e-6  # up to 2ε of noise plus a step of ε
    torch.manual_seed(0)
    assert torch.equal(x_adv, n_fgsm(model, x, y, 0.05))


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_fgsm_training_on_mnist_overfits_and_is_told(mnist_dir, tmp_path, capsys) -> None:
    """Plain FGSM training at ε = 0.3 on the MNIST 8,000/2,000 split (small-cnn, 2 epochs) collapses as Wong
    et al. 2020 describe: FGSM accuracy stays high, PGD's falls to a few percent, and the run says so with
    the remedy. The remedy's attack (N-FGSM) on the same run shows no such gap: no warning."""

    def run(attack: str) -> tuple[str, dict]:
        out = tmp_path / attack
        argv = f"train --dataset mnist --data-dir {mnist_dir} --model small-cnn --attack {attack} --eps 0.3"
        argv += f" --epochs 2 --lr 0.001 --seed 0 --threads 2 --quiet --out {out}"
        assert cli.main(argv.split()) == 0
        captured = capsys.readouterr()
        records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
        epochs = [r for r in records if r["type"] == "epoch"]
        with capsys.disabled():
            print(f"\n{attack}: " + ", ".join(f"epoch {r['epoch']} FGSM {r['fgsm_accuracy']:.3f} PGD "
                                             f"{r['robust_accuracy']:.3f}" for r in epochs))  # fmt: skip
        return captured.err, json.loads((out / "summary.json").read_text())

    err, summary = run("fgsm")
    assert "warning: Catastrophic overfitting at epoch" in err
    assert summary["warnings"][0]["kind"] == "catastrophic_overfitting" and summary["robust_accuracy"] < 0.1
    err, summary = run("n-fgsm")
    assert "Catastrophic overfitting" not in err and "warnings" not in summary
