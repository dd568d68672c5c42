"""Languages: Qt's translation system, English built in, Simplified Chinese shipped as a compiled .qm.

New modules mark their texts with ``self.tr()`` / ``QCoreApplication.translate()``. The panels written
before translation existed are translated after they are built: ``translate_widget_tree`` looks up each
static text (labels, titles, buttons, menu items, tool tips, combo entries, tabs) in the context "ui",
whose source strings are listed below with ``QT_TRANSLATE_NOOP`` so that ``pyside6-lupdate`` finds them.
Texts made while the program runs are translated where they are made (placeholders %1, %2 or {name},
filled after the lookup). Sentences that come from the engine process in English (dataset notes, sanity
verdicts) are matched against their templates and re-made in the active language by
``translate_sentences``; one that matches no template is shown as it came.

Update and compile the catalogue (from the repository root):

    pyside6-lupdate gui/*.py -ts resources/i18n/robustness_lab_zh_CN.ts
    pyside6-lrelease resources/i18n/robustness_lab_zh_CN.ts -qm resources/i18n/robustness_lab_zh_CN.qm

The chosen language is kept in QSettings ("language") and applies when the window is next opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QSettings, QTranslator
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QMenu, QTabWidget, QWidget

from engine import catalogue as engine_catalogue
from resources import resource_path

I18N_DIR = resource_path("i18n")
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
SETTINGS_KEY = "language"

_installed: list[QTranslator] = []

# Texts of the panels built before translation existed (context "ui").
UI_STRINGS = (
    QT_TRANSLATE_NOOP("ui", "Experiment"),
    QT_TRANSLATE_NOOP("ui", "Dataset"),
    QT_TRANSLATE_NOOP("ui", "Data folder"),
    QT_TRANSLATE_NOOP("ui", "Model"),
    QT_TRANSLATE_NOOP("ui", "Device"),
    QT_TRANSLATE_NOOP("ui", "Epochs"),
    QT_TRANSLATE_NOOP("ui", "Batch size"),
    QT_TRANSLATE_NOOP("ui", "Learning rate"),
    QT_TRANSLATE_NOOP("ui", "Optimizer"),
    QT_TRANSLATE_NOOP("ui", "Seed"),
    QT_TRANSLATE_NOOP("ui", "Digits 8×8 (built in)"),
    QT_TRANSLATE_NOOP("ui", "MNIST handwritten digits"),
    QT_TRANSLATE_NOOP("ui", "Fashion-MNIST clothes"),
    QT_TRANSLATE_NOOP("ui", "CIFAR-10 photos"),
    QT_TRANSLATE_NOOP("ui", "My image folder…"),
    QT_TRANSLATE_NOOP("ui", "Seed CNN (tiny, fast)"),
    QT_TRANSLATE_NOOP("ui", "MLP (fully connected)"),
    QT_TRANSLATE_NOOP("ui", "Small CNN"),
    QT_TRANSLATE_NOOP("ui", "Small ResNet"),
    QT_TRANSLATE_NOOP("ui", "Automatic"),
    QT_TRANSLATE_NOOP("ui", "Adversary and balance (live)"),
    QT_TRANSLATE_NOOP("ui", "Attack"),
    QT_TRANSLATE_NOOP("ui", "ε (strength)"),
    QT_TRANSLATE_NOOP("ui", "PGD steps"),
    QT_TRANSLATE_NOOP("ui", "λ (weight)"),
    QT_TRANSLATE_NOOP("ui", "None (standard training)"),
    QT_TRANSLATE_NOOP("ui", "FGSM (one step)"),
    QT_TRANSLATE_NOOP("ui", "FGSM + random start"),
    QT_TRANSLATE_NOOP("ui", "PGD (several steps)"),
    QT_TRANSLATE_NOOP("ui", "Augmentation (live)"),
    QT_TRANSLATE_NOOP("ui", "Regularization (live)"),
    QT_TRANSLATE_NOOP("ui", "Rotation"),
    QT_TRANSLATE_NOOP("ui", "Shift"),
    QT_TRANSLATE_NOOP("ui", "Mirror"),
    QT_TRANSLATE_NOOP("ui", "Crop"),
    QT_TRANSLATE_NOOP("ui", "Noise"),
    QT_TRANSLATE_NOOP("ui", "Dropout"),
    QT_TRANSLATE_NOOP("ui", "Changes act on the next training step."),
    QT_TRANSLATE_NOOP("ui", "Training"),
    QT_TRANSLATE_NOOP("ui", "Robustness"),
    QT_TRANSLATE_NOOP("ui", "Runs"),
    QT_TRANSLATE_NOOP("ui", "▶  Train"),
    QT_TRANSLATE_NOOP("ui", "❚❚  Pause"),
    QT_TRANSLATE_NOOP("ui", "■  Stop"),
    QT_TRANSLATE_NOOP("ui", "✓  Evaluate"),
    QT_TRANSLATE_NOOP("ui", "Open run…"),
    QT_TRANSLATE_NOOP("ui", "Ready"),
    QT_TRANSLATE_NOOP("ui", "Attacks:"),
    QT_TRANSLATE_NOOP("ui", "random noise"),
    QT_TRANSLATE_NOOP("ui", "The gallery shows attacked examples once training starts."),
    QT_TRANSLATE_NOOP("ui", "Click to enlarge and see all class probabilities"),
)


# Texts that are translated where they are made but that pyside6-lupdate cannot find there (inside an
# f-string, or through a helper such as gallery.py's ``_tr``): listed here so that the catalogue keeps them.
def current_language(settings: QSettings | None = None) -> str:
    settings = settings if settings is not None else QSettings()
    value = str(settings.value(SETTINGS_KEY, "en") or "en")
    return value if value in LANGUAGES else "en"


def set_language(settings: QSettings, language: str) -> None:
    settings.setValue(SETTINGS_KEY, language if language in LANGUAGES else "en")
    settings.sync()


def qm_path(language: str) -> Path:
    return I18N_DIR / f"robustness_lab_{language}.qm"


def install_translator(language: str) -> bool:
    """Make ``language`` the one tr() answers in (removing an earlier one); True if a catalogue was loaded.

    The engine's message catalogue (engine.catalogue) follows, for the engine errors this process shows;
    the engine process is started in ``active_language()``. Qt's own catalogue for the language
    (qtbase: standard buttons, "What's This?", the text fields' context menus, file dialogs) is
    installed with it when the Qt installation has one."""
    app = QCoreApplication.instance()
    while _installed:
        app.removeTranslator(_installed.pop())
    engine_catalogue.set_language("en")
    if language == "en" or language not in LANGUAGES:
        return False
    translator = QTranslator(app)
    if not translator.load(str(qm_path(language))):
        return False
    engine_catalogue.set_language(language)  # the engine's errors raised in this process (settings checks)
    app.installTranslator(translator)
    _installed.append(translator)  # first: active_language() reads it
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return True


def active_language() -> str:
    return _installed[0].language().replace("-", "_") if _installed else "en"


def _ui(text: str) -> str:
    return QCoreApplication.translate("ui", text) if text else text


def translate_widget_tree(root: QWidget) -> None:
    """Translate the static texts of ``root`` and its children that the "ui" catalogue knows."""
    if not _installed:
        return
    for w in [root, *root.findChildren(QWidget)]:
        if w.toolTip():
            w.setToolTip(_ui(w.toolTip()))
        if isinstance(w, QLabel) and not w.text().startswith("<"):
            w.setText(_ui(w.text()))
        elif isinstance(w, QAbstractButton):
            w.setText(_ui(w.text()))
        elif isinstance(w, QGroupBox):
            w.setTitle(_ui(w.title()))
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                w.setItemText(i, _ui(w.itemText(i)))
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                w.setTabText(i, _ui(w.tabText(i)))
        elif isinstance(w, QMenu):
            w.setTitle(_ui(w.title()))
        for action in w.actions():
            action.setText(_ui(action.text()))


_PLACEHOLDER = re.compile(r"%(\d)")


@lru_cache(maxsize=256)
def _template_regex(template: str) -> re.Pattern[str]:
    """``"At ε = %1 PGD …"`` -> a regex with one lazy group per placeholder, ending at a space or the end."""
    pieces = _PLACEHOLDER.split(template)  # literal, digit, literal, digit, …
    regex = "".join(f"(?P<p{piece}>.+?)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
    return re.compile(regex + r"(?=\s|\Z)", re.DOTALL)


def translate_sentences(context: str, text: str, templates: Iterable[str]) -> str:
    """Re-make English sentences built from ``templates`` (source strings with %1, %2 … marked with
    QT_TRANSLATE_NOOP in ``context``) in the active language; the filled-in values are translated the
    same way (a template may be a part of another's sentence). Sentences that match no template, and
    everything in English mode, stay as they are."""
    if not _installed or not text:
        return text
    templates = tuple(templates)
    out: list[str] = []
    pos = 0
    while pos < len(text):
        for template in templates:
            match = _template_regex(template).match(text, pos)
            if match is not None:
                values = {k[1:]: translate_sentences(context, v, templates) for k, v in match.groupdict().items()}
                translated = QCoreApplication.translate(context, template)
                out.append(_PLACEHOLDER.sub(lambda m, values=values: values.get(m[1], m[0]), translated))
                pos = match.end()
                break
        else:  # an unknown sentence: keep it up to its end
            end = text.find(". ", pos)
            end = len(text) if end < 0 else end + 1
            out.append(text[pos:end])
            pos = end
        gap = pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not out[-1].endswith(("。", "！", "？")):  # no space after a full-width full stop
            out.append(text[gap:pos])
    return "".join(out)
