"""The window's λ sweep: runs waiting their turn, started one after another as each one ends.

The queue only orders runs; each is an ordinary run started through the controller (so it is a run
folder like any other), and nothing here touches the engine. A failed run or an engine that stopped
ends the sweep: the same settings would most likely fail again.
"""

from __future__ import annotations

from engine.config import RunConfig


class SweepQueue:
    def __init__(self) -> None:
        self.pending: list[tuple[str, RunConfig]] = []  # (run name, config), in order
        self.total = 0

    @property
    def active(self) -> bool:
        """A sweep is under way (its last run may be training, with nothing left waiting)."""
        return self.total > 0

    def start(self, runs: list[tuple[str, RunConfig]]) -> None:
        self.pending, self.total = list(runs), len(runs)

    def next(self) -> tuple[int, str, RunConfig]:
        """(1-based index, name, config) of the next run, taken off the queue."""
        name, config = self.pending.pop(0)
        return self.total - len(self.pending), name, config

    def drop_waiting(self) -> bool:
        """Forget the runs not yet started; True if there were any."""
        had = bool(self.pending)
        self.pending.clear()
        return had

    def end(self) -> None:
        self.pending.clear()
        self.total = 0
