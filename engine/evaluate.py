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

from engine.attacks import attack, check_cancel, choose_targets, forward_logits, pgd_attack
from engine.config import AttackConfig, ConfigError
from engine.messages import CancelToken, CriticalEps, GalleryBatch, frozen_array
from engine.models import model_device

Progress = Callable[[int, int], None]
BISECT_ATTACKS = ("pgd", "pgd-l2")  # attacks whose success grows with ε reliably enough to bisect


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits in eval mode, batch by batch (each batch in the passes ``engine.attacks.pass_size`` picks),
    with the model's mode restored afterwards."""
    was_training = model.training
    model.eval()
    device = model_device(model)
    try:
        batches = [forward_logits(model, x[i : i + batch_size].to(device)) for i in range(0, len(x), batch_size)]
        return torch.cat(batches)
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


def uses_pgd_loop(cfg: AttackConfig) -> bool:
    """Whether ``cfg`` is an untargeted PGD or PGD-L2 attack: one made by ``engine.attacks.pgd_attack``,
    whose run says by itself which images it fooled."""
    return cfg.target is None and cfg.name in BISECT_ATTACKS and cfg.eps > 0


def pgd_examples(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    batch_size: int = 500,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    early_stop: bool = False,
    start: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """An untargeted PGD run (``uses_pgd_loop``) batch by batch in eval mode: (x_adv, the logits at x_adv,
    whether some iterate fooled each image), all on x's device — what ``adversarial_examples`` and a
    ``predict`` after it would give, without the second pass. ``start``: iterates to continue from."""
    device = model_device(model)
    adv, logits, reached = [], [], []
    for i in range(0, len(x), batch_size):
        check_cancel(cancel)
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        run = pgd_attack(
            model,
            xb,
            yb,
            cfg.eps,
            cfg.steps,
            cfg.step_size,
            norm="linf" if cfg.name == "pgd" else "l2",
            restarts=cfg.restarts,
            early_stop=early_stop,
            mode="eval",
            cancel=cancel,
            start=None if start is None else start[i : i + batch_size].to(device),
        )
        assert run.logits is not None
        adv.append(run.adversarial.to(x.device))
        logits.append(run.logits.to(x.device))
        reached.append(run.reached.to(x.device))
        if progress:
            progress(min(i + batch_size, len(x)), len(x))
    if not adv:
        return x.clone(), predict(model, x).to(x.device), torch.zeros(0, dtype=torch.bool, device=x.device)
    return torch.cat(adv), torch.cat(logits), torch.cat(reached)


@dataclass(frozen=True, eq=False)
class KnownPgd:
    """A PGD run already made on an evaluation's images, for the suite and the sanity checks to reuse
    instead of attacking the same images again with the same attack.

    ``fooled``: per image, some iterate was misclassified — exactly what an early-stopped run from the
    same start counts (``engine.attacks.PgdResult.reached``). ``adversarial``: the last iterates, from
    which a longer attack can continue. Tensors on the CPU.
    """

    cfg: AttackConfig
    fooled: torch.Tensor
    adversarial: torch.Tensor

    def matches(self, cfg: AttackConfig) -> bool:
        """Whether ``cfg`` is this very attack (same kind, ε, steps, step size and restarts)."""
        same = ("name", "eps", "steps", "step_size", "restarts", "target")
        return all(getattr(self.cfg, f) == getattr(cfg, f) for f in same)

    def head(self, n: int) -> KnownPgd:
        """The same run on the first n images (the sanity checks' share of the evaluation)."""
        return KnownPgd(self.cfg, self.fooled[:n], self.adversarial[:n])


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
        if uses_pgd_loop(cfg):  # the attack's own passes say who fell: no pass over x_adv afterwards
            _, _, fooled = pgd_examples(model, x[idx], y[idx], cfg, batch_size, cancel, progress, early_stop=True)
            alive[idx] = ~fooled.cpu()
        else:
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
    known: KnownPgd | None = None  # an untargeted PGD run, for the suite and the sanity checks to reuse


def target_success(predicted: torch.Tensor, y: torch.Tensor, targets: torch.Tensor) -> tuple[float, int]:
    """(the fraction of images with y ≠ target predicted as their target — NaN when there are none,
    the number of images already of their target class)."""
    predicted, y, targets = predicted.cpu(), y.cpu(), targets.cpu()
    aimed = targets != y
    return accuracy_of((predicted == targets)[aimed]), int((~aimed).sum())


def confidence_effects(
    model: nn.Module,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    logits_clean: torch.Tensor | None = None,
    logits_adv: torch.Tensor | None = None,
) -> tuple[float, float]:
    """(mean prediction deviation, mean drop of the true class's probability); logits already computed
    at x and x_adv are used instead of new passes."""
    p_clean = F.softmax(predict(model, x) if logits_clean is None else logits_clean, 1).cpu()
    p_adv = F.softmax(predict(model, x_adv) if logits_adv is None else logits_adv, 1).cpu()
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
    known = None
    if uses_pgd_loop(cfg):
        x_adv, logits_adv, fooled = pgd_examples(model, x, y, cfg, early_stop=False, **options)
        known = KnownPgd(cfg, fooled.cpu(), x_adv.cpu())
    else:
        x_adv = adversarial_examples(model, x, y, cfg, early_stop=False, targets=targets, **options)
        logits_adv = predict(model, x_adv)
    logits_clean = predict(model, x)
    predicted = logits_adv.argmax(1).cpu()
    correct_adv = predicted == y.cpu()
    correct = logits_clean.argmax(1).cpu() == y.cpu()
    deviation, drop = confidence_effects(model, x, x_adv, y, logits_clean, logits_adv)
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
    return Evaluation(result, x_adv, targets, known)


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
    known: KnownPgd | None = None,
) -> torch.Tensor:
    """Per sample, the index in the ascending ``eps_sorted`` of the first ε that breaks it, found by bisection
    (len(eps_sorted): none of them does; clean-wrong samples are never attacked and keep len(eps_sorted)).

    ``make_cfg(ε)`` is the attack at that ε; ``correct`` the clean-correct samples. ``progress`` gets the
    fraction of rounds done. ``known``: a run of the same attack at one of the ε already made on these
    images: its verdicts start the bisection (on a one-ε grid it leaves nothing to attack).
    """
    m = len(eps_sorted)
    rounds, done = max(1, math.ceil(math.log2(m + 1))), 0
    lo = torch.zeros(len(x), dtype=torch.long)
    hi = torch.full((len(x),), m, dtype=torch.long)
    for k, eps in enumerate(eps_sorted):  # what a run already made at one of the ε says needs no new attack
        if known is not None and len(known.fooled) == len(x) and known.matches(make_cfg(eps)):
            fooled = known.fooled.cpu()
            hi[correct & fooled] = torch.minimum(hi[correct & fooled], torch.tensor(k))
            lo[correct & ~fooled] = torch.maximum(lo[correct & ~fooled], torch.tensor(k + 1))
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
    known: KnownPgd | None = None,
) -> CriticalEps:
    """Each image's critical ε: the smallest ε of the grid at which attack ``cfg`` (its ε ignored) breaks it.

    Found by the same bisection as the ε curve (``first_breaks``), so its histogram and the curve agree:
    the curve at ε_k is the share of images whose critical ε is above ε_k. ``known``: a run of this attack
    at one of the grid's ε already made on x, whose verdicts need no new attack.
    """
    eps_sorted = tuple(sorted({float(e) for e in eps_values}))
    if not eps_sorted or eps_sorted[0] <= 0:
        raise ConfigError("The critical-ε grid needs ε values above 0 (got {values}).", values=list(eps_values))
    correct = correct_mask(model, x, y)
    hi = first_breaks(
        model, x, y, eps_sorted, correct, lambda e: dataclasses.replace(cfg, eps=e), batch_size, cancel, known=known
    )
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
