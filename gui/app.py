"""Create the application, show the main window, run the event loop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ORGANIZATION = "Robustness Lab"
APPLICATION = "Robustness Lab"
STYLE_SHEET = Path(__file__).resolve().parent.parent / "resources" / "style.qss"


def configure_torch_threads() -> None:
    """Leave one core to the GUI thread so the window stays responsive while training."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))


def load_style_sheet() -> str:
    try:
        return STYLE_SHEET.read_text(encoding="utf-8")
    except OSError:
        return ""


def create_application(argv: list[str] | None = None):
    """The QApplication (reused if one exists), named so that QSettings find their place."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv) if argv is not None else sys.argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setStyle("Fusion")
    app.setStyleSheet(load_style_sheet())
    return app


def run_app(argv: list[str] | None = None) -> int:
    configure_torch_threads()
    app = create_application(argv)
    from gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    return int(app.exec())
