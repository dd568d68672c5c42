"""Data augmentation pipelines built with torchvision.transforms.v2 from an AugmentConfig."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torchvision.transforms.v2 as v2

from engine.config import AugmentConfig

Augment = Callable[[torch.Tensor], torch.Tensor]


def build_augment(cfg: AugmentConfig, image_size: tuple[int, int]) -> Augment | None:
    """A function batch -> batch, or None when every augmentation is off.

    v2 transforms draw one set of random parameters per call, so the geometric part is applied
    image by image (each image gets its own rotation, shift, flip and crop); the noise is drawn
    per pixel and can take the whole batch at once.
    """
    if not cfg.active:
        return None
    geometric: list[v2.Transform] = []
    if cfg.rotation or cfg.shift:
        geometric.append(v2.RandomAffine(degrees=cfg.rotation, translate=(cfg.shift, cfg.shift) if cfg.shift else None))
    if cfg.hflip:
        geometric.append(v2.RandomHorizontalFlip())
    if cfg.crop_padding:
        geometric.append(v2.RandomCrop(image_size, padding=cfg.crop_padding))
    geometry = v2.Compose(geometric) if geometric else None
    noise = v2.GaussianNoise(sigma=cfg.noise_std, clip=True) if cfg.noise_std else None

    def apply(batch: torch.Tensor) -> torch.Tensor:
        out = torch.stack([geometry(img) for img in batch]) if geometry else batch
        return noise(out) if noise else out

    return apply
