"""Launch to the first attacked gallery, from a cold start of a fresh interpreter.

Each repetition starts ``python -c`` that imports the window (no torch in that process), opens it as
``robustness-lab`` does on a first launch (the engine process starts in the background and attacks the
shipped model), and prints the seconds from its own start (``time.monotonic`` at its first line) to
the moment the gallery holds the attacked digits. The parent also times the whole child from Popen,
so interpreter start-up is counted too. Under Xvfb:

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb python bench/launch_time.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 5.0

CHILD = """
import time
t0 = time.monotonic()
import sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings, QTimer
from gui.app import create_application, create_main_window
app = create_application([])
window = create_main_window(QSettings({ini!r}, QSettings.Format.IniFormat), runs_root={runs!r})
window.show()
def poll():
    if window.gallery.batch is not None:
        print(f"GALLERY {{time.monotonic() - t0:.3f}} torch={{'torch' in sys.modules}}", flush=True)
        window.close()
        app.quit()
    else:
        QTimer.singleShot(20, poll)
poll()
QTimer.singleShot(60_000, app.quit)
app.exec()
"""


def launch_once(workdir: Path) -> tuple[float, float]:
    """(seconds inside the child to the gallery, seconds from Popen to the gallery line)."""
    script = CHILD.format(root=str(ROOT), ini=str(workdir / "first.ini"), runs=str(workdir / "runs"))
    (workdir / "first.ini").unlink(missing_ok=True)  # a first launch every time
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=workdir)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("GALLERY"):
            outside = time.monotonic() - start
            inside = float(line.split()[1])
            if "torch=True" in line:
                raise SystemExit("the window's process imported torch")
            proc.wait(30)
            return inside, outside
    proc.wait(30)
    raise SystemExit(f"no gallery (exit code {proc.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM', '(default)')}")
    with tempfile.TemporaryDirectory() as tmp:
        results = [launch_once(Path(tmp)) for _ in range(args.repeats)]
    for k, (inside, outside) in enumerate(results, 1):
        print(
            f"launch {k}: first attacked gallery {outside:.2f} s after the process was started ({inside:.2f} s "
            "after its first line)"
        )
    outs = [o for _, o in results]
    median = statistics.median(outs)
    print(
        f"median {median:.2f} s, spread {min(outs):.2f}–{max(outs):.2f} s over {len(outs)} launches; "
        f"target ≤ {TARGET_S:g} s: {'met' if max(outs) <= TARGET_S else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
