"""What a person sees in the window: is any text cut off, is the window off screen, is any text English in
Chinese? Used by tests/gui/test_window_fits.py, which runs this module in a fresh interpreter per screen
size (the offscreen screen's size is fixed when the QApplication starts):

    python -m tests.gui.window_audit 1024 768      # prints one JSON line of problems per language and view
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

# Proper names and symbols that stay as they are in Chinese (papers, libraries and files use them too).
ALLOWED_LATIN = {
    "FGSM", "PGD", "APGD", "AutoAttack", "CW", "DeepFool", "MNIST", "Fashion", "CIFAR", "CNN", "MLP", "ResNet",
    "PyTorch", "CPU", "GPU", "CUDA", "CSV", "PNG", "HTML", "JSON", "Adam", "SGD", "L1", "L2", "L_clean", "L_adv",
    "TRADES", "MART", "IBP", "SmoothGrad",
    "L_total", "Robustness", "Lab", "Ctrl", "Esc", "Space", "F1", "F11", "pt2", "pt", "TorchScript", "ms", "px",
    "Shift", "Alt", "Del", "Tab", "F5",
    "English",  # the language menu names each language in its own words
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
TAG = re.compile(r"<[^>]+>")


# What a person types or sees on disk stays as it is in any language: quoted names, options, file names,
# code identifiers (config.json, --epochs, 'small-cnn', torch.export.save, state_dict), {placeholders}.
CODE = re.compile(r"'[^']*'|\"[^\"]*\"|--?[A-Za-z][\w-]*|\b[\w-]+(?:\.[\w-]+)+\b|\b\w*_\w*\b|\{[^}]*\}")


def without_code(text: str) -> str:
    """``text`` with the names and identifiers of ``CODE`` taken out."""
    return CODE.sub(" ", text)


def latin_words(text: str) -> list[str]:
    """Latin words of two or more letters in ``text`` (HTML tags and entities removed) not on the allow-list."""
    plain = TAG.sub(" ", text).replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return [w for w in LATIN_WORD.findall(plain) if w not in ALLOWED_LATIN and not w.isdigit()]


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) of every text a person can see now: widgets, tab titles, menus, plot titles, axis
    labels, legends, the status bar message and tool tips of visible widgets."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QTabBar,
        QWidget,
    )

    out: list[tuple[str, str]] = [("status bar", window.statusBar().currentMessage())]
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        name = type(w).__name__
        if w.toolTip():
            out.append((f"{name} tool tip", w.toolTip()))
        if isinstance(w, QLabel) and w.pixmap().isNull():
            out.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QTabBar):
            out += [(f"tab of {type(w.parent()).__name__}", w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            out += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QLineEdit):
            out.append((f"{name} placeholder", w.placeholderText()))
        elif isinstance(w, QAbstractSpinBox) and hasattr(w, "prefix"):
            out.append((name, f"{w.prefix()} {w.suffix()}"))
            out.append((name, w.specialValueText()))
        if isinstance(w, pg.PlotWidget):
            item = w.getPlotItem()
            out.append(("plot title", item.titleLabel.text))
            for axis in ("left", "bottom"):
                if item.getAxis(axis).isVisible():
                    out.append(("plot axis", item.getAxis(axis).labelText))
        if isinstance(w, pg.GraphicsView) and w.scene() is not None:
            for graphics in w.scene().items():  # legends inside the plot or beside it (gui/curves.py)
                if isinstance(graphics, pg.LegendItem) and graphics.isVisible():
                    out += [("plot legend", label.text) for _sample, label in graphics.items]
    for menu_action in window.menuBar().actions():
        out.append(("menu", menu_action.text()))
        if menu_action.menu() is not None:
            out += [("menu item", a.text()) for a in menu_action.menu().actions() if not a.isSeparator()]
    return [(where, text) for where, text in out if text and text.strip()]


def clipped_texts(window) -> list[str]:
    """Visible buttons, labels, group boxes and tabs whose text needs more room than they have."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QCheckBox,
        QGroupBox,
        QLabel,
        QRadioButton,
        QScrollArea,
        QTabBar,
        QWidget,
    )

    problems = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.width() <= 1:
            continue
        if type(w).__name__ == "QElidingLabel":  # elides by design, shows the whole text as a tool tip
            continue
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            if w.wordWrap():
                if w.heightForWidth(w.width()) > w.height() + 1:
                    problems.append(f"label cut at the bottom ({w.width()}×{w.height()}): {w.text()[:80]!r}")
            elif w.sizeHint().width() > w.width() + 1:
                problems.append(f"label cut ({w.sizeHint().width()} > {w.width()} px): {w.text()[:80]!r}")
        elif isinstance(w, (QCheckBox, QRadioButton)) and w.text():
            if w.sizeHint().width() > w.width() + 1:
                problems.append(f"button cut ({w.sizeHint().width()} > {w.width()} px): {w.text()!r}")
        elif isinstance(w, QAbstractButton) and w.text():
            # the text itself against the button's inside (a push button's size hint adds a minimum width)
            need = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().replace("&", "").split("\n"))
            if need + 6 > w.width():
                problems.append(f"button cut ({need + 6} > {w.width()} px): {w.text()!r}")
        elif isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title()) + 16
            if need > w.width():
                problems.append(f"group title cut ({need} > {w.width()} px): {w.title()!r}")
        elif isinstance(w, QScrollArea) and w.widget() is not None and w.widget().isVisible():
            # A panel that scrolls only up and down cuts off whatever is wider than its viewport.
            if w.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
                if w.widget().width() > w.viewport().width() + 1:
                    problems.append(
                        f"{type(w.widget()).__name__} cut at the right ({w.widget().width()} > "
                        f"{w.viewport().width()} px)"
                    )
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.tabSizeHint(i).width() > w.tabRect(i).width() + 1:
                    problems.append(f"tab cut: {w.tabText(i)!r}")
    return problems


def off_screen(window) -> str | None:
    """Why the window is not wholly on its screen's available area, or None."""
    avail = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if avail.contains(frame):
        return None
    return f"window {frame.getRect()} is not inside the screen's available area {avail.getRect()}"


def _settle(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def audit(language: str, workdir: Path) -> dict[str, list[str]]:
    """Open the real window (Start panel open) in ``language``; problems seen on each tab, each runs view
    and in presentation mode."""
    from PySide6.QtCore import QSettings

    from gui import i18n
    from gui.app import create_main_window, load_style_sheet

    settings = QSettings(str(workdir / f"{language}.ini"), QSettings.Format.IniFormat)
    settings.clear()
    i18n.set_language(settings, language)
    window = create_main_window(settings, runs_root=workdir / "runs")
    window.setStyleSheet(load_style_sheet())
    window.show()
    problems: dict[str, list[str]] = {}
    try:
        end = 60.0
        while window.gallery.batch is None and end > 0:  # the engine starts and shows the attacked digits
            _settle(0.2)
            end -= 0.2

        def look(view: str) -> None:
            _settle(0.3)
            found = [] if (why := off_screen(window)) is None else [why]
            found += clipped_texts(window)
            if language != "en":
                found += [
                    f"{where}: {text[:90]!r} has {words}"
                    for where, text in visible_texts(window)
                    if (words := latin_words(text))
                ]
            problems[view] = found

        assert window.demo.dock.isVisible(), "the Start panel should be open"
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            if window.tabs.currentWidget() is window.runs_browser:
                for sub in range(window.runs_browser.views.count()):
                    window.runs_browser.views.setCurrentIndex(sub)
                    look(f"tab {index} / {window.runs_browser.views.tabText(sub)}")
            else:
                look(f"tab {index}")
        # The Robustness tab after a measurement: the curve, the sanity checks' verdicts and the histogram
        # with its example digits all shown at once (the tallest it gets).
        view = window.robustness
        window.tabs.setCurrentWidget(view)
        view.sanity_check.setChecked(True)
        view.points.setValue(5)
        view.images.setValue(100)
        view.request_run()
        end = 120.0
        while (view.critical_view.critical is None or not view.sanity_rows) and end > 0:
            _settle(0.2)
            end -= 0.2
        assert view.critical_view.critical is not None and view.sanity_rows, "the measurement did not finish"
        for sub in range(view.plots.count()):
            view.plots.setCurrentIndex(sub)
            look(f"tab 1 measured / {view.plots.tabText(sub)}")
        window.tabs.setCurrentIndex(0)
        for method in ("trades", "mart", "ibp", "at"):  # each method's sentence and weight knob, chosen as shown
            window.knobs.method.setCurrentIndex(window.knobs.method.findData(method))
            look(f"method {method}")
        window.train()  # the texts of a run: status bar, curves, the gallery's step header
        end = 60.0
        while window.curves.epochs.size < 1 and end > 0:
            _settle(0.2)
            end -= 0.2
        look("training")
        window.demo.set_presentation(True)
        look("presentation mode, training")
        window.demo.set_presentation(False)
        window.stop()
        end = 30.0
        while window.controller.state != "idle" and end > 0:
            _settle(0.2)
            end -= 0.2
    finally:
        window.close()
        i18n.install_translator("en")
    return problems


def main(argv: list[str]) -> int:
    width, height = int(argv[0]), int(argv[1])
    languages = argv[2:] or ["en", "zh_CN"]
    workdir = Path(tempfile.mkdtemp(prefix="window-audit-"))
    screen = workdir / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": False,
                "windowFrameMargins": False,
                "screens": [
                    {
                        "name": "audit",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ],
            }  # fmt: skip
        )
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    os.environ.setdefault("ROBUSTNESS_LAB_RUNS", str(workdir / "runs"))
    from gui.app import create_application

    create_application([])
    for language in languages:
        print("AUDIT " + json.dumps({"language": language, "screen": [width, height],
                                     "problems": audit(language, workdir)}), flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
