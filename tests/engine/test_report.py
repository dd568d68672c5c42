"""HTML reports: parse what was written and check the plots, images and numbers inside."""

from __future__ import annotations

import base64
import csv
import io
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import AttackConfig
from engine.gallery_images import gallery_grid
from engine.report import svg_line_plot, write_report, write_run_report
from engine.suite import run_suite, suite_gallery


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _parse(text: str) -> list[tuple[str, dict]]:
    parser = _Collector()
    parser.feed(text)
    parser.close()
    return parser.tags


def test_svg_plot_maps_values_to_the_plot_box():
    svg = svg_line_plot(
        {"a": ([0, 1], [0.0, 1.0]), "b": ([0, 1], [float("nan"), 0.5])},
        "t",
        "ε",
        "acc",
        width=520,
        height=320,
        ylim=(0.0, 1.0),
    )
    tags = _parse(svg)
    lines = [a for t, a in tags if t == "polyline"]
    assert len(lines) == 1 and lines[0]["data-name"] == "a"  # "b" has one finite point: marker only
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in lines[0]["points"].split()]
    box = next(a for t, a in tags if t == "rect")
    left, top, w, h = (float(box[k]) for k in ("x", "y", "width", "height"))
    assert (x0, y0) == (left, top + h) and (x1, y1) == (left + w, top)  # (0, 0) bottom left, (1, 1) top right
    assert sum(t == "circle" for t, _ in tags) == 3


def test_gallery_grid_layout():
    orig = np.zeros((3, 1, 4, 4), np.float32)
    adv = orig + 0.1
    grid = gallery_grid(orig, adv, factor=2, gap=1)
    assert grid.shape == (2 * (3 * 4 + 2), 2 * (3 * 5 - 1), 3) and grid.dtype == np.uint8
    assert list(grid[0, 0]) == [0, 0, 0] and list(grid[-1, 0]) == [26, 26, 26]  # original row, attacked row
    assert list(grid[2 * 4, 0]) == [255, 255, 255]  # the white gap between rows
    # The change (+0.1 everywhere) on the fixed scale, ±64/255 at full colour: 0.1/0.251 of the way to red.
    assert list(grid[2 * 5, 0]) == [255, 174, 169]
    stronger = gallery_grid(orig, orig + 0.2, factor=2, gap=1)[2 * 5, 0]
    assert stronger[1] < 174 and stronger[2] < 169  # twice the change looks stronger (not rescaled per batch)
    assert list(gallery_grid(orig, orig + 0.4, factor=2, gap=1)[2 * 5, 0]) == [255, 51, 38]  # beyond: full red


def test_evaluation_report_opens_with_plots_images_and_numbers(digits_model, digits, tmp_path):
    x, y = digits.test_x[:200], digits.test_y[:200]
    torch.manual_seed(0)
    suite = run_suite(digits_model, x, y, ["fgsm", "pgd", "cw"], [0.05, 0.1], steps=10)
    gallery = suite_gallery(digits_model, x[:6], y[:6], AttackConfig("pgd", 0.1), digits.class_names)
    written = write_report(
        tmp_path / "r" / "report.html",
        title="Test <report>",
        settings={"model": {"name": "x"}},
        suite=suite,
        gallery=gallery,
    )
    text = written["html"].read_text(encoding="utf-8")
    tags = _parse(text)
    assert sum(t == "svg" for t, _ in tags) == 1 and "Test &lt;report&gt;" in text
    series = {a["data-name"] for t, a in tags if t == "polyline"}
    assert series == {"fgsm", "pgd", "cw"}
    images = [a["src"] for t, a in tags if t == "img"]
    assert len(images) == 3 * 6
    first = Image.open(io.BytesIO(base64.b64decode(images[0].split(",", 1)[1])))
    assert first.size == (64, 64)  # 8×8 digits, upscaled
    assert np.array_equal(
        np.asarray(first.convert("L"))[::8, ::8],
        (np.clip(gallery.original[0, 0], 0, 1) * 255 + 0.5).astype(np.uint8),
    )
    badges = [a["class"] for t, a in tags if t == "span" and "badge" in a.get("class", "")]
    assert len(badges) == 5 and "badge skip" in badges  # five checks, transfer skipped (no other model)

    rows = list(csv.DictReader(written["csv"].open(encoding="utf-8")))
    robust = {(r["name"], r["key"]): float(r["value"]) for r in rows if r["section"] == "robust_accuracy"}
    for curve in suite.curves:
        for eps, acc in zip(curve.eps, curve.accuracy, strict=True):
            assert robust[(curve.attack, f"{eps:g}")] == pytest.approx(acc)
    assert {r["name"] for r in rows if r["section"] == "sanity"} == {c.name for c in suite.sanity}
    adv = np.load(written["npy"])
    assert adv.shape == gallery.adversarial.shape and np.array_equal(adv, gallery.adversarial)
    grid = Image.open(written["png"])
    assert grid.size[0] > grid.size[1] > 0


def test_run_report(digits, tmp_path):
    from engine.config import AttackConfig, ModelConfig, RunConfig, TrainConfig
    from engine.trainer import train

    cfg = RunConfig(
        model=ModelConfig("mlp"),
        attack=AttackConfig("fgsm-rs", eps=0.1),
        train=TrainConfig(epochs=2, lam=1.0, gallery_every=0),
    )
    list(train(cfg, run_dir=tmp_path / "run", dataset=digits))
    written = write_run_report(tmp_path / "run", tmp_path / "run" / "report.html", n_gallery=4)
    tags = _parse(written["html"].read_text(encoding="utf-8"))
    titles = [a for t, a in tags if t == "svg"]
    assert len(titles) == 2  # training loss, accuracy per epoch
    assert sum(t == "img" for t, _ in tags) == 3 * 4
    rows = list(csv.DictReader(written["csv"].open(encoding="utf-8")))
    assert any(r["section"] == "setting" and r["name"] == "train.lam" and r["value"] == "1.0" for r in rows)
    assert any(r["section"].startswith("training:") for r in rows)
