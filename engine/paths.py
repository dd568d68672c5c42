"""Where the application keeps the user's files: one rule for every kind of folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def user_dir(kind: str, env_var: str) -> Path:
    """``$env_var`` if set, else ``<user data folder>/robustness-lab/<kind>`` from platformdirs
    (``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux, ``~/Library/Application Support`` on macOS,
    ``%LOCALAPPDATA%`` on Windows)."""
    env = os.environ.get(env_var)
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("robustness-lab", appauthor=False) / kind
