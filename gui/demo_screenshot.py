"""Screenshots of the first minute, from the real window: first launch and presentation mode.

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb python -m gui.demo_screenshot resources/screenshots

Settings go to a temporary directory (so this is a first launch, and the user's own are untouched).
``--language zh_CN`` takes the pictures in Simplified Chinese (file names get a ``-zh_CN`` suffix).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

_PROCESS_START = time.perf_counter()  # before Qt and torch are imported
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="where to write first-launch.png and presentation.png")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--language", default="en", help="en or zh_CN")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from gui import i18n
    from gui.app import create_application, create_main_window

    app = create_application([sys.argv[0]])
    tmp = Path(tempfile.mkdtemp(prefix="robustness-lab-demo-shot-"))
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    i18n.set_language(settings, args.language)
    t0 = time.perf_counter()
    window = create_main_window(settings, runs_root=tmp / "runs")
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()

    def spin(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    deadline = time.monotonic() + args.timeout
    while window.gallery.batch is None:
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the first gallery")
        spin(0.05)
    now = time.perf_counter()
    print(
        f"first gallery {now - t0:.2f} s after the window was created, "
        f"{now - _PROCESS_START:.2f} s after the program started (imports included)"
    )
    spin(0.8)
    suffix = "" if args.language == "en" else f"-{args.language}"
    args.folder.mkdir(parents=True, exist_ok=True)
    first = args.folder / f"first-launch{suffix}.png"
    window.grab().save(str(first))
    print(f"saved {first}")

    preset = next(p for p in window.demo.panel.presets if p.id == "fool-standard")
    window.demo.apply_preset(preset)
    window.demo.set_presentation(True)
    spin(1.5)
    shot = args.folder / f"presentation{suffix}.png"
    window.grab().save(str(shot))
    print(f"saved {shot}")
    window.demo.set_presentation(False)
    window.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
