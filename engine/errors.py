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

from engine.catalogue import Text

log = logging.getLogger("robustness_lab")


class UserError(ValueError):
    """A problem the person can fix; the message says what and how. Base of every engine error type.

    Raised as ``UserError("There is no model file {path}.", path=path)``: the English template and its
    fields are kept (``.text``), so ``str()`` is English for logs and tests while ``user_message`` gives
    the words in the person's language (engine.catalogue). A field may be a ``Text`` (a phrase that is
    translated too)."""

    def __init__(self, template: str | Text = "", /, **fields: object) -> None:
        self.text = template if isinstance(template, Text) else Text(template, fields)
        super().__init__(str(self.text))


def _os_message(exc: OSError) -> Text:
    where = str(exc.filename) if exc.filename else ""
    if isinstance(exc, PermissionError):
        if where:
            return Text(
                "Permission denied for {path}: this account may not write (or read) there. "
                "Choose a folder you own, or change its permissions.",
                {"path": where},
            )
        return Text(
            "Permission denied for a file: this account may not write (or read) there. "
            "Choose a folder you own, or change its permissions."
        )
    if isinstance(exc, IsADirectoryError):
        return Text("{path} is a folder; give a file name inside it instead.", {"path": where or "?"})
    if isinstance(exc, NotADirectoryError):
        return Text("A part of the path {path} is a file, not a folder.", {"path": where or "?"})
    if isinstance(exc, FileNotFoundError):
        if where:
            return Text("There is no file or folder {path}. Check the path.", {"path": where})
        return Text("There is no such file or folder. Check the path.")
    if exc.errno == errno.ENOSPC:
        if where:
            return Text("The disk is full (writing {path}). Free some space and try again.", {"path": where})
        return Text("The disk is full. Free some space and try again.")
    if exc.errno == errno.EROFS:
        return Text("{path} is on a read-only disk. Choose another folder.", {"path": where or "?"})
    reason = exc.strerror or str(exc) or type(exc).__name__
    if where:
        return Text("The operating system refused {path}: {reason}.", {"path": where, "reason": reason})
    return Text("The operating system refused: {reason}.", {"reason": reason})


def user_message(exc: BaseException, context: str = "") -> str:
    """A plain-language sentence for ``exc`` in this process's language (engine.catalogue.set_language),
    after ``context`` (an English phrase of the catalogue, e.g. "Training stopped with an error"); an
    unexpected exception is logged with its traceback."""
    return user_text(exc, context).render()


def user_text(exc: BaseException, context: str = "") -> Text:
    """``user_message`` before it is put into words: the template and fields, for a caller that chooses
    the language itself."""
    from engine.logs import log_file

    if isinstance(exc, UserError):
        message = exc.text
    elif isinstance(exc, OSError):
        message = _os_message(exc)
    elif isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        message = Text("The computer ran out of memory. Use a smaller batch size, fewer images or a smaller model.")
    elif type(exc).__name__ == "DecompressionBombError":
        message = Text(
            "An image is too large to open safely ({detail}). Shrink it or remove it.", {"detail": str(exc)[:160]}
        )
    else:
        log.error("Unexpected error%s", f" ({context})" if context else "", exc_info=exc)
        first = first_line(exc, 200)
        detail = f"{type(exc).__name__}: {first}" if first != type(exc).__name__ else type(exc).__name__
        message = Text(
            "Something went wrong that Robustness Lab did not expect ({detail}). The details are in {log}; "
            "please include that file if you report the problem.",
            {"detail": detail, "log": str(log_file())},
        )
    if not context:
        return message
    return Text("{context}: {message}", {"context": Text(context), "message": message})


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's text (its type when it has none), cut to ``limit`` characters:
    library messages can run to pages."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]
