"""Model files for other tools: a ``torch.export`` program that takes N×C×H×W images in [0, 1]
(any batch size) and returns logits, normalisation inside. TorchScript is deprecated, so not used."""

from __future__ import annotations

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
