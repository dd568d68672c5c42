"""Model registry. Every model takes images in [0, 1] and normalises inside, so attacks, the
exported program and any outside tool all work in the same pixel space."""

from __future__ import annotations

import torch
from torch import nn

from engine.config import ConfigError, ModelConfig


class Normalize(nn.Module):
    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def _flat_features(body: nn.Module, shape: tuple[int, int, int]) -> int:
    with torch.no_grad():
        return int(body(torch.zeros(1, *shape)).numel())


def _relu() -> nn.ReLU:
    """An in-place ReLU, placed after a max-pooling that follows it in the usual drawing of a network.

    Both leave every number as it was and make each forward/backward pass — what training and every
    attack step are made of — about a fifth faster on CPU (bench/attacks.py): the ReLU and its backward
    were a fifth of a small-cnn step, streaming full-resolution activations through memory. Max-pooling
    and ReLU commute exactly (max(relu(a), relu(b)) = relu(max(a, b)), and the gradient reaches the same
    pixel either way), so the ReLU can act on the pooled tensor, a quarter the size; in place, it
    allocates nothing. Parameters keep their positions, so checkpoints saved before load unchanged
    (tests/engine/test_models.py holds both orders to the same logits and input gradients, bit for bit).
    """
    return nn.ReLU(inplace=True)


def seed_cnn(shape, num_classes, dropout):
    """The brief's design: Conv 32 3×3, ReLU, MaxPool 2, Flatten, Linear (pooling before the ReLU: see _relu)."""
    body = nn.Sequential(nn.Conv2d(shape[0], 32, 3), nn.MaxPool2d(2), _relu(), nn.Flatten())
    return nn.Sequential(body, nn.Dropout(dropout), nn.Linear(_flat_features(body, shape), num_classes))


def mlp(shape, num_classes, dropout):
    n = shape[0] * shape[1] * shape[2]
    return nn.Sequential(nn.Flatten(), nn.Linear(n, 128), _relu(), nn.Dropout(dropout), nn.Linear(128, num_classes))


def small_cnn(shape, num_classes, dropout):
    """Two conv blocks and a wide head: about 99% clean on MNIST in a few epochs."""
    body = nn.Sequential(
        nn.Conv2d(shape[0], 32, 3, padding=1),
        _relu(),
        nn.Conv2d(32, 32, 3, padding=1),
        nn.MaxPool2d(2),  # before the ReLU: see _relu
        _relu(),
        nn.Conv2d(32, 64, 3, padding=1),
        _relu(),
        nn.Conv2d(64, 64, 3, padding=1),
        nn.MaxPool2d(2),
        _relu(),
        nn.Flatten(),
    )
    return nn.Sequential(
        body, nn.Linear(_flat_features(body, shape), 128), _relu(), nn.Dropout(dropout), nn.Linear(128, num_classes)
    )


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


def resnet(shape, num_classes, dropout, width: int = 32):
    """A small ResNet (3 stages of 2 basic blocks) for CIFAR-10-sized images."""
    layers: list[nn.Module] = [nn.Conv2d(shape[0], width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), _relu()]
    cin = width
    for i, cout in enumerate((width, 2 * width, 4 * width)):
        layers += [BasicBlock(cin, cout, 1 if i == 0 else 2), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(cin, num_classes)]
    return nn.Sequential(*layers)


BUILDERS = {"seed-cnn": seed_cnn, "mlp": mlp, "small-cnn": small_cnn, "resnet": resnet}


def build_model(
    cfg: ModelConfig,
    shape: tuple[int, int, int],
    num_classes: int,
    mean: tuple[float, ...] | None = None,
    std: tuple[float, ...] | None = None,
) -> nn.Module:
    """The classifier behind a Normalize layer (per-channel mean/std; identity when not given).

    Conv weights are kept channels-last: on CPU (oneDNN) that makes the forward and backward passes
    that training and every attack are made of about a quarter faster (bench/attacks.py), with the
    same results up to float rounding.
    """
    cfg.validate()
    if cfg.name not in BUILDERS:
        raise ConfigError("Unknown model '{name}'.", name=cfg.name)
    channels = shape[0]
    mean = mean or (0.0,) * channels
    std = std or (1.0,) * channels
    model = nn.Sequential(Normalize(mean, std), BUILDERS[cfg.name](shape, num_classes, cfg.dropout))
    return model.to(memory_format=torch.channels_last)


def set_dropout(model: nn.Module, p: float) -> None:
    """Dropout is a live knob: change p in place on every Dropout layer."""
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = p


def channel_stats(x: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of training images, used for the model's Normalize layer."""
    mean = x.mean(dim=(0, 2, 3))
    std = x.std(dim=(0, 2, 3)).clamp_min(1e-3)
    return tuple(float(v) for v in mean), tuple(float(v) for v in std)


def model_device(model: nn.Module) -> torch.device:
    """Where a model's tensors live; CPU for a model with no parameters or buffers (a loaded graph may have
    none), instead of the StopIteration that ``next(model.parameters())`` raises."""
    for parameter in model.parameters():
        return parameter.device
    for buffer in model.buffers():
        return buffer.device
    return torch.device("cpu")
