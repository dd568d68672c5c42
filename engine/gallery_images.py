"""How a gallery sample looks: the one renderer of the window's gallery and of the HTML reports.

Plain numpy (no torch, no Qt): the window turns these arrays into pixmaps, the reports into PNGs, so a
sample looks the same in both. The change is drawn on a diverging map (red: the attack brightened a
pixel, blue: darkened it, white: unchanged), with one fixed amplification for every gallery: a change of
±CHANGE_FULL_SCALE (64/255) is full colour, whatever the ε, so a stronger attack looks stronger (scaling
each batch to its own largest change made ε = 8/255 look as strong as ε = 64/255).
"""

from __future__ import annotations

import numpy as np

CHANGE_FULL_SCALE = 64 / 255  # the change drawn at full colour: amplified ×4


def eps_text(eps: float) -> str:
    """ε as the window and the reports show it everywhere: grey levels out of 255, then the fraction with
    at most two decimals, e.g. "36/255 (0.14)"."""
    return f"{eps * 255:.0f}/255 ({eps:.2f})"


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """C×H×W float in [0, 1] (C = 1 or 3) -> H×W×3 uint8."""
    img = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    img = np.repeat(img, 3, axis=0) if img.shape[0] == 1 else img[:3]
    return np.ascontiguousarray((img.transpose(1, 2, 0) * 255.0 + 0.5).astype(np.uint8))


def diverging_rgb8(delta: np.ndarray, scale: float) -> np.ndarray:
    """C×H×W signed change -> H×W×3 uint8 on blue (−) / white (0) / red (+), ±scale at full colour."""
    d = np.asarray(delta, dtype=np.float32).mean(axis=0)
    t = np.clip(d / max(scale, 1e-12), -1.0, 1.0)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    r = 1.0 - neg * (1.0 - 0.13)
    g = 1.0 - pos * (1.0 - 0.20) - neg * (1.0 - 0.40)
    b = 1.0 - pos * (1.0 - 0.15)
    rgb = np.stack([r, g, b], axis=-1)
    return np.ascontiguousarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8))


# Five anchors of matplotlib's "inferno" (black - purple - red - orange - pale yellow): perceptually
# ordered and readable in grey print. Interpolated here so the engine's reports and the window draw
# the same colours without matplotlib or pyqtgraph.
HEAT_ANCHORS = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], np.float32)


def heat_rgb8(values: np.ndarray) -> np.ndarray:
    """H×W values in [0, 1] (an attribution map scaled to its maximum) -> H×W×3 uint8 on the heat map."""
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float32)), 0.0, 1.0) * (len(HEAT_ANCHORS) - 1)
    lo = np.minimum(t.astype(np.int64), len(HEAT_ANCHORS) - 2)
    frac = (t - lo)[..., None]
    rgb = HEAT_ANCHORS[lo] * (1 - frac) + HEAT_ANCHORS[lo + 1] * frac
    return np.ascontiguousarray((rgb + 0.5).astype(np.uint8))


def change_scale(perturbation: np.ndarray) -> float:
    """The amplitude drawn at full colour: CHANGE_FULL_SCALE, or the batch's largest change when an
    attack without an ε bound (CW, DeepFool) changed some pixel by more (nothing is clipped)."""
    return max(CHANGE_FULL_SCALE, float(np.abs(perturbation).max()) if np.size(perturbation) else 0.0)


def sample_tiles(original: np.ndarray, adversarial: np.ndarray, scale: float) -> tuple[np.ndarray, ...]:
    """(original, change, adversarial) of one sample as H×W×3 uint8."""
    return to_rgb8(original), diverging_rgb8(adversarial - original, scale), to_rgb8(adversarial)


def upscale(rgb8: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement (pixels stay crisp squares)."""
    return rgb8 if factor <= 1 else np.repeat(np.repeat(rgb8, factor, axis=0), factor, axis=1)


def gallery_grid(original: np.ndarray, adversarial: np.ndarray, factor: int = 1, gap: int = 1) -> np.ndarray:
    """Three rows (original, change, adversarial), one column per sample, white gaps between them."""
    scale = change_scale(adversarial - original)
    tiles = [sample_tiles(o, a, scale) for o, a in zip(original, adversarial, strict=True)]
    h, w = tiles[0][0].shape[:2]
    grid = np.full((3 * h + 2 * gap, len(tiles) * (w + gap) - gap, 3), 255, np.uint8)
    for c, column in enumerate(tiles):
        for r, tile in enumerate(column):
            grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tile
    return upscale(grid, factor)
