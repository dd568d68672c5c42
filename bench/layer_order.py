"""small-cnn's layer order (max-pooling before an in-place ReLU) against the textbook order, same weights.

    python bench/layer_order.py               # 512 random 28×28 images, one torch thread, median of 7
    python bench/layer_order.py --repeats 9 --threads 2

What every attack step and every training step is made of — a forward and a backward pass to the input,
``engine.attacks``' pass size a pass, parameters frozen — timed for the model as ``engine.models`` builds
it and for the same weights in the textbook order (Conv, ReLU, Conv, ReLU, MaxPool, …, out-of-place
ReLUs: how small-cnn was built before). Interleaved repetitions, median and spread printed; the two
models' input gradients are checked equal bit for bit before anything is timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.attacks import _input_grad  # noqa: E402
from engine.config import ModelConfig  # noqa: E402
from engine.models import Normalize, build_model  # noqa: E402


def textbook_small_cnn(model: nn.Module) -> nn.Module:
    """The reference: small-cnn in the usual order, with ``model``'s weights (the parameters sit at the
    same positions, so its state dict loads as it is)."""
    body = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
    )
    head = nn.Sequential(body, nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.0), nn.Linear(128, 10))
    reference = nn.Sequential(Normalize((0.0,), (1.0,)), head)
    reference.load_state_dict(model.state_dict(), strict=True)
    return reference.to(memory_format=torch.channels_last).eval()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--passes", type=int, default=8, help="forward+backward passes over the images per timing")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build_model(ModelConfig("small-cnn"), (1, 28, 28), 10, (0.1307,), (0.3081,)).eval()
    reference = textbook_small_cnn(model)
    x = torch.rand(args.images, 1, 28, 28)
    y = torch.randint(0, 10, (args.images,))
    if not torch.equal(_input_grad(model, x, y)[0], _input_grad(reference, x, y)[0]):
        sys.exit("the two orders gave different gradients: not timed")
    rates: dict[str, list[float]] = {"textbook order (reference)": [], "engine.models order": []}
    for _ in range(args.repeats):
        for name, net in zip(rates, (reference, model), strict=True):
            _input_grad(net, x, y)  # warm
            t0 = time.perf_counter()
            for _ in range(args.passes):
                _input_grad(net, x, y)
            rates[name].append(args.images * args.passes / (time.perf_counter() - t0))
    ref = statistics.median(rates["textbook order (reference)"])
    print(f"small-cnn forward+backward to the input, {args.threads} thread(s), median of {args.repeats} interleaved")
    for name, values in rates.items():
        med = statistics.median(values)
        print(f"  {name:28s} {med:7.0f} image-steps/s ({min(values):.0f}–{max(values):.0f})  {med / ref:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
