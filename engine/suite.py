"""An attack suite for trustworthy robustness numbers: our FGSM / PGD / noise beside torchattacks'
Carlini–Wagner L2, DeepFool, APGD-CE, APGD-DLR, Square and AutoAttack, behind one interface.

Every attack takes and returns images in [0, 1], restores the model's train/eval mode, and checks
the cancel token between batches (torchattacks' loops cannot be entered, so a batch is the unit).
The stronger attacks are torchattacks' own implementations, not rewrites: the tests hold the
wrappers to that implementation's numbers and to the [0, 1] range, the ε-ball and mode restore.

Two kinds of attack:

* ε-bounded (fgsm, pgd, pgd-l2, noise-*, apgd-ce, apgd-dlr, square, autoattack): the attack is
  run at each ε, ascending, only on the samples that survived the smaller ε (an adversarial example
  inside a small ball is inside every larger one). Our PGD bisects for each sample's first breaking
  ε instead (``engine.evaluate.first_breaks``; ``eps_search="ascending"`` to attack every ε).
* minimum-norm (cw, deepfool): not ε-bounded. They are run once, and their "robust accuracy at ε"
  is the accuracy on examples whose perturbation norm is at most ε (a sample counts as fooled at ε
  only if the attack fooled it with a perturbation of norm ≤ ε). The norm is the one the ε list is
  measured in (L∞ unless ``norm="l2"``); the median perturbation norms of the fooled samples are
  reported beside it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.attacks import check_cancel, model_mode
from engine.catalogue import Text, say
from engine.config import OWN_ATTACKS, SUITE_ATTACKS, AttackConfig, ConfigError
from engine.evaluate import (
    BISECT_ATTACKS,
    KnownPgd,
    accuracy_of,
    correct_mask,
    curve_from_breaks,
    first_breaks,
    gallery_batch,
    predict,
    robust_mask,
)
from engine.messages import CancelToken, CriticalEps, EpsCurve, GalleryBatch, frozen_array
from engine.models import model_device

DEFAULT_SUITE = ("fgsm", "pgd", "noise-uniform")

Progress = Callable[[int, int], None]


def _torchattack(model: nn.Module, cfg: AttackConfig, num_classes: int):
    import torchattacks

    norm = "L2" if cfg.norm == "l2" else "Linf"
    if cfg.name == "cw":
        return torchattacks.CW(model, c=cfg.cw_c, kappa=0, steps=cfg.min_norm_steps, lr=cfg.cw_lr)
    if cfg.name == "deepfool":
        return torchattacks.DeepFool(model, steps=cfg.min_norm_steps, overshoot=0.02)
    if cfg.name in ("apgd-ce", "apgd-dlr"):
        return torchattacks.APGD(
            model,
            norm=norm,
            eps=cfg.eps,
            steps=cfg.steps,
            n_restarts=cfg.restarts,
            seed=cfg.seed,
            loss="ce" if cfg.name == "apgd-ce" else "dlr",
        )
    if cfg.name == "square":
        return torchattacks.Square(
            model, norm=norm, eps=cfg.eps, n_queries=cfg.n_queries, n_restarts=cfg.restarts, seed=cfg.seed
        )
    if cfg.name == "autoattack":
        return torchattacks.AutoAttack(
            model, norm=norm, eps=cfg.eps, version="standard", n_classes=num_classes, seed=cfg.seed
        )
    raise ValueError(f"'{cfg.name}' is not a torchattacks attack.")


def suite_attack(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    *,
    batch_size: int = 500,
    num_classes: int | None = None,
    cancel: CancelToken | None = None,
    early_stop: bool = False,
) -> torch.Tensor:
    """x_adv in [0, 1] for every sample (on x's device), made batch by batch in eval mode.

    For cw and deepfool the result is *not* ε-bounded: use ``perturbation_norm`` against ε.
    """
    cfg.validate()
    device = model_device(model)
    if num_classes is None:
        num_classes = int(predict(model, x[:1]).shape[1])
    if cfg.bounded and cfg.eps == 0:
        return x.clone()
    own = cfg.name in OWN_ATTACKS
    if own:
        from engine.attacks import attack
    else:
        runner = _torchattack(model, cfg, num_classes)
    out = []
    with model_mode(model, "eval"):
        for i in range(0, len(x), batch_size):
            check_cancel(cancel)
            xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
            if own:
                x_adv = attack(model, xb, yb, cfg, mode="eval", early_stop=early_stop, cancel=cancel)
            else:
                x_adv = runner(xb, yb)
            out.append(x_adv.detach().clamp(0.0, 1.0).to(x.device))
    return torch.cat(out) if out else x.clone()


def perturbation_norm(x_adv: torch.Tensor, x: torch.Tensor, norm: str = "linf") -> torch.Tensor:
    delta = (x_adv - x).flatten(1)
    return delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)


@dataclass(frozen=True)
class AttackCurve:
    """Accuracy under one attack at each ε of the suite.

    For minimum-norm attacks (``bounded`` False) accuracy at ε is the accuracy on examples whose
    perturbation norm (in ``norm``) is at most ε, and the medians describe the fooled samples.
    """

    attack: str
    eps: tuple[float, ...]
    accuracy: tuple[float, ...]
    bounded: bool
    norm: str
    seconds: float
    median_linf: float | None = None
    median_l2: float | None = None
    success_rate: float | None = None  # fraction of clean-correct samples fooled at any norm
    # Per sample, the index of the first ε that broke it (len(eps): none did) where the curve was found
    # per sample (bisection, or every ε in turn for our own attacks); the critical-ε histogram reads it.
    first_break: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        del d["first_break"]  # one number per image: not for the JSON summary
        return d


def attack_curve(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    name: str,
    eps_values: Sequence[float],
    *,
    steps: int = 10,
    restarts: int = 1,
    norm: str = "linf",
    seed: int = 0,
    batch_size: int = 500,
    correct: torch.Tensor | None = None,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
    eps_search: str = "bisect",
    known: KnownPgd | None = None,
    **settings: Any,
) -> AttackCurve:
    """Accuracy under attack ``name`` at each ε (ascending); see the module docstring for the two kinds.

    PGD (``eps_search="bisect"``, the default) finds, per sample, the first ε of the list that breaks it
    by bisection: about log2(len(eps) + 1) attacks per sample instead of one per ε, so an 8-ε curve costs
    about 2.4 single-ε runs (bench/eps_curve.py). "Fooled at ε ⇒ fooled at every larger ε" is exact;
    "survived ε ⇒ survives every smaller ε" assumes PGD is at least as strong with a larger budget.
    Measured on MNIST (a standard and an adversarially trained model, 1,000 images, 8 ε values), the
    curve stayed within the spread of two separate runs with different seeds at every ε; the tests hold
    it to that. Any other ``eps_search`` attacks every ε in turn (only the samples still unbroken): no
    assumption, about 7 single-ε runs. FGSM (not monotone in ε) and random noise are always measured at
    every ε; noise restarts from the clean-correct set each time. ``known``: a PGD run already made on
    these images (the evaluation's main attack); where it is the very attack at one of the ε, its
    verdicts are used instead of attacking again.
    """
    t0 = time.perf_counter()
    eps_sorted = tuple(sorted(float(e) for e in eps_values))
    correct = correct_mask(model, x, y) if correct is None else correct
    n = max(len(x), 1)
    base = AttackConfig(
        name=name, steps=steps, restarts=restarts, norm="l2" if name == "pgd-l2" else norm, seed=seed, **settings
    )
    base.validate()
    if not base.bounded:
        idx = correct.nonzero().squeeze(1)
        fooled_norm = torch.full((len(x),), math.inf)
        medians: dict[str, float | None] = {"median_linf": None, "median_l2": None}
        success = None
        if len(idx):
            x_adv = suite_attack(model, x[idx], y[idx], base, batch_size=batch_size, cancel=cancel)
            fooled = predict(model, x_adv).argmax(1).cpu() != y[idx].cpu()
            fooled_norm[idx[fooled]] = perturbation_norm(x_adv[fooled], x[idx][fooled], base.norm).cpu()
            success = float(fooled.float().mean())
            if fooled.any():
                for key, kind in (("median_linf", "linf"), ("median_l2", "l2")):
                    medians[key] = float(perturbation_norm(x_adv[fooled], x[idx][fooled], kind).median())
        acc = tuple(float((correct & ~(fooled_norm <= e + 1e-6)).float().sum()) / n for e in eps_sorted)
        if progress:
            progress(len(eps_sorted), len(eps_sorted))
        return AttackCurve(
            name,
            eps_sorted,
            acc,
            False,
            base.norm,
            time.perf_counter() - t0,
            median_linf=medians["median_linf"],
            median_l2=medians["median_l2"],
            success_rate=success,
        )
    if eps_search == "bisect" and name in BISECT_ATTACKS:
        hi = first_breaks(
            model,
            x,
            y,
            eps_sorted,
            correct,
            lambda e: dataclasses.replace(base, eps=e),
            batch_size=batch_size,
            cancel=cancel,
            known=known,
        )
        acc = curve_from_breaks(hi, correct, len(eps_sorted))
        if progress:
            progress(len(eps_sorted), len(eps_sorted))
        breaks = tuple(int(v) for v in hi.tolist())
        return AttackCurve(name, eps_sorted, acc, True, base.norm, time.perf_counter() - t0, first_break=breaks)
    alive, values = correct.clone(), []
    first = torch.full((len(x),), len(eps_sorted), dtype=torch.long)
    for k, eps in enumerate(eps_sorted):
        check_cancel(cancel)
        cfg = dataclasses.replace(base, eps=eps)
        # Random noise is not monotone in ε, so it starts again from the clean-correct set.
        start = correct.clone() if name.startswith("noise") else alive
        if known is not None and len(known.fooled) == len(x) and known.matches(cfg):
            alive = start & ~known.fooled.cpu()  # this very attack already ran on these images
        elif name in OWN_ATTACKS:
            alive = robust_mask(model, x, y, cfg, start=start, batch_size=batch_size, cancel=cancel)
        else:
            alive = start.clone()
            idx = alive.nonzero().squeeze(1)
            if len(idx) and eps > 0:
                x_adv = suite_attack(model, x[idx], y[idx], cfg, batch_size=batch_size, cancel=cancel)
                alive[idx] = predict(model, x_adv).argmax(1).cpu() == y[idx].cpu()
        values.append(float(alive.float().sum()) / n)
        first[correct & ~alive & (first == len(eps_sorted))] = k
        if progress:
            progress(k + 1, len(eps_sorted))
    turns = None if name.startswith("noise") else tuple(int(v) for v in first.tolist())  # noise: not monotone
    return AttackCurve(name, eps_sorted, tuple(values), True, base.norm, time.perf_counter() - t0, first_break=turns)


@dataclass(frozen=True)
class SuiteResult:
    clean_accuracy: float
    n: int
    eps: tuple[float, ...]
    curves: tuple[AttackCurve, ...]
    sanity: tuple[Any, ...] = ()  # engine.sanity.SanityCheck results

    def curve(self, name: str) -> AttackCurve:
        return next(c for c in self.curves if c.attack == name)

    def worst_case(self) -> tuple[float, ...]:
        """Per ε, the lowest accuracy over the ε-bounded attacks (an upper bound on true robust accuracy)."""
        bounded = [c.accuracy for c in self.curves if c.bounded] or [c.accuracy for c in self.curves]
        return tuple(min(v) for v in zip(*bounded, strict=True)) if bounded else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "clean_accuracy": self.clean_accuracy,
            "n": self.n,
            "eps": list(self.eps),
            "attacks": {c.attack: c.to_dict() for c in self.curves},
            "robust_accuracy": {
                c.attack: {f"{e:g}": a for e, a in zip(c.eps, c.accuracy, strict=True)} for c in self.curves
            },
            "worst_case": list(self.worst_case()),
            "sanity": {s.name: s.to_dict() for s in self.sanity},
        }


def suite_eps_curve(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Sequence[str],
    eps_values: Sequence[float],
    *,
    progress: Progress | None = None,
    **options: Any,
) -> EpsCurve:
    """Accuracy against ε for any suite attacks, as an ``engine.messages.EpsCurve`` (the window's curve).

    ``progress(done, total)`` counts (attack, ε) pairs; ``options`` go to ``attack_curve`` (steps,
    batch_size, cancel, …).
    """
    eps_sorted = tuple(sorted(float(e) for e in eps_values))
    total = len(attacks) * len(eps_sorted)

    def pairs_done(k: int, _name: str) -> Progress:
        def step(done: int, _n: int) -> None:
            if progress:
                progress(k * len(eps_sorted) + done, total)

        return step

    correct, curves = _suite_curves(model, x, y, attacks, eps_sorted, pairs_done, **options)
    critical = None
    pgd_curve = next((c for c in curves if c.attack == "pgd" and c.first_break is not None), None)
    if pgd_curve is not None and eps_sorted and eps_sorted[0] > 0:
        critical = critical_from_breaks(pgd_curve, correct, x, y)
    elif pgd_curve is not None and len(eps_sorted) > 1:  # a grid from 0: ε = 0 breaks only wrong images
        critical = critical_from_breaks(pgd_curve, correct, x, y, skip_first=True)
    return EpsCurve(eps_sorted, {c.attack: c.accuracy for c in curves}, accuracy_of(correct), len(x), critical=critical)


FALL_EXAMPLES = 6  # images the window shows as "these fall first" and "these hold longest"


def critical_from_breaks(
    curve: AttackCurve, correct: torch.Tensor, x: torch.Tensor, y: torch.Tensor, skip_first: bool = False
) -> CriticalEps:
    """The per-image critical ε of an attack curve found per sample, with the first and last to fall.

    ``skip_first`` drops a leading ε = 0 from the grid (the window's curves start there): a clean-correct
    image is never broken at 0, so its indices just shift by one."""
    hi = torch.tensor(curve.first_break, dtype=torch.long)
    eps = curve.eps
    if skip_first:
        hi, eps = hi - 1, eps[1:]
    index = torch.where(correct.cpu(), hi, torch.full_like(hi, -1))
    result = CriticalEps(curve.attack, eps, frozen_array(index.numpy()), frozen_array(y.cpu().numpy()))
    order = result.order()
    ok = [int(i) for i in order if index[i] >= 0]  # the images right before any attack, first to fall first
    first, last = ok[:FALL_EXAMPLES], ok[::-1][:FALL_EXAMPLES]
    return dataclasses.replace(
        result,
        first_images=frozen_array(x[first].cpu().numpy().astype(np.float32)),
        first_index=tuple(first),
        last_images=frozen_array(x[last].cpu().numpy().astype(np.float32)),
        last_index=tuple(last),
    )


def _suite_curves(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Sequence[str],
    eps_sorted: tuple[float, ...],
    before_each: Callable[[int, str], Progress | None],
    **options: Any,
) -> tuple[torch.Tensor, list[AttackCurve]]:
    """The clean-correct samples, and each attack's curve over them (the attack names checked first).

    ``before_each(k, name)`` runs before the k-th attack and gives the ``progress`` of its curve."""
    parse_suite(",".join(attacks))
    correct = correct_mask(model, x, y)
    curves = []
    for k, name in enumerate(attacks):
        progress = before_each(k, name)
        curves.append(attack_curve(model, x, y, name, eps_sorted, correct=correct, progress=progress, **options))
    return correct, curves


def parse_suite(text: str) -> tuple[str, ...]:
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in SUITE_ATTACKS]
    if unknown or not names:
        raise ConfigError(
            "Unknown attack(s) {unknown}. Choose from: {choices}.",
            unknown=", ".join(unknown) or Text("(none given)"),
            choices=", ".join(SUITE_ATTACKS),
        )
    return names


def run_suite(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: Sequence[str],
    eps_values: Sequence[float],
    *,
    steps: int = 10,
    restarts: int = 1,
    seed: int = 0,
    batch_size: int = 500,
    sanity: bool = True,
    reference_model: nn.Module | None = None,
    adversarially_trained: bool | None = None,
    cancel: CancelToken | None = None,
    progress: Callable[[str], None] | None = None,
    eps_search: str = "bisect",
    sanity_limit: int | None = 500,
    known: KnownPgd | None = None,
    **settings: Any,
) -> SuiteResult:
    """Every attack at every ε, then the sanity checks (engine.sanity) at the largest ε of the list.

    The checks attack the first ``sanity_limit`` images only (None: all): one of them runs PGD with 4×
    the steps, and a verdict with a two-point tolerance needs a few hundred images, not ten thousand.
    ``known``: the evaluation's own PGD run on x (``engine.evaluate.Evaluation.known``); the suite's PGD
    and the checks reuse it where it is the same attack, so no image is attacked twice the same way.
    """
    eps_sorted = tuple(sorted(float(e) for e in eps_values))
    if not eps_sorted:
        raise ConfigError("Give at least one ε.")

    def announce(_k: int, name: str) -> None:
        if progress:
            progress(say("{attack} at ε = {eps}", attack=name, eps=", ".join(f"{e:g}" for e in eps_sorted)))
        torch.manual_seed(seed)

    # _suite_curves checks the names first: a readable error for an unknown one, before any work.
    correct, curves = _suite_curves(
        model,
        x,
        y,
        attacks,
        eps_sorted,
        announce,
        steps=steps,
        restarts=restarts,
        seed=seed,
        batch_size=batch_size,
        cancel=cancel,
        eps_search=eps_search,
        known=known,
        **settings,
    )
    checks: tuple[Any, ...] = ()
    if sanity:
        from engine.sanity import run_sanity_checks

        if progress:
            progress(say("sanity checks"))
        torch.manual_seed(seed)
        xs, ys = (x[:sanity_limit], y[:sanity_limit]) if sanity_limit else (x, y)
        checks = run_sanity_checks(
            model,
            xs,
            ys,
            known=None if known is None else known.head(len(xs)),
            eps=eps_sorted[-1],
            steps=steps,
            reference_model=reference_model,
            adversarially_trained=adversarially_trained,
            batch_size=batch_size,
            cancel=cancel,
        )
    return SuiteResult(accuracy_of(correct), len(x), eps_sorted, tuple(curves), checks)


def suite_gallery(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, class_names: Sequence[str]
) -> GalleryBatch:
    """Original, adversarial and predictions for a few samples under any suite attack (read-only numpy)."""
    return gallery_batch(model, x, suite_attack(model, x, y, cfg, num_classes=len(class_names)), y, cfg, class_names)
