"""Sanity checks: a deliberately gradient-masked model is flagged, a normally trained one passes."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from engine.evaluate import clean_accuracy
from engine.sanity import CheckInputs, SanityCheck, check_fgsm_vs_pgd, check_transfer, run_sanity_checks


class RoundedInput(nn.Module):
    """Gradient masking by construction: the input is rounded to 5 grey levels before the real model.

    ``torch.round`` has a zero gradient everywhere, so every gradient attack sees a flat loss, while
    the model still classifies almost as well as before (the digits survive coarse quantisation).
    """

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(torch.round(x * 4) / 4)


@pytest.fixture(scope="module")
def second_model(digits, tmp_path_factory):
    from tests.engine.conftest import train_digits_model

    torch.manual_seed(1)
    return train_digits_model(digits, tmp_path_factory.mktemp("second"), seed=1)[1]


def test_normal_model_passes_every_check(digits_model, second_model, digits):
    x, y = digits.test_x, digits.test_y
    torch.manual_seed(0)
    checks = run_sanity_checks(
        digits_model, x, y, eps=0.1, steps=10, reference_model=second_model, adversarially_trained=False
    )
    for c in checks:
        print(c.name, c.passed, c.reason, c.numbers)
    assert [c.name for c in checks] == ["large_eps", "more_iterations", "noise_vs_pgd", "transfer", "fgsm_vs_pgd"]
    assert all(c.passed and not c.skipped for c in checks), [c.reason for c in checks if not c.passed]
    assert all(c.reason and "\n" not in c.reason for c in checks)


def test_masked_model_is_flagged(digits_model, digits):
    x, y = digits.test_x, digits.test_y
    masked = RoundedInput(digits_model).eval()
    assert clean_accuracy(masked, x, y) > 0.9, "masking must keep clean accuracy high to be a fair test"
    torch.manual_seed(0)
    checks = {c.name: c for c in run_sanity_checks(masked, x, y, eps=0.1, steps=10, reference_model=digits_model)}
    for c in checks.values():
        print(c.name, c.passed, c.reason, c.numbers)
    assert not checks["large_eps"].passed and checks["large_eps"].numbers["accuracy"] > 0.5
    assert not checks["transfer"].passed
    assert checks["transfer"].numbers["transfer_accuracy"] < checks["transfer"].numbers["whitebox_accuracy"] - 0.05
    assert "masking" in checks["large_eps"].reason


def test_noise_as_strong_as_pgd_is_flagged(digits_model, digits):
    """Rounding to 2 levels: noise then changes what the model sees, but PGD's gradient is still zero."""
    x, y = digits.test_x, digits.test_y

    class Binarised(nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, t):
            return self.inner(torch.round(t))

    masked = Binarised(digits_model).eval()
    torch.manual_seed(0)
    checks = {c.name: c for c in run_sanity_checks(masked, x, y, eps=0.3, steps=10)}
    numbers = checks["noise_vs_pgd"].numbers
    print(checks["noise_vs_pgd"].reason, numbers)
    assert numbers["clean_accuracy"] - numbers["noise_accuracy"] > 0.02, "noise must do something here"
    assert not checks["noise_vs_pgd"].passed


def test_checks_are_frozen_and_transfer_without_a_model_is_skipped(digits_model, digits):
    x, y = digits.test_x[:50], digits.test_y[:50]
    check = check_transfer(CheckInputs(digits_model, x, y, eps=0.1))
    assert check.skipped and check.passed and "no other model" in check.reason
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.passed = False  # type: ignore[misc]
    assert isinstance(check_fgsm_vs_pgd(CheckInputs(digits_model, x, y, eps=0.1)), SanityCheck)


def test_fgsm_much_weaker_than_pgd_is_flagged_on_an_adversarially_trained_model(digits_model, digits):
    """A model that only resists the exact FGSM step: it answers correctly on x + ε·sign(∇) (which it can
    recognise by its all-±ε perturbation), the signature of catastrophic overfitting."""
    x, y = digits.test_x, digits.test_y

    class FgsmBlind(nn.Module):
        def __init__(self, inner, clean_x, eps):
            super().__init__()
            self.inner, self.clean_x, self.eps = inner, clean_x, eps

        def forward(self, t):
            logits = self.inner(t)
            # Snap inputs that sit exactly on a corner of the ε-ball of a known clean image back to it.
            dist = torch.cdist(t.flatten(1), self.clean_x.flatten(1), p=float("inf"))
            near, idx = dist.min(1)
            corner = ((t.flatten(1) - self.clean_x.flatten(1)[idx]).abs() - self.eps).abs()
            on_corner = (corner.clamp_min(0) < 1e-4) | (t.flatten(1) <= 0) | (t.flatten(1) >= 1)
            snap = (near > self.eps - 1e-4) & on_corner.all(1)
            if snap.any():
                logits = torch.where(snap[:, None], self.inner(self.clean_x[idx]).detach(), logits)
            return logits

    blind = FgsmBlind(digits_model, x, 0.1).eval()
    torch.manual_seed(0)
    flagged = check_fgsm_vs_pgd(CheckInputs(blind, x, y, eps=0.1), adversarially_trained=True)
    print(flagged.reason, flagged.numbers)
    assert not flagged.passed and "catastrophic" in flagged.reason
    assert check_fgsm_vs_pgd(CheckInputs(digits_model, x, y, eps=0.1), adversarially_trained=True).passed
