"""The engine's message catalogue: every sentence the engine can raise or send reads in each language.

The check reads the engine's source (ast): each error, ``_check`` message, ``Text``/``say`` phrase and
``user_message`` context must be a literal English template (not an f-string or a pre-formatted string,
which no catalogue could look up), its fields must be the template's placeholders, and each template
must have a translation with the same placeholders. A new message without its translation fails here.
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine import catalogue
from engine.catalogue import Text, say, set_language, t
from engine.catalogue_zh_CN import ZH_CN
from engine.config import ConfigError, RunConfig, TrainConfig
from engine.errors import UserError, user_message
from tests.gui.window_audit import latin_words, without_code

ENGINE = Path(__file__).resolve().parents[2] / "engine"
ERROR_CLASSES = {"UserError", "ConfigError", "RunError", "DatasetError", "CertifyError", "CliError"}
ERROR_CLASSES |= {"UnsafeProgramError"}
TEMPLATE_FIRST = ERROR_CLASSES | {"Text", "say"}  # the template is the first argument
TEMPLATE_SECOND = {"_check", "_refuse", "user_message", "user_text"}  # the second
NO_FIELDS = {"user_message", "user_text"}  # the context is a fixed phrase


@dataclass(frozen=True)
class Site:
    where: str
    template: str | None  # None: not a literal (a problem unless it forwards a parameter)
    node: ast.expr
    keywords: frozenset[str] | None  # the call's field names; None when it passes **fields on


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _sites() -> list[Site]:
    sites: list[Site] = []
    for path in sorted(ENGINE.glob("*.py")):
        if path.name.startswith("catalogue"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            index = 0 if name in TEMPLATE_FIRST else 1 if name in TEMPLATE_SECOND else None
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            where = f"{path.name}:{node.lineno}"
            literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            if literal is None and isinstance(arg, ast.Name) and arg.id in constants:
                literal = constants[arg.id]
            keywords = None if any(k.arg is None for k in node.keywords) else frozenset(k.arg for k in node.keywords)
            if name == "Text" and len(node.args) > 1:  # Text(template, {"field": …})
                fields = node.args[1]
                keywords = (
                    frozenset(k.value for k in fields.keys if isinstance(k, ast.Constant))
                    if isinstance(fields, ast.Dict) and all(k is not None for k in fields.keys)
                    else None
                )
            sites.append(Site(where, literal, arg, frozenset() if name in NO_FIELDS else keywords))
    return sites


def _placeholders(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


SITES = _sites()


def test_the_source_scan_finds_the_messages() -> None:
    # Guards the scan itself: if the engine's error calls changed shape, the checks below would pass on nothing.
    assert len(SITES) > 200
    assert any(s.template == "Epochs must be a whole number from 1 to 10000." for s in SITES)


def test_every_message_is_a_literal_template() -> None:
    """An f-string or a formatted string cannot be looked up in any catalogue; a plain name may only
    forward a parameter or a field that is itself checked where it was made (a ``Text``)."""
    bad = [
        f"{s.where}: {ast.unparse(s.node)[:90]}"
        for s in SITES
        if s.template is None and not (isinstance(s.node, ast.Name) or _forwarded_attribute(s.node))
    ]
    assert not bad, "messages that are not literal templates:\n" + "\n".join(bad)


def _forwarded_attribute(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("text", "message")


def test_fields_given_are_the_templates_placeholders() -> None:
    bad = []
    for s in SITES:
        if s.template is None or s.keywords is None:
            continue
        wanted = _placeholders(s.template)
        if s.keywords != wanted and (s.keywords or wanted):
            bad.append(f"{s.where}: {s.template[:60]!r} wants {sorted(wanted)}, is given {sorted(s.keywords)}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("language,table", [("zh_CN", ZH_CN)])
def test_every_message_has_its_translation(language: str, table: dict[str, str]) -> None:
    missing = sorted({s.template for s in SITES if s.template and s.template not in table})
    assert not missing, f"{len(missing)} messages have no {language} translation:\n" + "\n".join(missing)
    mismatched = [
        f"{k!r}: {sorted(_placeholders(k))} ≠ {sorted(_placeholders(v))}"
        for k, v in table.items()
        if _placeholders(k) != _placeholders(v)
    ]
    assert not mismatched, "translations with other placeholders than their English:\n" + "\n".join(mismatched)


PROPER_NAMES = {
    "Tune",  # Ray Tune, the cluster engine of sweeps
    "ZIP",
    "SHA",
    "URL",
    "ID",
    "RGB",
    "NumPy",
    "Pillow",
    "Ray",
    "IBP",
    "MART",
    "TRADES",
    "LiRPA",
    "ART",
    "SmoothGrad",
    "EOT",  # Expectation over Transformation (Athalye et al. 2018), the name of the method
    "Tsipras",
    "Captum",
    "fp32",  # the number format's name, as typed after --precision
    "URI",  # what --storage takes (s3://…)
    "pyarrow",  # the library that opens --storage URIs
}


def test_translations_are_chinese_words() -> None:
    """The zh_CN texts carry no English words beyond proper names and what a person types or sees on disk."""
    bad = []
    for english, chinese in ZH_CN.items():
        words = [w for w in latin_words(without_code(chinese)) if w not in PROPER_NAMES]
        if words:
            bad.append(f"{english[:50]!r} → {words}")
    assert not bad, "\n".join(bad)


@pytest.fixture
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def test_a_config_error_reads_in_the_process_language(chinese) -> None:
    with pytest.raises(ConfigError) as caught:
        RunConfig(train=TrainConfig(epochs=0)).validate()
    assert str(caught.value) == "Epochs must be a whole number from 1 to 10000."  # logs and tests: English
    message = user_message(caught.value)
    assert message == ZH_CN["Epochs must be a whole number from 1 to 10000."]
    assert not latin_words(message)


def test_fields_and_phrases_are_filled_after_translation(chinese) -> None:
    err = UserError("There is no model file {path}.", path="/tmp/a b.pt2")
    assert "/tmp/a b.pt2" in user_message(err) and "There is" not in user_message(err)
    inner = Text("its archive is damaged")
    outer = Text("{name} was not opened: {what}.", {"name": "m.pt2", "what": inner})
    assert outer.render("zh_CN") == t("zh_CN", outer.template, name="m.pt2", what=t("zh_CN", inner.template))
    assert outer.render("en") == "m.pt2 was not opened: its archive is damaged."
    assert say("Stopped before training began; nothing was trained.") != (
        "Stopped before training began; nothing was trained."
    )


def test_context_and_os_errors_are_translated(chinese) -> None:
    message = user_message(FileNotFoundError(2, "No such file", "/nope/x.json"), "Training stopped with an error")
    assert "/nope/x.json" in message and not latin_words(message.replace("/nope/x.json", ""))


def test_unexpected_errors_name_the_log_in_either_language(chinese) -> None:
    message = user_message(RuntimeError("boom"))
    assert "RuntimeError: boom" in message and "log" in message


def test_english_stays_english() -> None:
    set_language("en")
    assert user_message(UserError("There is no model file {path}.", path="x")) == "There is no model file x."


def test_language_from_the_environment() -> None:
    env = catalogue.language_from_environment
    assert env({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert env({"LANGUAGE": "zh_CN:en_US", "LANG": "en_US.UTF-8"}) == "zh_CN"
    assert env({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"  # LC_ALL wins, as in gettext
    assert env({"LANG": "de_DE.UTF-8"}) == "en"
    assert env({}) == "en"
    assert set_language("fr") == "en" and set_language("zh-CN") == "zh_CN"
    set_language("en")


def test_a_broken_translation_falls_back_to_english(monkeypatch) -> None:
    monkeypatch.setitem(ZH_CN, "Run {name}", "运行记录 {nom}")
    assert t("zh_CN", "Run {name}", name="x") == "Run x"
