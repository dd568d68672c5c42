"""The runs browser finds real runs on disk and puts one labelled point per run on the trade-off plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.compare import list_runs
from engine.config import RunConfig
from engine.data import load_digits
from engine.messages import RunFinished
from engine.trainer import train
from gui.runs_browser import RunsBrowser


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    digits = load_digits(RunConfig().data)
    finished = {}
    for name, lam, eps in (("a-standard", 0.0, 0.1), ("b-robust", 1.0, 0.1), ("c-other", 1.0, 0.2)):
        cfg = RunConfig().with_changes(
            {
                "model.name": "seed-cnn",
                "attack.name": "fgsm-rs",
                "attack.eps": eps,
                "train.lam": lam,
                "train.epochs": 2,
                "train.lr": 3e-3,
                "train.gallery_every": 0,
                "train.eval_steps": 3,
            }
        )
        last = list(train(cfg, run_dir=root / name, dataset=digits))[-1]
        assert isinstance(last, RunFinished)
        finished[name] = last
    (root / "not-a-run").mkdir()
    return root, finished


def test_list_runs_reads_settings_and_results(two_runs):
    root, finished = two_runs
    summaries = list_runs(root)
    assert [s.name for s in summaries] == ["a-standard", "b-robust", "c-other"]
    for s in summaries:
        assert s.clean_accuracy == pytest.approx(finished[s.name].clean_accuracy)
        assert s.robust_accuracy == pytest.approx(finished[s.name].robust_accuracy)
        assert s.status == "completed"
    assert [(s.lam, s.eps) for s in summaries] == [(0.0, 0.1), (1.0, 0.1), (1.0, 0.2)]
    assert summaries[0].comparable == summaries[1].comparable != summaries[2].comparable


def test_only_comparable_runs_share_the_trade_off_plot(qtbot, two_runs):
    """Runs measured at another ε are another quantity: the selector offers each group, the plot shows one;
    labels say what differs (λ and time), and a run renamed in the table keeps its name on disk."""
    root, finished = two_runs
    browser = RunsBrowser(root)
    qtbot.addWidget(browser)
    browser.show()
    assert browser.group.count() == 2 and browser.group.isVisible()
    assert "26/255 (0.10)" in browser.group.itemText(browser.group_keys.index(("digits", 3, 0.1)))
    browser.table.selectRow(0)  # a-standard: its group is shown
    points = browser.points()
    assert len(points) == 2
    assert all(label.startswith("λ ") for _x, _y, label in points)
    for name, lam in (("a-standard", 0), ("b-robust", 1)):
        run = finished[name]
        x, y, _ = next(p for p in points if p[2].startswith(f"λ {lam} "))
        assert x == pytest.approx(run.clean_accuracy) and y == pytest.approx(run.robust_accuracy)
    assert browser.table.rowCount() == 3 and browser.table.item(1, 4).text() == "1"
    assert browser.table.item(2, 5).text() == "51/255 (0.20)"  # ε as everywhere: grey levels and fraction
    browser.group.setCurrentIndex(browser.group_keys.index(("digits", 3, 0.2)))
    assert [p[:2] for p in browser.points()] == [
        pytest.approx((finished["c-other"].clean_accuracy, finished["c-other"].robust_accuracy))
    ]
    browser.table.selectRow(1)
    assert '"lam": 1.0' in browser.settings_view.toPlainText()
    selected = browser.selected.getData()
    assert (float(selected[0][0]), float(selected[1][0])) == pytest.approx(
        (finished["b-robust"].clean_accuracy, finished["b-robust"].robust_accuracy)
    )
    # Renaming: double-click the name, type, Enter; stored in the run folder, shown on the plot.
    assert "seed-cnn" in browser.table.item(1, 0).text() and "λ 1" in browser.table.item(1, 0).text()
    browser.table.item(1, 0).setText("my robust one")
    assert (root / "b-robust" / "title.txt").read_text(encoding="utf-8") == "my robust one"
    assert any(p[2] == "my robust one" for p in browser.points())
    assert RunsBrowser(root).table.item(1, 0).text() == "my robust one"
    browser.table.item(1, 0).setText("")  # back to the generated name
    assert not (root / "b-robust" / "title.txt").exists()


def test_export_report_of_the_selected_run(qtbot, two_runs, tmp_path):
    from gui.controller import TrainingController

    root, _ = two_runs
    controller = TrainingController(root)  # the engine process writes the report
    browser = RunsBrowser(root, request=controller.request)
    qtbot.addWidget(browser)
    assert not browser.report_button.isEnabled()
    browser.table.selectRow(0)
    assert browser.report_button.isEnabled() and browser.selected_run().name == "a-standard"
    with qtbot.waitSignal(browser.reportWritten, timeout=60_000) as written:
        browser.export_report(browser.selected_run(), tmp_path / "r.html")
    text = Path(written.args[0]).read_text(encoding="utf-8")
    assert "<svg" in text and "data:image/png;base64," in text and (tmp_path / "r.csv").is_file()
    controller.shutdown()


def test_a_seeded_grid_shows_each_setting_as_mean_with_error_bars(qtbot, tmp_path):
    """Runs that differ only by seed (a sweep with --seeds) become one diamond per setting at their mean,
    with ± one standard deviation on both axes, and the note under the plot gives mean ± sd and the seeds."""
    from engine.compare import group_by_setting
    from engine.sweep import make_plan
    from engine.sweep_runner import run_sweep

    base = RunConfig().with_changes(
        {"train.epochs": 2, "train.eval_size": 200, "train.eval_steps": 3, "train.threads": 1, "train.gallery_every": 0}
    )
    run_sweep(make_plan(base, {"train.lam": [0.0, 1.0]}, [0, 1, 2]), tmp_path / "grid")
    browser = RunsBrowser(tmp_path)
    qtbot.addWidget(browser)
    browser.show()
    assert browser.table.rowCount() == 6 and len(browser.points()) == 6  # every run is still a point
    assert sorted(browser.table.item(r, 9).text() for r in range(6)) == ["0", "0", "1", "1", "2", "2"]
    expected = group_by_setting(list_runs(tmp_path))
    drawn = browser.spread_points()
    assert len(drawn) == 2 and [d[4] for d in drawn] == [3, 3]
    for (cm, rm, cs, rs, _n), g in zip(drawn, expected, strict=True):
        assert (cm, rm, cs, rs) == pytest.approx((g.clean_mean, g.robust_mean, g.clean_sd, g.robust_sd))
    bars = browser.spread.opts
    assert list(bars["height"]) == pytest.approx([2 * g.robust_sd for g in expected])
    assert "±" in browser.spread_note.text() and "3 seeds" in browser.spread_note.text()
    assert sum("mean of 3 seeds" in item.textItem.toPlainText() for item in browser.labels) == 2


def test_trials_written_by_another_process_arrive_by_themselves(qtbot, tmp_path):
    """A sweep run elsewhere (main.py sweep, or Ray workers) into the runs folder: its trials appear in the
    open Runs tab as they finish, without pressing Refresh."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    browser = RunsBrowser(tmp_path)
    qtbot.addWidget(browser)
    browser.show()
    assert browser.table.rowCount() == 0
    command = [sys.executable, str(ROOT / "main.py"), "sweep", "--lambda", "0,1", "--epochs", "1", "--quiet"]
    proc = subprocess.Popen([*command, "--eval-size", "100", "--threads", "1", "--out", str(tmp_path / "grid")])
    try:
        qtbot.waitUntil(lambda: browser.table.rowCount() >= 1, timeout=60_000)
        assert proc.wait(timeout=120) == 0
        qtbot.waitUntil(
            lambda: browser.table.rowCount() == 2 and all(s.status == "completed" for s in browser.summaries),
            timeout=10_000,
        )
    finally:
        if proc.poll() is None:
            proc.kill()
