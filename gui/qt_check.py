"""A start-up check of the Qt binding for a crash we hit: PySide6 6.12.0 drops a reference to None in
every void ``QPainter`` call (setPen, setRenderHint, drawLine, save, …).

On Python 3.11, where None is an ordinary counted object, the window then dies after a few thousand
paints with "Fatal Python error: none_dealloc" (pyqtgraph paints axes with exactly these calls). On
Python 3.12+ None is immortal (PEP 683) and the bug is harmless. pyproject.toml keeps pip away from
the broken release; this check catches an environment that has it anyway, before the window opens,
and says what to install instead of crashing minutes later.
"""

from __future__ import annotations

import sys

PROBE_CALLS = 200


def none_references_lost() -> int:
    """How many references to None ``PROBE_CALLS`` void QPainter calls lose (0 for a sound binding)."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(PROBE_CALLS):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        return max(0, before - sys.getrefcount(None) - PROBE_CALLS // 20)  # a little slack for the interpreter
    finally:
        painter.end()


def binding_problem() -> str | None:
    """A sentence for the person when this Qt binding would crash the window, else None."""
    if sys.version_info >= (3, 12):
        return None  # None is immortal: the binding's refcount slip cannot free it
    lost = none_references_lost()
    if not lost:
        return None
    import PySide6

    return (
        f"This PySide6 ({PySide6.__version__}) has a known bug that crashes the window on Python "
        f"{sys.version_info[0]}.{sys.version_info[1]} after a few minutes (it lost {lost} references to "
        'None in a short test). Install a sound version with:  pip install "PySide6-Essentials<6.12"  '
        "(or run Robustness Lab with Python 3.12 or newer)."
    )
