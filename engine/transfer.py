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
from pathlib import Path
from typing import Any

import torch
from torch import nn

from engine.attacks import check_cancel
from engine.checkpoints import load_model
from engine.config import AttackConfig, ConfigError
from engine.evaluate import adversarial_examples, correct_mask, predict
from engine.messages import CancelToken, TransferMatrix


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


def runs_on_shared_images(
    paths: Sequence[str | Path], limit: int = 500
) -> tuple[list[tuple[str, nn.Module]], torch.Tensor, torch.Tensor]:
    """Each run's model (named by its folder) and the first run's held-out images, which all of them must
    classify (same dataset, same image size, same classes): what comparing models on the same images needs."""
    from engine.data import load_dataset

    loaded = [load_model(p) for p in paths]
    first = loaded[0][0].data
    for p, (config, _, names) in zip(paths, loaded, strict=True):
        data = config.data
        same = (data.name, data.data_dir, data.file, data.image_size) == (
            first.name,
            first.data_dir,
            first.file,
            first.image_size,
        )
        if not same or len(names) != len(loaded[0][2]):
            raise ConfigError(
                "Run {run} was trained on other data ({dataset}) than {first} ({first_dataset}): "
                "comparing them needs the same images.",
                run=Path(p).name,
                dataset=data.name,
                first=Path(paths[0]).name,
                first_dataset=first.name,
            )
    split = load_dataset(dataclasses.replace(first, limit_holdout=limit or None))
    x, y = split.test_x[: limit or None], split.test_y[: limit or None]
    return [(Path(p).name, model) for p, (_, model, _) in zip(paths, loaded, strict=True)], x, y


def transfer_between_runs(
    paths: Sequence[str | Path],
    cfg: AttackConfig,
    limit: int = 500,
    seed: int = 0,
    cancel: CancelToken | None = None,
    progress: Any = None,
) -> Any:
    """Adversarial examples made on each run's model, scored on every other (engine.transfer).

    All runs must classify the same data: the held-out images of the first run are used.
    """
    if len(paths) < 2:
        raise ConfigError("Choose at least two runs to measure transfer between them.")
    models, x, y = runs_on_shared_images(paths, limit)
    cfg.validate()
    return transfer_matrix(models, x, y, cfg, seed=seed, cancel=cancel, progress=progress)
