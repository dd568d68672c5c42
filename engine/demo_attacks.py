"""The first-minute attacks: one drawn image predicted and attacked, and how often the shipped attack
fools a model (the figures in resources/models/*/summary.json). Runs in the engine process only.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.attacks import attack
from engine.config import AttackConfig
from engine.demo import DEMO_ATTACK
from engine.messages import Prediction


def _as_batch(image: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.array(image, dtype=np.float32))  # a copy: the image may be a read-only snapshot
    while x.ndim < 4:
        x = x.unsqueeze(0)
    return x.clamp(0.0, 1.0)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@torch.no_grad()
def predict_image(model: nn.Module, image: np.ndarray) -> Prediction:
    """Class probabilities for one image (H×W or C×H×W, values in [0, 1])."""
    probs = F.softmax(model(_as_batch(image)), 1)[0].numpy()
    return Prediction(_frozen(probs.astype(np.float32)), int(probs.argmax()))


def attack_image(
    model: nn.Module, image: np.ndarray, cfg: AttackConfig = DEMO_ATTACK, label: int | None = None
) -> tuple[np.ndarray, Prediction]:
    """The adversarial version of one image (against ``label``, default: the model's own answer)."""
    x = _as_batch(image)
    if label is None:
        label = predict_image(model, image).label
    x_adv = attack(model, x, torch.tensor([label]), cfg, mode="eval")
    adv = x_adv[0].numpy().astype(np.float32)
    return _frozen(adv), predict_image(model, adv)


def fooled_fraction(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig = DEMO_ATTACK) -> dict:
    """Of the images the model gets right, the share the attack turns wrong; and the clean accuracy."""
    from engine.evaluate import adversarial_examples, correct_mask, predict

    torch.manual_seed(0)
    right = correct_mask(model, x, y)
    x_adv = adversarial_examples(model, x[right], y[right], cfg)
    still = predict(model, x_adv).argmax(1).cpu() == y[right].cpu()
    n_right = int(right.sum())
    return {
        "n": len(x),
        "clean_accuracy": n_right / max(1, len(x)),
        "fooled_fraction": float((~still).float().mean()) if n_right else float("nan"),
        "attack": cfg.name,
        "eps": cfg.eps,
        "steps": cfg.steps,
    }
