"""One heavy redraw per frame: the live curves and the gallery take turns.

Qt paints every changed widget of a window in one pass, so a frame in which the loss plot and the
gallery both changed costs both paints at once (about 10 + 10 ms on a 2-core machine while the engine
trains), and the window stutters. Each heavy view asks ``claim()`` before it changes; a refused view
keeps its change and asks again on its next tick (a few tens of milliseconds later, invisible at 20 Hz).
"""

from __future__ import annotations

import time

FRAME_S = 0.045  # a little under the curves' 50 ms redraw interval


class FrameBudget:
    def __init__(self, frame_s: float = FRAME_S) -> None:
        self.frame_s = frame_s
        self._last = float("-inf")

    def claim(self) -> bool:
        """True (and the frame is taken) when no other heavy redraw happened within the last frame."""
        now = time.monotonic()
        if now - self._last < self.frame_s:
            return False
        self._last = now
        return True


UNLIMITED = FrameBudget(0.0)  # for a view on its own (tests, reports): never refuses
