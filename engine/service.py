"""The engine process: it owns every model and does every piece of torch work the window needs.

The window (gui.engine_process) starts this in a ``spawn``-ed child and talks to it only through a
pipe, with the frozen dataclasses of engine.messages. So a crash in torch, in a user's model or in a
C extension ends this process and not the window, and no Qt object is ever touched from a thread
that does torch work (there is no Qt here at all).

Threads in this process, each with its own job queue:

- the main thread reads the pipe and routes commands;
- ``run``: one training run at a time (engine.trainer); Pause, Resume, Stop and live knob changes go
  to that run's ``TrainingControl``;
- ``interactive``: short jobs a person waits for (re-making the gallery, the drawn digit, opening a
  folder or a model file);
- ``analysis``: long measurements (accuracy against ε, sanity checks, transfer, reports).

A lane runs its jobs one after another and keeps its own copy of every model it loads, so no model is
ever used by two jobs at once. Every reply goes through one lock-protected sender.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.catalogue import say
from engine.config import AttackConfig, ConfigError, DataConfig
from engine.errors import user_message
from engine.messages import (
    CancelJob,
    Cancelled,
    EngineReady,
    EvaluateNow,
    FolderDataset,
    GalleryBatch,
    JobCancelled,
    JobDone,
    JobFailed,
    JobProgress,
    ModelSource,
    Pause,
    Resume,
    RunEnded,
    RunFailed,
    Shutdown,
    StartRun,
    StartTask,
    Stop,
    TrainingControl,
    UpdateConfig,
    window_readable,
)

log = logging.getLogger(__name__)

ENGINE_NICENESS = 10
SHUTDOWN_WAIT_S = 1.5  # the window kills the process after 2 s: leave the run time to save first


class _Sender:
    """One writer to the pipe for all threads; a window that went away is remembered, not raised."""

    def __init__(self, conn: Connection) -> None:
        self._conn, self._lock, self.gone = conn, threading.Lock(), False

    def __call__(self, message: object) -> None:
        if self.gone:
            return
        with self._lock:
            try:
                self._conn.send(message)
            except (BrokenPipeError, EOFError, OSError):
                self.gone = True
            except Exception:  # noqa: BLE001 - a message that cannot be pickled is a bug: log it, keep the lane
                log.exception("could not send %s", type(message).__name__)


@dataclass
class Lane:
    """A thread that runs jobs one at a time, with the models and data it loaded (its own copies)."""

    name: str
    service: EngineService
    jobs: queue.Queue = field(default_factory=queue.Queue)
    models: dict[tuple, tuple[nn.Module, tuple[str, ...]]] = field(default_factory=dict)
    splits: dict[DataConfig, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._loop, name=f"engine-{self.name}", daemon=True)
        self.thread.start()

    def submit(self, job: int, kind: str, work: Callable[[Lane, TrainingControl, Callable], Any]) -> None:
        self.jobs.put((job, kind, work))

    def close(self) -> None:
        self.jobs.put(None)

    def _loop(self) -> None:
        service = self.service
        while (item := self.jobs.get()) is not None:
            job, kind, work = item
            if not service.begin(job):
                continue  # cancelled while it waited: already answered
            control = service.controls.setdefault(job, TrainingControl())
            try:
                result = work(self, control, lambda done, total, j=job: service.send(JobProgress(j, done, total)))
                control.raise_if_cancelled()
            except Cancelled:
                service.send(JobCancelled(job, kind))
            except Exception as exc:  # noqa: BLE001 - every failure of a job is one plain sentence for the window
                log.warning("%s job %s failed", kind, job, exc_info=True)
                service.send(JobFailed(job, kind, user_message(exc)))
            else:
                done = JobDone(job, kind, result)
                if window_readable(done):
                    service.send(done)
                else:  # a tensor or a torch class in a result: a bug here, said plainly, not a lost reply
                    log.error("%s job %s made a result the window cannot read: %r", kind, job, type(result))
                    service.send(JobFailed(job, kind, user_message(TypeError(f"unreadable {kind} result"))))
            finally:
                service.controls.pop(job, None)

    # ------------------------------------------------------------------ what the jobs use
    def split(self, data: DataConfig) -> Any:
        from engine.data import load_dataset

        if data not in self.splits:
            self.splits.clear()  # one dataset at a time: images are the largest thing held here
            self.splits[data] = load_dataset(data)
        return self.splits[data]

    def model(self, source: ModelSource) -> tuple[nn.Module, tuple[str, ...]]:
        """The model of a run folder or a file, loaded once per version of the file (a run that trained
        on is loaded again: its checkpoint changed)."""
        path = Path(source.file) if source.file else Path(source.run_dir or "") / "checkpoint.pt"
        try:
            stat = path.stat()
            version: tuple = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            version = ()
        key = (source.run_dir, source.file, source.architecture, source.config.data, version)
        if key not in self.models:
            if source.file:
                from engine.model_files import load_user_model

                split = self.split(source.config.data)
                model = load_user_model(
                    source.file,
                    source.architecture or source.config.model.name,
                    split.image_shape,
                    split.num_classes,
                    sample=split.test_x[:8],
                )
                names = split.class_names
            else:
                from engine.checkpoints import load_model

                _config, model, names = load_model(source.run_dir or "")
            if len(self.models) >= 3:
                self.models.pop(next(iter(self.models)))
            self.models[key] = (model, names)
        return self.models[key]

    def held_out(self, source: ModelSource, limit: int) -> tuple[torch.Tensor, torch.Tensor]:
        split = self.split(source.config.data)
        return split.test_x[:limit], split.test_y[:limit]


# ---------------------------------------------------------------------------------------------- the jobs
# Each job is work(lane, cancel, progress, **params) -> a picklable result. The lane says which thread
# runs it: quick answers the person waits for stay out of the way of long measurements.


def _gallery(
    lane: Lane,
    cancel: TrainingControl,
    progress: Callable,
    source: ModelSource,
    attack: AttackConfig,
    images: np.ndarray | None = None,
    labels: np.ndarray | None = None,
) -> Any:
    """The gallery re-made on the model: on ``images``/``labels`` when given (the digits the Robustness tab
    says fall first and hold longest), else on the images this model's gallery showed last; the next
    re-make (a move of ε) attacks the same images again."""
    from engine.evaluate import make_gallery

    model, names = lane.model(source)
    key = f"{source.label}|{source.config.data}"  # the same file read as other data has other images
    last = lane.service.last_gallery.get(key)
    if images is not None and labels is not None:
        x = torch.from_numpy(np.array(images, dtype=np.float32))
        y = torch.from_numpy(np.array(labels, dtype=np.int64))
        shape = lane.held_out(source, 1)[0].shape[1:]
        if x.ndim != 4 or not 0 < x.shape[0] == y.shape[0] <= 64 or x.shape[1:] != shape:
            raise ConfigError("The images to show in the gallery are not images of this model's dataset.")
        step = 0
    elif last is not None and last.original.shape[0]:
        x, y = torch.from_numpy(last.original.copy()), torch.from_numpy(last.labels.copy())
        step = last.step
    else:
        x, y = lane.held_out(source, source.config.train.gallery_size)
        step = 0
    batch = make_gallery(model, x, y, attack, names, step=step)
    lane.service.remember_gallery(key, batch)
    return batch


def _robustness(
    lane: Lane,
    cancel: TrainingControl,
    progress: Callable,
    source: ModelSource,
    attacks: tuple[str, ...],
    eps_values: tuple[float, ...],
    steps: int,
    limit: int,
) -> Any:
    from engine.suite import suite_eps_curve

    model, _names = lane.model(source)
    x, y = lane.held_out(source, limit)
    return suite_eps_curve(model, x, y, attacks, eps_values, steps=steps, progress=progress, cancel=cancel)


def _certify(
    lane: Lane,
    cancel: TrainingControl,
    progress: Callable,
    source: ModelSource,
    eps_values: tuple[float, ...],
    limit: int,
) -> Any:
    """Certified accuracy (interval bounds) at each ε on the same held-out images as the attack curve; a
    model IBP cannot pass (a ResNet, a file with unsupported layers) fails with CertifyError's words."""
    from engine.certify import certified_curve

    model, _names = lane.model(source)
    x, y = lane.held_out(source, limit)
    return certified_curve(model, x, y, eps_values, cancel=cancel)


def _sanity(
    lane: Lane, cancel: TrainingControl, progress: Callable, source: ModelSource, eps: float, steps: int, limit: int
) -> Any:
    from engine.sanity import run_sanity_checks

    model, _names = lane.model(source)
    x, y = lane.held_out(source, limit)
    trained = source.config.adversarially_trained if source.run_dir else None
    return run_sanity_checks(model, x, y, eps=float(eps), steps=steps, adversarially_trained=trained, cancel=cancel)


def _transfer(
    lane: Lane, cancel: TrainingControl, progress: Callable, run_dirs: tuple[str, ...], attack: AttackConfig, limit: int
) -> Any:
    from engine.transfer import transfer_between_runs

    return transfer_between_runs(run_dirs, attack, limit=limit, cancel=cancel, progress=progress)


def _demo_model(lane: Lane, kind: str) -> tuple[nn.Module, tuple[str, ...]]:
    from engine.demo import demo_model_dir
    from engine.runs import load_config

    folder = demo_model_dir(kind)
    return lane.model(ModelSource(load_config(folder), run_dir=str(folder)))


def _predict(lane: Lane, cancel: TrainingControl, progress: Callable, kind: str, image: Any) -> Any:
    from engine.demo_attacks import predict_image

    model, names = _demo_model(lane, kind)
    return predict_image(model, image), names


def _attack_image(lane: Lane, cancel: TrainingControl, progress: Callable, kind: str, image: Any, eps: float) -> Any:
    from engine.demo import DEMO_ATTACK
    from engine.demo_attacks import attack_image, predict_image

    model, _names = _demo_model(lane, kind)
    cfg = AttackConfig(name=DEMO_ATTACK.name, eps=float(eps), steps=DEMO_ATTACK.steps)
    adversarial, after = attack_image(model, image, cfg)
    return adversarial, predict_image(model, image), after


def _explain(
    lane: Lane,
    cancel: TrainingControl,
    progress: Callable,
    source: ModelSource,
    image: Any,
    adversarial: Any,
    label: int,
    attack: str,
    eps: float,
) -> Any:
    """Attribution maps (engine.saliency) of one gallery sample: the model in use on the clean and the
    attacked image, then - for images the shipped digits models read - the shipped standard and robust
    models, each on the clean image and on the image attacked against itself with the same attack."""
    from engine.attacks import attack as run_attack
    from engine.demo import DEMO_MODELS, SHIPPED_IMAGE_SHAPE
    from engine.messages import SampleExplanation
    from engine.saliency import explain_pair

    model, names = lane.model(source)
    clean, attacked = (
        torch.from_numpy(np.array(image, dtype=np.float32)),
        torch.from_numpy(np.array(adversarial, dtype=np.float32)),
    )
    panels = [explain_pair(model, "current", clean, attacked, int(label), cancel=cancel)]
    used = Path(source.run_dir).resolve() if source.run_dir else None
    cfg = AttackConfig(name=attack if attack in ("fgsm", "fgsm-rs", "n-fgsm", "pgd") else "pgd", eps=float(eps))
    if tuple(clean.shape) == SHIPPED_IMAGE_SHAPE and len(names) == 10:
        for kind, folder in DEMO_MODELS.items():
            if used == folder.resolve():
                continue  # the model in use is this shipped model: its row is already there
            shipped, _ = _demo_model(lane, kind)
            x_adv = run_attack(shipped, clean[None], torch.tensor([int(label)]), cfg, cancel=cancel)[0]
            panels.append(explain_pair(shipped, kind, clean, x_adv, int(label), cancel=cancel))
    return SampleExplanation(int(label), tuple(names), attack, float(eps), tuple(panels))


def _open_folder(lane: Lane, cancel: TrainingControl, progress: Callable, data: DataConfig) -> FolderDataset:
    lane.splits.pop(data, None)  # read it again: the person may have changed the folder since
    split = lane.split(data)
    return FolderDataset(split.num_classes, tuple(split.class_names), tuple(split.notes), tuple(split.image_shape))


def _open_model(lane: Lane, cancel: TrainingControl, progress: Callable, source: ModelSource) -> str:
    lane.model(source)  # loaded and checked against the data now, so a bad file is reported at once
    return source.label


def _report(
    lane: Lane, cancel: TrainingControl, progress: Callable, run_dir: str, path: str, language: str = "en"
) -> str:
    """A run's HTML report, in the window's ``language`` ("en", "zh_CN")."""
    from engine.report import write_run_report

    return str(write_run_report(run_dir, path, language=language)["html"])


def _comparison(
    lane: Lane,
    cancel: TrainingControl,
    progress: Callable,
    run_dirs: tuple[str, ...],
    path: str,
    transfer: Any,
    language: str = "en",
) -> str:
    """The comparison report of several runs, in the window's ``language``."""
    from engine.report import write_comparison_report

    return str(write_comparison_report(list(run_dirs), path, transfer=transfer, language=language)["html"])


def _sweep(
    lane: Lane, cancel: TrainingControl, progress: Callable, plan: Any, folder: str, parallel: int = 2
) -> dict[str, Any]:
    """A sweep whose trials train ``parallel`` at a time in worker processes (engine.sweep_runner): the
    window's one-at-a-time sweeps go through StartRun instead, so their curves are live. Progress is
    (trials ended, trials in all); a cancel stops the running trials with their checkpoints saved, and
    the same sweep queued again resumes them."""
    from engine import runs
    from engine.sweep_runner import Backend, SweepControl, run_sweep

    control = SweepControl()
    over = threading.Event()

    def bridge() -> None:  # the job's cancel token to the sweep's stop (the workers save and end)
        while not over.is_set():
            if cancel.cancel_event.wait(0.25):
                control.stop("interrupted")
                return

    watcher = threading.Thread(target=bridge, name="engine-sweep-stop", daemon=True)
    watcher.start()
    try:
        summary = run_sweep(plan, folder, Backend(parallel=max(1, int(parallel))), control, log.info, progress)
    finally:
        over.set()
        watcher.join()
    return runs.jsonable(summary)


TASKS: dict[str, tuple[str, Callable[..., Any]]] = {
    "gallery": ("interactive", _gallery),
    "predict": ("interactive", _predict),
    "attack_image": ("interactive", _attack_image),
    "open_folder": ("interactive", _open_folder),
    "open_model": ("interactive", _open_model),
    "explain": ("interactive", _explain),
    "robustness": ("analysis", _robustness),
    "sanity": ("analysis", _sanity),
    "certify": ("analysis", _certify),
    "transfer": ("analysis", _transfer),
    "report": ("analysis", _report),
    "comparison_report": ("analysis", _comparison),
    "sweep": ("run", _sweep),
}


# ---------------------------------------------------------------------------------------------- the service
class EngineService:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.send = _Sender(conn)
        self.controls: dict[int, TrainingControl] = {}
        self._jobs_lock = threading.Lock()
        self._answered: set[int] = set()  # jobs cancelled before they began (JobCancelled already sent)
        self._queued: dict[int, str] = {}  # jobs sent to a lane and not yet begun, with their kind
        self.run_job: int | None = None
        self.last_gallery: dict[str, GalleryBatch] = {}  # per model: the images the next re-make attacks
        self.lanes = {name: Lane(name, self) for name in ("run", "interactive", "analysis")}

    def begin(self, job: int) -> bool:
        """A lane is about to run ``job``: False if it was cancelled while waiting (and so answered)."""
        with self._jobs_lock:
            self._queued.pop(job, None)
            if job in self._answered:
                self._answered.discard(job)
                return False
            return True

    def cancel(self, job: int) -> None:
        """Stop a running job at its next check; answer a waiting one at once (so the window never waits
        for a job that only sits in a queue behind a long one)."""
        with self._jobs_lock:
            kind = self._queued.pop(job, None)  # still waiting for its lane
            if kind is not None:
                self._answered.add(job)
        if kind is not None:
            self.controls.pop(job, None)
            self.send(JobCancelled(job, kind))
        elif (control := self.controls.get(job)) is not None:
            control.stop()

    def remember_gallery(self, key: str, batch: GalleryBatch) -> None:
        """The images the next re-make of this model's gallery attacks (the last few models only)."""
        self.last_gallery.pop(key, None)
        self.last_gallery[key] = batch
        while len(self.last_gallery) > 8:
            self.last_gallery.pop(next(iter(self.last_gallery)))

    def serve(self) -> None:
        self.send(
            EngineReady(
                os.getpid(),
                str(torch.__version__),  # a str subclass of torch: the window must not need torch to read it
                torch.get_num_threads(),
                ("cpu", *(["cuda"] if torch.cuda.is_available() else [])),
            )
        )
        while not self.send.gone:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):  # the window went away: stop as if it had said Shutdown
                break
            except Exception:  # noqa: BLE001 - a message that cannot be unpickled: log it, keep serving
                log.exception("unreadable command")
                continue
            if isinstance(message, Shutdown):
                break
            try:
                self.dispatch(message)
            except Exception:  # noqa: BLE001 - one bad command must not end the engine
                log.exception("command %s failed", type(message).__name__)

    def dispatch(self, message: object) -> None:
        if isinstance(message, StartRun):
            self.start_run(message)
        elif isinstance(message, StartTask):
            if message.kind not in TASKS:
                self.send(
                    JobFailed(
                        message.job, message.kind, say("The engine has no job called '{kind}'.", kind=message.kind)
                    )
                )
                return
            lane_name, work = TASKS[message.kind]
            params = message.params
            self.controls[message.job] = TrainingControl()
            with self._jobs_lock:
                self._queued[message.job] = message.kind
            self.lanes[lane_name].submit(
                message.job, message.kind, lambda lane, cancel, progress: work(lane, cancel, progress, **params)
            )
        elif isinstance(message, CancelJob):
            self.cancel(message.job)
        elif isinstance(message, (Pause, Resume, Stop, UpdateConfig, EvaluateNow)):
            control = self.controls.get(self.run_job) if self.run_job is not None else None
            if control is not None:
                control.stop() if isinstance(message, Stop) else control.send(message)
        else:
            log.warning("unknown command %r", type(message).__name__)

    def start_run(self, message: StartRun) -> None:
        control = self.controls[message.job] = TrainingControl()
        self.run_job = message.job

        def work(lane: Lane, cancel: TrainingControl, progress: Callable) -> None:
            from engine.trainer import train

            step = 0
            try:
                for snapshot in train(
                    message.config, control, message.run_dir, resume=message.resume, overwrite=message.overwrite
                ):
                    step = getattr(snapshot, "step", step)
                    if isinstance(snapshot, GalleryBatch):
                        self.remember_gallery(f"{message.run_dir}|{message.config.data}", snapshot)
                    self.send(snapshot)
            except Exception as exc:  # noqa: BLE001 - the trainer words its own failures; this is the last resort
                log.exception("training failed")
                self.send(RunFailed(user_message(exc, "The training engine stopped"), step, message.run_dir))
            finally:
                self.send(RunEnded(message.job))

        # The run's own end (RunFinished, RunFailed, then RunEnded) is its answer: Stop is not a cancellation.
        self.lanes["run"].submit(message.job, "run", lambda lane, cancel, progress: work(lane, control, progress))
        # (a Stop that arrives before the run thread begins it sets ``control``: the trainer then ends at once,
        # and RunEnded is still sent, so the window never waits for a run that never started)

    def close(self) -> bool:
        """Cancel every job, give a run a moment to save its checkpoint; True if the run thread ended."""
        for control in list(self.controls.values()):
            control.stop("stopped")
        for lane in self.lanes.values():
            lane.close()
        self.lanes["run"].thread.join(SHUTDOWN_WAIT_S)
        return not self.lanes["run"].thread.is_alive()


def serve(conn: Connection, threads: int | None = None) -> None:
    """The engine process's main function (started through engine.process.run)."""
    from engine.logs import setup_logging

    setup_logging(name="engine")
    # Leave a core to the window: on a 2-core machine the engine computes on one, the window draws on the other.
    torch.set_num_threads(threads or max(1, (os.cpu_count() or 2) - 1))
    # And let the window win whenever both want the CPU: the engine is batch work, a late frame is not.
    # A lower priority costs training nothing on an otherwise idle machine (measured: bench/gui_latency.py).
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(ENGINE_NICENESS)
    # Ctrl+C in the terminal reaches the whole process group: the window decides, the engine keeps going.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    service = EngineService(conn)
    saved = False
    try:
        service.serve()
    finally:
        saved = service.close()
        with contextlib.suppress(OSError):
            conn.close()
        logging.shutdown()
        # Straight out: threads still inside a torch call must not hold up (or crash) interpreter shutdown.
        # Exit status 3 tells the window that a run did not get to save before the end.
        os._exit(0 if saved else 3)
