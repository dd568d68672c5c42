"""The one place that turns an exception into words for a person, and keeps the traceback in a log.

Every entry point (the CLI, the trainer's ``RunFailed``, the window's error boxes) calls
``user_message``: expected problems (a bad setting, a missing file, a refused model) keep their own
message; operating-system errors get one sentence naming the file and what to do; anything else is
a bug of ours, so its full traceback goes to the log file (``engine.logs``) and the message says
where. No caller prints a traceback.
"""

from __future__ import annotations

import errno
import logging

log = logging.getLogger("robustness_lab")


class UserError(ValueError):
    """A problem the person can fix; the message says what and how. Base of every engine error type."""


def _os_message(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    if isinstance(exc, PermissionError):
        return (
            f"Permission denied for{where or ' a file'}: this account may not write (or read) there. "
            "Choose a folder you own, or change its permissions."
        )
    if isinstance(exc, IsADirectoryError):
        return f"{where.strip() or 'The path'} is a folder; give a file name inside it instead."
    if isinstance(exc, NotADirectoryError):
        return f"A part of the path{where} is a file, not a folder."
    if isinstance(exc, FileNotFoundError):
        return f"There is no file or folder{where}. Check the path."
    if exc.errno == errno.ENOSPC:
        return f"The disk is full{' (writing' + where + ')' if where else ''}. Free some space and try again."
    if exc.errno == errno.EROFS:
        return f"{where.strip() or 'That place'} is on a read-only disk. Choose another folder."
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"The operating system refused{' ' + where.strip() if where else ''}: {reason}."


def user_message(exc: BaseException, context: str = "") -> str:
    """A plain-language sentence for ``exc``; an unexpected one is logged with its traceback."""
    from engine.logs import log_file

    prefix = f"{context}: " if context else ""
    if isinstance(exc, UserError):
        return prefix + str(exc)
    if isinstance(exc, OSError):
        return prefix + _os_message(exc)
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return prefix + ("The computer ran out of memory. Use a smaller batch size, fewer images or a smaller model.")
    if type(exc).__name__ == "DecompressionBombError":
        return prefix + (f"An image is too large to open safely ({str(exc)[:160]}). Shrink it or remove it.")
    log.error("Unexpected error%s", f" ({context})" if context else "", exc_info=exc)
    first = first_line(exc, 200)
    detail = f" ({type(exc).__name__}: {first})" if first != type(exc).__name__ else f" ({type(exc).__name__})"
    return (
        prefix + f"Something went wrong that Robustness Lab did not expect{detail}. The details are in "
        f"{log_file()}; please include that file if you report the problem."
    )


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's text (its type when it has none), cut to ``limit`` characters:
    library messages can run to pages."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]
