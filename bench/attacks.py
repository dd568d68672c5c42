"""Attack and trainer speed against named references, measured in the same process.

    python bench/attacks.py            # MNIST from ../shared/data/mnist if present, else the built-in digits
    python bench/attacks.py --quick    # fewer images and one repetition (a smoke test, not a figure)
    python bench/attacks.py --art      # also ART's FGSM and PGD (slow), and torchattacks on the
                                       # default-layout copy of the model

1. FGSM and PGD-40 (L∞, ε = 0.1, step 2.5ε/40) on one FGSM-RS-trained small-cnn and 1,000 held-out
   images passed in one call: this engine against torchattacks on the very same model object
   (the reference of the ratios). A second torchattacks row feeds it the images in our engine's own
   pass size (``engine.attacks.pass_size``), to show how much of the lead is that choice alone.
2. Early-stop evaluation (our robust-accuracy mode: a sample stops being attacked once misclassified)
   against torchattacks' PGD-40 on an undefended small-cnn: same accuracy under attack (±0.2 points).
3. The trainer's images/s against a bare 20-line FGSM-RS loop on the same data, model and seed
   (target: under 5% overhead for the command queue, snapshots, metrics and gallery).
Each figure is the median of ``--repeats`` (default 5) interleaved repetitions, with the spread
(fastest–slowest) printed, so a busy moment hurts all sides alike; one torch thread unless --threads.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.attacks import fgsm, pass_size, pgd  # noqa: E402
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


def standard_model(split, epochs: int = 1):
    """An undefended small-cnn (plain cross-entropy), for the early-stop comparison."""
    torch.manual_seed(0)
    model = build_model(
        ModelConfig("small-cnn"), tuple(split.train_x.shape[1:]), split.num_classes, *channel_stats(split.train_x)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    x, y = split.train_x, split.train_y
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 128):
            idx = order[i : i + 128]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    return model.eval()


def in_chunks(fn, x, y, size: int):
    """``fn`` (a torchattacks attack) applied ``size`` images at a time."""
    return torch.cat([fn(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)])


def median_rows(impls: dict, x, y, model, repeats: int) -> dict[str, tuple[float, float, float, float]]:
    """Per implementation: (median images/s, slowest, fastest, accuracy under attack), interleaved."""
    times: dict[str, list[float]] = {name: [] for name in impls}
    accuracy = {}
    for _ in range(repeats):
        for name, fn in impls.items():
            torch.manual_seed(0)
            t0 = time.perf_counter()
            x_adv = fn()
            times[name].append(time.perf_counter() - t0)
            with torch.no_grad():
                accuracy[name] = (model(x_adv).argmax(1) == y).float().mean().item()
    return {
        name: (len(x) / statistics.median(v), len(x) / max(v), len(x) / min(v), accuracy[name])
        for name, v in times.items()
    }


def print_rows(title: str, rows: dict, reference: str) -> None:
    ref = rows[reference][0]
    print(title)
    for name, (rate, slow, fast, acc) in rows.items():
        print(
            f"  {name:34s} {rate:7.0f} img/s ({slow:5.0f}–{fast:5.0f})   ratio {rate / ref:5.2f}   "
            f"accuracy under attack {100 * acc:6.2f}%"
        )


def bench_attacks(model, undefended, x, y, repeats: int, art: bool, early_eps=(0.1, 0.3)) -> None:
    """``model`` is as the engine builds it (channels-last conv weights); torchattacks attacks that very
    object. ``--art`` adds ART and torchattacks on a default-layout copy (what most users have)."""
    import torchattacks

    eps, alpha, steps = 0.1, 2.5 * 0.1 / 40, 40
    chunk = pass_size(model, x)
    fgsm_rows = {
        "torchattacks, our model": lambda: torchattacks.FGSM(model, eps=eps)(x, y),
        f"torchattacks, our model, {chunk}/pass": lambda: in_chunks(torchattacks.FGSM(model, eps=eps), x, y, chunk),
        "ours": lambda: fgsm(model, x, y, eps),
    }
    pgd_rows = {
        "torchattacks, our model": lambda: torchattacks.PGD(model, eps=eps, alpha=alpha, steps=steps)(x, y),
        f"torchattacks, our model, {chunk}/pass": lambda: in_chunks(
            torchattacks.PGD(model, eps=eps, alpha=alpha, steps=steps), x, y, chunk
        ),
        "ours": lambda: pgd(model, x, y, eps, steps, alpha),
    }
    if art:
        from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescent
        from art.estimators.classification import PyTorchClassifier

        standard = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
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
        fgsm_rows["torchattacks, default layout"] = lambda: torchattacks.FGSM(standard, eps=eps)(x, y)
        fgsm_rows["ART"] = lambda: torch.from_numpy(art_fgsm.generate(xn, yn))
        pgd_rows["torchattacks, default layout"] = lambda: torchattacks.PGD(
            standard, eps=eps, alpha=alpha, steps=steps
        )(x, y)
        pgd_rows["ART"] = lambda: torch.from_numpy(art_pgd.generate(xn, yn))
    with torch.no_grad():
        clean = (model(x).argmax(1) == y).float().mean().item()
    head = f"{len(x)} images in one call, small-cnn, ε={eps}, median of {repeats} (slowest–fastest)"
    ref = "torchattacks, our model"
    print_rows(
        f"\nFGSM, FGSM-RS model (clean {100 * clean:.2f}%), {head}:", median_rows(fgsm_rows, x, y, model, repeats), ref
    )
    print_rows(f"\nPGD-40, FGSM-RS model, {head}:", median_rows(pgd_rows, x, y, model, repeats), ref)
    early_stop_rows(undefended, x, y, repeats, head, early_eps)


def early_stop_rows(undefended, x, y, repeats: int, head: str, eps_values=(0.1, 0.3)) -> None:
    """Early stop pays where images fall: at ε = 0.1 an undefended small-cnn keeps most of them, at 0.3
    (MNIST's usual threat model) it loses nearly all, so both are shown."""
    import torchattacks

    with torch.no_grad():
        clean_std = (undefended(x).argmax(1) == y).float().mean().item()
    steps = 40
    for eps in eps_values:
        alpha = 2.5 * eps / steps
        early = {
            "torchattacks PGD-40, same model": lambda e=eps, a=alpha: torchattacks.PGD(
                undefended, eps=e, alpha=a, steps=steps
            )(x, y),
            "ours PGD-40, early stop": lambda e=eps, a=alpha: pgd(undefended, x, y, e, steps, a, early_stop=True),
        }
        rows = median_rows(early, x, y, undefended, repeats)
        title = f"\nEarly-stop evaluation at ε={eps}, undefended model (clean {100 * clean_std:.2f}%), {head}:"
        print_rows(title, rows, next(iter(early)))


def bench_trainer(split, repeats: int, epochs: int = 1, images: int = 2000) -> None:
    x, y = split.train_x[:images], split.train_y[:images]
    split = dataclasses.replace(split, train_x=x, train_y=y)
    shape = tuple(x.shape[1:])
    cfg = RunConfig(
        model=ModelConfig("small-cnn"),
        attack=AttackConfig("fgsm-rs", 0.1),
        train=TrainConfig(epochs=epochs, gallery_every=25, eval_size=200),
    )
    bare_times, trainer_times = [], []
    for _ in range(repeats):
        torch.manual_seed(0)
        model = build_model(cfg.model, shape, split.num_classes, *channel_stats(x))
        bare_times.append(timed(lambda m=model: bare_fgsm_rs_loop(m, x, y, epochs, 0.1, 0)))
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
        trainer_times.append(t_last - t_first)
    n = len(x) * epochs
    bare_rate, trainer_rate = n / statistics.median(bare_times), n / statistics.median(trainer_times)
    print(f"\nTrainer vs bare FGSM-RS loop ({n} images, small-cnn, batch 128, median of {repeats}, interleaved):")
    print(f"  bare loop {bare_rate:8.0f} img/s ({n / max(bare_times):.0f}–{n / min(bare_times):.0f})")
    print(
        f"  trainer   {trainer_rate:8.0f} img/s ({n / max(trainer_times):.0f}–{n / min(trainer_times):.0f})   "
        f"ratio {trainer_rate / bare_rate:5.3f}  (overhead {100 * (1 - trainer_rate / bare_rate):+.1f}%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--art", action="store_true", help="also ART and torchattacks on a default-layout copy")
    parser.add_argument("--only-early-stop", action="store_true", help="only the early-stop rows")
    parser.add_argument(
        "--early-eps", type=float, nargs="+", default=[0.1, 0.3], help="ε of the early-stop rows (default 0.1 0.3)"
    )
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
    repeats = args.repeats or (1 if args.quick else 5)
    split = load_data()
    print(
        f"dataset {split.name}: {len(split.train_x)} train, {len(split.test_x)} held out; "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    undefended = standard_model(split)
    n = 200 if args.quick else 1000
    if args.only_early_stop:
        head = f"{n} images in one call, small-cnn, median of {repeats} (slowest–fastest)"
        early_stop_rows(undefended, split.test_x[:n], split.test_y[:n], repeats, head, tuple(args.early_eps))
        return 0
    model = trained_model(split, epochs=1 if args.quick else 2)
    bench_attacks(model, undefended, split.test_x[:n], split.test_y[:n], repeats, args.art, tuple(args.early_eps))
    bench_trainer(split, repeats, images=500 if args.quick else 2000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
