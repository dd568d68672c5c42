"""The models' faster layer order (max-pooling before an in-place ReLU) changes no number.

Each shipped architecture is rebuilt here in the textbook order (out-of-place ReLU, then pooling) with
the same weights; logits, input gradients (what every attack step uses) and weight gradients (what
training uses) must be equal bit for bit — on random images and on images that make pooling windows tie.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.config import ModelConfig
from engine.models import Normalize, build_model


def _textbook(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with each (MaxPool, ReLU) pair swapped back and every ReLU out of place."""
    net = model[1]

    def rebuild(seq: nn.Sequential) -> nn.Sequential:
        layers = list(seq)
        out: list[nn.Module] = []
        i = 0
        while i < len(layers):
            layer = layers[i]
            if isinstance(layer, nn.Sequential):
                out.append(rebuild(layer))
            elif isinstance(layer, nn.MaxPool2d) and i + 1 < len(layers) and isinstance(layers[i + 1], nn.ReLU):
                out += [nn.ReLU(), layer]  # the same positions, so the state dict's keys match
                i += 1
            elif isinstance(layer, nn.ReLU):
                out.append(nn.ReLU())
            else:
                out.append(layer)
            i += 1
        return nn.Sequential(*out)

    copy = nn.Sequential(Normalize((0.1307,), (0.3081,)), rebuild(net))
    copy.load_state_dict(model.state_dict(), strict=True)
    return copy.to(memory_format=torch.channels_last)


def _images() -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    random = torch.rand(12, 1, 28, 28, generator=g)
    flat = torch.full((4, 1, 28, 28), 0.5)  # every pooling window a tie
    blank = torch.zeros(4, 1, 28, 28)
    blocks = (torch.rand(4, 1, 7, 7, generator=g) > 0.5).float().repeat_interleave(4, 2).repeat_interleave(4, 3)
    return torch.cat([random, flat, blank, blocks])


@pytest.mark.parametrize("name", ["small-cnn", "seed-cnn", "mlp"])
def test_the_fast_layer_order_changes_no_number(name: str) -> None:
    torch.manual_seed(1)
    model = build_model(ModelConfig(name=name, dropout=0.25), (1, 28, 28), 10, (0.1307,), (0.3081,))
    reference = _textbook(model)
    assert any(isinstance(m, nn.ReLU) and m.inplace for m in model.modules())
    if name != "mlp":  # the swap really happened: a pooling layer directly before a ReLU
        body = list(model[1][0])
        assert any(isinstance(a, nn.MaxPool2d) and isinstance(b, nn.ReLU) for a, b in zip(body, body[1:], strict=False))
    x = _images()
    y = torch.arange(len(x)) % 10
    for mode in ("eval", "train"):
        model.train(mode == "train")
        reference.train(mode == "train")
        grads = []
        for net in (model, reference):
            net.zero_grad()
            xi = x.clone().requires_grad_(True)
            torch.manual_seed(2)  # the same dropout masks in training mode
            logits = net(xi)
            nn.functional.cross_entropy(logits, y).backward()
            grads.append((logits.detach(), xi.grad, [p.grad.clone() for p in net.parameters()]))
        (lf, gf, wf), (lr, gr, wr) = grads
        assert torch.equal(lf, lr), mode
        assert torch.equal(gf, gr), mode
        assert all(torch.equal(a, b) for a, b in zip(wf, wr, strict=True)), mode
        assert gf.abs().sum() > 0  # the comparison is not between two zero gradients
