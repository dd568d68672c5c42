"""The engine's child process as the window sees it: start it, send it commands, read its replies,
notice when it dies, end it.

Replies are read on the GUI thread by a ~30 Hz timer (``conn.poll()`` then ``recv``), so every signal
here is emitted in the GUI thread: no Qt object is touched from another thread and no signal carries
a Python object across threads. Replies are unpickled with an allow-list (engine.messages.WindowUnpickler:
the message classes, numpy, Python's containers), so the window's process never imports torch, even by
accident.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal

from engine import process as engine_process
from engine.messages import EngineReady, RunEnded, Shutdown, window_loads
from gui.i18n import active_language, translate_sentences

log = logging.getLogger(__name__)

DRAIN_INTERVAL_MS = 33  # ~30 Hz, the window's redraw rate
DRAIN_BUDGET_S = 0.008  # at most this long per tick on replies, so one tick never delays a frame
SHUTDOWN_TIMEOUT_S = 2.0


def describe_exit(code: int | None) -> str:
    """'killed by signal SIGKILL' / 'exited with code 1': how the process ended, in words."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


# How the process ended (describe_exit, and the pipe closing), as the window's messages say it: the logs
# keep the English words, the messages to the person show ``exit_text``.
EXIT_TEXTS = (
    QT_TRANSLATE_NOOP("EngineProcess", "still running"),
    QT_TRANSLATE_NOOP("EngineProcess", "killed by signal %1"),
    QT_TRANSLATE_NOOP("EngineProcess", "exited with code %1"),
    QT_TRANSLATE_NOOP("EngineProcess", "closed its connection"),
)


def exit_text(how: str) -> str:
    """``describe_exit``'s words in the window's language."""
    return translate_sentences("EngineProcess", how, EXIT_TEXTS)


class EngineProcess(QObject):
    """One engine process at a time; ``restart`` replaces it with a fresh one."""

    received = Signal(object)  # every reply, in order, in the GUI thread
    ready = Signal(object)  # EngineReady of each new process
    died = Signal(str, bool)  # how it ended, and whether it had been ready, when it ended unasked

    def __init__(self, threads: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads = threads
        self.proc: BaseProcess | None = None
        self.conn: Connection | None = None
        self.info: EngineReady | None = None
        self.started_at = 0.0
        self._timer = QTimer(self, interval=DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.drain)

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        """Start a process in the background (it imports torch while the window is already drawn)."""
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe(duplex=True)
        proc = ctx.Process(
            target=engine_process.run,
            args=(theirs, self.threads, active_language()),  # its errors and reasons in the window's language
            name="robustness-lab-engine",
            daemon=True,
        )
        proc.start()
        theirs.close()
        self.proc, self.conn, self.info, self.started_at = proc, ours, None, time.monotonic()
        self._timer.start()
        log.info("engine process %s started", proc.pid)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def send(self, command: object) -> bool:
        """False when there is no engine to send to (it died; ``died`` has been or will be emitted)."""
        if self.conn is None:
            return False
        try:
            self.conn.send(command)
        except (BrokenPipeError, EOFError, OSError):
            return False
        except Exception:  # noqa: BLE001 - a command that cannot be pickled is a bug: log it, keep the window
            log.exception("could not send %s to the engine", type(command).__name__)
            return False
        return True

    def kill(self) -> None:
        """End the process now (SIGKILL) and forget it; no ``died`` signal: the caller knows."""
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        self.info = None
        self._timer.stop()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(1.0)
        if conn is not None:
            conn.close()

    def restart(self) -> None:
        self.kill()
        self.start()

    def shutdown(self, timeout_s: float = SHUTDOWN_TIMEOUT_S, run_in_progress: bool = False) -> bool:
        """Ask the engine to stop (a run saves first), wait up to ``timeout_s``, then kill it.

        Replies are read (and dropped) meanwhile, so the engine is never blocked writing to a pipe
        nobody reads while its run tries to save. True if it ended by itself in time and, when a run
        was in progress, that run reported its end (RunEnded) and the engine said it saved (exit 0)."""
        proc = self.proc
        if proc is None:
            return True
        if self.info is None:
            self._read(lambda _m: None)
        if self.info is None:  # still starting: it holds no run and nothing to save
            self.kill()
            return True
        self.send(Shutdown())
        ended = [not run_in_progress]

        def note(message: object) -> None:
            if isinstance(message, RunEnded):
                ended[0] = True

        deadline = time.monotonic() + timeout_s
        while proc.is_alive() and time.monotonic() < deadline:
            self._read(note)
            proc.join(0.02)
        self._read(note)
        clean = proc.exitcode == 0 and ended[0]
        if proc.exitcode is None:
            log.warning("engine process %s did not stop within %.1f s: killed", proc.pid, timeout_s)
        self.kill()
        return clean

    # ------------------------------------------------------------------ replies
    def _recv(self) -> object:
        assert self.conn is not None
        return window_loads(self.conn.recv_bytes())

    def _read(self, handle, budget_s: float | None = None) -> str:
        """Pass the waiting replies to ``handle`` in order (for at most ``budget_s``). Returns "empty" when
        the pipe is drained, "budget" when time ran out first, "closed" when the other end is gone."""
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        while self.conn is not None:
            try:
                if not self.conn.poll():
                    return "empty"
                message = self._recv()
            except (EOFError, OSError):
                return "closed"
            except Exception as exc:  # noqa: BLE001 - the engine checks results first; log a slip, keep going
                log.error("unreadable reply from the engine: %s", exc)
                continue
            if isinstance(message, EngineReady):
                self.info = message
            handle(message)
            if deadline is not None and time.perf_counter() > deadline:
                return "budget"
        return "empty"

    def _hand_on(self, message: object) -> None:
        if isinstance(message, EngineReady):
            log.info("engine ready after %.2f s", time.monotonic() - self.started_at)
            self.ready.emit(message)
        else:
            self.received.emit(message)

    def drain(self) -> None:
        """Hand on the replies waiting in the pipe (for at most DRAIN_BUDGET_S), then check the process."""
        state = self._read(self._hand_on, DRAIN_BUDGET_S)
        if state == "budget":
            return  # more next tick
        closed = state == "closed"
        proc = self.proc
        if proc is not None and (closed or not proc.is_alive()):
            proc.join(0.5)
            how = describe_exit(proc.exitcode) if proc.exitcode is not None else "closed its connection"
            was_ready = self.info is not None
            log.error("engine process %s ended unexpectedly: %s", proc.pid, how)
            self.kill()
            self.died.emit(how, was_ready)
