"""HTML reports: parse what was written and check the plots, images and numbers inside."""

from __future__ import annotations

import base64
import csv
import io
import re
import string
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from PIL import Image

from engine.catalogue import SANITY_SENTENCES, sentence, t
from engine.catalogue_zh_CN import ZH_CN
from engine.config import AttackConfig
from engine.gallery_images import gallery_grid
from engine.messages import TransferMatrix
from engine.report import svg_line_plot, write_comparison_report, write_report, write_run_report
from engine.suite import run_suite, suite_gallery
from tests.gui.window_audit import LATIN_WORD, latin_words


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


@pytest.fixture(scope="module")
def evaluation(digits_model, digits):
    """A real evaluation of the digits model: suite (with its sanity checks) and a gallery of six."""
    x, y = digits.test_x[:200], digits.test_y[:200]
    torch.manual_seed(0)
    suite = run_suite(digits_model, x, y, ["fgsm", "pgd", "cw"], [0.05, 0.1], steps=10)
    gallery = suite_gallery(digits_model, x[:6], y[:6], AttackConfig("pgd", 0.1), digits.class_names)
    return suite, gallery


@pytest.fixture(scope="module")
def small_runs(digits, tmp_path_factory):
    """Two finished mlp runs on digits (λ = 0 and λ = 1, FGSM-RS), made by the real trainer."""
    from engine.config import ModelConfig, RunConfig, TrainConfig
    from engine.trainer import train

    root = tmp_path_factory.mktemp("runs")
    for name, lam in (("lam0", 0.0), ("run", 1.0)):
        cfg = RunConfig(
            model=ModelConfig("mlp"),
            attack=AttackConfig("fgsm-rs", eps=0.1),
            train=TrainConfig(epochs=2, lam=lam, gallery_every=0),
        )
        list(train(cfg, run_dir=root / name, dataset=digits))
    return root


def test_evaluation_report_opens_with_plots_images_and_numbers(evaluation, tmp_path):
    suite, gallery = evaluation
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


def test_run_report(small_runs, tmp_path):
    written = write_run_report(small_runs / "run", tmp_path / "report.html", n_gallery=4)
    tags = _parse(written["html"].read_text(encoding="utf-8"))
    titles = [a for t, a in tags if t == "svg"]
    assert len(titles) == 2  # training loss, accuracy per epoch
    # the gallery's 4 samples × 3 images, then the saliency section's 4 digits, each beside its 3 maps
    assert sum(t == "img" for t, _ in tags) == 3 * 4 + 4 * (1 + 3)
    rows = list(csv.DictReader(written["csv"].open(encoding="utf-8")))
    shares = {r["key"]: float(r["value"]) for r in rows if r["section"] == "saliency" and r["name"] == "run"}
    assert set(shares) == {"gradient", "smoothgrad", "integrated-gradients"}
    assert all(0 < v <= 1 for v in shares.values())
    assert any(r["section"] == "setting" and r["name"] == "train.lam" and r["value"] == "1.0" for r in rows)
    assert any(r["section"].startswith("training:") for r in rows)


# ---------------------------------------------------------------------------------------------- languages
def _latin_left(text: str, own_values: list[str]) -> list[str]:
    """Latin words a reader sees in a report (tags, styles, scripts and data URIs removed), less the words
    of the run's own values (its folder and file names, identifiers, class names); numbers never count."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    text = re.sub(r"data:[^'\"\s>]+", " ", text)
    own = set(LATIN_WORD.findall(" ".join(own_values)))
    return sorted({w for w in latin_words(text) if w not in own})


def _values(value: object) -> list[str]:
    """The text values (not booleans, not numbers) of nested mappings."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    return [value] if isinstance(value, str) else []


def test_chinese_run_report_has_no_english_and_the_same_numbers(small_runs, tmp_path):
    import json

    from engine.runs import load_config

    run = small_runs / "run"
    torch.manual_seed(0)
    english = write_run_report(run, tmp_path / "en" / "report.html", n_gallery=4)
    torch.manual_seed(0)  # the same attacked images in both
    chinese = write_run_report(run, tmp_path / "zh" / "report.html", n_gallery=4, language="zh_CN")
    en_text = english["html"].read_text(encoding="utf-8")
    zh_text = chinese["html"].read_text(encoding="utf-8")

    assert en_text.startswith("<!DOCTYPE html><html><head>")  # English as it always was
    for part in ("<h2>Settings</h2>", "<th>setting</th><th>value</th>", "<td>train.lam</td>", "<title>Run run</title>"):
        assert part in en_text
    assert "<title>Training loss</title>" in en_text and "Every number: report.csv." in en_text
    assert '<html lang="zh-CN">' in zh_text and "<title>运行记录 run</title>" in zh_text
    assert "对抗样本" in zh_text and "稳健准确率" in zh_text and "<td>λ（被攻击图像的权重）</td>" in zh_text

    own = [
        run.name,
        *(p.name for p in chinese.values()),
        *_values(load_config(run).to_dict()),
        *_values(json.loads((run / "summary.json").read_text(encoding="utf-8"))),
        *(str(n) for n in range(10)),  # the digits' class names
    ]
    assert _latin_left(zh_text, own + ["SmoothGrad Tsipras"]) == [], _latin_left(zh_text, own)
    assert len(_latin_left(en_text, own)) > 30  # the check sees English where there is some

    # The same report otherwise: the same plots, series, images; the CSV keeps its English names.
    en_tags, zh_tags = _parse(en_text), _parse(zh_text)
    assert [t for t, _ in en_tags] == [t for t, _ in zh_tags]
    assert [a.get("data-name") for _, a in en_tags] == [a.get("data-name") for _, a in zh_tags]
    assert [a.get("src") for _, a in en_tags] == [a.get("src") for _, a in zh_tags]
    assert chinese["csv"].read_bytes() == english["csv"].read_bytes()
    assert chinese["csv"].read_text(encoding="utf-8").startswith("section,name,key,value")


def test_chinese_comparison_report(small_runs, tmp_path):
    runs = [small_runs / "lam0", small_runs / "run"]
    matrix = TransferMatrix(("lam0", "run"), AttackConfig("pgd", 0.1), 50, (0.9, 0.8), ((0.1, 0.5), (0.6, 0.3)))
    english = write_comparison_report(runs, tmp_path / "en" / "comparison.html", transfer=matrix)
    chinese = write_comparison_report(runs, tmp_path / "zh" / "comparison.html", transfer=matrix, language="zh_CN")
    en_text = english["html"].read_text(encoding="utf-8")
    zh_text = chinese["html"].read_text(encoding="utf-8")
    assert "<h1>Comparison of 2 runs</h1>" in en_text and "<h2>Transferability</h2>" in en_text
    assert '<html lang="zh-CN">' in zh_text and "<h1>2 次运行的比较</h1>" in zh_text and "迁移性" in zh_text
    own = ["lam0", "run", "digits", "mlp", "fgsm-rs", *(p.name for p in chinese.values())]
    assert _latin_left(zh_text, own + ["SmoothGrad Tsipras"]) == [], _latin_left(zh_text, own)
    points = [a["data-label"] for tag, a in _parse(zh_text) if tag == "circle" and "data-label" in a]
    assert len(points) == 2 and "λ=1, ε=26/255 (0.10)" in points[1]  # the run's own labels stay
    assert chinese["csv"].read_bytes() == english["csv"].read_bytes()


def test_chinese_evaluation_report_translates_the_sanity_verdicts(evaluation, tmp_path):
    suite, gallery = evaluation
    kwargs = {"settings": {"model": "digits-model.pt", "n": suite.n}, "suite": suite, "gallery": gallery}
    chinese = write_report(tmp_path / "zh.html", title="评估", language="zh_CN", **kwargs)
    zh_text = chinese["html"].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh_text and "可信度检查" in zh_text
    assert sum("badge" in a.get("class", "") for _, a in _parse(zh_text)) == len(suite.sanity)
    for check in suite.sanity:  # every verdict engine.sanity wrote is re-made in Chinese
        assert sentence("zh_CN", check.reason) != check.reason, check.reason
    own = ["digits-model.pt", "fgsm", "pgd", "cw", *(p.name for p in chinese.values()), *map(str, range(10))]
    assert _latin_left(zh_text, own + ["SmoothGrad Tsipras"]) == [], _latin_left(zh_text, own)
    english = write_report(tmp_path / "en.html", title="Evaluation", **kwargs)["html"].read_text(encoding="utf-8")
    assert "<h2>Sanity checks</h2>" in english and all(c.reason in english for c in suite.sanity)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_chinese_catalogue_keeps_placeholders_and_tags():
    for english, chinese in ZH_CN.items():
        assert _fields(english) == _fields(chinese), english
        assert re.findall(r"<[^>]+>", english) == re.findall(r"<[^>]+>", chinese), english
        assert chinese.strip() and chinese != english, english
    assert all(template in ZH_CN for template in SANITY_SENTENCES)
    assert t("en", "Run {name}", name="x") == "Run x" and t("zh_CN", "Run {name}", name="x") == "运行记录 x"
    assert t("fr", "Settings") == "Settings"  # a language with no catalogue: English
    why = "the gradient at the clean image points the wrong way"
    verdict = sentence(
        "zh_CN",
        f"FGSM leaves 50.0% but PGD only 10.0%: the model resists the one-step attack but not a real one ({why}; "
        "a masking sign).",
    )
    assert verdict == (
        "FGSM 后还剩 50.0%，PGD 后只剩 10.0%：模型挡住了一步攻击，却挡不住真正的攻击"
        "（干净图像处的梯度指错了方向；这是掩蔽的迹象）。"
    )
    assert sentence("zh_CN", "Something new.") == "Something new." and sentence("en", why) == why
