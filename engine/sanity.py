"""Sanity checks that run with every evaluation: signs that a robust-accuracy number cannot be trusted.

A model can look robust because the attack cannot use its gradients (gradient masking: rounding,
non-differentiable steps, saturated softmax), not because it is robust. These checks follow the
usual advice (Carlini et al. 2019, "On Evaluating Adversarial Robustness"; Athalye et al. 2018):

* ``large_eps``: with a huge budget (ε = 0.5, enough to turn any image into flat grey) a gradient
  attack must drive accuracy to about zero.
* ``more_iterations``: more PGD steps and more restarts must not lower robust accuracy clearly (else
  the reported attack had not converged), and the model must give the same answers on the same
  adversarial examples twice (else it is randomised, and PGD's number means little). The 4×-steps
  attack continues from PGD's own last iterates rather than starting again (three times the steps
  more, at the 4× attack's step size), so it is stronger than a fresh run and costs three quarters.
* ``noise_vs_pgd``: random noise of the same size must be much weaker than PGD (PGD breaks at least
  twice as many samples).
* ``transfer``: examples made on another model must not beat the white-box attack on this one.
* ``fgsm_vs_pgd``: FGSM much weaker than PGD (it breaks less than half of what PGD breaks) is, on an
  adversarially trained model, the mark of "catastrophic overfitting" to the single-step attack;
  FGSM stronger than PGD means PGD is broken.

Each check takes the ``CheckInputs`` (the model, the images, ε and the PGD steps of the evaluation) and
returns a frozen ``SanityCheck``: a name, ``passed``, one plain-language sentence and the numbers behind
it. A check that cannot run (no other model given) passes with ``skipped`` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch
from torch import nn

from engine.attacks import pgd
from engine.config import AttackConfig
from engine.evaluate import (
    KnownPgd,
    adversarial_examples,
    correct_mask,
    pgd_examples,
    predict,
    robust_accuracy,
    robust_mask,
)
from engine.messages import CancelToken, SanityCheck
from engine.models import model_device

LARGE_EPS = 0.5
TOLERANCE = 0.02  # two points: the noise of a few hundred samples and of random starts


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


@dataclass(frozen=True, eq=False)
class CheckInputs:
    """What the checks attack: the model, the images and their labels, the evaluation's ε and PGD steps,
    and how the attacks run (images per batch, the cancel token polled between batches). ``known``: the
    evaluation's own PGD run on these images, reused when it is PGD-``steps`` at ``eps``."""

    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    eps: float
    steps: int = 10
    batch_size: int = 500
    cancel: CancelToken | None = None
    known: KnownPgd | None = None

    def survivors(self, cfg: AttackConfig, start: torch.Tensor | None = None) -> torch.Tensor:
        """Which samples stay correct under ``cfg`` (only those True in ``start`` are attacked)."""
        return robust_mask(self.model, self.x, self.y, cfg, start=start, batch_size=self.batch_size, cancel=self.cancel)

    def accuracy(self, cfg: AttackConfig) -> float:
        """Robust accuracy under ``cfg``."""
        return robust_accuracy(self.model, self.x, self.y, cfg, batch_size=self.batch_size, cancel=self.cancel)

    @cached_property
    def correct(self) -> torch.Tensor:
        """The clean-correct samples: one pass, shared by every check."""
        return correct_mask(self.model, self.x, self.y)

    def clean_accuracy(self) -> float:
        return float(self.correct.float().mean())

    @cached_property
    def pgd_run(self) -> KnownPgd:
        """PGD-``steps`` at ε on these images: the evaluation's own run when it is that attack, else one
        early-stopped run made here; shared by the checks that compare with it."""
        cfg = AttackConfig("pgd", self.eps, self.steps)
        if self.known is not None and len(self.known.fooled) == len(self.x) and self.known.matches(cfg):
            return self.known
        fooled, adversarial = ~self.correct, self.x.detach().cpu().clone()
        idx = self.correct.nonzero().squeeze(1)
        if len(idx):  # the clean-wrong samples count as fooled already, as in robust_mask
            adv, _, hit = pgd_examples(
                self.model, self.x[idx], self.y[idx], cfg, self.batch_size, self.cancel, early_stop=True
            )
            fooled[idx], adversarial[idx] = hit.cpu(), adv.cpu()
        return KnownPgd(cfg, fooled, adversarial)

    @property
    def pgd_survivors(self) -> torch.Tensor:
        """The samples PGD-``steps`` at ε leaves standing."""
        return self.correct & ~self.pgd_run.fooled

    @property
    def pgd_accuracy(self) -> float:
        return float(self.pgd_survivors.float().sum()) / max(len(self.x), 1)


def check_large_eps(inputs: CheckInputs, eps: float = LARGE_EPS) -> SanityCheck:
    """PGD at the large ``eps`` (not the evaluation's) with at least 20 steps, from the clean image (no
    random start, so random noise cannot do the gradient's work)."""
    model, x, y, batch_size, cancel = inputs.model, inputs.x, inputs.y, inputs.batch_size, inputs.cancel
    steps = max(inputs.steps, 20)
    device = model_device(model)
    num_classes = int(predict(model, x[:1]).shape[1])
    limit = max(0.05, 0.5 / num_classes)
    correct = inputs.correct
    survived = correct.clone()
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        x_adv = pgd(
            model, xb, yb, eps, steps, alpha=2.5 * eps / steps, random_start=False, early_stop=True, cancel=cancel
        )
        survived[i : i + batch_size] = predict(model, x_adv).argmax(1).cpu() == yb.cpu()
    acc = float((correct & survived).float().mean())
    numbers = {"eps": eps, "accuracy": acc, "limit": limit}
    if acc <= limit:
        return SanityCheck(
            "large_eps", True, f"At ε = {eps:g} PGD brings accuracy down to {_pct(acc)}, as it should.", numbers
        )
    return SanityCheck(
        "large_eps",
        False,
        f"At ε = {eps:g} accuracy is still {_pct(acc)} under PGD: the attack "
        "cannot follow the gradients (a sign of gradient masking).",
        numbers,
    )


def check_more_iterations(inputs: CheckInputs) -> SanityCheck:
    """PGD-``steps`` against 4× the steps (continued from PGD-``steps``' last iterates of the images it left
    standing) and against 2 more restarts (on those images, so 3 restarts in all); and the model's answers
    on PGD's examples asked twice."""
    eps, steps = inputs.eps, inputs.steps
    base = inputs.pgd_accuracy
    n = max(len(inputs.x), 1)
    standing = inputs.pgd_survivors
    idx = standing.nonzero().squeeze(1)
    longer = standing.clone()
    total = min(4 * steps, 1000)
    if len(idx) and total > steps:
        more = AttackConfig("pgd", eps, total - steps, step_size=2.5 * eps / total)
        start = inputs.pgd_run.adversarial[idx]
        _, _, fooled = pgd_examples(
            inputs.model,
            inputs.x[idx],
            inputs.y[idx],
            more,
            inputs.batch_size,
            inputs.cancel,
            early_stop=True,
            start=start,
        )
        longer[idx] = ~fooled.cpu()
    more_steps = float(longer.float().sum()) / n
    restarts = inputs.survivors(AttackConfig("pgd", eps, steps, restarts=2), start=standing)
    more_restarts = float(restarts.float().sum()) / n
    # A randomised model answers the same image differently from one pass to the next: ask twice.
    adversarial = inputs.pgd_run.adversarial
    first = predict(inputs.model, adversarial, inputs.batch_size).argmax(1).cpu()
    second = predict(inputs.model, adversarial, inputs.batch_size).argmax(1).cpu()
    changed = float((first != second).float().mean()) if len(first) else 0.0
    numbers = {
        "eps": eps,
        "steps": steps,
        "accuracy": base,
        "accuracy_4x_steps": more_steps,
        "accuracy_3_restarts": more_restarts,
        "changed_between_passes": changed,
    }
    stronger = min(more_steps, more_restarts)
    if changed > TOLERANCE / 2:
        return SanityCheck(
            "more_iterations",
            False,
            f"The model gives different answers for {_pct(changed)} of the same adversarial examples from "
            "one pass to the next: it is randomised, so PGD's number is not to be trusted "
            "(attack it with an average over many passes, EOT).",
            numbers,
        )
    if stronger < base - 2 * TOLERANCE:
        return SanityCheck(
            "more_iterations",
            False,
            f"More PGD steps or restarts lowered robust accuracy "
            f"({_pct(base)} → {_pct(stronger)}): PGD-{steps} had not converged, so its number "
            "is too optimistic.",
            numbers,
        )
    return SanityCheck(
        "more_iterations",
        True,
        f"4× the steps and 3 restarts leave robust accuracy at "
        f"{_pct(stronger)} (PGD-{steps}: {_pct(base)}): the attack has converged.",
        numbers,
    )


def check_noise_vs_pgd(inputs: CheckInputs) -> SanityCheck:
    eps = inputs.eps
    clean = inputs.clean_accuracy()
    noise = inputs.accuracy(AttackConfig("noise-uniform", eps))
    pgd_acc = inputs.pgd_accuracy
    numbers = {"eps": eps, "clean_accuracy": clean, "noise_accuracy": noise, "pgd_accuracy": pgd_acc}
    if clean - pgd_acc < TOLERANCE and clean - noise < TOLERANCE:
        return SanityCheck(
            "noise_vs_pgd",
            True,
            f"Neither noise nor PGD changes accuracy at ε = {eps:g}; nothing to compare (see the large-ε check).",
            numbers,
        )
    # PGD must break clearly more than noise does: at least twice as many samples, plus one point (a PGD
    # whose gradients are useless is just its random start, i.e. one more draw of noise).
    if clean - pgd_acc >= 2 * (clean - noise) + TOLERANCE / 2:
        return SanityCheck(
            "noise_vs_pgd",
            True,
            f"PGD ({_pct(pgd_acc)}) is much stronger than random noise "
            f"({_pct(noise)}) of the same size, as it should be.",
            numbers,
        )
    return SanityCheck(
        "noise_vs_pgd",
        False,
        f"Random noise ({_pct(noise)}) is nearly as strong as PGD "
        f"({_pct(pgd_acc)}): the gradients do not help the attack (gradient masking).",
        numbers,
    )


def check_transfer(inputs: CheckInputs, reference_model: nn.Module | None = None) -> SanityCheck:
    if reference_model is None:
        return SanityCheck(
            "transfer", True, "Not run: no other model was given to transfer attacks from.", {}, skipped=True
        )
    model, x, y, eps = inputs.model, inputs.x, inputs.y, inputs.eps
    cfg = AttackConfig("pgd", eps, inputs.steps)
    white = inputs.pgd_accuracy
    x_ref = adversarial_examples(reference_model, x, y, cfg, inputs.batch_size, inputs.cancel)
    correct = inputs.correct
    transfer = float((correct & (predict(model, x_ref).argmax(1).cpu() == y.cpu())).float().mean())
    numbers = {"eps": eps, "whitebox_accuracy": white, "transfer_accuracy": transfer}
    if transfer < white - TOLERANCE:
        return SanityCheck(
            "transfer",
            False,
            f"Examples made on another model ({_pct(transfer)}) beat the white-box "
            f"attack on this one ({_pct(white)}): its gradients are masked.",
            numbers,
        )
    return SanityCheck(
        "transfer",
        True,
        f"The transfer attack ({_pct(transfer)}) is weaker than the white-box attack ({_pct(white)}), as it should be.",
        numbers,
    )


def check_fgsm_vs_pgd(inputs: CheckInputs, adversarially_trained: bool | None = None) -> SanityCheck:
    eps = inputs.eps
    fgsm_acc = inputs.accuracy(AttackConfig("fgsm", eps))
    pgd_acc = inputs.pgd_accuracy
    numbers = {"eps": eps, "fgsm_accuracy": fgsm_acc, "pgd_accuracy": pgd_acc}
    if fgsm_acc < pgd_acc - TOLERANCE:
        return SanityCheck(
            "fgsm_vs_pgd",
            False,
            f"One-step FGSM ({_pct(fgsm_acc)}) beats PGD ({_pct(pgd_acc)}): the "
            "iterative attack is being misled (gradient masking).",
            numbers,
        )
    clean = inputs.clean_accuracy()
    numbers["clean_accuracy"] = clean
    # FGSM breaks less than half of what PGD breaks, and leaves over 10 points more standing.
    if fgsm_acc - pgd_acc > 0.1 and clean - fgsm_acc < 0.5 * (clean - pgd_acc):
        why = (
            "catastrophic overfitting to the one-step training attack"
            if adversarially_trained is not False
            else "the gradient at the clean image points the wrong way"
        )
        return SanityCheck(
            "fgsm_vs_pgd",
            False,
            f"FGSM leaves {_pct(fgsm_acc)} but PGD only {_pct(pgd_acc)}: the "
            f"model resists the one-step attack but not a real one ({why}; a masking sign).",
            numbers,
        )
    return SanityCheck(
        "fgsm_vs_pgd", True, f"FGSM ({_pct(fgsm_acc)}) and PGD ({_pct(pgd_acc)}) agree as expected.", numbers
    )


def run_sanity_checks(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    steps: int = 10,
    reference_model: nn.Module | None = None,
    adversarially_trained: bool | None = None,
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    known: KnownPgd | None = None,
) -> tuple[SanityCheck, ...]:
    """All checks at ``eps`` (the largest of an evaluation); ``adversarially_trained`` None means unknown.

    One PGD-``steps`` run is shared by the checks that compare against it (``CheckInputs.pgd_run``): the
    evaluation's own when ``known`` is that run on these images.
    """
    inputs = CheckInputs(model, x, y, eps, steps, batch_size, cancel, known)
    return (
        check_large_eps(inputs),
        check_more_iterations(inputs),
        check_noise_vs_pgd(inputs),
        check_transfer(inputs, reference_model),
        check_fgsm_vs_pgd(inputs, adversarially_trained),
    )
