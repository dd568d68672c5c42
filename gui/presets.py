"""Guided presets: JSON files in resources/presets/ that set the knobs and say, in plain words, what to watch.

Each file holds ``id``, ``title`` and ``explanation`` (one text per language code), ``changes`` (dotted
config keys, as ``RunConfig.with_changes`` takes them), ``model`` ("standard", "robust" or null: which
shipped model to open) and ``action`` ("attack": attack at once; "prepare": set up, the person presses Train).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources import resource_path

PRESETS_DIR = resource_path("presets")


@dataclass(frozen=True)
class Preset:
    id: str
    titles: dict[str, str]
    explanations: dict[str, str]
    changes: dict[str, Any]
    model: str | None
    action: str

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]

    def explanation(self, language: str) -> str:
        return self.explanations.get(language) or self.explanations["en"]


def load_presets(folder: Path = PRESETS_DIR) -> list[Preset]:
    """Every readable preset, in file-name order; a broken file is skipped, not fatal."""
    presets = []
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            presets.append(
                Preset(
                    raw["id"],
                    dict(raw["title"]),
                    dict(raw["explanation"]),
                    dict(raw["changes"]),
                    raw.get("model"),
                    raw.get("action", "prepare"),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return presets
