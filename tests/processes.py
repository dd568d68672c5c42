"""Processes seen from outside, through Linux's /proc: which worker processes a sweep started, and
whether they are still there. Tests that use it skip elsewhere (``HAS_PROC``)."""

from __future__ import annotations

import time
from pathlib import Path

HAS_PROC = Path("/proc/self/task").is_dir()


def spawned_workers(pid: int) -> list[int]:
    """Children of ``pid`` running multiprocessing's spawn entry point (not its resource tracker).

    /proc lists a child under the thread that started it, so every thread of ``pid`` is read."""
    found = []
    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(int(child))
    return found


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie (ended, waiting for an adopter to reap it) has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "State:\tZ" not in status


def wait_until_gone(pids: list[int], seconds: float) -> float:
    """Seconds until none of ``pids`` is alive; AssertionError if some outlive ``seconds`` (a hang)."""
    started = time.monotonic()
    while any(alive(p) for p in pids):
        assert time.monotonic() - started < seconds, f"{[p for p in pids if alive(p)]} still running"
        time.sleep(0.1)
    return time.monotonic() - started
