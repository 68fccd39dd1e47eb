"""Read and write ``.safetensors`` files, with the API of ``safetensors.torch``.

The format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
header length N, a JSON header of N bytes mapping each tensor name to
``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`` (plus an
optional ``"__metadata__"`` of string pairs), then the raw little-endian bytes.
Loading validates everything the spec requires (offsets inside the buffer,
contiguous and non-overlapping, sizes matching shapes) and never runs code.

>>> from ember.safetensors import save_file, load_file
>>> save_file({"w": ember.ones(2, 3)}, "model.safetensors")
>>> load_file("model.safetensors")["w"].shape
ember.Size([2, 3])
"""

from __future__ import annotations

import json
import math
import os
import struct
from typing import IO, Any

from ember import _dtypes as D
from ember._errors import SerializationError
from ember._serialization import MAX_DIMS, _host_bytes, atomic_write, tensor_from_bytes
from ember._tensor import Tensor

__all__ = ["save", "load", "save_file", "load_file"]

_CODES = {
    D.bool_: "BOOL", D.uint8: "U8", D.int8: "I8", D.int16: "I16", D.int32: "I32", D.int64: "I64",
    D.float16: "F16", D.bfloat16: "BF16", D.float32: "F32", D.float64: "F64",
}
_DTYPES = {code: dt for dt, code in _CODES.items()}
_MAX_HEADER = 100_000_000  # the reference implementation's limit


def _layout(tensors: dict[str, Tensor], metadata: dict[str, str] | None) -> tuple[bytes, list[Any]]:
    if not isinstance(tensors, dict):
        raise TypeError(f"save(): expected a dict of name -> Tensor, got {type(tensors).__name__}")
    for name in tensors:
        if not isinstance(name, str):
            raise TypeError(f"save(): tensor names must be str, got {name!r} ({type(name).__name__})")
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise TypeError("save(): metadata must be a dict mapping str to str")
    header: dict[str, Any] = {"__metadata__": metadata} if metadata else {}
    raws, offset = [], 0
    # Largest alignment first, then by name, as the reference writer orders them.
    for name in sorted(tensors, key=lambda n: (-_itemsize(tensors[n], n), n)):
        t = tensors[name]
        if name == "__metadata__":
            raise ValueError("save(): '__metadata__' is reserved and cannot name a tensor")
        raw = _host_bytes(t)
        header[name] = {"dtype": _CODES[t._dtype], "shape": list(t._data.shape), "data_offsets": [offset, offset + raw.size]}
        raws.append(raw)
        offset += int(raw.size)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text, raws


def _itemsize(t: Any, name: str) -> int:
    if not isinstance(t, Tensor):
        raise TypeError(f"save(): tensors[{name!r}] is a {type(t).__name__}, not a Tensor")
    if t._dtype not in _CODES:
        raise TypeError(f"save(): tensors[{name!r}] has dtype {t._dtype}, which safetensors cannot store")
    return t._dtype.itemsize


def save(tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """The ``.safetensors`` bytes for a dict of named tensors."""
    head, raws = _layout(tensors, metadata)
    return head + b"".join(r.tobytes() for r in raws)


def save_file(tensors: dict[str, Tensor], filename: str | os.PathLike[str], metadata: dict[str, str] | None = None) -> None:
    """Write a ``.safetensors`` file atomically (the previous file survives any failure)."""
    head, raws = _layout(tensors, metadata)

    def write(out: IO[bytes]) -> None:
        out.write(head)
        for raw in raws:
            out.write(raw.data)

    atomic_write(filename, write)


def _bad(msg: str) -> SerializationError:
    return SerializationError(f"safetensors: {msg}")


def load(data: bytes, device: Any = "cpu") -> dict[str, Tensor]:
    """Tensors from ``.safetensors`` bytes, on ``device``."""
    blob = memoryview(data)
    if len(blob) < 8:
        raise _bad(f"truncated: {len(blob)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack_from("<Q", blob)
    if n > _MAX_HEADER or n > len(blob) - 8:
        raise _bad(f"header of {n} bytes does not fit in a {len(blob)}-byte file")
    try:
        header = json.loads(bytes(blob[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad(f"unreadable header ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise _bad("the header is not a JSON object")
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())):
        raise _bad("__metadata__ must map str to str")
    body = blob[8 + n:]
    spans, out = [], {}
    for name, info in header.items():
        dt, shape, begin, end = _entry(name, info)
        if end > len(body):
            raise _bad(f"{name!r}: bytes {begin}..{end} lie outside the {len(body)}-byte data")
        if end - begin != math.prod(shape) * dt.itemsize:
            raise _bad(f"{name!r}: {end - begin} bytes do not hold shape {list(shape)} of {dt}")
        spans.append((begin, end, name))
        out[name] = (dt, shape, begin, end)
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            raise _bad(f"{name!r}: data starts at {begin}, expected {pos} (tensors must tile the data without gaps or overlaps)")
        pos = end
    if pos != len(body):
        raise _bad(f"{len(body) - pos} bytes after the last tensor belong to none")
    return {name: tensor_from_bytes(body[b:e], dt, shape, device) for name, (dt, shape, b, e) in out.items()}


def _entry(name: str, info: Any) -> tuple[D.dtype, tuple[int, ...], int, int]:
    try:
        dt = _DTYPES[info["dtype"]]
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
    except (KeyError, TypeError, ValueError):
        raise _bad(f"{name!r}: malformed entry {info!r}") from None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (*shape, begin, end)) or end < begin:
        raise _bad(f"{name!r}: shape and data_offsets must be non-negative integers in order")
    if len(shape) > MAX_DIMS:
        raise _bad(f"{name!r}: {len(shape)} dimensions, more than the {MAX_DIMS} supported")
    return dt, shape, begin, end


def load_file(filename: str | os.PathLike[str], device: Any = "cpu") -> dict[str, Tensor]:
    """Tensors from a ``.safetensors`` file, on ``device``."""
    with open(filename, "rb") as fh:
        return load(fh.read(), device)
