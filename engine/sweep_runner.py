"""Running sweeps: trials trained here, in worker processes, or on Ray (engine.sweep_ray).

engine.sweep holds what a sweep *is* (the plan, sweep.json, a trial's state, the summary) in plain
Python, so the window can build and record sweeps without importing torch; this module trains them.
Local worker processes are started and stopped here because a pool of N processes that a SIGTERM must
reach is all it needs (concurrent.futures would hide the processes); on Ray, Tune does the scheduling.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from engine import runs
from engine.catalogue import say
from engine.config import RunConfig
from engine.sweep import (
    GRID_KEYS,
    SWEEP_LOCK,
    SweepPlan,
    SweepRecord,
    Trial,
    _label,
    summarize,
    trial_state,
    write_mode,
)


# ------------------------------------------------------------------------------------- one trial
def run_trial(
    run_dir: str,
    config: dict[str, Any],
    mode: str,
    control: Any = None,
    on_epoch: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Train one trial into ``run_dir`` (``mode``: new, resume or overwrite) and return its figures.

    A plain function of plain values so that a worker process and a Ray worker can run it; ``control``
    (an engine.messages.TrainingControl) stops it with its checkpoint saved, so the next sweep resumes it.
    ``on_epoch`` is called once each epoch's checkpoint is written (at the trainer's next message, after
    the epoch's figures and the save), between two steps: the Ray worker sends the folder to an object
    store from there.
    """
    from engine import messages as m
    from engine.trainer import train

    cfg = RunConfig.from_dict(config)
    control = control or m.TrainingControl()
    started = time.perf_counter()
    result: dict[str, Any] = {"status": "failed", "message": "", "seconds": 0.0}
    last_speed = None
    stream = train(cfg, control, run_dir=run_dir, resume=mode == "resume", overwrite=mode == "overwrite")
    epoch_ended = False
    with contextlib.closing(stream):
        for msg in stream:
            if isinstance(msg, m.EpochMetrics):
                epoch_ended = True  # its checkpoint is written after this message, before the next step's
            elif epoch_ended and on_epoch is not None and not isinstance(msg, (m.TrainingWarning, m.RunFinished)):
                epoch_ended = False
                on_epoch()
            if isinstance(msg, m.StepMetrics):
                last_speed = msg.images_per_second
            elif isinstance(msg, m.RunFailed):
                result["message"] = msg.message
            elif isinstance(msg, m.RunFinished):
                result |= {
                    "status": "finished" if msg.reason == "completed" else "interrupted",
                    "clean_accuracy": msg.clean_accuracy,
                    "robust_accuracy": msg.robust_accuracy,
                }
    result["seconds"] = time.perf_counter() - started
    result["images_per_second"] = last_speed
    return result


def _worker(tasks: Any, results: Any, threads: int) -> None:
    """Body of a local worker process: its share of the threads, then trials from ``tasks`` until a None.

    The process lives for the whole sweep, so torch is imported once per worker, not once per trial.
    SIGTERM or SIGINT stop the trial it is training (checkpoint saved, run marked interrupted); the
    driver then sends no more work. A driver that dies without a word (kill -9, the window's engine
    killed) does the same: a worker would otherwise train on unseen and then wait for work forever.
    """
    import torch

    from engine import messages as m

    torch.set_num_threads(max(1, threads))
    current: list[Any] = []
    orphaned = threading.Event()

    def stop(*_args: Any) -> None:
        for control in current:
            control.stop("interrupted")

    def watch_driver(parent: Any) -> None:
        multiprocessing.connection.wait([parent.sentinel])  # ready once the driver process has ended
        orphaned.set()
        results.cancel_join_thread()  # nobody reads the results now: do not wait at exit to hand them over
        stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    if (parent := multiprocessing.parent_process()) is not None:
        threading.Thread(target=watch_driver, args=(parent,), name="watch-driver", daemon=True).start()
    while not orphaned.is_set():
        try:
            task = tasks.get(timeout=0.5)
        except queue.Empty:
            continue
        if task is None:
            break
        name, run_dir, config, mode = task
        control = m.TrainingControl()
        current[:] = [control]
        if orphaned.is_set():  # the driver died as this task was taken: stop at the first step
            control.stop("interrupted")
        results.put(("started", name, os.getpid()))
        try:
            result = run_trial(run_dir, config, mode, control=control)
        except BaseException as exc:  # noqa: BLE001 - the sweep records the trial as failed and goes on
            from engine.errors import user_message

            result = {"status": "failed", "message": user_message(exc), "seconds": 0.0}
        current.clear()
        results.put(("ended", name, result))


# ------------------------------------------------------------------------------------- running
@dataclass
class SweepControl:
    """Stops a sweep from outside (a signal handler, the window): the running trials save their
    checkpoints and end as interrupted; no new trial starts."""

    stopped: bool = False
    _stoppers: list[Callable[[], None]] = dataclasses.field(default_factory=list)

    def stop(self, reason: str = "interrupted") -> None:
        """``reason`` as TrainingControl.stop takes it (one signal handler serves both); trials stopped
        this way always end as interrupted, so the next sweep resumes them."""
        self.stopped = True
        for stopper in list(self._stoppers):
            with contextlib.suppress(Exception):
                stopper()


@dataclass(frozen=True)
class Backend:
    """Where the trials run: ``local`` with ``parallel`` worker processes (1: in this process), or
    ``ray`` at ``address`` ("local" starts a Ray for this sweep; "auto" takes RAY_ADDRESS, else local);
    ``storage``: an object-store URI the run folders travel through on Ray (engine.sweep_storage)."""

    name: str = "local"
    parallel: int = 1
    address: str = "local"
    trial_cpus: float = 1.0
    trial_gpus: float = 0.0
    storage: str | None = None


def run_sweep(
    plan: SweepPlan,
    folder: str | Path,
    backend: Backend = Backend(),
    control: SweepControl | None = None,
    log: Callable[[str], None] = lambda _text: None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the plan's unfinished trials into ``folder`` and return the sweep's summary (summarize).

    ``progress(ended, total)`` is told whenever a trial starts or ends (``ended``: trials finished,
    interrupted or failed), from whichever thread records it.
    """
    folder = Path(folder).absolute()
    control = control or SweepControl()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / SWEEP_LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise runs.RunError(
            "Another Robustness Lab process is running a sweep in {folder} right now. Wait for it to finish "
            "(or stop it), or choose another --out folder.",
            folder=folder,
        ) from None
    try:
        record = SweepRecord(folder, plan)
        record.load_or_start()
        trials = plan.trials()
        todo = [t for t in trials if record.trials[t.name]["state"] != "finished"]
        skipped = len(trials) - len(todo)
        if progress is not None:
            started: set[str] = set()  # by this sweep (a trial an earlier one left interrupted has not ended yet)

            def tell(rec: SweepRecord) -> None:
                started.update(n for n, e in rec.trials.items() if e.get("state") == "running")
                ended = sum(1 for n in started if rec.trials[n].get("state") in ("finished", "interrupted", "failed"))
                progress(skipped + ended, len(trials))

            record.on_update = tell
            progress(skipped, len(trials))
        if skipped:
            log(
                say(
                    "Sweep: {done} of {n} trials already finished; they are not trained again.",
                    done=skipped,
                    n=len(trials),
                )
            )
        for trial in todo:
            if record.trials[trial.name]["state"] == "running":
                raise runs.RunError(
                    "The trial {name} of this sweep is being trained by another process. Wait for it, or stop it.",
                    name=trial.name,
                )
        if backend.name == "ray":
            from engine.sweep_ray import run_on_ray

            run_on_ray(todo, folder, record, backend, control, log)
        elif backend.parallel > 1:
            _run_parallel(todo, folder, record, backend.parallel, control, log, len(trials))
        else:
            _run_here(todo, folder, record, control, log, len(trials))
        for trial in trials:  # what the folders hold now is the truth, whatever a backend reported
            record.trials[trial.name]["state"] = trial_state(folder / trial.name)
        record.save()
        out = summarize(folder, trials, {t.name: record.trials[t.name]["state"] for t in trials})
        out["skipped"] = skipped
        out["interrupted"] = control.stopped
        return out
    finally:
        lock.release()


def _announce(log: Callable[[str], None], trial: Trial, k: int, n: int, mode: str) -> None:
    setting = ", ".join(f"{GRID_KEYS[key]}={_label(v)}" for key, v in trial.settings)
    what = setting + (", " if setting else "") + f"seed={trial.seed}"
    if mode == "resume":
        log(say("Sweep: trial {k} of {n} ({what}), resumed from its checkpoint", k=k, n=n, what=what))
    else:
        log(say("Sweep: trial {k} of {n} ({what})", k=k, n=n, what=what))


def _run_here(
    todo: list[Trial], folder: Path, record: SweepRecord, control: SweepControl, log: Callable[[str], None], n: int
) -> None:
    from engine import messages as m

    order = {t.name: i for i, t in enumerate(record.plan.trials(), 1)}
    for trial in todo:
        if control.stopped:
            return
        run_dir = folder / trial.name
        mode = write_mode(run_dir, record.trials[trial.name]["state"])
        _announce(log, trial, order[trial.name], n, mode)
        record.update(trial.name, state="running")
        training = m.TrainingControl()

        def stopper(training: m.TrainingControl = training) -> None:
            training.stop("interrupted")

        control._stoppers.append(stopper)
        try:
            result = run_trial(str(run_dir), trial.config.to_dict(), mode, control=training)
        finally:
            control._stoppers.remove(stopper)
        _record_result(record, trial.name, result, log)


def _record_result(record: SweepRecord, name: str, result: dict[str, Any], log: Callable[[str], None]) -> None:
    fields = {k: result.get(k) for k in ("status", "clean_accuracy", "robust_accuracy", "seconds", "images_per_second")}
    fields["state"] = fields.pop("status")
    if result.get("message"):
        fields["message"] = result["message"]
        log(say("Sweep: trial {name} failed: {message}", name=name, message=result["message"]))
    record.update(name, **fields)


def _run_parallel(
    todo: list[Trial],
    folder: Path,
    record: SweepRecord,
    parallel: int,
    control: SweepControl,
    log: Callable[[str], None],
    n: int,
) -> None:
    """``parallel`` worker processes; each is handed one trial at a time, so none is queued behind a
    worker that is being stopped, and a stopped sweep starts nothing new."""
    ctx = multiprocessing.get_context("spawn")  # fork would copy torch's thread pools and locks
    tasks, results = ctx.Queue(), ctx.Queue()
    threads = max(1, (os.cpu_count() or 1) // parallel)
    order = {t.name: i for i, t in enumerate(record.plan.trials(), 1)}
    waiting = list(todo)
    workers = [ctx.Process(target=_worker, args=(tasks, results, threads)) for _ in range(min(parallel, len(todo)))]
    busy: dict[int, str] = {}  # worker pid -> the trial it trains
    handed = 0  # trials handed out and not yet reported back

    def stop_workers() -> None:
        for process in workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: its trial saves a checkpoint and ends as interrupted

    def hand_out() -> None:
        nonlocal handed
        while waiting and handed < len(workers) and not control.stopped:
            trial = waiting.pop(0)
            run_dir = folder / trial.name
            mode = write_mode(run_dir, record.trials[trial.name]["state"])
            _announce(log, trial, order[trial.name], n, mode)
            record.update(trial.name, state="running")
            config = trial.config
            if config.train.threads is None:
                config = config.with_changes({"train.threads": threads})
            tasks.put((trial.name, str(run_dir), config.to_dict(), mode))
            handed += 1

    for process in workers:
        process.start()
    control._stoppers.append(stop_workers)
    try:
        hand_out()
        while handed:
            try:
                kind, name, value = results.get(timeout=0.5)
            except queue.Empty:
                dead = [p for p in workers if not p.is_alive() and p.exitcode not in (0, None)]
                for process in dead:  # a worker that died without a word (killed, out of memory)
                    workers.remove(process)
                    lost = busy.pop(process.pid or -1, None)
                    if lost is not None:
                        handed -= 1
                        record.update(lost, state=trial_state(folder / lost))
                if not workers:
                    return
                continue
            if kind == "started":
                busy[value] = name
                continue
            busy = {pid: trial for pid, trial in busy.items() if trial != name}
            handed -= 1
            _record_result(record, name, value, log)
            hand_out()
    finally:
        control._stoppers.remove(stop_workers)
        for _process in workers:
            tasks.put(None)
        for process in workers:
            process.join(timeout=120)
            if process.is_alive():
                process.kill()
