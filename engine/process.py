"""Where the engine process begins: the window starts ``run`` in a ``spawn``-ed child process.

This module is plain Python on purpose. The window's process must be able to name the child's entry
point (multiprocessing pickles it by module and name) without importing torch, and import-linter
checks that nothing the window imports reaches torch. So the engine service is imported here with
``importlib`` inside the child only: the one place where the window's import graph and the engine's
meet.
"""

from __future__ import annotations

import importlib
import multiprocessing
from multiprocessing.connection import Connection


def run(conn: Connection, threads: int | None = None, language: str = "en") -> None:
    """Serve the window's commands on ``conn`` until it says Shutdown or goes away; the sentences it
    sends (errors, reasons) are in ``language``, the window's."""
    # The window starts this process as a daemon (it must not outlive the window), and multiprocessing
    # refuses children to daemons lest they be orphaned. A sweep's worker processes are the one kind this
    # process starts, and each watches this process and ends with it (engine.sweep_runner._worker).
    multiprocessing.current_process().daemon = False
    importlib.import_module("engine.catalogue").set_language(language)
    service = importlib.import_module("engine.service")
    service.serve(conn, threads)
