"""Short runs of bench/gui_latency.py and bench/launch_time.py: the window stays responsive while it works."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gui_latency.py"


def test_timer_latency_while_the_window_works(tmp_path, capsys) -> None:
    """Each phase of the benchmark, 5 s each, in a fresh interpreter, as the app runs: the test process holds
    torch and whatever earlier tests left (in one CI run the timer stalled 660 ms there once, which the app's
    own process never showed here). The window's thread only draws, so a 10 ms timer keeps its frame (the
    benchmark's target: p99 ≤ 16 ms, max ≤ 50 ms)."""
    import json
    import os
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "5", "--json"],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if not line.startswith("JSON ")]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert done.returncode == 0, done.stderr[-2000:]
    phases = {p["name"]: p for p in json.loads(done.stdout.split("JSON ", 1)[1])}
    assert list(phases) == ["idle", "training", "ε curve", "λ sweep"]
    target_p99, target_max = 16.0, 50.0  # bench/gui_latency.py TARGET_P99_MS, TARGET_MAX_MS
    for name in ("training", "ε curve", "λ sweep"):
        assert phases[name]["ticks"] > 200, phases[name]
    for name in ("training", "ε curve", "λ sweep"):
        assert phases[name]["p99_ms"] <= target_p99 and phases[name]["max_ms"] <= target_max, phases[name]
    assert not phases["training"]["work"].startswith("0 training steps")
    assert "0 new runs" not in phases["λ sweep"]["work"]


def test_cold_launch_to_the_first_attacked_gallery(tmp_path, capsys) -> None:
    """bench/launch_time.py once: a fresh interpreter opens the window, starts the engine process and shows
    the shipped model's attacked digits within the 5 s target (the window's process imports no torch)."""
    spec = importlib.util.spec_from_file_location("launch_time", BENCH.with_name("launch_time.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    inside, outside = bench.launch_once(tmp_path)
    with capsys.disabled():
        print(f"\ncold launch to the first attacked gallery: {outside:.2f} s")
    assert outside <= bench.TARGET_S
