"""Robustness evaluation: clean and robust accuracy, accuracy against ε, confidence effects.

Robust accuracy attacks only the samples the model still classifies correctly (a sample that
is already wrong cannot become "more wrong"). The accuracy-against-ε curve reuses what one ε taught
about another: an adversarial example found inside the ε-ball is inside every larger ball, so a
sample fooled at ε counts as fooled at every larger ε without another attack (exact). For PGD the
curve goes further and bisects, per sample, for the first ε that breaks it (``first_breaks``; the
curves themselves are made by ``engine.suite.attack_curve``).

A targeted attack (``AttackConfig.target``) is evaluated the same way (accuracy under attack), and also
by its target success rate: of the images whose true class is not their target, the fraction the
model predicts as their target after the attack. Its targets are chosen once for the whole set
(``engine.attacks.choose_targets``), so batching does not change them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.attacks import attack, check_cancel, choose_targets
from engine.config import AttackConfig, ConfigError
from engine.messages import CancelToken, CriticalEps, GalleryBatch, frozen_array
from engine.models import model_device

Progress = Callable[[int, int], None]
BISECT_ATTACKS = ("pgd", "pgd-l2")  # attacks whose success grows with ε reliably enough to bisect


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits in eval mode, batch by batch, with the model's mode restored afterwards."""
    was_training = model.training
    model.eval()
    device = model_device(model)
    try:
        return torch.cat([model(x[i : i + batch_size].to(device)) for i in range(0, len(x), batch_size)])
    finally:
        model.train(was_training)


def accuracy_of(mask: torch.Tensor) -> float:
    """The accuracy a per-sample mask (correct, robust) stands for: the fraction True; NaN for no samples."""
    return float(mask.float().mean()) if len(mask) else float("nan")


def clean_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return accuracy_of(correct_mask(model, x, y)) if len(x) else float("nan")


def adversarial_examples(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    early_stop: bool = False,
    targets: torch.Tensor | None = None,
) -> torch.Tensor:
    """x_adv for every sample (on x's device), made batch by batch in eval mode. A targeted ``cfg``
    aims at ``targets`` (one class per sample), chosen here for all of x at once when None."""
    device = model_device(model)
    if cfg.target is not None and targets is None:
        targets = choose_targets(model, x, y, cfg.target, seed=cfg.seed)
    out = []
    for i in range(0, len(x), batch_size):
        check_cancel(cancel)
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        tb = None if targets is None else targets[i : i + batch_size].to(device)
        x_adv = attack(model, xb, yb, cfg, mode="eval", early_stop=early_stop, cancel=cancel, targets=tb)
        out.append(x_adv.to(x.device))
        if progress:
            progress(min(i + batch_size, len(x)), len(x))
    return torch.cat(out) if out else x.clone()


def correct_mask(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return predict(model, x).argmax(1).cpu() == y.cpu()


def robust_mask(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    start: torch.Tensor | None = None,
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> torch.Tensor:
    """Which samples stay correct under the attack; only samples still True in ``start`` are attacked."""
    alive = correct_mask(model, x, y) if start is None else start.clone()
    idx = alive.nonzero().squeeze(1)
    if len(idx) and cfg.name != "none" and cfg.eps > 0:
        x_adv = adversarial_examples(model, x[idx], y[idx], cfg, batch_size, cancel, progress, early_stop=True)
        alive[idx] = predict(model, x_adv).argmax(1).cpu() == y[idx].cpu()
    return alive


def robust_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, **kwargs: Any) -> float:
    return accuracy_of(robust_mask(model, x, y, cfg, **kwargs)) if len(x) else float("nan")


@dataclass(frozen=True)
class EvalResult:
    attack: AttackConfig
    n: int
    clean_accuracy: float
    robust_accuracy: float
    mean_prediction_deviation: float  # mean over samples of Σ_k |softmax(x_adv)_k − onehot(y)_k|
    confidence_drop: float  # mean of p(true class | x) − p(true class | x_adv)
    # Targeted attacks only (None otherwise): the target setting ("3", "random", "least-likely"), the
    # fraction of the images not already of their target class that end up predicted as it, how many
    # images were already of their target class (not attacked), and each image's target.
    target: str | None = None
    target_success_rate: float | None = None
    already_target: int | None = None
    targets: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["attack"] = dataclasses.asdict(self.attack)
        # Per-image targets stay out of the JSON (10,000 numbers for MNIST); --save-adversarial keeps them.
        del d["targets"]
        if self.target is None:  # an untargeted evaluation reads as it always did
            for key in ("target", "target_success_rate", "already_target"):
                del d[key]
        return d


@dataclass(frozen=True)
class Evaluation:
    """An evaluation with what it attacked: ``evaluate_attack``'s answer (tensors on x's device)."""

    result: EvalResult
    adversarial: torch.Tensor  # x_adv, N×C×H×W in [0, 1]
    targets: torch.Tensor | None  # each image's target class (targeted attacks), else None


def target_success(predicted: torch.Tensor, y: torch.Tensor, targets: torch.Tensor) -> tuple[float, int]:
    """(the fraction of images with y ≠ target predicted as their target — NaN when there are none,
    the number of images already of their target class)."""
    predicted, y, targets = predicted.cpu(), y.cpu(), targets.cpu()
    aimed = targets != y
    return accuracy_of((predicted == targets)[aimed]), int((~aimed).sum())


def confidence_effects(model: nn.Module, x: torch.Tensor, x_adv: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    p_clean = F.softmax(predict(model, x), 1).cpu()
    p_adv = F.softmax(predict(model, x_adv), 1).cpu()
    onehot = F.one_hot(y.cpu(), p_adv.shape[1]).float()
    deviation = (p_adv - onehot).abs().sum(1).mean()
    idx = torch.arange(len(y))
    drop = (p_clean[idx, y.cpu()] - p_adv[idx, y.cpu()]).mean()
    return float(deviation), float(drop)


def evaluate_model(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, **options: Any) -> EvalResult:
    """Full attack on every sample (no early stop), so the confidence figures describe the real x_adv.

    ``options``: ``adversarial_examples``' batch_size, cancel and progress."""
    return evaluate_attack(model, x, y, cfg, **options).result


def evaluate_attack(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, **options: Any
) -> Evaluation:
    """``evaluate_model``, keeping the adversarial examples it measured (and a targeted attack's targets,
    chosen once for all of x with ``cfg.seed``)."""
    targets = None if cfg.target is None else choose_targets(model, x, y, cfg.target, seed=cfg.seed)
    x_adv = adversarial_examples(model, x, y, cfg, early_stop=False, targets=targets, **options)
    predicted = predict(model, x_adv).argmax(1).cpu()
    correct_adv = predicted == y.cpu()
    correct = correct_mask(model, x, y)
    deviation, drop = confidence_effects(model, x, x_adv, y)
    targeted: dict[str, Any] = {}
    if targets is not None:
        success, already = target_success(predicted, y, targets)
        targeted = {
            "target": cfg.target,
            "target_success_rate": success,
            "already_target": already,
            "targets": tuple(int(t) for t in targets.tolist()),
        }
    result = EvalResult(
        cfg,
        len(x),
        float(correct.float().mean()),
        float((correct & correct_adv).float().mean()),
        deviation,
        drop,
        **targeted,
    )
    return Evaluation(result, x_adv, targets)


def first_breaks(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps_sorted: Sequence[float],
    correct: torch.Tensor,
    make_cfg: Callable[[float], AttackConfig],
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    progress: Callable[[float], None] | None = None,
) -> torch.Tensor:
    """Per sample, the index in the ascending ``eps_sorted`` of the first ε that breaks it, found by bisection
    (len(eps_sorted): none of them does; clean-wrong samples are never attacked and keep len(eps_sorted)).

    ``make_cfg(ε)`` is the attack at that ε; ``correct`` the clean-correct samples. ``progress`` gets the
    fraction of rounds done.
    """
    m = len(eps_sorted)
    rounds, done = max(1, math.ceil(math.log2(m + 1))), 0
    lo = torch.zeros(len(x), dtype=torch.long)
    hi = torch.full((len(x),), m, dtype=torch.long)
    while True:
        pending = correct & (lo < hi)
        if not pending.any():
            break
        mid = (lo + hi) // 2
        for k in mid[pending].unique().tolist():
            group = pending & (mid == k)
            alive = robust_mask(model, x, y, make_cfg(eps_sorted[k]), start=group, batch_size=batch_size, cancel=cancel)
            hi[group & ~alive] = k
            lo[group & alive] = k + 1
        done += 1
        if progress:
            progress(min(done / rounds, 1.0))
    return hi


def curve_from_breaks(breaks: torch.Tensor, correct: torch.Tensor, m: int) -> tuple[float, ...]:
    """Accuracy at each of the m ε of an ascending list, from each sample's first breaking index
    (``first_breaks``): a sample counts at ε_k when it was right before the attack and breaks only above it."""
    n = max(len(breaks), 1)
    return tuple(float((correct & (breaks > k)).float().sum()) / n for k in range(m))


def critical_eps(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps_values: Sequence[float],
    cfg: AttackConfig,
    batch_size: int = 500,
    cancel: CancelToken | None = None,
) -> CriticalEps:
    """Each image's critical ε: the smallest ε of the grid at which attack ``cfg`` (its ε ignored) breaks it.

    Found by the same bisection as the ε curve (``first_breaks``), so its histogram and the curve agree:
    the curve at ε_k is the share of images whose critical ε is above ε_k.
    """
    eps_sorted = tuple(sorted({float(e) for e in eps_values}))
    if not eps_sorted or eps_sorted[0] <= 0:
        raise ConfigError("The critical-ε grid needs ε values above 0 (got {values}).", values=list(eps_values))
    correct = correct_mask(model, x, y)
    hi = first_breaks(model, x, y, eps_sorted, correct, lambda e: dataclasses.replace(cfg, eps=e), batch_size, cancel)
    index = torch.where(correct, hi, torch.full_like(hi, -1))
    return CriticalEps(
        attack=cfg.name,
        eps=eps_sorted,
        index=frozen_array(index.numpy().astype(np.int64)),
        labels=frozen_array(y.cpu().numpy().astype(np.int64)),
    )


def make_gallery(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, class_names: Sequence[str], step: int = 0
) -> GalleryBatch:
    """Original, adversarial and both predictions for a few samples, as read-only numpy copies."""
    device = model_device(model)
    x, y = x.to(device), y.to(device)
    targets = None
    if cfg.target is not None:  # "make it look like a …": the class each image is pushed toward, shown with it
        targets = choose_targets(model, x, y, cfg.target, len(class_names), seed=cfg.seed)
    x_adv = attack(model, x, y, cfg, mode="eval", targets=targets)
    return gallery_batch(model, x, x_adv, y, cfg, class_names, step, targets=targets)


def gallery_batch(
    model: nn.Module,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    class_names: Sequence[str],
    step: int = 0,
    targets: torch.Tensor | None = None,
) -> GalleryBatch:
    """The gallery of ``x`` and its adversarial examples ``x_adv`` (made by ``cfg``, toward ``targets``
    when it is targeted), with the model's predictions on both, as read-only numpy copies."""
    p_clean = F.softmax(predict(model, x), 1).cpu().numpy()
    p_adv = F.softmax(predict(model, x_adv), 1).cpu().numpy()
    return GalleryBatch(
        step=step,
        attack=cfg.name,
        eps=cfg.eps,
        original=frozen_array(x.cpu().numpy().astype(np.float32)),
        adversarial=frozen_array(x_adv.cpu().numpy().astype(np.float32)),
        labels=frozen_array(y.cpu().numpy()),
        pred_clean=frozen_array(p_clean.argmax(1)),
        pred_adv=frozen_array(p_adv.argmax(1)),
        probs_clean=frozen_array(p_clean),
        probs_adv=frozen_array(p_adv),
        class_names=tuple(class_names),
        targets=None if targets is None else frozen_array(targets.cpu().numpy()),
    )
