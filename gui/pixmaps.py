"""Images the engine sends (H×W×3 uint8 arrays) as Qt pixmaps, enlarged with crisp square pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def pixmap(rgb8: np.ndarray, size: int) -> QPixmap:
    h, w, _ = rgb8.shape
    image = QImage(rgb8.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # copy: own the bytes
    return QPixmap.fromImage(image).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
