"""Make the two models the application ships for its first minute, with the project's own trainer.

    python -m engine.demo_models            # train both into resources/models/, then measure them
    python -m engine.demo_models --check    # only measure the shipped models

Both are the small CNN on the embedded 8×8 digits with fixed seeds: ``digits-standard`` is trained
normally (λ = 0), ``digits-robust`` adversarially (λ = 1, PGD at the demo ε). Each is a run folder
(config.json, checkpoint.pt without optimizer state, summary.json with the measured figures), so the
GUI opens it like any other run. Pure PyTorch, no Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from engine import checkpoints, runs
from engine.config import RunConfig
from engine.data import load_dataset
from engine.demo import DEMO_ATTACK, DEMO_MODELS
from engine.demo_attacks import fooled_fraction
from engine.messages import RunFailed, RunFinished
from engine.trainer import train

COMMON = {
    "data.name": "digits",
    "model.name": "small-cnn",
    "train.batch_size": 64,
    "train.lr": 3e-3,
    "train.gallery_every": 0,
    "train.gallery_size": 12,
    "train.device": "cpu",
    "train.eval_size": 0,
    "attack.name": DEMO_ATTACK.name,
    "attack.eps": DEMO_ATTACK.eps,
    "attack.steps": DEMO_ATTACK.steps,
}
RECIPES = {
    "standard": {**COMMON, "train.epochs": 30, "train.lam": 0.0, "train.seed": 1},
    # Trained at a larger ε than the demo attacks with, so that the demo's ε sits well inside what it resists.
    "robust": {**COMMON, "train.epochs": 30, "train.lam": 1.0, "train.seed": 1, "attack.steps": 7, "attack.eps": 0.25},
}


def train_one(kind: str, out_dir: Path) -> None:
    config = RunConfig().with_changes(RECIPES[kind])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = None
        for msg in train(config, run_dir=Path(tmp) / "run"):
            if isinstance(msg, (RunFinished, RunFailed)):
                result = msg
        if not isinstance(result, RunFinished):
            raise SystemExit(f"training the {kind} model failed: {getattr(result, 'message', result)}")
        _config, model, _names = checkpoints.load_model(Path(tmp) / "run")
        meta = checkpoints.load_checkpoint(Path(tmp) / "run")["meta"]
    out_dir.mkdir(parents=True, exist_ok=True)
    # The shipped config describes the demo attack (the recipe in summary.json says how it was trained).
    runs.save_config(out_dir, config.with_changes({"attack.steps": DEMO_ATTACK.steps, "attack.eps": DEMO_ATTACK.eps}))
    checkpoints.save_checkpoint(out_dir, model, None, meta)  # no optimizer state: the file stays small
    print(f"trained {kind} in {time.perf_counter() - t0:.0f} s -> {out_dir}")


def measure(kind: str, run_dir: Path) -> dict:
    _config, model, _names = checkpoints.load_model(run_dir)
    split = load_dataset(RunConfig().data)
    figures = fooled_fraction(model, split.test_x, split.test_y, DEMO_ATTACK)
    figures["checkpoint_bytes"] = (run_dir / runs.CHECKPOINT_FILE).stat().st_size
    runs.write_json(run_dir / runs.SUMMARY_FILE, {"demo": figures, "recipe": RECIPES[kind]})
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only measure the shipped models")
    parser.add_argument("--only", choices=sorted(RECIPES), help="train just this one")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    kinds = [args.only] if args.only else list(RECIPES)
    if not args.check:
        for kind in kinds:
            train_one(kind, DEMO_MODELS[kind])
    for kind in kinds:
        figures = measure(kind, DEMO_MODELS[kind])
        print(f"{kind}: " + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
