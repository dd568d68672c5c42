"""Soak test: the real window sweeps λ, measures robustness and re-makes its gallery for five minutes.

No crash, no error dialog, one engine process throughout, and the resident memory of both processes
grows by less than 10 % after the first minute (the figures are printed)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.gui.conftest import small_config

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("ROBUSTNESS_LAB_SOAK_SECONDS", 300))
TIMEOUT = 120_000


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_five_minutes_of_sweeps_curves_and_galleries(qtbot, make_window, capsys) -> None:
    if not Path("/proc/self/status").is_file():
        pytest.skip("resident memory is read from /proc (Linux)")
    config = small_config(**{"train.epochs": 2, "data.limit_train": 400, "train.gallery_every": 5})
    window = make_window(config)
    c = window.controller
    qtbot.waitUntil(lambda: c.engine.info is not None, timeout=TIMEOUT)
    engine_pid, gui_pid = c.engine.pid, os.getpid()
    galleries, curves, sweeps = [0], [0], [0]
    c.galleryReady.connect(lambda _b: galleries.__setitem__(0, galleries[0] + 1))
    c.sanityReady.connect(lambda _s: curves.__setitem__(0, curves[0] + 1))
    start = time.monotonic()
    first_minute: tuple[int, int] | None = None

    def no_trouble() -> None:
        assert window.error_box is None or not window.error_box.isVisible(), window.error_box.text()
        assert c.engine.pid == engine_pid and c.engine.alive(), "the engine was restarted"

    while time.monotonic() - start < SOAK_SECONDS:
        window.start_sweep("0, 0.5, 1")
        qtbot.waitUntil(lambda: not window.sweep.pending and c.state == "idle", timeout=TIMEOUT * 3)
        sweeps[0] += 1
        no_trouble()
        done = curves[0]
        assert c.run_robustness(("pgd", "fgsm"), (0.0, 0.05, 0.1, 0.2), steps=5, limit=120, sanity_eps=0.1)
        qtbot.waitUntil(lambda d=done: curves[0] > d, timeout=TIMEOUT)
        for k in range(10):
            made = galleries[0]
            assert c.recompute_gallery(0.02 * (k + 1))
            qtbot.waitUntil(lambda m=made: galleries[0] > m, timeout=TIMEOUT)
        no_trouble()
        if first_minute is None and time.monotonic() - start >= 60:
            first_minute = (rss_kb(gui_pid), rss_kb(engine_pid))
    assert first_minute is not None, "the soak ended before its first minute"
    end = (rss_kb(gui_pid), rss_kb(engine_pid))
    growth = [(b - a) / a for a, b in zip(first_minute, end, strict=True)]
    with capsys.disabled():
        print(
            f"\nsoak {time.monotonic() - start:.0f} s: {sweeps[0]} λ sweeps of 3 runs, {curves[0]} robustness curves "
            f"with sanity checks, {galleries[0]} gallery re-makes; resident memory after the first minute → end: "
            f"window {first_minute[0] / 1024:.0f} → {end[0] / 1024:.0f} MB ({growth[0]:+.1%}), "
            f"engine {first_minute[1] / 1024:.0f} → {end[1] / 1024:.0f} MB ({growth[1]:+.1%})"
        )
    assert max(growth) < 0.10, growth
