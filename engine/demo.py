"""The first minute: where the shipped models are and which attack shows them off.

Plain Python (no torch), so the window's process can name the shipped models; the predictions and
attacks on them run in the engine process (engine.demo_attacks).
"""

from __future__ import annotations

from pathlib import Path

from engine.config import AttackConfig
from engine.runs import RunError
from resources import resource_path

MODELS_DIR = resource_path("models")
DEMO_MODELS = {"standard": MODELS_DIR / "digits-standard", "robust": MODELS_DIR / "digits-robust"}
SHIPPED_IMAGE_SHAPE = (1, 8, 8)  # what the shipped models read: the embedded 8×8 digits

# The first-minute attack: PGD with 10 steps at ε = 0.2 (51/255) on the 8×8 digits. Measured by
# ``python -m engine.demo_models --check``: it fools the standard model on most held-out digits and
# the adversarially trained one on few (figures in resources/models/*/summary.json).
DEMO_ATTACK = AttackConfig(name="pgd", eps=0.2, steps=10)


def demo_model_dir(kind: str = "standard") -> Path:
    if kind not in DEMO_MODELS:
        raise RunError("Unknown demo model '{kind}'. Choose standard or robust.", kind=kind)
    return DEMO_MODELS[kind]
