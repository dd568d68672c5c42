"""Every model the app opens, from one place: run folders, ``.pt2`` programs, TorchScript, state dicts.

What is trusted (README "What a file can and cannot do"):
- run folders and state dicts: ``torch.load(weights_only=True)``; config and summary are JSON;
- ``.pt2``: inspected part by part before torch reads it (``engine.safe_program``);
- TorchScript: refused. Its code is not Python, but it may call any registered operator, and some of
  them write files (``torch.from_file(..., shared=True)``); it can run at load time (``__setstate__``).
  TorchScript is deprecated; such a model is exported again with ``torch.export`` by the tool that made it.

A model that loads must then behave like a classifier for the data at hand (``check_classifier``):
one finite score per class for every image of a batch of any size, so no figure is ever computed
from NaN scores, from the batch axis mistaken for classes, or from a tuple.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import torch
from torch import nn

from engine.catalogue import Text
from engine.checkpoints import load_model, safe_torch_load
from engine.config import ModelConfig
from engine.errors import first_line
from engine.models import build_model
from engine.runs import RunError

TORCHSCRIPT_REFUSED = (
    "{name} is a TorchScript file and was not opened: TorchScript code can call operators that write files on "
    "this computer, even while it loads, and nothing can check it beforehand. Export the model with "
    "torch.export (torch.export.save) in the tool that made it and open the .pt2 file instead."
)


class ProgramClassifier(nn.Module):
    """A loaded model file behind an ordinary module.

    Exported graphs refuse ``.train()`` / ``.eval()``, which the attacks call, and their behaviour was
    fixed at export time, so the mode switch stops here.
    """

    def __init__(self, program: nn.Module):
        super().__init__()
        self.program = program

    def train(self, mode: bool = True) -> ProgramClassifier:
        self.training = mode
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(x)


def load_program(path: str | Path) -> nn.Module:
    """A .pt2 program as a callable module, after ``engine.safe_program`` found nothing that could run code."""
    from engine.safe_program import load_safe_program

    program = load_safe_program(path)
    try:
        return program.module()
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad graph; the user needs one message
        raise RunError(
            "{name} is not a usable torch.export program: {reason}", name=Path(path).name, reason=first_line(exc, 200)
        ) from exc


def is_torchscript(path: str | Path) -> bool:
    """A TorchScript archive is a zip holding ``<name>/code/`` and ``<name>/constants.pkl``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return any("/code/" in n for n in names) and any(n.endswith("/constants.pkl") for n in names)


def load_model_file(path: str | Path) -> nn.Module:
    """A model made elsewhere, ready to attack (eval mode): a ``.pt2`` program (TorchScript is refused).

    Raises RunError with a plain message for a missing file or any other format (state dicts need an
    architecture: ``load_user_model``).
    """
    path = Path(path)
    if not path.is_file():
        raise RunError("There is no model file {path}.", path=path)
    if path.suffix == ".pt2":
        return ProgramClassifier(load_program(path)).eval()
    if is_torchscript(path):
        raise RunError(TORCHSCRIPT_REFUSED, name=path.name)
    raise RunError("{name} is neither a torch.export program (.pt2) nor a TorchScript file.", name=path.name)


def load_any_model(source: str | Path) -> nn.Module:
    """A run folder or a ``.pt2`` model file, in eval mode on the CPU."""
    source = Path(source)
    if source.is_file():
        return load_model_file(source)
    if not source.exists():
        raise RunError("There is no run folder or model file {path}.", path=source)
    return load_model(source)[1]


def _shape_mismatches(model: nn.Module, state: dict) -> list[Text]:
    own = model.state_dict()
    lines = []
    for key, value in own.items():
        if key not in state:
            lines.append(Text("'{key}' is missing from the file", {"key": key}))
        elif tuple(state[key].shape) != tuple(value.shape):
            lines.append(
                Text(
                    "'{key}' is {shape} in the file but the model needs {needed}",
                    {"key": key, "shape": list(state[key].shape), "needed": list(value.shape)},
                )
            )
    lines += [Text("the file has '{key}', which the model does not", {"key": k}) for k in state if k not in own]
    return lines


def _listed(problems: list[Text], most: int = 4) -> Text:
    """The first ``most`` problems joined with "; " (and how many more there are), still to be translated."""
    listed = problems[0]
    for problem in problems[1:most]:
        listed = Text("{first}; {then}", {"first": listed, "then": problem})
    if len(problems) > most:
        listed = Text("{problems}; and {count} more", {"problems": listed, "count": len(problems) - most})
    return listed


def load_state_dict_model(path: Path, architecture: str, shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """Weights (a state dict, or a Robustness Lab checkpoint) for the built-in ``architecture``."""
    state = safe_torch_load(path)
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]  # a Robustness Lab checkpoint
    if not isinstance(state, dict) or not state or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise RunError("{name} does not hold a state dict (a table of named weight tensors).", name=path.name)
    model = build_model(ModelConfig(name=architecture), shape, num_classes)
    target: nn.Module = model if "0.mean" in state else list(model.children())[1]  # with or without Normalize
    problems = _shape_mismatches(target, state)
    if problems:
        raise RunError(
            "The weights in {name} do not fit the '{architecture}' model for {size} images with {num_classes} "
            "classes: {problems}.",
            name=path.name,
            architecture=architecture,
            size="×".join(map(str, shape)),
            num_classes=num_classes,
            problems=_listed(problems),
        )
    target.load_state_dict(state)
    return model.eval()


def load_user_model(
    path: str | Path,
    architecture: str,
    shape: tuple[int, int, int],
    num_classes: int,
    sample: torch.Tensor | None = None,
) -> nn.Module:
    """A model from the user's file, ready to attack and checked against the data (``check_classifier``).

    ``.pt2`` programs and TorchScript files carry their own architecture; anything else is read as a
    state dict for the built-in ``architecture``. ``sample``: a few real images of the dataset for the
    check (zeros of ``shape`` when not given).
    """
    path = Path(path)
    if not path.is_file():
        raise RunError("There is no file {path}.", path=path)
    if path.suffix == ".pt2" or is_torchscript(path):
        model = load_model_file(path)
    else:
        model = load_state_dict_model(path, architecture, shape, num_classes)
    check_classifier(model, sample if sample is not None else torch.zeros(4, *shape), num_classes, path.name)
    return model


def check_classifier(model: nn.Module, sample: torch.Tensor, num_classes: int, name: str) -> None:
    """Refuse a model that is not a classifier of these images, saying what was expected and what came back.

    It must take batches of different sizes (a program exported with a fixed batch size cannot be
    evaluated in batches) and return, for each image, ``num_classes`` finite scores.
    """
    from engine.models import model_device

    size = "×".join(str(s) for s in sample.shape[1:])
    sample = sample.to(model_device(model))
    for n in sorted({1, min(3, len(sample))}):
        try:
            with torch.no_grad():
                out = model(sample[:n])
        except Exception as exc:  # noqa: BLE001 - a foreign graph fails in many ways; one message for the user
            first = first_line(exc, 200)
            if n == 1 and len(sample) > 1:
                raise RunError(
                    "The model in {name} cannot take a batch of {n} image(s) of {size} pixels "
                    "(the current dataset's size): {reason}. It may have been exported for a fixed batch size; "
                    "export it with a dynamic batch dimension.",
                    name=name,
                    n=n,
                    size=size,
                    reason=first,
                ) from exc
            raise RunError(
                "The model in {name} cannot take a batch of {n} image(s) of {size} pixels "
                "(the current dataset's size): {reason}.",
                name=name,
                n=n,
                size=size,
                reason=first,
            ) from exc
        if not isinstance(out, torch.Tensor):
            raise RunError(
                "The model in {name} returns a {type}, but a classifier must return one "
                "tensor of class scores (a batch × {num_classes} table).",
                name=name,
                type=type(out).__name__,
                num_classes=num_classes,
            )
        if out.ndim != 2 or out.shape[0] != n:
            raise RunError(
                "The model in {name} returns scores of shape {shape} for a batch of {n} "
                "image(s); a classifier must return {n} × {num_classes} (one row of class scores per "
                "image).",
                name=name,
                shape=list(out.shape),
                n=n,
                num_classes=num_classes,
            )
        if out.shape[1] != num_classes:
            raise RunError(
                "The model in {name} gives {count} scores per image but the dataset has "
                "{num_classes} classes: it was made for other data.",
                name=name,
                count=out.shape[1],
                num_classes=num_classes,
            )
        if not torch.isfinite(out).all():
            raise RunError(
                "The model in {name} returns scores that are not numbers (NaN or infinite) for these "
                "images, so no accuracy can be measured. Check the model file.",
                name=name,
            )
