"""The window's sweep: the trials of a grid waiting their turn, started one after another as each ends.

The queue only orders runs; each is an ordinary run started through the controller into its folder inside
the sweep folder (so it is a run folder like any other, trained by the engine process). The sweep folder's
``sweep.json`` (engine.sweep.SweepRecord, the same record ``main.py sweep`` keeps) lists the trials and is
updated as each one starts and ends, so ``main.py sweep`` with the same grid and ``--out`` resumes a sweep
the window did not finish. A failed run or an engine that stopped ends the sweep: the same settings would
most likely fail again.
"""

from __future__ import annotations

from pathlib import Path

from engine.sweep import SweepPlan, SweepRecord, Trial, trial_state, write_mode


class SweepQueue:
    def __init__(self) -> None:
        self.pending: list[Trial] = []
        self.total = 0
        self.folder: Path | None = None
        self.record: SweepRecord | None = None
        self.current: str | None = None

    @property
    def active(self) -> bool:
        """A sweep is under way (its last run may be training, with nothing left waiting)."""
        return self.total > 0

    def start(self, plan: SweepPlan, folder: Path) -> None:
        """Take up ``plan`` in ``folder`` (a new folder, or one holding this very sweep: its finished trials
        are left out); RunError when the folder holds something else."""
        record = SweepRecord(folder, plan)
        record.load_or_start()
        self.folder, self.record = folder, record
        trials = plan.trials()
        self.pending = [t for t in trials if record.trials[t.name]["state"] != "finished"]
        self.total = len(trials)

    def next(self) -> tuple[int, Trial, Path, str]:
        """(1-based index, trial, its run folder, how to open it: engine.sweep.write_mode) of the next
        run, taken off the queue."""
        trial = self.pending.pop(0)
        assert self.folder is not None and self.record is not None
        run_dir = self.folder / trial.name
        mode = write_mode(run_dir, self.record.trials[trial.name]["state"])
        self.current = trial.name
        self.record.update(trial.name, state="running")
        return self.total - len(self.pending), trial, run_dir, mode

    def run_ended(self) -> None:
        """The current trial's run ended (finished, stopped or failed): record what its folder holds."""
        if self.record is not None and self.folder is not None and self.current is not None:
            self.record.update(self.current, state=trial_state(self.folder / self.current))
        self.current = None

    def drop_waiting(self) -> bool:
        """Forget the runs not yet started; True if there were any."""
        had = bool(self.pending)
        self.pending.clear()
        return had

    def end(self) -> None:
        self.run_ended()
        self.pending.clear()
        self.total = 0
