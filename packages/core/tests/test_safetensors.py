"""ember.safetensors, checked byte-for-byte against the reference ``safetensors`` package.

Files ember writes must load in ``safetensors.numpy`` with identical arrays, and
files the reference writes must load in ember identically. Anything the
reference refuses to load is an invalid file and gives ``ember.SerializationError``.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors
import safetensors.numpy
from _core_helpers import NP, SHAPES
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.safetensors

ST_DTYPES = [
    ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
    ember.float16, ember.float32, ember.float64,
]  # fmt: skip
ST_CODES = {
    ember.bool: "BOOL", ember.uint8: "U8", ember.int8: "I8", ember.int16: "I16",
    ember.int32: "I32", ember.int64: "I64", ember.float16: "F16", ember.float32: "F32",
    ember.float64: "F64",
}  # fmt: skip


def extremes(dtype: ember.dtype) -> np.ndarray:
    npd = np.dtype(NP[dtype])
    if npd.kind == "b":
        return np.array([[True, False, True], [False, False, True]])
    if npd.kind in "iu":
        info = np.iinfo(npd)
        return np.array([[info.min, info.max, 0], [1, info.max // 3, info.min + 1]], dtype=npd)
    fi = np.finfo(npd)
    return np.array(
        [[0.0, -0.0, np.nan, np.inf], [-np.inf, fi.max, fi.smallest_subnormal, -1.5]], dtype=npd
    )


def assert_array_same(got: np.ndarray, want: np.ndarray, name: str = "") -> None:
    assert got.dtype == want.dtype, f"{name}: {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{name}: {got.shape} != {want.shape}"
    assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), name


def assert_tensors_match_arrays(tensors: dict[str, ember.Tensor], arrays: dict[str, np.ndarray]) -> None:
    assert sorted(tensors) == sorted(arrays)
    for name, t in tensors.items():
        assert isinstance(t, ember.Tensor), name
        assert t.device == ember.device("cpu")
        assert_array_same(t.numpy(), arrays[name], name)


def header_of(data: bytes) -> dict[str, Any]:
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n])


def craft(header: Any, body: bytes = b"", *, raw: bytes | None = None) -> bytes:
    text = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


# --------------------------------------------------------------------------- both directions


@pytest.mark.parametrize("dtype", ST_DTYPES, ids=str)
def test_ember_bytes_load_in_reference(dtype: ember.dtype) -> None:
    a = extremes(dtype)
    tensors = {"x": ember.tensor(a), "scalar": ember.tensor(a[0, 0]), "empty": ember.tensor(a[:0])}
    assert tensors["x"].dtype is dtype
    data = ember.safetensors.save(tensors)
    assert isinstance(data, bytes)
    ref = safetensors.numpy.load(data)
    assert sorted(ref) == ["empty", "scalar", "x"]
    assert_array_same(ref["x"], a, "x")
    assert_array_same(ref["scalar"], np.asarray(a[0, 0]), "scalar")
    assert_array_same(ref["empty"], a[:0], "empty")
    assert header_of(data)["x"]["dtype"] == ST_CODES[dtype]


@pytest.mark.parametrize("dtype", ST_DTYPES, ids=str)
def test_reference_bytes_load_in_ember(dtype: ember.dtype) -> None:
    a = extremes(dtype)
    arrays = {"x": a, "scalar": np.asarray(a[1, 1]), "empty": a[:, :0].copy()}
    got = ember.safetensors.load(safetensors.numpy.save(arrays))
    assert {k: v.dtype for k, v in got.items()} == {k: dtype for k in arrays}
    assert_tensors_match_arrays(got, arrays)


def test_ember_round_trip_many_tensors() -> None:
    tensors = {f"layer.{i}.weight": ember.randn(i + 1, 3) for i in range(20)}
    tensors["step"] = ember.tensor(5)
    got = ember.safetensors.load(ember.safetensors.save(tensors))
    assert sorted(got) == sorted(tensors)
    for k, t in tensors.items():
        assert got[k].dtype is t.dtype
        assert got[k].tolist() == t.tolist()


def test_empty_dict_both_ways() -> None:
    assert safetensors.numpy.load(ember.safetensors.save({})) == {}
    assert ember.safetensors.load(safetensors.numpy.save({})) == {}


def test_unusual_names_both_ways() -> None:
    arrays = {"": np.ones(1, np.int8), "é ☃": np.zeros(2, np.int8), 'q"u\\o': np.arange(3, dtype=np.int8)}
    assert_tensors_match_arrays(ember.safetensors.load(safetensors.numpy.save(arrays)), arrays)
    ref = safetensors.numpy.load(ember.safetensors.save({k: ember.tensor(v) for k, v in arrays.items()}))
    assert sorted(ref) == sorted(arrays)
    for k in arrays:
        assert_array_same(ref[k], arrays[k], k)


def test_loaded_tensors_are_writable() -> None:
    got = ember.safetensors.load(safetensors.numpy.save({"a": np.arange(3, dtype=np.float32)}))
    got["a"][0] = 10.0
    got["a"].add_(1)
    assert got["a"].tolist() == [11.0, 2.0, 3.0]


def test_device_argument() -> None:
    data = ember.safetensors.save({"a": ember.ones(2)})
    for device in ("cpu", ember.device("cpu")):
        assert ember.safetensors.load(data, device=device)["a"].device == ember.device("cpu")


NAMES = st.text(min_size=0, max_size=8).filter(lambda s: s != "__metadata__")


@st.composite
def array_dicts(draw: st.DrawFn) -> dict[str, np.ndarray]:
    names = draw(st.lists(NAMES, max_size=4, unique=True))
    return {
        n: draw(hnp.arrays(NP[draw(st.sampled_from(ST_DTYPES))], SHAPES)) for n in names
    }


@settings(max_examples=40, deadline=None)
@given(array_dicts())
def test_random_dicts_ember_to_reference(arrays: dict[str, np.ndarray]) -> None:
    data = ember.safetensors.save({k: ember.tensor(v) for k, v in arrays.items()})
    ref = safetensors.numpy.load(data)
    assert sorted(ref) == sorted(arrays)
    for k in arrays:
        assert_array_same(ref[k], arrays[k], k)


@settings(max_examples=40, deadline=None)
@given(array_dicts())
def test_random_dicts_reference_to_ember(arrays: dict[str, np.ndarray]) -> None:
    assert_tensors_match_arrays(ember.safetensors.load(safetensors.numpy.save(arrays)), arrays)


# --------------------------------------------------------------------------- metadata


def test_metadata_is_written_like_the_reference(tmp_path: Path) -> None:
    meta = {"format": "pt", "note": "héllo \"x\"", "empty": ""}
    tensors = {"w": ember.ones(2, 2)}
    data = ember.safetensors.save(tensors, metadata=meta)
    assert header_of(data)["__metadata__"] == meta
    assert header_of(data) == header_of(safetensors.numpy.save({"w": np.ones((2, 2), np.float32)}, metadata=meta))
    path = tmp_path / "m.safetensors"
    ember.safetensors.save_file(tensors, path, metadata=meta)
    with safetensors.safe_open(str(path), framework="np") as f:
        assert f.metadata() == meta
        assert list(f.keys()) == ["w"]


def test_no_metadata_means_no_metadata(tmp_path: Path) -> None:
    data = ember.safetensors.save({"w": ember.ones(1)})
    assert header_of(data).get("__metadata__") in (None, {})
    path = tmp_path / "n.safetensors"
    path.write_bytes(data)
    with safetensors.safe_open(str(path), framework="np") as f:
        assert f.metadata() in (None, {})


def test_reference_metadata_is_not_a_tensor() -> None:
    data = safetensors.numpy.save({"w": np.ones(1, np.int32)}, metadata={"format": "np"})
    got = ember.safetensors.load(data)
    assert list(got) == ["w"]


# --------------------------------------------------------------------------- files


def test_save_file_and_load_file(tmp_path: Path) -> None:
    tensors = {"a": ember.arange(6, dtype=ember.int16).reshape(2, 3), "b": ember.zeros(0)}
    for target in (tmp_path / "p.safetensors", str(tmp_path / "s.safetensors")):
        assert ember.safetensors.save_file(tensors, target) is None
        assert Path(target).read_bytes() == ember.safetensors.save(tensors)
        ref = safetensors.numpy.load_file(str(target))
        assert_array_same(ref["a"], np.arange(6, dtype=np.int16).reshape(2, 3))
        got = ember.safetensors.load_file(target)
        assert got["a"].tolist() == [[0, 1, 2], [3, 4, 5]] and got["a"].dtype is ember.int16
        assert ember.safetensors.load_file(target, device="cpu")["b"].shape == (0,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.safetensors", "s.safetensors"]


def test_load_file_reads_reference_file(tmp_path: Path) -> None:
    path = tmp_path / "ref.safetensors"
    arrays = {"emb": np.random.default_rng(0).standard_normal((4, 3)).astype(np.float16)}
    safetensors.numpy.save_file(arrays, str(path), metadata={"k": "v"})
    assert_tensors_match_arrays(ember.safetensors.load_file(path), arrays)


def test_save_file_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.safetensors"
    ember.safetensors.save_file({"v": ember.ones(3)}, path)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="no space left"):
        ember.safetensors.save_file({"v": ember.zeros(3)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


def test_save_file_fsyncs_temp_then_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.safetensors"
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append("replace")
        assert Path(src).resolve().parent == tmp_path.resolve()
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    ember.safetensors.save_file({"v": ember.ones(3)}, path)
    assert "fsync" in events and "replace" in events
    assert events.index("fsync") < events.index("replace")
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


def test_failed_save_file_of_bad_input_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    ember.safetensors.save_file({"v": ember.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises((TypeError, ValueError)):
        ember.safetensors.save_file({"v": ember.zeros(3), "bad": [1, 2]}, path)  # type: ignore[dict-item]
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


# --------------------------------------------------------------------------- views


def test_non_contiguous_views_are_saved_by_value() -> None:
    x = ember.arange(24, dtype=ember.int32).reshape(2, 3, 4)
    views = {
        "t": x[0].t(),
        "perm": x.permute(2, 0, 1),
        "strided": x[:, ::2, 1::2],
        "col": x[..., 1],
        "expand": x[0, 0, :1].expand(3, 5),
    }
    ref = safetensors.numpy.load(ember.safetensors.save(views))
    for k, v in views.items():
        assert_array_same(ref[k], np.ascontiguousarray(v.numpy()), k)
    got = ember.safetensors.load(ember.safetensors.save(views))
    for k, v in views.items():
        assert got[k].is_contiguous()
        assert got[k].tolist() == v.tolist()


def test_view_of_big_tensor_writes_only_the_view() -> None:
    big = ember.arange(1_000_000, dtype=ember.float32)
    data = ember.safetensors.save({"head": big[:2], "tail": big[-2:], "every": big[::250_000]})
    assert len(data) < 1024
    ref = safetensors.numpy.load(data)
    assert ref["head"].tolist() == [0.0, 1.0]
    assert ref["tail"].tolist() == [999_998.0, 999_999.0]
    assert ref["every"].tolist() == [0.0, 250_000.0, 500_000.0, 750_000.0]


# --------------------------------------------------------------------------- what it cannot store or read


@pytest.mark.parametrize("dtype", [ember.complex64, ember.complex128], ids=str)
def test_complex_cannot_be_saved(dtype: ember.dtype) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        ember.safetensors.save({"z": ember.zeros(2, dtype=dtype)})
    assert str(dtype).removeprefix("ember.") in str(info.value), str(info.value)


@pytest.mark.parametrize("bad", [{"a": [1.0]}, {"a": np.ones(2)}, {3: ember.ones(1)}], ids=["list", "ndarray", "int_key"])
def test_non_tensor_entries_are_refused(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        ember.safetensors.save(bad)


@pytest.mark.parametrize(
    ("code", "nbytes", "alias"),
    [("BF16", 2, "bfloat16"), ("U16", 2, "uint16"), ("U32", 4, "uint32"), ("U64", 8, "uint64"), ("F8_E4M3", 1, "float8")],
)
def test_dtypes_the_backend_lacks_are_refused_by_name(code: str, nbytes: int, alias: str) -> None:
    data = craft({"a": {"dtype": code, "shape": [2], "data_offsets": [0, 2 * nbytes]}}, b"\0" * (2 * nbytes))
    with pytest.raises((TypeError, ValueError)) as info:
        ember.safetensors.load(data)
    assert code in str(info.value) or alias in str(info.value), str(info.value)


@pytest.mark.parametrize("metadata", [["a"], "k=v", {"k": 1}, {1: "v"}], ids=["list", "str", "int_value", "int_key"])
def test_bad_metadata_is_a_type_error(metadata: Any) -> None:
    with pytest.raises(TypeError):
        safetensors.numpy.save({"a": np.ones(1, np.float32)}, metadata=metadata)  # the reference agrees
    with pytest.raises(TypeError):
        ember.safetensors.save({"a": ember.ones(1)}, metadata=metadata)


def good() -> bytes:
    return safetensors.numpy.save(
        {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 2], np.int64)},
        metadata={"k": "v"},
    )


def test_every_truncation_point_is_an_error() -> None:
    data = good()
    for n in range(len(data)):
        with pytest.raises(ember.SerializationError):
            ember.safetensors.load(data[:n])


def test_truncated_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "cut.safetensors"
    path.write_bytes(good()[:-3])
    with pytest.raises(ember.SerializationError):
        ember.safetensors.load_file(path)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ember.safetensors.load_file(tmp_path / "absent.safetensors")


I32 = {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]}
ZEROS8 = b"\0" * 8
HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "short_length": b"\x05\x00\x00",
    "length_past_end": struct.pack("<Q", 1000) + b"{}",
    "length_absurd": struct.pack("<Q", 2**63) + b"{}",
    "length_all_ones": b"\xff" * 8 + b"{}",
    "not_json": craft(None, raw=b"{not json}"),
    "not_utf8": craft(None, raw=b'{"\xff\xfe": 1}'),
    "json_list": craft([1, 2]),
    "json_string": craft("hello"),
    "trailing_nul": craft(None, raw=b"{}\0\0"),
    "deep_nesting": craft(None, raw=b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "missing_offsets": craft({"a": {"dtype": "I32", "shape": [2]}}, ZEROS8),
    "unknown_dtype": craft({"a": {**I32, "dtype": "X9"}}, ZEROS8),
    "dtype_not_str": craft({"a": {**I32, "dtype": 5}}, ZEROS8),
    "negative_shape": craft({"a": {**I32, "shape": [-2]}}, ZEROS8),
    "float_shape": craft({"a": {**I32, "shape": [2.0]}}, ZEROS8),
    "shape_not_list": craft({"a": {**I32, "shape": 2}}, ZEROS8),
    "bool_shape": craft({"a": {**I32, "shape": [True, True]}}, ZEROS8),
    "huge_shape": craft({"a": {**I32, "shape": [2**62, 8]}}, ZEROS8),
    "offsets_past_end": craft({"a": {**I32, "data_offsets": [0, 800]}}, ZEROS8),
    "offsets_reversed": craft({"a": {**I32, "shape": [0], "data_offsets": [8, 0]}}, ZEROS8),
    "negative_offsets": craft({"a": {**I32, "data_offsets": [-8, 0]}}, ZEROS8),
    "offsets_three": craft({"a": {**I32, "data_offsets": [0, 4, 8]}}, ZEROS8),
    "nbytes_mismatch": craft({"a": {**I32, "shape": [3]}}, ZEROS8),
    "overlap": craft(
        {"a": I32, "b": {**I32, "data_offsets": [4, 12]}}, b"\0" * 12
    ),
    "hole": craft({"a": {**I32, "shape": [1], "data_offsets": [4, 8]}}, ZEROS8),
    "uncovered_tail": craft({"a": {**I32, "shape": [1], "data_offsets": [0, 4]}}, ZEROS8),
    "metadata_not_str": craft({"__metadata__": {"k": 1}}),
    "metadata_is_tensor": craft({"__metadata__": I32}, ZEROS8),
    "entry_not_object": craft({"a": [1, 2]}),
}


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_invalid_files_raise_serialization_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(safetensors.SafetensorError):  # the reference refuses it too
        safetensors.numpy.load(data)
    with pytest.raises(ember.SerializationError):
        ember.safetensors.load(data)
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(ember.SerializationError):
        ember.safetensors.load_file(path)


def test_error_message_is_clear() -> None:
    with pytest.raises(ember.SerializationError) as info:
        ember.safetensors.load(HOSTILE["nbytes_mismatch"])
    msg = str(info.value)
    assert "'a'" in msg or "`a`" in msg or '"a"' in msg, msg
    with pytest.raises(ember.SerializationError) as info:
        ember.safetensors.load(HOSTILE["unknown_dtype"])
    assert "X9" in str(info.value)


def test_more_dims_than_the_backend_allows_is_serialization_error() -> None:
    """The reference lets NumPy's ValueError through here; ember names the file as the problem."""
    data = craft({"a": {"dtype": "F32", "shape": [1] * 65, "data_offsets": [0, 4]}}, b"\0" * 4)
    with pytest.raises(ember.SerializationError):
        ember.safetensors.load(data)
