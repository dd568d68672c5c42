"""The Qt binding does not eat references to None (PySide6 6.12.0 does, and on Python 3.11 that killed
the window with "Fatal Python error: none_dealloc" while it drew the curves)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from gui import qt_check


def test_void_painter_calls_keep_none_alive(qapp) -> None:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen = QPen(QColor(10, 20, 30))
    try:
        before = sys.getrefcount(None)
        for _ in range(100):  # the calls pyqtgraph's AxisItem makes for every axis it paints
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(pen)
            painter.drawLine(QPointF(0, 0), QPointF(5, 5))
            painter.save()
            painter.restore()
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 25, f"{lost} references to None lost in 500 QPainter calls: this PySide6 would crash the window"


def test_the_start_up_check_passes_on_this_binding_and_can_fail(qapp, monkeypatch) -> None:
    assert qt_check.binding_problem() is None
    monkeypatch.setattr(qt_check, "none_references_lost", lambda: 200)
    monkeypatch.setattr(qt_check.sys, "version_info", (3, 11, 7))
    text = qt_check.binding_problem()
    assert text is not None and "PySide6-Essentials<6.12" in text and "3.11" in text
