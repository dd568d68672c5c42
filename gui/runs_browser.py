"""The runs browser: every run under the runs folder with its settings and results; the trade-off
scatter plot of clean against robust accuracy (one point per run, labelled with λ and ε); the selected
runs' curves overlaid; the transfer matrix between them; reports; and the λ-sweep that queues runs.

Reading the folder is engine code that knows nothing of Qt (``engine.compare``); the widget shows its
result and emits the user's wishes (sweep, transfer) for the main window's controller to carry out.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from engine.compare import (
    RunSummary,
    SettingGroup,
    group_by_setting,
    list_runs,
    pm_text,
    run_history,
    set_run_title,
    setting_labels,
)
from engine.gallery_images import eps_text
from gui import i18n
from gui.compare_view import OverlayView, TransferView
from gui.experiment import narrow_combo

WIDE_PX = 860  # narrower than this, the table goes above the plots
NARROW_PX = 380

COLUMNS = (
    QT_TRANSLATE_NOOP("RunsBrowser", "Run"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Dataset"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Model"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Attack"),
    "λ",
    "ε",
    QT_TRANSLATE_NOOP("RunsBrowser", "Clean"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Robust"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Status"),
    QT_TRANSLATE_NOOP("RunsBrowser", "Seed"),
)
# The table's cells in the window's language (English: the run folder's own words, unchanged).
CELL_TEXT = (
    QT_TRANSLATE_NOOP("RunsBrowser", "completed"),
    QT_TRANSLATE_NOOP("RunsBrowser", "stopped"),
    QT_TRANSLATE_NOOP("RunsBrowser", "interrupted"),
    QT_TRANSLATE_NOOP("RunsBrowser", "unfinished"),
    QT_TRANSLATE_NOOP("RunsBrowser", "finished"),
    QT_TRANSLATE_NOOP("RunsBrowser", "failed"),
    QT_TRANSLATE_NOOP("RunsBrowser", "digits"),
    QT_TRANSLATE_NOOP("RunsBrowser", "mnist"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fashion-mnist"),
    QT_TRANSLATE_NOOP("RunsBrowser", "cifar10"),
    QT_TRANSLATE_NOOP("RunsBrowser", "folder"),
    QT_TRANSLATE_NOOP("RunsBrowser", "seed-cnn"),
    QT_TRANSLATE_NOOP("RunsBrowser", "mlp"),
    QT_TRANSLATE_NOOP("RunsBrowser", "small-cnn"),
    QT_TRANSLATE_NOOP("RunsBrowser", "resnet"),
    QT_TRANSLATE_NOOP("RunsBrowser", "none"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fgsm"),
    QT_TRANSLATE_NOOP("RunsBrowser", "fgsm-rs"),
    QT_TRANSLATE_NOOP("RunsBrowser", "pgd"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("RunsBrowser", text)


def run_title(s: RunSummary, generated: bool = False) -> str:
    """A run's name as the Runs tab shows it: the person's own, else model · attack · ε · λ · time."""
    if s.title and not generated:
        return s.title
    parts = [_tr(s.model), _tr(s.attack), f"ε {eps_text(s.eps)}", f"λ {s.lam:g}", s.time_text]
    return " · ".join(p for p in parts if p)


def point_label(s: RunSummary) -> str:
    """A trade-off point's label: what differs between comparable runs (their ε and dataset are the
    group's): the person's name for the run, or λ and the time it was made."""
    return s.title or " · ".join(p for p in (f"λ {s.lam:g}", s.time_text) if p)


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%" if math.isfinite(v) else "–"


class RunsBrowser(QWidget):
    """Table of runs and their settings; trade-off, overlaid curves and transfer of the selected runs."""

    sweepRequested = Signal(str)  # the λ values as typed
    gridRequested = Signal()  # the Sweep dialog: a grid of knobs × seeds
    sweepCancelRequested = Signal()
    transferRequested = Signal(tuple, str, float, int, int)  # run folders, attack, ε, PGD steps, images

    reportWritten = Signal(str)  # the HTML file, once the engine has written it

    def __init__(self, root: str | Path | None = None, parent: QWidget | None = None, request=None):
        """``request``: the controller's ``request`` (reports are written by the engine process, which
        re-attacks a few images for them)."""
        super().__init__(parent)
        self.root = Path(root) if root else None
        self.request = request
        self.summaries: list[RunSummary] = []
        self.labels: list[pg.TextItem] = []
        self.point_labels: list[str] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # A run's name (first column) is edited in place: double-click or F2; the other cells are read-only.
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip(
            self.tr(
                "Every run in the runs folder. Ctrl- or Shift-click to select several and compare them; "
                "double-click a run's name to rename it."
            )
        )
        self.settings_view = QPlainTextEdit()
        self.settings_view.setReadOnly(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the runs folder again (F5)"))
        self.refresh_button.setShortcut("F5")
        self.report_button = QPushButton(self.tr("Export report…"))
        self.report_button.setToolTip(
            self.tr(
                "Write the selected run's settings, curves and adversarial examples as an "
                "HTML report (with a CSV of every number beside it)"
            )
        )
        self.report_button.setEnabled(False)
        self.compare_button = QPushButton(self.tr("Compare report…"))
        self.compare_button.setToolTip(
            self.tr(
                "Write an HTML report comparing the selected runs: settings, the trade-off "
                "plot, their curves overlaid and the transfer matrix if measured"
            )
        )
        self.compare_button.setEnabled(False)

        self.lambdas = QLineEdit("0, 0.25, 0.5, 1")
        self.lambdas.setToolTip(
            self.tr(
                "The λ values to train with, separated by commas. λ is the weight of the attacked "
                "images in the training loss: 0 is ordinary training."
            )
        )
        self.sweep_button = QPushButton(self.tr("Sweep λ"))
        self.sweep_button.setObjectName("primaryButton")
        self.sweep_button.setToolTip(
            self.tr(
                "Train one run per λ, one after another, with all other settings taken from "
                "the panel on the left. Each finished run becomes a point on the trade-off "
                "plot, so you see what robustness costs in accuracy."
            )
        )
        self.grid_button = QPushButton(self.tr("&Grid…"))
        self.grid_button.setToolTip(
            self.tr(
                "Build a grid: several values for λ, ε, the attack, the model, the regularisation and more, "
                "each setting trained with one or more seeds; shows how many runs it means and about how long."
            )
        )
        self.sweep_cancel = QPushButton(self.tr("Cancel sweep"))
        self.sweep_cancel.setToolTip(self.tr("Stop the running sweep run and drop the runs still waiting"))
        self.sweep_cancel.setEnabled(False)
        self.sweep_status = QLabel("")

        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", self.tr("clean accuracy"))
        self.plot.setLabel("left", self.tr("robust accuracy"))
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)  # accuracies, not "×0.001" multiples
        self.scatter = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(31, 119, 180, 200), pen=pg.mkPen("k"))
        self.selected = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(0, 0, 0, 0), pen=pg.mkPen("r", width=2))
        # Runs that differ only by seed: their mean, with ± one standard deviation on both axes.
        self.spread = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), pen=pg.mkPen((214, 39, 40), width=1.5), beam=0.004)
        self.means = pg.ScatterPlotItem(size=14, symbol="d", brush=pg.mkBrush(214, 39, 40, 220), pen=pg.mkPen("k"))
        self.groups: list[SettingGroup] = []
        self.group_labels: list[str] = []
        self.plot.addItem(self.scatter)
        self.plot.addItem(self.spread)
        self.plot.addItem(self.means)
        self.plot.addItem(self.selected)
        self.spread_note = QLabel("")
        self.spread_note.setWordWrap(True)
        self.overlay = OverlayView()
        self.transfer = TransferView()
        self.views = QTabWidget()
        # Only comparable runs share the trade-off plot (same dataset, check attack and ε): robust accuracy
        # measured another way is another quantity. The selector chooses which of them are shown.
        self.group = QComboBox()
        self.group.setToolTip(self.tr("Runs measured the same way (dataset, attack and ε) share one plot"))
        narrow_combo(self.group, 16)
        self.group_keys: list[tuple] = []
        trade_off = QWidget()
        trade_layout = QVBoxLayout(trade_off)
        trade_layout.setContentsMargins(0, 0, 0, 0)
        trade_layout.addWidget(self.group)
        trade_layout.addWidget(self.plot, 1)
        trade_layout.addWidget(self.spread_note)
        self.views.addTab(trade_off, self.tr("Trade-off"))
        self.views.addTab(self.overlay, self.tr("Curves"))
        self.views.addTab(self.transfer, self.tr("Transfer"))

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for w in (self.refresh_button, self.report_button, self.compare_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        sweep = QHBoxLayout()
        sweep.addWidget(QLabel(self.tr("λ values:")))
        sweep.addWidget(self.lambdas, 1)
        sweep.addWidget(self.sweep_button)
        sweep.addWidget(self.grid_button)
        sweep.addWidget(self.sweep_cancel)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 3)
        left_layout.addLayout(sweep)
        left_layout.addWidget(self.sweep_status)
        left_layout.addWidget(self.settings_view, 2)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.views)
        splitter.setSizes([520, 520])
        splitter.setMinimumWidth(NARROW_PX)  # below WIDE_PX the two sit one above the other (resizeEvent)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.compare_button.clicked.connect(self._on_compare_clicked)
        self.sweep_button.clicked.connect(lambda: self.sweepRequested.emit(self.lambdas.text()))
        self.lambdas.returnPressed.connect(self.sweep_button.click)
        self.sweep_cancel.clicked.connect(self.sweepCancelRequested.emit)
        self.grid_button.clicked.connect(self.gridRequested.emit)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemChanged.connect(self._on_item_changed)
        self.group.currentIndexChanged.connect(lambda _i: self._draw_points())
        self.scatter.sigClicked.connect(self._on_point_clicked)
        self.transfer.runRequested.connect(self._on_transfer_requested)
        # Runs arriving from elsewhere (main.py sweep, a Ray cluster writing into the runs folder) show up by
        # themselves: the runs folder and each sweep folder in it are watched, and the list is read again
        # (at most once a second) while the tab is on screen.
        self.watcher = QFileSystemWatcher(self)
        self._reread = QTimer(self, singleShot=True, interval=1000)
        self._reread.timeout.connect(self._refresh_if_shown)
        self.watcher.directoryChanged.connect(lambda _path: self._reread.start())
        self.refresh()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()

    def _watch(self) -> None:
        """Watch the runs folder and the sweep folders in it (new ones as they appear)."""
        from engine.compare import SWEEP_FILE
        from engine.runs import default_runs_root

        root = self.root or default_runs_root()
        if not root.is_dir():
            return
        folders = [root] + [p for p in root.iterdir() if (p / SWEEP_FILE).is_file()]
        new = [str(p) for p in folders if str(p) not in self.watcher.directories()]
        if new:
            self.watcher.addPaths(new)

    def refresh(self) -> None:
        chosen = {r.path for r in self.selected_runs()}
        self.summaries = list_runs(self.root)
        self._watch()
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self.summaries))
        for row, s in enumerate(self.summaries):
            values = (
                run_title(s),
                _tr(s.dataset),
                _tr(s.model),
                _tr(s.attack),
                f"{s.lam:g}",
                eps_text(s.eps),
                _pct(s.clean_accuracy),
                _pct(s.robust_accuracy),
                _tr(s.status),
                str(s.seed),
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(s.path)
                else:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        self._fill_groups(chosen)
        self._select(lambda s: s.path in chosen)
        self.table.blockSignals(False)
        self._draw_points()
        self._on_selection()

    def _fill_groups(self, chosen: set[str]) -> None:
        """The selector's entries: one per way of measuring, newest first; the chosen runs' (or the newest
        run's) is shown unless the person picked another that still exists."""
        previous = (
            self.group_keys[self.group.currentIndex()]
            if 0 <= self.group.currentIndex() < len(self.group_keys)
            else None
        )
        groups: dict[tuple, list[RunSummary]] = {}
        for s in sorted((s for s in self.summaries if s.has_point), key=lambda s: -s.started):
            groups.setdefault(s.comparable, []).append(s)
        self.group_keys = list(groups)
        with signals_blocked(self.group):
            self.group.clear()
            for key, members in groups.items():
                dataset, steps, eps = key
                self.group.addItem(
                    self.tr("%1 · PGD-%2 at ε = %3 · %4 runs")
                    .replace("%1", _tr(dataset))
                    .replace("%2", str(steps))
                    .replace("%3", eps_text(eps))
                    .replace("%4", str(len(members)))
                )
            wanted = next((s.comparable for s in self.summaries if s.path in chosen and s.has_point), previous)
            index = self.group_keys.index(wanted) if wanted in self.group_keys else 0
            self.group.setCurrentIndex(index if self.group_keys else -1)
        self.group.setVisible(len(self.group_keys) > 1)

    def _draw_points(self) -> None:
        """The chosen group's runs as points; runs at (nearly) the same place share one label."""
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels, self.point_labels = [], []
        index = self.group.currentIndex()
        key = self.group_keys[index] if 0 <= index < len(self.group_keys) else None
        shown = [(row, s) for row, s in enumerate(self.summaries) if s.has_point and s.comparable == key]
        xs = [s.clean_accuracy for _row, s in shown]
        middle = (min(xs) + max(xs)) / 2 if xs else 0.5
        placed: list[tuple[float, float, pg.TextItem, list[str]]] = []
        spots = []
        self.groups = [g for g in group_by_setting([s for _row, s in shown]) if g.n > 1]
        in_group = {m.path for g in self.groups for m in g.members}
        self.group_labels = setting_labels(self.groups)
        self._draw_spread()
        for g, name in zip(self.groups, self.group_labels, strict=True):  # one label per seeded setting, at its mean
            text = self.tr("%1 · mean of %2 seeds").replace("%1", name).replace("%2", str(g.n))
            item = pg.TextItem(text, color=(160, 20, 20), anchor=(1.05, 1) if g.clean_mean > middle else (-0.05, 1))
            item.setPos(g.clean_mean, g.robust_mean)
            self.plot.addItem(item)
            self.labels.append(item)
        for row, s in shown:
            spots.append({"pos": (s.clean_accuracy, s.robust_accuracy), "data": row})
            text = point_label(s)
            self.point_labels.append(text)
            if s.path in in_group:
                continue  # its setting's mean carries the label
            near = next(
                (p for p in placed if abs(p[0] - s.clean_accuracy) < 0.004 and abs(p[1] - s.robust_accuracy) < 0.004),
                None,
            )
            if near is not None:  # on top of another point: one label for both
                near[3].append(text)
                near[2].setText(near[3][0] + (f"  (+{len(near[3]) - 1})" if len(near[3]) > 1 else ""))
                continue
            # Labels point away from the middle of the cloud so that the ones at the edges stay in view.
            item = pg.TextItem(text, color="k", anchor=(1.05, 1) if s.clean_accuracy > middle else (-0.05, 1))
            item.setPos(s.clean_accuracy, s.robust_accuracy)
            self.plot.addItem(item)
            self.labels.append(item)
            placed.append((s.clean_accuracy, s.robust_accuracy, item, [text]))
        self.scatter.setData(spots)
        self._fit_view([s for _row, s in shown])
        self._show_selected_points()

    def _draw_spread(self) -> None:
        """Error bars (± one standard deviation over the seeds, both axes) and the mean of each setting
        that was trained with several seeds; the note under the plot says what they are."""
        groups = self.groups
        self.spread.setData(
            x=np.array([g.clean_mean for g in groups]),
            y=np.array([g.robust_mean for g in groups]),
            width=np.array([2 * g.clean_sd for g in groups]),
            height=np.array([2 * g.robust_sd for g in groups]),
        )
        self.means.setData([{"pos": (g.clean_mean, g.robust_mean)} for g in groups])
        if not groups:
            self.spread_note.setText("")
            return
        lines = [
            self.tr("%1: clean %2, robust %3 (%4 seeds)")
            .replace("%1", name)
            .replace("%2", pm_text(g.clean_mean, g.clean_sd))
            .replace("%3", pm_text(g.robust_mean, g.robust_sd))
            .replace("%4", str(g.n))
            for g, name in zip(groups[:4], self.group_labels[:4], strict=True)
        ]
        self.spread_note.setText(
            self.tr("Diamonds: the mean of runs that differ only by seed; bars: ± one standard deviation.")
            + "\n"
            + "\n".join(lines)
        )

    def spread_points(self) -> list[tuple[float, float, float, float, int]]:
        """(clean mean, robust mean, clean sd, robust sd, seeds) of each setting drawn with error bars."""
        return [(g.clean_mean, g.robust_mean, g.clean_sd, g.robust_sd, g.n) for g in self.groups]

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        """A run renamed in the table: keep the name in its folder (an empty name brings back the generated one)."""
        if item.column() != 0 or not (0 <= item.row() < len(self.summaries)):
            return
        run = self.summaries[item.row()]
        try:
            set_run_title(run.path, item.text() if item.text() != run_title(run, generated=True) else "")
        except OSError as exc:
            QMessageBox.warning(self, self.tr("The name could not be saved"), str(exc))
        self.refresh()

    def _fit_view(self, shown: list[RunSummary]) -> None:
        """Zoom to the points (runs of one dataset often differ by a few points of clean accuracy), keeping 0-1."""
        if not shown:
            self.plot.setXRange(0, 1)
            self.plot.setYRange(0, 1)
            return
        xs = [s.clean_accuracy for s in shown]
        ys = [s.robust_accuracy for s in shown]
        x_pad = max(0.05, (max(xs) - min(xs)) * 0.4)
        self.plot.setXRange(max(0.0, min(xs) - x_pad), min(1.0, max(xs) + x_pad) + 0.01)
        self.plot.setYRange(0.0, min(1.0, max(ys) + 0.1) + 0.01)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Table beside the plots when there is room, above them when not (a 1024 px screen with the
        Start panel open leaves this tab about 400 px)."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE_PX
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Runs finish while the tab is hidden: read the folder again whenever it is shown."""
        super().showEvent(event)
        self.refresh()

    def points(self) -> list[tuple[float, float, str]]:
        """(clean, robust, label) of every point on the plot, as drawn (a label shared by points on top of
        each other is each one's own here)."""
        xs, ys = self.scatter.getData()
        return [(float(x), float(y), text) for x, y, text in zip(xs, ys, self.point_labels, strict=True)]

    def selected_runs(self) -> list[RunSummary]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.summaries[r] for r in rows if r < len(self.summaries)]

    def selected_run(self) -> RunSummary | None:
        """The selected run when exactly one is selected."""
        chosen = self.selected_runs()
        return chosen[0] if len(chosen) == 1 else None

    def select_runs(self, names: list[str]) -> None:
        """Select the runs with these folder names (what a Ctrl-click on each row does)."""
        self.table.clearSelection()
        self._select(lambda s: s.name in names)

    def _select(self, wanted) -> None:
        model, flags = self.table.selectionModel(), self.table.selectionModel().SelectionFlag
        for row, s in enumerate(self.summaries):
            if wanted(s):
                model.select(self.table.model().index(row, 0), flags.Select | flags.Rows)

    def _on_selection(self) -> None:
        chosen = self.selected_runs()
        keys = {s.comparable for s in chosen if s.has_point}
        if len(keys) == 1 and (key := keys.pop()) in self.group_keys:
            self.group.setCurrentIndex(self.group_keys.index(key))  # the plot shows the selected run's group
        self.report_button.setEnabled(len(chosen) == 1)
        self.compare_button.setEnabled(len(chosen) >= 2)
        self._show_selected_points()
        self.overlay.show_histories([run_history(s.path) for s in chosen])
        if len(chosen) == 1:
            self.settings_view.setPlainText(f"{chosen[0].path}\n\n{chosen[0].settings_json}")
        elif chosen:
            line = self.tr("  %1: %2, %3, clean %4, robust %5")
            self.settings_view.setPlainText(
                self.tr("%1 runs selected:").replace("%1", str(len(chosen)))
                + "\n"
                + "\n".join(
                    line.replace("%1", s.name)
                    .replace("%2", _tr(s.attack))
                    .replace("%3", s.label)
                    .replace("%4", _pct(s.clean_accuracy))
                    .replace("%5", _pct(s.robust_accuracy))
                    for s in chosen
                )
            )
        else:
            self.settings_view.clear()

    def _show_selected_points(self) -> None:
        index = self.group.currentIndex()
        key = self.group_keys[index] if 0 <= index < len(self.group_keys) else None
        self.selected.setData(
            [
                {"pos": (s.clean_accuracy, s.robust_accuracy)}
                for s in self.selected_runs()
                if s.has_point and s.comparable == key
            ]
        )

    def set_sweep_state(self, text: str, running: bool) -> None:
        self.sweep_status.setText(text)
        self.sweep_button.setEnabled(not running)
        self.grid_button.setEnabled(not running)
        self.sweep_cancel.setEnabled(running)

    # ------------------------------------------------------------------ transfer
    def _on_transfer_requested(self, attack: str, eps: float, steps: int, images: int) -> None:
        chosen = self.selected_runs()
        if len(chosen) < 2:
            self.transfer.status.setText(self.tr("Select two or more runs in the table first (Ctrl-click)."))
            return
        self.transferRequested.emit(tuple(s.path for s in chosen), attack, eps, steps, images)

    def transfer_for(self, runs: list[RunSummary]) -> object | None:
        """The last measured transfer matrix, if it was measured on exactly these runs."""
        matrix = self.transfer.matrix
        return matrix if matrix is not None and list(matrix.names) == [s.name for s in runs] else None

    # ------------------------------------------------------------------ reports
    def export_report(self, run: RunSummary, path: str | Path) -> None:
        """Have the engine write the run's HTML report (it attacks a few images for it); ``reportWritten``
        follows."""
        self._write("report", {"run_dir": run.path, "path": str(path), "language": i18n.active_language()})

    def export_comparison(self, chosen: list[RunSummary], path: str | Path) -> None:
        params = {
            "run_dirs": tuple(s.path for s in chosen),
            "path": str(path),
            "transfer": self.transfer_for(chosen),
            "language": i18n.active_language(),  # the report in the window's language
        }
        self._write("comparison_report", params)

    def _ask_path(self, title: str, default: Path) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, str(default), self.tr("HTML report (*.html)"))
        if not path:
            return None
        return path if path.lower().endswith((".html", ".htm")) else path + ".html"

    def _write(self, kind: str, params: dict) -> None:
        if self.request is None:
            return
        self.report_button.setEnabled(False)
        self.compare_button.setEnabled(False)
        self.settings_view.appendPlainText("\n" + self.tr("Writing the report…"))

        def written(path: str) -> None:
            self.settings_view.appendPlainText(self.tr("Report written to %1").replace("%1", path))
            self._on_selection()
            self.reportWritten.emit(path)

        def failed(text: str) -> None:
            self._on_selection()
            QMessageBox.warning(self, self.tr("Report not written"), text)

        self.request(kind, params, written, on_failed=failed)

    def _on_report_clicked(self) -> None:
        run = self.selected_run()
        path = self._ask_path(self.tr("Export report"), Path(run.path) / "report.html") if run else None
        if run and path:
            self.export_report(run, path)

    def _on_compare_clicked(self) -> None:
        chosen = self.selected_runs()
        path = (
            self._ask_path(self.tr("Compare runs"), Path(chosen[0].path).parent / "comparison.html") if chosen else None
        )
        if chosen and path:
            self.export_comparison(chosen, path)

    def _on_point_clicked(self, _item, points, *_args) -> None:
        if len(points):
            self.table.selectRow(int(points[0].data()))
