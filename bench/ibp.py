"""Cost of certified (IBP) training and of certification against a plain training step, same process.

    python bench/ibp.py              # small-cnn on MNIST-sized images (28×28), batch 128
    python bench/ibp.py --model seed-cnn --batch-size 256 --threads 2

Reports images/s of: a plain training step (CE on the clean batch), an IBP training step as the trainer
makes it (clean CE + CE of the worst-case logits, engine.certify), and certification alone (no gradient).
An IBP step passes the network three times (clean, centre, radius), so about 3× a plain step is the floor.
Each figure is the best of ``--repeats`` interleaved runs, so a busy machine hurts all sides alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.certify import certified_mask, worst_case_logits  # noqa: E402
from engine.config import ModelConfig  # noqa: E402
from engine.models import build_model  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="small-cnn", choices=("mlp", "seed-cnn", "small-cnn"))
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build_model(ModelConfig(a.model), (1, 28, 28), 10, (0.13,), (0.31,))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.rand(a.batch_size, 1, 28, 28), torch.randint(0, 10, (a.batch_size,))

    def plain() -> None:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def ibp() -> None:
        loss = 0.5 * F.cross_entropy(model(x), y) + 0.5 * F.cross_entropy(worst_case_logits(model, x, y, 0.1), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def certify() -> None:
        certified_mask(model, x, y, 0.1, batch_size=a.batch_size)

    cases = {"plain step": plain, "IBP step": ibp, "certification": certify}
    best = dict.fromkeys(cases, float("inf"))
    for fn in cases.values():
        fn()  # warm-up
    for _ in range(a.repeats):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    print(f"{a.model}, batch {a.batch_size}, {a.threads} thread(s), best of {a.repeats}:")
    for name, seconds in best.items():
        ratio = seconds / best["plain step"]
        print(f"  {name:14s} {a.batch_size / seconds:8.0f} images/s  ({ratio:.2f}× a plain step's time)")


if __name__ == "__main__":
    main()
