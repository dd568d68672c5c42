"""What crosses the thread boundary: frozen snapshots out of the engine, commands into it.

Snapshots hold only Python scalars, tuples and CPU numpy copies (marked read-only), never a
tensor or the model, so the GUI thread can keep them without racing the trainer.
Commands travel on a real queue (``TrainingControl``) so that none is lost between steps.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from engine.config import RunConfig


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
class RunFailed:
    message: str  # readable by a person; no traceback
    step: int
    run_dir: str | None


Message = (
    RunStarted | StepMetrics | EpochMetrics | GalleryBatch | ConfigApplied | StateChanged | RunFinished | RunFailed
)


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
