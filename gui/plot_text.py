"""The size of the words inside pyqtgraph plots (ticks, axis labels, titles, legends, marker labels).

Qt style sheets stop at a plot's edge: everything inside is drawn by pyqtgraph's graphics items, which
keep their own fonts. So presentation mode's large type reaches the plots through ``set_plot_text_size``;
the sizes a plot had are remembered the first time and given back with ``points=None``.
"""

from __future__ import annotations

import weakref
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFont

_defaults: weakref.WeakKeyDictionary[pg.PlotWidget, dict[str, Any]] = weakref.WeakKeyDictionary()
AXES = ("left", "bottom", "right", "top")


def _legends(plot: pg.PlotWidget) -> list[pg.LegendItem]:
    scene = plot.scene()
    return [item for item in scene.items() if isinstance(item, pg.LegendItem)] if scene is not None else []


def _marker_labels(plot: pg.PlotWidget) -> list[pg.TextItem]:
    return [
        item.label
        for item in plot.getPlotItem().items
        if isinstance(item, pg.InfiniteLine) and getattr(item, "label", None)
    ]


def set_plot_text_size(plot: pg.PlotWidget, points: float | None) -> None:
    """Every text of ``plot`` in ``points`` (ticks a little smaller than labels), or as it was (None)."""
    item = plot.getPlotItem()
    saved = _defaults.setdefault(
        plot,
        {
            "title": item.titleLabel.opts.get("size"),
            "labels": {a: dict(item.getAxis(a).labelStyle) for a in AXES},
            "legends": {id(lg): lg.opts.get("labelTextSize") for lg in _legends(plot)},
        },
    )
    for name in AXES:
        axis = item.getAxis(name)
        if points is None:
            axis.setTickFont(None)
            axis.labelStyle = dict(saved["labels"][name])
        else:
            font = QFont(axis.font())
            font.setPointSizeF(points * 0.85)
            axis.setTickFont(font)
            axis.labelStyle = {**axis.labelStyle, "font-size": f"{points:g}pt"}
        axis._updateLabel()  # noqa: SLF001 - pyqtgraph re-renders a label's style only here
        axis._updateMaxTextSize(0)  # noqa: SLF001 - and re-measures the room its ticks need here
    title_size = saved["title"] if points is None else f"{points * 1.15:g}pt"
    item.titleLabel.setText(item.titleLabel.text, size=title_size)  # kept in its opts for a later title
    for legend in _legends(plot):
        legend.setLabelTextSize(saved["legends"].get(id(legend), "9pt") if points is None else f"{points:g}pt")
        for _, label in legend.items:
            label.setText(label.text)  # setLabelTextSize only records the size
        legend.updateSize()
    for label in _marker_labels(plot):
        font = QFont(label.textItem.font())
        font.setPointSizeF(points if points is not None else QFont().pointSizeF())
        label.setFont(font)
