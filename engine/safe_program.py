"""Reading a ``torch.export`` program (``.pt2``) without running anything from the file.

``torch.export.load`` is not safe on its own for a file someone sent you. In this torch it

- unpickles weights and constants marked ``use_pickle`` with ``weights_only=False``, and
  ``pickle.loads`` "opaque" constants: a crafted weight runs arbitrary Python;
- falls back to ``weights_only=False`` when the sample inputs do not load with ``weights_only=True``;
- resolves every node target by walking ``getattr`` from the ``torch`` module, so a graph can call
  any function torch can reach (``torch.load``, ``torch.hub…``), not only tensor operators;
- hands symbolic-shape strings to ``sympy.sympify``, which ``eval``s them;
- turns ``guards_code`` strings into Python source that ``.module()`` executes;
- writes parameter names into generated Python source (``getattr(self.m, "0")``).

So the archive is inspected here first, from one in-memory copy of the file (no second read that a
racing writer could change), and refused with a plain message unless every part is plain data:
raw tensor bytes described by JSON, a graph of ``aten`` / ``prims`` operators (and a few
``operator`` functions on sizes), names that are identifiers, shape expressions of symbols and
integers, and sample inputs that ``torch.load(weights_only=True)`` reads. The guard code is then
dropped before the program becomes a module: guards only check input shapes, which our callers
check themselves. Programs written by ``main.py export`` and by ``torch.export.save`` of ordinary
modules pass all of this.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.runs import RunError

MAX_FILE_BYTES = 2 << 30  # a classifier for this app is a few MB; refuse to unpack more than 2 GiB
MAX_MODEL_JSON_BYTES = 64 << 20

# Operators a classifier's graph may call. Everything in the aten and prims namespaces is a tensor
# operator implemented in C++ (no file or network access); higher-order operators (cond, while_loop,
# wrap_with_…) carry sub-graphs and are refused, as is every other Python callable.
_OP_TARGET = re.compile(r"torch\.ops\.(aten|prims)\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")
_SYM_TARGET = re.compile(r"torch\.(sym_(float|int|max|min|not|ite|sum|sqrt)|_sym_sqrt)")
_OPERATOR_TARGETS = frozenset(f"_operator.{name}" for name in (
    "getitem", "add", "sub", "mul", "floordiv", "truediv", "mod", "pow", "neg", "pos", "abs",
    "eq", "ne", "lt", "le", "gt", "ge", "and_", "or_", "not_"))
# Symbolic shape expressions (sympify evaluates them): symbols s0, u3 … integers, arithmetic and a
# few shape functions, nothing else.
_EXPR_TOKEN = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?(?:e-?\d+)?)|'([a-z]\d+)'|(\*\*|//|[-+*/%(),<>=!]=?|\s))")
_SYMBOL = re.compile(r"[a-z]\d+")
# torch writes these with sympy's srepr, e.g. "Mul(Integer(2), Symbol('s77', positive=True, integer=True))"
_EXPR_WORDS = frozenset({
    "Symbol", "Integer", "Rational", "Float", "Add", "Mul", "Pow", "Max", "Min", "FloorDiv", "CeilDiv", "Mod",
    "PythonMod", "CleanDiv", "IntTrueDiv", "FloatTrueDiv", "TruncToInt", "ToFloat", "FloorToInt", "CeilToInt",
    "ModularIndexing", "Abs", "floor", "ceiling", "Eq", "Ne", "Lt", "Le", "Gt", "Ge", "And", "Or", "Not",
    "true", "false", "True", "False", "oo", "Infinity", "NegativeInfinity", "positive", "negative", "integer",
    "nonnegative", "nonpositive", "real", "finite", "zero", "nonzero", "even", "odd", "precision"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_FILE_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
# Keys of model.json whose string values name things that end up in generated code or in getattr.
_NAME_KEYS = frozenset({"name", "parameter_name", "buffer_name", "tensor_constant_name", "custom_obj_name",
                        "fqn", "forward_arg_names", "arg_name", "user_input_name", "user_output_name"})


class UnsafeProgramError(RunError):
    """The file is not a plain-data torch.export program; the message says what was found."""


def _refuse(path: Path, what: str) -> UnsafeProgramError:
    return UnsafeProgramError(
        f"{path.name} was not opened: {what}. Robustness Lab opens only .pt2 programs made of plain tensor "
        "data and PyTorch operators, because anything else could run code on this computer. Export the model "
        "again with torch.export.save from a plain nn.Module, or give its weights as a state dict.")


def _check_expr(path: Path, expr: str) -> None:
    pos = 0
    while pos < len(expr):
        match = _EXPR_TOKEN.match(expr, pos)
        if not match or match.end() == pos:
            raise _refuse(path, f"a shape expression holds something other than arithmetic ({expr[:60]!r})")
        word = match.group(1)
        if word and not (_SYMBOL.fullmatch(word) or word in _EXPR_WORDS):
            raise _refuse(path, f"a shape expression names '{word[:40]}'")
        pos = match.end()


def _walk(node: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    yield key, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def _check_graph_json(path: Path, program: dict[str, Any]) -> None:
    if not isinstance(program, dict) or "graph_module" not in program:
        raise _refuse(path, "its model description is not a torch.export program")
    for key, value in _walk(program):
        if key == "nodes" and isinstance(value, list):
            for node in value:
                target = node.get("target") if isinstance(node, dict) else None
                if not isinstance(target, str) or not (_OP_TARGET.fullmatch(target) or _SYM_TARGET.fullmatch(target)
                                                       or target in _OPERATOR_TARGETS):
                    raise _refuse(path, f"its graph calls '{str(target)[:80]}', which is not a PyTorch tensor "
                                  "operator")
        elif key == "as_graph" and value is not None:
            raise _refuse(path, "its graph holds sub-graphs (control flow), which this app does not run")
        elif key in ("custom_obj_values", "as_custom_obj") and value:
            raise _refuse(path, "it holds custom Python objects")
        elif key == "expr_str" and isinstance(value, str):
            _check_expr(path, value)
        elif key in _NAME_KEYS and isinstance(value, str) and value and not _DOTTED.fullmatch(value):
            raise _refuse(path, f"a name in its graph is not a plain identifier ({value[:60]!r})")
    constraints = program.get("range_constraints") or {}
    if not isinstance(constraints, dict):
        raise _refuse(path, "its shape constraints are not a table")
    for symbol in constraints:
        _check_expr(path, str(symbol))
    for node in program["graph_module"].get("graph", {}).get("nodes", []):
        if not _IDENTIFIER.fullmatch(str(node.get("name", "x"))):
            raise _refuse(path, f"a node name is not a plain identifier ({str(node.get('name'))[:60]!r})")


def _check_payload_config(path: Path, archive: zipfile.ZipFile, root: str, folder: str, config_name: str,
                          prefix: str) -> set[str]:
    """Weights or constants: each entry must be raw tensor bytes (no pickle); returns the files it names."""
    raw = _read(archive, f"{root}/data/{folder}/{config_name}", path)
    try:
        config = json.loads(raw).get("config", {})
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as exc:
        raise _refuse(path, f"its {folder} table is not valid JSON") from exc
    if not isinstance(config, dict):
        raise _refuse(path, f"its {folder} table is not a table")
    files = set()
    for fqn, meta in config.items():
        if not isinstance(meta, dict):
            raise _refuse(path, f"its {folder} table is damaged")
        if not _DOTTED.fullmatch(str(fqn)):
            raise _refuse(path, f"a {folder[:-1]} name is not a plain identifier ({str(fqn)[:60]!r})")
        if meta.get("use_pickle"):
            raise _refuse(path, f"its {folder[:-1]} '{fqn}' is stored as a Python pickle, not as raw tensor data")
        name = str(meta.get("path_name", ""))
        if not name.startswith(prefix) or not _FILE_NAME.fullmatch(name) or meta.get("tensor_meta") is None:
            raise _refuse(path, f"its {folder[:-1]} '{fqn}' is not raw tensor data ({name[:60]!r})")
        files.add(f"{root}/data/{folder}/{name}")
    return files


def _read(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        return archive.read(name)
    except KeyError as exc:
        raise _refuse(path, f"it lacks the part {name.split('/', 1)[-1]}") from exc
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:  # zlib.error is a subclass of Exception
        raise _refuse(path, f"its part {name.split('/', 1)[-1]} is damaged") from exc
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends: a damaged archive, one message
        raise _refuse(path, f"its part {name.split('/', 1)[-1]} is damaged") from exc


def _check_sample_inputs(path: Path, data: bytes) -> None:
    """torch falls back to weights_only=False when this fails, so it must succeed here first."""
    if not data:
        return
    import pickle

    import torch

    try:
        torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError, AttributeError,
            zipfile.BadZipFile) as exc:
        raise _refuse(path, "its sample inputs are a Python pickle that is not plain tensor data") from exc


def inspect_program_archive(path: str | Path, data: bytes) -> None:
    """Raise UnsafeProgramError unless the archive in ``data`` is plain data (see the module docstring)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeProgramError(f"{path.name} is not a torch.export program (.pt2): it is not a zip archive. "
                                 "Nothing in it was run.") from exc
    if not infos:
        raise _refuse(path, "it is empty")
    if sum(i.file_size for i in infos) > MAX_FILE_BYTES:
        raise _refuse(path, "it unpacks to more than 2 GiB")
    roots = {i.filename.split("/", 1)[0] for i in infos}
    if len(roots) != 1 or any("/" not in i.filename for i in infos):
        raise _refuse(path, "its parts are not in one archive folder")
    root = roots.pop()
    names = {i.filename for i in infos}
    models = sorted(n for n in names if re.fullmatch(rf"{re.escape(root)}/models/[A-Za-z0-9_\-]+\.json", n))
    if len(models) != 1:
        raise _refuse(path, f"it holds {len(models)} programs instead of one")
    model_name = models[0].rsplit("/", 1)[1][:-5]
    if archive.getinfo(models[0]).file_size > MAX_MODEL_JSON_BYTES:
        raise _refuse(path, "its graph description is larger than 64 MB")
    allowed = {f"{root}/{n}" for n in ("archive_format", "archive_version", "byteorder", ".data/version",
                                       ".data/serialization_id")}
    allowed |= {models[0], f"{root}/data/sample_inputs/{model_name}.pt",
                f"{root}/data/weights/{model_name}_weights_config.json",
                f"{root}/data/constants/{model_name}_constants_config.json"}
    allowed |= _check_payload_config(path, archive, root, "weights", f"{model_name}_weights_config.json", "weight_")
    allowed |= _check_payload_config(path, archive, root, "constants", f"{model_name}_constants_config.json",
                                     "tensor_")
    extra = sorted(n for n in names - allowed if not n.startswith(f"{root}/extra/") and not n.endswith("/"))
    if extra:
        shown = ", ".join(e.split("/", 1)[1] for e in extra[:3])
        raise _refuse(path, f"it holds parts this app does not open ({shown})")
    if _read(archive, f"{root}/archive_format", path).strip() != b"pt2":
        raise _refuse(path, "it is not marked as a PT2 archive")
    try:
        program = json.loads(_read(archive, models[0], path))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _refuse(path, "its graph description is not valid JSON") from exc
    _check_graph_json(path, program)
    sample = f"{root}/data/sample_inputs/{model_name}.pt"
    if sample in names:
        _check_sample_inputs(path, _read(archive, sample, path))


def _check_loaded_graph(path: Path, program: Any) -> None:
    """The same rule on what torch actually built: every call is an aten/prims operator or a size helper."""
    import operator

    import torch

    allowed_functions = {getattr(operator, n.split(".", 1)[1]) for n in _OPERATOR_TARGETS}
    for node in program.graph.nodes:
        if node.op in ("placeholder", "output"):
            continue
        target = node.target
        if node.op == "call_function":
            if isinstance(target, torch._ops.OpOverload) and target.namespace in ("aten", "prims"):
                continue
            if target in allowed_functions or getattr(target, "__module__", None) == "torch" and \
                    _SYM_TARGET.fullmatch(f"torch.{getattr(target, '__name__', '')}"):
                continue
        raise _refuse(path, f"its graph has a '{node.op}' step on '{str(target)[:80]}'")


def load_safe_program(path: str | Path) -> Any:
    """The ``torch.export.ExportedProgram`` in ``path``, after ``inspect_program_archive`` accepted it.

    Raises UnsafeProgramError (refused: nothing from the file ran) or OSError (unreadable).
    """
    import torch

    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(path, "it is larger than 2 GiB")
    data = path.read_bytes()  # one read: what is checked is exactly what torch gets
    inspect_program_archive(path, data)
    try:
        program = torch.export.load(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a damaged archive; one message
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UnsafeProgramError(f"{path.name} is not a readable torch.export program: {first[:200]}") from exc
    _check_loaded_graph(path, program)
    program._guards_code = []  # Python source run by .module(): see the module docstring
    return program
