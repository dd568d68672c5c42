"""Sweeps: the product of lists of settings and seeds, as ordinary run folders in one sweep folder.

A sweep is a folder. It holds ``sweep.json`` (the plan: the base config, the grid's axes and the seeds,
and each trial's state) and one run folder per trial, whose ``config.json`` is the whole truth about it,
so the runs browser, ``compare``, the reports and the transfer matrix read sweep results like any run.

This module is what a sweep *is* — the plan, its record, a trial's state, the summary over seeds — in
plain Python (no torch), so that the window builds and records sweeps with the same code as ``main.py
sweep``. Training them is engine.sweep_runner's: one after another, in worker processes, or on Ray Tune
(engine.sweep_ray). Re-running the same sweep into the same folder skips finished trials and resumes
interrupted ones from their checkpoints; ``sweep.json`` is written only by the process that drives the
sweep (one writer), under a lock, so a second sweep into the same folder is refused instead of mixed in.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import math
import re
import statistics
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from engine import runs
from engine.compare import SWEEP_FILE, mean_sd, setting_key
from engine.config import ConfigError, RunConfig

SWEEP_LOCK = ".sweep.lock"
SWEEP_VERSION = 1
SWEEP_FILE_LIMIT = 16 * 2**20  # a sweep.json of 256 trials is ~200 kB; anything this big was not written by us
MAX_TRIALS = 256  # a bigger grid is more likely a typo than a plan: it would run for days here

# The knobs a grid may vary (config key -> the short label of trial names). Everything else is fixed by
# the base config; the seed has its own list.
GRID_KEYS: dict[str, str] = {
    "train.lam": "lam",
    "train.beta": "beta",
    "attack.eps": "eps",
    "attack.name": "atk",
    "attack.steps": "steps",
    "train.method": "method",
    "regularization.l1": "l1",
    "regularization.l2": "l2",
    "model.dropout": "drop",
    "model.name": "model",
    "augment.rotation": "rot",
    "augment.shift": "shift",
    "augment.noise_std": "noise",
    "augment.crop_padding": "crop",
    "train.lr": "lr",
    "train.epochs": "ep",
}
STATES = ("pending", "running", "finished", "interrupted", "failed")


def _label(value: Any) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return re.sub(r"[^A-Za-z0-9.+]", "", text) or "x"


@dataclass(frozen=True)
class Trial:
    """One point of the grid with one seed: a run folder's name and its whole config."""

    name: str
    settings: tuple[tuple[str, Any], ...]  # the grid's values for this trial, in the axes' order
    seed: int
    config: RunConfig


@dataclass(frozen=True)
class SweepPlan:
    """A base config, the values each varied knob takes, and the seeds: their product is the trials."""

    base: RunConfig
    axes: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    seeds: tuple[int, ...] = (0,)

    def trials(self) -> list[Trial]:
        return list(self._trials)

    @functools.cached_property
    def _trials(self) -> tuple[Trial, ...]:
        """Made once: each trial's config is validated, and sweep.json is rewritten after every change."""
        keys = [k for k, _ in self.axes]
        out = []
        combos = itertools.product(*(values for _, values in self.axes))
        for index, (combo, seed) in enumerate(itertools.product(list(combos), self.seeds), 1):
            settings = tuple(zip(keys, combo, strict=True))
            config = self.base.with_changes(dict(settings) | {"train.seed": seed})
            label = "-".join(f"{GRID_KEYS[k]}{_label(v)}" for k, v in settings)
            name = f"t{index:03d}-" + (f"{label}-" if label else "") + f"seed{seed}"
            out.append(Trial(name, settings, seed, config))
        return tuple(out)

    def identity(self) -> dict[str, Any]:
        """What makes two plans the same sweep (runtime settings such as threads may differ)."""
        base = json.loads(setting_key(self.base))
        return {"base": base, "axes": [[k, list(v)] for k, v in self.axes], "seeds": list(self.seeds)}

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base.to_dict(), "axes": [[k, list(v)] for k, v in self.axes], "seeds": list(self.seeds)}


def make_plan(base: RunConfig, axes: Mapping[str, Sequence[Any]], seeds: Sequence[int] = (0,)) -> SweepPlan:
    """A checked plan: known knobs, values without repeats (first order kept), every trial's config valid,
    at most MAX_TRIALS trials. ConfigError says what is wrong in words a person can act on."""
    clean_axes = []
    for key, values in axes.items():
        if key not in GRID_KEYS:
            raise ConfigError(
                "A sweep cannot vary '{key}'; it can vary {choices}.", key=key, choices=", ".join(GRID_KEYS)
            )
        unique = tuple(dict.fromkeys(values))
        if not unique:
            raise ConfigError("Give at least one value for {key}.", key=key)
        if len(unique) > 1:  # a one-value list is just the base setting
            clean_axes.append((key, unique))
        else:
            base = base.with_changes({key: unique[0]})
    seeds = tuple(dict.fromkeys(int(s) for s in seeds))
    if not seeds:
        raise ConfigError("Give at least one seed, e.g. --seeds 0,1,2.")
    n = math.prod(len(v) for _, v in clean_axes) * len(seeds)
    if n > MAX_TRIALS:
        raise ConfigError("This sweep would train {n} runs; a sweep takes at most {max}.", n=n, max=MAX_TRIALS)
    if n < 2:
        raise ConfigError(
            "A sweep needs at least two runs: give two or more values for a setting (e.g. --lambda 0,1) or seeds."
        )
    varied = dict(clean_axes)
    no_attack = base.attack.name == "none" or base.attack.eps == 0
    if "train.lam" in varied and no_attack and not {"attack.name", "attack.eps"} & set(varied):
        raise ConfigError("A λ sweep needs a training attack and ε > 0: with no attack every λ trains the same model.")
    plan = SweepPlan(base, tuple(clean_axes), seeds)
    plan.trials()  # every trial's config is validated here, before anything is written
    return plan


def epoch_times(recent: Sequence[Any]) -> list[tuple[Any, float]]:
    """(run, seconds per epoch) of the finished runs among ``recent`` (engine.compare.RunSummary) whose
    epoch time can be told: what estimate_seconds measures a plan by."""
    from engine.compare import epoch_seconds

    timed = []
    for summary in recent:
        if summary.status == "completed":
            seconds = epoch_seconds(summary.path)
            if math.isfinite(seconds):
                timed.append((summary, seconds))
    return timed


def estimate_seconds(plan: SweepPlan, timed: Sequence[tuple[Any, float]]) -> float | None:
    """About how long the plan trains, from ``epoch_times`` of recent runs: per trial, its epochs × the
    median epoch time of recent runs on the same dataset and model with the same attack (else the same
    dataset and model, else the same dataset); None when no run tells."""
    total = 0.0
    for trial in plan.trials():
        c = trial.config
        wanted = (c.data.name, c.model.name, c.attack.name)
        for depth in (3, 2, 1):  # same dataset, model and attack; else dataset and model; else dataset
            times = [seconds for s, seconds in timed if (s.dataset, s.model, s.attack)[:depth] == wanted[:depth]]
            if times:
                total += c.train.epochs * statistics.median(times)
                break
        else:
            return None
    return total


# ------------------------------------------------------------------------------------- trial state
def trial_state(folder: Path) -> str:
    """What a trial's run folder holds: finished (completed), interrupted (a checkpoint to resume from),
    running (another process holds its lock), failed, or pending (nothing worth keeping)."""
    if not (folder / runs.CONFIG_FILE).is_file():
        return "pending"
    reason = ""
    with contextlib.suppress(OSError, ValueError, AttributeError, RecursionError):
        reason = str(json.loads((folder / runs.SUMMARY_FILE).read_text(encoding="utf-8")).get("reason", ""))
    if reason == "completed":
        return "finished"
    lock = FileLock(folder / runs.LOCK_FILE, timeout=0)
    try:
        lock.acquire()
        lock.release()
    except Timeout:
        return "running"
    if (folder / runs.CHECKPOINT_FILE).is_file():
        return "interrupted"
    return "pending"


def write_mode(folder: Path, state: str) -> str:
    """How a trial's folder is opened: resumed from its checkpoint, or started again (what was there
    moved aside by runs.RunWriter, never deleted), or new."""
    if state == "interrupted":
        return "resume"
    return "overwrite" if runs.holds_run(folder) else "new"


# ------------------------------------------------------------------------------------- the record
class SweepRecord:
    """sweep.json: the plan and each trial's state, rewritten atomically after every change."""

    def __init__(self, folder: Path, plan: SweepPlan):
        self.folder, self.plan = folder, plan
        self.path = folder / SWEEP_FILE
        self.trials: dict[str, dict[str, Any]] = {}
        self.created = time.time()
        # This sweep's own name in an object store (engine.sweep_storage): random, kept in sweep.json, so that
        # two sweeps never share copies there, even with the same folder name and plan on two machines.
        self.storage_id = uuid.uuid4().hex[:12]
        # Told after every change (the window's engine reports each trial as it starts and ends).
        self.on_update: Callable[[SweepRecord], None] | None = None

    def load_or_start(self) -> None:
        """Take up the sweep already in the folder when it is this plan; refuse another plan."""
        if self.path.is_file():
            old = read_sweep(self.folder)
            if old is None:
                raise runs.RunError(
                    "{path} is damaged or not a Robustness Lab sweep. Choose another --out folder.", path=self.path
                )
            if old.get("identity") != jsonable_identity(self.plan):
                raise runs.RunError(
                    "{folder} holds another sweep (other settings, values or seeds). Nothing was changed. "
                    "Re-run that sweep's own command to resume it, or choose another --out folder.",
                    folder=self.folder,
                )
            created = old.get("created")
            if isinstance(created, (int, float)) and not isinstance(created, bool) and math.isfinite(created):
                self.created = float(created)
            storage_id = old.get("storage_id")
            if isinstance(storage_id, str) and re.fullmatch(r"[0-9a-f]{12}", storage_id):
                self.storage_id = storage_id
            trials = old.get("trials")
            for entry in trials if isinstance(trials, list) else []:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    self.trials[entry["name"]] = entry
        elif runs.holds_run(self.folder):
            raise runs.RunError(
                "{folder} holds a run, not a sweep. Nothing was changed. Choose another --out folder.",
                folder=self.folder,
            )
        for trial in self.plan.trials():
            entry = self.trials.setdefault(trial.name, {"name": trial.name})
            entry["settings"] = {k: v for k, v in trial.settings}
            entry["seed"] = trial.seed
            entry["state"] = trial_state(self.folder / trial.name)
        self.save()

    def update(self, name: str, **fields: Any) -> None:
        self.trials[name].update(fields)
        self.save()
        if self.on_update is not None:
            self.on_update(self)

    def count(self, *states: str) -> int:
        """How many of the plan's trials are in one of ``states``."""
        return sum(1 for t in self.plan.trials() if self.trials.get(t.name, {}).get("state") in states)

    def save(self) -> None:
        order = [t.name for t in self.plan.trials()]
        runs.write_json(
            self.path,
            {
                "version": SWEEP_VERSION,
                "created": self.created,
                "storage_id": self.storage_id,
                "updated": time.time(),
                "identity": jsonable_identity(self.plan),
                "plan": self.plan.to_dict(),
                "trials": [self.trials[n] for n in order],
            },
        )


def jsonable_identity(plan: SweepPlan) -> Any:
    return json.loads(json.dumps(runs.jsonable(plan.identity()), sort_keys=True))


def read_sweep(folder: str | Path) -> dict[str, Any] | None:
    """A sweep folder's sweep.json as a dict (None when there is none, or it is unreadable)."""
    path = Path(folder) / SWEEP_FILE
    try:
        if path.stat().st_size > SWEEP_FILE_LIMIT:
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return raw if isinstance(raw, dict) else None


# ------------------------------------------------------------------------------------- summary
def _figure(values: Sequence[float]) -> dict[str, float | None]:
    mean, sd = mean_sd(values)
    return {"mean": mean if math.isfinite(mean) else None, "sd": sd if math.isfinite(sd) else None}


def summarize(folder: Path, trials: Sequence[Trial], states: dict[str, str]) -> dict[str, Any]:
    """Per trial its state (``states``, as trial_state found it) and figures (from its own summary.json),
    and per setting (the trials that differ only by seed) the mean and standard deviation of clean and
    robust accuracy over its seeds."""
    from engine.compare import summarize_run

    rows = []
    groups: dict[tuple, list[tuple[Trial, Any]]] = {}
    for trial in trials:
        run_dir = folder / trial.name
        state = states[trial.name]
        row: dict[str, Any] = {"name": trial.name, "run_dir": str(run_dir), "seed": trial.seed, "state": state}
        row["settings"] = {k: v for k, v in trial.settings}
        summary = None
        if state != "pending":
            with contextlib.suppress(runs.RunError):
                summary = summarize_run(run_dir)
        if summary is not None:
            row |= {"clean_accuracy": summary.clean_accuracy, "robust_accuracy": summary.robust_accuracy}
        rows.append(row)
        groups.setdefault(trial.settings, []).append((trial, summary if state == "finished" else None))
    settings = []
    for key, members in groups.items():
        done = [s for _, s in members if s is not None]
        settings.append(
            {
                "settings": {k: v for k, v in key},
                "seeds": [t.seed for t, s in members if s is not None],
                "n": len(done),
                "clean_accuracy": _figure([s.clean_accuracy for s in done]),
                "robust_accuracy": _figure([s.robust_accuracy for s in done]),
            }
        )
    return {"sweep_dir": str(folder), "trials": rows, "settings": settings}
