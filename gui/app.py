"""Create the application, show the main window, run the event loop."""

from __future__ import annotations

import sys
from pathlib import Path

from resources import resource_path

ORGANIZATION = "Robustness Lab"
APPLICATION = "Robustness Lab"
STYLE_SHEET = resource_path("style.qss")


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


def window_options(argv: list[str]) -> tuple[str | None, list[str]]:
    """``--lang CODE`` (or ``--lang=CODE``) out of the window's command line: the language for this start
    only (the saved choice is left alone), and the rest for Qt. ValueError names the languages known."""
    from gui.i18n import LANGUAGES

    language, rest, args = None, [], list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--lang" or arg.startswith("--lang="):
            value = arg.partition("=")[2] if "=" in arg else (args.pop(0) if args else "")
            if value not in LANGUAGES:
                raise ValueError(f"Unknown language '{value}'. Choose one of: {', '.join(LANGUAGES)}.")
            language = value
        else:
            rest.append(arg)
    return language, rest


def run_app(argv: list[str] | None = None) -> int:
    from engine.logs import setup_logging

    setup_logging()
    try:
        language, qt_args = window_options(list(sys.argv[1:] if argv is None else argv))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = create_application([sys.argv[0], *qt_args])
    from gui.qt_check import binding_problem

    problem = binding_problem()
    if problem is not None:  # the window would die minutes from now: say why and what to install
        print(problem, file=sys.stderr)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, APPLICATION, problem)
        return 2
    window = create_main_window(language=language)
    install_excepthook(window)
    window.show()
    return int(app.exec())


def install_excepthook(window) -> None:
    """An exception that escapes a slot is logged with its traceback and shown in one plain sentence
    (engine.errors), instead of a traceback on the terminal and a window in an unknown state."""
    import sys

    from PySide6.QtCore import QCoreApplication

    from engine.errors import user_message

    def hook(kind, exc, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        window.show_error(
            QCoreApplication.translate("App", "Something went wrong"), user_message(exc.with_traceback(tb))
        )

    sys.excepthook = hook


def create_main_window(settings=None, runs_root: str | Path | None = None, language: str | None = None):
    """The main window with the first-minute features (gui.demo), in the language chosen in the settings.

    On first launch (settings that never held a config) it opens the shipped standard model and shows
    its attacked digits straight away: no training needed for the first look. Later launches reopen the
    last run (its curves and gallery), or show that first-launch view when there is none. ``language``
    overrides the saved one for this window only (``python main.py --lang zh_CN``).
    """
    from PySide6.QtCore import QSettings

    from gui import demo, i18n
    from gui.main_window import MainWindow

    settings = settings if settings is not None else QSettings()
    i18n.install_translator(language or i18n.current_language(settings))  # --lang: this start only
    first = not settings.contains("config")
    window = MainWindow(settings=settings, runs_root=runs_root)
    window.demo = demo.install(window)
    if first:
        window.demo.attack(show_settings=True)
    elif not window.reopen_last_run():
        window.demo.attack()
    return window
