"""Per-image critical ε (engine.evaluate.critical_eps): the smallest ε of a grid at which PGD breaks an image."""

from __future__ import annotations

import csv
import math
import re

import numpy as np
import pytest
import torch

from engine.checkpoints import load_model
from engine.config import AttackConfig
from engine.demo import demo_model_dir
from engine.evaluate import correct_mask, critical_eps, robust_mask
from engine.messages import CriticalEps

GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
PGD = AttackConfig("pgd", eps=0.3, steps=20)


@pytest.fixture(scope="module")
def shipped():
    return {kind: load_model(demo_model_dir(kind))[1].eval() for kind in ("standard", "robust")}


def test_the_robust_model_falls_at_a_larger_eps(shipped, digits) -> None:
    x, y = digits.test_x, digits.test_y
    medians = {}
    for kind, model in shipped.items():
        torch.manual_seed(0)
        medians[kind] = critical_eps(model, x, y, GRID, PGD).median
    print(medians)
    assert medians["robust"] > medians["standard"] + 0.05


def test_each_critical_eps_agrees_with_direct_attacks_just_below_and_at_it(shipped, digits) -> None:
    """At its critical ε an image breaks; at the grid ε just below it survives. Separate direct PGD runs
    (other random starts) are compared with it on exactly those image-ε pairs: they must disagree with the
    bisection no more often than two direct runs with different seeds disagree with each other (PGD's own
    noise near an image's boundary; measured: 30 and 34 of 382 pairs)."""
    model, x, y = shipped["standard"], digits.test_x[:200], digits.test_y[:200]
    torch.manual_seed(0)
    result = critical_eps(model, x, y, GRID, PGD)
    correct = correct_mask(model, x, y)
    assert ((result.index == -1) == ~correct.numpy()).all()
    against_bisection = between_runs = total = 0
    for k, eps in enumerate(GRID):
        cfg = AttackConfig("pgd", eps=eps, steps=20)
        torch.manual_seed(1)
        first = robust_mask(model, x, y, cfg).numpy()
        torch.manual_seed(2)
        second = robust_mask(model, x, y, cfg).numpy()
        at = result.index == k  # critical ε is ε_k: broken at ε_k
        below = result.index == k + 1  # critical ε is ε_{k+1}: survives ε_k
        against_bisection += int(first[at].sum() + (~first[below]).sum())
        between_runs += int((first[at | below] != second[at | below]).sum())
        total += int(at.sum() + below.sum())
    assert total > 150
    assert against_bisection <= between_runs + 0.02 * total, (against_bisection, between_runs, total)
    assert against_bisection <= 0.12 * total


def test_values_median_histogram_and_order() -> None:
    r = CriticalEps("pgd", (0.1, 0.2), np.array([-1, 0, 1, 2, 2]), np.zeros(5, np.int64))
    assert list(r.values) == [0.0, 0.1, 0.2, math.inf, math.inf]
    assert r.median == 0.2
    d = r.to_dict()
    assert d["histogram"] == [1, 1] and d["not_broken_on_grid"] == 2 and d["wrong_before_attack"] == 1
    assert list(r.order()) == [0, 1, 2, 3, 4]
    mostly_unbroken = CriticalEps("pgd", (0.1,), np.array([1, 1, 0]), np.zeros(3, np.int64))
    assert mostly_unbroken.to_dict()["median_critical_eps"] is None


def test_a_grid_without_positive_eps_is_refused(shipped, digits) -> None:
    from engine.config import ConfigError

    with pytest.raises(ConfigError, match="above 0"):
        critical_eps(shipped["standard"], digits.test_x[:4], digits.test_y[:4], (0.0,), PGD)


def test_evaluate_writes_the_critical_eps_csv(tmp_path) -> None:
    from .test_cli import last_json, run_cli

    out = tmp_path / "critical.csv"
    d = last_json(
        run_cli(
            "evaluate", str(demo_model_dir("robust")), "--eps", "0.2", "--steps", "10", "--no-sanity",
            "--limit-holdout", "120", "--critical-eps", str(out), "--report", str(tmp_path / "report.html"),
        )
    )  # fmt: skip
    summary = d["critical_eps"]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == summary["n"] == 120
    assert summary["eps_grid"] == pytest.approx([0.4 * k / 8 for k in range(1, 9)])
    values = sorted(float(r["critical_eps"]) for r in rows)
    median = summary["median_critical_eps"]
    assert median is None or median == pytest.approx(float(np.median(values)))
    first = summary["first_to_fall"][0]
    assert float(rows[first]["critical_eps"]) == values[0]
    assert sum(summary["histogram"]) + summary["not_broken_on_grid"] + summary["wrong_before_attack"] == 120
    # The report draws the same histogram: one bar per grid ε, plus "wrong" and "never", and the median line.
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    bars = [int(c) for c in re.findall(r'class="bar" data-count="(\d+)"', page)]
    assert bars == [summary["wrong_before_attack"], *summary["histogram"], summary["not_broken_on_grid"]]
    assert page.count('class="median"') == 1 and "These digits fall first" in page
    assert run_cli("evaluate", str(demo_model_dir("robust")), "--no-sanity", "--critical-eps", str(tmp_path / "x.txt"),
                   check=False).returncode == 2  # fmt: skip


def test_the_window_curve_carries_the_critical_eps_it_was_drawn_from(shipped, digits) -> None:
    """The Robustness tab's curve (grid from ε = 0) and its histogram are one measurement: PGD's accuracy at
    each ε is the share of images whose critical ε lies above it; the examples are the first and last to fall."""
    from engine.suite import FALL_EXAMPLES, suite_eps_curve

    x, y = digits.test_x[:120], digits.test_y[:120]
    curve = suite_eps_curve(shipped["robust"], x, y, ("fgsm", "pgd"), (0.0, *GRID), steps=10)
    critical = curve.critical
    assert critical is not None and critical.eps == GRID and len(critical.index) == 120
    for k, eps in enumerate(GRID):
        assert curve.accuracy["pgd"][k + 1] == pytest.approx(float((critical.index > k).mean())), eps
    assert len(critical.first_index) == FALL_EXAMPLES and critical.first_images.shape == (FALL_EXAMPLES, 1, 8, 8)
    first, last = critical.index[list(critical.first_index)], critical.index[list(critical.last_index)]
    assert (first >= 0).all() and first.max() <= last.min()
    np.testing.assert_array_equal(critical.first_images[0], x[critical.first_index[0]].numpy())
    assert suite_eps_curve(shipped["robust"], x, y, ("fgsm",), (0.0, 0.1)).critical is None  # no PGD, no histogram
