"""``ember.save`` / ``ember.load``: a documented format that loading can never use to run code.

Layout of an Ember file (version 1), all integers little-endian::

    offset 0    magic         8 bytes   b"EMBER\\x00v1"
    offset 8    header_len    uint64    length H of the JSON header in bytes
    offset 16   header_crc32  uint32    zlib.crc32 of the header bytes
    offset 20   header        H bytes   UTF-8 JSON, described below
    ...         zero padding up to the next multiple of 64 (the data start, D)
    D           data          the tensors' raw little-endian C-order bytes, each
                              starting at a multiple of 64 from D

The header is a JSON object::

    {"format": "ember", "version": 1, "data_size": <bytes of data after D>,
     "tensors": [{"dtype": "float32", "shape": [2, 3], "offset": 0, "nbytes": 24,
                  "crc32": 123, "device": "cpu", "requires_grad": false}, ...],
     "root": <the saved object, encoded>}

Encoding of the root: JSON null, booleans, integers, strings and lists stand for
themselves; a finite float is a JSON number. Everything else is an object with one
``$``-key: ``{"$tensor": i}`` (index into ``tensors``), ``{"$tuple": [...]}``,
``{"$dict": [[key, value], ...]}`` (any dict whose keys are not all plain strings,
or that has a key starting with ``$``), ``{"$float": "nan" | "inf" | "-inf"}``, ``{"$int": "0x..."}`` (beyond 64 bits),
``{"$complex": [re, im]}``, ``{"$bytes": "<base64>"}``, ``{"$dtype": "float32"}``,
``{"$device": "cuda:0"}``, ``{"$size": [2, 3]}``. Other dicts are JSON objects.

A view is saved as its own elements only (never its whole storage); a tensor that
appears several times is saved once and loads as one object. The file size must be
exactly D + data_size, every tensor's bytes must lie inside the data and match their
CRC32, and the header must match its own; anything else is a
:class:`ember.SerializationError`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import struct
import tempfile
import zlib
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from ember import _dtypes as D
from ember._device import device
from ember._errors import SerializationError
from ember._tensor import Size, Tensor

__all__ = ["save", "load", "atomic_write", "numpy_dtype", "tensor_from_bytes"]

MAGIC = b"EMBER\x00v1"
_PREFIX = struct.Struct("<8sQI")  # magic, header_len, header_crc32
ALIGN = 64
_MAX_DEPTH = 200  # nesting of the saved object (well under Python's recursion limit)
MAX_DIMS = 64  # NumPy's limit on dimensions

_NUMPY = {
    D.bool_: "|b1", D.uint8: "|u1", D.int8: "|i1", D.int16: "<i2", D.int32: "<i4", D.int64: "<i8",
    D.float16: "<f2", D.float32: "<f4", D.float64: "<f8", D.complex64: "<c8", D.complex128: "<c16",
}


def numpy_dtype(dt: D.dtype) -> np.dtype:
    """The little-endian NumPy dtype stored for ``dt``; TypeError for dtypes NumPy lacks."""
    try:
        return np.dtype(_NUMPY[dt])
    except KeyError:
        raise TypeError(f"{dt} has no NumPy equivalent to store it in") from None


# -- saving ------------------------------------------------------------------------------------

class _Encoder:
    """Turns the object tree into JSON-ready values and collects its tensors (each once)."""

    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self._index: dict[int, int] = {}

    def encode(self, obj: Any, where: str, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(f"save(): {where} is nested more than {_MAX_DEPTH} levels deep")
        if isinstance(obj, Tensor):
            i = self._index.get(id(obj))
            if i is None:
                i = self._index[id(obj)] = len(self.tensors)
                self.tensors.append(obj)
            return {"$tensor": i}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            # Huge ints go as hex: JSON's decimal form hits Python's int-to-str digit limit.
            return obj if -(2**63) <= obj < 2**63 else {"$int": hex(obj)}
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if isinstance(obj, complex):
            return {"$complex": [self.encode(obj.real, where), self.encode(obj.imag, where)]}
        if isinstance(obj, bytes):
            return {"$bytes": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, D.dtype):
            return {"$dtype": obj.name}
        if isinstance(obj, device):
            return {"$device": str(obj)}
        if isinstance(obj, Size):
            return {"$size": list(obj)}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in obj):
                return {k: self.encode(v, f"{where}[{k!r}]", depth + 1) for k, v in obj.items()}
            return {"$dict": [
                [self.encode(k, f"{where} key {k!r}", depth + 1), self.encode(v, f"{where}[{k!r}]", depth + 1)]
                for k, v in obj.items()
            ]}
        raise TypeError(
            f"save(): cannot save {where}, an object of type {type(obj).__module__}.{type(obj).__qualname__}; "
            "Ember files hold tensors, dict/list/tuple and plain Python values (no pickled objects)"
        )


def _host_bytes(t: Tensor) -> np.ndarray:
    """A tensor's elements as a flat little-endian uint8 array (a view when already so laid out)."""
    host = np.ascontiguousarray(t._backend.to_numpy(t._data))
    want = numpy_dtype(t._dtype)
    if host.dtype != want:
        host = host.astype(want)
    return host.reshape(-1).view(np.uint8)


def save(obj: Any, f: str | os.PathLike[str] | IO[bytes]) -> None:
    """Save tensors and nested containers of plain values; loading it never runs code.

    Writing to a path is atomic: a crash or an error leaves any previous file intact.

    >>> ember.save({"w": ember.ones(2)}, "ckpt.ember")
    """
    enc = _Encoder()
    root = enc.encode(obj, "obj")
    entries, buffers, offset = [], [], 0
    for t in enc.tensors:
        raw = _host_bytes(t)
        offset = -(-offset // ALIGN) * ALIGN
        entries.append({
            "dtype": t._dtype.name, "shape": list(t._data.shape), "offset": offset,
            "nbytes": int(raw.size), "crc32": zlib.crc32(raw.data), "device": str(t._device),
            "requires_grad": bool(t.requires_grad),
        })
        buffers.append((offset, raw))
        offset += int(raw.size)
    header = json.dumps(
        {"format": "ember", "version": 1, "data_size": offset, "tensors": entries, "root": root},
        ensure_ascii=True, separators=(",", ":"), allow_nan=False,  # ASCII: lone surrogates survive
    ).encode("utf-8")

    def write(out: IO[bytes]) -> None:
        out.write(_PREFIX.pack(MAGIC, len(header), zlib.crc32(header)))
        out.write(header)
        start = _PREFIX.size + len(header)
        data_start = -(-start // ALIGN) * ALIGN
        out.write(b"\0" * (data_start - start))
        pos = 0
        for at, raw in buffers:
            out.write(b"\0" * (at - pos))
            out.write(raw.data)
            pos = at + raw.size

    if isinstance(f, (str, os.PathLike)):
        atomic_write(f, write)
    else:
        write(f)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write`` on a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix=".ember-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (best effort: not every platform can open a folder)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _file_mode(target: str) -> int:
    """Keep an existing file's permissions; otherwise what open() would give (0o666 minus umask)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# -- loading -----------------------------------------------------------------------------------

def _bad(msg: str) -> SerializationError:
    return SerializationError(f"load(): {msg}")


def _read_all(f: str | os.PathLike[str] | IO[bytes]) -> bytes:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return fh.read()
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"load(): expected a path or a binary file object, got {type(f).__name__}")
    return bytes(data)


def _parse(blob: bytes) -> tuple[dict[str, Any], int]:
    if len(blob) < _PREFIX.size:
        if not MAGIC.startswith(blob[:8]):
            raise _bad("not an Ember file (bad magic bytes)")
        raise _bad(f"truncated file: {len(blob)} bytes, shorter than the {_PREFIX.size}-byte prefix")
    magic, hlen, hcrc = _PREFIX.unpack_from(blob)
    if magic != MAGIC:
        raise _bad(f"not an Ember file (magic {magic!r}, expected {MAGIC!r})")
    if hlen > len(blob) - _PREFIX.size:
        raise _bad(f"truncated file or corrupt header length: header of {hlen} bytes in a {len(blob)}-byte file")
    raw = blob[_PREFIX.size:_PREFIX.size + hlen]
    if zlib.crc32(raw) != hcrc:
        raise _bad("header checksum mismatch: the file is corrupt")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad(f"unreadable header: {type(exc).__name__}") from None
    if not isinstance(header, dict) or header.get("format") != "ember":
        raise _bad("header is not an Ember header")
    if header.get("version") != 1:
        raise _bad(f"unsupported format version {header.get('version')!r} (this Ember reads version 1)")
    start = _PREFIX.size + hlen
    data_start = -(-start // ALIGN) * ALIGN
    size = header.get("data_size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _bad(f"bad data_size {size!r}")
    if len(blob) != data_start + size:
        what = "truncated" if len(blob) < data_start + size else "has trailing bytes"
        raise _bad(f"file {what}: {len(blob)} bytes, the header describes {data_start + size}")
    return header, data_start


def _check_entry(e: Any, i: int, data_size: int) -> tuple[D.dtype, tuple[int, ...], int, int]:
    if not isinstance(e, dict):
        raise _bad(f"tensor {i}: entry is not an object")
    try:
        dt = D.dtype_from_name(e["dtype"])
        shape = tuple(e["shape"])
        offset, nbytes, crc = e["offset"], e["nbytes"], e["crc32"]
    except (KeyError, TypeError) as exc:
        raise _bad(f"tensor {i}: malformed entry ({type(exc).__name__}: {exc})") from None
    ints = (*shape, offset, nbytes, crc)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints):
        raise _bad(f"tensor {i}: shape, offset, nbytes and crc32 must be non-negative integers")
    if len(shape) > MAX_DIMS:
        raise _bad(f"tensor {i}: {len(shape)} dimensions, more than the {MAX_DIMS} supported")
    if nbytes != math.prod(shape) * dt.itemsize:
        raise _bad(f"tensor {i}: nbytes {nbytes} does not match shape {list(shape)} of {dt}")
    if offset + nbytes > data_size:
        raise _bad(f"tensor {i}: bytes {offset}..{offset + nbytes} lie outside the {data_size}-byte data")
    return dt, shape, offset, crc


def tensor_from_bytes(buf: memoryview, dt: D.dtype, shape: tuple[int, ...], dev: Any) -> Tensor:
    """A new tensor holding a copy of little-endian C-order bytes, on ``dev``."""
    from ember._creation import from_numpy

    host = np.frombuffer(buf, dtype=numpy_dtype(dt)).reshape(shape)
    host = host.astype(host.dtype.newbyteorder("="), copy=True)  # native order, writable, owned
    t = from_numpy(host)
    return t if dev is None or device(dev) == t._device else t.to(dev)


def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None) -> Any:
    """Load what :func:`save` wrote; never executes code.

    ``map_location``: None (the saved devices), a device or string (every tensor goes
    there), a dict from saved device strings to devices, or ``fn(tensor, saved_location)``.

    Raises:
        SerializationError: the file is not an Ember file, is truncated or corrupt.

    >>> state = ember.load("ckpt.ember", map_location="cpu")
    """
    blob = _read_all(f)
    header, data_start = _parse(blob)
    entries = header.get("tensors")
    if not isinstance(entries, list):
        raise _bad("header has no tensor list")
    data = memoryview(blob)[data_start:]
    tensors: list[Tensor] = []
    for i, e in enumerate(entries):
        dt, shape, offset, crc = _check_entry(e, i, len(data))
        buf = data[offset:offset + e["nbytes"]]
        if zlib.crc32(buf) != crc:
            raise _bad(f"tensor {i} ({dt}, shape {list(shape)}): checksum mismatch, its data is corrupt")
        saved = e.get("device", "cpu")
        try:
            device(saved)
        except (TypeError, ValueError, RuntimeError):
            raise _bad(f"tensor {i}: bad device {saved!r}") from None
        t = _place(buf, dt, shape, saved, map_location)
        if e.get("requires_grad") is True:
            t.requires_grad_(True)
        tensors.append(t)
    return _decode(header.get("root"), tensors, 0)


def _place(buf: memoryview, dt: D.dtype, shape: tuple[int, ...], saved: str, map_location: Any) -> Tensor:
    if map_location is None:
        return tensor_from_bytes(buf, dt, shape, saved)
    if isinstance(map_location, dict):
        return tensor_from_bytes(buf, dt, shape, map_location.get(saved, saved))
    if callable(map_location):
        return map_location(tensor_from_bytes(buf, dt, shape, None), saved)
    return tensor_from_bytes(buf, dt, shape, map_location)


def _decode(node: Any, tensors: list[Tensor], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise _bad(f"the saved object is nested more than {_MAX_DEPTH} levels deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, tensors, depth + 1) for v in node]
    if not isinstance(node, dict):
        raise _bad(f"unexpected value {node!r} in the header")
    if len(node) == 1:
        (key, value), = node.items()
        if key.startswith("$"):
            return _decode_tagged(key, value, tensors, depth)
    return {k: _decode(v, tensors, depth + 1) for k, v in node.items()}


def _decode_tagged(key: str, value: Any, tensors: list[Tensor], depth: int) -> Any:
    if key in ("$tuple", "$dict", "$complex", "$size") and not isinstance(value, list):
        raise _bad(f"bad {key} value {value!r}: expected a list")
    try:
        if key == "$tensor":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(tensors):
                raise _bad(f"tensor reference {value!r} out of range (the file holds {len(tensors)})")
            return tensors[value]
        if key == "$tuple":
            return tuple(_decode(v, tensors, depth + 1) for v in value)
        if key == "$dict":
            out = {}
            for k, v in value:
                out[_decode(k, tensors, depth + 1)] = _decode(v, tensors, depth + 1)
            return out
        if key == "$int":
            if not isinstance(value, str) or len(value) > 100_000:
                raise _bad(f"bad $int value of type {type(value).__name__}")
            return int(value, 16)
        if key == "$float":
            if value not in ("nan", "inf", "-inf"):
                raise _bad(f"bad special float {value!r}")
            return float(value)
        if key == "$complex":
            re, im = (_decode(v, tensors, depth + 1) for v in value)
            return complex(re, im)
        if key == "$bytes":
            return base64.b64decode(value, validate=True)
        if key == "$dtype":
            return D.dtype_from_name(value)
        if key == "$device":
            return device(value)
        if key == "$size":
            return Size(int(v) for v in value)
    except SerializationError:
        raise
    except (TypeError, ValueError, RuntimeError) as exc:
        raise _bad(f"bad {key} value {value!r}: {exc}") from None
    raise _bad(f"unknown tag {key!r} in the header")
