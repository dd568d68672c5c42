"""The engine's message catalogue: its words (error messages, the HTML reports, sanity verdicts) in each
language the window offers.

English is the source: a text is looked up by its English wording, and placeholders such as {name} are
filled with ``str.format`` after the lookup (the caller escapes values it puts into HTML). A text with no
translation is shown in English. The engine never imports Qt, so this is plain Python rather than the
window's .ts catalogue (and not gettext either: a dict keyed by the English text needs no compile step and
``tests/engine/test_catalogue.py`` checks it directly: every message the engine can raise has its
translation). The translations live in ``engine/catalogue_<language>.py``.

Errors: ``UserError(template, **fields)`` keeps its ``Text`` (the English template and its fields), so the
same exception reads in English in logs and tests and in the person's language where ``engine.errors.
user_message`` turns it into words, in the language set with ``set_language`` (the window sets its own in
both of its processes; the CLI takes ``--lang`` or the environment's ``LANGUAGE``/``LC_ALL``/``LANG``).
Proper names (FGSM, PGD, CW, DeepFool, CSV, ε, λ) and the run's own values (names, identifiers such as
"small-cnn", numbers, paths) stay as they are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from engine.catalogue_zh_CN import ZH_CN

# Whole sentences of engine.sanity (English there), matched and re-made in the report's language.
SANITY_SENTENCES = (
    "At ε = {eps} PGD brings accuracy down to {accuracy}, as it should.",
    "At ε = {eps} accuracy is still {accuracy} under PGD: the attack cannot follow the gradients "
    "(a sign of gradient masking).",
    "The model gives different answers for {share} of the same adversarial examples from one pass to the "
    "next: it is randomised, so PGD's number is not to be trusted (attack it with an average over many "
    "passes, EOT).",
    "More PGD steps or restarts lowered robust accuracy ({before} → {after}): PGD-{steps} had not converged, "
    "so its number is too optimistic.",
    "4× the steps and 3 restarts leave robust accuracy at {after} (PGD-{steps}: {before}): the attack has converged.",
    "Neither noise nor PGD changes accuracy at ε = {eps}; nothing to compare (see the large-ε check).",
    "PGD ({pgd}) is much stronger than random noise ({noise}) of the same size, as it should be.",
    "Random noise ({noise}) is nearly as strong as PGD ({pgd}): the gradients do not help the attack "
    "(gradient masking).",
    "Examples made on another model ({transfer}) beat the white-box attack on this one ({white}): "
    "its gradients are masked.",
    "The transfer attack ({transfer}) is weaker than the white-box attack ({white}), as it should be.",
    "One-step FGSM ({fgsm}) beats PGD ({pgd}): the iterative attack is being misled (gradient masking).",
    "FGSM leaves {fgsm} but PGD only {pgd}: the model resists the one-step attack but not a real one "
    "({why}; a masking sign).",
    "FGSM ({fgsm}) and PGD ({pgd}) agree as expected.",
)


LANGUAGES = ("en", "zh_CN")
_active = ["en"]  # this process's language for user-facing messages (set_language)


def _normal(language: str) -> str:
    return str(language or "en").replace("-", "_")


def set_language(language: str) -> str:
    """Make ``language`` the one this process's messages are given in; an unknown one means English.
    Returns the language now in use."""
    language = _normal(language)
    _active[0] = language if language in LANGUAGES else "en"
    return _active[0]


def active_language() -> str:
    return _active[0]


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language gettext would choose from ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``
    (``zh_CN.UTF-8`` → ``zh_CN``; zh, zh_SG, zh_Hans too); English otherwise, as for ``C``."""
    environ = os.environ if environ is None else environ
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if not value:
            continue
        for candidate in value.split(":"):
            code = candidate.split(".")[0].split("@")[0].replace("-", "_")
            if code.lower() in ("zh", "zh_cn", "zh_sg", "zh_hans"):
                return "zh_CN"
            if code and code not in ("C", "POSIX"):
                return "en"  # the first language named that we do not have: English, as gettext falls back
        return "en"
    return "en"


@dataclass(frozen=True)
class Text:
    """Words to show a person, kept as the English template and its fields until the language is known.

    A field may be a ``Text`` itself (a phrase that is translated too); other values are shown as they
    are. ``str()`` gives the English."""

    template: str
    fields: Mapping[str, object] = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        language = active_language() if language is None else language
        values = {k: v.render(language) if isinstance(v, Text) else v for k, v in self.fields.items()}
        return t(language, self.template, **values)

    def __str__(self) -> str:
        return self.render("en")


def say(template: str, /, **fields: object) -> str:
    """``template`` in this process's language, its fields filled: for sentences the engine sends as
    they are (not raised), e.g. a run's reason for stopping."""
    return Text(template, fields).render()


CATALOGUES: dict[str, dict[str, str]] = {"zh_CN": ZH_CN}
HTML_LANG = {"zh_CN": "zh-CN"}


def t(language: str, text: str, /, **fields: object) -> str:
    """``text`` (the English wording) in ``language``, its {placeholders} filled with ``fields``."""
    translated = CATALOGUES.get(_normal(language), {}).get(text, text)
    if not fields:
        return translated
    try:
        return translated.format(**fields)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: the English
        return text.format(**fields)


def html_lang(language: str) -> str | None:
    """The value of ``<html lang>`` for a report in ``language``; None for English (no attribute)."""
    return HTML_LANG.get(_normal(language))


@lru_cache(maxsize=64)
def _template_regex(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, …
    regex = "".join(f"(?P<{piece}>.+?)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
    return re.compile(regex + r"\Z", re.DOTALL)


def sentence(language: str, text: str) -> str:
    """An English sentence made by the engine from one of ``SANITY_SENTENCES`` (or a fixed one in the
    catalogue), re-made in ``language``; its filled-in values are translated where the catalogue knows
    them. A sentence that matches nothing is kept as it is."""
    catalogue = CATALOGUES.get(_normal(language))
    if not catalogue:
        return text
    if text in catalogue:
        return catalogue[text]
    for template in SANITY_SENTENCES:
        match = _template_regex(template).match(text)
        if match is not None:
            return t(language, template, **{k: t(language, v) for k, v in match.groupdict().items()})
    return text


def setting_label(language: str, key: str, parts: tuple[str, ...]) -> str:
    """The name a settings or figures table shows for a flattened key (``parts`` joined is ``key``): the
    key itself in English; otherwise its translation, or else each part translated where the catalogue
    knows it (a run's name stays), joined with " · ". "name (detail)" keeps its detail."""
    catalogue = CATALOGUES.get(_normal(language))
    if not catalogue:
        return key
    if key in catalogue:
        return catalogue[key]

    def part(p: str) -> str:
        head, sep, tail = p.partition(" (")
        return catalogue.get(p, catalogue.get(head, head) + (f" ({tail}" if sep else ""))

    return " · ".join(part(p) for p in parts)
