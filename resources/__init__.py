"""Files shipped with the application: the ready-made models, translations, style sheet and presets.

A package of its own so that every install carries them (source checkout, ``pip install .``, the wheel,
``pipx``), found through ``importlib.resources`` instead of paths relative to the source tree. Wheels
are unpacked on install, so each resource is a real file on disk (Qt and torch need file paths).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """The shipped file or folder ``resources/<parts…>`` as a path on disk."""
    return Path(str(files(__name__).joinpath(*parts)))
