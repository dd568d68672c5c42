"""Attack and trainer speed against named references, measured in the same process.

    python bench/attacks.py            # MNIST from ../shared/data/mnist if present, else the built-in digits
    python bench/attacks.py --quick    # smaller batch and fewer repeats

1. FGSM and PGD-40 (L∞, ε = 0.1, step 0.01) on one trained small-cnn and one batch of held-out
   images: this engine against torchattacks and ART (adversarial-robustness-toolbox), images/s and
   the ratio to torchattacks. "early stop" is our evaluation mode that stops attacking a sample once
   it is misclassified (same robust accuracy or lower, less work).
2. The trainer's images/s against a bare 20-line FGSM-RS loop on the same data, model and seed
   (target: under 5% overhead for the command queue, snapshots, metrics and gallery).
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

from engine.attacks import fgsm, pgd  # noqa: E402
from engine.config import AttackConfig, DataConfig, ModelConfig, RunConfig, TrainConfig  # noqa: E402
from engine.data import load_dataset  # noqa: E402
from engine.messages import EpochMetrics, RunStarted, StepMetrics  # noqa: E402
from engine.models import build_model, channel_stats  # noqa: E402
from engine.trainer import train  # noqa: E402


def load_data():
    mnist = ROOT.parent / "shared" / "data" / "mnist"
    if (mnist / "t10k-images-idx3-ubyte.gz").is_file():
        return load_dataset(DataConfig("mnist", str(mnist)))
    print("(shared MNIST files not found: using the built-in digits)")
    return load_dataset(DataConfig("digits"))


def trained_model(split, epochs: int):
    """small-cnn, FGSM-RS trained by the reference loop (so attacks do not all succeed in one step)."""
    torch.manual_seed(0)
    model = build_model(
        ModelConfig("small-cnn"), tuple(split.train_x.shape[1:]), split.num_classes, *channel_stats(split.train_x)
    )
    bare_fgsm_rs_loop(model, split.train_x, split.train_y, epochs=epochs, eps=0.1, seed=0)
    return model.eval()


def bare_fgsm_rs_loop(model, x, y, epochs, eps, seed, batch_size=128, lr=1e-3):
    """The reference: plain FGSM-RS adversarial training, L = CE(x) + CE(x_adv), nothing else."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch_size):
            xb, yb = x[order[i : i + batch_size]], y[order[i : i + batch_size]]
            delta = torch.empty_like(xb).uniform_(-eps, eps)
            start = (xb + delta).clamp(0, 1).requires_grad_(True)
            model.train()
            (g,) = torch.autograd.grad(F.cross_entropy(model(start), yb, reduction="sum"), start)
            x_adv = torch.min(torch.max(start.detach() + 1.25 * eps * g.sign(), xb - eps), xb + eps).clamp(0, 1)
            loss = F.cross_entropy(model(xb), yb) + F.cross_entropy(model(x_adv), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n += len(xb)
    return n


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_attacks(model, x, y, repeats: int) -> None:
    """``model`` is as the engine builds it (channels-last conv weights); ``standard`` is the same
    weights in PyTorch's default layout, which is what a torchattacks or ART user usually has."""
    import copy

    import torchattacks
    from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescent
    from art.estimators.classification import PyTorchClassifier

    standard = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    eps, alpha, steps = 0.1, 0.01, 40
    art_clf = PyTorchClassifier(
        standard,
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=tuple(x.shape[1:]),
        nb_classes=int(y.max()) + 1,
        clip_values=(0.0, 1.0),
        device_type="cpu",
    )
    xn, yn = x.numpy(), y.numpy()
    art_fgsm = FastGradientMethod(art_clf, eps=eps, batch_size=len(x))
    art_pgd = ProjectedGradientDescent(
        art_clf, eps=eps, eps_step=alpha, max_iter=steps, num_random_init=1, batch_size=len(x), verbose=False
    )
    runs = {
        "FGSM": {
            "torchattacks": lambda: torchattacks.FGSM(standard, eps=eps)(x, y),
            "torchattacks, our model": lambda: torchattacks.FGSM(model, eps=eps)(x, y),
            "ART": lambda: torch.from_numpy(art_fgsm.generate(xn, yn)),
            "ours": lambda: fgsm(model, x, y, eps),
        },
        "PGD-40": {
            "torchattacks": lambda: torchattacks.PGD(standard, eps=eps, alpha=alpha, steps=steps)(x, y),
            "torchattacks, our model": lambda: torchattacks.PGD(model, eps=eps, alpha=alpha, steps=steps)(x, y),
            "ART": lambda: torch.from_numpy(art_pgd.generate(xn, yn)),
            "ours": lambda: pgd(model, x, y, eps, steps, alpha),
            "ours, early stop": lambda: pgd(model, x, y, eps, steps, alpha, early_stop=True),
        },
    }
    with torch.no_grad():
        clean = (model(x).argmax(1) == y).float().mean().item()
    print(
        f"\nAttack speed on {len(x)} images, small-cnn, ε={eps} (clean accuracy {clean:.3f}); "
        f"best of {repeats}, images/s; ratio = this row / torchattacks on the standard-layout model"
    )
    for attack_name, impls in runs.items():
        best = {name: float("inf") for name in impls}
        accuracy = {}
        for _ in range(repeats):
            for name, fn in impls.items():
                t0 = time.perf_counter()
                x_adv = fn()
                best[name] = min(best[name], time.perf_counter() - t0)
                with torch.no_grad():
                    accuracy[name] = (model(x_adv).argmax(1) == y).float().mean().item()
        ref = len(x) / best["torchattacks"]
        for name, seconds in best.items():
            rate = len(x) / seconds
            print(
                f"  {attack_name:7s} {name:24s} {rate:8.0f} img/s   ratio {rate / ref:5.2f}   "
                f"accuracy under attack {accuracy[name]:.3f}"
            )


def bench_trainer(split, repeats: int, epochs: int = 1) -> None:
    x, y = split.train_x, split.train_y
    shape = tuple(x.shape[1:])
    cfg = RunConfig(
        model=ModelConfig("small-cnn"),
        attack=AttackConfig("fgsm-rs", 0.1),
        train=TrainConfig(epochs=epochs, gallery_every=25, eval_size=200),
    )
    best_bare, best_trainer = float("inf"), float("inf")
    for _ in range(repeats):
        torch.manual_seed(0)
        model = build_model(cfg.model, shape, split.num_classes, *channel_stats(x))
        best_bare = min(best_bare, timed(lambda m=model: bare_fgsm_rs_loop(m, x, y, epochs, 0.1, 0)))
        # Trainer: from its first step to its last step (the held-out evaluation after each epoch is extra
        # work the bare loop does not do, so it is left out); snapshots, gallery and commands included.
        t_first = t_last = None
        t_start = time.perf_counter()
        for m in train(cfg, dataset=split):
            if isinstance(m, RunStarted):
                t_start = time.perf_counter()
            if isinstance(m, StepMetrics):
                t_last = time.perf_counter()
                t_first = t_first or t_start
            if isinstance(m, EpochMetrics):
                break
        best_trainer = min(best_trainer, t_last - t_first)
    n = len(x) * epochs
    bare_rate, trainer_rate = n / best_bare, n / best_trainer
    print(f"\nTrainer vs bare FGSM-RS loop ({n} images, small-cnn, batch 128, best of {repeats}):")
    print(f"  bare loop {bare_rate:8.0f} img/s")
    print(
        f"  trainer   {trainer_rate:8.0f} img/s   ratio {trainer_rate / bare_rate:5.3f}  "
        f"(overhead {100 * (1 - trainer_rate / bare_rate):+.1f}%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: steadier figures on a shared 2-core machine)",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = args.repeats or (1 if args.quick else 3)
    split = load_data()
    print(
        f"dataset {split.name}: {len(split.train_x)} train, {len(split.test_x)} held out; "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    model = trained_model(split, epochs=1 if args.quick else 2)
    n = 200 if args.quick else 1000
    bench_attacks(model, split.test_x[:n], split.test_y[:n], repeats)
    bench_trainer(split, repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
