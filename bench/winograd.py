"""A measured and rejected idea: small-cnn's 3×3 convolutions as Winograd F(4×4, 3×3) in PyTorch ops.

    python bench/winograd.py            # 512 random 28×28 images, one thread, median of 5 interleaved

An attack step is a forward and an input-gradient pass, and in fp32 on a CPU those are small-cnn's
convolutions running near the core's arithmetic peak (README, "Attack speed"). Winograd's F(4×4, 3×3)
computes a 3×3 convolution with 4× fewer multiplications (Lavin & Gray, 2016): 36 batched matrix products
between transformed 6×6 input tiles and transformed weights. oneDNN does not offer it to PyTorch on these
CPUs, so this script writes it with PyTorch's own ops (the backward pass is autograd's, through the same
products) and times a forward+input-gradient pass of the same weights both ways. It prints the largest
difference in the logits (fp32 rounding) and image-steps per second against the engine's model (the
reference, oneDNN's direct convolution). On 2026-12-07 (2-core Xeon, one thread, quiet) it ran at 0.34× the
reference (430 against 1,273 image-steps/s, median of 5; logits within 2e-8): the tile transforms and the
36 small matrix products cost more than the multiplications they save, so the engine does not use it.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import ModelConfig  # noqa: E402
from engine.models import build_model  # noqa: E402

# F(4×4, 3×3): input transform Bᵀ, filter transform G, output transform Aᵀ.
BT = torch.tensor(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    dtype=torch.float64,
)
G = torch.tensor(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    dtype=torch.float64,
)
AT = torch.tensor(
    [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], dtype=torch.float64
)
KB = torch.kron(BT, BT).float()  # vec(Bᵀ d B) = KB · vec(d)
KA = torch.kron(AT, AT).float()  # vec(Aᵀ m A) = KA · vec(m)


class WinogradConv(nn.Module):
    """A 3×3, stride-1, padding-1 convolution with the weights of ``conv``, as F(4×4, 3×3)."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        w = conv.weight.detach().double()  # out × in × 3 × 3
        u = torch.einsum("ai,ocij,bj->aboc", G, w, G)  # 6 × 6 × out × in
        self.u = u.reshape(36, u.shape[2], u.shape[3]).transpose(1, 2).contiguous().float()  # 36 × in × out
        self.bias = conv.bias.detach().clone() if conv.bias is not None else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        th, tw = (h + 3) // 4, (w + 3) // 4
        padded = F.pad(x.permute(0, 2, 3, 1), (0, 0, 1, 1 + 4 * tw - w, 1, 1 + 4 * th - h))
        tiles = padded.unfold(1, 6, 4).unfold(2, 6, 4)  # n × th × tw × c × 6 × 6
        d = tiles.permute(4, 5, 0, 1, 2, 3).reshape(36, -1)
        v = (KB @ d).view(36, n * th * tw, c)
        m = torch.bmm(v, self.u)  # 36 × tiles × out
        out = m.shape[2]
        y = (KA @ m.view(36, -1)).view(4, 4, n, th, tw, out)
        y = y.permute(2, 3, 0, 4, 1, 5).reshape(n, 4 * th, 4 * tw, out)[:, :h, :w]
        if self.bias is not None:
            y = y + self.bias
        return y.permute(0, 3, 1, 2)


def winograd_copy(model: nn.Module) -> nn.Module:
    """The model with every 3×3 stride-1 padding-1 convolution but the first (one input channel) replaced."""
    out = copy.deepcopy(model)
    for name, module in list(out.named_modules()):
        if isinstance(module, nn.Conv2d) and module.kernel_size == (3, 3) and module.in_channels > 1:
            parent = out.get_submodule(name.rsplit(".", 1)[0])
            setattr(parent, name.rsplit(".", 1)[1], WinogradConv(module))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--pass-size", type=int, default=64, help="images per pass (the engine's for small-cnn)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model(ModelConfig(name="small-cnn"), (1, 28, 28), 10).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    wino = winograd_copy(model)
    x = torch.rand(args.images, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (args.images,))
    with torch.no_grad():
        diff = float((model(x[:64]) - wino(x[:64])).abs().max())

    def passes(m: nn.Module) -> None:
        for i in range(0, len(x), args.pass_size):
            xi = x[i : i + args.pass_size].clone().requires_grad_(True)
            loss = F.cross_entropy(m(xi), y[i : i + args.pass_size], reduction="sum")
            torch.autograd.grad(loss, xi)

    ways = {"oneDNN direct convolution (reference)": model, "Winograd F(4x4,3x3) in PyTorch ops": wino}
    speeds: dict[str, list[float]] = {k: [] for k in ways}
    for m in ways.values():
        passes(m)  # warm-up
    for _ in range(args.repeats):
        for name, m in ways.items():
            t0 = time.perf_counter()
            passes(m)
            speeds[name].append(args.images / (time.perf_counter() - t0))
    ref = statistics.median(speeds["oneDNN direct convolution (reference)"])
    print(f"largest logit difference: {diff:.2e}; one thread, {args.pass_size} images a pass, median of {args.repeats}")
    for name, values in speeds.items():
        med = statistics.median(values)
        print(f"  {name:40s} {med:7.0f} image-steps/s ({min(values):.0f}–{max(values):.0f})  {med / ref:5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
