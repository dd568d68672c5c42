"""Trial folders carried through an object store (``main.py sweep --ray … --storage s3://…``).

On a cluster with no folder that every node mounts, a trial trains into a temporary folder on its own
node and the run folder travels through the store the user names: the worker sends it up (every
``PUSH_EVERY`` seconds while it trains, and when it ends), the driver brings it down into the sweep
folder on its own machine. Everything else in the app then reads ordinary run folders, as with a shared
folder. Ray Tune gets the same URI as its ``storage_path`` (Ray requires shared storage for its own
records since 2.7).

The store is reached through ``pyarrow.fs`` (it comes with ``ray[tune]``, and is what Ray itself uses
for ``storage_path``), so any URI pyarrow understands works: ``s3://`` (with ``?endpoint_override=…`` for
MinIO and other S3-compatible stores), ``gs://``, ``abfs://``, ``hdfs://``, ``file://``. Credentials come
the usual way for each store (for S3: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``~/.aws``).

Layout under ``URI/<sweep key>/<trial>/``: numbered copies ``v000001/…`` and a one-line ``LATEST`` that
names the complete one. An object store has no atomic rename of a folder, so a copy is written in full
first and ``LATEST`` (a single small object, written whole or not at all) is moved to it afterwards: a
worker killed mid-upload leaves the previous copy current, never a half-written one.

Nothing read from the store is trusted: a name that would leave the trial's folder (``..``, an absolute
path), a ``LATEST`` that is not a version name, or more than ``MAX_BYTES`` in all is refused, and the
files that arrive are read by the same guarded loaders as any run folder (weights with
``weights_only=True``, JSON with size and type checks).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from engine import runs
from engine.catalogue import say

if TYPE_CHECKING:
    from engine.sweep import SweepRecord, Trial

PUSH_EVERY = 30.0  # seconds between uploads of a trial that is still training
MAX_BYTES = 2 * 1024**3  # a run folder larger than this in the store is not a run folder of this app
MAX_FILES = 10_000
LATEST = "LATEST"
_VERSION = re.compile(r"v\d{6}")
STAGING = ".incoming"  # inside the sweep folder: downloads land here before they replace a trial's folder


def sweep_key(record: SweepRecord) -> str:
    """The sweep's place in the store: its folder's name and its random id from sweep.json, so two sweeps
    that share a store never mix their trials (not even with the same folder name and plan on two
    machines), and re-running one finds its own."""
    return f"{record.folder.name}-{record.storage_id}"


@dataclass(frozen=True)
class Storage:
    """A folder in an object store (``uri``), opened with pyarrow; picklable by its URI, so Ray can send it
    to the workers, which open it again on their own node."""

    uri: str

    def __post_init__(self) -> None:
        self._open()  # refuse a bad URI where the user typed it, not on a worker minutes later

    def _open(self) -> tuple[Any, str]:
        try:
            import pyarrow.fs as pafs
        except ImportError:
            raise runs.RunError(
                'Sweeps with --storage need pyarrow, which comes with Ray Tune: pip install -e ".[cluster]".'
            ) from None
        if "://" not in self.uri:
            raise runs.RunError(
                "--storage takes a URI such as s3://bucket/sweeps or gs://bucket/sweeps, not {uri}. For a folder "
                "every node mounts, give that folder as --out and leave out --storage.",
                uri=self.uri,
            )
        try:
            fs, root = pafs.FileSystem.from_uri(self.uri)
        except (ValueError, OSError, TypeError) as exc:
            raise runs.RunError(
                "Could not open the storage {uri}: {error}", uri=self.uri, error=str(exc)[:300]
            ) from exc
        return fs, root.rstrip("/")

    def _folder(self, key: str) -> tuple[Any, str]:
        fs, root = self._open()
        return fs, f"{root}/{key}"

    # ------------------------------------------------------------------ up
    def push(self, local: Path, key: str) -> str:
        """Send the run folder ``local`` up as the newest copy of ``key`` (a trial's place); its version."""
        fs, base = self._folder(key)
        current = self._latest(fs, base)
        number = int(current[1:]) + 1 if current else 1
        version = f"v{number:06d}"
        with contextlib.suppress(FileNotFoundError):  # what a torn upload left under this number
            fs.delete_dir_contents(f"{base}/{version}", missing_dir_ok=True)
        fs.create_dir(f"{base}/{version}", recursive=True)
        for path in sorted(local.rglob("*")):
            relative = path.relative_to(local).as_posix()
            if path.is_dir() or path.name == runs.LOCK_FILE:
                continue
            with path.open("rb") as src, fs.open_output_stream(f"{base}/{version}/{relative}") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        with fs.open_output_stream(f"{base}/{LATEST}") as out:
            out.write(version.encode("ascii"))
        if current:  # the copy before: no longer named by LATEST, so no reader wants it
            with contextlib.suppress(OSError):
                fs.delete_dir(f"{base}/{current}")
        return version

    def latest(self, key: str) -> str | None:
        """The version LATEST names for ``key`` (None: no complete copy)."""
        fs, base = self._folder(key)
        return self._latest(fs, base)

    # ------------------------------------------------------------------ down
    def pull(self, key: str, dest: Path) -> bool:
        """Bring the newest copy of ``key`` down into the new folder ``dest`` (which must not exist).
        False when the store holds no copy of it."""
        import pyarrow.fs as pafs

        fs, base = self._folder(key)
        version = self._latest(fs, base)
        if version is None:
            return False
        top = f"{base}/{version}"
        infos = fs.get_file_info(pafs.FileSelector(top, recursive=True, allow_not_found=True))
        files = [i for i in infos if i.type == pafs.FileType.File]
        if len(files) > MAX_FILES or sum(max(0, i.size or 0) for i in files) > MAX_BYTES:
            raise runs.RunError(
                "The copy of trial {key} in {uri} is larger than any run folder; it was not downloaded.",
                key=key,
                uri=self.uri,
            )
        dest.mkdir(parents=True)
        copied = 0
        for info in files:
            relative = PurePosixPath(info.path[len(top) :].lstrip("/"))
            outside = not info.path.startswith(top + "/") or not relative.parts or relative.is_absolute()
            if outside or any(p in ("..", ".", "") or "\\" in p or ":" in p for p in relative.parts):
                raise runs.RunError(
                    "The copy of trial {key} in {uri} holds a file named {name}, which would leave its folder; "
                    "it was not downloaded.",
                    key=key,
                    uri=self.uri,
                    name=str(relative)[:200],
                )
            target = dest.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with fs.open_input_stream(info.path) as src, target.open("wb") as out:
                while chunk := src.read(1 << 20):  # counted as it comes: an object may grow after the listing
                    copied += len(chunk)
                    if copied > MAX_BYTES:
                        raise runs.RunError(
                            "The copy of trial {key} in {uri} is larger than any run folder; it was not downloaded.",
                            key=key,
                            uri=self.uri,
                        )
                    out.write(chunk)
        return True

    def clear(self, key: str) -> None:
        """Forget every copy of ``key`` (a trial that starts again from nothing)."""
        fs, base = self._folder(key)
        with contextlib.suppress(FileNotFoundError, OSError):
            fs.delete_dir(base)

    @staticmethod
    def _latest(fs: Any, base: str) -> str | None:
        try:
            with fs.open_input_stream(f"{base}/{LATEST}") as src:
                text = src.read(64).decode("ascii", "replace").strip()
        except (FileNotFoundError, OSError):
            return None
        return text if _VERSION.fullmatch(text) else None


def install(incoming: Path, folder: Path) -> None:
    """Put the downloaded run folder ``incoming`` where the trial's folder is.

    It replaces a folder with no run in it, or an interrupted run it continues (at least as many epochs:
    the copy a worker resumed from it). Any other run there (a finished one, a failed attempt, one further
    along) is moved aside to ``<name>.replaced-<time>``, as runs.RunWriter does, never deleted.
    """
    from engine.sweep import trial_state

    if folder.exists():
        continues = trial_state(folder) == "interrupted" and runs.logged_epochs(incoming) >= runs.logged_epochs(folder)
        if not runs.holds_run(folder) or continues:
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(incoming, folder)
            shutil.rmtree(old, ignore_errors=True)
            return
        os.replace(folder, runs.aside_path(folder))
    os.replace(incoming, folder)


def _staging(folder: Path) -> Path:
    """Where a download of the trial ``folder`` lands first (inside the sweep folder, so a rename puts it in
    place; one level down, so the Runs tab never lists a half-downloaded run). A leftover of a download that
    was killed is removed."""
    incoming = folder.parent / STAGING / folder.name
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.parent.mkdir(exist_ok=True)
    return incoming


def _drop_staging(incoming: Path) -> None:
    shutil.rmtree(incoming, ignore_errors=True)
    with contextlib.suppress(OSError):
        incoming.parent.rmdir()


def bring_down(storage: Storage, key: str, folder: Path) -> bool:
    """Download ``key`` and install it as the run folder ``folder``; False when the store has no copy."""
    incoming = _staging(folder)
    try:
        if not storage.pull(key, incoming):
            return False
        install(incoming, folder)
        return True
    finally:
        _drop_staging(incoming)


def hand_over(storage: Storage, key: str, folder: Path, log: Callable[[str], None]) -> str | None:
    """Make the store and the sweep folder agree on one trial before Ray gets it; the version sent up.

    The store may hold more than the sweep folder: a copy a worker sent up before this driver was killed.
    That copy is brought down first (nothing trained is lost; install() keeps whatever it does not
    continue). An interrupted trial is then sent up, so that the worker that resumes it can fetch it; a
    finished one is left as it is; any other starts from nothing in the store.
    """
    from engine.sweep import trial_state

    name = folder.name
    incoming = _staging(folder)
    try:
        if storage.pull(key, incoming) and runs.logged_epochs(incoming) > runs.logged_epochs(folder):
            if trial_state(incoming) in ("interrupted", "finished"):
                install(incoming, folder)
                log(say("Sweep: trial {name} continues from its copy in {uri}", name=name, uri=storage.uri))
    except (OSError, runs.RunError) as exc:
        log(say("Sweep: trial {name} could not be brought down from {uri}: {error}", name=name,
                uri=storage.uri, error=str(exc)[:300]))  # fmt: skip
    finally:
        _drop_staging(incoming)
    state = trial_state(folder)
    try:
        if state == "interrupted":
            return storage.push(folder, key)
        if state != "finished":
            storage.clear(key)
    except OSError as exc:
        log(say("Sweep: trial {name} could not be sent to {uri}: {error}", name=name, uri=storage.uri,
                error=str(exc)[:300]))  # fmt: skip
    return None


def prepare(
    storage: Storage, record: SweepRecord, todo: Sequence[Trial], log: Callable[[str], None]
) -> tuple[list[Trial], dict[str, str | None]]:
    """hand_over() for each trial to be run; the trials still to run (one the store held finished is not
    trained again) and the version each was sent up as (None: nothing sent)."""
    from engine.sweep import trial_state

    key = sweep_key(record)
    sent: dict[str, str | None] = {}
    for trial in todo:
        sent[trial.name] = hand_over(storage, f"{key}/{trial.name}", record.folder / trial.name, log)
        record.update(trial.name, state=trial_state(record.folder / trial.name))
    return [t for t in todo if record.trials[t.name]["state"] != "finished"], sent
