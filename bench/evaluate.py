"""`main.py evaluate` against torchattacks' PGD-40 on the exported program of the same run.

    python bench/evaluate.py --run RUN_DIR          # an FGSM-RS small-cnn run on MNIST (see below)
    python bench/evaluate.py --train /tmp/fgsmrs    # train that run first (about 7 minutes on 2 cores)

Three commands, each a fresh process on the run's held-out images, interleaved ``--repeats`` times
(median and spread printed), one torch thread each:

* reference: a 20-line script that loads the run's ``main.py export`` program with ``torch.export.load``
  and runs ``torchattacks.PGD`` (ε = 0.1, 40 steps of 2.5ε/40, random start) on the held-out images in
  batches of 500 — what a torchattacks user with our exported model does;
* ``main.py evaluate RUN --attack pgd --steps 40 --no-sanity`` (target: at least 1.5× faster);
* ``main.py evaluate RUN --attack pgd --steps 40`` with the sanity checks on 500 images (target: at
  most 1.5× the reference's time);
* with ``--precision bf16`` (or fp16), both evaluate commands again with that ``--precision``: the
  gradient passes in bf16, every prediction and accuracy in fp32 (its robust accuracy must stay within
  0.5 points of fp32's to be worth using).

The run: ``main.py train --dataset mnist --data-dir ../shared/data/mnist --model small-cnn --attack
fgsm-rs --eps 0.1 --epochs 8 --seed 0`` (MNIST t10k split 8,000 / 2,000). Robust accuracies must agree
within one point. Run it on a quiet machine: the figures are wall times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist"

REFERENCE = """
import json, sys, torch, torchattacks
sys.path.insert(0, {root!r})
from engine.checkpoints import load_model
from engine.data import load_dataset
torch.set_num_threads({threads})
config, _, _ = load_model({run!r})
split = load_dataset(config.data)
class Program(torch.nn.Module):  # an exported graph refuses .eval(), which torchattacks calls
    def __init__(self, program):
        super().__init__()
        self.program = program
    def train(self, mode=True):
        self.training = mode
        return self
    def forward(self, x):
        return self.program(x)
model = Program(torch.export.load({program!r}).module())
x, y = split.test_x, split.test_y
torch.manual_seed(0)
attack = torchattacks.PGD(model, eps=0.1, alpha=2.5 * 0.1 / 40, steps=40, random_start=True)
right = 0
for i in range(0, len(x), 500):
    adv = attack(x[i : i + 500], y[i : i + 500])
    with torch.no_grad():
        right += int((model(adv).argmax(1) == y[i : i + 500]).sum())
print(json.dumps({{"robust_accuracy": right / len(x), "n": len(x)}}))
"""


def run(cmd: list[str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", help="an FGSM-RS small-cnn run folder on MNIST")
    parser.add_argument("--train", metavar="DIR", help="train that run into DIR first")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--precision",
        choices=("bf16", "fp16"),
        help="also time both evaluate commands with --precision P (gradient passes in P, accuracies in fp32)",
    )
    args = parser.parse_args()
    py = sys.executable
    run_dir = args.run
    if args.train:
        if not (MNIST / "t10k-images-idx3-ubyte.gz").is_file():
            sys.exit(f"MNIST files not found in {MNIST}")
        train = [py, "main.py", "train", "--dataset", "mnist", "--data-dir", str(MNIST), "--model", "small-cnn"]
        train += ["--attack", "fgsm-rs", "--eps", "0.1", "--epochs", "8", "--seed", "0", "--out", args.train]
        subprocess.run(train, check=True, cwd=ROOT, capture_output=True)
        run_dir = args.train
    if not run_dir:
        parser.error("give --run RUN_DIR or --train DIR")
    with tempfile.TemporaryDirectory() as tmp:
        program = str(Path(tmp) / "model.pt2")
        subprocess.run([py, "main.py", "export", run_dir, program], check=True, cwd=ROOT, capture_output=True)
        script = Path(tmp) / "reference.py"
        script.write_text(REFERENCE.format(root=str(ROOT), run=run_dir, program=program, threads=args.threads))
        evaluate = [py, "main.py", "evaluate", run_dir, "--attack", "pgd", "--steps", "40", "--eps", "0.1"]
        evaluate += ["--threads", str(args.threads)]
        commands = {
            "torchattacks PGD-40 on the exported program": [py, str(script)],
            "evaluate --no-sanity": [*evaluate, "--no-sanity"],
            "evaluate (with sanity checks)": evaluate,
        }
        if args.precision:
            commands[f"evaluate --no-sanity --precision {args.precision}"] = [
                *evaluate,
                "--no-sanity",
                "--precision",
                args.precision,
            ]
            commands[f"evaluate --precision {args.precision}"] = [*evaluate, "--precision", args.precision]
        times: dict[str, list[float]] = {k: [] for k in commands}
        accuracy: dict[str, float] = {}
        for r in range(args.repeats):
            for name, cmd in commands.items():
                seconds, out = run(cmd)
                times[name].append(seconds)
                accuracy[name] = out["robust_accuracy"]
                print(f"  repeat {r + 1}: {name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    ref = statistics.median(times["torchattacks PGD-40 on the exported program"])
    print(f"\n{run_dir}: {args.threads} thread(s), median of {args.repeats} interleaved repetitions (wall time)")
    print(f"  {'command':46s} {'median':>8s} {'spread':>15s} {'ref/this':>9s}  robust accuracy")
    for name, values in times.items():
        med = statistics.median(values)
        spread = f"{min(values):.1f}–{max(values):.1f} s"
        print(f"  {name:46s} {med:7.1f}s {spread:>15s} {ref / med:8.2f}×  {100 * accuracy[name]:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
