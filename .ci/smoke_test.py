"""Smoke test of an installed Robustness Lab, run from outside the checkout by .ci/run.

It must use the installed package, not the source tree: the first-minute window (offscreen) opens with
the shipped models, the translation and the style sheet, and attacks the digits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main() -> int:
    import engine
    import gui
    import resources

    checkout = Path(__file__).resolve().parents[1]
    for module in (engine, gui, resources):
        where = Path(module.__file__).resolve()
        if checkout in where.parents:
            print(f"smoke test: {module.__name__} was imported from the checkout ({where}), not the install")
            return 1
    from PySide6.QtCore import QSettings

    from gui import i18n
    from gui.app import create_application, create_main_window, load_style_sheet

    app = create_application([])
    settings = QSettings(str(Path.cwd() / "smoke-settings.ini"), QSettings.Format.IniFormat)
    assert load_style_sheet().strip(), "no style sheet"
    assert (i18n.I18N_DIR / "robustness_lab_zh_CN.qm").is_file(), "no translation"
    window = create_main_window(settings, runs_root=Path.cwd() / "runs")
    window.show()
    deadline = time.monotonic() + 120
    while window.gallery.batch is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    batch = window.gallery.batch
    if batch is None:
        print("smoke test: the first-minute gallery never appeared")
        return 1
    print(
        f"smoke test: first-minute gallery with {len(batch.labels)} attacked digits, "
        f"{int(batch.fooled.sum())} fooled; installed at {Path(engine.__file__).parent.parent}"
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
