"""Reading a ``torch.export`` program (``.pt2``) without running anything from the file.

``torch.export.load`` is not safe on its own for a file someone sent you. In this torch it

- unpickles weights and constants marked ``use_pickle`` with ``weights_only=False``, and
  ``pickle.loads`` "opaque" constants: a crafted weight runs arbitrary Python;
- falls back to ``weights_only=False`` when the sample inputs do not load with ``weights_only=True``;
- resolves every node target by walking ``getattr`` from the ``torch`` module, so a graph can call
  any function torch can reach (``torch.load``, ``torch.hub…``), not only tensor operators;
- hands symbolic-shape strings to ``sympy.sympify``, which ``eval``s them;
- turns ``guards_code`` strings into Python source that ``.module()`` executes;
- writes argument and parameter names into generated Python source (``def forward(self, x)``,
  ``getattr(self.m, "0")``), and takes argument names from the input spec when ``forward_arg_names``
  is empty;
- parses the input/output specs with a JSON hook that imports any module named in an ``__enum__``
  object;
- fills an empty weight record with zeros at whatever size the file declares.

And the zip archive can be read two ways: Python's ``zipfile`` and torch's own reader disagree on
duplicate entry names and on archives hidden behind others. So this module reads the parts with
**torch's own reader** (what torch would load), refuses duplicates and anything ``zipfile`` sees
differently, checks every part, and then builds a **new archive from exactly the checked parts**,
which is what torch loads. The rules, each a refusal with a plain message:

- weights and constants are raw tensor bytes described by JSON (no pickle, no custom objects), of a
  known dtype, with sizes and strides that fit inside their own bytes;
- the graph calls only an allow-list of pure ``aten`` tensor operators (and a few ``operator`` functions
  on sizes), with no sub-graphs and no function-valued arguments: ``aten`` itself holds operators that
  map files for writing;
- every name is an identifier (dotted for parameters); input/output specs use only tuples, lists and
  dicts with identifier keys;
- shape expressions hold only symbols, integers and arithmetic (no powers: ``9**9**9`` would not end);
- only the known parts of a PT2 archive are present (no legacy pickled weight or constant files, no
  extra files), at most 256 MiB in all.

The sample inputs are left out of the new archive and the guard code is dropped: neither is needed to
classify images, and our callers check input shapes themselves. Programs written by ``main.py export``
and by ``torch.export.save`` of ordinary modules pass all of this.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.catalogue import Text
from engine.errors import first_line
from engine.runs import RunError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 << 20  # the classifiers this app attacks are a few MB; refuse to unpack more than 256 MiB
MAX_MODEL_JSON_BYTES = 64 << 20
MAX_EXPR_CHARS = 400

# Operators a classifier's graph may call: an allow-list of pure tensor operators. Not "all of aten":
# aten has operators that touch files (``aten.from_file`` maps a path for writing, ``aten.save``), and a
# graph could chain them with ``copy_`` to write any file. Higher-order operators (cond, while_loop, …)
# carry sub-graphs and are refused, as is every other Python callable.
_OP_NAMES = frozenset(
    """
    conv1d conv2d conv3d convolution _convolution conv_transpose2d linear addmm mm bmm matmul baddbmm t
    relu relu_ leaky_relu gelu silu sigmoid tanh hardtanh hardswish hardsigmoid elu selu softplus mish prelu
    softmax log_softmax _softmax _log_softmax
    max_pool2d max_pool2d_with_indices avg_pool2d adaptive_avg_pool2d adaptive_max_pool2d _adaptive_avg_pool2d
    batch_norm _native_batch_norm_legit_no_training native_batch_norm layer_norm native_layer_norm group_norm
    instance_norm dropout native_dropout feature_dropout alpha_dropout
    add sub mul div rsub neg abs pow sqrt rsqrt exp log clamp clamp_min clamp_max minimum maximum where
    round floor ceil trunc sign
    sum mean amax amin max min argmax std var
    flatten view reshape _reshape_alias permute transpose unsqueeze squeeze expand contiguous clone
    alias detach cat stack split split_with_sizes chunk slice select narrow index_select pad constant_pad_nd
    zeros_like ones_like full_like scalar_tensor _to_copy to type_as
    upsample_nearest2d upsample_bilinear2d sym_size sym_numel sym_stride
""".split()
)
_OP_TARGET = re.compile(r"torch\.ops\.aten\.([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_][A-Za-z0-9_]*")
_SYM_TARGET = re.compile(r"torch\.(sym_(float|int|max|min|not|ite|sum|sqrt)|_sym_sqrt)")
_OPERATOR_TARGETS = frozenset(
    f"_operator.{name}"
    for name in (
        "getitem", "add", "sub", "mul", "floordiv", "truediv", "mod", "neg", "pos", "abs",
        "eq", "ne", "lt", "le", "gt", "ge", "and_", "or_", "not_",
    )
)  # fmt: skip
# Symbolic shape expressions (sympify evaluates them): symbols s0, u3 … integers, arithmetic and a
# few shape functions, nothing else.
_EXPR_TOKEN = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d{1,12})(?![\d.])|'([a-z]\d{1,6})'|(//|[-+*/%(),<>=!]=?|\s))"
)
_SYMBOL = re.compile(r"[a-z]\d{1,6}")
# torch writes these with sympy's srepr, e.g. "Mul(Integer(2), Symbol('s77', positive=True, integer=True))"
_EXPR_WORDS = frozenset({
    "Symbol", "Integer", "Add", "Mul", "Max", "Min", "FloorDiv", "CeilDiv", "Mod", "PythonMod", "CleanDiv",
    "IntTrueDiv", "TruncToInt", "FloorToInt", "CeilToInt", "ModularIndexing", "Eq", "Ne", "Lt", "Le", "Gt", "Ge",
    "And", "Or", "Not", "true", "false", "True", "False", "oo", "positive", "negative", "integer", "nonnegative",
    "nonpositive", "real", "finite", "zero", "nonzero", "even", "odd",
})  # fmt: skip
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_FILE_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
# Keys of model.json whose string values name things that end up in generated code or in getattr.
_NAME_KEYS = frozenset({
    "name", "parameter_name", "buffer_name", "tensor_constant_name", "custom_obj_name", "fqn", "arg_name",
    "user_input_name", "user_output_name",
})  # fmt: skip
# Containers an input/output spec may use (pytree's serialized type names).
_SPEC_TYPES = frozenset({
    None, "builtins.tuple", "builtins.list", "builtins.dict", "collections.OrderedDict",
    "torch.fx.immutable_collections.immutable_list", "torch.fx.immutable_collections.immutable_dict",
})  # fmt: skip
_WRITER_PARTS = frozenset({".data/version", ".data/serialization_id", "byteorder"})  # torch's writer adds them


class UnsafeProgramError(RunError):
    """The file is not a plain-data torch.export program; the message says what was found."""


def _refuse(path: Path, what: str, /, **fields: object) -> UnsafeProgramError:
    """The refusal of ``path``: ``what`` is an English phrase of the catalogue (its {placeholders} filled
    with ``fields``) saying what was found."""
    return UnsafeProgramError(
        "{name} was not opened: {what}. Robustness Lab opens only .pt2 programs made of plain tensor "
        "data and PyTorch operators, because anything else could run code on this computer. Export the model "
        "again with torch.export.save from a plain nn.Module, or give its weights as a state dict.",
        name=path.name,
        what=Text(what, fields),
    )


# ---------------------------------------------------------------------------- the archive
def _read_parts(path: Path, data: bytes) -> dict[str, bytes]:
    """Every part as torch's reader sees it, after checking that zipfile sees the same names and sizes."""
    import torch

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeProgramError(
            "{name} is not a torch.export program (.pt2): it is not a zip archive. Nothing in it was run.",
            name=path.name,
        ) from exc
    names = [i.filename for i in infos if not i.filename.endswith("/")]
    if len(names) != len(set(names)):
        raise _refuse(path, "its archive lists the same part twice")
    if sum(i.file_size for i in infos) > MAX_FILE_BYTES:
        raise _refuse(path, "it unpacks to more than 256 MiB")
    roots = {n.split("/", 1)[0] for n in names}
    if len(roots) != 1 or any("/" not in n for n in names):
        raise _refuse(path, "its parts are not in one archive folder")
    if not _IDENTIFIER.fullmatch(roots.pop().replace("-", "_")):
        raise _refuse(path, "its archive folder has an unusual name")
    sizes = {i.filename.split("/", 1)[1]: i.file_size for i in infos if not i.filename.endswith("/")}
    try:
        reader = torch._C.PyTorchFileReader(io.BytesIO(data))
        records = list(reader.get_all_records())
        if sorted(records) != sorted(sizes) or len(records) != len(set(records)):
            raise _refuse(path, "its archive reads differently depending on the program that reads it")
        total = 0
        parts = {}
        for name in records:
            size = int(reader.get_record_size(name))
            total += size
            if size != sizes[name] or total > MAX_FILE_BYTES:
                raise _refuse(path, "its archive reads differently depending on the program that reads it")
            parts[name] = bytes(reader.get_record(name))
    except UnsafeProgramError:
        raise
    except Exception as exc:  # noqa: BLE001 - torch's reader raises RuntimeError and others for a damaged zip
        raise _refuse(path, "its archive is damaged") from exc
    return parts


def _rebuild(parts: dict[str, bytes]) -> bytes:
    """A fresh archive holding exactly ``parts``, written by torch's own writer."""
    import torch

    buffer = io.BytesIO()
    writer = torch._C.PyTorchFileWriter(buffer)
    writer.set_min_version(6)
    for name, data in parts.items():
        if name not in _WRITER_PARTS:
            writer.write_record(name, data, len(data))
    writer.write_end_of_file()
    return buffer.getvalue()


# ---------------------------------------------------------------------------- the graph description
def _check_expr(path: Path, expr: Any) -> None:
    if not isinstance(expr, str) or len(expr) > MAX_EXPR_CHARS:
        raise _refuse(path, "a shape expression is not a short formula")
    pos = 0
    while pos < len(expr):
        match = _EXPR_TOKEN.match(expr, pos)
        if not match or match.end() == pos:
            raise _refuse(
                path, "a shape expression holds something other than arithmetic ({expr})", expr=repr(expr[:60])
            )
        word = match.group(1)
        if word and not (_SYMBOL.fullmatch(word) or word in _EXPR_WORDS):
            raise _refuse(path, "a shape expression names '{word}'", word=word[:40])
        pos = match.end()
    if "**" in expr:
        raise _refuse(path, "a shape expression raises to a power")


def _walk(node: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    yield key, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def _check_spec(path: Path, text: Any) -> None:
    """An input/output spec: pytree JSON of tuples, lists and dicts with identifier keys, nothing else."""
    if text is None:
        return
    try:
        spec = json.loads(text) if isinstance(text, str) else None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _refuse(path, "its input or output description is not valid") from exc
    if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], dict)):
        raise _refuse(path, "its input or output description is not valid")

    def check(node: Any, depth: int = 0) -> None:
        if depth > 32 or not isinstance(node, dict) or set(node) - {"type", "context", "children_spec"}:
            raise _refuse(path, "its input or output description is not valid")
        if node.get("type") not in _SPEC_TYPES:
            raise _refuse(path, "its inputs or outputs use the type '{type}'", type=str(node.get("type"))[:60])
        context = node.get("context")
        if context is not None:
            try:
                value = json.loads(context) if isinstance(context, str) else object()
            except (json.JSONDecodeError, RecursionError) as exc:
                raise _refuse(path, "its input or output description is not valid") from exc
            keys = value if isinstance(value, list) else [] if value is None else None
            if keys is None or not all(isinstance(k, str) and _IDENTIFIER.fullmatch(k) for k in keys):
                raise _refuse(path, "its inputs or outputs are named with something other than plain identifiers")
        children = node.get("children_spec") or []
        if not isinstance(children, list):
            raise _refuse(path, "its input or output description is not valid")
        for child in children:
            check(child, depth + 1)

    check(spec[1])


def _check_graph_json(path: Path, program: Any) -> None:
    if not isinstance(program, dict) or not isinstance(program.get("graph_module"), dict):
        raise _refuse(path, "its model description is not a torch.export program")
    graph_module = program["graph_module"]
    graph = graph_module.get("graph")
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        raise _refuse(path, "its model description is not a torch.export program")
    if graph_module.get("treespec_namedtuple_fields"):
        raise _refuse(path, "its inputs or outputs use named tuples")
    for key, value in _walk(program):
        if key == "nodes" and isinstance(value, list):
            for node in value:
                target = node.get("target") if isinstance(node, dict) else None
                op = _OP_TARGET.fullmatch(target) if isinstance(target, str) else None
                if not isinstance(target, str) or not (
                    (op and op.group(1) in _OP_NAMES) or _SYM_TARGET.fullmatch(target) or target in _OPERATOR_TARGETS
                ):
                    raise _refuse(
                        path,
                        "its graph calls '{target}', which is not one of the pure tensor operators this app runs",
                        target=str(target)[:80],
                    )
                if not isinstance(node.get("name", "x"), str) or not _IDENTIFIER.fullmatch(node.get("name", "x")):
                    raise _refuse(
                        path, "a node name is not a plain identifier ({name})", name=repr(str(node.get("name"))[:60])
                    )
        elif key == "as_graph" and value is not None:
            raise _refuse(path, "its graph holds sub-graphs (control flow), which this app does not run")
        elif key in ("as_operator", "as_graph_module", "as_custom_obj_with_source") and value is not None:
            raise _refuse(path, "an argument in its graph is a Python function or object, not a value")
        elif key in ("custom_obj_values", "as_custom_obj") and value:
            raise _refuse(path, "it holds custom Python objects")
        elif key == "expr_str":
            _check_expr(path, value)
        elif key in ("in_spec", "out_spec"):
            _check_spec(path, value)
        elif key == "forward_arg_names" and not isinstance(value, str):  # the list itself (items come as str)
            if not isinstance(value, list) or not value:
                raise _refuse(path, "its input names are missing")
        elif key == "forward_arg_names" and not _IDENTIFIER.fullmatch(value):
            raise _refuse(path, "an input name is not a plain identifier ({name})", name=repr(value[:60]))
        elif key in _NAME_KEYS and isinstance(value, str) and value and not _DOTTED.fullmatch(value):
            raise _refuse(path, "a name in its graph is not a plain identifier ({name})", name=repr(value[:60]))
    constraints = program.get("range_constraints") or {}
    if not isinstance(constraints, dict):
        raise _refuse(path, "its shape constraints are not a table")
    for symbol in constraints:
        _check_expr(path, str(symbol))


# ---------------------------------------------------------------------------- weights and constants
def _as_ints(path: Path, values: Any, what: Text) -> list[int]:
    if not isinstance(values, list) or len(values) > 8:
        raise _refuse(path, "its {what} are not a list of whole numbers", what=what)
    out = []
    for v in values:
        n = v.get("as_int") if isinstance(v, dict) and set(v) == {"as_int"} else None
        if type(n) is not int or not 0 <= n < 2**31:
            raise _refuse(path, "its {what} are not plain whole numbers from 0 to 2³¹", what=what)
        out.append(n)
    return out


def _tensor_bytes(path: Path, meta: Any, fqn: str) -> int:
    """How many bytes the tensor ``meta`` describes, counted the way torch lays it out from its record."""
    from torch._export.serde.serialize import _SERIALIZE_TO_TORCH_DTYPE

    if not isinstance(meta, dict):
        raise _refuse(path, "the tensor '{name}' has no description", name=fqn)
    dtypes = {int(k): v for k, v in _SERIALIZE_TO_TORCH_DTYPE.items()}
    code = meta.get("dtype")
    dtype = dtypes.get(code) if type(code) is int else None
    if dtype is None:
        raise _refuse(path, "the tensor '{name}' has an unknown number type", name=fqn)
    sizes = _as_ints(path, meta.get("sizes"), Text("sizes of '{name}'", {"name": fqn}))
    strides = _as_ints(path, meta.get("strides"), Text("strides of '{name}'", {"name": fqn}))
    offset = _as_ints(path, [meta.get("storage_offset")], Text("offset of '{name}'", {"name": fqn}))[0]
    if len(sizes) != len(strides):
        raise _refuse(path, "the tensor '{name}' has as many strides as sizes", name=fqn)
    if math.prod(sizes) == 0:
        return 0
    elements = offset + sum((s - 1) * st for s, st in zip(sizes, strides, strict=True)) + 1
    return elements * dtype.itemsize


def _check_payload_config(path: Path, parts: dict[str, bytes], folder: str, config_name: str, prefix: str) -> set[str]:
    """Weights or constants: raw tensor bytes that hold what their description says; returns their parts."""
    # the words for the messages: "its weights table", "its weight 'fc.bias'"
    table, item = (Text("weights"), Text("weight")) if folder == "weights" else (Text("constants"), Text("constant"))
    try:
        config = json.loads(parts[f"data/{folder}/{config_name}"]).get("config", {})
    except KeyError as exc:
        raise _refuse(path, "it lacks its {table} table", table=table) from exc
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, RecursionError) as exc:
        raise _refuse(path, "its {table} table is not valid JSON", table=table) from exc
    if not isinstance(config, dict):
        raise _refuse(path, "its {table} table is not a table", table=table)
    files, declared = set(), 0
    for fqn, meta in config.items():
        if not isinstance(meta, dict):
            raise _refuse(path, "its {table} table is damaged", table=table)
        if not _DOTTED.fullmatch(str(fqn)):
            raise _refuse(path, "a {item} name is not a plain identifier ({name})", item=item, name=repr(str(fqn)[:60]))
        if meta.get("use_pickle"):
            raise _refuse(
                path, "its {item} '{name}' is stored as a Python pickle, not as raw tensor data", item=item, name=fqn
            )
        name = meta.get("path_name")
        if not isinstance(name, str) or not name.startswith(prefix) or not _FILE_NAME.fullmatch(name):
            raise _refuse(
                path,
                "its {item} '{name}' is not raw tensor data ({file})",
                item=item,
                name=fqn,
                file=repr(str(name)[:60]),
            )
        part = f"data/{folder}/{name}"
        if name.endswith(".pt") or part not in parts:
            raise _refuse(path, "its {item} '{name}' has no data", item=item, name=fqn)
        needed = _tensor_bytes(path, meta.get("tensor_meta"), str(fqn))
        if needed > len(parts[part]):
            raise _refuse(
                path,
                "its {item} '{name}' claims more data ({needed} bytes) than the file holds",
                item=item,
                name=fqn,
                needed=needed,
            )
        declared += needed
        files.add(part)
    if declared > MAX_FILE_BYTES:
        raise _refuse(path, "its tensors add up to more than 256 MiB")
    return files


# ---------------------------------------------------------------------------- the whole file
def inspect_program_parts(path: str | Path, parts: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
    """Raise UnsafeProgramError unless ``parts`` (name → bytes) is a plain-data program; returns the
    model's name and its (checked) description."""
    path = Path(path)
    models = [n for n in parts if re.fullmatch(r"models/[A-Za-z0-9_\-]+\.json", n)]
    if len(models) != 1:
        raise _refuse(path, "it holds {count} programs instead of one", count=len(models))
    model_name = models[0][len("models/") : -len(".json")]
    if not _IDENTIFIER.fullmatch(model_name) or model_name.startswith(("weight_", "tensor_")):
        # torch reads data/{weights,constants}/<model>.pt (pickles) before the tables: no name may collide
        raise _refuse(path, "its program has the unusual name '{name}'", name=model_name[:40])
    if len(parts[models[0]]) > MAX_MODEL_JSON_BYTES:
        raise _refuse(path, "its graph description is larger than 64 MB")
    if parts.get("archive_format", b"").strip() != b"pt2":
        raise _refuse(path, "it is not marked as a PT2 archive")
    allowed = {"archive_format", "archive_version", models[0], f"data/sample_inputs/{model_name}.pt"} | _WRITER_PARTS
    allowed |= {f"data/weights/{model_name}_weights_config.json", f"data/constants/{model_name}_constants_config.json"}
    allowed |= _check_payload_config(path, parts, "weights", f"{model_name}_weights_config.json", "weight_")
    allowed |= _check_payload_config(path, parts, "constants", f"{model_name}_constants_config.json", "tensor_")
    extra = sorted(n for n in parts if n not in allowed)
    if extra:
        raise _refuse(path, "it holds parts this app does not open ({parts})", parts=", ".join(extra[:3]))
    try:
        program = json.loads(parts[models[0]])
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _refuse(path, "its graph description is not valid JSON") from exc
    _check_graph_json(path, program)
    return model_name, program


def _check_loaded_graph(path: Path, program: Any) -> None:
    """The same rule on what torch actually built: every call is an allowed aten operator or a size helper."""
    import operator

    import torch

    allowed_functions = {getattr(operator, n.split(".", 1)[1]) for n in _OPERATOR_TARGETS}
    for node in program.graph.nodes:
        if node.op in ("placeholder", "output"):
            continue
        target = node.target
        if node.op == "call_function":
            if (
                isinstance(target, torch._ops.OpOverload)
                and target.namespace == "aten"
                and target._schema.name.split("::", 1)[1] in _OP_NAMES
            ):
                continue
            if target in allowed_functions or (
                getattr(target, "__module__", None) == "torch"
                and _SYM_TARGET.fullmatch(f"torch.{getattr(target, '__name__', '')}")
            ):
                continue
        raise _refuse(path, "its graph has a '{op}' step on '{target}'", op=node.op, target=str(target)[:80])


@contextmanager
def _torch_logging_silenced() -> Iterator[None]:
    """torch logs every failed load with a traceback on stderr; the person gets our one sentence instead."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def load_safe_program(path: str | Path) -> Any:
    """The ``torch.export.ExportedProgram`` in ``path``, rebuilt from its checked parts.

    Raises UnsafeProgramError (refused: nothing from the file ran) or OSError (unreadable).
    """
    import torch

    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _refuse(path, "it is larger than 256 MiB")
    data = path.read_bytes()  # one read: what is checked is exactly what torch gets
    parts = _read_parts(path, data)
    try:
        model_name, program = inspect_program_parts(path, parts)
    except UnsafeProgramError:
        raise
    except Exception as exc:  # noqa: BLE001 - a description of an unexpected shape: refused, not a crash
        raise _refuse(path, "its description is damaged or of an unknown shape") from exc
    program["guards_code"] = []  # Python source run by .module(): see the module docstring
    parts = dict(parts)
    parts[f"models/{model_name}.json"] = json.dumps(program).encode()  # the description exactly as checked
    if f"data/sample_inputs/{model_name}.pt" in parts:
        parts[f"data/sample_inputs/{model_name}.pt"] = b""  # not needed, and torch unpickles them
    try:
        with _torch_logging_silenced():
            loaded = torch.export.load(io.BytesIO(_rebuild(parts)))
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a damaged archive; one message
        log.info("torch.export.load refused %s", path, exc_info=exc)
        raise UnsafeProgramError(
            "{name} is not a readable torch.export program: {reason}", name=path.name, reason=first_line(exc, 200)
        ) from exc
    _check_loaded_graph(path, loaded)
    loaded._guards_code = []
    return loaded
