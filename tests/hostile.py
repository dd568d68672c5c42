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
import struct
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
        config["config"]["evil"] = {
            "path_name": "opaque_obj_0",
            "is_param": False,
            "use_pickle": True,
            "tensor_meta": None,
        }
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


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts:
            archive.writestr(name, data)
    return buffer.getvalue()


def _evil_sample_inputs(marker: Path) -> bytes:
    return torch_save_payload(marker, "((__import__('torch').zeros(2, 1, 8, 8),), {})")


def duplicate_entry(genuine: Path, target: Path, marker: Path) -> Path:
    """The sample inputs twice: zipfile reads the last (genuine) copy, torch's reader an earlier (evil) one."""
    with zipfile.ZipFile(genuine) as archive:
        parts = [(n, archive.read(n)) for n in archive.namelist()]
    evil = _evil_sample_inputs(marker)
    for copies in range(1, 16):
        out = []
        for name, data in parts:
            if "/data/sample_inputs/" in name:
                out += [(name, evil)] * copies
            out.append((name, data))
        data = _zip(out)
        if torch._C.PyTorchFileReader(io.BytesIO(data)).get_record("data/sample_inputs/model.pt") == evil:
            break
    target.write_bytes(data)
    return target


def two_archives(genuine: Path, target: Path, marker: Path) -> Path:
    """Two archives in one file: zipfile finds the genuine one, torch's reader (which trusts the end record's
    central-directory offset) the one with evil sample inputs. No name appears twice."""
    with zipfile.ZipFile(genuine) as archive:
        parts = [(n, archive.read(n)) for n in archive.namelist()]
    evil = _evil_sample_inputs(marker)
    good = _zip(parts)
    bad = _zip([(n, evil if "/data/sample_inputs/" in n else d) for n, d in parts])

    def split(z: bytes):
        end = z.rindex(b"PK\x05\x06")
        _, _, _, count, _, size, offset, _ = struct.unpack("<4sHHHHIIH", z[end : end + 22])
        return z[:offset], z[offset : offset + size], count

    def shift(directory: bytes, delta: int) -> bytes:
        cd, i = bytearray(directory), 0
        while i < len(cd):
            n, e, c = struct.unpack("<HHH", cd[i + 28 : i + 34])
            cd[i + 42 : i + 46] = struct.pack("<I", struct.unpack("<I", cd[i + 42 : i + 46])[0] + delta)
            i += 46 + n + e + c
        return bytes(cd)

    a_local, a_cd, _ = split(good)
    b_local, b_cd, b_count = split(bad)
    pad = b"\0" * len(a_local)
    b_cd_at = len(pad) + len(b_local)
    a_local_at = b_cd_at + len(b_cd)
    a_cd_at = a_local_at + len(a_local)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, b_count, b_count, len(a_cd), b_cd_at, 0)
    data = pad + b_local + shift(b_cd, len(pad)) + a_local + shift(a_cd, a_local_at - (a_cd_at - b_cd_at)) + end
    target.write_bytes(data)
    return target


def spec_argument_injection(genuine: Path, target: Path, marker: Path) -> Path:
    """An input spec whose keyword name carries Python: with no forward_arg_names, torch writes the name into
    the generated ``def forward(...)``, and the default value runs when .module() builds it."""

    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        signature = program["graph_module"]["module_call_graph"][0]["signature"]
        payload = f'__import__("pathlib").Path("{marker}").touch()'
        leaf = {"type": None, "context": None, "children_spec": []}
        empty = {"type": "builtins.tuple", "context": "null", "children_spec": []}
        spec = {
            "type": "builtins.tuple",
            "context": "null",
            "children_spec": [
                {"type": "builtins.tuple", "context": "null", "children_spec": [leaf]},
                {"type": "builtins.dict", "context": json.dumps([f"a={payload}#':0\n,"]), "children_spec": [empty]},
            ],
        }
        signature["in_spec"] = json.dumps([1, spec])
        signature["forward_arg_names"] = []
        parts[name] = json.dumps(program).encode()

    return _rewrite(genuine, target, change)


def spec_module_import(genuine: Path, target: Path, marker: Path) -> Path:
    """An ``__enum__`` object in an input spec: torch's JSON hook imports the module it names. The module here
    is written beside the marker (the test puts that folder on sys.path) and touches the marker on import."""
    module = f"rl_payload_{abs(hash(str(marker))) % 10**8}"
    (marker.parent / f"{module}.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\nx = {{}}\n")

    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        signature = program["graph_module"]["module_call_graph"][0]["signature"]
        spec = json.loads(signature["in_spec"])
        spec[1]["children_spec"][1]["context"] = json.dumps([{"__enum__": True, "fqn": f"{module}:x", "name": "k"}])
        spec[1]["children_spec"][1]["children_spec"] = [{"type": None, "context": None, "children_spec": []}]
        signature["in_spec"] = json.dumps(spec)
        parts[name] = json.dumps(program).encode()

    return _rewrite(genuine, target, change)


def power_tower(genuine: Path, target: Path, marker: Path) -> Path:
    """A shape expression that sympy would take forever to evaluate (a hang, not code)."""

    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        text = json.dumps(program)
        first = text.index('"expr_str": "') + len('"expr_str": "')
        end = text.index('"', first)
        parts[name] = (text[:first] + "Integer(9)**Integer(9)**Integer(9)**Integer(9)" + text[end:]).encode()

    return _rewrite(genuine, target, change)


def huge_empty_weight(genuine: Path, target: Path, marker: Path) -> Path:
    """An empty weight record declared as 2³⁰ floats: torch would fill 4 GiB of zeros."""

    def change(parts: dict[str, bytes], root: str) -> None:
        config_name = next(n for n in parts if n.endswith("_weights_config.json"))
        config = json.loads(parts[config_name])
        meta = next(iter(config["config"].values()))
        meta["tensor_meta"]["sizes"] = [{"as_int": 2**30}]
        meta["tensor_meta"]["strides"] = [{"as_int": 1}]
        parts[f"{root}/data/weights/{meta['path_name']}"] = b""
        parts[config_name] = json.dumps(config).encode()

    return _rewrite(genuine, target, change)


def legacy_constants(genuine: Path, target: Path, marker: Path) -> Path:
    """The program renamed 'tensor_x' with a pickled 'legacy' constants file data/constants/tensor_x.pt, which
    torch reads (weights_only=False as a fall-back) before the constants table."""
    name = "tensor_x"
    with zipfile.ZipFile(genuine) as archive:
        parts = {}
        for part in archive.namelist():
            renamed = (part.replace("models/model.json", f"models/{name}.json")
                       .replace("model_weights_config", f"{name}_weights_config")
                       .replace("model_constants_config", f"{name}_constants_config")
                       .replace("sample_inputs/model.pt", f"sample_inputs/{name}.pt"))  # fmt: skip
            parts[renamed] = archive.read(part)
    root = next(iter(parts)).split("/", 1)[0]
    meta = {
        "dtype": 7,
        "sizes": [{"as_int": 1}],
        "strides": [{"as_int": 1}],
        "storage_offset": {"as_int": 0},
        "requires_grad": False,
        "device": {"type": "cpu", "index": None},
        "layout": 1,
    }
    table = {"config": {"c": {"path_name": f"{name}.pt", "is_param": False, "use_pickle": False, "tensor_meta": meta}}}
    parts[f"{root}/data/constants/{name}_constants_config.json"] = json.dumps(table).encode()
    parts[f"{root}/data/constants/{name}.pt"] = torch_save_payload(marker, "{}")
    target.write_bytes(_zip(list(parts.items())))
    return target


def file_operator(genuine: Path, target: Path, marker: Path) -> Path:
    """A graph step on aten.from_file: an aten operator that maps a file for writing (with copy_, it writes
    any file). Only the target is changed here; the allow-list must refuse it by name."""

    def change(parts: dict[str, bytes], root: str) -> None:
        name, program = _model_json(parts, root)
        program["graph_module"]["graph"]["nodes"][0]["target"] = "torch.ops.aten.from_file.default"
        parts[name] = json.dumps(program).encode()

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
    "duplicate-entry": duplicate_entry,
    "two-archives": two_archives,
    "spec-argument-injection": spec_argument_injection,
    "spec-module-import": spec_module_import,
    "legacy-constants": legacy_constants,
    "file-operator": file_operator,
}
# Files that would hang or exhaust memory rather than run code.
PT2_DENIALS: dict[str, Callable[[Path, Path, Path], Path]] = {
    "power-tower": power_tower,
    "huge-empty-weight": huge_empty_weight,
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
