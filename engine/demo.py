"""The demo's engine side: the shipped models, one-image predictions and attacks, and models made elsewhere.

Everything that touches gradients stays here (the GUI only calls these functions with numpy arrays).
Loading a user's file never runs code from it: state dicts go through ``torch.load(weights_only=True)``
and ``.pt2`` files through ``torch.export.load``, which rebuilds a graph, not Python code.
"""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.attacks import attack
from engine.config import AttackConfig, ModelConfig
from engine.models import build_model
from engine.runs import RunError

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "resources" / "models"
DEMO_MODELS = {"standard": MODELS_DIR / "digits-standard", "robust": MODELS_DIR / "digits-robust"}

# The first-minute attack: PGD with 10 steps at ε = 0.2 (51/255) on the 8×8 digits. Measured by
# ``python -m engine.demo_models --check``: it fools the standard model on most held-out digits and
# the adversarially trained one on few (figures in resources/models/*/summary.json).
DEMO_ATTACK = AttackConfig(name="pgd", eps=0.2, steps=10)


def demo_model_dir(kind: str = "standard") -> Path:
    if kind not in DEMO_MODELS:
        raise RunError(f"Unknown demo model '{kind}'. Choose standard or robust.")
    return DEMO_MODELS[kind]


# ---------------------------------------------------------------------------- one image at a time
@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (num_classes,) float32, read-only
    label: int

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.label])


def _as_batch(image: np.ndarray) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(image, dtype=np.float32))
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


def attack_image(model: nn.Module, image: np.ndarray, cfg: AttackConfig = DEMO_ATTACK,
                 label: int | None = None) -> tuple[np.ndarray, Prediction]:
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
    return {"n": len(x), "clean_accuracy": n_right / max(1, len(x)),
            "fooled_fraction": float((~still).float().mean()) if n_right else float("nan"),
            "attack": cfg.name, "eps": cfg.eps, "steps": cfg.steps}


# ---------------------------------------------------------------------------- the user's own model
def _check_output(model: nn.Module, path: Path, shape: tuple[int, ...], num_classes: int) -> None:
    try:
        with torch.no_grad():
            out = model(torch.zeros(2, *shape))
    except Exception as exc:  # noqa: BLE001 - a foreign graph can fail in many ways; one message for the user
        raise RunError(f"The model in {path.name} cannot take {'×'.join(map(str, shape))} images "
                       f"(the current dataset's size): {str(exc).splitlines()[0][:200]}") from exc
    if not isinstance(out, torch.Tensor) or out.shape != (2, num_classes):
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise RunError(f"The model in {path.name} answers with {got} values per batch of 2, but the dataset has "
                       f"{num_classes} classes: it was made for other data.")


def _shape_mismatches(model: nn.Module, state: dict) -> list[str]:
    own = model.state_dict()
    lines = []
    for key, value in own.items():
        if key not in state:
            lines.append(f"'{key}' is missing from the file")
        elif tuple(state[key].shape) != tuple(value.shape):
            lines.append(f"'{key}' is {list(state[key].shape)} in the file but the model needs {list(value.shape)}")
    lines += [f"the file has '{k}', which the model does not" for k in state if k not in own]
    return lines


def load_user_model(path: str | Path, architecture: str, shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """A model from the user's file, ready to attack, in eval mode.

    ``.pt2``: a ``torch.export`` program, or a TorchScript file (any architecture). Otherwise a state
    dict (or a Robustness Lab checkpoint) for the built-in ``architecture``, with or without the leading
    Normalize layer.
    Raises RunError with a plain message when the file is unreadable or its shapes do not fit.
    """
    from engine.export import is_torchscript, load_model_file

    path = Path(path)
    if not path.is_file():
        raise RunError(f"There is no file {path}.")
    if path.suffix == ".pt2" or is_torchscript(path):
        model = load_model_file(path)
        _check_output(model, path, shape, num_classes)
        return model
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RunError(f"{path.name} is not a PyTorch weights file that can be opened safely: {first[:200]}") from exc
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]  # a Robustness Lab checkpoint
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise RunError(f"{path.name} does not hold a state dict (a table of named weight tensors).")
    model = build_model(ModelConfig(name=architecture), shape, num_classes)
    target: nn.Module = model if "0.mean" in state else model[1]  # with or without the Normalize layer
    problems = _shape_mismatches(target, state)
    if problems:
        size = "×".join(map(str, shape))
        raise RunError(f"The weights in {path.name} do not fit the '{architecture}' model for {size} images with "
                       f"{num_classes} classes: " + "; ".join(problems[:4])
                       + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "") + ".")
    target.load_state_dict(state)
    return model.eval()
