"""A short run of bench/gui_latency.py: the GUI thread stays responsive while the real window trains."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gui_latency.py"


def test_timer_latency_while_training(qapp, tmp_path, capsys) -> None:
    spec = importlib.util.spec_from_file_location("gui_latency", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up while the class is made
    spec.loader.exec_module(bench)
    report = bench.measure(seconds=1.5, workdir=tmp_path)
    with capsys.disabled():
        print("\n" + "\n".join(report.lines()))
    assert report.steps_trained > 0 and report.train_samples > 20
    # The target is p99 < 50 ms (see the benchmark); this short run on a shared CI machine only
    # guards against the GUI thread being blocked outright (e.g. by drawing every message).
    assert report.train_p99_ms < 250
