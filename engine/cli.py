"""Headless command line: the same engine the window uses, for scripts and CI.

Progress goes to stderr; the last line of stdout is one JSON object, so a script can read the
result with ``tail -n 1``. User errors print one readable line and exit with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, NoReturn

from engine.catalogue import LANGUAGES, active_language, language_from_environment, say, set_language
from engine.config import (
    ALL_DATASETS,
    ATTACKS,
    DEVICES,
    LR_SCHEDULES,
    MODELS,
    OPTIMIZERS,
    PRECISIONS,
    SEED_MAX,
    TRAIN_ATTACKS,
    TRAIN_METHODS,
    AttackConfig,
    DataConfig,
    RunConfig,
)
from engine.errors import UserError, user_message
from engine.runs import jsonable
from engine.suite import DEFAULT_SUITE, SUITE_ATTACKS


class CliError(UserError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, with one readable line for a bad option instead of usage text (and no abbreviations:
    ``--ep`` must not silently mean ``--epochs``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise CliError("{message} (see '{prog} --help')", message=message, prog=self.prog)


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from lo to hi, with a message that says so."""

    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(say("'{text}' is not a whole number", text=text[:40])) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                say("must be from {lo} to {hi} (got {text})", lo=lo, hi=hi, text=text[:40])
            )
        return value

    return convert


def float_in(lo: float, hi: float, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number in [lo, hi] (or (lo, hi] with ``low_open``)."""

    def convert(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(say("'{text}' is not a number", text=text[:40])) from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(say("'{text}' is not a finite number", text=text[:40]))
        if value < lo or value > hi or (low_open and value == lo):
            bounds = {"lo": _plain(lo), "hi": _plain(hi), "text": text[:40]}
            if low_open:
                raise argparse.ArgumentTypeError(say("must be above {lo} and at most {hi} (got {text})", **bounds))
            raise argparse.ArgumentTypeError(say("must be from {lo} to {hi} (got {text})", **bounds))
        return value

    return convert


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def parse_eps(text: str) -> float:
    """Accept 0.1, or pixel steps such as 8/255."""
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise argparse.ArgumentTypeError(
            say("'{text}' is not a number (use e.g. 0.1 or 8/255)", text=text[:40])
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(say("'{text}' is not a finite number (use e.g. 0.1 or 8/255)", text=text[:40]))
    return value


def parse_eps_list(text: str) -> tuple[float, ...]:
    values = tuple(parse_eps(part.strip()) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError(say("give at least one ε, e.g. 0.05,0.1"))
    return values


def _add_data_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument(
        "--dataset",
        "--data",
        choices=ALL_DATASETS,
        default="digits" if required else None,
        help="dataset (default: the embedded offline digits); adversarial-set: a set saved with "
        "'evaluate --save-adversarial', given with --data-file",
    )
    p.add_argument("--data-dir", help="folder holding the dataset files (or the class folders for 'folder')")
    p.add_argument(
        "--data-file",
        type=absolute_path,
        help="the .npz file of --dataset adversarial-set (written by 'evaluate --save-adversarial'); "
        "its adversarial images and true labels are split into training and held-out images",
    )
    p.add_argument(
        "--image-size", type=int_in(4, 512), default=None, help="side in pixels for 'folder' images (default 32)"
    )
    p.add_argument("--limit-holdout", type=int_in(1, 10**8), default=None, help="use only the first N held-out images")
    p.add_argument(
        "--download",
        action="store_true",
        default=None,
        help="download MNIST / Fashion-MNIST / CIFAR-10 with torchvision when the files are missing",
    )


def _add_train_args(t: argparse.ArgumentParser) -> None:
    _add_data_args(t, required=True)
    t.add_argument("--limit-train", type=int_in(1, 10**8), default=None, help="use only the first N training images")
    t.add_argument("--model", choices=MODELS, default="seed-cnn")
    t.add_argument("--dropout", type=float_in(0, 0.99), default=0.0)
    t.add_argument("--epochs", type=int_in(1, 10_000), default=3)
    t.add_argument("--batch-size", type=int_in(1, 65_536), default=128)
    t.add_argument("--lr", type=float_in(0, 10, low_open=True), default=1e-3)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    t.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default="constant",
        help="constant, or step: the learning rate divided by 10 after 70%% of the steps and by 100 after 90%%",
    )
    t.add_argument(
        "--attack",
        choices=TRAIN_ATTACKS,
        default="fgsm-rs",
        help="attack that makes L_adv; n-fgsm: FGSM from noise of up to 2ε, not clipped to ε (no catastrophic "
        "overfitting at large ε; runs trained on one-step attacks are checked for it each epoch)",
    )
    t.add_argument("--eps", type=parse_eps, default=0.1, help="L∞ radius in [0, 1] (0.1 or 8/255)")
    t.add_argument("--steps", type=int_in(1, 1000), default=10, help="PGD steps")
    t.add_argument("--step-size", type=float_in(0, 1, low_open=True), default=None)
    t.add_argument(
        "--lambda", dest="lam", type=float_in(0, 1e6), default=1.0, help="weight λ of L_adv; 0 = standard training"
    )
    t.add_argument(
        "--method",
        choices=TRAIN_METHODS,
        default="at",
        help="at: adversarial training on the --attack examples (L_clean + λ·L_adv); trades: CE + β·KL(f(x) ‖ f(x')) "
        "with x' maximising the KL (Zhang et al. 2019); mart: boosted CE on x' + β·KL weighted by 1 − p_y(x) "
        "(Wang et al. 2020); ibp: certified training on interval bounds at --eps (the mlp, seed-cnn and "
        "small-cnn models; certify with 'evaluate RUN --certify')",
    )
    t.add_argument("--beta", type=float_in(0, 1e6), default=6.0, help="trades, mart: weight β of the KL term")
    t.add_argument("--kappa-start", type=float_in(0, 1), default=1.0, help="ibp: weight κ of L_clean at the start")
    t.add_argument("--kappa-end", type=float_in(0, 1), default=0.5, help="ibp: κ once ε has reached --eps")
    t.add_argument(
        "--eps-warmup", type=float_in(0, 1), default=0.05, help="ibp: fraction of the steps trained at ε = 0 first"
    )
    t.add_argument(
        "--eps-ramp", type=float_in(0, 1), default=0.4, help="ibp: fraction of the steps over which ε grows to --eps"
    )
    t.add_argument("--l1", type=float_in(0, 1e3), default=0.0)
    t.add_argument("--l2", type=float_in(0, 1e3), default=0.0)
    t.add_argument("--rotation", type=float_in(0, 180), default=0.0, help="random rotation range in degrees")
    t.add_argument("--shift", type=float_in(0, 0.5), default=0.0, help="random shift as a fraction of the size")
    t.add_argument("--hflip", action="store_true", help="random horizontal flips")
    t.add_argument("--crop-padding", type=int_in(0, 16), default=0, help="random crop after this much padding (px)")
    t.add_argument("--noise", type=float_in(0, 1), default=0.0, help="Gaussian noise standard deviation")
    t.add_argument("--seed", type=int_in(0, SEED_MAX), default=0)
    t.add_argument("--device", choices=DEVICES, default="auto")
    t.add_argument("--threads", type=int_in(1, 1024), default=None, help="CPU threads for torch")
    t.add_argument("--eval-steps", type=int_in(1, 1000), default=10, help="PGD steps of the held-out robust accuracy")
    t.add_argument(
        "--eval-size",
        type=int_in(0, 10**8),
        default=1000,
        help="held-out images for the per-epoch check (the last epoch uses all; 0 = all)",
    )
    t.add_argument("--quiet", action="store_true", help="no progress on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="main.py",
        description="Robustness Lab: train, attack and evaluate image classifiers. With no command, the window opens.",
    )
    sub = parser.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train a model (adversarially when λ > 0)")
    _add_train_args(t)
    t.add_argument(
        "--out",
        help="run folder to write (default: a new folder under the runs directory); a folder "
        "that already holds a run is refused unless --resume or --overwrite is given",
    )
    mode = t.add_mutually_exclusive_group()
    mode.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its checkpoint, with its "
        "own settings (only --epochs, --device and --threads may be changed)",
    )
    mode.add_argument(
        "--overwrite",
        action="store_true",
        help="start a new run in --out; the run already there is moved aside to OUT.replaced-<time>, not deleted",
    )

    w = sub.add_parser(
        "sweep",
        help="train a grid of runs: every combination of the listed values and seeds (e.g. --lambda 0,0.5,1 "
        "--seeds 0,1,2), locally, in parallel worker processes or on a Ray cluster; re-running it resumes it",
    )
    _add_train_args(w)
    _make_grid_options(w)
    w.add_argument(
        "--seeds",
        type=_list_of(int_in(0, SEED_MAX)),
        default=None,
        help="comma list of seeds: each setting is trained once per seed, and the summary gives the mean and "
        "standard deviation over them (default: --seed)",
    )
    w.add_argument(
        "--out",
        help="the sweep folder: it receives sweep.json and one run folder per trial; giving the folder of an "
        "earlier run of the same sweep resumes it (default: a new sweep-<time> folder in the runs directory)",
    )
    w.add_argument(
        "--parallel",
        type=int_in(1, 256),
        default=1,
        help="worker processes that train trials side by side on this machine, the CPU threads split between them",
    )
    w.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run each trial as a Ray Tune trial: 'local' (a Ray started for this sweep), 'auto' (RAY_ADDRESS, "
        'else local) or a cluster\'s address; needs pip install -e ".[cluster]" and, on several machines, an '
        "--out folder every node reaches",
    )
    w.add_argument("--trial-cpus", type=float_in(0, 1024, low_open=True), default=1.0, help="--ray: CPUs per trial")
    w.add_argument("--trial-gpus", type=float_in(0, 64), default=0.0, help="--ray: GPUs per trial")
    w.add_argument(
        "--storage",
        metavar="URI",
        help="--ray on machines that share no folder: an object store the trials' run folders travel through "
        "(s3://bucket/path, gs://…, any URI pyarrow opens; Ray keeps its records there too); the finished "
        "runs arrive in --out on this machine",
    )

    c = sub.add_parser("compare", help="compare runs: final figures, transfer matrix, HTML report")
    c.add_argument("run_dirs", nargs="+", help="two or more run folders")
    c.add_argument("--transfer", action="store_true", help="also measure the transfer matrix between the runs")
    c.add_argument("--attack", choices=("fgsm", "pgd"), default="pgd", help="attack for the transfer matrix")
    c.add_argument("--eps", type=parse_eps, default=0.1)
    c.add_argument("--steps", type=int_in(1, 1000), default=10)
    c.add_argument(
        "--limit-holdout", type=int_in(1, 10**8), default=500, help="held-out images for the transfer matrix"
    )
    c.add_argument("--threads", type=int_in(1, 1024), default=None)
    c.add_argument("--report", help="write an HTML comparison report here (with a CSV beside it)")
    c.add_argument(
        "--saliency",
        action="store_true",
        help="also measure where each model looks: the share of its attribution maps on the digit's strokes "
        "(input gradient, SmoothGrad, Integrated Gradients; Captum) over up to 200 held-out images",
    )

    e = sub.add_parser(
        "evaluate",
        help="attack a trained run (or an exported model) on its held-out set, with an attack suite and sanity checks",
    )
    e.add_argument("run_dir", nargs="?", help="run folder (or give --model-file)")
    e.add_argument(
        "--model-file",
        help="a torch.export .pt2 file (as written by 'main.py export'), taking [0, 1] images and returning "
        "logits; use --dataset/--data-dir to say which data it classifies (TorchScript files are refused)",
    )
    _add_data_args(e, required=False)
    e.add_argument(
        "--suite",
        default=",".join(DEFAULT_SUITE),
        help=f"comma list of attacks for the suite, from: {', '.join(SUITE_ATTACKS)} "
        f"(default {','.join(DEFAULT_SUITE)})",
    )
    e.add_argument(
        "--eps-list",
        type=parse_eps_list,
        default=None,
        help="comma list of ε for the suite, e.g. 0.02,0.05,0.1 or 2/255,4/255 (default: --eps)",
    )
    e.add_argument(
        "--critical-eps",
        metavar="FILE.csv",
        help="write each held-out image's critical ε (the smallest ε of the grid at which PGD breaks it) to this "
        "CSV; the grid is --eps-list when it has several values, else 8 steps up to 2×--eps",
    )
    e.add_argument(
        "--eps-search",
        choices=("bisect", "ascending"),
        default="bisect",
        help="how PGD's curve over --eps-list is found: bisect for each image's first breaking ε "
        "(about 2.4 single-ε runs for 8 ε) or attack every ε in turn (no monotonicity assumption)",
    )
    e.add_argument(
        "--sanity-images",
        type=int_in(0, 10**8),
        default=500,
        help="held-out images the sanity checks attack (default 500; 0 = all)",
    )
    e.add_argument("--no-sanity", action="store_true", help="skip the sanity checks")
    e.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="fp32",
        help="arithmetic of the attacks' gradient passes (FGSM, PGD and their kin): bf16 or fp16 are several "
        "times faster on processors with bf16/fp16 units (AMX, AVX-512 BF16; GPUs); every prediction and "
        "accuracy stays fp32 (default fp32: the same numbers on every run)",
    )
    e.add_argument(
        "--transfer-from",
        help="another run folder or model file: the sanity check that transferred "
        "examples do not beat the white-box attack",
    )
    e.add_argument("--report", help="write an HTML report here (with a CSV, a PNG grid and a .npy beside it)")
    e.add_argument(
        "--certify",
        action="store_true",
        help="also prove robustness: the accuracy certified by interval bounds at the L∞ --eps (and along "
        "--eps-list), which no attack can lower (models made of plain layers in sequence: mlp, seed-cnn, small-cnn)",
    )
    e.add_argument("--attack", choices=[a for a in ATTACKS if a != "none"], default="pgd")
    e.add_argument(
        "--target",
        type=parse_target,
        default=None,
        help="make --attack (fgsm, pgd or pgd-l2) targeted: push each image toward this class number "
        "(images already of it are left as they are), or toward a random other class (random, drawn "
        "with --seed) or the class the model finds least likely (least-likely); reports the target success rate",
    )
    e.add_argument(
        "--save-adversarial",
        metavar="FILE.npz",
        help="save the adversarial examples of --attack on all evaluated held-out images as an adversarial "
        "set (with the originals, labels, targets, source model and ε), to test transfer with --on-set or "
        "to train on with --dataset adversarial-set; an existing file is refused unless --overwrite is given",
    )
    e.add_argument(
        "--overwrite",
        action="store_true",
        help="with --save-adversarial: replace an existing FILE (the old one is moved aside to "
        "FILE.replaced-<time>.npz, not deleted)",
    )
    e.add_argument(
        "--on-set",
        metavar="FILE.npz",
        help="evaluate the model on a saved adversarial set instead of attacking it (a transfer test when "
        "the set was made on another model): accuracy on the set's adversarial images and on its originals; "
        "the attack, suite and sanity options are not used",
    )
    e.add_argument("--eps", type=parse_eps, default=0.1)
    e.add_argument("--steps", type=int_in(1, 1000), default=40)
    e.add_argument("--step-size", type=float_in(0, 1, low_open=True), default=None)
    e.add_argument("--restarts", type=int_in(1, 100), default=1)
    e.add_argument("--batch-size", type=int_in(1, 65_536), default=500)
    e.add_argument("--seed", type=int_in(0, SEED_MAX), default=0)
    e.add_argument("--device", choices=DEVICES, default="auto")
    e.add_argument(
        "--threads",
        type=int_in(1, 1024),
        default=None,
        help="CPU threads for torch (1 is fastest for small models on a busy machine)",
    )

    x = sub.add_parser("export", help="write a run's model as a torch.export program (.pt2)")
    x.add_argument("run_dir")
    x.add_argument("file")
    for command in (t, w, c, e, x):
        command.add_argument(
            "--verbose",
            action="store_true",
            help="also print the log (normally only written to the log file) on stderr",
        )
        command.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=None,
            help="language of messages and reports (default: from LANGUAGE/LC_ALL/LANG; JSON stays English)",
        )
    return parser


# Options that --resume may change: they do not alter what the run learns, or (epochs) only extend it.
RESUME_MAY_CHANGE = frozenset({"train.epochs", "train.device", "train.threads"})
OPTION_KEYS = {  # train/sweep option dest -> the config setting it fills
    "dataset": "data.name",
    "data_dir": "data.data_dir",
    "data_file": "data.file",
    "image_size": "data.image_size",
    "limit_holdout": "data.limit_holdout",
    "limit_train": "data.limit_train",
    "download": "data.download",
    "model": "model.name",
    "dropout": "model.dropout",
    "epochs": "train.epochs",
    "batch_size": "train.batch_size",
    "lr": "train.lr",
    "optimizer": "train.optimizer",
    "lr_schedule": "train.lr_schedule",
    "attack": "attack.name",
    "eps": "attack.eps",
    "steps": "attack.steps",
    "step_size": "attack.step_size",
    "lam": "train.lam",
    "method": "train.method",
    "beta": "train.beta",
    "kappa_start": "train.kappa_start",
    "kappa_end": "train.kappa_end",
    "eps_warmup": "train.eps_warmup",
    "eps_ramp": "train.eps_ramp",
    "l1": "regularization.l1",
    "l2": "regularization.l2",
    "rotation": "augment.rotation",
    "shift": "augment.shift",
    "hflip": "augment.hflip",
    "crop_padding": "augment.crop_padding",
    "noise": "augment.noise_std",
    "seed": "train.seed",
    "device": "train.device",
    "threads": "train.threads",
    "eval_steps": "train.eval_steps",
    "eval_size": "train.eval_size",
}


def absolute_path(text: str) -> str:
    """A file named on the command line, made absolute: the run's config.json is read from anywhere later."""
    return str(Path(text).expanduser().absolute())


def _train_config(a: argparse.Namespace) -> RunConfig:
    """The run config the train/sweep options describe (OPTION_KEYS is the one map from option to setting)."""
    _check_data_file(a.dataset, a.data_file)
    changes = {key: getattr(a, dest) for dest, key in OPTION_KEYS.items()}
    changes |= {"data.image_size": a.image_size or 32, "data.download": bool(a.download), "train.gallery_every": 0}
    changes["train.gallery_seconds"] = 0.0  # headless: nobody looks at a gallery
    return RunConfig().with_changes(changes)


def _check_data_file(dataset: str | None, data_file: str | None) -> None:
    """--data-file belongs to --dataset adversarial-set, and that dataset needs it."""
    if data_file is not None and dataset not in (None, "adversarial-set"):
        raise CliError(
            "--data-file is only used with --dataset adversarial-set (the dataset here is '{name}').", name=dataset
        )
    if dataset == "adversarial-set" and not data_file:
        raise CliError("--dataset adversarial-set needs --data-file FILE.npz (a set saved with --save-adversarial).")


def parse_target(text: str) -> str:
    """--target: a class number, random or least-likely (the class range is checked against the model)."""
    from engine.config import valid_target

    value = text.strip().lower()
    if value.isdigit() and value.isascii():
        value = str(int(value))  # "07" is class 7
    if not valid_target(value):
        raise argparse.ArgumentTypeError(
            say("'{text}' is not a class number, 'random' or 'least-likely'", text=text[:40])
        )
    return value


def _fmt(v: float | None) -> str:
    return say("n/a") if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"


def _given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict[str, str]:
    """dest -> flag of each option written on the command line (argparse cannot tell a default from a
    value typed equal to it; abbreviations are off, so each token names its option exactly)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = sub.choices[argv[0]]
    by_flag = {flag: action.dest for action in command._actions for flag in action.option_strings}
    flags = (tok.split("=", 1)[0] for tok in argv[1:])
    return {by_flag[flag]: flag for flag in flags if flag in by_flag}


def _get(config: RunConfig, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(config, section), name)


def _resume_config(a: argparse.Namespace, run_dir: Path) -> tuple[RunConfig, list[str]]:
    """The run's own config.json, with the few changes --resume allows; anything else is refused."""
    from engine.checkpoints import completed_epochs
    from engine.runs import load_config, require_run_to_resume

    require_run_to_resume(run_dir)
    saved = load_config(run_dir)
    wanted = _train_config(a)
    flag = {OPTION_KEYS[dest]: typed for dest, typed in a.given.items() if dest in OPTION_KEYS}
    changed = {k for k in flag if _get(wanted, k) != _get(saved, k)}
    refused = sorted(changed - RESUME_MAY_CHANGE)
    if refused:
        listing = "; ".join(
            say(
                "{option} {value} (the run has {saved})",
                option=flag[k],
                value=repr(_get(wanted, k)),
                saved=repr(_get(saved, k)),
            )
            for k in refused
        )
        raise CliError(
            "--resume continues {run_dir} with its own settings, but these options would change them: "
            "{listing}. Leave them out, or start a new run with another --out.",
            run_dir=run_dir,
            listing=listing,
        )
    applied = {k: _get(wanted, k) for k in sorted(changed)}
    config = saved.with_changes(applied) if applied else saved
    done = completed_epochs(run_dir)
    notes = [
        say(
            "Resuming {run_dir} after epoch {done} of {epochs}, with the run's own settings.",
            run_dir=run_dir,
            done=done,
            epochs=config.train.epochs,
        )
    ]
    notes += [
        say("Changed for this resume: {key} {old} -> {new}.", key=k, old=repr(_get(saved, k)), new=repr(v))
        for k, v in applied.items()
    ]
    return config, notes


def cmd_train(a: argparse.Namespace) -> dict[str, Any]:
    from engine.runs import new_run_dir

    if (a.resume or a.overwrite) and not a.out:
        if a.resume:
            raise CliError("--resume needs --out RUN_DIR (the run folder).")
        raise CliError("--overwrite needs --out RUN_DIR (the run folder).")
    notes: list[str] = []
    if a.resume:
        config, notes = _resume_config(a, Path(a.out))
    else:
        config = _train_config(a)
    run_dir = Path(a.out) if a.out else new_run_dir()
    return _train_one(config, run_dir, a.resume, a.quiet, overwrite=a.overwrite, notes=notes)


def _list_of(convert: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    """An argparse type: a comma list, each item converted (and checked) by ``convert``."""

    def parse(text: str) -> list[Any]:
        values = [convert(part.strip()) for part in text.split(",") if part.strip()]
        if not values:
            raise argparse.ArgumentTypeError(say("give at least one value, e.g. 0,1"))
        return values

    return parse


def _make_grid_options(w: argparse.ArgumentParser) -> None:
    """In ``sweep``, each option of a knob a grid can vary takes a comma list (--lambda 0,0.5,1)."""
    from engine.sweep import GRID_KEYS

    for action in w._actions:
        if OPTION_KEYS.get(action.dest) in GRID_KEYS and action.option_strings:
            one: Callable[[str], Any] = action.type if callable(action.type) else str
            choices = action.choices
            if choices is not None:

                def one_choice(text: str, choices: Any = tuple(choices)) -> str:
                    if text not in choices:
                        raise argparse.ArgumentTypeError(
                            say("'{text}' is not one of {choices}", text=text[:40], choices=", ".join(choices))
                        )
                    return text

                one = one_choice
            action.type, action.choices = _list_of(one), None
            action.help = (action.help or "") + say(" (a comma list sweeps it)")
    w.add_argument("--lambdas", dest="lam", type=_list_of(float_in(0, 1e6)), help=argparse.SUPPRESS)


def cmd_sweep(a: argparse.Namespace) -> dict[str, Any]:
    """A grid of runs (every combination of the listed values, once per seed) into one sweep folder,
    on this machine or on Ray; the last stdout line is the summary, with mean and sd over the seeds."""
    import time

    from engine.runs import new_run_dir
    from engine.sweep import GRID_KEYS, make_plan
    from engine.sweep_runner import Backend, SweepControl, run_sweep

    axes: dict[str, list[Any]] = {}
    first = argparse.Namespace(**vars(a))
    for dest, key in OPTION_KEYS.items():
        value = getattr(a, dest)
        if key in GRID_KEYS and isinstance(value, list):
            axes[key] = value
            setattr(first, dest, value[0])
    plan = make_plan(_train_config(first), axes, a.seeds or [a.seed])
    if a.ray and a.parallel > 1:
        raise CliError("--parallel is for sweeps on this machine; with --ray, Ray runs as many trials as fit.")
    if a.storage and not a.ray:
        raise CliError("--storage is for sweeps on Ray (--ray); on this machine the runs are written to --out.")
    if a.storage:
        from engine.sweep_storage import Storage

        Storage(a.storage)  # a URI it cannot open is refused now, before anything is written
    backend = (
        Backend("ray", address=a.ray, trial_cpus=a.trial_cpus, trial_gpus=a.trial_gpus, storage=a.storage)
        if a.ray
        else Backend("local", parallel=a.parallel)
    )
    folder = Path(a.out) if a.out else new_run_dir(None, time.strftime("sweep-%Y%m%d-%H%M%S"))
    log = (lambda *_: None) if a.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    log(
        say(
            "Sweep of {n} trials into {folder} (run the same command with --out {folder} to resume it)",
            n=len(plan.trials()),
            folder=folder,
        )
    )
    control = SweepControl()
    with _stop_on_signals(control) as received:
        result = run_sweep(plan, folder, backend, control, log)
    if received:
        raise Interrupted(result, received[0])
    return result


class Interrupted(Exception):
    """SIGTERM or Ctrl+C ended a run after it was saved; carries the result to print."""

    def __init__(self, result: dict[str, Any], signum: int):
        super().__init__("interrupted")
        self.result, self.signum = result, signum


@contextmanager
def _stop_on_signals(control: Any) -> Iterator[list[int]]:
    """SIGTERM and SIGINT ask the trainer to stop (it saves a checkpoint and marks the run interrupted)
    instead of killing the process mid-write; a second signal while it saves is ignored."""
    received: list[int] = []

    def handler(signum: int, _frame: Any) -> None:
        if not received:
            received.append(signum)
            control.stop("interrupted")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def cmd_compare(a: argparse.Namespace) -> dict[str, Any]:
    from engine.compare import group_by_setting, summarize_run
    from engine.report import write_comparison_report
    from engine.transfer import transfer_between_runs

    if a.threads:
        import torch

        torch.set_num_threads(max(1, a.threads))
    summaries = [summarize_run(p) for p in a.run_dirs]
    groups = group_by_setting(summaries)
    out: dict[str, Any] = {
        "settings": [g.to_dict() for g in groups],
        "runs": [
            {
                "run_dir": s.path,
                "lambda": s.lam,
                "eps": s.eps,
                "attack": s.attack,
                "clean_accuracy": s.clean_accuracy,
                "robust_accuracy": s.robust_accuracy,
                "seed": s.seed,
                "status": s.status,
            }
            for s in summaries
        ],
    }
    matrix = None
    if a.transfer:
        line = say(
            "Transfer: {attack} at ε={eps} on each of {n} models", attack=a.attack, eps=f"{a.eps:g}", n=len(a.run_dirs)
        )
        print(line, file=sys.stderr, flush=True)
        matrix = transfer_between_runs(a.run_dirs, AttackConfig(a.attack, a.eps, a.steps), limit=a.limit_holdout)
        out["transfer"] = matrix.to_dict()
    saliency = None
    if a.saliency:
        from engine.saliency import REPORT_IMAGES, report_saliency
        from engine.transfer import runs_on_shared_images

        print(say("Saliency: attribution maps of {n} models", n=len(a.run_dirs)), file=sys.stderr, flush=True)
        models, x, y = runs_on_shared_images(a.run_dirs, REPORT_IMAGES)
        saliency = report_saliency(models, x, y)
        out["saliency"] = saliency[0].to_dict()
    if a.report:
        written = write_comparison_report(
            a.run_dirs, a.report, transfer=matrix, language=active_language(), saliency=saliency
        )
        out["report"] = {k: str(v) for k, v in written.items()}
    return out


def _train_one(
    config: RunConfig, run_dir: Path, resume: bool, quiet: bool, overwrite: bool = False, notes: Sequence[str] = ()
) -> dict[str, Any]:
    from engine import messages as m
    from engine.trainer import train

    log = (lambda *_: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    for note in notes:
        log(note)
    control = m.TrainingControl()
    with _stop_on_signals(control) as received:
        stream = train(config, control, run_dir=run_dir, resume=resume, overwrite=overwrite)
        with closing(stream):  # the trainer's finally (which releases the run-folder lock) runs here, not at GC
            result = _run_result(stream, log, config)
    if received:
        raise Interrupted(result, received[0])
    return result


def _run_result(stream: Iterator[Any], log: Callable[[str], None], config: RunConfig) -> dict[str, Any]:
    """Log the run's progress and return its summary (the last stdout line of train and sweep)."""
    from engine import messages as m

    last_step = None
    for msg in stream:
        if isinstance(msg, m.RunStarted):
            log(
                say(
                    "Training {model} on {dataset} ({n_train} train / {n_holdout} held out) on {device}; "
                    "run folder {run_dir}",
                    model=config.model.name,
                    dataset=config.data.name,
                    n_train=msg.n_train,
                    n_holdout=msg.n_holdout,
                    device=msg.device,
                    run_dir=msg.run_dir,
                )
            )
            for note in msg.notes:
                log(note)
        elif isinstance(msg, m.StepMetrics):
            last_step = msg
            if msg.step % 20 == 0:
                log(
                    say(
                        "  epoch {epoch} {progress}%  loss {loss}  {speed} img/s  ETA {eta}s",
                        epoch=msg.epoch,
                        progress=f"{100 * msg.epoch_progress:5.1f}",
                        loss=f"{msg.loss_total:.4f}",
                        speed=f"{msg.images_per_second:.0f}",
                        eta=f"{msg.eta_seconds:.0f}",
                    )
                )
        elif isinstance(msg, m.EpochMetrics):
            log(
                say(
                    "epoch {epoch}: clean {clean}, robust {robust} ({attack}, ε={eps}), {seconds}s",
                    epoch=msg.epoch,
                    clean=_fmt(msg.clean_accuracy),
                    robust=_fmt(msg.robust_accuracy),
                    attack=msg.eval_attack,
                    eps=f"{msg.eps:g}",
                    seconds=f"{msg.seconds:.1f}",
                )
            )
        elif isinstance(msg, m.TrainingWarning):  # said even with --quiet: the run's numbers mislead
            print(say("warning: {message}", message=msg.message), file=sys.stderr)
        elif isinstance(msg, m.RunFailed):
            raise CliError(msg.message)
        elif isinstance(msg, m.RunFinished):
            if msg.reason == "interrupted":  # said even with --quiet: the run did not finish
                print(
                    say(
                        "Interrupted: the run is saved in {run_dir} (checkpoint and summary, marked interrupted). "
                        "Continue it with: main.py train --resume --out {run_dir}",
                        run_dir=msg.run_dir,
                    ),
                    file=sys.stderr,
                    flush=True,
                )
            result = {
                "clean_accuracy": msg.clean_accuracy,
                "robust_accuracy": msg.robust_accuracy,
                "robust_attack": f"pgd-{config.train.eval_steps}",
                "eps": config.attack.eps,
                "status": msg.reason,
                "steps": msg.step,
                "run_dir": msg.run_dir,
                "images_per_second": last_step.images_per_second if last_step else None,
            }
            if config.train.method == "ibp":
                certified = _summary_value(msg.run_dir, "certified_accuracy")
                result |= {"method": "ibp", "certified_accuracy": certified}
                log(
                    say(
                        "certified accuracy (interval bounds, ε={eps}): {accuracy}",
                        eps=f"{config.attack.eps:g}",
                        accuracy=_fmt(certified),
                    )
                )
            return result
    raise CliError("Training ended without a result.")


def _summary_value(run_dir: str | None, key: str) -> float | None:
    """One figure of a run's summary.json (None when the run or the figure is missing)."""
    from engine.runs import SUMMARY_FILE

    if run_dir is None:
        return None
    try:
        return json.loads((Path(run_dir) / SUMMARY_FILE).read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def _dataset_for_run(config: RunConfig, a: argparse.Namespace):
    from engine.data import load_dataset

    data = config.data
    changes = {
        k: v
        for k, v in (
            ("name", a.dataset),
            ("data_dir", a.data_dir),
            ("file", a.data_file),
            ("image_size", a.image_size),
            ("limit_holdout", a.limit_holdout),
            ("download", a.download),
        )
        if v is not None
    }
    return load_dataset(dataclasses.replace(data, **changes))


def cmd_evaluate(a: argparse.Namespace) -> dict[str, Any]:
    """``_evaluate`` with the attacks' gradient passes in ``--precision``; the answer says which."""
    from engine.attacks import fast_precision, gradient_precision
    from engine.trainer import resolve_device

    precision = a.precision
    if precision != "fp32" and not a.on_set:
        device = resolve_device(a.device)
        print(
            say(
                "The attacks' gradients are computed in {precision}; predictions and accuracies in fp32.",
                precision=precision,
            ),
            file=sys.stderr,
        )
        if not fast_precision(precision, device):
            print(
                say(
                    "On this processor ({device}) {precision} is not known to be faster than fp32: the attacks "
                    "may well be slower.",
                    device=str(device),
                    precision=precision,
                ),
                file=sys.stderr,
            )
    with gradient_precision(precision):
        out = _evaluate(a)
    if not a.on_set:
        out["precision"] = precision
    return out


def _evaluate(a: argparse.Namespace) -> dict[str, Any]:
    import torch

    from engine.attacks import check_target
    from engine.evaluate import evaluate_attack
    from engine.suite import parse_suite, run_suite, suite_gallery
    from engine.trainer import resolve_device

    if bool(a.run_dir) == bool(a.model_file):
        raise CliError("Give either a run folder or --model-file FILE (.pt2 or TorchScript), one of the two.")
    if a.on_set:
        return _evaluate_on_set(a)
    _check_data_file(a.dataset, a.data_file)
    if a.overwrite and not a.save_adversarial:
        raise CliError("--overwrite needs --save-adversarial FILE.npz (the file to replace).")
    if a.save_adversarial:
        from engine.adversarial_sets import check_set_path

        check_set_path(a.save_adversarial, a.overwrite)  # refused now, not after the attack
    suite = parse_suite(a.suite)
    eps_list = a.eps_list or (a.eps,)
    for eps in eps_list:
        AttackConfig("pgd", eps).validate()
    if a.certify:
        AttackConfig("pgd", a.eps).validate()  # certification is in L∞, within [0, 1]
    device = resolve_device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)
    adversarially_trained = None
    if a.model_file:
        from engine.data import load_dataset
        from engine.model_files import load_model_file

        model = load_model_file(a.model_file)
        split = load_dataset(
            DataConfig(
                a.dataset or "digits", a.data_dir, a.image_size or 32, limit_holdout=a.limit_holdout, file=a.data_file
            )
        )
        source, architecture = a.model_file, None
    else:
        from engine.checkpoints import load_model

        config, model, _ = load_model(a.run_dir)
        split = _dataset_for_run(config, a)
        source, architecture = a.run_dir, config.model.name
        adversarially_trained = config.adversarially_trained
    from engine.model_files import check_classifier, load_any_model

    if len(split.test_x) == 0:
        raise CliError("The held-out set is empty: there is nothing to evaluate on.")
    model.to(device)
    check_classifier(model, split.test_x[:8], split.num_classes, Path(source).name)
    if a.certify:
        from engine.certify import interval_layers

        interval_layers(model)  # an uncertifiable model is refused before the attacks run, not after
    reference = None
    if a.transfer_from:
        reference = load_any_model(a.transfer_from).to(device)
        check_classifier(reference, split.test_x[:8], split.num_classes, Path(a.transfer_from).name)
    cfg = AttackConfig(a.attack, a.eps, a.steps, a.step_size, a.restarts, seed=a.seed, target=a.target)
    cfg.validate()
    check_target(cfg.target, split.num_classes)
    x, y = split.test_x, split.test_y
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(
        say(
            "Evaluating {source} on {n} held-out images with {attack} ε={eps}…",
            source=source,
            n=len(x),
            attack=a.attack,
            eps=f"{a.eps:g}",
        )
    )
    torch.manual_seed(a.seed)
    evaluation = evaluate_attack(
        model, x, y, cfg, batch_size=a.batch_size, progress=lambda done, total: log(f"  {done}/{total}")
    )
    result = evaluation.result
    if result.target is not None:
        log(
            say(
                "Target {target}: {rate} of the images not already of their target class are now predicted as it "
                "({already} images were already of it and were left as they are).",
                target=result.target,
                rate=_fmt(result.target_success_rate),
                already=result.already_target,
            )
        )
    saved = None
    if a.save_adversarial:
        from engine.adversarial_sets import SetSource, save_adversarial_set

        saved = save_adversarial_set(
            a.save_adversarial,
            evaluation.adversarial,
            x,
            y,
            targets=evaluation.targets,
            class_names=split.class_names,
            source=SetSource(str(source), architecture),
            attack_cfg=cfg,
            overwrite=a.overwrite,
        )
        log(say("Adversarial set of {n} images written to {path}", n=len(x), path=saved))
    suite_fields = {"suite": ",".join(suite), "eps": ", ".join(f"{e:g}" for e in eps_list)}
    if a.no_sanity:
        log(say("Suite {suite} at ε = {eps}…", **suite_fields))
    else:
        n_sanity = min(a.sanity_images or len(x), len(x))
        log(say("Suite {suite} at ε = {eps}, then sanity checks on {n} images…", n=n_sanity, **suite_fields))
    suite_result = run_suite(
        model,
        x,
        y,
        suite,
        eps_list,
        steps=a.steps,
        restarts=a.restarts,
        seed=a.seed,
        batch_size=a.batch_size,
        reference_model=reference,
        adversarially_trained=adversarially_trained,
        progress=lambda t: log(f"  {t}"),
        eps_search=a.eps_search,
        sanity=not a.no_sanity,
        sanity_limit=a.sanity_images if a.sanity_images > 0 else None,
        known=evaluation.known,
    )
    for check in suite_result.sanity:
        log(f"  [{'pass' if check.passed else 'WARNING'}] {check.name}: {check.reason}")
    suite_dict = suite_result.to_dict()
    out = result.to_dict() | {
        "device": str(device),
        "model": source,
        "eps_list": list(suite_result.eps),
        "suite": suite_dict["robust_accuracy"],
        "worst_case": suite_dict["worst_case"],
        "attacks": {
            k: {f: v[f] for f in ("bounded", "norm", "median_linf", "median_l2", "success_rate", "seconds")}
            for k, v in suite_dict["attacks"].items()
        },
        "sanity": {c.name: {"passed": c.passed, "reason": c.reason, "skipped": c.skipped} for c in suite_result.sanity},
    }
    if saved is not None:
        out["adversarial_set"] = str(saved)
    critical = None
    if a.critical_eps:
        out["critical_eps"], critical = _write_critical_eps(model, x, y, a, log, evaluation.known)
    if a.certify:
        out |= _certify(model, x, y, a, result.robust_accuracy, log)
    if a.report:
        from engine.report import write_report

        n = min(8, len(x))
        torch.manual_seed(a.seed)
        gallery_cfg = dataclasses.replace(cfg, seed=a.seed, norm="l2" if cfg.name == "pgd-l2" else "linf")
        gallery = suite_gallery(model, x[:n].to(device), y[:n].to(device), gallery_cfg, split.class_names)
        settings = {
            "model": source,
            "dataset": split.name,
            "n": len(x),
            "primary_attack": dataclasses.asdict(cfg),
            "suite": ",".join(suite),
            "eps_list": ", ".join(f"{e:g}" for e in suite_result.eps),
            "seed": a.seed,
            "device": str(device),
            "precision": a.precision,
            "transfer_from": a.transfer_from,
        }
        summary = {
            "clean_accuracy": result.clean_accuracy,
            f"robust_accuracy ({cfg.name}, ε={cfg.eps:g})": result.robust_accuracy,
        }
        if a.certify:
            summary[f"certified_accuracy (interval bounds, ε={a.eps:g})"] = out["certified_accuracy"]
        from engine.saliency import report_saliency

        saliency = report_saliency([(Path(source).name, model)], x, y, seed=a.seed)
        written = write_report(
            a.report,
            title=say("Robustness evaluation of {name}", name=Path(source).name),
            settings=settings,
            summary=summary,
            suite=suite_result,
            gallery=gallery,
            saliency=saliency,
            language=active_language(),
            critical=None if critical is None else (critical, x.cpu().numpy()),
        )
        out["report"] = {k: str(v) for k, v in written.items()}
        log(say("Report written to {path}", path=written["html"]))
    return out


def _write_critical_eps(
    model: Any, x: Any, y: Any, a: argparse.Namespace, log: Callable[[str], None], known: Any = None
) -> tuple[dict, Any]:
    """evaluate --critical-eps: per image, the first ε of the grid at which PGD breaks it, to a CSV
    (atomically); the JSON summary and the engine.messages.CriticalEps (for the report's histogram)."""
    import csv
    import math
    import os
    import tempfile

    import torch

    from engine.evaluate import critical_eps

    grid = a.eps_list if a.eps_list and len(a.eps_list) > 1 else tuple(a.eps * 2 * k / 8 for k in range(1, 9))
    path = Path(a.critical_eps)
    if path.suffix.lower() != ".csv":
        raise CliError("The critical-ε file must end in .csv (got '{name}').", name=path.name)
    log(say("Critical ε of {n} images on {k} values of ε…", n=len(x), k=len(grid)))
    torch.manual_seed(a.seed)
    cfg = AttackConfig("pgd", eps=max(grid), steps=a.steps, step_size=a.step_size, restarts=a.restarts, seed=a.seed)
    result = critical_eps(model, x, y, grid, cfg, batch_size=a.batch_size, known=known)
    values = result.values
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("image", "label", "critical_eps", "grid_index"))
            for i, (label, value, k) in enumerate(zip(result.labels, values, result.index, strict=True)):
                writer.writerow((i, int(label), "inf" if math.isinf(value) else f"{value:.6g}", int(k)))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    order = result.order()
    summary = result.to_dict() | {
        "file": str(path),
        "first_to_fall": [int(i) for i in order[:5]],
        "last_to_fall": [int(i) for i in order[::-1][:5]],
    }
    median = summary["median_critical_eps"]
    log(
        say(
            "Median critical ε: {value}; written to {path}",
            value="> grid" if median is None else f"{median:g}",
            path=path,
        )
    )
    return summary, result


def _evaluate_on_set(a: argparse.Namespace) -> dict[str, Any]:
    """evaluate --on-set: the model's accuracy on a saved adversarial set and on the set's originals."""
    import torch

    from engine.adversarial_sets import describe_set, load_adversarial_set, set_fits
    from engine.evaluate import accuracy_of, predict
    from engine.model_files import check_classifier
    from engine.trainer import resolve_device

    if a.save_adversarial or a.target:
        raise CliError("--on-set evaluates a saved set; --target and --save-adversarial are for making one.")
    device = resolve_device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)
    aset = load_adversarial_set(a.on_set)
    if a.model_file:
        from engine.model_files import load_model_file

        model, source = load_model_file(a.model_file), a.model_file
    else:
        from engine.checkpoints import load_checkpoint, load_model

        _, model, class_names = load_model(a.run_dir)
        source = a.run_dir
        set_fits(aset, tuple(load_checkpoint(a.run_dir)["meta"]["shape"]), len(class_names), source)
    x_adv, x = torch.from_numpy(aset.images.copy()), torch.from_numpy(aset.originals.copy())
    y, targets = torch.from_numpy(aset.labels.copy()), torch.from_numpy(aset.targets.copy())
    if a.limit_holdout:
        keep = slice(0, a.limit_holdout)
        x_adv, x, y, targets = x_adv[keep], x[keep], y[keep], targets[keep]
    model.to(device)
    check_classifier(model, x_adv[:8], aset.num_classes, Path(source).name)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(
        say(
            "Evaluating {model} on {n} images of the adversarial set {path} ({attack} ε={eps} on {source})…",
            model=source,
            n=len(x),
            path=a.on_set,
            attack=aset.attack,
            eps=f"{aset.eps:g}",
            source=aset.source,
        )
    )
    predicted = predict(model, x_adv, a.batch_size).argmax(1).cpu()
    on_set = accuracy_of(predicted == y)
    on_originals = accuracy_of(predict(model, x, a.batch_size).argmax(1).cpu() == y)
    out: dict[str, Any] = {
        "model": source,
        "device": str(device),
        "accuracy_on_set": on_set,
        "accuracy_on_originals": on_originals,
    } | describe_set(aset)
    out |= {"n": len(x), "eps": aset.eps}
    aimed = (targets >= 0) & (targets != y)
    if bool(aimed.any()):
        out["target_success_rate_on_set"] = accuracy_of((predicted == targets)[aimed])
    log(
        say(
            "Accuracy on the adversarial set: {adversarial} (on its originals: {clean}).",
            adversarial=_fmt(on_set),
            clean=_fmt(on_originals),
        )
    )
    return out


def _certify(
    model: Any, x: Any, y: Any, a: argparse.Namespace, robust: float, log: Callable[[str], None]
) -> dict[str, Any]:
    """evaluate --certify: certified accuracy at --eps (and the curve along --eps-list), logged in words."""
    from engine.certify import certified_accuracy, certified_curve

    log(say("Certifying {n} images with interval bounds at ε = {eps}…", n=len(x), eps=f"{a.eps:g}"))
    certified = certified_accuracy(model, x, y, a.eps, batch_size=a.batch_size)
    log(
        say(
            "Certified accuracy at ε = {eps}: {accuracy} of {n} images are proven robust "
            "(no attack can change them; {attack} left {robust}).",
            eps=f"{a.eps:g}",
            accuracy=_fmt(certified),
            n=len(x),
            attack=a.attack,
            robust=_fmt(robust),
        )
    )
    out: dict[str, Any] = {"certified_accuracy": certified, "certified_eps": a.eps}
    if a.eps_list:
        curve = certified_curve(model, x, y, a.eps_list, batch_size=a.batch_size)
        out["certified_curve"] = {"eps": list(curve.eps), "accuracy": list(curve.accuracy)}
        along = ", ".join(f"{e:g}: {_fmt(v)}" for e, v in zip(curve.eps, curve.accuracy, strict=True))
        log(say("Certified accuracy along ε: {along}", along=along))
    return out


def cmd_export(a: argparse.Namespace) -> dict[str, Any]:
    from engine.export import export_run

    path = export_run(a.run_dir, a.file)
    return {"file": str(path)}


def one_line(text: str) -> str:
    """The message as one printable line: a value the person typed may hold line breaks or control codes."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _lang_option(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr (exit 2), the traceback only in the log."""
    from engine.logs import setup_logging

    argv = list(sys.argv[1:] if argv is None else argv)
    # --lang before argparse reads the rest, so that its complaints are worded in it too (the parser then
    # checks the value; a scan, not a second parser, so that a bad --lang is reported once, by the parser)
    set_language(_lang_option(argv) or language_from_environment())
    parser = build_parser()
    handlers = {
        "train": cmd_train,
        "sweep": cmd_sweep,
        "compare": cmd_compare,
        "evaluate": cmd_evaluate,
        "export": cmd_export,
    }
    a = None
    try:
        a = parser.parse_args(argv)
        if a.command not in handlers:
            parser.print_help()
            return 2
        setup_logging(verbose=a.verbose)
        a.given = _given_options(parser, argv)
        result = handlers[a.command](a)
    except Interrupted as exc:
        print(json.dumps(jsonable(exc.result), default=str))
        return 128 + exc.signum
    except SystemExit as exc:
        if a is None or a.command not in handlers:  # argparse's --help: the normal way out
            raise
        print(
            say(
                "error: {command} was stopped by code that tried to end the program (exit {code}); "
                "nothing of its result was written.",
                command=a.command,
                code=repr(exc.code),
            ),
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(say("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - engine.errors words it; unexpected ones are logged with a traceback
        print(say("error: {message}", message=one_line(user_message(exc))), file=sys.stderr)
        return 2
    print(json.dumps(jsonable(result), default=str))
    return 0
