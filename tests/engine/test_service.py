"""The engine service in-process (a thread on one end of a pipe): jobs, cancellation, unreadable results."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import service
from engine.demo import DEMO_ATTACK, demo_model_dir
from engine.messages import (
    CancelJob,
    EngineReady,
    GalleryBatch,
    JobCancelled,
    JobDone,
    JobFailed,
    ModelSource,
    Shutdown,
    StartTask,
    window_loads,
    window_readable,
)
from engine.runs import load_config


@pytest.fixture
def engine() -> Iterator:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    svc = service.EngineService(theirs)
    thread = threading.Thread(target=svc.serve, daemon=True)
    thread.start()

    def recv(timeout: float = 60.0):
        assert ours.poll(timeout), "the engine did not answer"
        return window_loads(ours.recv_bytes())  # read as the window reads it

    assert isinstance(recv(), EngineReady)
    yield ours, recv
    ours.send(Shutdown())
    thread.join(10)
    svc.close()


def _source() -> ModelSource:
    folder = demo_model_dir("standard")
    return ModelSource(load_config(folder), run_dir=str(folder))


def test_a_gallery_job_answers_with_a_batch_the_window_can_read(engine) -> None:
    conn, recv = engine
    conn.send(StartTask(1, "gallery", {"source": _source(), "attack": DEMO_ATTACK}))
    done = recv()
    assert isinstance(done, JobDone) and done.job == 1 and isinstance(done.result, GalleryBatch)
    assert done.result.fooled.sum() > 0 and isinstance(done.result.original, np.ndarray)


def test_a_queued_job_is_cancelled_at_once_behind_a_long_one(engine) -> None:
    conn, recv = engine
    eps = tuple(i / 50 for i in range(20))
    long = {"source": _source(), "attacks": ("pgd",), "eps_values": eps, "steps": 40, "limit": 359}
    conn.send(StartTask(1, "robustness", long))
    conn.send(StartTask(2, "sanity", {"source": _source(), "eps": 0.2, "steps": 10, "limit": 100}))
    t0 = time.perf_counter()
    conn.send(CancelJob(2))
    answer = recv()
    while not isinstance(answer, (JobCancelled, JobDone, JobFailed)):  # progress of the long job
        answer = recv()
    assert isinstance(answer, JobCancelled) and answer.job == 2, answer
    assert time.perf_counter() - t0 < 1.0  # answered by the engine's reader, not after the long job
    conn.send(CancelJob(1))
    answer = recv()
    while not isinstance(answer, (JobCancelled, JobDone, JobFailed)):
        answer = recv()
    assert isinstance(answer, JobCancelled) and answer.job == 1


def test_unknown_jobs_and_unreadable_results_are_failures_not_silence(engine, monkeypatch) -> None:
    conn, recv = engine
    conn.send(StartTask(1, "format-the-disk", {}))
    failed = recv()
    assert isinstance(failed, JobFailed) and "no job called" in failed.message
    # A result holding a tensor could not be read by the window (it never imports torch): a JobFailed instead.
    monkeypatch.setitem(service.TASKS, "leaky", ("interactive", lambda lane, cancel, progress: torch.zeros(2)))
    conn.send(StartTask(2, "leaky", {}))
    failed = recv()
    assert isinstance(failed, JobFailed) and failed.job == 2 and "did not expect" in failed.message
    # The lane still works afterwards.
    conn.send(StartTask(3, "gallery", {"source": _source(), "attack": DEMO_ATTACK}))
    assert isinstance(recv(), JobDone)


def test_the_window_reader_refuses_torch_and_unknown_modules() -> None:
    assert window_readable(JobDone(1, "x", (np.zeros(3), {"a": 1.0})))
    assert not window_readable(JobDone(1, "x", torch.zeros(1)))
    assert not window_readable(JobDone(1, "x", pytest.approx(1.0)))  # any class outside the allow-list


def test_the_report_job_writes_in_the_language_the_window_asks_for(engine, tmp_path) -> None:
    conn, recv = engine
    folder = str(demo_model_dir("standard"))
    conn.send(StartTask(1, "report", {"run_dir": folder, "path": str(tmp_path / "zh.html"), "language": "zh_CN"}))
    conn.send(StartTask(2, "report", {"run_dir": folder, "path": str(tmp_path / "en.html")}))  # an older window
    answers = {}
    while len(answers) < 2:
        answer = recv()
        if isinstance(answer, (JobDone, JobFailed)):
            answers[answer.job] = answer
    assert all(isinstance(a, JobDone) for a in answers.values()), answers
    zh, en = (Path(answers[j].result).read_text(encoding="utf-8") for j in (1, 2))
    assert '<html lang="zh-CN">' in zh and "<h2>设置</h2>" in zh and "对抗样本" in zh
    assert en.startswith("<!DOCTYPE html><html><head>") and "<h2>Settings</h2>" in en
