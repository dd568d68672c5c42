"""Attacks: numerical checks against torchattacks and against each other."""

from __future__ import annotations

import pytest
import torch

from engine.attacks import attack, fgsm, fgsm_rs, pgd, random_noise
from engine.config import AttackConfig
from engine.evaluate import clean_accuracy, robust_accuracy, robust_mask
from engine.messages import Cancelled, TrainingControl
from engine.suite import attack_curve

torchattacks = pytest.importorskip("torchattacks")


@pytest.fixture()
def batch(digits):
    return digits.test_x[:200], digits.test_y[:200]


def test_fgsm_equals_torchattacks(digits_model, batch):
    x, y = batch
    ours = fgsm(digits_model, x, y, eps=0.1)
    theirs = torchattacks.FGSM(digits_model, eps=0.1)(x, y)
    assert (ours - theirs).abs().max().item() <= 1e-6
    assert (ours - x).abs().max().item() == pytest.approx(0.1, abs=1e-6)


def test_fgsm_equals_one_step_pgd_without_random_start(digits_model, batch):
    x, y = batch
    one_step = pgd(digits_model, x, y, eps=0.15, steps=1, alpha=0.15, random_start=False)
    assert torch.equal(fgsm(digits_model, x, y, eps=0.15), one_step)


@pytest.mark.parametrize("norm,eps", [("linf", 0.1), ("l2", 0.5)])
def test_pgd_stays_in_ball_and_pixel_range(digits_model, batch, norm, eps):
    x, y = batch
    x_adv = pgd(digits_model, x, y, eps=eps, steps=10, norm=norm, restarts=2)
    delta = (x_adv - x).flatten(1)
    size = delta.abs().max(1).values if norm == "linf" else delta.norm(dim=1)
    assert size.max().item() <= eps + 1e-5
    assert x_adv.min().item() >= 0.0 and x_adv.max().item() <= 1.0
    assert (size > 0).float().mean() > 0.9  # it actually moved


def test_fgsm_rs_stays_in_ball(digits_model, batch):
    x, y = batch
    x_adv = fgsm_rs(digits_model, x, y, eps=0.1)
    assert (x_adv - x).abs().max().item() <= 0.1 + 1e-6
    assert 0.0 <= x_adv.min().item() and x_adv.max().item() <= 1.0


def test_attack_restores_model_mode(digits_model, batch):
    x, y = batch
    digits_model.train()
    attack(digits_model, x, y, AttackConfig("pgd", 0.1, steps=3), mode="eval")
    assert digits_model.training
    digits_model.eval()
    attack(digits_model, x, y, AttackConfig("fgsm", 0.1), mode="train")
    assert not digits_model.training


def test_pgd_is_cancellable_inside_its_step_loop(digits_model, batch):
    x, y = batch
    event = TrainingControl()
    event.stop()
    with pytest.raises(Cancelled):
        pgd(digits_model, x, y, eps=0.1, steps=1000, cancel=event)


def test_pgd_strength_matches_torchattacks(digits_model, digits):
    """Same settings, same model: our PGD-40 robust accuracy within 1 point of torchattacks'."""
    x, y = digits.test_x, digits.test_y
    eps, steps, alpha = 0.1, 40, 0.01
    torch.manual_seed(0)
    ours = (digits_model(pgd(digits_model, x, y, eps, steps, alpha)).argmax(1) == y).float().mean().item()
    theirs_adv = torchattacks.PGD(digits_model, eps=eps, alpha=alpha, steps=steps, random_start=True)(x, y)
    theirs = (digits_model(theirs_adv).argmax(1) == y).float().mean().item()
    clean = clean_accuracy(digits_model, x, y)
    print(f"clean {clean:.3f}  ours PGD-40 {ours:.3f}  torchattacks PGD-40 {theirs:.3f}")
    assert clean > 0.9
    assert 0.02 < theirs < clean - 0.1, "pick ε so that the comparison means something"
    assert ours <= theirs + 0.01


def test_early_stop_is_at_least_as_strong(digits_model, digits):
    x, y = digits.test_x, digits.test_y
    cfg = AttackConfig("pgd", 0.1, steps=20)
    torch.manual_seed(1)
    full = (digits_model(attack(digits_model, x, y, cfg)).argmax(1) == y).float().mean().item()
    early = robust_accuracy(digits_model, x, y, cfg)
    assert early <= full + 0.01


def test_random_noise_is_weaker_than_pgd(digits_model, digits):
    x, y = digits.test_x, digits.test_y
    for kind in ("uniform", "gaussian"):
        noisy = random_noise(x, 0.1, kind)
        assert (noisy - x).abs().max().item() <= 0.1 + 1e-6
    noise_acc = robust_accuracy(digits_model, x, y, AttackConfig("noise-uniform", 0.1))
    pgd_acc = robust_accuracy(digits_model, x, y, AttackConfig("pgd", 0.1, steps=10))
    assert noise_acc > pgd_acc + 0.2


@pytest.mark.parametrize("search", ["ascending", "bisect"])
def test_eps_curve_reuse_matches_separate_runs(digits_model, digits, search):
    """Each search gives the accuracy of a separate attack at each ε, within the spread of separate runs."""
    x, y = digits.test_x, digits.test_y
    eps_values = [0.02, 0.05, 0.1, 0.2]
    torch.manual_seed(0)
    values = attack_curve(digits_model, x, y, "pgd", eps_values, steps=20, eps_search=search).accuracy
    fgsm = attack_curve(digits_model, x, y, "fgsm", eps_values, steps=20, eps_search=search).accuracy
    assert list(values) == sorted(values, reverse=True)
    n = len(x)
    for eps, reused, fgsm_reused in zip(eps_values, values, fgsm, strict=True):
        separate = []
        for seed in (0, 1):
            torch.manual_seed(seed)
            separate.append(robust_mask(digits_model, x, y, AttackConfig("pgd", eps, steps=20)).float().mean().item())
        spread = abs(separate[0] - separate[1]) + 2 / n  # two separate runs differ by this much, plus 2 images
        assert min(separate) - spread - 0.01 <= reused <= max(separate) + spread, (eps, reused, separate)
        fgsm_separate = robust_mask(digits_model, x, y, AttackConfig("fgsm", eps)).float().mean().item()
        assert fgsm_reused <= fgsm_separate + 1e-9  # deterministic: reuse can only add fooled samples
    assert values[-1] < 0.2
