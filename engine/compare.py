"""Comparing runs: what every run folder holds, the λ list of the window's quick sweep, seed groups, the
transfer matrix between runs, and the comparison report.

All of it reads run folders from disk (``engine.runs``), so a run made by the window, by
``main.py train`` or by ``main.py sweep`` is compared the same way.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import runs
from engine.config import ConfigError, RunConfig
from engine.gallery_images import eps_text

SWEEP_FILE = "sweep.json"  # engine.sweep's record of a sweep folder (named here to keep compare below sweep)
MAX_SWEEP = 12  # a longer queue is more likely a typo than a plan, and would run for hours


def _num(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")


@dataclass(frozen=True)
class RunSummary:
    """One run folder as the runs browser lists it: settings in force at the end, and final figures."""

    path: str
    name: str
    dataset: str
    model: str
    attack: str
    lam: float
    eps: float
    clean_accuracy: float
    robust_accuracy: float
    status: str
    settings_json: str
    eval_steps: int = 10  # the per-epoch PGD check's steps: with dataset and ε, what makes runs comparable
    started: float = 0.0  # when the run was made (its config file's time), seconds since the epoch
    title: str = ""  # the person's own name for the run (TITLE_FILE), or "" for the generated one
    seed: int = 0
    setting: str = ""  # setting_key of its config: runs with the same one differ only by seed

    @property
    def label(self) -> str:
        return f"λ={self.lam:g}, ε={eps_text(self.eps)}"

    @property
    def comparable(self) -> tuple[str, int, float]:
        """Runs with the same key were measured the same way (dataset, PGD steps, ε): only those share a
        trade-off plot, since robust accuracy at another ε or attack is another quantity."""
        return (self.dataset, self.eval_steps, round(self.eps, 6))

    @property
    def has_point(self) -> bool:
        return math.isfinite(self.clean_accuracy) and math.isfinite(self.robust_accuracy)

    @property
    def time_text(self) -> str:
        return time_text(self.started)


TITLE_FILE = "title.txt"  # a run's own name, as the person typed it in the Runs tab
TITLE_MAX = 80


def set_run_title(folder: str | Path, title: str) -> str:
    """Give a run its own name (one line, at most TITLE_MAX characters; "" goes back to the generated
    one); the name as stored."""
    clean = " ".join(str(title).split())[:TITLE_MAX]
    path = Path(folder) / TITLE_FILE
    if clean:
        runs.atomic_write(path, lambda f: f.write(clean.encode("utf-8")))
    else:
        path.unlink(missing_ok=True)
    return clean


def read_title(folder: Path) -> str:
    try:
        raw = (folder / TITLE_FILE).read_bytes()[: 4 * TITLE_MAX]
    except OSError:
        return ""
    return " ".join(raw.decode("utf-8", errors="replace").split())[:TITLE_MAX]


def summarize_run(folder: str | Path) -> RunSummary:
    """Read one run folder (RunError when it is not one); unfinished runs show their last epoch."""
    folder = Path(folder)
    config = runs.load_config(folder)
    clean = robust = float("nan")
    status = "unfinished"
    summary_path = folder / runs.SUMMARY_FILE
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            clean, robust = _num(summary.get("clean_accuracy")), _num(summary.get("robust_accuracy"))
            status = str(summary.get("reason", "finished"))
        except (ValueError, OSError, AttributeError, RecursionError):
            pass
    if not math.isfinite(clean):
        history = run_history(folder)
        if history.epochs:
            clean, robust = history.clean[-1], history.robust[-1]
    return RunSummary(
        str(folder),
        folder.name,
        config.data.name,
        config.model.name,
        config.attack.name,
        config.train.lam,
        config.attack.eps,
        clean,
        robust,
        status,
        config.to_json(),
        eval_steps=config.train.eval_steps,
        started=started_at(folder),
        title=read_title(folder),
        seed=config.train.seed,
        setting=setting_key(config),
    )


# Settings that say how a run is computed, not what it learns: left out of a run's setting (a resumed
# sweep may run on other hardware, with other threads).
RUNTIME_KEYS = ("train.threads", "train.device")


def setting_key(config: RunConfig) -> str:
    """What a run learns, as one string: the config without its seed and runtime settings. Runs with the
    same key differ only by seed, so the spread of their figures is seed noise."""
    raw = config.to_dict()
    for key in (*RUNTIME_KEYS, "train.seed", "train.gallery_every", "train.gallery_seconds"):
        section, name = key.split(".")
        raw[section].pop(name, None)
    return json.dumps(raw, sort_keys=True)


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation of the finite values (sd NaN for fewer than two)."""
    finite = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return float("nan"), float("nan")
    return statistics.fmean(finite), statistics.stdev(finite) if len(finite) > 1 else float("nan")


def pm_text(mean: float, sd: float) -> str:
    """ "97.1 ± 0.4%": a mean and standard deviation of accuracies ("97.1%" without a spread, "–" without
    a mean), as the report and the Runs tab write them."""
    if not math.isfinite(mean):
        return "–"
    return f"{100 * mean:.1f} ± {100 * sd:.1f}%" if math.isfinite(sd) else f"{100 * mean:.1f}%"


@dataclass(frozen=True)
class SettingGroup:
    """Runs that differ only by seed, with the mean and standard deviation of their final figures."""

    members: tuple[RunSummary, ...]
    clean_mean: float
    clean_sd: float
    robust_mean: float
    robust_sd: float

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(m.seed for m in self.members)

    @property
    def label(self) -> str:
        return self.members[0].label

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "runs": [m.path for m in self.members],
            "seeds": list(self.seeds),
            "n": self.n,
            "clean_accuracy": {"mean": self.clean_mean, "sd": self.clean_sd},
            "robust_accuracy": {"mean": self.robust_mean, "sd": self.robust_sd},
        }


def group_by_setting(summaries: Sequence[RunSummary]) -> list[SettingGroup]:
    """The runs with final figures, grouped by setting (in the order each setting first appears)."""
    groups: dict[tuple, list[RunSummary]] = {}
    for s in summaries:
        if s.has_point:
            groups.setdefault((s.comparable, s.setting or s.path), []).append(s)
    out = []
    for members in groups.values():
        clean = mean_sd([m.clean_accuracy for m in members])
        robust = mean_sd([m.robust_accuracy for m in members])
        out.append(SettingGroup(tuple(members), clean[0], clean[1], robust[0], robust[1]))
    return out


SETTING_NAMES = {"train.lam": "λ", "attack.eps": "ε", "train.beta": "β", "model.name": "", "attack.name": ""}


def setting_labels(groups: Sequence[SettingGroup]) -> list[str]:
    """A short label per group naming only what differs between the groups ("λ 0.5", "λ 1 · l2 0.01");
    the runs' own label when nothing but the seed differs."""
    flat = []
    for g in groups:
        raw = json.loads(g.members[0].setting) if g.members[0].setting else {}
        flat.append(
            {f"{sec}.{k}": v for sec, values in raw.items() if isinstance(values, dict) for k, v in values.items()}
        )
    keys = [k for k in (flat[0] if flat else {}) if len({json.dumps(f.get(k)) for f in flat}) > 1]
    labels = []
    for g, values in zip(groups, flat, strict=True):
        labels.append(" · ".join(setting_text(key, values.get(key)) for key in keys) or g.label)
    return labels


def setting_text(key: str, value: Any) -> str:
    """One setting as a person reads it: "λ 0.5", "ε 0.1", "l2 0.01", "small-cnn"."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    name = SETTING_NAMES.get(key, key.split(".")[1])
    return f"{name} {text}" if name else text


def clearly_different(a: SettingGroup, b: SettingGroup, figure: str = "robust") -> bool:
    """Whether two settings' figure differs by more than their seed spreads together (|Δ mean| > sd_a +
    sd_b). Settings with fewer than two seeds have no measured spread, so no difference is claimed."""
    if a.n < 2 or b.n < 2:
        return False
    ma, sa, mb, sb = (getattr(g, f"{figure}_{k}") for g in (a, b) for k in ("mean", "sd"))
    return abs(ma - mb) > sa + sb


def epoch_seconds(folder: str | Path) -> float:
    """How long one epoch of a finished run took, wall time (config.json written to summary.json
    written, over its epochs); NaN when it cannot be told. The sweep dialog's time estimate."""
    folder = Path(folder)
    try:
        start = (folder / runs.CONFIG_FILE).stat().st_mtime
        end = (folder / runs.SUMMARY_FILE).stat().st_mtime
    except OSError:
        return float("nan")
    epochs = runs.logged_epochs(folder)
    return (end - start) / epochs if epochs and end > start else float("nan")


def time_text(started: float) -> str:
    """When a run was made, short: "12-01 17:03" ("" when unknown)."""
    return time.strftime("%m-%d %H:%M", time.localtime(started)) if started else ""


def started_at(folder: Path) -> float:
    """When a run was made: from its folder's name when the app named it (runs.new_run_dir), else from
    its config file's time."""
    try:
        return time.mktime(time.strptime(folder.name[:15], "%Y%m%d-%H%M%S"))
    except (ValueError, OverflowError):
        pass
    try:
        return (folder / runs.CONFIG_FILE).stat().st_mtime
    except OSError:
        return 0.0


def list_runs(root: str | Path | None = None) -> list[RunSummary]:
    """Every run folder under ``root`` (default: the runs folder), by name, and the trials of the sweep
    folders there; damaged folders are skipped."""
    root = Path(root) if root else runs.default_runs_root()
    if not root.is_dir():
        return []
    out = []
    folders = []
    for entry in sorted(root.iterdir()):
        if (entry / runs.CONFIG_FILE).is_file():
            folders.append(entry)
        elif (entry / SWEEP_FILE).is_file():  # a sweep folder: its trials are runs like any other
            folders.extend(sorted(p for p in entry.iterdir() if (p / runs.CONFIG_FILE).is_file()))
    for folder in folders:
        try:
            out.append(summarize_run(folder))
        except runs.RunError:
            continue
    return out


@dataclass(frozen=True)
class RunHistory:
    """Per-epoch held-out accuracy and per-step total loss of one run, for overlaying runs."""

    name: str
    epochs: tuple[int, ...]
    clean: tuple[float, ...]
    robust: tuple[float, ...]
    steps: tuple[int, ...]
    loss_total: tuple[float, ...]


def run_history(folder: str | Path) -> RunHistory:
    """The curves of a run from its metrics file; a resumed run keeps the latest record of each epoch."""
    by_epoch: dict[int, dict[str, Any]] = {}
    by_step: dict[int, float] = {}
    for record in runs.read_metrics(folder):
        if record.get("type") == "epoch" and isinstance(record.get("epoch"), int):
            by_epoch[record["epoch"]] = record
        elif record.get("type") == "step" and isinstance(record.get("step"), int):
            by_step[record["step"]] = _num(record.get("loss_total"))
    epochs = tuple(sorted(by_epoch))
    steps = tuple(sorted(by_step))
    return RunHistory(
        Path(folder).name,
        epochs,
        tuple(_num(by_epoch[e].get("clean_accuracy")) for e in epochs),
        tuple(_num(by_epoch[e].get("robust_accuracy")) for e in epochs),
        steps,
        tuple(by_step[s] for s in steps),
    )


def short_names(names: Sequence[str]) -> list[str]:
    """Run names without the prefix they all share (cut at a '-'), for legends and table headers:
    sweep-20261123-154929-lam0 and …-lam1 become lam0 and lam1."""
    if len(names) < 2:
        return list(names)
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind("-") + 1
    short = [name[cut:] for name in names]
    return short if all(short) and len(set(short)) == len(short) else list(names)


# ---------------------------------------------------------------------------------------------- λ-sweep
def parse_lambdas(text: str) -> tuple[float, ...]:
    """ "0, 0.5, 1" -> (0.0, 0.5, 1.0), sorted and without repeats; ConfigError says what is wrong."""
    values: list[float] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise ConfigError("'{text}' is not a number: give the λ values as e.g. 0, 0.5, 1.", text=part) from None
    return _checked_lambdas(values)


def _checked_lambdas(lambdas: Sequence[float]) -> tuple[float, ...]:
    bad = [v for v in lambdas if not math.isfinite(v) or v < 0]
    if bad:
        raise ConfigError("λ must be 0 or more (got {value}).", value=f"{bad[0]:g}")
    values = sorted(set(lambdas))
    if len(values) < 2:
        raise ConfigError("A sweep needs at least two different λ values, e.g. 0, 0.5, 1.")
    if len(values) > MAX_SWEEP:
        raise ConfigError("A sweep takes at most {max} λ values (got {n}).", max=MAX_SWEEP, n=len(values))
    return tuple(values)
