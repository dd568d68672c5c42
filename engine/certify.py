"""Certified robustness by interval bound propagation (IBP), and the bounds certified training minimises.

An attack that fails proves nothing: a stronger one may succeed. A certificate is a proof. The box of
inputs [clip(x − ε, 0, 1), clip(x + ε, 0, 1)] (every L∞ perturbation of at most ε) is pushed through the
network layer by layer as a centre and a radius (mu = (u + l)/2, r = (u − l)/2):

* an affine layer (Normalize, Linear, Conv2d, BatchNorm in eval mode) maps them to W·mu + b and |W|·r,
  the smallest box around the image of a box: exact, and sound;
* a monotone layer (ReLU, max-pooling, …) maps the two ends, l and u;
* the last Linear layer is folded into the margins z_y − z_j (elision of the last layer, Gowal et al.
  2018): bounding (W_y − W_j)·h directly is tighter than bounding z_y and z_j apart and subtracting.

An image is certified when the lower bound of every margin z_y − z_j (j ≠ y) is above 0: no input in
its box, adversarial or not, changes its class, whatever attack is tried. IBP bounds are loose for a
normally trained network (its certified accuracy is far below what attacks leave) and tight for one
trained on them (``engine.trainer``, method ``"ibp"``).

What is bounded is the network in evaluation mode (Dropout is the identity, BatchNorm uses its running
statistics), in the model's floating-point precision. Only a chain of supported layers can be bounded
(``interval_layers`` names the first that is not, e.g. a residual block).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.dropout import _DropoutNd

from engine.attacks import check_cancel
from engine.catalogue import Text
from engine.errors import UserError
from engine.evaluate import accuracy_of, clean_accuracy
from engine.messages import CancelToken, CertifiedCurve
from engine.models import Normalize, model_device

Progress = Callable[[int, int], None]
Box = tuple[torch.Tensor, torch.Tensor]  # (lower, upper) or (centre, radius), as each function says

SUPPORTED_LAYERS = (
    "Normalize, Linear, Conv2d, BatchNorm (eval mode), ReLU, LeakyReLU, Hardtanh/ReLU6, Sigmoid, Tanh, "
    "MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Flatten, Dropout, Identity, nested Sequential"
)


class CertifyError(UserError):
    """The model cannot be certified (a layer interval bounds cannot pass), or a setting is out of range."""


# ---------------------------------------------------------------- the layers
_IDENTITY = (nn.Identity, _DropoutNd)  # Dropout is the identity in eval mode, the mode that is certified
_AFFINE = (Normalize, nn.Linear, nn.Conv2d, _BatchNorm)
_MONOTONE = (nn.ReLU, nn.LeakyReLU, nn.Hardtanh, nn.Sigmoid, nn.Tanh, nn.MaxPool2d, nn.AdaptiveMaxPool2d)
_POSITIVE_LINEAR = (nn.AvgPool2d, nn.AdaptiveAvgPool2d)  # non-negative weights, no bias: same map for mu and r
_RESHAPE = (nn.Flatten, nn.Unflatten)


def _why_unsupported(layer: nn.Module) -> Text | None:
    """None when IBP can pass ``layer``; otherwise the reason, for the message."""
    if isinstance(layer, nn.LeakyReLU) and layer.negative_slope < 0:
        return Text("a negative slope is not monotone")
    if isinstance(layer, (nn.MaxPool2d, nn.AdaptiveMaxPool2d)) and layer.return_indices:
        return Text("it returns indices as well as values")
    if isinstance(layer, _BatchNorm) and (layer.running_mean is None or layer.running_var is None):
        return Text("without running statistics it normalises by each batch's own, even in eval mode")
    if isinstance(layer, nn.Conv2d) and layer.weight is None:
        return Text("it has no weight")
    if isinstance(layer, _IDENTITY + _AFFINE + _MONOTONE + _POSITIVE_LINEAR + _RESHAPE):
        return None
    if len(list(layer.children())):
        return Text("its forward may combine its parts in any way (e.g. a residual connection), not only in sequence")
    return Text("interval bounds are not implemented for it")


def interval_layers(model: nn.Module) -> list[nn.Module]:
    """The model as the flat chain of layers IBP passes, nested Sequentials opened.

    Raises CertifyError naming the first layer that cannot be bounded (its type and place in the model),
    so that a certification or an IBP training refuses at once, in words, instead of failing midway.
    """
    layers: list[nn.Module] = []

    def walk(module: nn.Module, path: str) -> None:
        if isinstance(module, nn.Sequential) and type(module).forward is nn.Sequential.forward:
            for name, child in module.named_children():
                walk(child, f"{path}.{name}" if path else name)
            return
        reason = _why_unsupported(module)
        if reason is not None:
            kind = type(module).__name__
            what = (
                Text("it has a {kind} (layer '{path}')", {"kind": kind, "path": path})
                if path
                else Text("it is a {kind}", {"kind": kind})
            )
            raise CertifyError(
                "The model cannot be certified with interval bounds: {what}, which interval bound propagation "
                "does not support ({reason}). Supported: {supported}. The mlp, seed-cnn and small-cnn "
                "models can be certified.",
                what=what,
                reason=reason,
                supported=SUPPORTED_LAYERS,
            )
        layers.append(module)

    walk(model, "")
    return layers


class _Bounds:
    """A box held as centre and radius (what affine layers map) or as its two ends (what monotone layers
    map), converted only when the next layer needs the other form: a ReLU followed by max-pooling, or the
    input box going into Normalize, then needs no conversion at all."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor, ends: bool):
        self.a, self.b, self.ends = a, b, ends

    def centre_radius(self) -> Box:
        if self.ends:
            return (self.b + self.a) / 2, (self.b - self.a) / 2
        return self.a, self.b

    def lower_upper(self) -> Box:
        if self.ends:
            return self.a, self.b
        return self.a - self.b, self.a + self.b


def _affine(box: _Bounds, fn: Callable[..., torch.Tensor], weight: torch.Tensor, bias: torch.Tensor | None) -> _Bounds:
    """W·mu + b and |W|·r. From the ends, (u + l) and (u − l) go in with half the weights instead of being
    halved first: the same values, two whole-tensor operations fewer."""
    if box.ends:
        lo, hi = box.a, box.b
        half = weight / 2
        return _Bounds(fn(hi + lo, half, bias), fn(hi - lo, half.abs(), None), ends=False)
    return _Bounds(fn(box.a, weight, bias), fn(box.b, weight.abs(), None), ends=False)


def _through(layer: nn.Module, box: _Bounds) -> _Bounds:
    """One layer's image of the box."""
    if isinstance(layer, _IDENTITY):
        return box
    if isinstance(layer, _POSITIVE_LINEAR + _RESHAPE):  # maps ends to ends and centre/radius to centre/radius
        return _Bounds(layer(box.a), layer(box.b), box.ends)
    if isinstance(layer, Normalize):
        mean, std = layer.get_buffer("mean"), layer.get_buffer("std")
        if box.ends and bool((std > 0).all()):
            return _Bounds((box.a - mean) / std, (box.b - mean) / std, ends=True)
        mu, r = box.centre_radius()
        return _Bounds((mu - mean) / std, r / std.abs(), ends=False)
    if isinstance(layer, nn.Linear):
        return _affine(box, F.linear, layer.weight, layer.bias)
    if isinstance(layer, nn.Conv2d):
        # _conv_forward applies the layer's own padding mode; padding copies or zeros values, both exact.
        return _affine(box, layer._conv_forward, layer.weight, layer.bias)
    if isinstance(layer, _BatchNorm):
        assert layer.running_mean is not None and layer.running_var is not None  # interval_layers checked
        scale = torch.rsqrt(layer.running_var + layer.eps)
        if layer.weight is not None:
            scale = scale * layer.weight
        shift = -layer.running_mean * scale
        if layer.bias is not None:
            shift = shift + layer.bias
        mu, r = box.centre_radius()
        shape = (1, -1) + (1,) * (mu.ndim - 2)
        return _Bounds(mu * scale.view(shape) + shift.view(shape), r * scale.abs().view(shape), ends=False)
    if isinstance(layer, _MONOTONE):
        fn = _monotone_function(layer)
        lo, hi = box.lower_upper()
        return _Bounds(fn(lo), fn(hi), ends=True)
    # interval_layers refuses first
    raise CertifyError("Interval bounds do not support {kind}.", kind=type(layer).__name__)


def _monotone_function(layer: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """The layer as an out-of-place function (an in-place ReLU would overwrite a bound another needs)."""
    if isinstance(layer, nn.ReLU):
        return F.relu
    if isinstance(layer, nn.LeakyReLU):
        return lambda t: F.leaky_relu(t, layer.negative_slope)
    if isinstance(layer, nn.Hardtanh):  # ReLU6 too
        return lambda t: F.hardtanh(t, layer.min_val, layer.max_val)
    if isinstance(layer, nn.Sigmoid):
        return torch.sigmoid
    if isinstance(layer, nn.Tanh):
        return torch.tanh
    return layer  # max-pooling: no in-place variant


def _propagate(layers: Sequence[nn.Module], box: _Bounds) -> _Bounds:
    for layer in layers:
        box = _through(layer, box)
    return box


# ---------------------------------------------------------------- bounds
def _check_eps(eps: float) -> None:
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not math.isfinite(eps) or eps < 0:
        raise CertifyError(
            "ε (epsilon) for certification must be a number, 0 or more (got {value}).", value=f"{eps!r:.40}"
        )


def input_box(x: torch.Tensor, eps: float) -> Box:
    """(lower, upper): the L∞ ball of radius ε around x, inside the valid pixel range [0, 1]."""
    _check_eps(eps)
    return (x - eps).clamp(0.0, 1.0), (x + eps).clamp(0.0, 1.0)


def interval_bounds(model: nn.Module, lower: torch.Tensor, upper: torch.Tensor) -> Box:
    """(lower, upper) bounds of the model's outputs over the box [lower, upper] of inputs, layer by layer."""
    return _propagate(interval_layers(model), _Bounds(lower, upper, ends=True)).lower_upper()


def logit_bounds(model: nn.Module, x: torch.Tensor, eps: float) -> Box:
    """(lower, upper) of every logit over the ε-box around x (without elision: each logit on its own)."""
    return interval_bounds(model, *input_box(x, eps))


def _last_affine_index(layers: Sequence[nn.Module]) -> int | None:
    """Index of the Linear layer the logits come out of (only identities may follow it), else None."""
    for i in range(len(layers) - 1, -1, -1):
        if isinstance(layers[i], nn.Linear):
            return i
        if not isinstance(layers[i], _IDENTITY):
            return None
    return None


def margin_bounds(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """Lower bounds of z_y − z_j for every class j (exactly 0 at j = y) over the ε-box around each x, B×K.

    The last Linear layer (W, b) is folded in: the margin is the affine map (W_y − W_j)·h + b_y − b_j of
    its input h, whose box is bounded once. Differentiable: certified training minimises through it.
    """
    layers = interval_layers(model)
    box = _Bounds(*input_box(x, eps), ends=True)
    last = _last_affine_index(layers)
    if last is not None:
        box = _propagate(layers[:last], box)
    if last is None or box.a.ndim != 2:
        lo, hi = _propagate(layers if last is None else layers[last:], box).lower_upper()
        if lo.ndim != 2:
            raise CertifyError("The model's output is not a batch × classes table of scores; it cannot be certified.")
        margins = lo.gather(1, y[:, None]) - hi
        return margins.scatter(1, y[:, None], 0.0)
    mu, r = box.centre_radius()
    head = layers[last]
    assert isinstance(head, nn.Linear)
    diff = head.weight[y].unsqueeze(1) - head.weight.unsqueeze(0)  # B×K×d: rows W_y − W_j (zero at j = y)
    centre = torch.einsum("bkd,bd->bk", diff, mu)
    if head.bias is not None:
        centre = centre + head.bias[y].unsqueeze(1) - head.bias.unsqueeze(0)
    return centre - torch.einsum("bkd,bd->bk", diff.abs(), r)


def worst_case_logits(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """Logits no input in the ε-box can make worse for class y: z_y = 0, z_j = the bound of z_j − z_y.

    Their cross-entropy with y bounds the cross-entropy anywhere in the box from above: IBP's robust loss.
    """
    return -margin_bounds(model, x, y, eps)


# ---------------------------------------------------------------- certification
@torch.no_grad()
def certified_mask(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    batch_size: int = 256,
    cancel: CancelToken | None = None,
    progress: Progress | None = None,
) -> torch.Tensor:
    """Which images are certified at ε (bool, on the CPU): the lower bound of z_y − z_j is above 0 for
    every j ≠ y, so no L∞ perturbation of at most ε (within [0, 1]) changes the prediction."""
    _check_eps(eps)
    interval_layers(model)  # refuse an unsupported model before any work
    device = model_device(model)
    out = []
    for i in range(0, len(x), batch_size):
        check_cancel(cancel)
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        margins = margin_bounds(model, xb, yb, eps)
        margins.scatter_(1, yb[:, None], math.inf)
        out.append((margins.min(1).values > 0).cpu())
        if progress:
            progress(min(i + batch_size, len(x)), len(x))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.bool)


def certified_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, **options: Any) -> float:
    """The fraction of images certified at ε (a lower bound of the accuracy under any attack at ε).

    ``options``: ``certified_mask``'s batch_size, cancel and progress."""
    if len(x) == 0:
        return float("nan")
    return accuracy_of(certified_mask(model, x, y, eps, **options))


def certified_curve(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps_values: Sequence[float],
    batch_size: int = 256,
    cancel: CancelToken | None = None,
    progress: Callable[[float], None] | None = None,
) -> CertifiedCurve:
    """Certified accuracy at each ε, in the order given.

    Interval arithmetic is monotone in the box, so an image not certified at ε is not certified at any
    larger ε either: each ε, taken in ascending order, only bounds the images still certified.
    ``progress`` gets the fraction of the ε values done.
    """
    for eps in eps_values:
        _check_eps(eps)
    interval_layers(model)
    n = len(x)
    alive = torch.ones(n, dtype=torch.bool)
    accuracy: dict[float, float] = {}
    ordered = sorted(set(float(e) for e in eps_values))
    for k, eps in enumerate(ordered, 1):
        idx = alive.nonzero().squeeze(1)
        if len(idx):
            alive[idx] = certified_mask(model, x[idx], y[idx], eps, batch_size, cancel=cancel)
        accuracy[eps] = float(alive.float().sum()) / n if n else float("nan")
        if progress:
            progress(k / len(ordered))
    return CertifiedCurve(
        eps=tuple(float(e) for e in eps_values),
        accuracy=tuple(accuracy[float(e)] for e in eps_values),
        n=n,
        clean_accuracy=clean_accuracy(model, x, y),
    )
