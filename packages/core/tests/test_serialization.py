"""ember.save / ember.load: round trips, identity, compact views, atomic writes, hostile files.

The contract (DESIGN.md, "Serialization"): no pickle, loading never runs code,
writes are atomic, and every corrupt, truncated or hand-crafted file gives an
``ember.SerializationError`` with a clear message, never a stray
``KeyError``/``struct.error``/``RecursionError``.
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _core_helpers import NP, SHAPES
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

DTYPES = list(NP)  # the 11 dtypes the NumPy backend has
MAGIC = b"EMBER\x00v1"  # the documented 8-byte magic of format version 1


# --------------------------------------------------------------------------- helpers


def roundtrip(obj: Any, **load_kwargs: Any) -> Any:
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kwargs)


def dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def loads(data: bytes, **load_kwargs: Any) -> Any:
    return ember.load(io.BytesIO(data), **load_kwargs)


def same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_tensor_equal(got: Any, want: ember.Tensor, where: str = "obj") -> None:
    assert isinstance(got, ember.Tensor), f"{where}: {type(got).__name__}, expected Tensor"
    assert got.dtype is want.dtype, f"{where}: dtype {got.dtype} != {want.dtype}"
    assert tuple(got.shape) == tuple(want.shape), f"{where}: shape {got.shape} != {want.shape}"
    assert got.device == want.device, f"{where}: device {got.device} != {want.device}"
    assert got.requires_grad is False, where
    # Bit-for-bit: nan payloads aside, -0.0 and nan must survive.
    g = np.ascontiguousarray(got.numpy())
    w = np.ascontiguousarray(want.numpy())
    assert g.dtype == w.dtype, where
    assert g.tobytes() == w.tobytes(), f"{where}: values differ\n{g!r}\n{w!r}"


def assert_same(got: Any, want: Any, where: str = "obj", seen: dict[int, Any] | None = None) -> None:
    """Deep, type-exact equality; tensors met twice in ``want`` must be one object in ``got``."""
    if seen is None:
        seen = {}
    if isinstance(want, ember.Tensor):
        if id(want) in seen:
            assert got is seen[id(want)], f"{where}: a repeated tensor came back as a copy"
            return
        assert all(got is not other for other in seen.values()), (
            f"{where}: two different tensors came back as one object"
        )
        seen[id(want)] = got
        assert_tensor_equal(got, want, where)
        return
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, dict):
        assert [(type(k), k) for k in got] == [(type(k), k) for k in want], f"{where}: keys"
        for k in want:
            assert_same(got[k], want[k], f"{where}[{k!r}]", seen)
    elif isinstance(want, (list, tuple)):  # ember.Size included
        assert len(got) == len(want), f"{where}: length"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]", seen)
    elif isinstance(want, float):
        assert same_float(got, want), f"{where}: {got!r} != {want!r}"
    elif isinstance(want, complex):
        assert same_float(got.real, want.real) and same_float(got.imag, want.imag), (
            f"{where}: {got!r} != {want!r}"
        )
    elif isinstance(want, ember.dtype):
        assert got is want, f"{where}: {got!r} is not {want!r}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --------------------------------------------------------------------------- round trips


def test_serialization_error_type() -> None:
    assert issubclass(ember.SerializationError, ember.EmberError)
    assert issubclass(ember.SerializationError, ValueError)


def test_tensor_to_path_and_back(tmp_path: Path) -> None:
    t = ember.tensor([[1.5, -2.0], [3.0, 4.25]])
    for target in (tmp_path / "a.ember", str(tmp_path / "b.ember")):
        ember.save(t, target)
        got = ember.load(target)
        assert_tensor_equal(got, t)
        assert ember.load(Path(target)).tolist() == t.tolist()
    assert listing(tmp_path) == ["a.ember", "b.ember"]


def test_file_starts_with_magic() -> None:
    data = dumps(ember.zeros(2))
    assert data.startswith(b"EMBER")
    assert data[:8] == MAGIC


def test_open_file_objects(tmp_path: Path) -> None:
    obj = {"w": ember.arange(6).reshape(2, 3), "step": 7}
    path = tmp_path / "f.ember"
    with open(path, "wb") as f:
        ember.save(obj, f)
        assert not f.closed
    with open(path, "rb") as f:
        got = ember.load(f)
        assert not f.closed
    assert_same(got, obj)


def test_save_to_unseekable_stream() -> None:
    class Sink(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, b: Any) -> int:
            self.chunks.append(bytes(b))
            return len(b)

    obj = {"a": ember.ones(3), "b": [1, "x"]}
    sink = Sink()
    ember.save(obj, sink)
    assert_same(loads(b"".join(sink.chunks)), obj)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_every_dtype_bit_exact(dtype: ember.dtype) -> None:
    npd = np.dtype(NP[dtype])
    if npd.kind == "b":
        a = np.array([True, False, True])
    elif npd.kind in "iu":
        info = np.iinfo(npd)
        a = np.array([info.min, info.max, 0, 1, info.max // 3], dtype=npd)
    else:
        real = npd.type(0).real.dtype
        fi = np.finfo(real)
        vals = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, fi.max, fi.tiny, fi.smallest_subnormal, -1.5], dtype=real)
        a = np.empty(vals.shape, npd)
        a.real = vals
        if npd.kind == "c":
            a.imag = vals[::-1]
    t = ember.tensor(a)
    assert t.dtype is dtype
    got = roundtrip({"t": t, "d": dtype})
    assert_tensor_equal(got["t"], t)
    assert got["d"] is dtype


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (0, 2, 0), (1,), (2, 1, 3)], ids=str)
def test_zero_d_and_empty_shapes(shape: tuple[int, ...]) -> None:
    t = ember.ones(shape, dtype=ember.int16)
    got = roundtrip(t)
    assert_tensor_equal(got, t)
    assert type(got.shape) is ember.Size


def test_data_is_little_endian() -> None:
    data = dumps(ember.tensor(np.array([0x01020304], dtype=np.int32)))
    assert b"\x04\x03\x02\x01" in data
    assert b"\x01\x02\x03\x04" not in data


PLAIN: dict[str, Any] = {
    "none": None,
    "true": True,
    "false": False,
    "zero": 0,
    "int": -17,
    "huge": 2**200 + 1,
    "neg_huge": -(2**1000),
    "u64max": 2**64 - 1,
    "float": 0.1,
    "neg_zero": -0.0,
    "nan": math.nan,
    "inf": math.inf,
    "ninf": -math.inf,
    "complex": complex(1.5, -2.5),
    "complex_nan": complex(math.nan, math.inf),
    "str": "héllo \u2603 \x00 \"quoted\" \\ {json}",
    "empty_str": "",
    "bytes": bytes(range(256)),
    "empty_bytes": b"",
    "dtype": ember.float16,
    "bf16": ember.bfloat16,
    "device": ember.device("cpu"),
    "cuda_device": ember.device("cuda:1"),
    "size": ember.Size([2, 3]),
    "empty_size": ember.Size([]),
    "tuple": (1, (2.0, "three"), ()),
    "list": [[], [None], {}],
}


def test_plain_values_round_trip_type_exact() -> None:
    got = roundtrip(PLAIN)
    assert_same(got, PLAIN)
    assert type(got["true"]) is bool and type(got["zero"]) is int
    assert type(got["size"]) is ember.Size and type(got["tuple"]) is tuple


@pytest.mark.parametrize("value", list(PLAIN.values()), ids=list(PLAIN))
def test_bare_plain_value_at_top_level(value: Any) -> None:
    assert_same(roundtrip(value), value)


def test_dict_keys_keep_type_and_order() -> None:
    obj = {"b": 1, 3: "three", "1": "str one", 1: "int one", "a": 2, 0: ember.zeros(1), -5: None}
    got = roundtrip(obj)
    assert_same(got, obj)
    assert list(got) == ["b", 3, "1", 1, "a", 0, -5]


def test_optimizer_state_dict_shape() -> None:
    w, b = ember.randn(3, 2), ember.zeros(2)
    sd = {
        "state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.zeros(3, 2)}, 1: {"step": ember.tensor(3.0)}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "foreach": None}],
    }
    got = roundtrip({"model": {"w": w, "b": b}, "optim": sd})
    assert_same(got, {"model": {"w": w, "b": b}, "optim": sd})
    assert list(got["optim"]["state"]) == [0, 1]
    assert type(got["optim"]["param_groups"][0]["betas"]) is tuple


def test_other_plain_keys_round_trip_or_are_refused() -> None:
    """No silent coercion: a key either comes back with its type, or save refuses it."""
    for key in (True, None, 2.5, b"k", (1, 2), ember.float32):
        obj = {"x": {key: 1}}
        try:
            data = dumps(obj)
        except TypeError as exc:
            assert "obj['x']" in str(exc), str(exc)
            continue
        got = loads(data)
        assert list(got["x"]) == [key] and type(next(iter(got["x"]))) is type(key), (key, got)


def test_repeated_tensor_is_one_object() -> None:
    t = ember.arange(4.0)
    v = t[1:3]
    twin = ember.arange(4.0)  # equal values, different object
    obj = {"a": t, "b": [t, (t, v)], "c": v, "d": twin}
    got = roundtrip(obj)
    assert_same(got, obj)
    assert got["a"] is got["b"][0] is got["b"][1][0]
    assert got["c"] is got["b"][1][1]
    assert got["d"] is not got["a"]


def test_repeated_tensor_written_once() -> None:
    t = ember.zeros(100_000)
    one = len(dumps({"a": t}))
    assert len(dumps({"a": t, "b": t, "c": [t, t]})) < one + 1000


def test_loaded_tensors_are_writable_and_independent() -> None:
    src = ember.arange(5.0)
    got = roundtrip({"a": src, "b": src.clone()})
    got["a"][0] = 42.0
    got["a"].add_(1)
    assert got["a"].tolist() == [43.0, 2.0, 3.0, 4.0, 5.0]
    assert got["b"].tolist() == src.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_requires_grad_false_is_kept() -> None:
    got = roundtrip([ember.ones(2)])
    assert got[0].requires_grad is False
    assert got[0].grad is None


def test_nested_two_hundred_deep() -> None:
    obj: Any = ember.ones(1)
    for i in range(200):
        obj = [obj] if i % 2 else {"k": obj}
    assert_same(roundtrip(obj), obj)


# --------------------------------------------------------------------------- views


def test_prefix_view_saves_only_its_elements() -> None:
    big = ember.arange(1_000_000, dtype=ember.float32)
    assert len(dumps(big)) >= 4_000_000  # sanity: the whole storage is big
    for view in (big[:2], big[999_998:], big[::100_000], big[500_000:500_003]):
        data = dumps(view)
        assert len(data) < 4096, f"{view.shape} saved as {len(data)} bytes"
        assert_tensor_equal(loads(data), view.clone())


def test_two_views_of_one_storage_stay_small() -> None:
    big = ember.arange(1_000_000, dtype=ember.float32)
    data = dumps({"head": big[:3], "tail": big[-3:]})
    assert len(data) < 4096
    got = loads(data)
    assert got["head"].tolist() == [0.0, 1.0, 2.0]
    assert got["tail"].tolist() == [999_997.0, 999_998.0, 999_999.0]


VIEWS: dict[str, Callable[[ember.Tensor], ember.Tensor]] = {
    "transpose": lambda x: x.transpose(0, 2),
    "permute": lambda x: x.permute(2, 0, 1),
    "t": lambda x: x[0].t(),
    "strided": lambda x: x[:, ::2, 1::2],
    "column": lambda x: x[..., 1],
    "offset_row": lambda x: x[1, 2],
    "expand": lambda x: x[0, 0, :1].expand(3, 5),
    "element": lambda x: x[1, 2, 3],
}


@pytest.mark.parametrize("make", list(VIEWS.values()), ids=list(VIEWS))
def test_non_contiguous_views_round_trip(make: Callable[[ember.Tensor], ember.Tensor]) -> None:
    x = ember.arange(24, dtype=ember.int32).reshape(2, 3, 4)
    view = make(x)
    got = roundtrip(view)
    assert got.is_contiguous()
    assert tuple(got.shape) == tuple(view.shape)
    np.testing.assert_array_equal(got.numpy(), view.numpy())
    assert got.dtype is ember.int32


def test_loaded_view_does_not_alias_other_loaded_view() -> None:
    base = ember.arange(6.0)
    got = roundtrip({"a": base[:3], "b": base[3:]})
    got["a"].zero_() if hasattr(got["a"], "zero_") else got["a"].mul_(0)
    assert got["b"].tolist() == [3.0, 4.0, 5.0]


# --------------------------------------------------------------------------- hypothesis

KEYS = st.one_of(st.text(max_size=6), st.integers(-(2**70), 2**70))
PLAIN_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**300), 2**300),
    st.floats(),
    st.complex_numbers(),
    st.text(max_size=10),
    st.binary(max_size=10),
    st.sampled_from([*DTYPES, ember.bfloat16]),
    st.sampled_from([ember.device("cpu"), ember.device("cuda:0"), ember.device("cuda", 3)]),
    SHAPES.map(ember.Size),
)


@st.composite
def tensors(draw: st.DrawFn) -> ember.Tensor:
    dtype = draw(st.sampled_from(DTYPES))
    t = ember.tensor(draw(hnp.arrays(NP[dtype], SHAPES)))
    kind = draw(st.sampled_from(["plain", "transposed", "sliced"]))
    if kind == "transposed" and t.ndim >= 2:
        t = t.transpose(0, t.ndim - 1)
    elif kind == "sliced" and t.ndim >= 1:
        t = t[::2]
    return t


@st.composite
def structures(draw: st.DrawFn) -> Any:
    pool = draw(st.lists(tensors(), min_size=1, max_size=3))
    leaves = st.one_of(PLAIN_VALUES, st.sampled_from(pool))
    return draw(
        st.recursive(
            leaves,
            lambda kids: st.one_of(
                st.lists(kids, max_size=3),
                st.lists(kids, max_size=3).map(tuple),
                st.dictionaries(KEYS, kids, max_size=3),
            ),
            max_leaves=10,
        )
    )


@settings(max_examples=80, deadline=None)
@given(structures())
def test_random_structures_round_trip(obj: Any) -> None:
    assert_same(roundtrip(obj), obj)


# --------------------------------------------------------------------------- refusing what it cannot store

UNSUPPORTED: list[tuple[Any, str, str]] = [
    ({"a": [1, object()]}, "obj['a'][1]", "object"),
    ([np.zeros(3)], "obj[0]", "ndarray"),
    ({"s": {1, 2}}, "obj['s']", "set"),
    ((1, (2, lambda: 0)), "obj[1][1]", "function"),
    ({1: {"x": bytearray(b"ab")}}, "obj[1]['x']", "bytearray"),
    ({"w": ember.ones(2), "f": open}, "obj['f']", "builtin_function_or_method"),
    (object(), "obj", "object"),
]


@pytest.mark.parametrize(("obj", "where", "typename"), UNSUPPORTED, ids=[u[1] for u in UNSUPPORTED])
def test_unsupported_type_raises_and_writes_nothing(tmp_path: Path, obj: Any, where: str, typename: str) -> None:
    fresh = tmp_path / "fresh.ember"
    with pytest.raises(TypeError) as info:
        ember.save(obj, fresh)
    assert where in str(info.value), str(info.value)
    assert typename in str(info.value), str(info.value)
    assert not fresh.exists()

    old = tmp_path / "old.ember"
    ember.save({"keep": ember.ones(3)}, old)
    before = old.read_bytes()
    with pytest.raises(TypeError):
        ember.save(obj, old)
    assert old.read_bytes() == before
    assert listing(tmp_path) == ["old.ember"]

    buf = io.BytesIO()
    with pytest.raises(TypeError):
        ember.save(obj, buf)
    assert buf.getvalue() == b""


# --------------------------------------------------------------------------- atomic writes


@pytest.fixture
def old_file(tmp_path: Path) -> Iterator[tuple[Path, bytes]]:
    path = tmp_path / "ckpt.ember"
    ember.save({"version": 1, "w": ember.ones(4)}, path)
    yield path, path.read_bytes()


def test_failed_replace_keeps_old_file_and_no_temp(
    monkeypatch: pytest.MonkeyPatch, old_file: tuple[Path, bytes]
) -> None:
    path, before = old_file

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        ember.save({"version": 2, "w": ember.zeros(4)}, path)
    assert path.read_bytes() == before
    assert listing(path.parent) == [path.name]
    assert ember.load(path)["version"] == 1


def test_failed_fsync_keeps_old_file_and_no_temp(
    monkeypatch: pytest.MonkeyPatch, old_file: tuple[Path, bytes]
) -> None:
    path, before = old_file

    def broken_fsync(fd: int) -> None:
        raise OSError("fsync failed")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        ember.save({"version": 2}, path)
    assert path.read_bytes() == before
    assert listing(path.parent) == [path.name]


def test_write_goes_through_fsynced_temp_in_same_directory(
    monkeypatch: pytest.MonkeyPatch, old_file: tuple[Path, bytes]
) -> None:
    path, _ = old_file
    events: list[tuple[str, Any]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", fd))
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append(("replace", (Path(src), Path(dst))))
        assert Path(src).exists() and Path(src).read_bytes().startswith(b"EMBER")
        # the old file is still whole until the rename
        assert ember.load(dst)["version"] == 1
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    ember.save({"version": 2}, path)
    kinds = [e[0] for e in events]
    assert "fsync" in kinds and "replace" in kinds
    assert kinds.index("fsync") < kinds.index("replace")
    src, dst = next(e[1] for e in events if e[0] == "replace")
    assert src.resolve().parent == path.resolve().parent
    assert dst.resolve() == path.resolve()
    assert ember.load(path) == {"version": 2}
    assert listing(path.parent) == [path.name]


def test_save_into_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        ember.save(ember.ones(1), tmp_path / "nope" / "x.ember")
    assert listing(tmp_path) == []


# --------------------------------------------------------------------------- map_location


def test_map_location_none_and_device_forms() -> None:
    data = dumps({"a": ember.ones(2), "b": [ember.zeros(1)]})
    for loc in (None, "cpu", ember.device("cpu"), {"cpu": "cpu"}, {"cpu": ember.device("cpu")}):
        got = loads(data, map_location=loc)
        assert got["a"].device == ember.device("cpu"), loc
        assert got["b"][0].device == ember.device("cpu"), loc
        assert got["a"].tolist() == [1.0, 1.0]


def test_map_location_callable_gets_tensor_and_saved_location() -> None:
    t = ember.arange(3.0)
    calls: list[tuple[list[float], str]] = []
    replacement = ember.tensor([9.0])

    def relocate(tensor: ember.Tensor, location: str) -> ember.Tensor:
        calls.append((tensor.tolist(), location))
        return replacement

    got = loads(dumps({"t": t, "again": t}), map_location=relocate)
    assert got["t"] is replacement
    assert got["again"] is replacement
    assert calls and all(c == ([0.0, 1.0, 2.0], "cpu") for c in calls)


# --------------------------------------------------------------------------- corrupt and hostile files

SAMPLE: dict[str, Any] = {
    "w": ember.tensor(np.arange(1, 13, dtype=np.float32).reshape(3, 4) * 1.25),
    "b": ember.tensor(np.array([7, -7, 700], dtype=np.int64)),
    "meta": {"epoch": 3, "name": "run", 5: (1.5, None)},
}


def sample_bytes() -> bytes:
    return dumps(SAMPLE)


def test_sample_round_trips() -> None:
    assert_same(loads(sample_bytes()), SAMPLE)


@pytest.mark.parametrize(
    "data",
    [
        b"not an ember file at all",
        b"\x80\x04\x95" + b"\x00" * 40,  # pickle protocol 4
        b"PK\x03\x04" + b"\x00" * 40,  # torch's zip format
        b"EMBER\x00\x01",  # the magic, cut short
        b"GGUF\x03\x00\x00\x00" + b"\x00" * 40,
    ],
    ids=["text", "pickle", "zip", "short_magic", "gguf"],
)
def test_wrong_magic(data: bytes) -> None:
    with pytest.raises(ember.SerializationError) as info:
        loads(data)
    if not data.startswith(b"EMBER"):
        assert "not an Ember file" in str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ember"
    path.write_bytes(b"")
    with pytest.raises(ember.SerializationError):
        ember.load(path)


def test_pickle_payload_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.mkdir, (str(marker),))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Evil()}))
    with pytest.raises(ember.SerializationError, match="not an Ember file"):
        ember.load(path)
    assert not marker.exists()


def test_every_truncation_point_is_an_error() -> None:
    data = sample_bytes()
    for n in range(len(data)):
        with pytest.raises(ember.SerializationError):
            loads(data[:n])


def test_truncated_file_on_disk(tmp_path: Path) -> None:
    data = sample_bytes()
    path = tmp_path / "cut.ember"
    for n in (0, 4, 8, 12, 20, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:n])
        with pytest.raises(ember.SerializationError):
            ember.load(path)


def test_flipped_tensor_byte_is_a_checksum_error() -> None:
    data = sample_bytes()
    w = np.ascontiguousarray(SAMPLE["w"].numpy()).astype("<f4").tobytes()
    b = np.ascontiguousarray(SAMPLE["b"].numpy()).astype("<i8").tobytes()
    for raw in (w, b):
        start = data.index(raw)
        for i in range(start, start + len(raw)):
            bad = bytearray(data)
            bad[i] ^= 0x01
            with pytest.raises(ember.SerializationError, match="checksum"):
                loads(bytes(bad))


def test_any_flipped_byte_is_caught_or_harmless() -> None:
    """A flip may land in padding; then the load must still give the original exactly."""
    data = sample_bytes()
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0xFF
        try:
            got = loads(bytes(bad))
        except ember.SerializationError:
            continue
        assert_same(got, SAMPLE, f"flip at {i}")


def test_trailing_garbage_does_not_change_result_silently() -> None:
    data = sample_bytes() + b"garbage"
    try:
        got = loads(data)
    except ember.SerializationError:
        return
    assert_same(got, SAMPLE)


def test_any_python_str_round_trips() -> None:
    """Lone surrogates are legal in a Python str (os.fsdecode makes them)."""
    obj = {"s": "a\ud800b", "\udcff": "key", "t": ("\udc80",)}
    assert_same(roundtrip(obj), obj)


def test_int_of_any_size_round_trips() -> None:
    obj = {"big": 10**5000 + 7, "neg": -(2**20_000), "list": [3**9000]}
    assert_same(roundtrip(obj), obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"$tensor": 0},
        {"$float": "nan"},
        {"$x": 1, "$y": [2]},
        [{"$tuple": [1, 2]}, {"$bytes": "AAAA"}],
        {"a": {"$dict": [[1, 2]]}},
    ],
    ids=["tensor", "float", "two_keys", "in_list", "nested"],
)
def test_dollar_keys_are_plain_data(obj: Any) -> None:
    """User keys that look like the format's own tags must come back as the same dicts."""
    got = roundtrip({"w": ember.ones(1), "user": obj})
    assert_same(got["user"], obj)


# --------------------------------------------------------------------------- hand-crafted files
# Layout (from ember/_serialization.py's docstring): magic (8) | header_len u64 |
# header_crc32 u32 | header JSON | zero padding to a multiple of 64 | data.

PREFIX = struct.Struct("<8sQI")


def real_magic() -> bytes:
    return dumps(None)[:8]


def craft(
    header: Any, data: bytes = b"", *, raw: bytes | None = None, hlen: int | None = None,
    hcrc: int | None = None, pad: bool = True,
) -> bytes:
    text = raw if raw is not None else json.dumps(header).encode()
    prefix = PREFIX.pack(
        real_magic(), len(text) if hlen is None else hlen, zlib.crc32(text) if hcrc is None else hcrc
    )
    start = PREFIX.size + len(text)
    return prefix + text + b"\0" * ((-start % 64) if pad else 0) + data


F32 = np.array([1.0, 2.0, 3.0, 4.0], dtype="<f4").tobytes()


def entry(**over: Any) -> dict[str, Any]:
    e = {"dtype": "float32", "shape": [2, 2], "offset": 0, "nbytes": 16, "crc32": zlib.crc32(F32),
         "device": "cpu", "requires_grad": False}
    e.update(over)
    return e


def header(root: Any = None, tensors: list[Any] | None = None, data_size: int = 16, **over: Any) -> dict[str, Any]:
    h = {"format": "ember", "version": 1, "data_size": data_size,
         "tensors": [entry()] if tensors is None else tensors,
         "root": {"w": {"$tensor": 0}} if root is None else root}
    h.update(over)
    return h


def test_crafted_file_is_valid() -> None:
    """The baseline the hostile variants below start from loads fine."""
    got = loads(craft(header(), F32))
    assert got["w"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert craft(header(), F32)[20:].startswith(b"{")


def test_map_location_for_a_file_saved_on_cuda() -> None:
    data = craft(header(tensors=[entry(device="cuda:0")], root=[{"$tensor": 0}, {"$tensor": 0}]), F32)
    for loc in ({"cuda:0": "cpu"}, {"cuda:0": ember.device("cpu")}, "cpu", ember.device("cpu")):
        got = loads(data, map_location=loc)
        assert got[0].device == ember.device("cpu"), loc
        assert got[0] is got[1]
        assert got[0].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    seen: list[str] = []

    def keep(t: ember.Tensor, location: str) -> ember.Tensor:
        seen.append(location)
        return t

    assert loads(data, map_location=keep)[0].device == ember.device("cpu")
    assert seen and set(seen) == {"cuda:0"}
    # No silent move to the CPU: without a cuda backend BackendNotFoundError, with one that
    # sees no GPU (ember-cuda without CuPy, as in the wheels session) its RuntimeError.
    no_cuda = (ember.BackendNotFoundError, RuntimeError)
    with pytest.raises(no_cuda, match="cuda"):
        loads(data)
    with pytest.raises(no_cuda, match="cuda"):
        loads(data, map_location={"cuda:1": "cpu"})


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


HOSTILE: dict[str, bytes] = {
    "header_len_absurd": craft(header(), F32, hlen=2**63),
    "header_len_max": craft(header(), F32, hlen=2**64 - 1),
    "header_len_short": craft(header(), F32, hlen=10),
    "header_crc_wrong": craft(header(), F32, hcrc=12345),
    "header_not_utf8": craft(None, F32, raw=b'{"format": "\xff\xfe"}'),
    "header_not_json": craft(None, F32, raw=b"{format: ember}"),
    "header_list": craft([1, 2, 3], F32),
    "header_no_format": craft({k: v for k, v in header().items() if k != "format"}, F32),
    "version_2": craft(header(version=2), F32),
    "json_depth_100000": craft(None, F32, raw=b'{"format":"ember","version":1,"data_size":16,"tensors":[],"root":' + deep(100_000) + b"}"),
    "json_dict_depth_100000": craft(None, F32, raw=b'{"format":"ember","version":1,"data_size":16,"tensors":[],"root":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001),
    "root_depth_900": craft(None, F32, raw=b'{"format":"ember","version":1,"data_size":16,"tensors":[],"root":' + deep(900) + b"}"),
    "data_size_negative": craft(header(data_size=-16), F32),
    "data_size_too_big": craft(header(data_size=2**62), F32),
    "data_size_string": craft(header(data_size="16"), F32),
    "no_padding": craft(header(), F32, pad=False),
    "tensors_not_list": craft(header(tensors={"0": entry()}), F32),
    "entry_not_object": craft(header(tensors=[[1, 2]]), F32),
    "entry_missing_crc": craft(header(tensors=[{k: v for k, v in entry().items() if k != "crc32"}]), F32),
    "negative_shape": craft(header(tensors=[entry(shape=[-2, -2])]), F32),
    "float_shape": craft(header(tensors=[entry(shape=[2.0, 2.0])]), F32),
    "bool_shape": craft(header(tensors=[entry(shape=[True, 4], nbytes=16)]), F32),
    "shape_not_list": craft(header(tensors=[entry(shape=4)]), F32),
    "shape_string": craft(header(tensors=[entry(shape="22")]), F32),
    "shape_65_dims": craft(header(tensors=[entry(shape=[1] * 63 + [2, 2])]), F32),
    "shape_huge": craft(header(tensors=[entry(shape=[2**62, 2**62], nbytes=2**126)]), F32),
    "nbytes_mismatch": craft(header(tensors=[entry(nbytes=12)]), F32),
    "nbytes_mismatch_dtype": craft(header(tensors=[entry(dtype="float64")]), F32),
    "offset_beyond_file": craft(header(tensors=[entry(offset=4096)]), F32),
    "offset_partly_beyond": craft(header(tensors=[entry(offset=8)]), F32),
    "offset_negative": craft(header(tensors=[entry(offset=-16)]), F32),
    "offset_float": craft(header(tensors=[entry(offset=0.0)]), F32),
    "unknown_dtype": craft(header(tensors=[entry(dtype="float128")]), F32),
    "dtype_not_str": craft(header(tensors=[entry(dtype=7)]), F32),
    "dtype_list": craft(header(tensors=[entry(dtype=["float32"])]), F32),
    "device_malformed": craft(header(tensors=[entry(device="5")]), F32),
    "device_not_str": craft(header(tensors=[entry(device=["cpu"])]), F32),
    "crc_wrong": craft(header(tensors=[entry(crc32=zlib.crc32(F32) ^ 1)]), F32),
    "tensor_ref_out_of_range": craft(header(root={"$tensor": 1}), F32),
    "tensor_ref_negative": craft(header(root={"$tensor": -1}), F32),
    "tensor_ref_bool": craft(header(root={"$tensor": True}), F32),
    "tensor_ref_string": craft(header(root={"$tensor": "0"}), F32),
    "tensor_ref_float": craft(header(root={"$tensor": 0.0}), F32),
    "tensor_ref_no_tensors": craft(header(root=[{"$tensor": 0}], tensors=[], data_size=0)),
    "unknown_tag": craft(header(root={"$pickle": "gASVAAAA"}), F32),
    "bad_float_tag": craft(header(root={"$float": "1e999"}), F32),
    "bad_bytes_tag": craft(header(root={"$bytes": "!!not base64!!"}), F32),
    "bad_dtype_tag": craft(header(root={"$dtype": "float128"}), F32),
    "bad_device_tag": craft(header(root={"$device": "cuda:x"}), F32),
    "bad_size_tag": craft(header(root={"$size": "abc"}), F32),
    "bad_size_items": craft(header(root={"$size": [[1]]}), F32),
    "bad_complex_tag": craft(header(root={"$complex": [1]}), F32),
    "bad_complex_items": craft(header(root={"$complex": ["a", "b"]}), F32),
    "bad_tuple_tag": craft(header(root={"$tuple": 5}), F32),
    "bad_dict_tag": craft(header(root={"$dict": [1, 2]}), F32),
    "bad_dict_pair": craft(header(root={"$dict": [[1, 2, 3]]}), F32),
    "unhashable_dict_key": craft(header(root={"$dict": [[[1], 2]]}), F32),
    "tensor_as_dict_key_bad": craft(header(root={"$dict": [[{"$tensor": 9}, 2]]}), F32),
    "trailing_bytes": craft(header(), F32 + b"\0" * 64),
    "truncated_data": craft(header(), F32[:-1]),
}


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_files_raise_serialization_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(ember.SerializationError):
        loads(data)
    path = tmp_path / "hostile.ember"
    path.write_bytes(data)
    with pytest.raises(ember.SerializationError):
        ember.load(path, map_location="cpu")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("header_crc_wrong", "checksum"),
        ("crc_wrong", "checksum"),
        ("tensor_ref_out_of_range", "out of range"),
        ("unknown_dtype", "float128"),
        ("truncated_data", "truncated"),
        ("nbytes_mismatch", "nbytes"),
    ],
)
def test_hostile_file_messages(name: str, fragment: str) -> None:
    with pytest.raises(ember.SerializationError, match=fragment):
        loads(HOSTILE[name])


def test_flipped_header_byte_is_caught() -> None:
    data = sample_bytes()
    (hlen,) = struct.unpack_from("<Q", data, 8)
    for i in range(8, PREFIX.size + hlen):  # length, crc and every header byte
        bad = bytearray(data)
        bad[i] ^= 0x20
        with pytest.raises(ember.SerializationError):
            loads(bytes(bad))
