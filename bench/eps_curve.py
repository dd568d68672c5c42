"""Cost of an 8-ε accuracy-against-ε curve, against 8 separate robust-accuracy runs, in one process.

    python bench/eps_curve.py                  # MNIST from ../shared/data/mnist if present, else the built-in digits
    python bench/eps_curve.py --robust         # the same on an adversarially trained model (FGSM-RS, λ = 1)
    python bench/eps_curve.py --dataset digits --repeats 3

The reference is our own single-ε robust accuracy (PGD with early stop, only clean-correct images),
run separately at each ε — the fastest way to get one ε here, so the ratios are not flattered by a
slow reference. Printed: both times, the cost of one ε (the mean of the separate runs, and the dearest
one), and the curve's cost as a multiple of one ε (target: at most 3×) for the default bisection
search (``search="bisect"``: each image's first breaking ε) and for the ascending search (every ε in
turn, survivors only), with each curve's largest difference from the separate runs and, as the noise
floor, the largest difference between two separate runs with different seeds.
Each time is the best of ``--repeats`` interleaved runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.config import AttackConfig, DataConfig, ModelConfig, RunConfig, TrainConfig  # noqa: E402
from engine.data import load_dataset  # noqa: E402
from engine.evaluate import robust_accuracy  # noqa: E402
from engine.messages import RunFailed  # noqa: E402
from engine.runs import load_model  # noqa: E402
from engine.suite import attack_curve  # noqa: E402
from engine.trainer import train  # noqa: E402

EPS = (0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2)


def main() -> int:
    mnist = ROOT.parent / "shared" / "data" / "mnist"
    have_mnist = (mnist / "t10k-images-idx3-ubyte.gz").is_file()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=("digits", "mnist"), default="mnist" if have_mnist else "digits")
    p.add_argument("--n", type=int, default=1000, help="held-out images to attack")
    p.add_argument("--steps", type=int, default=20, help="PGD steps")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--robust", action="store_true", help="adversarially train the model first (FGSM-RS, λ = 1)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    data_cfg = DataConfig(
        a.dataset, str(mnist) if a.dataset == "mnist" else None, limit_train=10_000, limit_holdout=a.n
    )
    split = load_dataset(data_cfg)
    epochs = (1 if a.dataset == "mnist" else 8) * (3 if a.robust else 1)
    cfg = RunConfig(
        data=data_cfg,
        model=ModelConfig("seed-cnn"),
        attack=AttackConfig("fgsm-rs", eps=0.15) if a.robust else AttackConfig("none", eps=0.1),
        train=TrainConfig(
            epochs=epochs, lam=1.0 if a.robust else 0.0, lr=3e-3, gallery_every=0, eval_size=200, device="cpu"
        ),
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        last = list(train(cfg, run_dir=Path(tmp) / "run", dataset=split))[-1]
        if isinstance(last, RunFailed):
            print(last.message)
            return 1
        model = load_model(Path(tmp) / "run")[1]
    kind = "adversarially trained (FGSM-RS, ε = 0.15)" if a.robust else "standard"
    print(
        f"{a.dataset}: {kind} seed-cnn trained in {time.perf_counter() - t0:.1f}s, clean {last.clean_accuracy:.3f}; "
        f"attacking {len(split.test_x)} held-out images with PGD-{a.steps}, {a.threads} thread(s)"
    )
    x, y = split.test_x, split.test_y

    best = {"bisect": float("inf"), "ascending": float("inf")}
    best_single = [float("inf")] * len(EPS)
    curves: dict[str, tuple[float, ...]] = {}
    singles = [0.0] * len(EPS)
    for _ in range(a.repeats):
        for search in best:
            torch.manual_seed(0)
            t = time.perf_counter()
            curves[search] = attack_curve(model, x, y, "pgd", EPS, steps=a.steps, eps_search=search).accuracy
            best[search] = min(best[search], time.perf_counter() - t)
        for k, eps in enumerate(EPS):
            torch.manual_seed(0)
            t = time.perf_counter()
            singles[k] = robust_accuracy(model, x, y, AttackConfig("pgd", eps, a.steps))
            best_single[k] = min(best_single[k], time.perf_counter() - t)
    seed1 = []
    for eps in EPS:
        torch.manual_seed(1)
        seed1.append(robust_accuracy(model, x, y, AttackConfig("pgd", eps, a.steps)))
    separate = sum(best_single)
    mean_one, dearest = separate / len(EPS), max(best_single)
    print("ε:                 " + " ".join(f"{e:7g}" for e in EPS))
    print("accuracy separate: " + " ".join(f"{v:7.3f}" for v in singles))
    print(
        "separate, seed 1:  "
        + " ".join(f"{v:7.3f}" for v in seed1)
        + f"   max |Δ| vs separate {max(abs(u - v) for u, v in zip(seed1, singles, strict=True)):.3f} (noise floor)"
    )
    for search, values in curves.items():
        print(
            f"accuracy {search:9s}: "
            + " ".join(f"{v:7.3f}" for v in values)
            + f"   max |Δ| vs separate {max(abs(u - v) for u, v in zip(values, singles, strict=True)):.3f}, "
            f"largest overestimate {max(u - v for u, v in zip(values, singles, strict=True)):+.3f}"
        )
    print("one ε (s):         " + " ".join(f"{s:7.3f}" for s in best_single))
    print(f"8 separate runs:         {separate:.3f} s")
    print(f"cost of one ε:           mean {mean_one:.3f} s, dearest {dearest:.3f} s")
    for search, seconds in best.items():
        print(
            f"8-ε curve, {search:9s}:    {seconds:.3f} s = {seconds / mean_one:.2f}× one ε (mean), "
            f"{seconds / dearest:.2f}× the dearest ε, {separate / seconds:.2f}× faster than separate runs "
            "(target ≤ 3× one ε)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
