"""How late does a 10 ms timer on the GUI thread fire while the real window trains?

Measures the lateness of a 10 ms ``QTimer`` first with the window idle (the reference, same process,
same machine), then while the MainWindow drives a training run on the built-in digits. Prints p50 and
p99 of both and their ratio. Target: p99 below 50 ms while training.

    QT_QPA_PLATFORM=offscreen python bench/gui_latency.py [--seconds 5] [--model seed-cnn]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

INTERVAL_MS = 10


@dataclass(frozen=True)
class LatencyReport:
    idle_p50_ms: float
    idle_p99_ms: float
    train_p50_ms: float
    train_p99_ms: float
    train_samples: int
    steps_trained: int

    @property
    def p99_ratio(self) -> float:
        return self.train_p99_ms / max(self.idle_p99_ms, 1e-3)

    def lines(self) -> list[str]:
        return [
            f"idle     : p50 {self.idle_p50_ms:6.2f} ms   p99 {self.idle_p99_ms:6.2f} ms   (lateness of a 10 ms timer)",
            f"training : p50 {self.train_p50_ms:6.2f} ms   p99 {self.train_p99_ms:6.2f} ms   "
            f"({self.train_samples} ticks, {self.steps_trained} training steps)",
            f"ratio training/idle p99: {self.p99_ratio:.1f}x   target p99 < 50 ms: "
            f"{'met' if self.train_p99_ms < 50 else 'NOT met'}",
        ]


def run_event_loop_for(app, seconds: float) -> None:
    """A local event loop (QApplication.quit would close the window too)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def measure(seconds: float = 5.0, model: str = "seed-cnn", workdir: Path | None = None) -> LatencyReport:
    """Idle reference first, then the same timer while the real MainWindow trains; the window is closed after."""
    from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer

    from engine.config import RunConfig
    from engine.messages import StepMetrics
    from gui.app import configure_torch_threads, create_application
    from gui.main_window import MainWindow

    configure_torch_threads()
    app = create_application([])
    tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="gui-latency-"))
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    config = RunConfig().with_changes(
        {
            "model.name": model,
            "train.epochs": 10_000,
            "train.gallery_every": 10,
            "data.limit_holdout": 200,
            "train.eval_steps": 5,
        }
    )
    window = MainWindow(settings=settings, runs_root=tmp / "runs", base_config=config)
    window.show()

    def sample(duration: float) -> np.ndarray:
        clock, late, last = QElapsedTimer(), [], [0.0]
        timer = QTimer(interval=INTERVAL_MS, timerType=Qt.TimerType.PreciseTimer)

        def tick() -> None:
            now = clock.nsecsElapsed() / 1e6
            late.append(max(0.0, now - last[0] - INTERVAL_MS))
            last[0] = now

        timer.timeout.connect(tick)
        clock.start()
        timer.start()
        run_event_loop_for(app, duration)
        timer.stop()
        return np.asarray(late[1:], dtype=float)

    run_event_loop_for(app, 0.3)  # first layout and paint are not part of the idle reference
    idle = sample(min(2.0, seconds))
    steps = [0]
    window.controller.message.connect(lambda m: isinstance(m, StepMetrics) and steps.__setitem__(0, m.step))
    window.train()
    while steps[0] == 0 and window.controller.running:  # wait for the data to load and training to begin
        run_event_loop_for(app, 0.1)
    busy = sample(seconds)
    trained = steps[0]
    window.close()
    return LatencyReport(
        float(np.percentile(idle, 50)),
        float(np.percentile(idle, 99)),
        float(np.percentile(busy, 50)),
        float(np.percentile(busy, 99)),
        len(busy),
        trained,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to measure while training")
    parser.add_argument("--model", default="seed-cnn", help="model to train (seed-cnn, mlp, small-cnn, resnet)")
    args = parser.parse_args(argv)
    report = measure(args.seconds, args.model)
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
