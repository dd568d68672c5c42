"""What running a sweep costs beyond its trials: one after another, `--parallel 2`, and through Ray Tune.

    python bench/sweep.py                         # 4 trials of about 30 s each, 3 interleaved repetitions
    python bench/sweep.py --trial-seconds 10 --repeats 1      # a quick look

Each repetition runs the same 4-trial grid (λ 0, 1 × seeds 0, 1 on the embedded digits, one torch thread
per trial) as `main.py sweep` in a fresh process, three ways, interleaved:

* sequential: the trials one after another in the sweep's own process (the reference);
* `--parallel 2`: two worker processes;
* `--ray local --trial-cpus 1`: a local Ray started by the sweep (its start-up counted), each trial a Tune
  trial.

Printed per way: the wall time W, the sum S of the trials' own times (each trial's ``seconds`` in
sweep.json, measured around its training inside whichever process ran it), the concurrency c, and the
overhead per trial ``(W − S/c) / (n/c)``: what the way adds to each trial beyond training it (process and
Ray start-up, scheduling, writing sweep.json). Target: Ray's overhead under 20 % of a 30 s trial. On this
2-core machine the point is overhead, not speed-up. Medians over the repetitions, with the spread.
Run it on a quiet machine: the figures are wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAYS = {
    "sequential": ([], 1),
    "--parallel 2": (["--parallel", "2"], 2),
    "Ray (local)": (["--ray", "local", "--trial-cpus", "1"], 2),
}


def sweep_command(out: Path, epochs: int, extra: list[str]) -> list[str]:
    grid = ["--lambda", "0,1", "--seeds", "0,1", "--epochs", str(epochs), "--eval-size", "200", "--threads", "1"]
    return [sys.executable, str(ROOT / "main.py"), "sweep", *grid, "--quiet", "--out", str(out), *extra]


def run_once(out: Path, epochs: int, extra: list[str]) -> tuple[float, list[float]]:
    """Wall time of one sweep and its trials' own times."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.run(sweep_command(out, epochs, extra), cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"the sweep failed ({' '.join(extra) or 'sequential'}):\n{proc.stderr[-2000:]}")
    record = json.loads((out / "sweep.json").read_text())
    states = [t["state"] for t in record["trials"]]
    if states != ["finished"] * 4:
        raise SystemExit(f"not every trial finished: {states}")
    return wall, [float(t["seconds"]) for t in record["trials"]]


def calibrate(target: float, tmp: Path) -> int:
    """Epochs for a trial of about ``target`` seconds, from a short sequential probe."""
    probe = 20
    _wall, seconds = run_once(tmp / "probe", probe, [])
    per_epoch = statistics.median(seconds) / probe
    return max(1, round(target / per_epoch))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trial-seconds", type=float, default=30.0, help="how long one trial should train")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions (median and spread)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per trial (default: calibrated)")
    parser.add_argument("--skip-ray", action="store_true", help="leave out Ray (when the cluster extra is missing)")
    a = parser.parse_args(argv)
    ways = {k: v for k, v in WAYS.items() if not (a.skip_ray and k.startswith("Ray"))}
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        epochs = a.epochs or calibrate(a.trial_seconds, tmp)
        print(
            f"4 trials of {epochs} epochs each (digits, seed-cnn, 1 thread); {a.repeats} repetitions; "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        walls: dict[str, list[float]] = {k: [] for k in ways}
        sums: dict[str, list[float]] = {k: [] for k in ways}
        for rep in range(a.repeats):
            for name, (extra, _c) in ways.items():
                wall, seconds = run_once(tmp / "sweep", epochs, extra)
                walls[name].append(wall)
                sums[name].append(sum(seconds))
                print(f"  rep {rep + 1} {name}: wall {wall:.1f} s, trials {sum(seconds):.1f} s", flush=True)
        print()
        print(
            "| way | wall time W | trials' own time S | concurrency c | overhead per trial (W − S/c)/(n/c) "
            "| share of a trial | W / sequential W |"
        )
        print("|---|---|---|---|---|---|---|")
        reference = statistics.median(walls["sequential"])
        for name, (_extra, c) in ways.items():
            w, s = statistics.median(walls[name]), statistics.median(sums[name])
            overheads = [(wi - si / c) / (4 / c) for wi, si in zip(walls[name], sums[name], strict=True)]
            overhead = statistics.median(overheads)
            trial = s / 4
            spread = f" (spread {min(walls[name]):.1f}–{max(walls[name]):.1f})" if len(walls[name]) > 1 else ""
            print(
                f"| {name} | {w:.1f} s{spread} | {s:.1f} s | {c} | {overhead:.1f} s | {100 * overhead / trial:.0f} % "
                f"| {w / reference:.2f}× |"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
