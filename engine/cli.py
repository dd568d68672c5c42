"""Headless command line: the same engine the window uses, for scripts and CI.

Progress goes to stderr; the last line of stdout is one JSON object, so a script can read the
result with ``tail -n 1``. User errors print one readable line and exit with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.config import (
    ATTACKS,
    DATASETS,
    DEVICES,
    MODELS,
    OPTIMIZERS,
    TRAIN_ATTACKS,
    AttackConfig,
    AugmentConfig,
    ConfigError,
    DataConfig,
    ModelConfig,
    RegularizationConfig,
    RunConfig,
    TrainConfig,
)
from engine.data import DatasetError
from engine.runs import RunError, jsonable


class CliError(Exception):
    pass


def parse_eps(text: str) -> float:
    """Accept 0.1, or pixel steps such as 8/255."""
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return float(num) / float(den)
        return float(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number (use e.g. 0.1 or 8/255)") from None


def _add_data_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--dataset", choices=DATASETS, default="digits" if required else None,
                   help="dataset (default: the embedded offline digits)")
    p.add_argument("--data-dir", help="folder holding the dataset files (or the class folders for 'folder')")
    p.add_argument("--image-size", type=int, default=None, help="side in pixels for 'folder' images (default 32)")
    p.add_argument("--limit-holdout", type=int, default=None, help="use only the first N held-out images")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="Robustness Lab: train, attack and evaluate "
                                     "image classifiers. With no command, the window opens.")
    sub = parser.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train a model (adversarially when λ > 0)")
    _add_data_args(t, required=True)
    t.add_argument("--limit-train", type=int, default=None, help="use only the first N training images")
    t.add_argument("--model", choices=MODELS, default="seed-cnn")
    t.add_argument("--dropout", type=float, default=0.0)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    t.add_argument("--attack", choices=TRAIN_ATTACKS, default="fgsm-rs", help="attack that makes L_adv")
    t.add_argument("--eps", type=parse_eps, default=0.1, help="L∞ radius in [0, 1] (0.1 or 8/255)")
    t.add_argument("--steps", type=int, default=10, help="PGD steps")
    t.add_argument("--step-size", type=float, default=None)
    t.add_argument("--lambda", dest="lam", type=float, default=1.0, help="weight λ of L_adv; 0 = standard training")
    t.add_argument("--l1", type=float, default=0.0)
    t.add_argument("--l2", type=float, default=0.0)
    t.add_argument("--rotation", type=float, default=0.0, help="random rotation range in degrees")
    t.add_argument("--shift", type=float, default=0.0, help="random shift as a fraction of the size")
    t.add_argument("--hflip", action="store_true", help="random horizontal flips")
    t.add_argument("--crop-padding", type=int, default=0, help="random crop after this much padding (px)")
    t.add_argument("--noise", type=float, default=0.0, help="Gaussian noise standard deviation")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", choices=DEVICES, default="auto")
    t.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    t.add_argument("--eval-steps", type=int, default=10, help="PGD steps of the held-out robust accuracy")
    t.add_argument("--eval-size", type=int, default=1000,
                   help="held-out images for the per-epoch check (the last epoch uses all; 0 = all)")
    t.add_argument("--out", help="run folder to write (default: a new folder under the runs directory)")
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    t.add_argument("--quiet", action="store_true", help="no progress on stderr")

    e = sub.add_parser("evaluate", help="attack a trained run on its held-out set")
    e.add_argument("run_dir")
    _add_data_args(e, required=False)
    e.add_argument("--attack", choices=[a for a in ATTACKS if a != "none"], default="pgd")
    e.add_argument("--eps", type=parse_eps, default=0.1)
    e.add_argument("--steps", type=int, default=40)
    e.add_argument("--step-size", type=float, default=None)
    e.add_argument("--restarts", type=int, default=1)
    e.add_argument("--batch-size", type=int, default=500)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--device", choices=DEVICES, default="auto")

    x = sub.add_parser("export", help="write a run's model as a torch.export program (.pt2)")
    x.add_argument("run_dir")
    x.add_argument("file")
    return parser


def _train_config(a: argparse.Namespace) -> RunConfig:
    return RunConfig(
        data=DataConfig(a.dataset, a.data_dir, a.image_size or 32, limit_train=a.limit_train,
                        limit_holdout=a.limit_holdout),
        model=ModelConfig(a.model, a.dropout),
        attack=AttackConfig(a.attack, a.eps, a.steps, a.step_size),
        augment=AugmentConfig(a.rotation, a.shift, a.hflip, a.crop_padding, a.noise),
        regularization=RegularizationConfig(a.l1, a.l2),
        train=TrainConfig(a.epochs, a.batch_size, a.lr, a.optimizer, a.lam, a.seed, a.device,
                          gallery_every=0, eval_steps=a.eval_steps, eval_size=a.eval_size, threads=a.threads),
    ).validate()


def _fmt(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"


def cmd_train(a: argparse.Namespace) -> dict[str, Any]:
    from engine import messages as m
    from engine.runs import new_run_dir
    from engine.trainer import train

    config = _train_config(a)
    if a.resume and not a.out:
        raise CliError("--resume needs --out RUN_DIR (the run to continue).")
    run_dir = Path(a.out) if a.out else new_run_dir()
    log = (lambda *_: None) if a.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    last_step = None
    for msg in train(config, run_dir=run_dir, resume=a.resume):
        if isinstance(msg, m.RunStarted):
            log(f"Training {config.model.name} on {config.data.name} ({msg.n_train} train / {msg.n_holdout} held out) "
                f"on {msg.device}; run folder {msg.run_dir}")
            for note in msg.notes:
                log(note)
        elif isinstance(msg, m.StepMetrics):
            last_step = msg
            if msg.step % 20 == 0:
                log(f"  epoch {msg.epoch} {100 * msg.epoch_progress:5.1f}%  loss {msg.loss_total:.4f}  "
                    f"{msg.images_per_second:.0f} img/s  ETA {msg.eta_seconds:.0f}s")
        elif isinstance(msg, m.EpochMetrics):
            log(f"epoch {msg.epoch}: clean {_fmt(msg.clean_accuracy)}, robust {_fmt(msg.robust_accuracy)} "
                f"({msg.eval_attack}, ε={msg.eps:g}), {msg.seconds:.1f}s")
        elif isinstance(msg, m.RunFailed):
            raise CliError(msg.message)
        elif isinstance(msg, m.RunFinished):
            return {"clean_accuracy": msg.clean_accuracy, "robust_accuracy": msg.robust_accuracy,
                    "robust_attack": f"pgd-{config.train.eval_steps}", "eps": config.attack.eps,
                    "status": msg.reason, "steps": msg.step, "run_dir": msg.run_dir,
                    "images_per_second": last_step.images_per_second if last_step else None}
    raise CliError("Training ended without a result.")


def _dataset_for_run(config: RunConfig, a: argparse.Namespace):
    from engine.data import load_dataset

    data = config.data
    changes = {k: v for k, v in (("name", a.dataset), ("data_dir", a.data_dir), ("image_size", a.image_size),
                                 ("limit_holdout", a.limit_holdout)) if v is not None}
    return load_dataset(dataclasses.replace(data, **changes))


def cmd_evaluate(a: argparse.Namespace) -> dict[str, Any]:
    import torch

    from engine.evaluate import evaluate_model
    from engine.runs import load_model
    from engine.trainer import resolve_device

    config, model, _ = load_model(a.run_dir)
    device = resolve_device(a.device)
    model.to(device)
    split = _dataset_for_run(config, a)
    cfg = AttackConfig(a.attack, a.eps, a.steps, a.step_size, a.restarts)
    cfg.validate()
    torch.manual_seed(a.seed)
    n = len(split.test_x)
    print(f"Evaluating {a.run_dir} on {n} held-out images with {a.attack} ε={a.eps:g}…", file=sys.stderr, flush=True)
    result = evaluate_model(model, split.test_x, split.test_y, cfg, batch_size=a.batch_size,
                            progress=lambda done, total: print(f"  {done}/{total}", file=sys.stderr, flush=True))
    return result.to_dict() | {"device": str(device)}


def cmd_export(a: argparse.Namespace) -> dict[str, Any]:
    from engine.export import export_run

    path = export_run(a.run_dir, a.file)
    return {"file": str(path)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    handlers = {"train": cmd_train, "evaluate": cmd_evaluate, "export": cmd_export}
    try:
        if a.command not in handlers:
            parser.print_help()
            return 2
        result = handlers[a.command](a)
    except (CliError, ConfigError, DatasetError, RunError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print(json.dumps(jsonable(result), default=str))
    return 0
