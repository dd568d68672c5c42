"""What crosses the process boundary: frozen snapshots out of the engine, commands into it.

The window and the engine run in two processes (engine.service, gui.engine_process) and talk only
through a multiprocessing pipe, so everything here is pickled: snapshots and results hold Python
scalars, tuples and CPU numpy arrays, never a tensor or a model. This module and engine.config are
plain Python (numpy at most) because both processes import them; the window never imports torch.
Inside the engine, commands for a run travel on a real queue (``TrainingControl``) so that none is
lost between steps.
"""

from __future__ import annotations

import dataclasses
import io
import math
import pickle
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from engine.config import AttackConfig, RunConfig


class Cancelled(Exception):
    """Raised inside long work when the user asked it to stop."""


class CancelToken(Protocol):
    """What long work polls to stop early (every batch and inside attack loops): ``TrainingControl``
    is one; tests may pass anything with a ``cancelled`` flag."""

    @property
    def cancelled(self) -> bool: ...


def frozen_array(array: np.ndarray) -> np.ndarray:
    """A private read-only copy, safe to hand to another thread."""
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


# ---------------------------------------------------------------- engine -> GUI
@dataclass(frozen=True)
class RunStarted:
    config: RunConfig
    device: str  # what is actually in use, e.g. "cpu" or "cuda:0 (NVIDIA H100)"
    n_train: int
    n_holdout: int
    steps_per_epoch: int
    class_names: tuple[str, ...]
    run_dir: str | None
    notes: tuple[str, ...] = ()  # plain-language remarks, e.g. "used a seeded 8000/2000 split"


@dataclass(frozen=True)
class StepMetrics:
    step: int  # global step, from 1
    epoch: int  # from 1
    epoch_progress: float  # 0..1 within the epoch
    loss_clean: float
    loss_adv: float  # 0 when λ = 0 or no attack
    lam: float
    weighted_adv: float  # λ·L_adv
    l1_penalty: float  # coefficient × Σ|w|
    l2_penalty: float  # coefficient × Σw²
    loss_total: float
    accuracy_clean: float  # on this batch
    accuracy_adv: float  # on this batch's adversarial examples (nan without attack)
    eps: float
    lr: float
    attack: str
    images_per_second: float
    eta_seconds: float


@dataclass(frozen=True)
class EpochMetrics:
    epoch: int
    step: int
    clean_accuracy: float  # held-out set
    robust_accuracy: float  # held-out set under PGD at the current ε (nan when ε = 0)
    eval_attack: str
    eps: float
    n: int
    seconds: float
    train_loss: float


@dataclass(frozen=True)
class GalleryBatch:
    step: int
    attack: str
    eps: float
    original: np.ndarray  # N×C×H×W float32 in [0, 1]
    adversarial: np.ndarray  # same shape
    labels: np.ndarray  # N int64
    pred_clean: np.ndarray
    pred_adv: np.ndarray
    probs_clean: np.ndarray  # N×K softmax
    probs_adv: np.ndarray
    class_names: tuple[str, ...]
    targets: np.ndarray | None = None  # N int64: the class a targeted attack pushed each image toward

    @property
    def perturbation(self) -> np.ndarray:
        return self.adversarial - self.original

    @property
    def fooled(self) -> np.ndarray:
        return (self.pred_clean == self.labels) & (self.pred_adv != self.labels)


@dataclass(frozen=True)
class ConfigApplied:
    step: int  # the next step is the first that uses it
    changes: tuple[tuple[str, Any], ...]  # what was applied
    config: RunConfig  # the whole config now in force
    rejected: tuple[tuple[str, str], ...] = ()  # (key, reason) for changes that were refused


@dataclass(frozen=True)
class StateChanged:
    state: str  # "running" | "paused"
    step: int


@dataclass(frozen=True)
class RunFinished:
    reason: str  # "completed" | "stopped"
    step: int
    clean_accuracy: float
    robust_accuracy: float
    run_dir: str | None


@dataclass(frozen=True)
class TrainingWarning:
    """Something about a run that a person must know while it trains (said once per run and kind), e.g.
    ``kind = "catastrophic_overfitting"``; ``message`` says it in plain words with the remedy."""

    step: int
    epoch: int
    kind: str
    message: str
    numbers: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class RunFailed:
    message: str  # readable by a person; no traceback
    step: int
    run_dir: str | None


Message = (
    RunStarted
    | StepMetrics
    | EpochMetrics
    | GalleryBatch
    | ConfigApplied
    | StateChanged
    | TrainingWarning
    | RunFinished
    | RunFailed
)


# ---------------------------------------------------------------- results of analysis jobs
@dataclass(frozen=True)
class CriticalEps:
    """Per image, the smallest ε of a grid at which an attack breaks it (engine.evaluate.critical_eps).

    ``index[i]`` is −1 for an image the model gets wrong without any attack (critical ε 0), k for the
    first grid ε_k that breaks it, and len(eps) when none does (critical ε above the grid: +inf here).
    """

    attack: str
    eps: tuple[float, ...]  # the grid, ascending
    index: np.ndarray  # N int64
    labels: np.ndarray  # N int64
    # For the window: the few images that fall first and those that hold longest (engine.suite).
    first_images: np.ndarray | None = None  # k×C×H×W
    first_index: tuple[int, ...] = ()
    last_images: np.ndarray | None = None
    last_index: tuple[int, ...] = ()

    @property
    def values(self) -> np.ndarray:
        """Critical ε per image: 0 (wrong already), a grid ε, or inf (not broken on the grid)."""
        grid = np.array((0.0, *self.eps, math.inf))
        return grid[self.index + 1]

    @property
    def median(self) -> float:
        """The median over all images (inf when more than half survive the whole grid): the smallest grid
        ε at which the attack leaves at most half of the images correct, read as one number."""
        return float(np.median(self.values)) if len(self.index) else math.nan

    def order(self) -> np.ndarray:
        """Image indices from the first to fall to the last (ties keep the images' order)."""
        return np.argsort(self.index, kind="stable")

    def to_dict(self) -> dict[str, Any]:
        n = len(self.index)
        unbroken = int((self.index == len(self.eps)).sum())
        return {
            "attack": self.attack,
            "eps_grid": list(self.eps),
            "n": n,
            "median_critical_eps": None if math.isinf(self.median) else self.median,
            "wrong_before_attack": int((self.index < 0).sum()),
            "not_broken_on_grid": unbroken,
            "histogram": [int((self.index == k).sum()) for k in range(len(self.eps))],
        }


@dataclass(frozen=True)
class EpsCurve:
    eps: tuple[float, ...]
    accuracy: dict[str, tuple[float, ...]]  # attack name -> accuracy at each ε
    clean_accuracy: float
    n: int
    critical: CriticalEps | None = None  # PGD's per-image critical ε, when PGD is among the attacks


@dataclass(frozen=True)
class CertifiedCurve:
    """Certified accuracy (interval bounds, engine.certify) at each L∞ ε: a proof, not an attack's result."""

    eps: tuple[float, ...]
    accuracy: tuple[float, ...]  # fraction of the n images certified at each ε
    n: int
    clean_accuracy: float


@dataclass(frozen=True)
class SaliencyPanel:
    """One model's attribution maps (engine.saliency) for an image before and after an attack."""

    model: str  # "current" (the model in use), "standard" or "robust" (the shipped pair)
    methods: tuple[str, ...]  # engine.saliency.METHODS
    images: np.ndarray  # 2×C×H×W: the clean image, the attacked image
    predictions: tuple[int, int]  # the model's class for each of the two images
    maps: np.ndarray  # methods×2 images×2 classes (true, predicted)×H×W, each scaled to its maximum
    inside: np.ndarray  # methods×2×2: the share of each map's mass on the strokes (before scaling)


@dataclass(frozen=True)
class SampleExplanation:
    """What each model looks at on one gallery sample: the model in use first, then the shipped pair."""

    label: int
    class_names: tuple[str, ...]
    attack: str
    eps: float
    panels: tuple[SaliencyPanel, ...]


@dataclass(frozen=True)
class SaliencySummary:
    """Mean inside-the-strokes fraction per model and method over n held-out images (true class)."""

    models: tuple[str, ...]
    methods: tuple[str, ...]
    inside: tuple[tuple[float, ...], ...]  # [model][method]
    chance: float  # the strokes' share of all pixels: what a map spread evenly would score
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "chance": self.chance,
            "inside_fraction": {
                m: dict(zip(self.methods, row, strict=True)) for m, row in zip(self.models, self.inside, strict=True)
            },
        }


@dataclass(frozen=True)
class SanityCheck:
    name: str
    passed: bool
    reason: str
    numbers: dict[str, float] = field(default_factory=dict)
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TransferMatrix:
    names: tuple[str, ...]
    attack: AttackConfig
    n: int
    clean_accuracy: tuple[float, ...]  # per model
    accuracy: tuple[tuple[float, ...], ...]  # [source][target]

    def whitebox(self) -> tuple[float, ...]:
        return tuple(self.accuracy[i][i] for i in range(len(self.names)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "attack": dataclasses.asdict(self.attack),
            "n": self.n,
            "clean_accuracy": list(self.clean_accuracy),
            "accuracy": [list(r) for r in self.accuracy],
        }


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (num_classes,) float32, read-only
    label: int

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.label])


# ---------------------------------------------------------------- window <-> engine process
@dataclass(frozen=True)
class ModelSource:
    """Which model a job uses: a run folder (its checkpoint) or the user's own file (``file``, read as
    ``architecture`` for weights-only files). ``config`` says which data the model reads."""

    config: RunConfig
    run_dir: str | None = None
    file: str | None = None
    architecture: str | None = None

    @property
    def label(self) -> str:
        return self.file or self.run_dir or "?"


@dataclass(frozen=True)
class StartRun:
    """Train ``config`` into ``run_dir`` (continue its checkpoint with ``resume``; with ``overwrite``, move
    a run already there aside first: a sweep trial that was cut short before its first checkpoint)."""

    job: int
    config: RunConfig
    run_dir: str
    resume: bool = False
    overwrite: bool = False


@dataclass(frozen=True)
class StartTask:
    """One analysis job (engine.service.TASKS names the kinds and their parameters)."""

    job: int
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class CancelJob:
    job: int


@dataclass(frozen=True)
class Shutdown:
    """Stop everything (a run saves its checkpoint) and end the engine process."""


@dataclass(frozen=True)
class EngineReady:
    pid: int
    torch_version: str
    threads: int
    devices: tuple[str, ...]


@dataclass(frozen=True)
class JobProgress:
    job: int
    done: int
    total: int


@dataclass(frozen=True)
class JobDone:
    job: int
    kind: str
    result: Any


@dataclass(frozen=True)
class JobFailed:
    job: int
    kind: str
    message: str  # one plain sentence (engine.errors)


@dataclass(frozen=True)
class JobCancelled:
    job: int
    kind: str


@dataclass(frozen=True)
class RunEnded:
    """The run's thread in the engine is free again (after RunFinished or RunFailed)."""

    job: int


@dataclass(frozen=True)
class FolderDataset:
    """What a folder of the user's images holds, once the engine has read it."""

    num_classes: int
    class_names: tuple[str, ...]
    notes: tuple[str, ...]
    image_shape: tuple[int, int, int]


# ---------------------------------------------------------------- GUI -> engine
@dataclass(frozen=True)
class UpdateConfig:
    changes: tuple[tuple[str, Any], ...]  # dotted keys, e.g. (("train.lam", 0.5),)

    @classmethod
    def of(cls, **changes: Any) -> UpdateConfig:
        """UpdateConfig.of(train__lam=0.5) -> (("train.lam", 0.5),)."""
        return cls(tuple((k.replace("__", "."), v) for k, v in changes.items()))


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class EvaluateNow:
    pass


Command = UpdateConfig | Pause | Resume | Stop | EvaluateNow


@dataclass
class TrainingControl:
    """The GUI's handle on a running engine: a command queue plus a cancel token.

    ``stop()`` sets the token at once (checked every batch and inside attack loops) so a stop
    does not wait for the queue to be drained.
    """

    commands: queue.Queue = field(default_factory=queue.Queue)
    cancel_event: threading.Event = field(default_factory=threading.Event)
    stop_reason: str = "stopped"  # "interrupted" when a signal (SIGTERM, Ctrl+C) ended the run

    def send(self, command: Command) -> None:
        if isinstance(command, Stop):
            self.cancel_event.set()
        self.commands.put(command)

    def stop(self, reason: str = "stopped") -> None:
        """Ask the run to end; safe to call from a signal handler (it only sets a flag and queues)."""
        self.stop_reason = reason
        self.send(Stop())

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()

    def drain(self) -> list[Command]:
        out = []
        while True:
            try:
                out.append(self.commands.get_nowait())
            except queue.Empty:
                return out


# ---------------------------------------------------------------- what the window may unpickle
# The window's process never imports torch. Replies are therefore read with an allow-list: the classes
# of this module and engine.config, numpy arrays and Python's own containers. The engine checks every
# result against the same list before sending it (``window_readable``), so a result that would need
# torch (a tensor left in it, a class from a torch-importing module) becomes a JobFailed, not a reply
# the window cannot read.
WINDOW_MODULES = ("engine.messages", "engine.config", "numpy", "builtins", "collections", "copyreg", "_codecs")


class WindowUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # noqa: ANN201 - pickle's own signature
        if not any(module == m or module.startswith(m + ".") for m in WINDOW_MODULES):
            raise pickle.UnpicklingError(f"{module}.{name} is not something the window reads")
        return super().find_class(module, name)


def window_loads(data: bytes) -> object:
    return WindowUnpickler(io.BytesIO(data)).load()


def window_readable(message: object) -> bool:
    """True if the window's process can read ``message`` (pickled and read back with its allow-list)."""
    try:
        window_loads(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - any failure means the window could not read it either
        return False
    return True
