"""Model files for and from other tools.

Written: a ``torch.export`` program that takes N×C×H×W images in [0, 1] (any batch size) and returns
logits, normalisation inside. TorchScript is deprecated, so it is never written; it is still *read*
(``load_model_file``), because users have TorchScript files from older tools. Neither format runs
Python code from the file: an exported program is a graph, a TorchScript archive is TorchScript.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import torch
from torch import nn

from engine.runs import RunError, load_model


class _Classifier(nn.Module):
    """A named ``x`` argument, so the dynamic batch dimension can be declared by name."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def export_model(model: nn.Module, shape: tuple[int, int, int], path: str | Path) -> Path:
    path = Path(path)
    if path.suffix != ".pt2":
        raise RunError(f"Export to a file ending in .pt2 (got '{path.name}').")
    wrapped = _Classifier(model.cpu().eval())
    example = torch.rand(2, *shape)
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    program = torch.export.export(wrapped, (example,), dynamic_shapes={"x": {0: batch}})
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.export.save(program, str(path))
    return path


def export_run(run_dir: str | Path, path: str | Path) -> Path:
    from engine.runs import load_checkpoint

    _, model, _ = load_model(run_dir)
    shape = tuple(load_checkpoint(run_dir)["meta"]["shape"])
    return export_model(model, shape, path)


def load_program(path: str | Path) -> nn.Module:
    """Load a .pt2 program as a callable module (used to attack models made elsewhere)."""
    try:
        return torch.export.load(str(path)).module()
    except Exception as exc:  # torch raises many types for a bad file; the user needs one message
        raise RunError(f"{path} is not a readable torch.export program: {str(exc).splitlines()[0][:200]}") from exc


class ProgramClassifier(nn.Module):
    """A loaded model file behind an ordinary module.

    Exported graphs refuse ``.train()`` / ``.eval()``, which the attacks call, and their behaviour was
    fixed at export time, so the mode switch stops here (a TorchScript module receives it).
    """

    def __init__(self, program: nn.Module):
        super().__init__()
        self.program = program

    def train(self, mode: bool = True) -> ProgramClassifier:
        self.training = mode
        if isinstance(self.program, torch.jit.ScriptModule):
            self.program.train(mode)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(x)


def is_torchscript(path: str | Path) -> bool:
    """A TorchScript archive is a zip holding ``<name>/code/`` and ``<name>/constants.pkl``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return any("/code/" in n for n in names) and any(n.endswith("/constants.pkl") for n in names)


def load_model_file(path: str | Path) -> nn.Module:
    """A model made elsewhere, ready to attack (eval mode): a ``.pt2`` program or a TorchScript file.

    Raises RunError with a plain message for a missing file or any other format (state dicts need an
    architecture: see ``engine.demo.load_user_model``).
    """
    path = Path(path)
    if not path.is_file():
        raise RunError(f"There is no model file {path}.")
    if path.suffix == ".pt2":
        return ProgramClassifier(load_program(path)).eval()
    if is_torchscript(path):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # "torch.jit.load is deprecated": we only read
                program = torch.jit.load(str(path), map_location="cpu")
        except Exception as exc:  # noqa: BLE001 - a damaged archive can fail in many ways
            raise RunError(f"{path.name} is not a readable TorchScript file: "
                           f"{str(exc).splitlines()[0][:200]}") from exc
        return ProgramClassifier(program).eval()
    raise RunError(f"{path.name} is neither a torch.export program (.pt2) nor a TorchScript file.")
