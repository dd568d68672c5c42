"""The window's single owner of background work: it sends jobs to the engine process and turns its
replies into Qt signals.

All torch work happens in the engine process (engine.service), started through gui.engine_process
when the window opens. This object keeps only what the window needs to know: which model is in use
(a ``ModelSource``: a run folder or a file, never a model object), the run in progress, and which
jobs are waiting for an answer. Replies arrive on the GUI thread (the drain timer of EngineProcess),
so every signal below is emitted in the GUI thread.

Stop is cooperative first (the run's cancel flag, checked between steps and inside attacks); when the
engine has not answered within ``STOP_TIMEOUT_MS`` the engine process is killed and a fresh one
started. If the engine dies on its own (kill -9, a segfault in a user's model, out of memory) the
window stays up: the run is marked interrupted in its folder, a fresh engine starts, and
``engineDied`` offers to resume. Jobs of one kind run one at a time; the newest request waits and
replaces an older waiting one.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from engine.config import LIVE_KEYS, RunConfig
from engine.logs import log_file
from engine.messages import (
    CancelJob,
    ConfigApplied,
    EngineReady,
    EvaluateNow,
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
    RunFinished,
    RunStarted,
    StartRun,
    StartTask,
    StateChanged,
    StepMetrics,
    Stop,
    UpdateConfig,
)
from engine.runs import CHECKPOINT_FILE, load_config, mark_interrupted, new_run_dir
from gui.engine_process import EngineProcess, exit_text

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120
STOP_TIMEOUT_MS = 2000  # how long Stop waits for the engine before it is replaced
MAX_EARLY_DEATHS = 3  # engines in a row that die before they are ready: the install is broken


def resumable(run_dir: str | Path) -> bool:
    """A run folder with settings and a checkpoint: something to resume."""
    return (Path(run_dir) / "config.json").is_file() and (Path(run_dir) / CHECKPOINT_FILE).is_file()


@dataclass
class _Job:
    kind: str
    params: dict[str, Any]
    on_done: Callable[[Any], None]
    on_progress: Callable[[int, int], None] | None
    on_failed: Callable[[str], None] | None
    cancelled: bool = False
    on_stopped: Callable[[], None] | None = None  # a job stopped by stop_task has ended (JobCancelled)


class TrainingController(QObject):
    """Start, pause, resume, stop and shut down runs; run analysis jobs; survive the engine's death."""

    message = Signal(object)  # every training snapshot, in the GUI thread, in order
    stateChanged = Signal(str)  # "idle" | "running" | "paused" | "stopping"
    galleryReady = Signal(object)  # GalleryBatch re-made outside training
    robustnessProgress = Signal(int, int)
    robustnessReady = Signal(object)  # engine.messages.EpsCurve
    certifiedReady = Signal(object)  # engine.messages.CertifiedCurve
    certifyFailed = Signal(str)  # why this model cannot be certified (engine.certify's words)
    sanityReady = Signal(object)  # tuple of engine.messages.SanityCheck
    transferProgress = Signal(int, int)
    transferReady = Signal(object)  # engine.messages.TransferMatrix
    taskFailed = Signal(str, str)  # (what, message)
    engineReady = Signal(object)  # EngineReady: a (new) engine process answers
    engineDied = Signal(str, object)  # (plain sentence, run folder that was interrupted or None)
    modelChanged = Signal()  # the model in use changed (a run opened, a file loaded, a run started)

    def __init__(
        self, runs_root: str | Path | None = None, parent: QObject | None = None, threads: int | None = None
    ) -> None:
        super().__init__(parent)
        self.runs_root = Path(runs_root) if runs_root else None
        self.state = "idle"
        self.config: RunConfig | None = None  # the config in force (engine's answer)
        self.run_dir: Path | None = None  # the run folder or model file in use
        self.source: ModelSource | None = None
        self.class_names: tuple[str, ...] = ()
        self.last_gallery: GalleryBatch | None = None
        self.device = ""
        self._ids = itertools.count(1)
        self._run_job: int | None = None
        self._run_dir: Path | None = None  # the folder the run in progress writes (run_dir may show another)
        self._run_started = False
        self._last_step_at = 0.0
        self._step_interval = 0.0  # the longest gap between the last training steps (s)
        self._early_deaths = 0  # engines in a row that died before they were ready
        self.broken = False  # True when engines keep dying on start: no more restarts
        self._jobs: dict[int, _Job] = {}
        self._running: dict[str, int] = {}  # kind -> job in flight
        self._waiting: dict[str, _Job] = {}  # kind -> newest request not yet sent
        self._pending: dict[str, Any] = {}
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.flush)
        self._stop_watchdog = QTimer(self, singleShot=True, interval=STOP_TIMEOUT_MS)
        self._stop_watchdog.timeout.connect(self._on_stop_timeout)
        self.engine = EngineProcess(threads, self)
        self.engine.received.connect(self._on_reply)
        self.engine.ready.connect(self._on_engine_ready)
        self.engine.died.connect(self._on_engine_died)
        self.engine.start()

    # ------------------------------------------------------------------ training
    @property
    def running(self) -> bool:
        return self._run_job is not None

    def start(self, config: RunConfig, run_name: str | None = None) -> None:
        if self.running:
            return
        self._start_run(config, new_run_dir(self.runs_root, run_name), resume=False)

    def start_in(self, config: RunConfig, run_dir: str | Path, mode: str = "new") -> None:
        """Train into a given folder (a sweep's trial), opened as engine.sweep.write_mode says: "resume"
        from its checkpoint, "overwrite" (a run cut short before its first checkpoint is moved aside by
        the engine, not deleted) or "new"."""
        if self.running:
            return
        self._start_run(config, Path(run_dir), resume=mode == "resume", overwrite=mode == "overwrite")

    def resume_run(self, run_dir: str | Path) -> RunConfig | None:
        """Continue a run folder from its checkpoint with its own settings (after a crash or a stop)."""
        if self.running:
            return None
        config = load_config(run_dir)
        self._start_run(config, Path(run_dir), resume=True)
        return config

    def _start_run(self, config: RunConfig, run_dir: Path, resume: bool, overwrite: bool = False) -> None:
        self.run_dir, self.config, self.last_gallery = run_dir, config, None
        self._run_dir = run_dir
        self.source = ModelSource(config, run_dir=str(run_dir))
        self._run_job, self._run_started = next(self._ids), False
        self._step_interval, self._last_step_at = 0.0, 0.0
        self.engine.send(StartRun(self._run_job, config, str(run_dir), resume, overwrite))
        self._set_state("running")
        self.modelChanged.emit()

    def pause(self) -> None:
        if self.running and self.state == "running":
            self.flush()
            self.engine.send(Pause())

    def resume(self) -> None:
        if self.running and self.state == "paused":
            self.engine.send(Resume())

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self.running and self.state != "stopping":
            self._pending.clear()
            self.engine.send(Stop())
            self._set_state("stopping")
            if self.engine.info is not None:  # a starting engine answers once it is up (see _on_engine_ready)
                self._start_stop_watchdog()

    def evaluate_now(self) -> None:
        if self.running:
            self.engine.send(EvaluateNow())

    def update_config(self, changes: dict[str, Any]) -> None:
        """Queue live changes; they are sent together once the user pauses for DEBOUNCE_MS."""
        live = {k: v for k, v in changes.items() if k in LIVE_KEYS}
        if not self.running or not live or self.state == "stopping":
            return
        self._pending.update(live)
        self._debounce.start()

    def pending_keys(self) -> frozenset[str]:
        return frozenset(self._pending)

    def flush(self) -> None:
        self._debounce.stop()
        if self.running and self._pending:
            self.engine.send(UpdateConfig(tuple(self._pending.items())))
        self._pending.clear()

    def _on_training_message(self, msg: object) -> None:
        if isinstance(msg, StepMetrics):
            now = time.monotonic()
            if self._last_step_at:
                gap = now - self._last_step_at
                self._step_interval = max(gap, 0.8 * self._step_interval)  # follows slow steps at once
            self._last_step_at = now
        elif isinstance(msg, RunStarted):
            self.config, self.class_names, self.device = msg.config, msg.class_names, msg.device
            self._run_started = True
        elif isinstance(msg, ConfigApplied):
            self.config = msg.config
        elif isinstance(msg, GalleryBatch):
            self.last_gallery = msg
        elif isinstance(msg, StateChanged) and self.state != "stopping":
            self._set_state(msg.state)
        elif isinstance(msg, (RunFinished, RunFailed)):
            self._set_state("stopping")
        if self.config is not None and self._run_dir is not None and isinstance(msg, (RunStarted, ConfigApplied)):
            self.run_dir = self._run_dir
            self.source = ModelSource(self.config, run_dir=str(self._run_dir))
        self.message.emit(msg)

    def _end_run(self) -> None:
        self._stop_watchdog.stop()
        self._run_job = None
        self._run_dir = None
        self._pending.clear()
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    # ------------------------------------------------------------------ the engine's replies
    def _on_reply(self, msg: object) -> None:
        if isinstance(msg, RunEnded):
            if msg.job == self._run_job:
                self._end_run()
        elif isinstance(msg, (JobDone, JobFailed, JobCancelled)):
            if msg.job == self._run_job:  # the run's thread ended (RunEnded came first, or never will)
                self._end_run()
            else:
                self._on_job_ended(msg)
        elif isinstance(msg, JobProgress):
            job = self._jobs.get(msg.job)
            if job is not None and not job.cancelled and job.on_progress is not None:
                job.on_progress(msg.done, msg.total)
        elif self.running:
            self._on_training_message(msg)

    def _on_job_ended(self, msg: JobDone | JobFailed | JobCancelled) -> None:
        job = self._jobs.pop(msg.job, None)
        if job is None:
            return  # the run's own job, or one forgotten after a restart
        if self._running.get(job.kind) == msg.job:
            del self._running[job.kind]
        if not job.cancelled:
            if isinstance(msg, JobDone):
                job.on_done(msg.result)
            elif isinstance(msg, JobFailed):
                job.on_failed(msg.message) if job.on_failed else self.taskFailed.emit(job.kind, msg.message)
            elif job.on_stopped is not None:
                job.on_stopped()
        if job.kind in self._waiting and job.kind not in self._running:
            self._send_job(self._waiting.pop(job.kind))

    def _start_stop_watchdog(self) -> None:
        """Stop is answered between steps: wait 2 s, or three steps' time for a run whose steps are slow,
        or 10 s while the run is still loading its data (that part cannot be interrupted)."""
        if not self._run_started:
            timeout = 10.0
        else:
            timeout = max(STOP_TIMEOUT_MS / 1000, 3 * self._step_interval)
        self._stop_watchdog.start(int(timeout * 1000))

    def _on_engine_ready(self, info: EngineReady) -> None:
        self._early_deaths = 0
        if self.state == "stopping" and not self._stop_watchdog.isActive():
            self._start_stop_watchdog()  # Stop was pressed while the engine was starting: time it from now
        self.engineReady.emit(info)

    def _on_engine_died(self, how: str, was_ready: bool = True) -> None:
        """The engine process ended by itself: keep the window, save what can be saved, start a new one."""
        run_dir = self._run_dir if self.running else None
        self._early_deaths = 0 if was_ready else self._early_deaths + 1
        if self._early_deaths >= MAX_EARLY_DEATHS:  # a broken install: restarting again would only loop
            self.broken = True
            self._forget_engine(f"stopped unexpectedly ({how})", restart=False)
            self.engineDied.emit(
                self.tr(
                    "The engine cannot start (%1, %2 times in a row). Nothing can be trained or attacked until "
                    "this is fixed; the details are in the log file %3."
                )
                .replace("%1", exit_text(how))
                .replace("%2", str(MAX_EARLY_DEATHS))
                .replace("%3", str(log_file("engine"))),
                None,
            )
            return
        self._forget_engine(f"stopped unexpectedly ({how})")
        if run_dir is not None and resumable(run_dir):
            text = self.tr(
                "The engine stopped unexpectedly (%1). The window is fine and the run is saved up to its last "
                "checkpoint; you can resume it."
            ).replace("%1", exit_text(how))
        else:
            run_dir = None
            text = self.tr("The engine stopped unexpectedly (%1) and was restarted.").replace("%1", exit_text(how))
        self.engineDied.emit(text, run_dir)

    def _on_stop_timeout(self) -> None:
        """Stop was not answered in time (the engine is stuck in a long call): replace the engine."""
        self.engine.drain()  # the answer may be waiting in the pipe already
        if not self.running:
            return
        run_dir = self._run_dir
        log.warning("the engine did not answer Stop in time: restarting it")
        self._forget_engine("did not answer Stop in time")
        if run_dir is not None and resumable(run_dir):
            text = self.tr(
                "The engine did not answer Stop within 2 seconds, so it was restarted. The run is saved up to its "
                "last checkpoint; you can resume it."
            )
        else:
            run_dir = None
            text = self.tr("The engine did not answer Stop within 2 seconds, so it was restarted.")
        self.engineDied.emit(text, run_dir)

    def _forget_engine(self, why: str, restart: bool = True) -> None:
        """Kill the engine, mark an unfinished run as interrupted, start a fresh engine, and tell every job
        the old one had not answered that it will not be (it may be the job that killed it)."""
        run_dir = self._run_dir if self.running else None
        self.engine.restart() if restart else self.engine.kill()
        if run_dir is not None:
            try:
                mark_interrupted(run_dir, f"the engine {why}")
            except OSError as exc:  # a full disk or a removed folder: the message still goes out
                log.warning("could not mark %s as interrupted: %s", run_dir, exc)
            self._end_run()
        unanswered = [job for job in self._jobs.values() if not job.cancelled]
        self._jobs.clear()
        self._running.clear()
        self._waiting.clear()
        text = self.tr("The engine stopped before it answered; try again.")
        for job in unanswered:
            job.on_failed(text) if job.on_failed else self.taskFailed.emit(job.kind, text)

    # ------------------------------------------------------------------ the model in use
    def has_model(self) -> bool:
        if self.source is None:
            return False
        if self.source.file is not None:
            return True
        return self.run_dir is not None and (self.run_dir / CHECKPOINT_FILE).is_file()

    def open_run(self, run_dir: str | Path) -> RunConfig:
        """Use a finished run from disk for the gallery and robustness tabs (RunError if it is not one)."""
        config = load_config(run_dir)
        self.run_dir, self.config, self.last_gallery = Path(run_dir), config, None
        self.source = ModelSource(config, run_dir=str(run_dir))
        self.modelChanged.emit()
        return config

    def use_model_file(
        self,
        path: str | Path,
        architecture: str | None,
        config: RunConfig,
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Check the user's own model file in the engine; when it loads, it becomes the model in use."""
        source = ModelSource(config, file=str(path), architecture=architecture)

        def opened(result: Any) -> None:
            self.run_dir, self.config, self.last_gallery, self.source = Path(path), config, None, source
            self.modelChanged.emit()
            on_done(result)

        self.request("open_model", {"source": source}, opened, on_failed=on_failed)

    # ------------------------------------------------------------------ analysis jobs
    def request(
        self,
        kind: str,
        params: dict[str, Any],
        on_done: Callable[[Any], None],
        on_progress: Callable[[int, int], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_stopped: Callable[[], None] | None = None,
    ) -> None:
        """Ask the engine for one job (engine.service.TASKS); ``on_done`` gets its result in the GUI thread.

        Without ``on_failed`` a failure is reported by ``taskFailed``; ``on_stopped`` is told when a job
        that ``stop_task`` stopped has ended.
        """
        self._submit_job(_Job(kind, params, on_done, on_progress, on_failed, on_stopped=on_stopped))

    def _submit_job(self, job: _Job) -> None:
        if job.kind in self._running:  # newest request waits; an older waiting one is dropped
            self._waiting[job.kind] = job
            return
        self._send_job(job)

    def _send_job(self, job: _Job) -> None:
        job_id = next(self._ids)
        self._jobs[job_id] = job
        self._running[job.kind] = job_id
        if not self.engine.send(StartTask(job_id, job.kind, job.params)):
            del self._jobs[job_id], self._running[job.kind]
            text = self.tr("The engine is not running.") if self.broken else self.tr("The engine could not be asked.")
            job.on_failed(text) if job.on_failed else self.taskFailed.emit(job.kind, text)

    def recompute_gallery(
        self,
        eps: float,
        attack: str | None = None,
        target: str | None = None,
        images: Any = None,
        labels: Any = None,
        steps: int | None = None,
    ) -> bool:
        """Re-make the gallery on the current model at a new ε (outside training), toward ``target`` (a
        class number as text, "random" or "least-likely") when one is chosen, on ``images``/``labels``
        (numpy arrays) when given instead of the images it showed last, with ``steps`` PGD steps when given
        (else the run's). False if impossible."""
        if self.running or self.source is None:
            return False
        config = self.source.config
        attack_cfg = dataclasses.replace(config.attack, eps=float(eps), name=attack or config.attack.name)
        if attack_cfg.name == "none":
            attack_cfg = dataclasses.replace(attack_cfg, name="fgsm")
        if steps is not None:  # with the default step size for that many steps (2.5ε/steps)
            attack_cfg = dataclasses.replace(attack_cfg, steps=int(steps), step_size=None)
        if target is not None:
            # Aiming at a class takes an iterative attack: one FGSM step rarely lands on a chosen class.
            name = attack_cfg.name if attack_cfg.name in ("pgd", "pgd-l2") else "pgd"
            attack_cfg = dataclasses.replace(attack_cfg, name=name, steps=max(10, attack_cfg.steps), target=target)
        params: dict[str, Any] = {"source": self.source, "attack": attack_cfg}
        if images is not None and labels is not None:
            params |= {"images": images, "labels": labels}
        self.request("gallery", params, self._on_gallery_ready)
        return True

    def _on_gallery_ready(self, batch: GalleryBatch) -> None:
        self.last_gallery = batch
        self.galleryReady.emit(batch)

    def explain(
        self,
        batch: GalleryBatch,
        index: int,
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
    ) -> bool:
        """Saliency maps of gallery sample ``index`` (engine.saliency): False when no model is in use."""
        if self.source is None:
            return False
        params = {
            "source": self.source,
            "image": batch.original[index],
            "adversarial": batch.adversarial[index],
            "label": int(batch.labels[index]),
            "attack": batch.attack,
            "eps": float(batch.eps),
        }
        self.request("explain", params, on_done, on_failed=on_failed)
        return True

    def run_robustness(
        self,
        attacks: tuple[str, ...],
        eps_values: tuple[float, ...],
        steps: int = 10,
        limit: int = 500,
        sanity_eps: float | None = None,
        certify: bool = False,
    ) -> bool:
        """Accuracy-vs-ε curves of the current model on (up to ``limit``) held-out images.

        With ``sanity_eps`` the sanity checks (engine.sanity) follow at that ε as a second job, so the
        curve is shown as soon as it is ready and the verdicts arrive after it (``sanityReady``). With
        ``certify`` the certified accuracy at the same ε follows too (``certifiedReady``, or
        ``certifyFailed`` with the reason when the model cannot be certified).
        """
        if self.source is None:
            return False
        source = self.source

        def on_curve(curve: Any) -> None:
            self.robustnessReady.emit(curve)
            if certify:
                params = {"source": source, "eps_values": tuple(eps_values), "limit": limit}
                self.request("certify", params, self.certifiedReady.emit, on_failed=self.certifyFailed.emit)
            if sanity_eps:
                params = {"source": source, "eps": float(sanity_eps), "steps": steps, "limit": limit}
                self.request("sanity", params, self.sanityReady.emit)

        params = {
            "source": source,
            "attacks": tuple(attacks),
            "eps_values": tuple(eps_values),
            "steps": steps,
            "limit": limit,
        }
        self.request("robustness", params, on_curve, self.robustnessProgress.emit)
        return True

    def cancel_robustness(self) -> None:
        self.cancel_task("robustness")
        self.cancel_task("certify")
        self.cancel_task("sanity")

    def run_transfer(self, run_dirs: tuple[str, ...], attack: str, eps: float, steps: int, limit: int) -> None:
        """The transfer matrix between the models of these runs, on the first run's held-out images."""
        from engine.config import AttackConfig

        params = {"run_dirs": tuple(run_dirs), "attack": AttackConfig(attack, float(eps), int(steps)), "limit": limit}
        self.request("transfer", params, self.transferReady.emit, self.transferProgress.emit)

    def cancel_task(self, kind: str) -> None:
        """Drop a waiting request and cancel the one in flight; its answer is ignored when it comes (the
        engine answers a job that was only queued at once, and stops a running one at its next check)."""
        self._waiting.pop(kind, None)
        job_id = self._running.pop(kind, None)
        if job_id is None:
            return
        job = self._jobs.get(job_id)
        if job is not None:
            job.cancelled = True
        self.engine.send(CancelJob(job_id))

    def stop_task(self, kind: str) -> bool:
        """Ask the job in flight to stop and still hear how it ends (cancel_task forgets it): for work
        that must tidy up first, such as a sweep's trials saving their checkpoints. False if none runs."""
        self._waiting.pop(kind, None)
        job_id = self._running.get(kind)
        if job_id is None:
            return False
        self.engine.send(CancelJob(job_id))
        return True

    def task_running(self, kind: str) -> bool:
        return kind in self._running or kind in self._waiting

    def busy(self) -> bool:
        """Any job or run not yet answered (tests and the close check use it)."""
        return self.running or bool(self._running) or bool(self._waiting)

    # ------------------------------------------------------------------ shutdown
    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop everything and end the engine process (killed if it has not ended after ``timeout_ms``).

        True if it ended by itself in time. A run in progress saves its checkpoint on the way out."""
        self._waiting.clear()
        self._debounce.stop()
        self._stop_watchdog.stop()
        self._pending.clear()
        run_dir = self._run_dir if self.running else None
        clean = self.engine.shutdown(timeout_ms / 1000, run_in_progress=run_dir is not None)
        if run_dir is not None and not clean:
            try:
                mark_interrupted(run_dir, "the window closed while the engine did not answer")
            except OSError as exc:
                log.warning("could not mark %s as interrupted: %s", run_dir, exc)
        self._jobs.clear()
        self._running.clear()
        self._run_job = None
        self.state = "idle"
        return clean
