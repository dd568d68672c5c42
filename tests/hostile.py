"""Hostile files for the tests: each, when opened by a careless loader, creates a marker file.

Every crafted ``.pt2`` starts from a genuine program exported by this app and changes one part of the
archive, so the only reason it is refused is the payload. ``torch_would_run`` lets a test prove that
plain ``torch.export.load`` (or ``torch.load`` without ``weights_only``) really does run the payload:
a test that our loaders refuse it can then not pass by accident.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import torch


class _Payload:
    """Pickles to ``eval(code)``: touches the marker, then evaluates to ``result_expr``."""

    def __init__(self, marker: Path, result_expr: str = "None"):
        self.code = f"(__import__('pathlib').Path({str(marker)!r}).touch(), {result_expr})[1]"

    def __reduce__(self):
        return (eval, (self.code,))


def payload_pickle(marker: Path, result_expr: str = "None") -> bytes:
    return pickle.dumps(_Payload(marker, result_expr), protocol=2)


def torch_save_payload(marker: Path, result_expr: str = "None") -> bytes:
    """A torch.save-format file (zip with data.pkl) whose unpickling runs the payload."""
    buffer = io.BytesIO()
    torch.save(_Payload(marker, result_expr), buffer)
    return buffer.getvalue()


def _rewrite(source: Path, target: Path, change: Callable[[dict[str, bytes], str], None]) -> Path:
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    root = next(iter(parts)).split("/", 1)[0]
    change(parts, root)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def _model_json(parts: dict[str, bytes], root: str) -> tuple[str, dict]:
    name = next(n for n in parts if n.startswith(f"{root}/models/") and n.endswith(".json"))
    return name, json.loads(parts[name])


def pickled_weight(genuine: Path, target: Path, marker: Path, stealth: bool = False) -> Path:
    """The first weight marked ``use_pickle`` and replaced by a pickle that runs code.

    With ``stealth`` the pickle then returns the real weight, so the model still works afterwards.
    """
    def change(parts: dict[str, bytes], root: str) -> None:
        config_name = next(n for n in parts if n.endswith("_weights_config.json"))
        config = json.loads(parts[config_name])
        fqn, meta = next(iter(config["config"].items()))
        file_name = f"{root}/data/weights/{meta['path_name']}"
        sizes = [s["as_int"] for s in meta["tensor_meta"]["sizes"]]
        numel = 1
        for s in sizes:
            numel *= s
        real = torch.frombuffer(bytearray(parts[file_name][: 4 * numel]), dtype=torch.float32).reshape(sizes)
        result = f"__import__('torch').tensor({real.tolist()!r})" if stealth else "None"
        meta["use_pickle"] = True
        parts[file_name] = torch_save_payload(marker, result)
        parts[config_name] = json.dumps(config).encode()

    return _rewrite(genuine, target, change)


def pickled_sample_inputs(genuine: Path, target: Path, marker: Path) -> Path:
    """Sample inputs that weights_only=True refuses, so torch falls back to a full unpickle."""
    def change(parts: dict[str, bytes], root: str) -> None:
        name = next(n for n in parts if "/data/sample_inputs/" in n)
        parts[name] = torch_save_payload(marker, "((__import__('torch').zeros(2, 1, 8, 8),), {})")

    return _rewrite(genuine, target, change)


def opaque_constant(genuine: Path, target: Path, marker: Path) -> Path:
    """A constant stored as an "opaque object": torch reads it with plain pickle.loads."""
    def change(parts: dict[str, bytes], root: str) -> None:
        config_name = next(n for n in parts if n.endswith("_constants_config.json"))
        config = json.loads(parts[config_name])
        config["config"]["evil"] = {"path_name": "opaque_obj_0", "is_param": False, "use_pickle": True,
                                    "tensor_meta": None}
        parts[f"{root}/data/constants/opaque_obj_0"] = payload_pickle(marker)
        parts[config_name] = json.dumps(config).encode()

    return _rewrite(genuine, target, change)


def guard_code(genuine: Path, target: Path, marker: Path) -> Path:
    """A "guard" string: torch turns guards into Python source that .module() executes."""
    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        program["guards_code"] = [f"__import__('pathlib').Path({str(marker)!r}).touch() is None"]
        parts[name] = json.dumps(program).encode()

    return _rewrite(genuine, target, change)


def shape_expression(genuine: Path, target: Path, marker: Path) -> Path:
    """A symbolic-shape string: torch hands it to sympy.sympify, which evals it."""
    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
        text = json.dumps(program)
        first = text.index('"expr_str": "') + len('"expr_str": "')
        end = text.index('"', first)
        text = text[:first] + code.replace('"', '\\"') + " or " + text[first:end] + text[end:]
        parts[name] = text.encode()

    return _rewrite(genuine, target, change)


def foreign_call(genuine: Path, target: Path, marker: Path) -> Path:
    """A graph node whose target is not a tensor operator but a Python function torch can reach."""
    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        program["graph_module"]["graph"]["nodes"][0]["target"] = "torch.serialization.load"
        parts[name] = json.dumps(program).encode()

    return _rewrite(genuine, target, change)


def injected_name(genuine: Path, target: Path, marker: Path) -> Path:
    """A parameter name that would break out of the string literal in the generated forward()."""
    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        spec = next(s for s in program["graph_module"]["signature"]["input_specs"] if "parameter" in s)
        evil = f"x\") or __import__('pathlib').Path({str(marker)!r}).touch() or (\""
        old = spec["parameter"]["parameter_name"]
        spec["parameter"]["parameter_name"] = evil
        parts[name] = json.dumps(program).encode()
        config_name = next(n for n in parts if n.endswith("_weights_config.json"))
        config = json.loads(parts[config_name])
        config["config"][evil] = config["config"].pop(old)
        parts[config_name] = json.dumps(config).encode()

    return _rewrite(genuine, target, change)


PT2_VARIANTS: dict[str, Callable[[Path, Path, Path], Path]] = {
    "pickled-weight": pickled_weight,
    "stealth-weight": lambda g, t, m: pickled_weight(g, t, m, stealth=True),
    "pickled-sample-inputs": pickled_sample_inputs,
    "opaque-constant": opaque_constant,
    "guard-code": guard_code,
    "shape-expression": shape_expression,
    "foreign-call": foreign_call,
    "injected-name": injected_name,
}


def pickle_renamed(target: Path, marker: Path) -> Path:
    """A plain pickle (not a zip) given the .pt2 suffix."""
    target.write_bytes(payload_pickle(marker))
    return target


def pickle_checkpoint(run_dir: Path, marker: Path) -> Path:
    """Replace a run folder's checkpoint by a torch.save file that runs code when unpickled."""
    path = run_dir / "checkpoint.pt"
    path.write_bytes(torch_save_payload(marker, "{'model': {}, 'meta': {}}"))
    return path
