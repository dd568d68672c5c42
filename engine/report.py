"""Self-contained HTML reports of an evaluation or a training run, with every number beside it as CSV.

No Qt and no plotting library: curves are small inline SVG line plots written here, images are
inline PNG (PIL, base64). Beside ``report.html`` go ``report.csv`` (every number, long format:
section, name, key, value), ``report_adversarial.png`` (original | perturbation | adversarial rows)
and ``report_adversarial.npy`` (the adversarial images, N×C×H×W float32 in [0, 1]).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.catalogue import html_lang, sentence, setting_label, t
from engine.compare import group_by_setting, pm_text, run_history, summarize_run
from engine.config import ConfigError
from engine.errors import UserError
from engine.gallery_images import change_scale, eps_text, gallery_grid, sample_tiles, upscale
from engine.messages import GalleryBatch, SaliencySummary

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
Series = Mapping[str, tuple[Sequence[float], Sequence[float]]]
# The plots of one run's training (training_series): their series have fixed names, shown translated.
TRAINING_LOSS, HELD_OUT_ACCURACY = "Training loss", "Held-out accuracy per epoch"


# ---------------------------------------------------------------------------------------------- SVG
def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 5, 10) if raw <= m * step)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def _svg_frame(
    title: str, xlabel: str, ylabel: str, width: int, height: int, left: int, top: int, pw: int, ph: int
) -> list[str]:
    """The opening of a plot: the svg element, its title, the plot box and both axis labels."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="{left + pw / 2:.1f}" y="16" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
        f'<text x="{left + pw / 2:.1f}" y="{height - 8}" text-anchor="middle">{html.escape(xlabel)}</text>',
        f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
        f"{html.escape(ylabel)}</text>",
    ]


def svg_line_plot(
    series: Series,
    title: str,
    xlabel: str,
    ylabel: str,
    width: int = 520,
    height: int = 320,
    ylim: tuple[float, float] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """One SVG line plot (with markers and a legend) of named (x, y) series; NaN points are skipped.
    ``labels`` gives the legend's text of a series where it is not its name."""
    points = [
        (float(a), float(b))
        for xs, ys in series.values()
        for a, b in zip(xs, ys, strict=True)
        if math.isfinite(float(a)) and math.isfinite(float(b))
    ]
    left, right, top, bottom = 56, 130, 28, 44
    pw, ph = width - left - right, height - top - bottom
    xs_all = [p[0] for p in points] or [0.0, 1.0]
    ys_all = [p[1] for p in points] or [0.0, 1.0]
    x0, x1 = min(xs_all), max(xs_all)
    y0, y1 = ylim if ylim else (min(ys_all), max(ys_all))
    if x1 == x0:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    out = _svg_frame(title, xlabel, ylabel, width, height, left, top, pw, ph)
    for tick in _ticks(x0, x1):
        out.append(
            f'<line x1="{sx(tick):.1f}" y1="{top + ph}" x2="{sx(tick):.1f}" y2="{top + ph + 4}" stroke="#888"/>'
            f'<text x="{sx(tick):.1f}" y="{top + ph + 16}" text-anchor="middle">{tick:g}</text>'
        )
    for tick in _ticks(y0, y1):
        out.append(
            f'<line x1="{left}" y1="{sy(tick):.1f}" x2="{left + pw}" y2="{sy(tick):.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{sy(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for k, (name, (xs, ys)) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        pts = [
            (sx(float(a)), sy(float(b)))
            for a, b in zip(xs, ys, strict=True)
            if math.isfinite(float(a)) and math.isfinite(float(b))
        ]
        if len(pts) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(
                f'<polyline class="series" data-name="{html.escape(name)}" fill="none" stroke="{color}" '
                f'stroke-width="2" points="{path}"/>'
            )
        if len(pts) <= 60:
            out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"/>' for a, b in pts]
        ly = top + 12 + 16 * k
        out.append(
            f'<line x1="{left + pw + 10}" y1="{ly}" x2="{left + pw + 28}" y2="{ly}" stroke="{color}" '
            f'stroke-width="2"/><text x="{left + pw + 32}" y="{ly + 4}">'
            f"{html.escape((labels or {}).get(name, name))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def svg_scatter_plot(
    points: Sequence[tuple[str, float, float]],
    title: str,
    xlabel: str,
    ylabel: str,
    width: int = 560,
    height: int = 400,
    errors: Sequence[tuple[float, float]] | None = None,
) -> str:
    """Labelled points on [0, 1] × [0, 1] (the clean-vs-robust trade-off plot); NaN points are left out.
    ``errors``: per point, its standard deviation along each axis (error bars; NaN draws none)."""
    left, right, top, bottom = 56, 24, 28, 44
    pw, ph = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + v * pw

    def sy(v: float) -> float:
        return top + (1 - v) * ph

    out = _svg_frame(title, xlabel, ylabel, width, height, left, top, pw, ph)
    for tick in _ticks(0.0, 1.0):
        out.append(
            f'<line x1="{sx(tick):.1f}" y1="{top}" x2="{sx(tick):.1f}" y2="{top + ph}" stroke="#eee"/>'
            f'<text x="{sx(tick):.1f}" y="{top + ph + 16}" text-anchor="middle">{tick:g}</text>'
            f'<line x1="{left}" y1="{sy(tick):.1f}" x2="{left + pw}" y2="{sy(tick):.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{sy(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for k, (label, x, y) in enumerate(points):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        color = PALETTE[k % len(PALETTE)]
        ex, ey = errors[k] if errors else (float("nan"), float("nan"))
        for lo, hi, horizontal, size in ((x - ex, x + ex, True, ex), (y - ey, y + ey, False, ey)):
            if math.isfinite(size) and size > 0:
                a, b = (sx(lo), sx(hi)) if horizontal else (sy(lo), sy(hi))
                line = (
                    f'x1="{a:.1f}" y1="{sy(y):.1f}" x2="{b:.1f}" y2="{sy(y):.1f}"'
                    if horizontal
                    else f'x1="{sx(x):.1f}" y1="{a:.1f}" x2="{sx(x):.1f}" y2="{b:.1f}"'
                )
                out.append(f'<line class="errorbar" {line} stroke="{color}" stroke-width="1.5"/>')
        out.append(
            f'<circle class="point" data-label="{html.escape(label)}" cx="{sx(x):.1f}" cy="{sy(y):.1f}" '
            f'r="5" fill="{color}" stroke="black"/><text x="{sx(x) + 7:.1f}" y="{sy(y) - 6:.1f}" '
            f'text-anchor="{"end" if x > 0.7 else "start"}">{html.escape(label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def svg_histogram(
    labels: Sequence[str],
    counts: Sequence[int],
    title: str,
    xlabel: str,
    ylabel: str,
    marker: int | None = None,
    width: int = 560,
    height: int = 300,
) -> str:
    """Bars of ``counts`` over ``labels`` (the critical-ε histogram); ``marker`` draws a black line at that
    bar (the median)."""
    left, right, top, bottom = 56, 24, 28, 58
    pw, ph = width - left - right, height - top - bottom
    top_count = max([1, *counts])
    bar = pw / max(1, len(counts))
    out = _svg_frame(title, xlabel, ylabel, width, height, left, top, pw, ph)
    for tick in _ticks(0.0, float(top_count)):
        y = top + (1 - tick / top_count) * ph
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for k, (label, count) in enumerate(zip(labels, counts, strict=True)):
        h = count / top_count * ph
        x = left + k * bar
        out.append(
            f'<rect class="bar" data-count="{count}" x="{x + 2:.1f}" y="{top + ph - h:.1f}" width="{bar - 4:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"/><text x="{x + bar / 2:.1f}" y="{top + ph + 14}" '
            f'text-anchor="middle" font-size="9">{html.escape(label)}</text>'
        )
    if marker is not None:
        x = left + (marker + 0.5) * bar
        out.append(
            f'<line class="median" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="black" '
            'stroke-width="2"/>'
        )
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- images
def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def png_data_uri(img: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(img)).decode("ascii")


def _upscale_factor(h: int) -> int:
    return max(1, 64 // max(h, 1))


# ---------------------------------------------------------------------------------------------- HTML
_STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #f4f4f4; text-align: left; } .badge { padding: 1px 8px; border-radius: 8px; color: white; }
.pass { background: #2e7d32; } .warn { background: #e65100; } .skip { background: #757575; }
figure { display: inline-block; margin: 0.5em; text-align: center; } img { image-rendering: pixelated; }
"""


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, language: str = "en") -> str:
    head = "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>" if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v, language))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table>{head}{body}</table>"


def _fmt(v: Any, language: str = "en") -> str:
    if isinstance(v, float):
        return t(language, "n/a") if not math.isfinite(v) else f"{v:.4g}"
    if isinstance(v, bool):
        return t(language, str(v))
    return t(language, "n/a") if v is None else str(v)


def _flatten(prefix: str, value: Any, parts: tuple[str, ...] = ()) -> list[tuple[str, tuple[str, ...], Any]]:
    """(dotted key, the key's parts, value) of every leaf of nested mappings."""
    if isinstance(value, Mapping):
        return [
            kv for k, v in value.items() for kv in _flatten(f"{prefix}.{k}" if prefix else str(k), v, (*parts, str(k)))
        ]
    return [(prefix, parts, value)]


def _named_table(flat: Sequence[tuple[str, tuple[str, ...], Any]], header: Sequence[str], language: str) -> str:
    """A settings or figures table: each key by its name in ``language``; a run's status in words."""
    rows = [
        (
            setting_label(language, key, parts),
            t(language, v) if parts and parts[-1] in ("status", "reason") and isinstance(v, str) else v,
        )
        for key, parts, v in flat
    ]
    return _table(rows, [t(language, h) for h in header], language)


def write_report(
    path: str | Path,
    *,
    title: str,
    settings: Mapping[str, Any],
    suite: Any = None,
    gallery: GalleryBatch | None = None,
    training: Mapping[str, Series] | None = None,
    transfer: Any = None,
    summary: Mapping[str, Any] | None = None,
    tradeoff: Sequence[tuple[str, float, float]] | None = None,
    saliency: tuple[SaliencySummary, Any] | None = None,
    language: str = "en",
    seed_groups: Sequence[Any] | None = None,
    critical: tuple[Any, np.ndarray] | None = None,
) -> dict[str, Path]:
    """Write ``path`` (HTML) and, beside it, the CSV, the PNG grid and the .npy of adversarial examples.

    ``suite`` is an ``engine.suite.SuiteResult``; ``training`` maps a plot title to its series;
    ``transfer`` is an ``engine.transfer.TransferMatrix``; ``tradeoff`` holds (label, clean accuracy,
    robust accuracy) points, one per run; ``seed_groups`` (engine.compare.SettingGroup) replace the points
    of runs that differ only by seed with their mean and error bars, and add a table of mean ± sd;
    ``critical`` is (engine.messages.CriticalEps, the images it was measured on): the histogram of
    critical ε, its median and the digits that fall first and last; ``saliency`` is
    engine.saliency.report_saliency's (summary,
    examples). ``language`` is the window's ("en", "zh_CN"): the report's words
    come from engine.report_text, ``title`` is used as given, the CSV keeps its English names. Returns the
    paths written.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UserError("The report file must end in .html (got '{name}').", name=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    written = {"html": path, "csv": stem.with_suffix(".csv")}
    rows: list[tuple[str, str, str, Any]] = []
    lang = html_lang(language)
    lang_attr = f' lang="{lang}"' if lang else ""
    parts = [
        f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
    ]

    flat = _flatten("", settings)
    parts.append(f"<h2>{t(language, 'Settings')}</h2>" + _named_table(flat, ("setting", "value"), language))
    rows += [("setting", k, "", v) for k, _, v in flat]
    if summary:
        flat = _flatten("", summary)
        parts.append(f"<h2>{t(language, 'Summary')}</h2>" + _named_table(flat, ("figure", "value"), language))
        rows += [("summary", k, "", v) for k, _, v in flat]

    if suite is not None:
        clean = t(
            language,
            "Clean accuracy {accuracy}% on {n} images. CW and DeepFool are not ε-bounded: their accuracy at ε "
            "counts only examples whose perturbation norm is at most ε.",
            accuracy=f"{100 * suite.clean_accuracy:.1f}",
            n=suite.n,
        )
        parts.append(f"<h2>{t(language, 'Robust accuracy')}</h2><p>{clean}</p>")
        series: Series = {c.attack: (c.eps, c.accuracy) for c in suite.curves}
        parts.append(
            svg_line_plot(series, t(language, "Accuracy against ε"), "ε", t(language, "accuracy"), ylim=(0.0, 1.0))
        )
        header = (
            [t(language, "attack")]
            + [f"ε={e:g}" for e in suite.eps]
            + [t(language, h) for h in ("median L∞", "median L2", "seconds")]
        )
        table = [
            [c.attack, *[f"{100 * a:.1f}%" for a in c.accuracy], c.median_linf, c.median_l2, c.seconds]
            for c in suite.curves
        ]
        parts.append(_table(table, header, language))
        rows.append(("clean_accuracy", "", "", suite.clean_accuracy))
        rows.append(("n", "", "", suite.n))
        for c in suite.curves:
            rows += [("robust_accuracy", c.attack, f"{e:g}", a) for e, a in zip(c.eps, c.accuracy, strict=True)]
            rows += [
                ("attack_info", c.attack, k, getattr(c, k))
                for k in ("bounded", "norm", "median_linf", "median_l2", "success_rate", "seconds")
            ]
        if suite.sanity:
            parts.append(f"<h2>{t(language, 'Sanity checks')}</h2>")
            items = []
            for s in suite.sanity:
                kind, label = (
                    ("skip", "skipped") if s.skipped else ("pass", "pass") if s.passed else ("warn", "warning")
                )
                numbers = ", ".join(f"{t(language, k)} = {_fmt(v, language)}" for k, v in s.numbers.items())
                items.append(
                    f"<li><span class='badge {kind}'>{html.escape(t(language, label))}</span> "
                    f"<b>{html.escape(t(language, s.name))}</b>{t(language, ': ')}"
                    f"{html.escape(sentence(language, s.reason))} <small>({html.escape(numbers)})</small></li>"
                )
                rows.append(("sanity", s.name, "passed", s.passed))
                rows.append(("sanity", s.name, "skipped", s.skipped))
                rows += [("sanity", s.name, k, v) for k, v in s.numbers.items()]
            parts.append("<ul>" + "".join(items) + "</ul>")

    if critical is not None:
        section, critical_rows = _critical_section(*critical, language)
        parts.append(section)
        rows += critical_rows
    errors = None
    if seed_groups and any(g.n > 1 for g in seed_groups):
        parts.append(_seed_section(seed_groups, language))
        rows += [
            ("seed_spread", g.label, f"{figure}_{k}", getattr(g, f"{figure}_{k}"))
            for g in seed_groups
            for figure in ("clean", "robust")
            for k in ("mean", "sd")
        ]
        rows += [("seed_spread", g.label, "n", g.n) for g in seed_groups]
        tradeoff = [
            (
                g.label + (t(language, " (mean of {n} seeds)", n=g.n) if g.n > 1 else ""),
                g.clean_mean,
                g.robust_mean,
            )
            for g in seed_groups
        ]
        errors = [(g.clean_sd, g.robust_sd) for g in seed_groups]
    if tradeoff:
        parts.append(
            f"<h2>{t(language, 'Robustness against accuracy')}</h2><p>"
            + t(
                language,
                "One point per run: further right is more accurate on clean images, higher is more accurate "
                "under attack.",
            )
            + "</p>"
        )
        parts.append(
            svg_scatter_plot(
                tradeoff,
                t(language, "Trade-off: clean against robust accuracy"),
                t(language, "clean accuracy"),
                t(language, "robust accuracy"),
                errors=errors,
            )
        )
        rows += [
            ("tradeoff", label, axis, v)
            for label, x, y in tradeoff
            for axis, v in (("clean_accuracy", x), ("robust_accuracy", y))
        ]

    for plot_title, series in (training or {}).items():
        xlabel = t(language, "step" if "loss" in plot_title.lower() else "epoch")
        # The fixed series of one run's curves are words; elsewhere (comparisons) a series is a run's name.
        labels = {n: t(language, n) for n in series} if plot_title in (TRAINING_LOSS, HELD_OUT_ACCURACY) else None
        parts.append(svg_line_plot(series, t(language, plot_title), xlabel, "", labels=labels))
        for name, (xs, ys) in series.items():
            rows += [(f"training:{plot_title}", name, _fmt(float(a)), b) for a, b in zip(xs, ys, strict=True)]

    if transfer is not None:
        parts.append(
            f"<h2>{t(language, 'Transferability')}</h2><p>"
            + t(
                language,
                "Rows: model the examples were made on; columns: model evaluated. The diagonal is white-box "
                "robust accuracy.",
            )
            + "</p>"
        )
        parts.append(
            _table(
                [
                    [src, *[f"{100 * a:.1f}%" for a in row]]
                    for src, row in zip(transfer.names, transfer.accuracy, strict=True)
                ],
                [t(language, "made on \\ evaluated on"), *transfer.names],
                language,
            )
        )
        rows += [
            ("transfer", src, dst, a)
            for src, row in zip(transfer.names, transfer.accuracy, strict=True)
            for dst, a in zip(transfer.names, row, strict=True)
        ]

    if gallery is not None and len(gallery.original):
        scale = _upscale_factor(gallery.original.shape[-2])
        heading = t(
            language,
            "Adversarial examples ({attack}, ε = {eps})",
            attack=html.escape(gallery.attack),
            eps=eps_text(gallery.eps),
        )
        how = t(
            language,
            "Each sample: original | the change, amplified ×{amp} (red: brighter, blue: darker, white: unchanged; "
            "the same amplification at every ε, so a stronger attack looks stronger) | attacked image. The window's "
            "gallery draws them the same way.",
            amp=f"{1 / change_scale(gallery.perturbation):.0f}",
        )
        parts.append(f"<h2>{heading}</h2><p>{how}</p>")
        names = gallery.class_names
        figures = []
        amplitude = change_scale(gallery.perturbation)
        for i in range(len(gallery.original)):
            cells = sample_tiles(gallery.original[i], gallery.adversarial[i], amplitude)
            imgs = "".join(
                f"<img alt='{html.escape(t(language, alt))}' src='{png_data_uri(upscale(c, scale))}'/>"
                for alt, c in zip(("original", "change", "adversarial"), cells, strict=True)
            )
            caption = t(
                language,
                "true {true}: {clean} → {adv}",
                true=names[gallery.labels[i]],
                clean=names[gallery.pred_clean[i]],
                adv=names[gallery.pred_adv[i]],
            )
            figures.append(f"<figure>{imgs}<figcaption>{html.escape(caption)}</figcaption></figure>")
            rows.append(("gallery", str(i), "label", int(gallery.labels[i])))
            rows.append(("gallery", str(i), "pred_clean", int(gallery.pred_clean[i])))
            rows.append(("gallery", str(i), "pred_adv", int(gallery.pred_adv[i])))
        parts.append("".join(figures))
        grid = gallery_grid(gallery.original, gallery.adversarial, scale)
        written["png"] = stem.parent / f"{stem.name}_adversarial.png"
        written["npy"] = stem.parent / f"{stem.name}_adversarial.npy"
        written["png"].write_bytes(png_bytes(grid))
        np.save(written["npy"], np.asarray(gallery.adversarial, np.float32))
        files = t(
            language,
            "Files: {png} (grid), {npy} (adversarial images as N×C×H×W float32).",
            png=html.escape(written["png"].name),
            npy=html.escape(written["npy"].name),
        )
        parts.append(f"<p>{files}</p>")

    if saliency is not None:
        section, saliency_rows = _saliency_section(*saliency, language=language)
        parts.append(section)
        rows += saliency_rows

    every = t(language, "Every number: {csv}.", csv=html.escape(written["csv"].name))
    parts.append(f"<p>{every}</p></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    with open(written["csv"], "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("section", "name", "key", "value"))
        writer.writerows(rows)
    return written


SALIENCY_METHODS = {
    "gradient": "input gradient",
    "smoothgrad": "SmoothGrad",
    "integrated-gradients": "Integrated Gradients",
}


def _saliency_section(summary: SaliencySummary, examples: Any, language: str) -> tuple[str, list[tuple]]:
    """Attribution maps (engine.saliency) and the share of their mass on the strokes, per model and method."""
    methods = [t(language, SALIENCY_METHODS.get(m, m)) for m in summary.methods]
    intro = t(
        language,
        "Where each model's answer depends on the pixels: attribution maps of the true class (bright: a small "
        "change there moves the class's score the most). The figure under each method is the share of the map's "
        "mass on the digit's strokes (pixels brighter than mid-grey), averaged over {n} held-out images; a map "
        "spread evenly over the image would score {chance}. Robust models' gradients tend to follow the strokes "
        "(Tsipras et al. 2019).",
        n=summary.n,
        chance=f"{summary.chance:.0%}",
    )
    table = [[name, *[f"{v:.1%}" for v in row]] for name, row in zip(summary.models, summary.inside, strict=True)]
    parts = [f"<h2>{t(language, 'What the models look at')}</h2><p>{intro}</p>"]
    parts.append(_table(table, [t(language, "model"), *methods], language))
    rows: list[tuple] = [("saliency", "", "chance", summary.chance), ("saliency", "", "n", summary.n)]
    rows += [
        ("saliency", name, method, v)
        for name, row in zip(summary.models, summary.inside, strict=True)
        for method, v in zip(summary.methods, row, strict=True)
    ]
    if examples is not None and len(examples.images):
        from engine.gallery_images import heat_rgb8, to_rgb8

        scale = _upscale_factor(examples.images.shape[-2])
        header = [t(language, "image")] + [
            f"{html.escape(name)}<br>{html.escape(method)}" for name in examples.models for method in methods
        ]
        body = []
        for i in range(len(examples.images)):
            cells = [f"<img alt='' src='{png_data_uri(upscale(to_rgb8(examples.images[i]), scale))}'/>"]
            for k in range(len(examples.models)):
                for m in range(len(examples.methods)):
                    heat = upscale(heat_rgb8(examples.maps[k, m, i]), scale)
                    cells.append(f"<img alt='' src='{png_data_uri(heat)}'/>")
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        head = "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"
        parts.append(f"<table class='maps'>{head}{''.join(body)}</table>")
    return "".join(parts), rows


def training_series(metrics: Sequence[Mapping[str, Any]]) -> dict[str, Series]:
    """The loss and accuracy curves of a run's metrics.jsonl records, ready for ``write_report``."""
    steps = [m for m in metrics if m.get("type") == "step"]
    epochs = [m for m in metrics if m.get("type") == "epoch"]
    out: dict[str, Series] = {}
    if steps:
        xs = [m["step"] for m in steps]
        out[TRAINING_LOSS] = {k: (xs, [_num(m.get(f"loss_{k}")) for m in steps]) for k in ("total", "clean", "adv")}
    if epochs:
        xs = [m["epoch"] for m in epochs]
        out[HELD_OUT_ACCURACY] = {k: (xs, [_num(m.get(f"{k}_accuracy")) for m in epochs]) for k in ("clean", "robust")}
    return out


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) else float("nan")


def write_run_report(
    run_dir: str | Path, path: str | Path, n_gallery: int = 8, language: str = "en"
) -> dict[str, Path]:
    """A report of a training run: its settings, training curves, final figures and a gallery, in ``language``."""
    import dataclasses

    from engine.checkpoints import load_model
    from engine.data import load_dataset
    from engine.evaluate import make_gallery
    from engine.runs import SUMMARY_FILE, read_metrics
    from engine.trainer import gallery_attack

    config, model, class_names = load_model(run_dir)
    summary_path = Path(run_dir) / SUMMARY_FILE
    summary = None
    if summary_path.is_file():
        import json

        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (ValueError, OSError, RecursionError):  # a damaged summary: the report is made without it
            summary = None
        if not isinstance(summary, dict):
            summary = None
    from engine.saliency import REPORT_IMAGES, report_saliency

    split = load_dataset(dataclasses.replace(config.data, limit_holdout=max(n_gallery, REPORT_IMAGES)))
    gallery = make_gallery(
        model, split.test_x[:n_gallery], split.test_y[:n_gallery], gallery_attack(config.attack), class_names
    )
    saliency = report_saliency([(Path(run_dir).name, model)], split.test_x, split.test_y, seed=config.train.seed)
    return write_report(
        path,
        title=t(language, "Run {name}", name=Path(run_dir).name),
        settings=config.to_dict(),
        summary=summary,
        gallery=gallery,
        training=training_series(read_metrics(run_dir)),
        saliency=saliency,
        language=language,
    )


def _critical_section(critical: Any, images: np.ndarray, language: str) -> tuple[str, list[tuple]]:
    """Where images fall: per grid ε the images the attack first breaks there, the median critical ε, and
    the five held-out images that fall first and the five that hold longest."""
    from engine.gallery_images import to_rgb8

    summary = critical.to_dict()
    grid = list(critical.eps)
    labels = [t(language, "wrong")] + [eps_text(e).split(" ")[0] for e in grid] + [t(language, "never")]
    counts = [summary["wrong_before_attack"], *summary["histogram"], summary["not_broken_on_grid"]]
    median = critical.median
    if math.isfinite(median):
        marker = 0 if median == 0 else 1 + min(range(len(grid)), key=lambda k: abs(grid[k] - median))
    else:
        marker = len(grid) + 1
    median_text = t(language, "above the grid") if math.isinf(median) else f"{median:g}"
    intro = t(
        language,
        "For each of the {n} held-out images, the smallest ε of the grid at which {attack} breaks it (its "
        "critical ε). The black line is the median: {median}. 'wrong': misclassified before any attack; "
        "'never': not broken at any ε of the grid.",
        n=summary["n"],
        attack=html.escape(critical.attack.upper()),
        median=median_text,
    )
    parts = [f"<h2>{t(language, 'Where images fall: critical ε')}</h2><p>{intro}</p>"]
    parts.append(svg_histogram(labels, counts, t(language, "Critical ε per image"), "ε", t(language, "images"), marker))
    order = critical.order()
    attacked = [int(i) for i in order if critical.index[i] >= 0]
    for title, chosen in (
        (t(language, "These digits fall first"), attacked[:5]),
        (t(language, "These digits hold longest"), attacked[::-1][:5]),
    ):
        if not chosen:
            continue
        scale = _upscale_factor(images.shape[-2])
        figures = "".join(
            f"<figure><img alt='' src='{png_data_uri(upscale(to_rgb8(images[i]), scale))}'/>"
            f"<figcaption>#{i}: ε = {html.escape(labels[int(critical.index[i]) + 1])}</figcaption></figure>"
            for i in chosen
        )
        parts.append(f"<h3>{title}</h3><div>{figures}</div>")
    rows = [("critical_eps", "median", "", None if math.isinf(median) else median)]
    rows += [("critical_eps", "histogram", label, c) for label, c in zip(labels, counts, strict=True)]
    return "".join(parts), rows


def _seed_section(groups: Sequence[Any], language: str) -> str:
    """Mean ± standard deviation over seeds per setting; a setting is marked against the most robust one
    only where their difference is larger than both seed spreads together."""
    from engine.compare import clearly_different

    best = max(groups, key=lambda g: g.robust_mean if math.isfinite(g.robust_mean) else -1.0)
    header = [t(language, h) for h in ("setting", "seeds", "clean accuracy", "robust accuracy", "against the best")]
    table = []
    for g in groups:
        if g is best:
            verdict = t(language, "most robust")
        elif g.n < 2 or best.n < 2:
            verdict = t(language, "one seed: no spread to judge by")
        elif clearly_different(g, best):
            verdict = t(language, "less robust, beyond the seed spread")
        else:
            verdict = t(language, "within the seed spread")
        table.append([g.label, g.n, pm_text(g.clean_mean, g.clean_sd), pm_text(g.robust_mean, g.robust_sd), verdict])
    intro = t(
        language,
        "Runs that differ only by their seed are one setting: its figures are the mean ± standard deviation "
        "over its seeds. A setting is called less robust than the best only when the difference is larger "
        "than both seed spreads together; otherwise it may be seed noise.",
    )
    return f"<h2>{t(language, 'Seed spread')}</h2><p>{intro}</p>" + _table(table, header, language)


def write_comparison_report(
    paths: Sequence[str | Path],
    out: str | Path,
    transfer: Any = None,
    language: str = "en",
    saliency: tuple[SaliencySummary, Any] | None = None,
) -> dict[str, Path]:
    """An HTML report of several runs: settings, the trade-off plot, overlaid curves, the transfer matrix;
    in ``language`` ("en", "zh_CN")."""
    if not paths:
        raise ConfigError("Choose at least one run to compare.")
    summaries = [summarize_run(p) for p in paths]
    histories = [run_history(p) for p in paths]
    settings = {
        s.name: {
            "dataset": s.dataset,
            "model": s.model,
            "attack": s.attack,
            "lambda": s.lam,
            "eps": s.eps,
            "seed": s.seed,
            "status": s.status,
        }
        for s in summaries
    }
    figures = {s.name: {"clean_accuracy": s.clean_accuracy, "robust_accuracy": s.robust_accuracy} for s in summaries}
    training = {
        "Clean accuracy per epoch": {h.name: (h.epochs, h.clean) for h in histories},
        "Robust accuracy per epoch": {h.name: (h.epochs, h.robust) for h in histories},
        "Training loss (total) per step": {h.name: (h.steps, h.loss_total) for h in histories},
    }
    points = [(f"{s.name} ({s.label})", s.clean_accuracy, s.robust_accuracy) for s in summaries]
    return write_report(
        out,
        title=t(language, "Comparison of {n} runs", n=len(summaries)),
        settings=settings,
        summary=figures,
        training=training,
        transfer=transfer,
        tradeoff=points,
        saliency=saliency,
        language=language,
        seed_groups=group_by_setting(summaries),
    )
