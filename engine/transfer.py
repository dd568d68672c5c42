"""Transferability: adversarial examples made on model A, evaluated on model B, for every pair.

``accuracy[i][j]`` is the accuracy of model j on the examples made on model i, counting a sample as
correct only if model j classifies both the clean and the adversarial image correctly (the same
definition as ``engine.evaluate.evaluate_model``). The diagonal is therefore the white-box robust
accuracy of each model; an off-diagonal cell far below its column's diagonal means the white-box
attack on model j is weaker than a transferred one, a sign of gradient masking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from engine.attacks import check_cancel
from engine.config import AttackConfig
from engine.evaluate import adversarial_examples, correct_mask, predict
from engine.messages import CancelToken


@dataclass(frozen=True)
class TransferMatrix:
    names: tuple[str, ...]
    attack: AttackConfig
    n: int
    clean_accuracy: tuple[float, ...]  # per model
    accuracy: tuple[tuple[float, ...], ...]  # [source][target]

    def whitebox(self) -> tuple[float, ...]:
        return tuple(self.accuracy[i][i] for i in range(len(self.names)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "attack": dataclasses.asdict(self.attack),
            "n": self.n,
            "clean_accuracy": list(self.clean_accuracy),
            "accuracy": [list(r) for r in self.accuracy],
        }


def transfer_matrix(
    models: Sequence[tuple[str, nn.Module]],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    batch_size: int = 500,
    seed: int = 0,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TransferMatrix:
    """Attack each model with ``cfg`` (full attack on every sample), then score every model on the result."""
    cfg.validate()
    names = tuple(name for name, _ in models)
    correct = [correct_mask(model, x, y) for _, model in models]
    rows = []
    for k, (_, source) in enumerate(models):
        check_cancel(cancel)
        if progress:
            progress(k, len(models))
        torch.manual_seed(seed)
        x_adv = adversarial_examples(source, x, y, cfg, batch_size, cancel)
        row = []
        for (_, target), ok in zip(models, correct, strict=True):
            still = predict(target, x_adv).argmax(1).cpu() == y.cpu()
            row.append(float((ok & still).float().mean()) if len(x) else float("nan"))
        rows.append(tuple(row))
    if progress:
        progress(len(models), len(models))
    clean = tuple(float(c.float().mean()) if len(x) else float("nan") for c in correct)
    return TransferMatrix(names, cfg, len(x), clean, tuple(rows))
