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
import contextvars
import math
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from engine.config import PRECISIONS, TARGET_MODES, TARGETED_ATTACKS, AttackConfig, ConfigError, valid_target
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


@contextlib.contextmanager
def frozen_parameters(model: nn.Module) -> Iterator[None]:
    """The model's parameters marked as not needing gradients while an attack asks for the input's.

    ``torch.autograd.grad(loss, x)`` already skips the weights' gradients, but with trainable weights
    the forward pass still records them into the graph; frozen, it records less and the attack's step
    is faster (bench/attacks.py). Each parameter's own flag is restored afterwards, so an attack made
    between two optimiser steps of training leaves the model exactly as trainable as it was.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


# The arithmetic of the attacks' gradient passes. fp32 is the model's own and the default: every attack
# is then the same to the bit on CPU. bf16 / fp16 run the forward and backward of each attack step under
# torch.autocast — on a processor with bf16/fp16 matrix units (AMX, AVX-512 BF16/FP16; a GPU's tensor
# cores) much faster (bench/evaluate.py --precision) — but only the *direction* of each step comes
# from them: whether an image is fooled, the logits an attack returns and every accuracy are the model's
# fp32 answers (an image the low-precision pass calls fooled is asked again in fp32 before it counts).
# A contextvar rather than a parameter of every attack function: the precision is a property of the
# machine an evaluation runs on, set once around it (``gradient_precision``), not of any one attack.
_LOW_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
_precision: contextvars.ContextVar[str] = contextvars.ContextVar("gradient_precision", default="fp32")


@contextlib.contextmanager
def gradient_precision(name: str) -> Iterator[None]:
    """Within this block, the engine's own attacks (FGSM, FGSM-RS, N-FGSM, PGD, PGD-L2, targeted and KL
    PGD) compute their gradient passes in ``name`` (one of PRECISIONS); torchattacks' attacks are not
    affected. Predictions and accuracies stay in fp32."""
    if name not in PRECISIONS:
        choices = ", ".join(PRECISIONS)
        raise ConfigError("Unknown precision '{name}'. Choose one of: {choices}.", name=name, choices=choices)
    token = _precision.set(name)
    try:
        yield
    finally:
        _precision.reset(token)


def reduced_precision() -> bool:
    """Whether the gradient passes run in bf16 or fp16 here (see ``gradient_precision``)."""
    return _precision.get() != "fp32"


def fast_precision(name: str, device: torch.device | str = "cpu") -> bool:
    """Whether ``name`` is known to run faster than fp32 on ``device`` (else autocast may be slower).

    On CPU only bf16 with oneDNN's bf16 support (AVX-512 BF16 or AMX): on a 2-core Xeon with AMX,
    ``evaluate --attack pgd --steps 40 --no-sanity`` of an MNIST small-cnn took 25.7 s in bf16 against
    68.2 s in fp32 (single runs; bench/evaluate.py --precision bf16 times it). fp16 on CPU is not: on the
    same Xeon (AVX-512 FP16, no AMX-FP16) it took 94.0 s, 1.4× *longer* than fp32, while oneDNN called
    fp16 supported — so its word is not taken for fp16."""
    device = torch.device(device)
    if name == "fp32":
        return True
    if device.type == "cuda":
        return name == "fp16" or torch.cuda.is_bf16_supported()
    if name != "bf16":
        return False
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _autocast(x: torch.Tensor) -> contextlib.AbstractContextManager[object]:
    name = _precision.get()
    if name == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(x.device.type, dtype=_LOW_DTYPES[name])


# Images per forward/backward pass on CPU: a batch whose activations stay in the processor's caches is
# much faster per image than one that streams them through memory (small-cnn on 28×28 MNIST, one
# thread, this 2-core EPYC: 640 image-steps/s at 1,000 images a pass, 1,240 at 50–250; bench/attacks.py).
# The rule is a fixed budget, not a timing made at start-up, so that a run's numbers never depend on how
# busy the machine was; the results are the same for any chunk (each image's gradient is its own).
CPU_CACHE_BUDGET = 8 * 2**20  # bytes of the largest activation of one pass
# torch.compile of the forward and backward is not used: on this CPU it ran at 0.55× the eager model
# (527–671 against ~1,150 image-steps/s, small-cnn, one thread), and short attacks would pay its compile time.
_CHUNKS: weakref.WeakKeyDictionary[nn.Module, dict[tuple[int, ...], int]] = weakref.WeakKeyDictionary()


def pass_size(model: nn.Module, x: torch.Tensor) -> int:
    """How many images of x's shape to put through ``model`` at once on x's device (all of them on a GPU)."""
    if x.device.type != "cpu" or model.training or len(x) <= 16:
        return max(len(x), 1)  # in training mode a pass is a batch: BatchNorm's statistics are the batch's
    shape = tuple(x.shape[1:])
    known = _CHUNKS.setdefault(model, {})
    if shape not in known:
        known[shape] = _cpu_chunk(model, x[:1])
    return known[shape]


def _cpu_chunk(model: nn.Module, one: torch.Tensor) -> int:
    """A power of two (16 to 1,024) of images whose largest single activation fits CPU_CACHE_BUDGET."""
    largest = [one.numel() * one.element_size()]

    def measure(_module: nn.Module, _inputs: object, output: object) -> None:
        if isinstance(output, torch.Tensor):
            largest[0] = max(largest[0], output.numel() * output.element_size())

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(measure) for m in leaves]
    try:
        with torch.no_grad(), model_mode(model, "eval"):
            model(one)
    except Exception:  # a model that cannot be hooked (an exported program): a safe middle size
        return 128
    finally:
        for h in handles:
            h.remove()
    fit = max(CPU_CACHE_BUDGET // max(largest[0], 1), 1)
    return int(min(max(2 ** int(math.log2(fit)), 16), 1024))


def _input_grad(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient w.r.t. x of the summed per-image loss (cross-entropy against y unless ``loss`` is given,
    called as loss(logits, y) and summed), and the logits (detached) at x: the same forward pass gives
    both, so a caller that needs to know which images are fooled at x pays for no other pass.

    Computed ``pass_size`` images at a time with the parameters frozen; both are invisible in the result.
    Under a reduced ``gradient_precision`` both come from the low-precision pass (as fp32 tensors).
    """
    loss = loss or _summed_ce
    chunk = pass_size(model, x)
    grads, logits = [], []
    with frozen_parameters(model), torch.enable_grad():
        for i in range(0, len(x), chunk):
            xb = x[i : i + chunk].detach().requires_grad_(True)
            with _autocast(xb):
                out = model(xb)
                value = loss(out.float(), y[i : i + chunk])
            (g,) = torch.autograd.grad(value, xb)
            grads.append(g)
            logits.append(out.detach().float())
    if len(grads) == 1:
        return grads[0], logits[0]
    return torch.cat(grads), torch.cat(logits)


def _summed_ce(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, y, reduction="sum")


@torch.no_grad()
def forward_logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's logits at x (on the model's device, in its current mode), ``pass_size`` images a pass."""
    chunk = pass_size(model, x)
    if len(x) <= chunk:
        return model(x)
    return torch.cat([model(x[i : i + chunk]) for i in range(0, len(x), chunk)])


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


@dataclass(frozen=True, eq=False)
class PgdResult:
    """What a PGD run found besides x_adv, so that an evaluation needs no second pass over the examples.

    ``logits``: the model's logits at each returned x_adv (in the attack's mode); None when the caller
    asked only for x_adv (``look=False``: training, which has no use for them). ``reached``: per image,
    whether some iterate the attack looked at was misclassified (untargeted) or predicted as its target
    (targeted). With ``early_stop`` the returned x_adv is that iterate; without it the attack went on and
    its last iterate may have lost it again. An early-stopped run and a full run from the same random
    start agree on ``reached`` exactly: their iterates are the same up to the first success.
    ``attacked``: the images the attack worked on (all but those already of their target class).
    """

    adversarial: torch.Tensor
    logits: torch.Tensor | None
    reached: torch.Tensor
    attacked: torch.Tensor


def pgd_attack(
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
    targets: torch.Tensor | None = None,
    start: torch.Tensor | None = None,
    look: bool = True,
) -> PgdResult:
    """Projected gradient descent on the cross-entropy: away from y, or toward ``targets`` when given
    (x ← x − α·sign(∇ CE(f(x), t)); images whose y already is their target are left as they are).

    ``early_stop`` freezes an image as soon as it is misclassified (or at its target) and computes only
    the others: on an undefended model most of a PGD-40 budget is saved. Across restarts an image keeps
    the first start that succeeds (the first restart's result when none does). ``start``: the first
    restart begins at these iterates instead of a random start (a longer attack continuing a shorter
    one). Each step's forward pass also says which images succeed at that iterate, so early stopping
    costs no extra pass; the last iterate of the images still moving is put through the model once
    (skipped with ``look=False`` when there is one restart and no early stop: x_adv is all that is used).
    """
    alpha = (2.5 * eps / steps) if alpha is None else alpha
    targeted = targets is not None
    goal = y if targets is None else targets
    direction = -1.0 if targeted else 1.0
    attacked = goal != y if targeted else torch.ones(len(x), dtype=torch.bool, device=x.device)
    reached = torch.zeros(len(x), dtype=torch.bool, device=x.device)
    best = x.clone()
    with model_mode(model, mode):
        if eps == 0 or steps == 0 or not attacked.any():
            logits = forward_logits(model, x)
            return PgdResult(best, logits, attacked & _success(logits, goal, targeted), attacked)
        look = look or restarts > 1 or early_stop
        best_logits: torch.Tensor | None = None
        done = ~attacked  # not to be attacked (again)
        for restart in range(restarts):
            idx = (~done).nonzero().squeeze(1)
            if len(idx) == 0:
                break
            x0, g0 = x[idx], goal[idx]
            if start is not None and restart == 0:
                x_adv = start[idx].clone()
            else:
                x_adv = _random_start(x0, eps, norm) if random_start else x0.clone()
            lo, hi = (x0 - eps).clamp_(min=0.0), (x0 + eps).clamp_(max=1.0)
            x_adv, logits_now, hit, moving = _pgd_steps(
                model, x_adv, x0, g0, lo, hi, eps, steps, alpha, norm, direction, targeted, early_stop, cancel
            )
            if not look:
                best[idx] = x_adv.detach()
                reached[idx] = hit
                return PgdResult(best, None, reached, attacked)
            if len(moving):  # the last step moved these: look once at where they ended
                logits = forward_logits(model, x_adv[moving])
                logits_now[moving] = logits
                hit[moving] |= _success(logits, g0[moving], targeted)
            if best_logits is None:
                best_logits = logits_now.new_empty(len(x), logits_now.shape[1])
                if not attacked.all():
                    best_logits[~attacked] = forward_logits(model, x[~attacked])
            at_end = _success(logits_now, g0, targeted)
            # Keep this restart's result for images it brought to success, and for all on the first restart.
            take = at_end | (restart == 0)
            best[idx[take]] = x_adv[take].detach()
            best_logits[idx[take]] = logits_now[take]
            reached[idx] |= hit
            done[idx[at_end]] = True
    return PgdResult(best.detach(), best_logits, reached, attacked)


def _pgd_steps(
    model: nn.Module,
    x_adv: torch.Tensor,
    x0: torch.Tensor,
    goal: torch.Tensor,
    lo: torch.Tensor,
    hi: torch.Tensor,
    eps: float,
    steps: int,
    alpha: float,
    norm: str,
    direction: float,
    targeted: bool,
    early_stop: bool,
    cancel: CancelToken | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One restart's steps: (x_adv, the logits at each image's iterate as last seen, success at any
    iterate seen, the indices of the images the last step moved — whose final iterate was not seen)."""
    n = len(x_adv)
    hit = torch.zeros(n, dtype=torch.bool, device=x_adv.device)
    reduced = reduced_precision()
    logits_now: torch.Tensor | None = None
    active: torch.Tensor | None = None  # None: every image (no gathering)
    for _step in range(steps):
        check_cancel(cancel)
        xa = x_adv if active is None else x_adv[active]
        ga = goal if active is None else goal[active]
        grad, logits = _input_grad(model, xa, ga)
        success = _success(logits, ga, targeted)
        if reduced:
            _confirm_in_fp32(model, xa, ga, logits, success, hit if active is None else hit[active], targeted)
        if logits_now is None:
            logits_now = logits.new_empty(n, logits.shape[1])
        if active is None:
            logits_now.copy_(logits)
            hit |= success
        else:
            logits_now[active] = logits
            hit[active] |= success
        if early_stop:
            keep = ~success
            active = keep.nonzero().squeeze(1) if active is None else active[keep]
            grad = grad[keep]
            if len(active) == 0:
                break
            xa = x_adv[active]
        step = alpha * grad.sign() if norm == "linf" else alpha * grad / _l2_norm(grad)
        if active is None:
            x_adv = _project(x_adv + direction * step, x0, lo, hi, eps, norm)
        else:
            x_adv[active] = _project(xa + direction * step, x0[active], lo[active], hi[active], eps, norm)
    assert logits_now is not None
    moving = torch.arange(n, device=x_adv.device) if active is None else active
    return x_adv, logits_now, hit, moving


def _confirm_in_fp32(
    model: nn.Module,
    x: torch.Tensor,
    goal: torch.Tensor,
    logits: torch.Tensor,
    success: torch.Tensor,
    seen: torch.Tensor,
    targeted: bool,
) -> None:
    """A low-precision step's verdicts made the model's own, in place: the images it calls a success for
    the first time (not yet ``seen`` to succeed) are put through the model in fp32, and their success and
    logits are what fp32 says. An image is never counted fooled, nor frozen by early stop, on the word
    of a rounded pass; the check costs one forward pass over those few images."""
    ask = (success & ~seen).nonzero().squeeze(1)
    if len(ask):
        exact = forward_logits(model, x[ask])
        logits[ask] = exact
        success[ask] = _success(exact, goal[ask], targeted)


def _success(logits: torch.Tensor, goal: torch.Tensor, targeted: bool) -> torch.Tensor:
    predicted = logits.argmax(1)
    return predicted == goal if targeted else predicted != goal


def _project(
    x_adv: torch.Tensor, x: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor, eps: float, norm: str
) -> torch.Tensor:
    """Back into the ε-ball around x and the pixel range: for L∞ a clamp to the precomputed
    [max(x − ε, 0), min(x + ε, 1)], in place (the same numbers as clamping to the ball, then to [0, 1])."""
    if norm == "linf":
        return x_adv.clamp_(lo, hi)
    return _l2_project(x_adv, x, eps)


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
    """Untargeted PGD's x_adv (``pgd_attack`` says what else it found)."""
    if eps == 0:
        return x.clone()
    return pgd_attack(
        model,
        x,
        y,
        eps,
        steps,
        alpha,
        norm=norm,
        random_start=random_start,
        restarts=restarts,
        early_stop=early_stop,
        mode=mode,
        cancel=cancel,
        look=False,
    ).adversarial


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
        p_clean = F.softmax(forward_logits(model, x), dim=1)
        x_adv = (x + 0.001 * torch.randn_like(x)).clamp_(0.0, 1.0)
        lo, hi = (x - eps).clamp(min=0.0), (x + eps).clamp(max=1.0)
        for _step in range(steps):
            check_cancel(cancel)
            grad, _ = _input_grad(model, x_adv, p_clean, loss=_summed_kl)
            x_adv = _project(x_adv + alpha * grad.sign(), x, lo, hi, eps, "linf")
    return x_adv.detach()


def _summed_kl(logits: torch.Tensor, p_clean: torch.Tensor) -> torch.Tensor:
    return F.kl_div(F.log_softmax(logits, dim=1), p_clean, reduction="sum")


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
    """Targeted PGD's x_adv: each step moves against the gradient of CE(f(x), t), then projects onto the
    ε-ball and the pixel range (``pgd_attack`` with ``targets``). Images whose true class ``y`` already is
    their target are not attacked (y None: every image is)."""
    if eps == 0:
        return x.clone()
    return pgd_attack(
        model,
        x,
        targets if y is None else y,
        eps,
        steps,
        alpha,
        norm=norm,
        random_start=random_start,
        restarts=restarts,
        early_stop=early_stop,
        mode=mode,
        cancel=cancel,
        targets=targets,
        look=False,
    ).adversarial


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
