"""Frozen configuration of one run: the single source of truth, saved beside the run.

Every range is checked here, where the config is built, so that a bad value is
reported once, in words a person understands, before any work starts.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from engine.errors import UserError

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10", "folder")  # the window's dataset list
# Datasets read from one file (DataConfig.file): a saved adversarial set (engine.adversarial_sets). Kept out of
# DATASETS, the window's list, until the window can choose the file; the command line and configs take them.
FILE_DATASETS = ("adversarial-set",)
ALL_DATASETS = DATASETS + FILE_DATASETS
MODELS = ("seed-cnn", "mlp", "small-cnn", "resnet")
# n-fgsm (de Jorge et al. 2022): FGSM from noise of up to 2ε with step ε, not clipped to the ε-ball — the
# one-step attack that does not overfit catastrophically; training only.
TRAIN_ATTACKS = ("none", "fgsm", "fgsm-rs", "n-fgsm", "pgd")
ONE_STEP_ATTACKS = ("fgsm", "fgsm-rs", "n-fgsm")  # training attacks that can overfit catastrophically
OWN_ATTACKS = ("fgsm", "pgd", "pgd-l2", "noise-uniform", "noise-gaussian")  # engine.attacks makes these
TORCHATTACKS_BOUNDED = ("apgd-ce", "apgd-dlr", "square", "autoattack")  # torchattacks, within ε
MIN_NORM_ATTACKS = ("cw", "deepfool")  # torchattacks, the smallest change that fools (no ε)
SUITE_ATTACKS = OWN_ATTACKS + TORCHATTACKS_BOUNDED + MIN_NORM_ATTACKS  # what evaluation can run
TARGETED_ATTACKS = ("fgsm", "pgd", "pgd-l2")  # the attacks that can aim at a chosen class (AttackConfig.target)
TARGET_MODES = ("random", "least-likely")  # targets chosen per image; otherwise a class number "0".."K-1"
ATTACKS = ("none", "fgsm-rs", "n-fgsm") + SUITE_ATTACKS
OPTIMIZERS = ("adam", "sgd")
# The arithmetic of the attacks' gradient passes (engine.attacks.gradient_precision; evaluate --precision).
PRECISIONS = ("fp32", "bf16", "fp16")
# How a run makes its model robust: "at" adversarial training (the seed's L_clean + λ·L_adv, L_adv on the
# training attack's examples), "trades" (Zhang et al. 2019: CE(f(x), y) + β·KL(f(x) ‖ f(x')), x' found by
# maximising the KL), "mart" (Wang et al. 2020: boosted CE on x' + β·KL weighted by 1 − p_y(x)), "ibp"
# certified training on interval bounds (engine.certify).
TRAIN_METHODS = ("at", "trades", "mart", "ibp")
IBP_MODELS = ("seed-cnn", "mlp", "small-cnn")  # chains of layers interval bounds can pass (not resnet's blocks)
LR_SCHEDULES = ("constant", "step")  # step: lr/10 after 70% of the steps, lr/100 after 90%
DEVICES = ("auto", "cpu", "cuda")


class ConfigError(UserError):
    """A value a person chose is out of range; the message says which and why."""


def _check(condition: bool, template: str, /, **fields: object) -> None:
    """Raise a ConfigError with ``template`` (an English sentence of the catalogue) and its fields unless
    ``condition`` holds."""
    if not condition:
        raise ConfigError(template, **fields)


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object, lo: int, hi: int | None = None) -> bool:
    """A whole number (not a bool, not 3.0) from lo to hi."""
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value and (hi is None or value <= hi)


SEED_MAX = 2**32 - 1  # the seeds torch.manual_seed and numpy both accept


@dataclass(frozen=True)
class DataConfig:
    name: str = "digits"
    data_dir: str | None = None  # None: the user's data directory (see engine.data.default_data_dir)
    image_size: int = 32  # only for "folder": images are resized to this square size
    holdout_fraction: float = 0.2  # used where a dataset has no official test split we can use
    limit_train: int | None = None  # keep only the first N training images (quick experiments)
    limit_holdout: int | None = None
    download: bool = False  # fetch MNIST / Fashion-MNIST / CIFAR-10 with torchvision when the files are missing
    file: str | None = None  # "adversarial-set" only: the .npz file (engine.adversarial_sets) to learn from

    def validate(self) -> None:
        _check(
            isinstance(self.name, str) and self.name in ALL_DATASETS,
            "Unknown dataset '{name}'. Choose one of: {choices}.",
            name=self.name,
            choices=", ".join(ALL_DATASETS),
        )
        _check(self.data_dir is None or isinstance(self.data_dir, str), "The data folder must be a path.")
        _check(_whole(self.image_size, 4, 512), "Image size must be a whole number of pixels from 4 to 512.")
        _check(
            _finite(self.holdout_fraction) and 0.05 <= self.holdout_fraction <= 0.5,
            "The held-out fraction must be between 0.05 and 0.5.",
        )
        _check(
            self.limit_train is None or _whole(self.limit_train, 1),
            "The training image limit must be a whole number, at least 1.",
        )
        _check(
            self.limit_holdout is None or _whole(self.limit_holdout, 1),
            "The held-out image limit must be a whole number, at least 1.",
        )
        _check(isinstance(self.download, bool), "'download' must be true or false.")
        _check(
            self.file is None or (isinstance(self.file, str) and self.file.strip() != "" and "\x00" not in self.file),
            "The data file must be a path to a file.",
        )
        _check(
            self.name != "adversarial-set" or self.file is not None,
            "The dataset 'adversarial-set' needs its file: choose a saved adversarial set (.npz).",
        )


@dataclass(frozen=True)
class ModelConfig:
    name: str = "seed-cnn"
    dropout: float = 0.0

    def validate(self) -> None:
        _check(
            isinstance(self.name, str) and self.name in MODELS,
            "Unknown model '{name}'. Choose one of: {choices}.",
            name=self.name,
            choices=", ".join(MODELS),
        )
        _check(_finite(self.dropout) and 0.0 <= self.dropout < 1.0, "Dropout must be at least 0 and below 1.")


@dataclass(frozen=True)
class AttackConfig:
    """One attack: the adversary that makes L_adv during training (a TRAIN_ATTACKS name; RunConfig checks
    that) or any attack the evaluation suite runs (engine.suite). The fields after ``restarts`` matter
    only to the suite's torchattacks attacks."""

    name: str = "fgsm-rs"
    eps: float = 0.1  # L-inf radius as a fraction of the pixel range (0.1 = 25.5/255); unused by cw, deepfool
    steps: int = 10  # PGD / APGD iterations
    step_size: float | None = None  # None: 2.5 * eps / steps for PGD, 1.25 * eps for FGSM-RS
    restarts: int = 1
    norm: str = "linf"  # the norm ε is measured in: "linf" or "l2" (pgd-l2 is always l2)
    seed: int = 0  # torchattacks' own random starts
    min_norm_steps: int = 100  # CW's optimisation steps and DeepFool's step limit
    # torchattacks' CW has no binary search over c, so a larger c than its default (1) and a larger
    # learning rate are used: on the digits model they fool 99.7% of samples instead of 79%.
    cw_c: float = 10.0
    cw_lr: float = 0.05
    n_queries: int = 1000  # Square's query budget per sample
    # None: untargeted (push away from the true class). Otherwise the class to make each image look like:
    # a class number "0".."K-1" (images already of that class are left as they are), "random" (another
    # class per image, drawn with ``seed``) or "least-likely" (the class the model finds least likely).
    # Only TARGETED_ATTACKS take one; the range of a class number is checked where the classes are known.
    target: str | None = None

    @property
    def bounded(self) -> bool:
        """Whether the attack stays within ε (the minimum-norm attacks look for the smallest change)."""
        return self.name not in MIN_NORM_ATTACKS

    def validate(self) -> None:
        _check(
            isinstance(self.name, str) and self.name in ATTACKS,
            "Unknown attack '{name}'. Choose one of: {choices}.",
            name=self.name,
            choices=", ".join(ATTACKS),
        )
        _check(_finite(self.eps), "ε (epsilon) must be a number (got {value}).", value=repr(self.eps)[:40])
        _check(self.eps >= 0, "ε (epsilon) must be 0 or more.")
        _check(
            self.eps <= 1.0 or (self.name == "pgd-l2" and self.eps <= 100) or not self.bounded,
            "ε above 1 would allow any image at all; use at most 1.",
        )
        _check(_whole(self.steps, 1, 10_000), "Attack steps must be a whole number from 1 to 10000.")
        _check(
            self.step_size is None or (_finite(self.step_size) and 0 < self.step_size <= 100),
            "The attack step size must be a number above 0.",
        )
        _check(_whole(self.restarts, 1, 100), "Restarts must be a whole number from 1 to 100.")
        _check(self.norm in ("linf", "l2"), "The norm must be 'linf' or 'l2'.")
        _check(_whole(self.seed, 0, SEED_MAX), "The seed must be a whole number from 0 to {max}.", max=SEED_MAX)
        _check(
            _whole(self.min_norm_steps, 1, 10_000) and _whole(self.n_queries, 1, 10**7),
            "Minimum-norm steps must be 1-10000 and queries at least 1.",
        )
        _check(_finite(self.cw_c) and self.cw_c > 0 and _finite(self.cw_lr) and self.cw_lr > 0,
               "CW's c and learning rate must be numbers above 0.")  # fmt: skip
        _check(
            valid_target(self.target),
            "The target must be a class number (0, 1, 2, …), 'random' or 'least-likely' (got {value}).",
            value=repr(self.target)[:40],
        )
        _check(
            self.target is None or self.name in TARGETED_ATTACKS,
            "Only {choices} can aim at a target class; '{name}' cannot.",
            choices=", ".join(TARGETED_ATTACKS),
            name=self.name,
        )


def valid_target(target: object) -> bool:
    """None, a TARGET_MODES name, or a class number written plainly ("0", "7", "12"; not "07", "+1", " 3")."""
    if target is None:
        return True
    if not isinstance(target, str):
        return False
    return target in TARGET_MODES or re.fullmatch(r"0|[1-9][0-9]{0,3}", target) is not None


@dataclass(frozen=True)
class AugmentConfig:
    rotation: float = 0.0  # degrees, drawn uniformly from [-rotation, rotation]
    shift: float = 0.0  # fraction of width/height
    hflip: bool = False
    crop_padding: int = 0  # pixels of zero padding before a random crop back to size
    noise_std: float = 0.0  # Gaussian noise on the pixel values

    def validate(self) -> None:
        _check(_finite(self.rotation) and 0 <= self.rotation <= 180, "Rotation must be from 0 to 180 degrees.")
        _check(_finite(self.shift) and 0 <= self.shift <= 0.5, "Shift must be from 0 to 0.5 of the image size.")
        _check(isinstance(self.hflip, bool), "Horizontal flip must be on or off (true or false).")
        _check(_whole(self.crop_padding, 0, 16), "Crop padding must be a whole number of pixels from 0 to 16.")
        _check(_finite(self.noise_std) and 0 <= self.noise_std <= 1, "Noise strength must be from 0 to 1.")

    @property
    def active(self) -> bool:
        return bool(self.rotation or self.shift or self.hflip or self.crop_padding or self.noise_std)


@dataclass(frozen=True)
class RegularizationConfig:
    l1: float = 0.0
    l2: float = 0.0

    def validate(self) -> None:
        _check(_finite(self.l1) and 0 <= self.l1 <= 1e3, "The L1 coefficient must be a number from 0 to 1000.")
        _check(_finite(self.l2) and 0 <= self.l2 <= 1e3, "The L2 coefficient must be a number from 0 to 1000.")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 3
    batch_size: int = 128
    lr: float = 1e-3
    optimizer: str = "adam"
    lr_schedule: str = "constant"  # LR_SCHEDULES; the live lr knob sets the rate the schedule scales
    lam: float = 1.0  # λ: weight of the adversarial loss; 0 is standard training
    seed: int = 0
    device: str = "auto"
    gallery_every: int = 25  # steps between gallery snapshots (0: never)
    # ...and at least this often in seconds of training (0: only by steps): a run started from a model whose
    # settings say gallery_every 0 still shows a live gallery, whatever the speed of its steps.
    gallery_seconds: float = 2.0
    gallery_size: int = 8
    eval_steps: int = 10  # PGD steps of the per-epoch robust accuracy check
    eval_size: int = 1000  # held-out images for the per-epoch check (the last epoch uses all; 0 = all)
    threads: int | None = None  # torch CPU threads; None leaves the current setting
    method: str = "at"  # TRAIN_METHODS: "at" (L_clean + λ·L_adv), "trades", "mart", "ibp" (κ·L_clean + (1−κ)·λ·L_IBP)
    beta: float = 6.0  # β of TRADES and MART: the weight of their KL term (both papers' default is 6)
    # IBP only (Gowal et al. 2018): κ moves linearly from kappa_start to kappa_end while the training ε grows
    # linearly from 0 to attack.eps over eps_ramp of the run's steps, after eps_warmup of them at ε = 0.
    kappa_start: float = 1.0
    kappa_end: float = 0.5
    eps_warmup: float = 0.05  # fraction of all steps
    eps_ramp: float = 0.4  # fraction of all steps

    def validate(self) -> None:
        _check(_whole(self.epochs, 1, 10_000), "Epochs must be a whole number from 1 to 10000.")
        _check(_whole(self.batch_size, 1, 65_536), "Batch size must be a whole number from 1 to 65536.")
        _check(_finite(self.lr) and 0 < self.lr <= 10, "The learning rate must be a number above 0 and at most 10.")
        _check(
            isinstance(self.optimizer, str) and self.optimizer in OPTIMIZERS,
            "Unknown optimizer '{name}'. Choose adam or sgd.",
            name=self.optimizer,
        )
        _check(
            isinstance(self.lr_schedule, str) and self.lr_schedule in LR_SCHEDULES,
            "Unknown learning-rate schedule '{name}'. Choose one of: {choices}.",
            name=str(self.lr_schedule)[:40],
            choices=", ".join(LR_SCHEDULES),
        )
        _check(_finite(self.lam) and 0 <= self.lam <= 1e6, "λ (lambda) must be a number from 0 to 1000000.")
        _check(_finite(self.beta) and 0 <= self.beta <= 1e6, "β (beta) must be a number from 0 to 1000000.")
        _check(
            isinstance(self.device, str) and self.device in DEVICES,
            "Unknown device '{name}'. Choose auto, cpu or cuda.",
            name=self.device,
        )
        _check(_whole(self.seed, 0, SEED_MAX), "The seed must be a whole number from 0 to {max}.", max=SEED_MAX)
        _check(_whole(self.gallery_every, 0) and _whole(self.gallery_size, 1, 64), "Gallery settings out of range.")
        _check(
            _finite(self.gallery_seconds) and 0 <= self.gallery_seconds <= 3600,
            "The gallery interval must be a number of seconds from 0 to 3600.",
        )
        _check(_whole(self.eval_steps, 1, 1000), "Evaluation PGD steps must be a whole number from 1 to 1000.")
        _check(_whole(self.eval_size, 0), "The evaluation size must be a whole number, 0 (all) or more.")
        _check(self.threads is None or _whole(self.threads, 1, 1024), "Threads must be a whole number from 1 to 1024.")
        _check(
            isinstance(self.method, str) and self.method in TRAIN_METHODS,
            "Unknown training method '{name}'. Choose one of: {choices}.",
            name=str(self.method)[:40],
            choices=", ".join(TRAIN_METHODS),
        )
        _check(
            all(_finite(k) and 0 <= k <= 1 for k in (self.kappa_start, self.kappa_end)),
            "κ (kappa), the weight of the clean loss in IBP training, must be from 0 to 1.",
        )
        _check(
            _finite(self.eps_warmup) and _finite(self.eps_ramp) and self.eps_warmup >= 0 and self.eps_ramp >= 0
            and self.eps_warmup + self.eps_ramp <= 1,
            "The ε warm-up and ramp are fractions of the training steps, each 0 or more and together at most 1.",
        )  # fmt: skip


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    attack: AttackConfig = field(default_factory=AttackConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    regularization: RegularizationConfig = field(default_factory=RegularizationConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    @property
    def adversarially_trained(self) -> bool:
        """Whether this config makes L_adv at all: the one definition the trainer, CLI and window use.
        IBP training uses no attack, only attack.eps (its L_adv is the bound's loss)."""
        if self.train.method == "ibp":
            return self.train.lam > 0 and self.attack.eps > 0
        attacked = self.attack.name != "none" and self.attack.eps > 0
        if self.train.method == "trades":  # β = 0 leaves the clean cross-entropy alone
            return attacked and self.train.beta > 0
        if self.train.method == "mart":  # its first term is already on the attacked images
            return attacked
        return attacked and self.train.lam > 0

    def validate(self) -> RunConfig:
        for section in dataclasses.fields(self):
            getattr(self, section.name).validate()
        _check(
            self.attack.name in TRAIN_ATTACKS,
            "Training can use the attacks {choices}; '{name}' is for evaluation.",
            choices=", ".join(TRAIN_ATTACKS),
            name=self.attack.name,
        )
        _check(self.attack.steps <= 1000, "A training attack takes at most 1000 steps (more are for evaluation).")
        _check(
            self.attack.target is None,
            "Training attacks are untargeted; a target class ({target}) is for evaluation.",
            target=str(self.attack.target)[:40],
        )
        _check(
            self.train.method != "ibp" or self.model.name in IBP_MODELS,
            "IBP (certified) training needs a model interval bounds can pass: {choices}; '{name}' has residual blocks.",
            choices=", ".join(IBP_MODELS),
            name=self.model.name,
        )
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunConfig:
        sections = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        if not isinstance(raw, dict):
            raise ConfigError("A run config must be a table of sections (data, model, attack, …).")
        for name, values in raw.items():
            if name not in sections:
                raise ConfigError("Unknown config section '{name}'.", name=name)
            if not isinstance(values, dict):
                raise ConfigError("The config section '{name}' must be a table of settings.", name=name)
            section_cls = type(getattr(cls(), name))
            known = {f.name for f in dataclasses.fields(section_cls)}
            unknown = set(values) - known
            if unknown:
                raise ConfigError(
                    "Unknown setting(s) in '{name}': {settings}.", name=name, settings=", ".join(sorted(unknown))
                )
            kwargs[name] = section_cls(**values)
        return cls(**kwargs).validate()

    def with_changes(self, changes: dict[str, Any]) -> RunConfig:
        """Return a validated copy with dotted keys replaced, e.g. {"attack.eps": 0.2, "train.lam": 0.5}."""
        updated: dict[str, dict[str, Any]] = {}
        for key, value in changes.items():
            section, _, name = key.partition(".")
            if section not in {f.name for f in dataclasses.fields(self)} or not name:
                raise ConfigError("Unknown setting '{key}'.", key=key)
            if name not in {f.name for f in dataclasses.fields(getattr(self, section))}:
                raise ConfigError("Unknown setting '{key}'.", key=key)
            updated.setdefault(section, {})[name] = value
        new = dataclasses.replace(self, **{s: dataclasses.replace(getattr(self, s), **v) for s, v in updated.items()})
        return new.validate()


# Settings that a running trainer can change between steps. Others (dataset, model, epochs...)
# shape the run itself and are fixed once it starts.
LIVE_KEYS = frozenset(
    {
        "train.lam",
        "train.beta",
        "train.lr",
        "attack.name",
        "attack.eps",
        "attack.steps",
        "attack.step_size",
        "augment.rotation",
        "augment.shift",
        "augment.hflip",
        "augment.crop_padding",
        "augment.noise_std",
        "regularization.l1",
        "regularization.l2",
        "model.dropout",
        "train.gallery_every",
        "train.gallery_seconds",
    }
)
