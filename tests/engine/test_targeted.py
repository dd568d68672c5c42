"""Targeted attacks: PGD (L∞, L2) and FGSM toward a chosen class, the choice of targets, and their evaluation."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from engine.attacks import attack, choose_targets, pgd, targeted_pgd
from engine.checkpoints import load_model
from engine.config import AttackConfig, ConfigError, RunConfig
from engine.demo import demo_model_dir
from engine.evaluate import evaluate_attack, evaluate_model, make_gallery, predict


@pytest.fixture(scope="module")
def standard():
    return load_model(demo_model_dir("standard"))[1]


@pytest.fixture()
def batch(digits):
    return digits.test_x[:200], digits.test_y[:200]


def _targeted(target: str, name: str = "pgd", eps: float = 0.3, steps: int = 20, **kw) -> AttackConfig:
    cfg = AttackConfig(name, eps, steps, target=target, **kw)
    cfg.validate()
    return cfg


def test_targeted_pgd_reaches_the_target_far_more_often_than_untargeted_pgd_lands_on_it(standard, batch):
    x, y = batch
    torch.manual_seed(0)
    toward = predict(standard, attack(standard, x, y, _targeted("3"))).argmax(1)
    torch.manual_seed(0)
    away = predict(standard, attack(standard, x, y, AttackConfig("pgd", 0.3, 20))).argmax(1)
    others = y != 3
    reached = float((toward[others] == 3).float().mean())
    landed = float((away[others] == 3).float().mean())
    assert reached >= 0.9, reached
    assert landed <= 0.5, landed
    assert reached - landed >= 0.4
    # the untargeted attack still fools (it just does not choose where to)
    assert float((away != y).float().mean()) >= 0.9


@pytest.mark.parametrize("name,eps", [("pgd", 0.3), ("pgd-l2", 2.0)])
def test_targeted_pgd_stays_in_the_ball_and_leaves_images_of_the_target_class_alone(standard, batch, name, eps):
    x, y = batch
    x_adv = attack(standard, x, y, _targeted("5", name, eps, restarts=2))
    delta = (x_adv - x).flatten(1)
    size = delta.abs().max(1).values if name == "pgd" else delta.norm(dim=1)
    assert size.max().item() <= eps + 1e-5
    assert x_adv.min().item() >= 0.0 and x_adv.max().item() <= 1.0
    assert torch.equal(x_adv[y == 5], x[y == 5])  # already that class: not attacked
    assert (size[y != 5] > 0).all()
    reached = predict(standard, x_adv).argmax(1)[y != 5] == 5
    assert float(reached.float().mean()) >= 0.9


def test_targeted_fgsm_is_one_signed_step_down_the_target_loss(standard, batch):
    x, y = batch
    t = torch.full_like(y, 2)
    x_adv = attack(standard, x, y, _targeted("2", "fgsm", 0.1))
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(standard(xr), t, reduction="sum"), xr)
    expected = (x - 0.1 * grad.sign()).clamp(0, 1)
    keep = y != 2
    assert torch.allclose(x_adv[keep], expected[keep], atol=1e-6)
    assert torch.equal(x_adv[~keep], x[~keep])


def test_random_targets_are_reproducible_never_the_true_class_and_cover_the_others(standard, batch):
    x, y = batch
    a = choose_targets(standard, x, y, "random", 10, seed=7)
    b = choose_targets(standard, x, y, "random", 10, seed=7)
    c = choose_targets(standard, x, y, "random", 10, seed=8)
    assert a.dtype == torch.long and torch.equal(a, b)
    assert not torch.equal(a, c)
    assert not (a == y).any() and not (c == y).any()
    assert a.min() >= 0 and a.max() <= 9
    assert len(a.unique()) == 10  # every class is some image's target
    for label in range(10):  # and each image's target is any of the other nine
        assert len(a[y == label].unique()) >= 5


def test_least_likely_is_the_argmin_of_the_clean_logits_and_never_the_true_class(standard, batch):
    x, y = batch
    targets = choose_targets(standard, x, y, "least-likely", 10)
    with torch.no_grad():
        logits = standard(x)
    assert not (targets == y).any()
    plain = logits.argmin(1)
    usual = plain != y
    assert usual.float().mean() > 0.9
    assert torch.equal(targets[usual], plain[usual])
    masked = logits.clone()
    masked[torch.arange(len(y)), y] = float("inf")
    assert torch.equal(targets, masked.argmin(1))


def test_a_fixed_target_out_of_range_or_malformed_is_refused(standard, batch):
    x, y = batch
    with pytest.raises(ConfigError, match="There is no class 10"):
        choose_targets(standard, x, y, "10", 10)
    with pytest.raises(ConfigError, match="There is no class 12"):
        attack(standard, x, y, _targeted("12"))
    for bad in ("07", "-1", "+3", " 3", "abc", "Random", "", 3, 3.0, True):
        with pytest.raises(ConfigError, match="The target must be"):
            AttackConfig("pgd", 0.1, target=bad).validate()  # type: ignore[arg-type]
    assert torch.equal(choose_targets(standard, x, y, "4", 10), torch.full_like(y, 4))


def test_only_pgd_and_fgsm_take_a_target(standard, batch):
    x, y = batch
    for name in ("apgd-ce", "square", "cw", "noise-uniform", "fgsm-rs"):
        with pytest.raises(ConfigError, match="can aim at a target class"):
            AttackConfig(name, 0.1, target="3").validate()
    unvalidated = AttackConfig("noise-uniform", 0.1, target="3")
    with pytest.raises(ConfigError, match="'noise-uniform' cannot"):
        attack(standard, x, y, unvalidated)
    with pytest.raises(ConfigError, match="untargeted"):
        RunConfig(attack=AttackConfig("pgd", 0.1, target="3")).validate()


def test_configs_without_a_target_still_load_and_a_target_round_trips():
    raw = RunConfig().to_dict()
    del raw["attack"]["target"]  # a run saved before targets existed
    assert RunConfig.from_dict(raw).attack.target is None
    cfg = AttackConfig("pgd", 0.2, target="least-likely")
    cfg.validate()
    assert AttackConfig(**dataclasses.asdict(cfg)) == cfg


def test_early_stop_and_restarts_keep_the_targets_reached(standard, batch):
    x, y = batch
    t = choose_targets(standard, x, y, "random", 10, seed=1)

    def success(**kw) -> float:
        torch.manual_seed(0)
        x_adv = targeted_pgd(standard, x, t, 0.2, 10, y=y, **kw)
        return float((predict(standard, x_adv).argmax(1) == t).float().mean())

    plain, early = success(), success(early_stop=True)
    assert 0.3 < plain < 0.9  # room either way, so the comparisons below mean something
    assert abs(early - plain) <= 0.03 and early >= plain - 0.01
    assert success(restarts=3) >= plain - 0.01
    assert success(restarts=3, early_stop=True) >= early


def test_untargeted_attacks_are_unchanged(standard, batch):
    x, y = batch
    torch.manual_seed(3)
    ours = attack(standard, x, y, AttackConfig("pgd", 0.1, 5, restarts=2), early_stop=True)
    torch.manual_seed(3)
    direct = pgd(standard, x, y, 0.1, 5, restarts=2, early_stop=True)
    assert torch.equal(ours, direct)


def test_evaluating_a_targeted_attack_reports_its_success_and_targets(standard, batch):
    x, y = batch
    cfg = _targeted("3", steps=10)
    torch.manual_seed(0)
    evaluation = evaluate_attack(standard, x, y, cfg, batch_size=64)
    r = evaluation.result
    predicted = predict(standard, evaluation.adversarial).argmax(1)
    others = y != 3
    assert r.target == "3" and r.already_target == int((~others).sum()) > 0
    assert r.target_success_rate == pytest.approx(float((predicted[others] == 3).float().mean()))
    assert r.target_success_rate > 0.85
    assert r.targets == tuple([3] * len(y))
    assert r.robust_accuracy == pytest.approx(
        float(((predicted == y) & (predict(standard, x).argmax(1) == y)).float().mean())
    )
    d = r.to_dict()
    assert d["target"] == "3" and d["attack"]["target"] == "3" and "targets" not in d
    plain = evaluate_model(standard, x, y, AttackConfig("pgd", 0.3, 2)).to_dict()
    assert "target" not in plain and "target_success_rate" not in plain


def test_random_targets_do_not_depend_on_the_batch_size(standard, batch):
    x, y = batch
    cfg = _targeted("random", steps=3, seed=5)
    one = evaluate_attack(standard, x, y, cfg, batch_size=500).targets
    many = evaluate_attack(standard, x, y, cfg, batch_size=37).targets
    assert one is not None and many is not None and torch.equal(one, many)
    assert torch.equal(one, choose_targets(standard, x, y, "random", 10, seed=5))


def test_the_gallery_shows_what_the_model_sees_after_make_it_look_like_a_3(standard, digits):
    x, y = digits.test_x[:12], digits.test_y[:12]
    gallery = make_gallery(standard, x, y, _targeted("3"), digits.class_names)
    assert gallery.adversarial.shape == gallery.original.shape
    others = gallery.labels != 3
    assert (gallery.pred_adv[others] == 3).mean() >= 0.9
    assert (gallery.adversarial[~others] == gallery.original[~others]).all()
    assert gallery.targets is not None and (gallery.targets == 3).all()
