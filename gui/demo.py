"""The first minute: a "Start here" panel beside the window, guided presets, menus, presentation mode.

On first launch the window opens the shipped standard model (resources/models/digits-standard) and
shows its attacked digits at once; "Attack!" repeats it on the model chosen (standard or robust).
Everything here drives the existing panels and the controller; the work itself stays in the engine.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDockWidget,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWhatsThis,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.demo import DEMO_MODELS, demo_model_dir
from engine.gallery_images import eps_text
from gui import i18n
from gui.plot_text import set_plot_text_size
from gui.presets import Preset, load_presets

PRESENTATION_QSS = """
QWidget { font-size: 14pt; }
QToolBar#controls QToolButton { padding: 8px 20px; }
QPushButton { padding: 6px 12px; }
QLabel#demoTitle { font-size: 22pt; }
QPushButton#attackButton { font-size: 22pt; padding: 10px; }
QLabel#presetExplanation { font-size: 14pt; }
"""
PRESENTATION_TILE = 96
PRESENTATION_PLOT_PT = 11  # the plots' labels and legends in presentation mode (ticks × 0.85): larger than the
# default 8–9 pt, no larger, or at 1280×800 the curves themselves get no room
DOCK_MIN_PX = 270  # with the side panel and the tabs: fits a 1024 px screen
DOCK_DEFAULT_PX = 320
DOCK_PRESENTING_PX = 420
PRESENTING_WITH_DOCK_PX = 1200  # narrower screens show no Start panel in presentation mode


class DemoPanel(QWidget):
    """Presets with their plain-language explanation, the model choice and the big Attack button."""

    def __init__(self, language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoPanel")
        self.language = language
        self.presets = load_presets()
        title = QLabel(self.tr("Fool a neural network"))
        title.setObjectName("demoTitle")
        title.setWordWrap(True)
        self.intro = QLabel(
            self.tr(
                "An adversarial example is an image changed so that a person still reads the same "
                "digit (at small ε the change cannot be seen at all), yet a neural network sees "
                "something else. Two ready-made digit readers are built in: try to fool them."
            )
        )
        self.intro.setWordWrap(True)

        self.preset_box = QGroupBox(self.tr("Guided tours"))
        preset_layout = QVBoxLayout(self.preset_box)
        self.preset_buttons: dict[str, QPushButton] = {}
        for preset in self.presets:
            button = QPushButton(preset.title(language))
            button.setToolTip(preset.explanation(language))
            button.setCheckable(True)
            button.setAutoExclusive(True)
            preset_layout.addWidget(button)
            self.preset_buttons[preset.id] = button
        self.explanation = QLabel()
        self.explanation.setObjectName("presetExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.hide()

        model_box = QGroupBox(self.tr("Which model do you attack?"))
        model_layout = QVBoxLayout(model_box)
        self.standard = QRadioButton(self.tr("Standard model\n(trained the usual way)"))
        self.robust = QRadioButton(self.tr("Robust model\n(trained against attacks)"))
        self.standard.setChecked(True)
        self.models = QButtonGroup(self)
        for button, tip in (
            (self.standard, self.tr("Reads 99% of the test digits right, but was never shown an attacked image.")),
            (
                self.robust,
                self.tr("Learned from attacked digits too (adversarial training), so small changes rarely fool it."),
            ),
        ):
            button.setToolTip(tip)
            self.models.addButton(button)
            model_layout.addWidget(button)
        self.attack_button = QPushButton(self.tr("⚡ Attack!"))
        self.attack_button.setObjectName("attackButton")
        self.attack_button.setToolTip(
            self.tr("Attack held-out digits with PGD at the ε set on the left, and show them in the gallery")
        )
        model_layout.addWidget(self.attack_button)
        self.result = QLabel()
        self.result.setObjectName("demoResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        model_layout.addWidget(self.result)

        self.draw_button = QPushButton(self.tr("✎ Draw your own digit…"))
        self.draw_button.setToolTip(self.tr("Draw a digit with the mouse, see what the model says, then attack it"))
        self.help_button = QPushButton(self.tr("What do ε, λ, FGSM and PGD mean?"))
        self.help_button.setObjectName("glossaryLink")
        self.help_button.setFlat(True)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.intro)
        layout.addWidget(model_box)
        layout.addWidget(self.preset_box)
        layout.addWidget(self.explanation)
        layout.addWidget(self.draw_button)
        layout.addWidget(self.help_button)
        layout.addStretch(1)

    def kind(self) -> str:
        return "robust" if self.robust.isChecked() else "standard"

    def set_kind(self, kind: str) -> None:
        (self.robust if kind == "robust" else self.standard).setChecked(True)

    def show_explanation(self, preset: Preset) -> None:
        self.preset_buttons[preset.id].setChecked(True)
        self.explanation.setText(preset.explanation(self.language))
        self.explanation.show()

    def show_result(self, kind: str, fooled: int, right: int, n: int, eps: float) -> None:
        name = self.tr("standard model") if kind == "standard" else self.tr("robust model")
        text = (
            self.tr(
                "The attack (ε = %1) fooled the %2 on <b>%3 of %4</b> digits it had read right. "
                "Red frames in the gallery show them."
            )
            .replace("%1", eps_text(eps))
            .replace("%2", name)
            .replace("%3", str(fooled))
            .replace("%4", str(right))
        )
        self.result.setText(text)


class DemoMode(QObject):
    """Adds the Start-here dock, the menus and presentation mode to a MainWindow."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.language = i18n.active_language()
        self.panel = DemoPanel(self.language)
        self.dock = QDockWidget(self.tr("Start here"), window)
        self.dock.setObjectName("startHereDock")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.dock.setWidget(scroll)
        self.dock.setMinimumWidth(DOCK_MIN_PX)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        # Its wrapped texts would make it ~500 px wide: the tabs with the live plots need the room more.
        window.resizeDocks([self.dock], [DOCK_DEFAULT_PX], Qt.Orientation.Horizontal)
        self.glossary = None
        self.draw_dialog = None
        self._presenting: dict | None = None
        self._build_menus()
        self.panel.attack_button.clicked.connect(lambda: self.attack())
        self.panel.draw_button.clicked.connect(self.open_canvas)
        self.panel.help_button.clicked.connect(lambda: self.open_glossary("eps"))
        for preset in self.panel.presets:
            self.panel.preset_buttons[preset.id].clicked.connect(lambda _c=False, p=preset: self.apply_preset(p))
        self.panel.models.buttonToggled.connect(self._on_kind_chosen)
        window.controller.galleryReady.connect(self._on_gallery)
        window.controller.stateChanged.connect(self._on_state)

    # ------------------------------------------------------------------ menus
    def _add(self, menu, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        w = self.window
        file_menu = bar.addMenu(self.tr("&File"))
        from gui import own_data

        self.open_folder_action = self._add(
            file_menu, self.tr("Open an image folder as dataset…"), lambda: own_data.open_image_folder(w)
        )
        self.open_model_action = self._add(
            file_menu, self.tr("Open my own model (.pt2 or weights)…"), lambda: own_data.open_model_file(w)
        )
        file_menu.addAction(w.open_action)
        file_menu.addSeparator()
        self._add(file_menu, self.tr("Quit"), w.close, "Ctrl+Q")

        view = bar.addMenu(self.tr("&View"))
        self.presentation_action = self._add(
            view,
            self.tr("Presentation mode"),
            self.set_presentation,
            "F11",
            self.tr("Large text, full screen, for a projector: gallery, live curves, ε and λ knobs stay usable"),
        )
        self.presentation_action.setCheckable(True)
        view.addAction(self.dock.toggleViewAction())

        language = bar.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        current = i18n.current_language(w.settings)
        for code, name in i18n.LANGUAGES.items():
            action = self._add(language, name, lambda _c=False, c=code: self.choose_language(c))
            action.setCheckable(True)
            action.setChecked(code == current)
            group.addAction(action)
            self.language_actions[code] = action

        help_menu = bar.addMenu(self.tr("&Help"))
        self._add(help_menu, self.tr("What is this? Glossary…"), lambda: self.open_glossary(), "F1")
        help_menu.addAction(QWhatsThis.createAction(self.window))
        self._add(help_menu, self.tr("Draw your own digit…"), self.open_canvas)

    # ------------------------------------------------------------------ the demo
    def attack(self, show_settings: bool = False) -> None:
        """Show the chosen shipped model's attacked digits in the gallery (opening the model if needed), at
        the ε and attack set on the left. The panels keep the person's settings (``show_settings``: the
        first launch, which has none, shows the model's); the status bar says which model is attacked."""
        w, c = self.window, self.window.controller
        if c.running:
            w.statusBar().showMessage(self.tr("Stop training first, then attack."), 5000)
            return
        kind = self.panel.kind()
        folder = demo_model_dir(kind)
        w.tabs.setCurrentIndex(0)
        if not w.curves.steps.size:
            w.training_split.setSizes([0, 1])  # nothing trained yet: empty charts would only puzzle
        self.panel.result.setText(self.tr("Attacking…"))
        if c.run_dir is None or Path(c.run_dir) != folder:
            if w.load_run(folder, show_settings=show_settings):
                name = self.tr("standard model") if kind == "standard" else self.tr("robust model")
                text = self.tr("Attacking the ready-made %1: no training needed.").replace("%1", name)
                if not show_settings:
                    text += " " + self.tr("Your settings on the left are unchanged.")
                w.statusBar().showMessage(text, 8000)
        else:
            values = w.knobs.values()
            c.recompute_gallery(values["attack.eps"], values["attack.name"])

    def _on_kind_chosen(self, button, checked: bool) -> None:
        """Choosing the other model shows its attacked digits at once (when nothing trains)."""
        if checked and not self.window.controller.running:
            self.attack()

    def _on_state(self, state: str) -> None:
        self.panel.attack_button.setEnabled(state == "idle")
        split = self.window.training_split
        if state == "running" and split.sizes()[0] == 0:
            split.setSizes([430, 300])  # training: bring the charts back

    def _on_gallery(self, batch) -> None:
        run_dir = self.window.controller.run_dir
        for kind, folder in DEMO_MODELS.items():
            if run_dir is not None and Path(run_dir) == folder:
                right = int((batch.pred_clean == batch.labels).sum())
                self.panel.show_result(kind, int(batch.fooled.sum()), right, len(batch.labels), batch.eps)

    def apply_preset(self, preset: Preset) -> None:
        """Put a guided tour's settings in the panels and bring the gallery up to date with them."""
        w = self.window
        self.panel.show_explanation(preset)
        if preset.model:
            with signals_blocked(self.panel.models):
                self.panel.set_kind(preset.model)
            if not w.controller.running and w.controller.run_dir != demo_model_dir(preset.model):
                w.load_run(demo_model_dir(preset.model))
        config = w.build_config().with_changes(preset.changes)
        w.experiment.show_config(config)
        w.knobs.show_config(config)
        if preset.action == "attack":
            self.attack()
        elif not w.controller.running and w.controller.run_dir is not None:
            w.refresh_gallery()  # the header and images show the tour's ε, not the previous one

    def open_canvas(self) -> None:
        from gui.canvas import DrawDigitDialog

        self.draw_dialog = DrawDigitDialog(
            self.window.controller, eps=self.window.knobs.values()["attack.eps"] or 0.2, parent=self.window
        )
        self.draw_dialog.show()

    def open_glossary(self, key: str | None = None) -> None:
        from gui.help import GlossaryDialog

        if self.glossary is None:
            self.glossary = GlossaryDialog(self.window)
        if key:
            self.glossary.show_term(key)
        self.glossary.show()
        self.glossary.raise_()

    def choose_language(self, code: str) -> None:
        i18n.set_language(self.window.settings, code)
        if code != self.language:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Language"),
                self.tr("The new language is used the next time Robustness Lab starts."),
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.open()
            self._language_box = box

    # ------------------------------------------------------------------ presentation mode
    def set_presentation(self, on: bool) -> None:
        """Large text, full screen, for a live demo: the gallery, the live curves, the ε and λ knobs,
        Train/Stop and the Attack! button stay visible and usable; only what nobody changes during a demo
        (the dataset and model form, the Start panel's explanations) is put away. Leaving shows again
        exactly what was put away and changes no panel sizes, so a run's curves stay where they were."""
        w = self.window
        if on and self._presenting is None:
            tucked = [
                x
                for x in (w.experiment, self.panel.intro, self.panel.preset_box, self.panel.help_button,
                          self.panel.draw_button, self.panel.explanation, w.device_label)
                if x.isVisible()
            ]  # fmt: skip
            screen = w.screen().availableGeometry().width() if w.screen() else 1280
            if screen < PRESENTING_WITH_DOCK_PX and self.dock.isVisible():
                tucked.append(self.dock)  # no room for it in large type: the knobs and the gallery come first
            self._presenting = {"sheet": w.styleSheet(), "full": w.isFullScreen(), "max": w.isMaximized(),
                                "tucked": tucked, "dock": self.dock.width(),
                                "split": w.main_split.sizes()}  # fmt: skip
            for widget in tucked:
                widget.hide()
            w.setStyleSheet(w.styleSheet() + PRESENTATION_QSS)
            for plot in w.findChildren(pg.PlotWidget):  # style sheets do not reach inside plots
                set_plot_text_size(plot, PRESENTATION_PLOT_PT)
            w.gallery.set_tile_size(PRESENTATION_TILE)
            w.gallery.set_compact(True)
            w.showFullScreen()
            QTimer.singleShot(0, self._fit_presentation)  # once the large type is in place
        elif not on and self._presenting is not None:
            saved, self._presenting = self._presenting, None
            for widget in saved["tucked"]:
                widget.show()
            w.setStyleSheet(saved["sheet"])
            for plot in w.findChildren(pg.PlotWidget):
                set_plot_text_size(plot, None)
            w.gallery.set_tile_size(None)
            w.gallery.set_compact(False)
            if not saved["full"]:
                w.showMaximized() if saved["max"] else w.showNormal()
            w.resizeDocks([self.dock], [saved["dock"]], Qt.Orientation.Horizontal)
            w.main_split.setSizes(saved["split"])
        self.presentation_action.setChecked(self._presenting is not None)

    def _fit_presentation(self) -> None:
        """Room for the knobs' and the Start panel's larger type (their panels only scroll up and down)."""
        if self._presenting is None:
            return
        w = self.window
        side = w.main_split.widget(0)
        need = side.widget().sizeHint().width() + side.verticalScrollBar().sizeHint().width() + 4
        total = sum(w.main_split.sizes())
        w.main_split.setSizes([need, max(0, total - need)])
        if self.dock.isVisible():
            w.resizeDocks([self.dock], [DOCK_PRESENTING_PX], Qt.Orientation.Horizontal)

    @property
    def presenting(self) -> bool:
        return self._presenting is not None


def install(window) -> DemoMode:
    """Add the first-minute features to a MainWindow, translated into the active language."""
    from gui.help import apply_whats_this

    demo = DemoMode(window)
    apply_whats_this(window)
    i18n.translate_widget_tree(window)
    return demo
