"""Adversarial attacks behind one interface: ``attack(model, x, y, cfg) -> x_adv``.

Inputs and outputs are images in [0, 1]; the model's train/eval mode is restored afterwards;
long attacks check the cancel token every step so that Stop is honoured within one step.
FGSM is PGD with one step, no random start and step ε — the tests hold the two against each other.

Targeted attacks (``AttackConfig.target``; FGSM, PGD and PGD-L2) descend the cross-entropy toward a
chosen class t instead of climbing it away from the true class: x ← x − α·sign(∇ CE(f(x), t)). The
targets come from ``choose_targets``; an image whose true class already is its target is left as it is.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import TARGET_MODES, TARGETED_ATTACKS, AttackConfig, ConfigError, valid_target
from engine.messages import Cancelled, CancelToken
from engine.models import model_device

Mode = Literal["eval", "train", "keep"]


def check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise Cancelled()


@contextlib.contextmanager
def model_mode(model: nn.Module, mode: Mode) -> Iterator[None]:
    was_training = model.training
    if mode != "keep":
        model.train(mode == "train")
    try:
        yield
    finally:
        model.train(was_training)


def _input_grad(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient of the summed cross-entropy w.r.t. x, and the logits (detached) at x."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, x)
    return grad, logits.detach()


def _linf_project(x_adv: torch.Tensor, x: torch.Tensor, eps: float) -> torch.Tensor:
    return torch.min(torch.max(x_adv, x - eps), x + eps).clamp_(0.0, 1.0)


def _l2_norm(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (t.ndim - 1)))


def _l2_project(x_adv: torch.Tensor, x: torch.Tensor, eps: float) -> torch.Tensor:
    delta = x_adv - x
    factor = (eps / _l2_norm(delta)).clamp(max=1.0)
    return (x + delta * factor).clamp_(0.0, 1.0)


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, mode: Mode = "eval") -> torch.Tensor:
    with model_mode(model, mode):
        grad, _ = _input_grad(model, x, y)
    return (x + eps * grad.sign()).clamp(0.0, 1.0).detach()


def fgsm_rs(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, alpha: float | None = None, mode: Mode = "eval"
) -> torch.Tensor:
    """FGSM from a uniform random start ("fast adversarial training", Wong et al. 2020), step 1.25ε."""
    alpha = 1.25 * eps if alpha is None else alpha
    start = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp_(0.0, 1.0)
    with model_mode(model, mode):
        grad, _ = _input_grad(model, start, y)
    return _linf_project(start + alpha * grad.sign(), x, eps).detach()


def n_fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    alpha: float | None = None,
    noise: float = 2.0,
    mode: Mode = "eval",
) -> torch.Tensor:
    """N-FGSM (de Jorge et al. 2022): one FGSM step of α = ε from uniform noise of up to ``noise``·ε, the
    result not clipped back to the ε-ball (only to the pixel range). The stronger noise is what keeps
    one-step training from catastrophic overfitting at large ε, at FGSM's cost."""
    alpha = eps if alpha is None else alpha
    start = (x + torch.empty_like(x).uniform_(-noise * eps, noise * eps)).clamp_(0.0, 1.0)
    with model_mode(model, mode):
        grad, _ = _input_grad(model, start, y)
    return (start + alpha * grad.sign()).clamp_(0.0, 1.0).detach()


def pgd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    steps: int = 10,
    alpha: float | None = None,
    *,
    norm: Literal["linf", "l2"] = "linf",
    random_start: bool = True,
    restarts: int = 1,
    early_stop: bool = False,
    mode: Mode = "eval",
    cancel: CancelToken | None = None,
) -> torch.Tensor:
    """Projected gradient descent on the cross-entropy.

    ``early_stop`` freezes a sample as soon as it is misclassified (it is then counted as fooled
    whatever more steps would do), and only the still-correct samples are computed: on an
    undefended model most of a PGD-40 budget is saved. Across restarts a sample keeps the first
    start that fools it.
    """
    if eps == 0:
        return x.clone()
    alpha = (2.5 * eps / steps) if alpha is None else alpha
    best = x.clone()
    not_fooled = torch.ones(len(x), dtype=torch.bool, device=x.device)
    with model_mode(model, mode):
        for restart in range(restarts):
            idx = not_fooled.nonzero().squeeze(1)
            if len(idx) == 0:
                break
            x0, y0 = x[idx], y[idx]
            x_adv = _random_start(x0, eps, norm) if random_start else x0.clone()
            active = torch.arange(len(idx), device=x.device)
            for _step in range(steps):
                check_cancel(cancel)
                grad, logits = _input_grad(model, x_adv[active], y0[active])
                if early_stop:
                    still = logits.argmax(1) == y0[active]
                    active, grad = active[still], grad[still]
                    if len(active) == 0:
                        break
                xa, xo = x_adv[active], x0[active]
                if norm == "linf":
                    x_adv[active] = _linf_project(xa + alpha * grad.sign(), xo, eps)
                else:
                    x_adv[active] = _l2_project(xa + alpha * grad / _l2_norm(grad), xo, eps)
            x_adv = x_adv.detach()
            if restarts == 1 and not early_stop:
                return x_adv
            with torch.no_grad():
                fooled = model(x_adv).argmax(1) != y0
            # Keep this restart's result for samples it fooled, and for all samples on the first restart.
            take = fooled | (not_fooled[idx] & (restart == 0))
            best[idx[take]] = x_adv[take]
            not_fooled[idx[fooled]] = False
    return best


def kl_pgd(
    model: nn.Module,
    x: torch.Tensor,
    eps: float,
    steps: int = 10,
    alpha: float | None = None,
    *,
    mode: Mode = "eval",
    cancel: CancelToken | None = None,
) -> torch.Tensor:
    """TRADES's adversary (Zhang et al. 2019): L∞ PGD that maximises KL(p(x) ‖ p(x')) instead of the
    cross-entropy, so it needs no labels. It starts at x + 0.001·N(0, 1) as the authors do: the KL is 0 at
    x itself, and a start in the whole ball would begin the search somewhere arbitrary."""
    if eps == 0:
        return x.clone()
    alpha = (2.5 * eps / steps) if alpha is None else alpha
    with model_mode(model, mode):
        with torch.no_grad():
            p_clean = F.softmax(model(x), dim=1)
        x_adv = (x + 0.001 * torch.randn_like(x)).clamp_(0.0, 1.0)
        for _step in range(steps):
            check_cancel(cancel)
            x_adv = x_adv.detach().requires_grad_(True)
            with torch.enable_grad():
                loss = F.kl_div(F.log_softmax(model(x_adv), dim=1), p_clean, reduction="sum")
                (grad,) = torch.autograd.grad(loss, x_adv)
            x_adv = _linf_project(x_adv.detach() + alpha * grad.sign(), x, eps)
    return x_adv.detach()


def _random_start(x: torch.Tensor, eps: float, norm: str) -> torch.Tensor:
    if norm == "linf":
        return (x + torch.empty_like(x).uniform_(-eps, eps)).clamp_(0.0, 1.0)
    direction = torch.randn_like(x)
    direction /= _l2_norm(direction)
    radius = torch.rand(len(x), *([1] * (x.ndim - 1)), device=x.device, dtype=x.dtype)
    return (x + direction * radius * eps).clamp_(0.0, 1.0)


@torch.no_grad()
def _clean_logits(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits at x in eval mode (the model's mode restored), on x's device."""
    device = model_device(model)
    with model_mode(model, "eval"):
        return torch.cat([model(x[i : i + batch_size].to(device)).to(x.device) for i in range(0, len(x), batch_size)])


def choose_targets(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    target: str,
    num_classes: int | None = None,
    seed: int = 0,
) -> torch.Tensor:
    """The class each image is to be made to look like, as a LongTensor on y's device.

    ``target``: "random" (uniform over the classes other than y, drawn from a ``torch.Generator`` seeded
    with ``seed``: the same images and seed give the same targets), "least-likely" (the argmin of the
    clean logits; never y) or a class number "0".."K-1" (the same for all: an image of that class keeps
    target = y and is not attacked). ``num_classes`` None: the model's output width.
    """
    _check_target_form(target)
    if len(y) == 0:
        return torch.zeros(0, dtype=torch.long, device=y.device)
    logits = _clean_logits(model, x) if target == "least-likely" or num_classes is None else None
    if num_classes is None:
        assert logits is not None
        num_classes = int(logits.shape[1])
    if num_classes < 2:
        raise ConfigError("A targeted attack needs a model of at least two classes.")
    y = y.long()
    if target == "random":
        generator = torch.Generator().manual_seed(seed)
        # a class among the K − 1 others: draw 0..K−2 and step over y
        draw = torch.randint(0, num_classes - 1, (len(y),), generator=generator).to(y.device)
        return draw + (draw >= y).long()
    if target == "least-likely":
        assert logits is not None
        scores = logits.float().clone()
        scores[torch.arange(len(y), device=scores.device), y.to(scores.device)] = math.inf  # never the true class
        return scores.argmin(1).to(y.device)
    check_target(target, num_classes)
    return torch.full_like(y, int(target))


def _check_target_form(target: object) -> None:
    if not valid_target(target):
        raise ConfigError(
            "The target must be a class number (0, 1, 2, …), 'random' or 'least-likely' (got {value}).",
            value=repr(target)[:40],
        )


def check_target(target: str | None, num_classes: int) -> None:
    """Refuse a target class number that the model does not have (a ConfigError that says its range)."""
    if target is None or target in TARGET_MODES:
        return
    _check_target_form(target)
    if int(target) >= num_classes:
        raise ConfigError(
            "There is no class {target}: this model has {num_classes} classes (0 to {last}).",
            target=int(target),
            num_classes=num_classes,
            last=num_classes - 1,
        )


def targeted_fgsm(
    model: nn.Module, x: torch.Tensor, targets: torch.Tensor, eps: float, y: torch.Tensor, mode: Mode = "eval"
) -> torch.Tensor:
    """One step of ε toward ``targets``: x − ε·sign(∇ CE(f(x), t)); images already of their target
    class (y == t) are returned as they are."""
    out = x.clone()
    idx = (targets != y).nonzero().squeeze(1)
    if len(idx) == 0 or eps == 0:
        return out
    with model_mode(model, mode):
        grad, _ = _input_grad(model, x[idx], targets[idx])
    out[idx] = (x[idx] - eps * grad.sign()).clamp(0.0, 1.0)
    return out.detach()


def targeted_pgd(
    model: nn.Module,
    x: torch.Tensor,
    targets: torch.Tensor,
    eps: float,
    steps: int = 10,
    alpha: float | None = None,
    *,
    y: torch.Tensor | None = None,
    norm: Literal["linf", "l2"] = "linf",
    random_start: bool = True,
    restarts: int = 1,
    early_stop: bool = False,
    mode: Mode = "eval",
    cancel: CancelToken | None = None,
) -> torch.Tensor:
    """Projected gradient descent on the cross-entropy toward ``targets``: each step moves against the
    gradient of CE(f(x), t), then projects onto the ε-ball and the pixel range.

    Images whose true class ``y`` is already their target are not attacked. ``early_stop`` freezes an
    image once the model predicts its target, and across restarts an image keeps the first start that
    reached it (the first restart's result for those never reached).
    """
    out = x.clone()
    attacked = torch.ones(len(x), dtype=torch.bool, device=x.device) if y is None else targets != y
    if eps == 0 or not attacked.any():
        return out
    alpha = (2.5 * eps / steps) if alpha is None else alpha
    pending = attacked.clone()  # attacked and not yet at its target
    with model_mode(model, mode):
        for restart in range(restarts):
            idx = pending.nonzero().squeeze(1)
            if len(idx) == 0:
                break
            x0, t0 = x[idx], targets[idx]
            x_adv = _random_start(x0, eps, norm) if random_start else x0.clone()
            active = torch.arange(len(idx), device=x.device)
            for _step in range(steps):
                check_cancel(cancel)
                grad, logits = _input_grad(model, x_adv[active], t0[active])
                if early_stop:
                    still = logits.argmax(1) != t0[active]
                    active, grad = active[still], grad[still]
                    if len(active) == 0:
                        break
                xa, xo = x_adv[active], x0[active]
                if norm == "linf":
                    x_adv[active] = _linf_project(xa - alpha * grad.sign(), xo, eps)
                else:
                    x_adv[active] = _l2_project(xa - alpha * grad / _l2_norm(grad), xo, eps)
            x_adv = x_adv.detach()
            if restarts == 1 and not early_stop:
                out[idx] = x_adv
                return out
            with torch.no_grad():
                reached = model(x_adv).argmax(1) == t0
            take = reached | (restart == 0)
            out[idx[take]] = x_adv[take]
            pending[idx[reached]] = False
    return out


def random_noise(x: torch.Tensor, eps: float, kind: Literal["uniform", "gaussian"] = "uniform") -> torch.Tensor:
    """The baseline that shows random noise is not an attack: same ε, no gradient.

    Gaussian noise has standard deviation ε/2 and is clipped to the ε-ball, so both kinds use the
    same L∞ budget as FGSM/PGD.
    """
    if kind == "uniform":
        noise = torch.empty_like(x).uniform_(-eps, eps)
    else:
        noise = (torch.randn_like(x) * (eps / 2)).clamp_(-eps, eps)
    return (x + noise).clamp_(0.0, 1.0)


def attack(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    *,
    mode: Mode = "eval",
    early_stop: bool = False,
    cancel: CancelToken | None = None,
    targets: torch.Tensor | None = None,
) -> torch.Tensor:
    """Run the attack that ``cfg`` names; ``none`` (or ε = 0) returns a copy of x.

    With ``cfg.target`` set the attack is targeted: toward ``targets`` (one class per image), or toward
    those ``choose_targets`` picks for x when None; with early_stop an image stops at its target."""
    name, eps = cfg.name, cfg.eps
    if cfg.target is not None:
        return _targeted_attack(model, x, y, cfg, mode=mode, early_stop=early_stop, cancel=cancel, targets=targets)
    if name == "none" or eps == 0:
        return x.clone()
    if name == "fgsm":
        return fgsm(model, x, y, eps, mode=mode)
    if name == "fgsm-rs":
        return fgsm_rs(model, x, y, eps, cfg.step_size, mode=mode)
    if name == "n-fgsm":
        return n_fgsm(model, x, y, eps, cfg.step_size, mode=mode)
    if name in ("pgd", "pgd-l2"):
        return pgd(
            model,
            x,
            y,
            eps,
            cfg.steps,
            cfg.step_size,
            norm="linf" if name == "pgd" else "l2",
            restarts=cfg.restarts,
            early_stop=early_stop,
            mode=mode,
            cancel=cancel,
        )
    if name in ("noise-uniform", "noise-gaussian"):
        return random_noise(x, eps, "uniform" if name == "noise-uniform" else "gaussian")
    raise ValueError(f"Unknown attack '{name}'.")


def _targeted_attack(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    *,
    mode: Mode,
    early_stop: bool,
    cancel: CancelToken | None,
    targets: torch.Tensor | None,
) -> torch.Tensor:
    if cfg.name not in TARGETED_ATTACKS:
        raise ConfigError(
            "Only {choices} can aim at a target class; '{name}' cannot.",
            choices=", ".join(TARGETED_ATTACKS),
            name=cfg.name,
        )
    assert cfg.target is not None
    if targets is None:
        targets = choose_targets(model, x, y, cfg.target, seed=cfg.seed)
    targets = targets.to(x.device)
    y = y.to(x.device)
    if cfg.eps == 0:
        return x.clone()
    if cfg.name == "fgsm":
        return targeted_fgsm(model, x, targets, cfg.eps, y, mode=mode)
    return targeted_pgd(
        model,
        x,
        targets,
        cfg.eps,
        cfg.steps,
        cfg.step_size,
        y=y,
        norm="linf" if cfg.name == "pgd" else "l2",
        restarts=cfg.restarts,
        early_stop=early_stop,
        mode=mode,
        cancel=cancel,
    )
