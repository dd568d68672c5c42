"""The attack suite: torchattacks' stronger attacks behind our interface, and ``evaluate`` on an exported model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from engine.config import AttackConfig, ConfigError
from engine.evaluate import clean_accuracy, correct_mask, robust_accuracy
from engine.messages import Cancelled, TrainingControl
from engine.suite import attack_curve, parse_suite, perturbation_norm, run_suite, suite_attack

torchattacks = pytest.importorskip("torchattacks")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def small(digits):
    return digits.test_x[:60], digits.test_y[:60]


def _direct(name: str, model, eps: float):
    """torchattacks' own object for the same settings the wrapper uses by default."""
    cfg = AttackConfig(name=name, eps=eps)
    if name in ("apgd-ce", "apgd-dlr"):
        return torchattacks.APGD(model, eps=eps, steps=cfg.steps, n_restarts=1, seed=0, loss=name[5:])
    if name == "square":
        return torchattacks.Square(model, eps=eps, n_queries=cfg.n_queries, seed=0)
    if name == "autoattack":
        return torchattacks.AutoAttack(model, eps=eps, n_classes=10, seed=0)
    if name == "cw":
        return torchattacks.CW(model, c=cfg.cw_c, steps=cfg.min_norm_steps, lr=cfg.cw_lr)
    return torchattacks.DeepFool(model, steps=cfg.min_norm_steps, overshoot=0.02)


@pytest.mark.parametrize("name", ["apgd-ce", "apgd-dlr", "square", "cw", "deepfool", "autoattack"])
def test_wrapper_is_torchattacks_within_range_ball_and_mode(digits_model, small, name):
    x, y = small
    if name in ("autoattack", "deepfool"):  # the dearest two: one batch of 16
        x, y = x[:16], y[:16]
    eps = 0.1
    digits_model.train()
    ours = suite_attack(digits_model, x, y, AttackConfig(name=name, eps=eps), batch_size=16)
    assert digits_model.training, "the model's mode must be restored"
    digits_model.eval()
    assert ours.shape == x.shape and ours.min() >= 0.0 and ours.max() <= 1.0
    if name not in ("cw", "deepfool"):
        assert perturbation_norm(ours, x).max().item() <= eps + 1e-5
    theirs = torch.cat([_direct(name, digits_model, eps)(x[i : i + 16], y[i : i + 16]) for i in range(0, len(x), 16)])
    acc = lambda adv: (digits_model(adv).argmax(1) == y).float().mean().item()  # noqa: E731
    print(f"{name}: clean {acc(x):.3f} ours {acc(ours):.3f} torchattacks {acc(theirs):.3f}")
    assert acc(ours) <= acc(theirs) + 0.01
    assert acc(ours) < acc(x) - 0.05, "the attack must do something at ε = 0.1"


def test_bounded_curve_reuse_is_as_strong_as_separate_torchattacks_runs(digits_model, digits):
    x, y = digits.test_x[:150], digits.test_y[:150]
    eps_values = (0.05, 0.1, 0.2)
    curve = attack_curve(digits_model, x, y, "apgd-ce", eps_values)
    assert list(curve.accuracy) == sorted(curve.accuracy, reverse=True) and curve.bounded
    correct = correct_mask(digits_model, x, y)
    for eps, reused in zip(eps_values, curve.accuracy, strict=True):
        adv = torchattacks.APGD(digits_model, eps=eps, steps=10, seed=0)(x, y)
        separate = (correct & (digits_model(adv).argmax(1) == y)).float().mean().item()
        assert reused <= separate + 0.01
    assert curve.accuracy[-1] < 0.2


def test_min_norm_curve_counts_only_perturbations_within_eps(digits_model, digits):
    x, y = digits.test_x[:120], digits.test_y[:120]
    eps_values = (0.05, 0.1, 0.3, 1.0)
    curve = attack_curve(digits_model, x, y, "cw", eps_values)
    assert not curve.bounded and curve.norm == "linf"
    correct = correct_mask(digits_model, x, y)
    adv = torchattacks.CW(digits_model, c=10.0, steps=100, lr=0.05)(x, y)
    fooled = correct & (digits_model(adv).argmax(1) != y)
    linf = perturbation_norm(adv, x)
    for eps, value in zip(eps_values, curve.accuracy, strict=True):
        expected = (correct & ~(fooled & (linf <= eps + 1e-6))).float().mean().item()
        assert value == pytest.approx(expected, abs=1e-6)
    assert curve.accuracy[-1] == pytest.approx(correct.float().mean().item() - fooled.float().mean().item())
    assert curve.median_linf == pytest.approx(linf[fooled].median().item(), abs=1e-6)
    assert curve.median_l2 == pytest.approx(perturbation_norm(adv, x, "l2")[fooled].median().item(), abs=1e-6)
    assert curve.success_rate > 0.9


def test_run_suite_matches_own_attacks_and_checks(digits_model, digits):
    x, y = digits.test_x, digits.test_y
    result = run_suite(digits_model, x, y, ["fgsm", "pgd", "noise-uniform"], [0.1, 0.05], sanity=False)
    assert result.eps == (0.05, 0.1) and result.clean_accuracy == pytest.approx(clean_accuracy(digits_model, x, y))
    from engine.config import AttackConfig

    fgsm_acc = robust_accuracy(digits_model, x, y, AttackConfig("fgsm", 0.1))
    assert result.curve("fgsm").accuracy[1] == pytest.approx(fgsm_acc)
    assert result.worst_case()[1] == min(c.accuracy[1] for c in result.curves)
    assert result.curve("noise-uniform").accuracy[1] > result.curve("pgd").accuracy[1] + 0.2


def test_cancel_between_batches_and_bad_names(digits_model, small):
    x, y = small
    event = TrainingControl()
    event.stop()
    with pytest.raises(Cancelled):
        suite_attack(digits_model, x, y, AttackConfig(name="apgd-ce", eps=0.1), cancel=event)
    with pytest.raises(ConfigError, match="Unknown attack"):
        parse_suite("pgd,bogus")
    assert parse_suite(" PGD, cw ") == ("pgd", "cw")


def test_cli_evaluates_an_exported_model(digits, tmp_path):
    from engine.export import export_model
    from tests.engine.conftest import train_digits_model

    torch.manual_seed(0)
    _, model = train_digits_model(digits, tmp_path, epochs=4)
    program = export_model(model, digits.image_shape, tmp_path / "m.pt2")
    report = tmp_path / "out" / "report.html"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "evaluate",
            "--model-file",
            str(program),
            "--dataset",
            "digits",
            "--suite",
            "fgsm,pgd,apgd-ce,cw",
            "--eps-list",
            "0.05,0.1",
            "--steps",
            "10",
            "--threads",
            "1",
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["n"] == 359 and result["clean_accuracy"] > 0.9
    assert result["robust_accuracy"] < result["clean_accuracy"]  # the primary attack (PGD at --eps 0.1)
    assert set(result["suite"]) == {"fgsm", "pgd", "apgd-ce", "cw"}
    assert set(result["suite"]["pgd"]) == {"0.05", "0.1"}
    assert result["suite"]["pgd"]["0.1"] < result["suite"]["pgd"]["0.05"] < result["clean_accuracy"]
    assert result["attacks"]["cw"]["bounded"] is False and result["attacks"]["cw"]["median_l2"] > 0
    sanity = result["sanity"]
    assert set(sanity) == {"large_eps", "more_iterations", "noise_vs_pgd", "transfer", "fgsm_vs_pgd"}
    assert all(isinstance(s["passed"], bool) and s["reason"] for s in sanity.values())
    assert sanity["large_eps"]["passed"] and sanity["noise_vs_pgd"]["passed"]
    assert report.is_file() and (tmp_path / "out" / "report.csv").is_file()
    assert (tmp_path / "out" / "report_adversarial.npy").is_file()

    bad = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "evaluate",
            "--model-file",
            str(program),
            "--dataset",
            "digits",
            "--suite",
            "pgd,nonsense",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "Unknown attack(s) nonsense" in bad.stderr


def test_bisect_curve_agrees_with_ascending_and_attacks_each_sample_at_most_4_times(digits_model, digits, monkeypatch):
    import engine.evaluate as ev

    x, y = digits.test_x, digits.test_y
    eps_values = [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2]
    attacked: list[int] = []
    real = ev.pgd_examples  # robust_mask's PGD path

    def counting(model, xs, *args, **kwargs):
        attacked.append(len(xs))
        return real(model, xs, *args, **kwargs)

    monkeypatch.setattr(ev, "pgd_examples", counting)
    torch.manual_seed(0)
    ascending = attack_curve(digits_model, x, y, "pgd", eps_values, steps=10, eps_search="ascending").accuracy
    n_ascending, attacked[:] = sum(attacked), []
    torch.manual_seed(0)
    bisect = attack_curve(digits_model, x, y, "pgd", eps_values, steps=10, eps_search="bisect").accuracy
    n_correct = int(correct_mask(digits_model, x, y).sum())
    print(f"attacked samples: ascending {n_ascending}, bisect {sum(attacked)}; correct {n_correct}")
    assert list(bisect) == sorted(bisect, reverse=True)
    assert max(abs(a - b) for a, b in zip(ascending, bisect, strict=True)) <= 0.03
    assert sum(attacked) <= 4 * n_correct and sum(attacked) < 0.75 * n_ascending


def test_suite_eps_curve_is_the_attack_curves_with_progress(digits_model, small):
    from engine.suite import suite_eps_curve

    x, y = small
    seen: list[tuple[int, int]] = []
    curve = suite_eps_curve(
        digits_model, x, y, ["fgsm", "deepfool"], (0.1, 0.0, 0.2), progress=lambda *a: seen.append(a)
    )
    assert curve.eps == (0.0, 0.1, 0.2) and curve.n == 60
    assert curve.clean_accuracy == pytest.approx(clean_accuracy(digits_model, x, y))
    for name in ("fgsm", "deepfool"):  # both deterministic: the same numbers as one attack_curve each
        assert curve.accuracy[name] == attack_curve(digits_model, x, y, name, (0.0, 0.1, 0.2)).accuracy
        assert curve.accuracy[name][0] == pytest.approx(curve.clean_accuracy)
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(ConfigError, match="Unknown attack"):
        suite_eps_curve(digits_model, x, y, ["pgd", "magic"], (0.1,))


def test_sanity_checks_attack_only_the_first_images(digits_model, small, monkeypatch):
    import engine.sanity

    seen: list[int] = []
    monkeypatch.setattr(engine.sanity, "run_sanity_checks", lambda model, xs, *a, **k: seen.append(len(xs)) or ())
    x, y = small
    run_suite(digits_model, x, y, ["fgsm"], [0.1], sanity_limit=25)
    run_suite(digits_model, x, y, ["fgsm"], [0.1], sanity_limit=None)
    assert seen == [25, 60]
