"""Sweeps whose run folders travel through an object store (``--storage s3://…``), against a real S3 protocol
server on this machine (moto's, on 127.0.0.1): the copies, a torn upload, hostile store contents, and a
grid on Ray Tune that resumes an interrupted trial through the store and equals the same grid run here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine import runs, sweep_storage
from engine.config import RunConfig
from engine.sweep import SWEEP_FILE, SWEEP_LOCK, make_plan, read_sweep
from engine.sweep_runner import Backend, run_sweep, run_trial
from engine.sweep_storage import Storage
from tests.engine.test_sweep_ray import _content

pafs = pytest.importorskip("pyarrow.fs", reason="pyarrow comes with Ray Tune: pip install -e '.[cluster]'")
moto_server = pytest.importorskip(
    "moto.server", reason="the S3 test server is moto's (with flask): pip install -e '.[test]'"
)


@pytest.fixture(scope="module")
def s3():
    """An S3 endpoint on loopback; yields a function giving the URI of a fresh prefix in its bucket."""
    keys = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    before = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    query = f"endpoint_override=http://{host}:{port}&region=us-east-1"
    fs, _ = pafs.FileSystem.from_uri(f"s3://lab?{query}&allow_bucket_creation=true")
    fs.create_dir("lab")
    count = iter(range(10**6))
    yield lambda: f"s3://lab/p{next(count)}?{query}"
    server.stop()
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run_files(folder: Path) -> dict[str, bytes]:
    """A run folder's files but the .lock that whoever looks at it (trial_state) may leave."""
    return {k: v for k, v in _files(folder).items() if k != runs.LOCK_FILE}


def _raw(uri: str) -> tuple[object, str]:
    fs, root = pafs.FileSystem.from_uri(uri)
    return fs, root


def _write(fs, path: str, data: bytes) -> None:
    with fs.open_output_stream(path) as out:
        out.write(data)


def _put_raw(uri: str, key: str, data: bytes) -> None:
    """An object under exactly this key, as a hostile or broken client could write it (pyarrow would
    normalise the '..' away; boto3, which moto brings, writes the key as given)."""
    import boto3

    endpoint = uri.split("endpoint_override=")[1].split("&")[0]
    bucket, _, prefix = uri.split("?")[0].removeprefix("s3://").partition("/")
    boto3.client("s3", endpoint_url=endpoint).put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=data)


def test_a_folder_goes_up_and_comes_down_the_same_and_only_the_newest_copy_is_kept(s3, tmp_path):
    uri = s3()
    store = Storage(uri)
    local = tmp_path / "t001"
    (local / "sub").mkdir(parents=True)
    (local / "config.json").write_text('{"a": 1}')
    (local / "sub" / "weights.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # more than one upload part
    (local / runs.LOCK_FILE).write_text("")
    store.push(local, "sweep-x/t001")
    (local / "config.json").write_text('{"a": 2}')
    store.push(local, "sweep-x/t001")

    assert store.pull("sweep-x/t001", tmp_path / "back")
    expected = {k: v for k, v in _files(local).items() if k != runs.LOCK_FILE}  # a lock is this machine's
    assert _files(tmp_path / "back") == expected
    fs, root = _raw(uri)
    names = {i.base_name for i in fs.get_file_info(pafs.FileSelector(f"{root}/sweep-x/t001"))}
    assert names == {"LATEST", "v000002"}  # the first copy was removed once LATEST named the second
    assert not store.pull("sweep-x/never-sent", tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_a_torn_upload_leaves_the_previous_copy_current(s3, tmp_path):
    """A worker killed while it uploads: the half-written copy is not named by LATEST, so it is not read."""
    uri = s3()
    store = Storage(uri)
    local = tmp_path / "t001"
    local.mkdir()
    (local / "config.json").write_text('{"epoch": 1}')
    store.push(local, "k/t001")
    fs, root = _raw(uri)
    _write(fs, f"{root}/k/t001/v000002/config.json", b'{"epo')  # the next copy, cut short before LATEST
    assert store.pull("k/t001", tmp_path / "back")
    assert (tmp_path / "back" / "config.json").read_text() == '{"epoch": 1}'


@pytest.mark.parametrize(
    ("files", "latest", "words"),
    [
        ({"v000001/../../../escaped.txt": b"x"}, b"v000001", "would leave its folder"),
        ({"v000001/a/../../../escaped.txt": b"x"}, b"v000001", "would leave its folder"),
        ({"v000001/config.json": b"{}"}, b"../../etc", None),  # LATEST that is not a version: nothing to read
        ({"v000001/big.bin": b"x" * 2048}, b"v000001", "larger than any run folder"),
    ],
)
def test_hostile_store_contents_are_refused_and_nothing_lands_outside(s3, tmp_path, monkeypatch, files, latest, words):
    uri = s3()
    for name, data in files.items():
        _put_raw(uri, f"k/t001/{name}", data)
    _put_raw(uri, "k/t001/LATEST", latest)
    monkeypatch.setattr(sweep_storage, "MAX_BYTES", 1024)
    sweep = tmp_path / "deep" / "sweep"
    sweep.mkdir(parents=True)
    store = Storage(uri)
    if words is None:
        assert not sweep_storage.bring_down(store, "k/t001", sweep / "t001")
    else:
        with pytest.raises(runs.RunError, match=words):
            sweep_storage.bring_down(store, "k/t001", sweep / "t001")
    assert not (sweep / "t001").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "sweep"]  # nothing escaped, no staging left


@pytest.mark.parametrize(
    ("uri", "words"), [("/shared/sweeps", "takes a URI"), ("nosuch://bucket/x", "Could not open the storage")]
)
def test_a_storage_that_cannot_be_opened_is_refused_in_words(uri, words):
    with pytest.raises(runs.RunError, match=words):
        Storage(uri)


def _fake_run(folder: Path, epochs: int, finished: bool) -> Path:
    """A run folder as trial_state and logged_epochs read it: finished, or interrupted with a checkpoint."""
    folder.mkdir(parents=True)
    (folder / runs.CONFIG_FILE).write_text("{}")
    lines = [json.dumps({"type": "epoch", "epoch": e}) for e in range(1, epochs + 1)]
    (folder / runs.METRICS_FILE).write_text("\n".join(lines) + "\n")
    (folder / runs.CHECKPOINT_FILE).write_bytes(b"weights")
    (folder / runs.SUMMARY_FILE).write_text(json.dumps({"reason": "completed" if finished else "interrupted"}))
    return folder


@pytest.mark.parametrize(
    ("local", "replaced"),
    [
        (None, True),  # nothing there yet
        ("empty", True),  # a folder with no run in it
        ((2, False), True),  # an interrupted run that the copy continues (4 ≥ 2 epochs)
        ((6, False), False),  # an interrupted run further along than the copy: kept
        ((3, True), False),  # a finished run: kept, whatever the copy holds
    ],
)
def test_install_replaces_only_what_the_copy_continues_and_moves_any_other_run_aside(tmp_path, local, replaced):
    target = tmp_path / "sweep" / "t001"
    if local == "empty":
        target.mkdir(parents=True)
    elif local is not None:
        _fake_run(target, *local)
    before = _run_files(target) if target.exists() else None
    incoming = _fake_run(tmp_path / "sweep" / ".incoming" / "t001", 4, False)
    expected = _files(incoming)

    sweep_storage.install(incoming, target)

    assert _files(target) == expected
    aside = [p for p in (tmp_path / "sweep").iterdir() if p.name.startswith("t001.replaced-")]
    if replaced:
        assert not aside
    else:
        assert len(aside) == 1 and _run_files(aside[0]) == before  # moved aside whole, never deleted
    assert not [p for p in (tmp_path / "sweep").iterdir() if p.name.startswith(".t001.old")]


def test_a_finished_trial_found_in_the_store_is_taken_not_trained_again(s3, tmp_path):
    """kill -9 of the driver after a worker finished (and sent up) a trial: the next sweep brings it down and
    leaves it out of the trials to run; an interrupted one is sent up for its worker; the rest start afresh."""
    from engine.sweep import SweepRecord

    plan = make_plan(RunConfig(), {"train.lam": [0.0, 0.5, 1.0]}, [0])
    done, stopped, fresh = plan.trials()
    folder = tmp_path / "sweep"
    folder.mkdir()
    record = SweepRecord(folder, plan)
    record.load_or_start()
    store = Storage(s3())
    key = sweep_storage.sweep_key(record)
    store.push(_fake_run(tmp_path / "worker" / done.name, 5, True), f"{key}/{done.name}")
    _fake_run(folder / stopped.name, 2, False)
    (folder / sweep_storage.STAGING / done.name).mkdir(parents=True)  # a download killed half-way

    todo, sent = sweep_storage.prepare(store, record, plan.trials(), log=lambda _text: None)

    assert [t.name for t in todo] == [stopped.name, fresh.name]
    assert record.trials[done.name]["state"] == "finished" and runs.logged_epochs(folder / done.name) == 5
    assert sent[stopped.name] == store.latest(f"{key}/{stopped.name}") and sent[done.name] is None
    assert store.latest(f"{key}/{fresh.name}") is None and not (folder / fresh.name).exists()
    assert not (folder / sweep_storage.STAGING).exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [([], "--storage is for sweeps on Ray"), (["--ray", "local"], "takes a URI")],
)
def test_the_cli_refuses_a_storage_it_cannot_use_before_writing_anything(tmp_path, capsys, extra, words):
    from engine.cli import main

    out = tmp_path / "s"
    assert main(["sweep", "--lambda", "0,1", "--storage", "/not/a/uri", "--out", str(out), *extra]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_a_grid_on_ray_through_s3_resumes_an_interrupted_trial_and_equals_the_grid_run_here(s3, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray Tune is not installed: pip install -e '.[cluster]'")
    pytest.importorskip("ray.tune", reason="Ray is installed without Tune: pip install -e '.[cluster]'")
    from engine import messages as m

    base = RunConfig().with_changes(
        {"train.epochs": 3, "train.eval_size": 300, "train.eval_steps": 5, "train.threads": 1, "train.gallery_every": 0}
    )
    plan = make_plan(base, {"train.lam": [0.0, 1.0]}, [0])
    first, second = plan.trials()
    folder = tmp_path / "ray"
    # the first trial was stopped after one epoch by an earlier sweep on this machine
    control = m.TrainingControl()
    stopped = run_trial(
        str(folder / first.name), first.config.to_dict(), "new", control, on_epoch=lambda: control.stop("interrupted")
    )
    assert stopped["status"] == "interrupted" and runs.logged_epochs(folder / first.name) == 1

    uri = s3()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = run_sweep(plan, folder, Backend("ray", trial_cpus=1, storage=uri))
    finally:
        ray.shutdown()
    here = run_sweep(plan, tmp_path / "here")

    assert [t["state"] for t in read_sweep(folder)["trials"]] == ["finished"] * 2
    for trial in (first, second):  # the resumed one too: bit for bit what an uninterrupted run trains
        _same(_content(folder / trial.name), _content(tmp_path / "here" / trial.name))
    assert on_ray["settings"] == here["settings"]
    # the runs arrived in the sweep folder; Ray's records did not (they are in the store), no staging is left
    assert sorted(p.name for p in folder.iterdir()) == sorted([SWEEP_FILE, SWEEP_LOCK, first.name, second.name])
    fs, root = _raw(uri)
    everything = [i.path for i in fs.get_file_info(pafs.FileSelector(root, recursive=True))]
    assert any("/tune-" in p for p in everything)  # Ray kept its experiment records in the store
    latest = {
        t.name: fs.open_input_stream(next(p for p in everything if p.endswith(f"/{t.name}/LATEST"))).read()
        for t in (first, second)
    }
    # the interrupted trial went up from the sweep folder (v1), then its worker sent it after its first epoch
    # (epoch 2: v2) and at the end (v3); the other after its first epoch (v1) and at the end (v2)
    assert latest == {first.name: b"v000003", second.name: b"v000002"}
    json.dumps(on_ray)  # the summary is still plain JSON


def _same(a, b) -> None:
    import torch

    config_a, metrics_a, summary_a, weights_a = a
    config_b, metrics_b, summary_b, weights_b = b
    assert config_a == config_b and metrics_a == metrics_b and summary_a == summary_b
    assert weights_a.keys() == weights_b.keys() and all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)


def test_a_trial_whose_driver_was_killed_continues_from_what_its_worker_sent_up(s3, tmp_path):
    """kill -9 of the driver: the sweep folder never got the trial, but its worker's last copy is in the store.
    The next sweep brings that copy down and resumes from it (nothing trained is lost)."""
    from engine import messages as m
    from engine.sweep import SweepRecord

    base = RunConfig().with_changes(
        {"train.epochs": 3, "train.eval_size": 100, "train.eval_steps": 2, "train.threads": 1, "train.gallery_every": 0}
    )
    plan = make_plan(base, {"train.lam": [0.0, 1.0]}, [0])
    trial = plan.trials()[0]
    worker = tmp_path / "worker" / trial.name
    control = m.TrainingControl()
    epochs = iter(range(100))
    run_trial(str(worker), trial.config.to_dict(), "new", control, on_epoch=lambda: next(epochs) and control.stop("x"))
    assert runs.logged_epochs(worker) == 2
    store = Storage(s3())
    folder = tmp_path / "sweep"
    folder.mkdir()
    record = SweepRecord(folder, plan)
    record.load_or_start()
    key = f"{sweep_storage.sweep_key(record)}/{trial.name}"
    store.push(worker, key)

    todo, sent = sweep_storage.prepare(store, record, [trial], log=lambda _text: None)

    assert [t.name for t in todo] == [trial.name] and record.trials[trial.name]["state"] == "interrupted"

    assert _run_files(folder / trial.name) == _run_files(worker)
    assert sent[trial.name] == "v000002"  # and sent up again, for the worker that resumes it
    assert not (folder / sweep_storage.STAGING).exists()


def test_the_store_key_is_the_sweeps_own_and_kept_in_sweep_json(tmp_path):
    """Two sweeps with the same folder name and plan (two machines, one bucket) never share copies; the
    same sweep run again finds its own."""
    from engine.sweep import SweepRecord

    plan = make_plan(RunConfig(), {"train.lam": [0.0, 1.0]}, [0])
    records = []
    for where in ("a", "b", "a"):
        (tmp_path / where / "sw").mkdir(parents=True, exist_ok=True)
        record = SweepRecord(tmp_path / where / "sw", plan)
        record.load_or_start()
        records.append(sweep_storage.sweep_key(record))
    assert records[0] == records[2] != records[1] and records[0].startswith("sw-")
