"""Attribution maps (engine.saliency, Captum underneath) and the inside-the-strokes fraction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.checkpoints import load_model
from engine.demo import demo_model_dir
from engine.saliency import METHODS, attribution, explain_pair, inside_fraction, saliency_summary, stroke_mask


@pytest.fixture(scope="module")
def shipped():
    return {kind: load_model(demo_model_dir(kind))[1].eval() for kind in ("standard", "robust")}


def test_input_gradient_is_the_gradient_of_the_class_score(shipped, digits) -> None:
    model, x, y = shipped["standard"], digits.test_x[:16], digits.test_y[:16]
    maps = attribution(model, x, y, "gradient").maps
    xg = x.clone().requires_grad_(True)
    model(xg).gather(1, y[:, None]).sum().backward()
    torch.testing.assert_close(maps, xg.grad.abs().sum(1), rtol=1e-5, atol=1e-7)


def test_integrated_gradients_give_black_pixels_nothing(shipped, digits) -> None:
    """From a black baseline a pixel's share is its value times the path's gradient: a black pixel
    cannot carry any, whatever the model (a check that the baseline is the one the docs say)."""
    x, y = digits.test_x[:16], digits.test_y[:16]
    maps = attribution(shipped["robust"], x, y, "integrated-gradients").maps
    assert float(maps[x[:, 0] == 0].abs().max()) == 0.0
    assert float(maps.sum()) > 0


def test_smoothgrad_is_fixed_by_its_seed_and_leaves_the_global_generator_alone(shipped, digits) -> None:
    x, y = digits.test_x[:8], digits.test_y[:8]
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = attribution(shipped["standard"], x, y, "smoothgrad", seed=5).maps
    after = torch.rand(1)
    b = attribution(shipped["standard"], x, y, "smoothgrad", seed=5).maps
    c = attribution(shipped["standard"], x, y, "smoothgrad", seed=6).maps
    assert torch.equal(before, after)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_inside_fraction_counts_the_mass_on_the_strokes() -> None:
    x = torch.zeros(3, 1, 4, 4)
    x[:, 0, 1:3, 1:3] = 0.9  # 4 stroke pixels of 16
    x[:, 0, 0, 0] = 0.5  # mid-grey exactly: not a stroke
    on = stroke_mask(x).float()
    maps = torch.stack([on[0] * 2.0, torch.ones(4, 4), torch.zeros(4, 4)])
    np.testing.assert_allclose(inside_fraction(maps, x).numpy(), [1.0, 4 / 16, 0.0])


def test_explain_pair_has_every_method_image_and_class(shipped, digits) -> None:
    x, y = digits.test_x[0], int(digits.test_y[0])
    panel = explain_pair(shipped["standard"], "standard", x, torch.zeros_like(x) + 0.5, y)
    assert panel.methods == METHODS
    assert panel.maps.shape == (3, 2, 2, 8, 8) and panel.inside.shape == (3, 2, 2)
    assert not panel.maps.flags.writeable
    np.testing.assert_allclose(panel.maps.reshape(12, -1).max(1), 1.0)  # each map scaled to its own maximum
    assert panel.predictions[0] == y  # the shipped model gets this digit right
    # Explaining the true class or the predicted one is the same map when they agree.
    np.testing.assert_array_equal(panel.maps[:, 0, 0], panel.maps[:, 0, 1])


def test_robust_model_attributes_more_to_the_strokes_than_the_standard_one(shipped, digits) -> None:
    """The issue's quantitative line, on the embedded digits' held-out set (figures in README)."""
    summary = saliency_summary(list(shipped.items()), digits.test_x, digits.test_y)
    table = dict(zip(summary.models, summary.inside, strict=True))
    print(summary.to_dict())
    ig = METHODS.index("integrated-gradients")
    assert table["robust"][ig] > table["standard"][ig] + 0.03
    assert summary.n == len(digits.test_x) and 0.2 < summary.chance < 0.4
    # Every map puts more on the strokes than an even spread would.
    assert min(min(row) for row in summary.inside) > summary.chance


def test_compare_measures_where_the_models_look_and_reports_it(tmp_path) -> None:
    from .test_cli import last_json, run_cli

    runs = [str(demo_model_dir(k)) for k in ("standard", "robust")]
    report = tmp_path / "cmp.html"
    out = last_json(run_cli("compare", *runs, "--saliency", "--report", str(report)))
    shares = out["saliency"]["inside_fraction"]
    assert set(shares) == {"digits-standard", "digits-robust"}
    assert shares["digits-robust"]["integrated-gradients"] > shares["digits-standard"]["integrated-gradients"]
    assert out["saliency"]["n"] == 200
    page = report.read_text(encoding="utf-8")
    assert "What the models look at" in page and page.count("<table class='maps'>") == 1
    assert page.count("data:image/png") >= 4 * (1 + 2 * 3)  # 4 digits, each with 2 models × 3 maps
    rows = report.with_suffix(".csv").read_text(encoding="utf-8")
    assert "saliency,digits-robust,integrated-gradients," in rows
