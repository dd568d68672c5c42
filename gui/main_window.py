"""The main window: lays out the panels and routes the controller's snapshots to them.

All background work belongs to ``TrainingController`` (which hands it to the engine process); every
panel only shows data and emits the user's wishes. Window layout and the last-used settings persist in
QSettings, written within a second of every change (not only on exit), so a crash loses nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.config import ConfigError, RunConfig
from engine.errors import user_message
from engine.messages import (
    ConfigApplied,
    EpochMetrics,
    GalleryBatch,
    RunFailed,
    RunFinished,
    RunStarted,
    StepMetrics,
    TrainingWarning,
)
from gui.controller import TrainingController
from gui.curves import CurvesView
from gui.experiment import MODEL_LABELS, ExperimentPanel
from gui.gallery import GalleryView
from gui.knobs import KnobsPanel
from gui.robustness import RobustnessView
from gui.status_bar import RunStatus
from gui.sweep_queue import SweepQueue

SETTINGS_VERSION = 1
SETTINGS_DELAY_MS = 500  # changes are written this long after the last one


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: QSettings | None = None,
        runs_root: str | Path | None = None,
        base_config: RunConfig | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Robustness Lab")
        self.settings = settings if settings is not None else QSettings()
        runs_root = runs_root or os.environ.get("ROBUSTNESS_LAB_RUNS") or None
        self.controller = TrainingController(runs_root, self)
        self.error_box: QMessageBox | None = None
        self.engine_box: QMessageBox | None = None  # the last "engine stopped" message (with Resume)
        self.sweep = SweepQueue()
        self.last_run: str | None = None  # the last run trained or opened here, reopened on the next launch

        self.experiment = ExperimentPanel()
        self.knobs = KnobsPanel()
        self.curves = CurvesView()
        self.gallery = GalleryView()
        self.gallery.explainer = self.controller.explain
        self.robustness = RobustnessView()
        self._build_layout()
        self._build_actions()
        self._build_status_bar()
        self._connect()

        self._restore(base_config)
        self._on_state("idle")
        self._settings_timer = QTimer(self, singleShot=True, interval=SETTINGS_DELAY_MS)
        self._settings_timer.timeout.connect(self.save_settings)
        for changed in (
            self.knobs.changed,
            self.experiment.changed,
            self.main_split.splitterMoved,
            self.training_split.splitterMoved,
            self.tabs.currentChanged,
        ):
            changed.connect(self.schedule_settings_save)

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        left = QWidget()
        left.setObjectName("sidePanel")
        column = QVBoxLayout(left)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.experiment)
        column.addWidget(self.knobs, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        scroll.setMinimumWidth(300)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.training_split = QSplitter(Qt.Orientation.Vertical)
        self.training_split.addWidget(self.curves)
        self.training_split.addWidget(self.gallery)
        self.training_split.setStretchFactor(0, 3)
        self.training_split.setStretchFactor(1, 2)
        self.training_split.setSizes([430, 300])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.training_split, "Training")
        self.tabs.addTab(self.robustness, "Robustness")
        from gui.runs_browser import RunsBrowser  # issue 4: runs and the clean/robust trade-off

        self.runs_browser = RunsBrowser(self.controller.runs_root, request=self.controller.request)
        self.tabs.addTab(self.runs_browser, "Runs")

        # A warning about the run in training (engine TrainingWarning, e.g. catastrophic overfitting) sits
        # above the tabs, where it is seen whatever tab is open; it goes away when the next run starts.
        self.warning_banner = QLabel()
        self.warning_banner.setObjectName("warningBanner")
        self.warning_banner.setWordWrap(True)
        self.warning_banner.setVisible(False)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.warning_banner)
        right_column.addWidget(self.tabs, 1)

        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(scroll)
        self.main_split.addWidget(right)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([360, 900])
        self.setCentralWidget(self.main_split)
        self.resize(1280, 800)

    def _action(self, text: str, shortcuts: list[str], tip: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = self.tr(" or ").join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        action.setToolTip(f"{tip} ({keys})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.train_action = self._action(
            self.tr("▶  Train"), ["Ctrl+R"], self.tr("Start training with these settings"), self.train
        )
        self.pause_action = self._action(
            self.tr("❚❚  Pause"), ["Space", "Ctrl+P"], self.tr("Pause or resume training"), self.controller.toggle_pause
        )
        self.stop_action = self._action(
            self.tr("■  Stop"), ["Esc", "Ctrl+."], self.tr("Stop training and save the run"), self.stop
        )
        self.evaluate_action = self._action(
            self.tr("✓  Evaluate"),
            ["Ctrl+E"],
            self.tr("Measure accuracy now (during training) or robustness (after)"),
            self.evaluate,
        )
        self.open_action = self._action(
            self.tr("Open run…"), ["Ctrl+O"], self.tr("Load a finished run to inspect"), self.open_run
        )
        toolbar = QToolBar(self.tr("Controls"))
        toolbar.setObjectName("controls")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.train_action, self.pause_action, self.stop_action, self.evaluate_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.open_action)
        self.addToolBar(toolbar)
        self.train_button: QToolButton = toolbar.widgetForAction(self.train_action)  # type: ignore[assignment]
        self.train_button.setObjectName("trainButton")
        self.pause_button: QToolButton = toolbar.widgetForAction(self.pause_action)  # type: ignore[assignment]
        self.stop_button: QToolButton = toolbar.widgetForAction(self.stop_action)  # type: ignore[assignment]

    def _build_status_bar(self) -> None:
        self.status = RunStatus(self.statusBar())
        self.device_label = self.status.device_label  # the field tests and screenshots read

    def _connect(self) -> None:
        c = self.controller
        c.message.connect(self._on_message)
        c.stateChanged.connect(self._on_state)
        c.galleryReady.connect(lambda batch: self.gallery.show_batch(batch, immediate=True))
        c.robustnessProgress.connect(self.robustness.on_progress)
        c.robustnessReady.connect(self.robustness.show_curve)
        c.sanityReady.connect(self.robustness.show_sanity)
        c.certifiedReady.connect(self.robustness.show_certified)
        c.certifyFailed.connect(self.robustness.show_not_certified)
        c.taskFailed.connect(self._on_task_failed)
        c.engineDied.connect(self._on_engine_died)
        c.engineReady.connect(self._on_engine_ready)
        c.modelChanged.connect(self._on_model_changed)
        self.knobs.changed.connect(self._on_knobs_changed)
        self.gallery.targetChosen.connect(lambda _target: self.refresh_gallery())
        self.experiment.changed.connect(self._on_experiment_changed)
        self.robustness.runRequested.connect(self._on_robustness_requested)
        self.robustness.critical_view.galleryRequested.connect(self._show_in_gallery)
        self.robustness.cancelRequested.connect(self._on_robustness_cancel)
        self.runs_browser.sweepRequested.connect(self.start_sweep)
        self.runs_browser.gridRequested.connect(self.open_sweep_dialog)
        self.runs_browser.sweepCancelRequested.connect(self.stop)
        self.runs_browser.transferRequested.connect(self._on_transfer_requested)
        self.runs_browser.transfer.cancelRequested.connect(self._on_transfer_cancel)
        c.transferProgress.connect(self.runs_browser.transfer.on_progress)
        c.transferReady.connect(self.runs_browser.transfer.show_matrix)
        self._gallery_timer = QTimer(self, singleShot=True, interval=60)
        self._gallery_timer.timeout.connect(self.refresh_gallery)

    # ------------------------------------------------------------------ user actions
    def build_config(self) -> RunConfig:
        """The run the panels describe, on top of the base config (which holds the settings not shown)."""
        return self._base.with_changes({**self.experiment.values(), **self.knobs.values()})

    def set_base_config(self, config: RunConfig) -> None:
        """Make ``config`` the settings of the next run and show them in the panels."""
        self._base = config
        self.experiment.show_config(config)
        self.knobs.show_config(config)

    def train(self) -> None:
        if self.controller.running:
            return
        if self.controller.task_running("sweep"):
            self.show_error(
                self.tr("A sweep is in progress"),
                self.tr("Its runs are training in the background. Cancel the sweep (Runs tab) to train now."),
            )
            return
        try:
            config = self.build_config()
        except ConfigError as exc:
            self.show_error(self.tr("These settings cannot be used"), user_message(exc))
            return
        self._base = config
        self.curves.clear()
        self.controller.start(config)

    def stop(self) -> None:
        """Stop the run; during a λ sweep, the runs still waiting are dropped too."""
        if self.controller.stop_task("sweep"):  # a sweep of several runs at once: they save and end
            self.runs_browser.set_sweep_state(
                self.tr("Stopping the sweep: the runs in training save their checkpoints…"), True
            )
            self.runs_browser.sweep_cancel.setEnabled(False)
            return
        if self.sweep.drop_waiting():
            self.runs_browser.set_sweep_state(self.tr("Sweep cancelled: the current run stops and is saved."), False)
        self.controller.stop()

    def start_sweep(self, text: str) -> None:
        """Queue one run per λ with the panel's other settings; each starts when the previous one ends."""
        from engine.compare import parse_lambdas
        from engine.sweep import make_plan

        if self._refuse_sweep_while_running():
            return
        try:
            plan = make_plan(self.build_config(), {"train.lam": list(parse_lambdas(text))})
        except ConfigError as exc:
            self.show_error(self.tr("This sweep cannot start"), user_message(exc))
            return
        self.start_grid(plan)

    def open_sweep_dialog(self) -> None:
        """The Sweep dialog (Runs tab → Grid…): a grid of knobs × seeds on top of the panel's settings."""
        from engine.compare import list_runs, parse_lambdas
        from gui.sweep_dialog import ask_for_plan

        if self._refuse_sweep_while_running():
            return
        try:
            lambdas = parse_lambdas(self.runs_browser.lambdas.text())
        except ConfigError:
            lambdas = ()
        try:
            base = self.build_config()
        except ConfigError as exc:
            self.show_error(self.tr("This sweep cannot start"), user_message(exc))
            return
        recent = sorted(list_runs(self.controller.runs_root), key=lambda s: -s.started)[:30]
        asked = ask_for_plan(self, base, recent, lambdas, exec_dialog=self.exec_sweep_dialog)
        if asked is not None:
            plan, parallel = asked
            self.start_grid(plan, parallel=parallel)

    # Tests replace this to fill the dialog in and press its buttons instead of waiting for a person.
    exec_sweep_dialog = None

    def _refuse_sweep_while_running(self) -> bool:
        if self.controller.running or self.controller.task_running("sweep"):
            self.show_error(
                self.tr("A run is in progress"), self.tr("Stop the current run (Esc) before starting a sweep.")
            )
            return True
        return False

    def start_grid(self, plan, folder: str | Path | None = None, parallel: int = 1) -> None:
        """Queue the plan's trials into a sweep folder (a new sweep-<time> folder in the runs folder, or
        ``folder``: one holding this same sweep is taken up where it stopped).

        One run at a time (``parallel`` 1), each run is trained like any other, curves live. With
        ``parallel`` > 1 the engine trains that many at once in worker processes (engine.sweep_runner,
        the same as ``main.py sweep --parallel``); each run appears in the Runs tab as it is written."""
        import time

        from engine.runs import RunError, new_run_dir

        if self._refuse_sweep_while_running():
            return
        target = (
            Path(folder) if folder else new_run_dir(self.controller.runs_root, time.strftime("sweep-%Y%m%d-%H%M%S"))
        )
        try:
            self.sweep.start(plan, target)
        except (RunError, ConfigError, OSError) as exc:
            self.show_error(self.tr("This sweep cannot start"), user_message(exc))
            return
        if not self.sweep.pending:
            total = self.sweep.total
            self.sweep.end()
            self.runs_browser.set_sweep_state(
                self.tr("All %1 runs of this sweep are trained already; nothing was trained again.").replace(
                    "%1", str(total)
                ),
                False,
            )
            return
        if parallel > 1:
            pending, total = len(self.sweep.pending), self.sweep.total
            self.sweep.end()  # the engine keeps sweep.json from here on, as `main.py sweep` does
            self._start_parallel_sweep(plan, target, parallel, total - pending, total)
            return
        self._start_next_in_queue()

    def _start_parallel_sweep(self, plan, folder: Path, parallel: int, done: int, total: int) -> None:
        def say_progress(ended: int, total: int) -> None:
            self.runs_browser.set_sweep_state(
                self.tr("Sweep: %1 of %2 runs ended, up to %3 training at once…")
                .replace("%1", str(ended))
                .replace("%2", str(total))
                .replace("%3", str(parallel)),
                True,
            )
            if self.runs_browser.isVisible():
                self.runs_browser.refresh()

        def ended(text: str) -> None:
            self.runs_browser.set_sweep_state(text, False)
            self.train_action.setEnabled(not self.controller.running)
            self.statusBar().showMessage(text, 0)
            self.runs_browser.refresh()

        def finished(summary: dict) -> None:
            failed = sum(1 for t in summary.get("trials", []) if t.get("state") == "failed")
            if failed:
                ended(self.tr("Sweep ended: %1 runs failed (their folders say why).").replace("%1", str(failed)))
            else:
                ended(self.tr("Sweep finished: every run is a point on the trade-off plot."))

        def failed(text: str) -> None:
            ended(self.tr("The sweep stopped"))
            self.show_error(self.tr("The sweep stopped"), text)

        def stopped() -> None:
            ended(self.tr("Sweep stopped. Queue the same sweep again to resume the stopped runs."))

        params = {"plan": plan, "folder": str(folder), "parallel": int(parallel)}
        self.train_action.setEnabled(False)
        say_progress(done, total)
        self.controller.request("sweep", params, finished, say_progress, on_failed=failed, on_stopped=stopped)

    def _start_next_in_queue(self) -> None:
        if not self.sweep.pending or self.controller.running:  # ended meanwhile (Stop, a failure, the engine)
            return
        from engine.compare import setting_text

        index, trial, run_dir, mode = self.sweep.next()
        what = ", ".join(
            [*(setting_text(k, v) for k, v in trial.settings), self.tr("seed %1").replace("%1", str(trial.seed))]
        )
        text = (
            self.tr("Sweep: run %1 of %2 (%3) is training…")
            .replace("%1", str(index))
            .replace("%2", str(self.sweep.total))
            .replace("%3", what)
        )
        self.runs_browser.set_sweep_state(text, True)
        self.statusBar().showMessage(text, 0)
        self.curves.clear()
        self.knobs.show_config(trial.config)
        self.controller.start_in(trial.config, run_dir, mode)

    def _on_transfer_requested(self, run_dirs: tuple, attack: str, eps: float, steps: int, images: int) -> None:
        self.runs_browser.transfer.set_busy(
            True,
            self.tr("Attacking %1 images on each of %2 models…")
            .replace("%1", str(images))
            .replace("%2", str(len(run_dirs))),
        )
        self.controller.run_transfer(run_dirs, attack, eps, steps, images)

    def _on_transfer_cancel(self) -> None:
        self.controller.cancel_task("transfer")
        self.runs_browser.transfer.set_busy(False, self.tr("Cancelled."))

    def evaluate(self) -> None:
        if self.controller.running:
            self.controller.evaluate_now()
        else:
            self.tabs.setCurrentWidget(self.robustness)
            self.robustness.request_run()

    def open_run(self) -> None:
        from engine.runs import default_runs_root

        root = str(self.controller.runs_root or default_runs_root())
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a run folder"), root)
        if folder and self.load_run(folder):
            self.last_run = str(folder)
            self.show_run_history(folder)
            self.schedule_settings_save()

    def _on_model_changed(self) -> None:
        text = self.model_in_use()
        self.robustness.set_model(text)
        self.gallery.set_model(text)

    def model_in_use(self) -> str | None:
        """The model the gallery and the Robustness tab use, in plain words: "the ready-made robust model",
        "your model file mine.pt2", "your run 12-01 17:03 · small-cnn · λ 0.5" (or the name given to it)."""
        from engine.compare import read_title, started_at, time_text
        from engine.demo import DEMO_MODELS

        c = self.controller
        if c.run_dir is None:
            return None
        if c.source is not None and c.source.file:
            return self.tr("your model file %1").replace("%1", Path(c.source.file).name)
        folder = Path(c.run_dir)
        if folder == DEMO_MODELS.get("standard"):
            return self.tr("the ready-made standard model")
        if folder == DEMO_MODELS.get("robust"):
            return self.tr("the ready-made robust model")
        title = read_title(folder)
        if title:
            return self.tr("your run “%1”").replace("%1", title)
        config = c.config
        when = time_text(started_at(folder))
        parts = [when]
        if config is not None:
            model = MODEL_LABELS.get(config.model.name)
            model = QCoreApplication.translate("ExperimentPanel", model) if model else config.model.name
            parts += [model, f"λ {config.train.lam:g}"]
        return self.tr("your run %1").replace("%1", " · ".join(p for p in parts if p))

    def show_run_history(self, folder: str | Path) -> int:
        """Draw a run's logged losses and accuracies (from its metrics.jsonl) in the curves; the number of
        steps drawn. A line that does not read as this version's metrics is skipped, not trusted."""
        import dataclasses

        from engine.runs import read_metrics

        self.curves.clear()
        kinds = {"step": (StepMetrics, self.curves.add_step), "epoch": (EpochMetrics, self.curves.add_epoch)}
        steps = 0
        try:
            records = read_metrics(folder)
        except Exception:  # noqa: BLE001 - an unreadable log: no curves, the run itself still opens
            return 0
        for record in records:
            kind = kinds.get(record.get("type")) if isinstance(record, dict) else None
            if kind is None:
                continue
            cls, add = kind
            try:
                add(cls(**{f.name: record[f.name] for f in dataclasses.fields(cls)}))
            except (KeyError, TypeError, ValueError):
                continue
            steps += cls is StepMetrics
        if steps:
            self.training_split.setSizes([430, 300])
        return steps

    def reopen_last_run(self) -> bool:
        """Second launch: the last run trained or opened comes back with its curves and gallery (True), if
        its folder is still there."""
        last = self.settings.value("lastRun")
        if not isinstance(last, str) or not last or not (Path(last) / "config.json").is_file():
            return False
        if not self.load_run(last, show_settings=False):
            return False
        self.last_run = last
        self.show_run_history(last)
        self.statusBar().showMessage(self.tr("Reopened your last run: %1").replace("%1", last), 8000)
        return True

    def load_run(self, folder: str | Path, show_settings: bool = True) -> bool:
        """Make a finished run the model in use and re-make the gallery with it. ``show_settings`` also
        puts its settings in the panels (Open run…); the Start panel's Attack! leaves the panels alone."""
        try:
            config = self.controller.open_run(folder)
        except Exception as exc:  # noqa: BLE001 - a broken or foreign folder: say so, keep going
            self.show_error(self.tr("Cannot open this run"), user_message(exc))
            return False
        if show_settings:
            self._base = config
            self.experiment.show_config(config)
            self.knobs.show_config(config)
            self.statusBar().showMessage(self.tr("Opened %1").replace("%1", str(folder)), 5000)
        self.refresh_gallery()
        return True

    def _on_knobs_changed(self, changes: dict[str, Any]) -> None:
        if self.controller.running:
            self.controller.update_config(changes)
        elif {"attack.eps", "attack.name"} & changes.keys():
            self._gallery_timer.start()

    def _on_experiment_changed(self, changes: dict[str, Any]) -> None:
        if self.controller.running:
            self.controller.update_config(changes)

    def _show_in_gallery(self, images: Any, labels: Any, eps: float) -> None:
        """The digits that fall first and those that hold longest, attacked at one ε in the gallery."""
        attack = self.robustness.critical_view.critical
        name = attack.attack if attack is not None else "pgd"
        steps = self.robustness.measured_steps  # the attack the critical ε were measured with
        if self.controller.recompute_gallery(eps, name, None, images, labels, steps=steps):
            self.gallery.target.setCurrentIndex(0)  # untargeted, as the critical ε were measured
            first = len(attack.first_index) if attack is not None else 0
            self.gallery.expect_examples(images, first)
            self.tabs.setCurrentWidget(self.training_split)
            curves, gallery = self.training_split.sizes()
            if gallery < 0.55 * (curves + gallery):  # the digits are what was asked for; the curves stay in view
                self.training_split.setSizes([int(0.45 * (curves + gallery)), int(0.55 * (curves + gallery))])
        else:
            self.statusBar().showMessage(
                self.tr("The gallery can be re-made once training has stopped and a model is open."), 5000
            )

    def refresh_gallery(self) -> None:
        values = self.knobs.values()
        self.controller.recompute_gallery(values["attack.eps"], values["attack.name"], self.gallery.target_choice())

    def _on_robustness_requested(
        self, attacks: tuple, eps_values: tuple, steps: int, images: int, sanity: bool = True
    ) -> None:
        # The checks run at the ε the person is looking at (the Adversary knob), or the curve's largest.
        knob_eps = float(self.knobs.values()["attack.eps"])
        sanity_eps = (knob_eps if knob_eps > 0 else max(eps_values)) if sanity else None
        if self.controller.run_robustness(attacks, eps_values, steps, images, sanity_eps=sanity_eps, certify=True):
            self.robustness.expect_sanity(sanity_eps)
            self.robustness.set_busy(True, self.tr("Attacking %1 held-out images…").replace("%1", str(images)))
        else:
            self.robustness.set_busy(False, self.tr("There is no trained model yet: train one (Ctrl+R) or open a run."))

    def _on_robustness_cancel(self) -> None:
        self.controller.cancel_robustness()
        self.robustness.expect_sanity(None)
        self.robustness.set_busy(False, self.tr("Cancelled."))

    # ------------------------------------------------------------------ engine snapshots
    def _on_message(self, msg: object) -> None:
        if isinstance(msg, StepMetrics):
            self.curves.add_step(msg)
            self.status.step(msg)
        elif isinstance(msg, GalleryBatch):
            self.gallery.show_batch(msg)
        elif isinstance(msg, EpochMetrics):
            self.curves.add_epoch(msg)
            robust = "–" if msg.robust_accuracy != msg.robust_accuracy else f"{msg.robust_accuracy:.1%}"
            self.statusBar().showMessage(
                self.tr("Epoch %1: clean accuracy %2, robust accuracy %3")
                .replace("%1", str(msg.epoch))
                .replace("%2", f"{msg.clean_accuracy:.1%}")
                .replace("%3", robust),
                8000,
            )
        elif isinstance(msg, ConfigApplied):
            self.curves.add_marker(msg)
            self.knobs.show_config(msg.config, skip=self.controller.pending_keys())
            self.knobs.show_applied(msg.step, msg.changes, msg.rejected)
        elif isinstance(msg, RunStarted):
            self.status.run_started(msg)
            self.curves.set_run_length(msg.steps_per_epoch * msg.config.train.epochs)
            if msg.run_dir:
                self.last_run = msg.run_dir
                self.schedule_settings_save()
            self.experiment.notes.setText(" ".join(msg.notes))
            self.warning_banner.setVisible(False)
            self.knobs.show_config(msg.config)
            self.knobs.reset_applied()
            self.statusBar().showMessage(
                self.tr("Training %1 images, %2 steps per epoch")
                .replace("%1", str(msg.n_train))
                .replace("%2", str(msg.steps_per_epoch)),
                5000,
            )
        elif isinstance(msg, RunFinished):
            self.status.run_finished(msg)
            robust = "–" if msg.robust_accuracy != msg.robust_accuracy else f"{msg.robust_accuracy:.1%}"
            ended = {
                "completed": self.tr("Training completed"),
                "stopped": self.tr("Training stopped"),
                "interrupted": self.tr("Training interrupted"),
            }
            self.statusBar().showMessage(
                self.tr("%1: clean accuracy %2, robust %3. Saved in %4")
                .replace("%1", ended.get(msg.reason, msg.reason))
                .replace("%2", f"{msg.clean_accuracy:.1%}")
                .replace("%3", robust)
                .replace("%4", str(msg.run_dir)),
                0,
            )
            if self.runs_browser.isVisible():
                self.runs_browser.refresh()
        elif isinstance(msg, TrainingWarning):
            self.warning_banner.setText("⚠ " + msg.message)  # the engine words it in the window's language
            self.warning_banner.setVisible(True)
        elif isinstance(msg, RunFailed):
            if self.sweep.drop_waiting():  # the same settings would most likely fail again: end the sweep here
                self.runs_browser.set_sweep_state(self.tr("Sweep stopped: a run failed."), False)
            self.show_error(self.tr("Training stopped with an error"), msg.message)

    def _on_state(self, state: str) -> None:
        running = state != "idle"
        self.train_action.setEnabled(not running)
        self.pause_action.setEnabled(state in ("running", "paused"))
        self.pause_action.setText(self.tr("▶  Resume") if state == "paused" else self.tr("❚❚  Pause"))
        self.stop_action.setEnabled(state in ("running", "paused"))
        self.experiment.set_running(running)
        self.knobs.set_running(running)
        self.gallery.set_running(running)
        self.status.set_state(state)
        if state == "idle" and self.sweep.active:
            self.sweep.run_ended()
            if self.sweep.pending:
                QTimer.singleShot(0, self._start_next_in_queue)  # after the engine has reported the run's end
            else:
                self.sweep.end()
                if self.runs_browser.sweep_cancel.isEnabled():
                    self.runs_browser.set_sweep_state(
                        self.tr("Sweep finished: every run is a point on the trade-off plot."), False
                    )

    def _on_task_failed(self, kind: str, text: str) -> None:
        if kind in ("robustness", "sanity"):
            self.robustness.expect_sanity(None)
            self.robustness.set_busy(False, self.tr("The measurement failed."))
        if kind == "transfer":
            self.runs_browser.transfer.set_busy(False, self.tr("The transfer measurement failed."))
        titles = {
            "gallery": self.tr("The gallery could not be updated"),
            "transfer": self.tr("Transfer could not be measured"),
        }
        self.show_error(titles.get(kind, self.tr("Robustness check failed")), text)

    def _on_engine_ready(self, info) -> None:
        self.status.engine_ready(info)

    def _on_engine_died(self, text: str, run_dir) -> None:
        """The engine process ended or was replaced: say so in one sentence, offer to resume the run."""
        if self.sweep.active:
            self.sweep.end()
            self.runs_browser.set_sweep_state(self.tr("Sweep stopped: the engine stopped."), False)
        self.statusBar().showMessage(text, 0)
        for old in (self.error_box, self.engine_box):
            if old is not None:
                old.close()
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("The engine stopped"), text, QMessageBox.StandardButton.Close, self
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        if run_dir is not None:
            resume = box.addButton(self.tr("Resume the run"), QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(resume)
            resume.clicked.connect(lambda: self.resume_run(run_dir))
        self.error_box = self.engine_box = box  # later errors do not close it: it may carry Resume
        box.open()
        if self.runs_browser.isVisible():
            self.runs_browser.refresh()

    def resume_run(self, run_dir: str | Path) -> None:
        try:
            config = self.controller.resume_run(run_dir)
        except Exception as exc:  # noqa: BLE001 - a damaged folder: say so, keep going
            self.show_error(self.tr("Cannot resume this run"), user_message(exc))
            return
        if config is not None:
            self._base = config
            self.experiment.show_config(config)
            self.knobs.show_config(config)

    def show_error(self, title: str, text: str) -> None:
        """A readable, non-blocking message; the window stays usable. The status bar names the problem
        too (it would otherwise still say, for example, "Training completed")."""
        self.statusBar().showMessage(title, 0)
        if self.error_box is not None and self.error_box is not self.engine_box:
            self.error_box.close()
        self.error_box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        self.error_box.setWindowModality(Qt.WindowModality.WindowModal)
        self.error_box.open()

    # ------------------------------------------------------------------ persistence
    def _restore(self, base_config: RunConfig | None) -> None:
        s = self.settings
        if base_config is None:
            try:
                raw = s.value("config")
                base_config = RunConfig.from_dict(json.loads(raw)) if raw else RunConfig()
            except (ConfigError, ValueError, TypeError):
                base_config = RunConfig()
        self._base = base_config
        self.experiment.show_config(base_config)
        self.knobs.show_config(base_config)
        if int(s.value("version", 0) or 0) == SETTINGS_VERSION:
            for key, restore in (
                ("geometry", self.restoreGeometry),
                ("windowState", self.restoreState),
                ("mainSplit", self.main_split.restoreState),
                ("trainingSplit", self.training_split.restoreState),
            ):
                value = s.value(key)
                if isinstance(value, QByteArray):
                    restore(value)
            self.tabs.setCurrentIndex(int(s.value("tab", 0) or 0))
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Keep the whole window on the screen it opens on: a saved geometry from a larger screen (or the
        default 1280×800 on a 1024×768 projector) is shrunk and moved into the available area, title bar
        and frame included."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w = max(0, frame.width() - self.width())
        extra_h = max(0, frame.height() - self.height())
        if not self.isVisible():  # no frame yet: allow for a typical title bar and border
            extra_w, extra_h = max(extra_w, 8), max(extra_h, 38)
        width = min(self.width(), avail.width() - extra_w)
        height = min(self.height(), avail.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), avail.x()), avail.right() + 1 - frame.width())
        y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, avail.x()), max(y, avail.y()))

    def schedule_settings_save(self, *_args: object) -> None:
        self._settings_timer.start()

    def moveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().moveEvent(event)
        if hasattr(self, "_settings_timer"):
            self._settings_timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if hasattr(self, "_settings_timer"):
            self._settings_timer.start()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("version", SETTINGS_VERSION)
        s.setValue("geometry", self.saveGeometry())
        s.setValue("windowState", self.saveState())
        s.setValue("mainSplit", self.main_split.saveState())
        s.setValue("trainingSplit", self.training_split.saveState())
        s.setValue("tab", self.tabs.currentIndex())
        if self.last_run:
            s.setValue("lastRun", self.last_run)
        try:
            s.setValue("config", self.build_config().to_json())
        except ConfigError:
            pass
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the engine (it saves the run on the way out), wait for every thread, keep the settings."""
        self.sweep.drop_waiting()  # nothing new starts; once the engine has saved the run, sweep.json says so
        self._settings_timer.stop()
        self.controller.shutdown()
        self.sweep.end()
        self.save_settings()
        self.status.stop()
        for dialog in self.findChildren(QDialog):  # messages and dialogs of this window must not outlive it
            dialog.close()
        super().closeEvent(event)
