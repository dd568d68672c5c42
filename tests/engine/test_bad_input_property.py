"""Property tests: random values and strings at every command-line option and every config field.

The command line must answer each with success, or exit status 2 and one ``error:`` line on stderr:
never a traceback, never a figure computed from an invalid setting. The real parser, config checks,
run-folder handling and file loading run; the trainer and the evaluation are wrapped so that each
asserts, independently of the code under test, that the settings it was handed are valid before it
does its (real) work. The trainer runs at most two epochs and one thread so that a valid ``--epochs
9000`` or ``--threads 1024`` does not make the test take hours.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import shutil
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine import cli
from engine import config as config_mod
from engine.config import ConfigError, RunConfig

DEMO_RUN = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits-standard"
PATH_OPTIONS = {"--out", "--data-dir", "--report", "--model-file", "--transfer-from"}


def _options(command: str) -> list[argparse.Action]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [a for a in sub.choices[command]._actions if a.option_strings and a.dest not in ("help",)]


def _valid_run_config(config: RunConfig) -> None:
    """What a run may be started with, written out here rather than taken from RunConfig.validate."""

    def whole(v, lo, hi=None):
        return type(v) is int and v >= lo and (hi is None or v <= hi)

    def number(v, lo, hi):
        return type(v) in (int, float) and math.isfinite(v) and lo <= v <= hi

    t, a, d = config.train, config.attack, config.data
    assert whole(t.epochs, 1, 10_000) and whole(t.batch_size, 1, 65_536) and whole(t.seed, 0, 2**32 - 1)
    assert number(t.lr, 0, 10) and t.lr > 0 and number(t.lam, 0, 1e6) and whole(t.eval_steps, 1, 1000)
    assert whole(t.eval_size, 0) and (t.threads is None or whole(t.threads, 1, 1024))
    assert number(a.eps, 0, 1) and whole(a.steps, 1, 1000) and a.name in config_mod.TRAIN_ATTACKS
    assert a.step_size is None or (number(a.step_size, 0, 100) and a.step_size > 0)
    assert whole(d.image_size, 4, 512) and (d.limit_train is None or whole(d.limit_train, 1))
    assert d.limit_holdout is None or whole(d.limit_holdout, 1)
    assert number(config.model.dropout, 0, 0.99) and number(config.regularization.l1, 0, 1e3)
    assert number(config.augment.rotation, 0, 180) and number(config.augment.shift, 0, 0.5)
    assert whole(config.augment.crop_padding, 0, 16) and number(config.augment.noise_std, 0, 1)


@pytest.fixture
def guarded_engine(monkeypatch, tmp_path):
    """The real trainer and evaluation behind a check of the settings they receive."""
    import engine.evaluate as evaluate_mod
    import engine.trainer as trainer_mod

    real_train, real_evaluate = trainer_mod.train, evaluate_mod.evaluate_model

    def train(config, control=None, run_dir=None, dataset=None, resume=False, overwrite=False):
        _valid_run_config(config)
        small = config.with_changes({"train.epochs": min(config.train.epochs, 2), "train.threads": None})
        return real_train(small, control, run_dir=run_dir, dataset=dataset, resume=resume, overwrite=overwrite)

    def evaluate_model(model, x, y, cfg, batch_size=500, **kwargs):
        assert type(batch_size) is int and batch_size >= 1 and len(x) >= 1
        cfg.validate()
        assert math.isfinite(cfg.eps) and cfg.eps >= 0 and cfg.steps >= 1
        return real_evaluate(model, x, y, cfg, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(trainer_mod, "train", train)
    monkeypatch.setattr(evaluate_mod, "evaluate_model", evaluate_model)
    monkeypatch.chdir(tmp_path)  # relative --out / --report values land here
    threads = torch.get_num_threads()
    yield tmp_path
    torch.set_num_threads(threads)


def _value(option: str) -> st.SearchStrategy[str]:
    text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
    if option in PATH_OPTIONS:  # never an absolute path or '..': the test must not write outside its folder
        text = text.filter(lambda s: not s.startswith(("/", "~", "-")) and ".." not in s and "\x00" not in s)
    return st.one_of(
        text.filter(lambda s: "\x00" not in s),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(
            [
                "nan",
                "inf",
                "-inf",
                "-0",
                "0",
                "1",
                "1e309",
                "8/0",
                "8/255",
                "0x10",
                "",
                " 3 ",
                "1_000",
                "٣",
                "1e-400",
                "99999999999999999999999",
                "-1",
                "0.5",
                "fgsm",
                "pgd",
                "all",
            ]
        ),
    )


QUICK_RUN = "--limit-train 32 --limit-holdout 16 --eval-size 8 --eval-steps 1 --epochs 1 --quiet".split()
BASES = {
    "train": ["train", *QUICK_RUN],
    "sweep": ["sweep", *QUICK_RUN, "--lambdas", "0,1"],
    "evaluate": ["evaluate", str(DEMO_RUN), "--limit-holdout", "16", "--no-sanity", "--suite", "fgsm", "--steps", "1"],
    "compare": ["compare", str(DEMO_RUN), str(DEMO_RUN.with_name("digits-robust")), "--limit-holdout", "16"],
    "export": ["export", str(DEMO_RUN), "x.pt2"],
}
CASES = [(command, action) for command in BASES for action in _options(command)]


@st.composite
def _argv(draw):
    command, action = draw(st.sampled_from(CASES))
    flag = action.option_strings[-1]
    if action.nargs == 0:  # a switch
        return [*BASES[command], flag]
    value = draw(st.sampled_from(action.choices)) if action.choices and draw(st.booleans()) else draw(_value(flag))
    return [*BASES[command], flag, value]


@settings(
    max_examples=160,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=_argv())
def test_any_option_value_gives_a_result_or_one_error_line(argv, guarded_engine, capsys):
    out_dir = guarded_engine / "out"
    shutil.rmtree(out_dir, ignore_errors=True)
    if argv[0] in ("train", "sweep") and "--out" not in argv:
        argv = [*argv, "--out", str(out_dir)]
    code = cli.main(argv)
    event(f"{argv[0]} exit {code}")  # --hypothesis-show-statistics: how many ran for real
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    if code == 0:
        json.loads(captured.out.strip().splitlines()[-1])
    else:
        assert code == 2, (argv, code, captured.err)
        lines = captured.err.strip().splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], (argv, captured.err)
        assert len(errors[0]) > len("error: ") + 10


SECTIONS = {f.name: f.type for f in dataclasses.fields(RunConfig)}
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def _raw_config(draw):
    raw = RunConfig().to_dict()
    section = draw(st.sampled_from(sorted(raw)))
    name = draw(st.sampled_from(sorted(raw[section])))
    raw[section][name] = draw(ANY_VALUE)
    return raw, section, name


@settings(max_examples=400, deadline=None, derandomize=True)
@given(case=_raw_config())
def test_any_config_field_value_is_refused_in_words_or_valid(case):
    raw, section, name = case
    try:
        config = RunConfig.from_dict(json.loads(json.dumps(raw)))
    except ConfigError as exc:
        assert len(str(exc)) > 10
        return
    _valid_run_config(config)
    assert config == RunConfig.from_dict(config.to_dict())
