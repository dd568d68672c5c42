"""The single owner of background work: the training run and the analysis tasks that use its model.

Threads: the engine's ``train`` generator runs in a ``QThread``; every snapshot it yields is emitted
on a signal of that thread object, which lives in the GUI thread, so Qt delivers it through a queued
connection. Commands go the other way on the engine's ``TrainingControl`` queue. Analysis work
(re-making the gallery when ε moves, accuracy-vs-ε curves) runs in short-lived ``QThread`` tasks,
one per kind, the newest request replacing a waiting one. ``shutdown`` cancels everything and waits,
so no ``QThread`` is ever destroyed while running.

Why plain ``QThread`` and not superqt's ``thread_worker``: the latter runs on the global thread pool,
which cannot be joined per worker on close; here each thread is owned, cancelled and waited for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from engine.config import LIVE_KEYS, RunConfig
from engine.errors import user_message
from engine.messages import (
    Cancelled,
    ConfigApplied,
    EvaluateNow,
    GalleryBatch,
    Pause,
    Resume,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    TrainingControl,
    UpdateConfig,
)

DEBOUNCE_MS = 120


class _TrainThread(QThread):
    message = Signal(object)

    def __init__(
        self, config: RunConfig, control: TrainingControl, run_dir: Path | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._config, self._control, self._run_dir = config, control, run_dir

    def run(self) -> None:
        step = 0
        try:
            from engine.trainer import train

            for msg in train(self._config, self._control, self._run_dir):
                step = getattr(msg, "step", step)
                self.message.emit(msg)
        except Exception as exc:  # noqa: BLE001 - last resort; the engine reports user errors itself
            run_dir = str(self._run_dir) if self._run_dir else None
            self.message.emit(RunFailed(user_message(exc, "The training engine stopped"), step, run_dir))


class _TaskThread(QThread):
    """Runs ``job(progress, cancel)`` once; reports its result, failure or cancellation."""

    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)

    def __init__(
        self, job: Callable[[Callable[[int, int], None], TrainingControl], Any], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.job = job
        self.cancel = TrainingControl()

    def run(self) -> None:
        try:
            result = self.job(self.progress.emit, self.cancel)
        except Cancelled:
            return
        except Exception as exc:  # noqa: BLE001 - any failure of a task is shown to the user
            if not self.cancel.cancelled:
                self.failed.emit(user_message(exc))
            return
        if not self.cancel.cancelled:
            self.done.emit(result)


class TrainingController(QObject):
    """Start, pause, resume, stop and shut down the engine; forward its snapshots; run analysis tasks."""

    message = Signal(object)  # every engine snapshot, in the GUI thread, in order
    stateChanged = Signal(str)  # "idle" | "running" | "paused" | "stopping"
    galleryReady = Signal(object)  # GalleryBatch re-made outside training
    robustnessProgress = Signal(int, int)
    robustnessReady = Signal(object)  # engine.evaluate.EpsCurve
    sanityReady = Signal(object)  # tuple of engine.sanity.SanityCheck
    transferProgress = Signal(int, int)
    transferReady = Signal(object)  # engine.transfer.TransferMatrix
    taskFailed = Signal(str, str)  # (what, message)

    def __init__(self, runs_root: str | Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runs_root = Path(runs_root) if runs_root else None
        self.state = "idle"
        self.config: RunConfig | None = None  # the config in force (engine's answer)
        self.run_dir: Path | None = None
        self.class_names: tuple[str, ...] = ()
        self.last_gallery: GalleryBatch | None = None
        self._thread: _TrainThread | None = None
        self._control: TrainingControl | None = None
        self._pending: dict[str, Any] = {}
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.flush)
        self._tasks: dict[str, _TaskThread] = {}
        self._waiting: dict[str, tuple[Callable, Callable[[Any], None]]] = {}
        self._model_cache: tuple[str, Any] | None = None  # (run_dir, model), used by gallery tasks only
        self._foreign: Any = None  # a model from the user's own file (use_model): no run folder behind it

    # ------------------------------------------------------------------ training
    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, config: RunConfig, run_name: str | None = None) -> None:
        if self._thread is not None:
            return
        from engine.runs import new_run_dir

        self.run_dir = new_run_dir(self.runs_root, run_name)
        self.config, self.last_gallery, self._model_cache, self._foreign = config, None, None, None
        self._control = TrainingControl()
        self._thread = _TrainThread(config, self._control, self.run_dir, self)
        self._thread.message.connect(self._on_message)
        self._thread.finished.connect(self._on_thread_finished)
        self._set_state("running")
        self._thread.start()

    def pause(self) -> None:
        if self._control is not None and self.state == "running":
            self.flush()
            self._control.send(Pause())

    def resume(self) -> None:
        if self._control is not None and self.state == "paused":
            self._control.send(Resume())

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self._control is not None and self.state != "stopping":
            self._pending.clear()
            self._control.stop()
            self._set_state("stopping")

    def evaluate_now(self) -> None:
        if self._control is not None:
            self._control.send(EvaluateNow())

    def update_config(self, changes: dict[str, Any]) -> None:
        """Queue live changes; they are sent together once the user pauses for DEBOUNCE_MS."""
        live = {k: v for k, v in changes.items() if k in LIVE_KEYS}
        if self._control is None or not live or self.state == "stopping":
            return
        self._pending.update(live)
        self._debounce.start()

    def pending_keys(self) -> frozenset[str]:
        return frozenset(self._pending)

    def flush(self) -> None:
        self._debounce.stop()
        if self._control is not None and self._pending:
            self._control.send(UpdateConfig(tuple(self._pending.items())))
        self._pending.clear()

    def _on_message(self, msg: object) -> None:
        if isinstance(msg, RunStarted):
            self.config, self.class_names = msg.config, msg.class_names
        elif isinstance(msg, ConfigApplied):
            self.config = msg.config
        elif isinstance(msg, GalleryBatch):
            self.last_gallery = msg
        elif isinstance(msg, StateChanged) and self.state != "stopping":
            self._set_state(msg.state)
        elif isinstance(msg, (RunFinished, RunFailed)):
            self._set_state("stopping")
        self.message.emit(msg)

    def _on_thread_finished(self) -> None:
        thread, self._thread, self._control = self._thread, None, None
        self._pending.clear()
        if thread is not None:
            thread.deleteLater()
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    # ------------------------------------------------------------------ analysis tasks
    def has_model(self) -> bool:
        from engine.runs import CHECKPOINT_FILE

        if self._model_cache is not None:
            return True
        return self.run_dir is not None and (self.run_dir / CHECKPOINT_FILE).is_file()

    def open_run(self, run_dir: str | Path) -> RunConfig:
        """Use a finished run from disk for the gallery and robustness tabs."""
        from engine.runs import load_config

        config = load_config(run_dir)
        self.run_dir, self.config, self.last_gallery, self._model_cache = Path(run_dir), config, None, None
        self._foreign = None
        return config

    def use_model(self, model: Any, config: RunConfig, source: str | Path) -> None:
        """Use a model loaded outside a run (the user's own file) for the gallery and robustness tabs.

        ``source`` (the file) stands in for the run folder; the model is kept in the task cache, so no
        task tries to read a run folder there. Only tasks read the model afterwards.
        """
        self.run_dir, self.config, self.last_gallery = Path(source), config, None
        self._model_cache = (str(self.run_dir), model)
        self._foreign = model

    def recompute_gallery(self, eps: float, attack: str | None = None) -> bool:
        """Re-make the gallery on the current model at a new ε (outside training). False if impossible."""
        if self.running or self.run_dir is None or self.config is None:
            return False
        run_dir, config, last = str(self.run_dir), self.config, self.last_gallery
        attack_cfg = dataclasses.replace(config.attack, eps=float(eps), name=attack or config.attack.name)
        if attack_cfg.name == "none":
            attack_cfg = dataclasses.replace(attack_cfg, name="fgsm")

        def job(progress: Callable[[int, int], None], cancel: TrainingControl) -> GalleryBatch:
            import torch

            from engine.evaluate import make_gallery

            model = self._gallery_model(run_dir)
            if last is not None:
                x, y = torch.from_numpy(last.original.copy()), torch.from_numpy(last.labels.copy())
                names, step = last.class_names, last.step
            else:
                from engine.data import load_dataset

                split = load_dataset(config.data)
                n = config.train.gallery_size
                x, y, names, step = split.test_x[:n], split.test_y[:n], split.class_names, 0
            return make_gallery(model, x, y, attack_cfg, names, step=step)

        self._submit("gallery", job, self._on_gallery_ready)
        return True

    def _gallery_model(self, run_dir: str) -> Any:
        """Runs in the gallery task thread (one at a time), so the cache needs no lock."""
        if self._model_cache is None or self._model_cache[0] != run_dir:
            from engine.runs import load_model

            _config, model, _names = load_model(run_dir)
            self._model_cache = (run_dir, model)
        return self._model_cache[1]

    def _on_gallery_ready(self, batch: GalleryBatch) -> None:
        self.last_gallery = batch
        self.galleryReady.emit(batch)

    def run_robustness(
        self,
        attacks: tuple[str, ...],
        eps_values: tuple[float, ...],
        steps: int = 10,
        limit: int = 500,
        sanity_eps: float | None = None,
    ) -> bool:
        """Accuracy-vs-ε curves of the current model on (up to ``limit``) held-out images.

        With ``sanity_eps`` the sanity checks (engine.sanity) follow at that ε as a second task, so the
        curve is shown as soon as it is ready and the verdicts arrive after it (``sanityReady``).
        """
        if self.run_dir is None:
            return False
        load = self._analysis_model_loader()
        loaded: list[Any] = []  # filled by the curve task, read by the sanity task that starts after it

        def job(progress: Callable[[int, int], None], cancel: TrainingControl) -> Any:
            from engine.suite import suite_eps_curve

            loaded[:] = load(limit)
            _config, model, x, y = loaded
            return suite_eps_curve(model, x, y, attacks, eps_values, steps=steps, progress=progress, cancel=cancel)

        def sanity_job(progress: Callable[[int, int], None], cancel: TrainingControl) -> Any:
            from engine.sanity import run_sanity_checks

            config, model, x, y = loaded or load(limit)
            trained = None if config is None else config.adversarially_trained
            return run_sanity_checks(
                model, x, y, eps=float(sanity_eps), steps=steps, adversarially_trained=trained, cancel=cancel
            )

        def on_curve(curve: Any) -> None:
            self.robustnessReady.emit(curve)
            if sanity_eps:
                self._submit("sanity", sanity_job, self.sanityReady.emit)

        self._submit("robustness", job, on_curve, self.robustnessProgress.emit)
        return True

    def _analysis_model_loader(self) -> Callable[[int], tuple[Any, Any, Any, Any]]:
        """A function for a task thread: (config or None, model, x, y) of the current model's held-out data.

        A model from the user's own file has no run folder: its object and config come from the cache.
        """
        run_dir, cached, cached_config = str(self.run_dir), self._foreign, self.config

        def load(limit: int) -> tuple[Any, Any, Any, Any]:
            from engine.data import load_dataset
            from engine.runs import load_model

            config, model = (cached_config, cached) if cached is not None else load_model(run_dir)[:2]
            split = load_dataset(config.data)
            return (None if cached is not None else config), model, split.test_x[:limit], split.test_y[:limit]

        return load

    def cancel_robustness(self) -> None:
        self.cancel_task("robustness")
        self.cancel_task("sanity")

    def run_transfer(self, run_dirs: tuple[str, ...], attack: str, eps: float, steps: int, limit: int) -> None:
        """The transfer matrix between the models of these runs, on the first run's held-out images."""
        from engine.config import AttackConfig

        cfg = AttackConfig(attack, float(eps), int(steps))

        def job(progress: Callable[[int, int], None], cancel: TrainingControl) -> Any:
            from engine.compare import transfer_between_runs

            return transfer_between_runs(run_dirs, cfg, limit=limit, cancel=cancel, progress=progress)

        self._submit("transfer", job, self.transferReady.emit, self.transferProgress.emit)

    def cancel_task(self, kind: str) -> None:
        self._waiting.pop(kind, None)
        task = self._tasks.get(kind)
        if task is not None:
            task.cancel.stop()

    def task_running(self, kind: str) -> bool:
        return kind in self._tasks

    def _submit(
        self,
        kind: str,
        job: Callable,
        on_done: Callable[[Any], None],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if kind in self._tasks:  # newest request waits; an older waiting one is dropped
            self._waiting[kind] = (job, on_done, on_progress)  # type: ignore[assignment]
            return
        task = _TaskThread(job, self)
        task.done.connect(on_done)
        task.failed.connect(lambda text, k=kind: self.taskFailed.emit(k, text))
        if on_progress is not None:
            task.progress.connect(on_progress)
        task.finished.connect(lambda k=kind, t=task: self._on_task_finished(k, t))
        self._tasks[kind] = task
        task.start()

    def _on_task_finished(self, kind: str, task: _TaskThread) -> None:
        if self._tasks.get(kind) is task:
            del self._tasks[kind]
        task.deleteLater()
        if kind in self._waiting:
            self._submit(kind, *self._waiting.pop(kind))

    # ------------------------------------------------------------------ shutdown
    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for every thread; True if all stopped in time."""
        self._waiting.clear()
        self._debounce.stop()
        self._pending.clear()
        if self._control is not None:
            self._control.stop()
        for task in list(self._tasks.values()):
            task.cancel.stop()
        ok = True
        threads: list[QThread] = [t for t in (self._thread, *self._tasks.values()) if t is not None]
        for thread in threads:
            ok = thread.wait(timeout_ms) and ok
        return ok
