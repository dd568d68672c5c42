"""The Ray Tune backend of sweeps: each unfinished trial is one Tune trial, scheduled by Ray.

Ray is an optional extra (``pip install -e ".[cluster]"``), so it is imported only here and only when a
sweep asks for it. Each Tune trial runs ``engine.sweep_runner.run_trial`` into its run folder inside the sweep
folder, which every node must reach (on a cluster: a shared folder); Ray's own bookkeeping goes to
``<sweep folder>/.ray``. The driver (this process) is the only writer of ``sweep.json``: a Tune callback
records each trial as it starts and ends, so the sweep folder shows trials arriving while Ray runs.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import runs
from engine.catalogue import say

if TYPE_CHECKING:
    from engine.sweep import SweepRecord, Trial
    from engine.sweep_runner import Backend, SweepControl

QUIET_RAY = {
    # trials keep the driver's working directory (relative data paths keep working on a local Ray)
    "RAY_CHDIR_TO_TRIAL_DIR": "0",
    # the driver's stdout is for the sweep's JSON line, not for Tune's progress tables
    "RAY_AIR_NEW_OUTPUT": "0",
    "RAY_DEDUP_LOGS": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def import_ray() -> Any:
    """Ray, or a UserError that says how to install it."""
    try:
        import ray
        from ray import tune  # noqa: F401 - the extra's other half: checked here, used below
    except ImportError:
        raise runs.RunError(
            'Sweeps on Ray need Ray Tune, which is not installed: pip install -e ".[cluster]" '
            '(or pip install "ray[tune]"). Without --ray the sweep runs on this machine.'
        ) from None
    return ray


def _ray_trainable(params: dict[str, Any], tasks: dict[str, tuple[str, dict[str, Any], str]]) -> None:
    """One Tune trial: train the trial named in ``params`` into its run folder, then report its figures."""
    from ray import tune

    from engine.sweep_runner import run_trial

    run_dir, config, mode = tasks[params["trial"]]
    import torch

    threads = config["train"].get("threads")
    if threads:
        torch.set_num_threads(int(threads))
    result = run_trial(run_dir, config, mode)
    tune.report({k: v for k, v in result.items() if isinstance(v, (int, float, str)) and v == v})


def _start_ray(ray: Any, address: str, log: Callable[[str], None]) -> bool:
    """Connect to the cluster at ``address`` ("auto": RAY_ADDRESS, else a local Ray; "local": a Ray for
    this sweep only). True when this call started Ray (and so must shut it down)."""
    if ray.is_initialized():
        return False
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS") or "local"
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    if address == "local":
        log(say("Sweep: starting a local Ray for this sweep ({cpus} CPUs)", cpus=os.cpu_count() or 1))
        ray.init(num_cpus=os.cpu_count() or 1, **quiet)
    else:
        log(say("Sweep: connecting to the Ray cluster at {address}", address=address))
        try:
            ray.init(address=address, **quiet)
        except ConnectionError as exc:
            # Ray 2.59+ starts clusters with token authentication; a driver sends its token only when told
            # to (RAY_AUTH_MODE=token), and otherwise just sees a refused connection after ~20 s of retries.
            hint = "" if os.environ.get("RAY_AUTH_MODE") == "token" else "token"
            if hint:
                raise runs.RunError(
                    "Could not connect to the Ray cluster at {address}. If it was started with 'ray start' (Ray "
                    "2.59 or later: token authentication is on), run the sweep with RAY_AUTH_MODE=token and the "
                    "cluster's token (ray get-auth-token; on the head node it is ~/.ray/auth_token).",
                    address=address,
                ) from exc
            raise runs.RunError(
                "Could not connect to the Ray cluster at {address} ({error}).", address=address, error=str(exc)[:200]
            ) from exc
    return True


def run_on_ray(
    todo: list[Trial],
    folder: Path,
    record: SweepRecord,
    backend: Backend,
    control: SweepControl,
    log: Callable[[str], None],
) -> None:
    """Run ``todo`` as the trials of one Tune experiment and record them in ``record`` as they end."""
    if not todo:
        return
    for key, value in QUIET_RAY.items():
        os.environ.setdefault(key, value)
    ray = import_ray()
    from ray import tune

    from engine.sweep import trial_state, write_mode

    started = _start_ray(ray, backend.address, log)
    try:
        tasks: dict[str, tuple[str, dict[str, Any], str]] = {}
        for trial in todo:
            config = trial.config.to_dict()
            if config["train"].get("threads") is None:  # the trial's CPUs are its threads, as on one machine
                config["train"]["threads"] = max(1, int(backend.trial_cpus))
            run_dir = folder / trial.name
            tasks[trial.name] = (str(run_dir), config, write_mode(run_dir, record.trials[trial.name]["state"]))

        class Arrivals(tune.Callback):
            """Record each trial in sweep.json as Ray starts and ends it (the window and a second
            terminal see them arrive)."""

            def on_trial_start(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
                name = trial.config.get("trial")
                if name in record.trials:
                    record.update(name, state="running")

            def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
                name = trial.config.get("trial")
                if name not in record.trials:
                    return
                last = trial.last_result or {}
                figures = {
                    k: last.get(k) for k in ("clean_accuracy", "robust_accuracy", "seconds", "images_per_second")
                }
                record.update(name, state=trial_state(folder / name), **figures)
                log(
                    say(
                        "Sweep: trial {name} came back from Ray ({state})",
                        name=name,
                        state=record.trials[name]["state"],
                    )
                )

            def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
                name = trial.config.get("trial")
                if name in record.trials:
                    record.update(name, state="failed")
                    log(say("Sweep: trial {name} failed on Ray; see {folder}", name=name, folder=folder / ".ray"))

        class StopWhenAsked(tune.Stopper):
            """Ends the experiment when the sweep is stopped (SIGTERM, Ctrl+C, the window)."""

            def __call__(self, trial_id: str, result: dict) -> bool:
                return control.stopped

            def stop_all(self) -> bool:
                return control.stopped

        trainable = tune.with_resources(
            tune.with_parameters(_ray_trainable, tasks=tasks), {"cpu": backend.trial_cpus, "gpu": backend.trial_gpus}
        )
        tuner = tune.Tuner(
            trainable,
            param_space={"trial": tune.grid_search([t.name for t in todo])},
            # one worker process per slot for all its trials: torch is imported once, not once per trial
            tune_config=tune.TuneConfig(reuse_actors=True),
            run_config=tune.RunConfig(
                name=time.strftime("tune-%Y%m%d-%H%M%S"),
                storage_path=str(folder / ".ray"),
                verbose=0,
                callbacks=[Arrivals()],
                stop=StopWhenAsked(),
            ),
        )
        tuner.fit()
    finally:
        if started:
            ray.shutdown()
