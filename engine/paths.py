"""Where the application keeps the user's files: one rule for every kind of folder."""

from __future__ import annotations

import os
from pathlib import Path


def user_dir(kind: str, env_var: str) -> Path:
    """``$env_var`` if set, else ``$XDG_DATA_HOME/robustness-lab/<kind>`` (``~/.local/share`` by default)."""
    env = os.environ.get(env_var)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "robustness-lab" / kind
