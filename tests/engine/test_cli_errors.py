"""Paths the command line cannot write, and models it cannot use: one sentence that names the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import cli

DEMO_RUN = Path(__file__).resolve().parents[2] / "resources" / "models" / "digits-standard"


def _one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def a_file(tmp_path) -> Path:
    """A regular file: a folder 'inside' it can never be made, even by root (tests run as root in CI)."""
    path = tmp_path / "plain-file"
    path.write_text("not a folder")
    return path


def test_export_onto_a_folder_or_where_it_cannot_write(tmp_path, a_file, capsys):
    assert cli.main(["export", str(DEMO_RUN), str(tmp_path)]) == 2
    assert "is a folder" in _one_error(capsys)
    assert cli.main(["export", str(DEMO_RUN), str(a_file / "m.pt2")]) == 2
    line = _one_error(capsys)
    assert str(a_file) in line and ".tmp" not in line


def test_sweep_and_train_where_runs_cannot_be_written(a_file, capsys, monkeypatch):
    quick = ["--limit-train", "32", "--epochs", "1", "--quiet"]
    assert cli.main(["sweep", *quick, "--lambdas", "0,1", "--out", str(a_file / "sweep")]) == 2
    assert str(a_file) in _one_error(capsys)
    monkeypatch.setenv("ROBUSTNESS_LAB_RUNS", str(a_file / "runs"))
    assert cli.main(["train", *quick]) == 2
    assert str(a_file) in _one_error(capsys)
    assert cli.main(["train", *quick, "--out", str(a_file)]) == 2
    assert "is a file, not a folder" in _one_error(capsys)


def test_unknown_options_and_abbreviations_are_refused(capsys):
    assert cli.main(["train", "--epoch", "3"]) == 2
    assert "unrecognized arguments: --epoch" in _one_error(capsys)
    assert (
        cli.main(
            [
                "evaluate",
                str(DEMO_RUN),
                "--report",
                "r.txt",
                "--suite",
                "fgsm",
                "--no-sanity",
                "--limit-holdout",
                "10",
                "--steps",
                "1",
            ]
        )
        == 2
    )
    assert "must end in .html" in capsys.readouterr().err


def test_a_library_that_calls_exit_does_not_end_the_command_silently(monkeypatch, capsys):
    def exits(_args):
        raise SystemExit(7)  # as a module run on import (e.g. some __main__) would

    monkeypatch.setattr(cli, "cmd_export", exits)
    assert cli.main(["export", str(DEMO_RUN), "x.pt2"]) == 2
    assert "tried to end the program (exit 7)" in _one_error(capsys)
    with pytest.raises(SystemExit) as help_exit:  # --help still exits normally
        cli.main(["--help"])
    assert help_exit.value.code == 0


def test_messages_in_chinese_with_lang_or_the_locale(capsys, monkeypatch, tmp_path):
    """`--lang zh_CN` (or a Chinese locale) words the errors in Chinese, argparse's range checks included;
    the JSON on stdout stays English."""
    from tests.gui.window_audit import latin_words, without_code

    assert cli.main(["train", "--epochs", "0", "--lang", "zh_CN"]) == 2
    err = capsys.readouterr().err
    assert "1" in err and "10000" in err and not latin_words(without_code(err.replace("argument", ""))), err
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert cli.main(["export", str(tmp_path / "no-run"), str(tmp_path / "m.pt2")]) == 2
    err = capsys.readouterr().err
    assert "错误" in err and not latin_words(without_code(err.replace(str(tmp_path / "no-run"), " "))), err
    assert cli.main(["export", str(tmp_path / "no-run"), str(tmp_path / "m.pt2"), "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
