"""Model files for other tools: a ``torch.export`` program that takes N×C×H×W images in [0, 1] (any
batch size) and returns logits, normalisation inside. TorchScript is deprecated, so it is never
written. Reading model files is ``engine.model_files``'s job.
"""

from __future__ import annotations

import io
from pathlib import Path

import torch
from torch import nn

from engine.checkpoints import load_model
from engine.runs import RunError, atomic_write


class _Classifier(nn.Module):
    """A named ``x`` argument, so the dynamic batch dimension can be declared by name."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def export_model(model: nn.Module, shape: tuple[int, int, int], path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise RunError("{path} is a folder; give a file name ending in .pt2 inside it.", path=path)
    if path.suffix != ".pt2":
        raise RunError("Export to a file ending in .pt2 (got '{name}').", name=path.name)
    wrapped = _Classifier(model.cpu().eval())
    example = torch.rand(2, *shape)
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    program = torch.export.export(wrapped, (example,), dynamic_shapes={"x": {0: batch}})
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    try:  # written beside the target and renamed: a failed export never leaves half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda fh: fh.write(buffer.getvalue()))
    except OSError as exc:  # name the file the person asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    return path


def export_run(run_dir: str | Path, path: str | Path) -> Path:
    from engine.checkpoints import load_checkpoint

    _, model, _ = load_model(run_dir)
    shape = tuple(load_checkpoint(run_dir)["meta"]["shape"])
    return export_model(model, shape, path)
