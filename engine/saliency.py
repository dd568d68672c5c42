"""What a model looks at: attribution maps (Captum) and how much of their mass lies on the digit's strokes.

Tsipras et al. (2019) observed that adversarially trained models have input gradients that look like
the object, while a standard model's gradient is scattered noise. This module makes that visible and
measurable: for one image it computes the input gradient, SmoothGrad and Integrated Gradients of a class
(Captum's ``Saliency``, ``NoiseTunnel`` and ``IntegratedGradients`` — the attribution itself is not
written here), and it reduces each map to one number, the fraction of its absolute mass that falls on
the strokes (pixels brighter than mid-grey).

All maps are absolute values summed over colour channels: the question asked is "where", not "which
sign". SmoothGrad's noise comes from a seeded generator (``torch.random.fork_rng``), so a run's seed
fixes the maps like everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from engine.attacks import check_cancel, model_mode
from engine.messages import CancelToken, SaliencyPanel, SaliencySummary, frozen_array

METHODS: tuple[str, ...] = ("gradient", "smoothgrad", "integrated-gradients")
STROKE_LEVEL = 0.5  # "inside the strokes": pixels brighter than mid-grey (the images are in [0, 1])
SMOOTHGRAD_SAMPLES = 25  # Smilkov et al. 2017 use 50; 25 gives the same picture on 8×8 and 28×28 digits
SMOOTHGRAD_NOISE = 0.15  # noise standard deviation as a fraction of the pixel range (their 10-20 %)
IG_STEPS = 32  # Riemann steps from the black image; Captum's default is 50, the maps agree to a few %


@dataclass(frozen=True)
class Attribution:
    """Absolute attribution maps (N×H×W, float32) of one method for N images."""

    method: str
    maps: torch.Tensor


def _captum_method(model: nn.Module, method: str):
    # Imported here: Captum (and matplotlib, which it pulls in) is only needed when maps are asked for.
    from captum.attr import IntegratedGradients, NoiseTunnel, Saliency

    if method == "gradient":
        return Saliency(model)
    if method == "smoothgrad":
        return NoiseTunnel(Saliency(model))
    if method == "integrated-gradients":
        return IntegratedGradients(model)
    raise ValueError(f"Unknown attribution method {method!r}; choose one of {', '.join(METHODS)}")


def attribution(model: nn.Module, x: torch.Tensor, target: torch.Tensor, method: str, *, seed: int = 0) -> Attribution:
    """Absolute attribution of class ``target[i]`` for image ``x[i]``, summed over channels (N×H×W)."""
    explainer = _captum_method(model, method)
    x = x.detach().clone().requires_grad_(True)  # Captum warns when it has to set this itself
    target = target.detach().long()
    with model_mode(model, "eval"), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if method == "gradient":
            attr = explainer.attribute(x, target=target, abs=True)
        elif method == "smoothgrad":
            attr = explainer.attribute(
                x,
                nt_type="smoothgrad",
                nt_samples=SMOOTHGRAD_SAMPLES,
                nt_samples_batch_size=SMOOTHGRAD_SAMPLES * 4,
                stdevs=SMOOTHGRAD_NOISE,
                target=target,
                abs=True,
            )
        else:
            attr = explainer.attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=IG_STEPS).abs()
    return Attribution(method, attr.detach().sum(dim=1).float())


def stroke_mask(x: torch.Tensor) -> torch.Tensor:
    """N×H×W booleans: the pixels of the digit's strokes (mean over channels above mid-grey)."""
    return x.detach().mean(dim=1) > STROKE_LEVEL


def inside_fraction(maps: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per image, the share of the attribution mass on the strokes (N values in [0, 1]).

    A map that is zero everywhere (a dead gradient) has no mass to place and counts as 0, not as NaN.
    """
    mass = maps.flatten(1)
    inside = (mass * stroke_mask(x).flatten(1)).sum(1)
    total = mass.sum(1)
    return torch.where(total > 0, inside / total.clamp_min(1e-30), torch.zeros_like(total))


def _normalised(maps: torch.Tensor) -> np.ndarray:
    """Each map scaled to its own maximum, for drawing (the fractions are computed before this)."""
    peak = maps.flatten(1).amax(1).clamp_min(1e-12).view(-1, 1, 1)
    return (maps / peak).clamp_(0, 1).numpy().astype(np.float32)


def predicted(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with model_mode(model, "eval"), torch.no_grad():
        return model(x).argmax(1)


def explain_pair(
    model: nn.Module,
    name: str,
    clean: torch.Tensor,
    attacked: torch.Tensor,
    label: int,
    *,
    seed: int = 0,
    cancel: CancelToken | None = None,
) -> SaliencyPanel:
    """One model's maps for one image before and after an attack: every method, for the true class
    and for the class the model predicts on each image (C×H×W inputs)."""
    images = torch.stack([clean, attacked])
    preds = predicted(model, images)
    true = torch.full((2,), int(label), dtype=torch.long)
    maps = np.zeros((len(METHODS), 2, 2, *images.shape[2:]), dtype=np.float32)  # method, image, class
    inside = np.zeros((len(METHODS), 2, 2), dtype=np.float32)
    for m, method in enumerate(METHODS):
        check_cancel(cancel)
        for k, target in enumerate((true, preds)):  # the true class, the predicted class: the same noise
            result = attribution(model, images, target, method, seed=seed)
            maps[m, :, k] = _normalised(result.maps)
            inside[m, :, k] = inside_fraction(result.maps, images).numpy()
    return SaliencyPanel(
        model=name,
        methods=METHODS,
        images=frozen_array(images.numpy().astype(np.float32)),
        predictions=(int(preds[0]), int(preds[1])),
        maps=frozen_array(maps),
        inside=frozen_array(inside),
    )


def saliency_summary(
    models: Sequence[tuple[str, nn.Module]],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    methods: Sequence[str] = METHODS,
    batch_size: int = 256,
    seed: int = 0,
    cancel: CancelToken | None = None,
) -> SaliencySummary:
    """Mean inside-the-strokes fraction of each model's attribution of the true class over images x.

    The true class (not the prediction) is explained so every model answers the same question on the
    same pixels; the fraction of the stroke pixels themselves is reported as the chance level (a map
    spread evenly over the image would score it).
    """
    fractions = np.zeros((len(models), len(methods)), dtype=np.float64)
    for i, (_name, model) in enumerate(models):
        for j, method in enumerate(methods):
            total = 0.0
            for start in range(0, len(x), batch_size):
                check_cancel(cancel)
                xb, yb = x[start : start + batch_size], y[start : start + batch_size]
                result = attribution(model, xb, yb, method, seed=seed + start)
                total += float(inside_fraction(result.maps, xb).sum())
            fractions[i, j] = total / max(1, len(x))
    chance = float(stroke_mask(x).float().mean()) if len(x) else 0.0
    return SaliencySummary(
        models=tuple(name for name, _ in models),
        methods=tuple(methods),
        inside=tuple(tuple(float(v) for v in row) for row in fractions),
        chance=chance,
        n=len(x),
    )


@dataclass(frozen=True)
class SaliencyExamples:
    """Maps of a few images for the reports: ``maps[model, method, image]`` (H×W, scaled to its maximum)."""

    images: np.ndarray  # N×C×H×W
    labels: np.ndarray  # N
    models: tuple[str, ...]
    methods: tuple[str, ...]
    maps: np.ndarray  # models×methods×N×H×W


REPORT_IMAGES = 200  # images the reports' inside-the-strokes figures average over (seconds on 28×28 MNIST)


def report_saliency(
    models: Sequence[tuple[str, nn.Module]], x: torch.Tensor, y: torch.Tensor, examples: int = 4, seed: int = 0
) -> tuple[SaliencySummary, SaliencyExamples]:
    """What a report shows: the figures over (up to) REPORT_IMAGES images and the maps of the first few."""
    x, y = x[:REPORT_IMAGES], y[:REPORT_IMAGES]
    summary = saliency_summary(models, x, y, seed=seed)
    xe, ye = x[:examples], y[:examples]
    maps = np.stack(
        [
            np.stack([_normalised(attribution(m, xe, ye, method, seed=seed).maps) for method in METHODS])
            for _, m in models
        ]
    )
    return summary, SaliencyExamples(
        xe.numpy().astype(np.float32), ye.numpy(), tuple(n for n, _ in models), METHODS, maps
    )
