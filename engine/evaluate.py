"""Robustness evaluation: clean and robust accuracy, accuracy against ε, confidence effects.

Robust accuracy attacks only the samples the model still classifies correctly (a sample that
is already wrong cannot become "more wrong"). The accuracy-against-ε curve reuses what one ε taught
about another: an adversarial example found inside the ε-ball is inside every larger ball, so a
sample fooled at ε counts as fooled at every larger ε without another attack (exact). For PGD the
curve goes further and bisects, per sample, for the first ε that breaks it (``bisect_curve``; the
curves themselves are made by ``engine.suite.attack_curve``).
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

from engine.attacks import attack, check_cancel
from engine.config import AttackConfig
from engine.messages import CancelToken, GalleryBatch, frozen_array
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
) -> torch.Tensor:
    """x_adv for every sample (on x's device), made batch by batch in eval mode."""
    device = model_device(model)
    out = []
    for i in range(0, len(x), batch_size):
        check_cancel(cancel)
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        out.append(attack(model, xb, yb, cfg, mode="eval", early_stop=early_stop, cancel=cancel).to(x.device))
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

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["attack"] = dataclasses.asdict(self.attack)
        return d


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
    x_adv = adversarial_examples(model, x, y, cfg, early_stop=False, **options)
    correct_adv = predict(model, x_adv).argmax(1).cpu() == y.cpu()
    correct = correct_mask(model, x, y)
    deviation, drop = confidence_effects(model, x, x_adv, y)
    return EvalResult(
        cfg, len(x), float(correct.float().mean()), float((correct & correct_adv).float().mean()), deviation, drop
    )


def bisect_curve(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps_sorted: Sequence[float],
    correct: torch.Tensor,
    make_cfg: Callable[[float], AttackConfig],
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[float, ...]:
    """Accuracy at each ε of the ascending list, from each sample's first breaking ε found by bisection.

    ``make_cfg(ε)`` is the attack at that ε; ``correct`` the clean-correct samples (the others count
    as wrong at every ε and are never attacked). ``progress`` gets the fraction of rounds done.
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
    n = max(len(x), 1)
    return tuple(float((correct & (hi > k)).float().sum()) / n for k in range(m))


def make_gallery(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, class_names: Sequence[str], step: int = 0
) -> GalleryBatch:
    """Original, adversarial and both predictions for a few samples, as read-only numpy copies."""
    device = model_device(model)
    x, y = x.to(device), y.to(device)
    return gallery_batch(model, x, attack(model, x, y, cfg, mode="eval"), y, cfg, class_names, step)


def gallery_batch(
    model: nn.Module,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    class_names: Sequence[str],
    step: int = 0,
) -> GalleryBatch:
    """The gallery of ``x`` and its adversarial examples ``x_adv`` (made by ``cfg``), with the model's
    predictions on both, as read-only numpy copies."""
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
    )
