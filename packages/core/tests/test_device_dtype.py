"""dtypes and devices as objects, the default dtype, and moving tensors between devices.

Reprs, equalities, exception types and messages were checked against PyTorch 2.13
(``torch.`` read as ``ember.``); torch is not imported here. This machine has no CUDA
backend installed, so asking for "cuda" must fail with an install hint; those tests
skip where an ember-cuda backend is registered.
"""

from __future__ import annotations

import copy
import pickle
import re
from typing import Any

import pytest

import ember

pytestmark = pytest.mark.filterwarnings("error")

needs_no_cuda_backend = pytest.mark.skipif(
    "cuda" in ember.backends.available(), reason="an ember-cuda backend is installed here"
)


# -- dtypes ------------------------------------------------------------------------------------

ALL = [
    ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64, ember.float16,
    ember.bfloat16, ember.float32, ember.float64, ember.complex64, ember.complex128,
]


@pytest.mark.parametrize("dt", ALL, ids=lambda d: d.name)
def test_dtype_objects_repr_and_str(dt: ember.dtype) -> None:
    assert isinstance(dt, ember.dtype)
    assert repr(dt) == f"ember.{dt.name}"
    assert str(dt) == f"ember.{dt.name}"
    assert getattr(ember, dt.name) is dt
    assert hash(dt) == hash(dt)
    assert copy.deepcopy(dt) is dt


def test_dtype_aliases_are_the_same_objects() -> None:
    assert ember.float is ember.float32
    assert ember.double is ember.float64
    assert ember.half is ember.float16
    assert ember.long is ember.int64
    assert ember.int is ember.int32
    assert ember.short is ember.int16
    assert ember.cfloat is ember.complex64
    assert ember.cdouble is ember.complex128
    assert repr(ember.float) == "ember.float32"
    assert repr(ember.long) == "ember.int64"
    assert repr(ember.bool) == "ember.bool"
    assert ember.float32 == ember.float
    assert ember.float32 != ember.float64
    assert {ember.float32: 1}[ember.float] == 1


@pytest.mark.parametrize(
    ("dt", "floating", "complex_", "signed", "itemsize"),
    [
        (ember.bool, False, False, False, 1),
        (ember.uint8, False, False, False, 1),
        (ember.int8, False, False, True, 1),
        (ember.int64, False, False, True, 8),
        (ember.float16, True, False, True, 2),
        (ember.float32, True, False, True, 4),
        (ember.float64, True, False, True, 8),
        (ember.complex64, False, True, True, 8),
        (ember.complex128, False, True, True, 16),
    ],
)
def test_dtype_attributes(dt: ember.dtype, floating: bool, complex_: bool, signed: bool, itemsize: int) -> None:
    assert dt.is_floating_point is floating
    assert dt.is_complex is complex_
    assert dt.is_signed is signed
    assert dt.itemsize == itemsize


def test_dtypes_are_immutable_and_pickle_to_themselves() -> None:
    with pytest.raises(AttributeError):
        ember.float32.itemsize = 8  # type: ignore[misc]
    for dt in (ember.float32, ember.int64, ember.complex128):
        assert pickle.loads(pickle.dumps(dt)) is dt


def test_default_dtype() -> None:
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    assert ember.get_default_dtype() is ember.float64
    assert ember.tensor([1.0]).dtype is ember.float64
    assert ember.tensor(1j).dtype is ember.complex128
    assert ember.arange(2.0).dtype is ember.float64
    assert ember.zeros(2).dtype is ember.float64
    assert ember.rand(2).dtype is ember.float64
    assert ember.Tensor(2).dtype is ember.float64
    ember.set_default_dtype(ember.float16)
    assert ember.tensor([1.0]).dtype is ember.float16
    ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.0]).dtype is ember.float32


@pytest.mark.parametrize("bad", [ember.int64, ember.complex64, ember.bool, "float64", float, None])
def test_set_default_dtype_rejects_non_floating_types(bad: Any) -> None:
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        ember.set_default_dtype(bad)
    assert ember.get_default_dtype() is ember.float32


def test_promote_types_examples() -> None:
    assert ember.promote_types(ember.int32, ember.float32) is ember.float32
    assert ember.promote_types(ember.uint8, ember.int8) is ember.int16
    assert ember.promote_types(ember.bool, ember.int64) is ember.int64
    assert ember.promote_types(ember.float16, ember.float64) is ember.float64


# -- devices ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "type_", "index", "repr_", "str_"),
    [
        (("cpu",), "cpu", None, "device(type='cpu')", "cpu"),
        (("cuda",), "cuda", None, "device(type='cuda')", "cuda"),
        (("cuda:1",), "cuda", 1, "device(type='cuda', index=1)", "cuda:1"),
        (("cuda", 1), "cuda", 1, "device(type='cuda', index=1)", "cuda:1"),
        (("cuda", 0), "cuda", 0, "device(type='cuda', index=0)", "cuda:0"),
        (("cuda:12",), "cuda", 12, "device(type='cuda', index=12)", "cuda:12"),
        (("cpu", 0), "cpu", 0, "device(type='cpu', index=0)", "cpu:0"),
        (("meta",), "meta", None, "device(type='meta')", "meta"),
        ((3,), "cuda", 3, "device(type='cuda', index=3)", "cuda:3"),  # a bare int is an accelerator index
    ],
)
def test_device_parsing(args: tuple[Any, ...], type_: str, index: int | None, repr_: str, str_: str) -> None:
    d = ember.device(*args)
    assert d.type == type_
    assert d.index == index
    assert repr(d) == repr_
    assert str(d) == str_


def test_device_keywords_equality_and_hash() -> None:
    assert ember.device(type="cuda", index=2) == ember.device("cuda:2")
    assert ember.device("cuda", index=2) == ember.device("cuda:2")
    assert ember.device("cuda:1") == ember.device("cuda", 1)
    assert ember.device("cuda:1") != ember.device("cuda:0")
    assert ember.device("cuda") != ember.device("cuda:0")  # no index is not index 0
    assert ember.device("cpu") != ember.device("cpu", 0)
    assert ember.device(ember.device("cpu")) is ember.device("cpu")
    assert {ember.device("cuda:1"): 1}[ember.device("cuda", 1)] == 1
    assert ember.device("cuda:1") is ember.device("cuda", 1)  # interned
    # Like torch, a device never equals a string.
    assert ember.device("cpu") != "cpu"
    assert not (ember.device("cpu") == "cpu")  # noqa: SIM201
    assert ember.device("cpu") != 5


def test_devices_are_immutable_and_pickle() -> None:
    d = ember.device("cuda:1")
    with pytest.raises(AttributeError):
        d.index = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(d)) == d
    assert copy.copy(d) == d


@pytest.mark.parametrize(
    ("args", "exc", "message"),
    [
        (("",), RuntimeError, "Device string must not be empty"),
        (("cuda:x",), RuntimeError, "Invalid device string: 'cuda:x'"),
        (("cuda:",), RuntimeError, "Invalid device string: 'cuda:'"),
        (("cuda:-1",), RuntimeError, "Invalid device string: 'cuda:-1'"),
        (("cuda:01",), RuntimeError, "Invalid device string: 'cuda:01'"),
        (("cuda:1:2",), RuntimeError, "Invalid device string: 'cuda:1:2'"),
        ((" cpu",), RuntimeError, "Invalid device string: ' cpu'"),
        (("CPU",), RuntimeError, "Invalid device string: 'CPU'"),  # torch: "Expected one of cpu, cuda, ..."
        (("cuda", -1), RuntimeError, "Device index must not be negative"),
        (("cuda:1", 1), RuntimeError, "type (string) must not include an index because index was passed explicitly: cuda:1"),
        (("cpu", "0"), TypeError, "argument 'index' must be int, not str"),
        (("cuda", 1.5), TypeError, "argument 'index' must be int, not float"),
        (("cuda", True), TypeError, "argument 'index' must be int, not bool"),
        ((None,), TypeError, "expected a string like 'cpu' or 'cuda:0'"),
        ((1.5,), TypeError, "expected a string like 'cpu' or 'cuda:0'"),
    ],
)
def test_device_errors(args: tuple[Any, ...], exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=re.escape(message)):
        ember.device(*args)


def test_tensor_device() -> None:
    t = ember.ones(2)
    assert t.device == ember.device("cpu")
    assert repr(t.device) == "device(type='cpu')"
    assert t.device.index is None
    assert t.device != "cpu"  # torch: False too; compare devices with devices
    assert t.device.type == "cpu"


# -- moving tensors ----------------------------------------------------------------------------

def test_to_cpu_and_cpu() -> None:
    t = ember.tensor([1.0, 2.0])
    assert t.to("cpu") is t
    assert t.to(ember.device("cpu")) is t
    assert t.to(device="cpu") is t
    assert t.cpu() is t
    moved = t.to("cpu", copy=True)
    assert moved.device == ember.device("cpu")
    assert moved.data_ptr() != t.data_ptr()
    assert t.to("cpu:0").device == ember.device("cpu")


def test_cpu_has_only_one_device() -> None:
    # torch quietly accepts cpu:1; Ember says there is no such device.
    with pytest.raises(RuntimeError, match="'cpu' device type has no device 1"):
        ember.ones(2).to("cpu:1")


@needs_no_cuda_backend
@pytest.mark.parametrize(
    "action",
    [
        lambda: ember.ones(2).to("cuda"),
        lambda: ember.ones(2).to("cuda:1"),
        lambda: ember.ones(2).to(ember.device("cuda", 0)),
        lambda: ember.ones(2).to(0),
        lambda: ember.ones(2).cuda(),
        lambda: ember.zeros(2, device="cuda"),
        lambda: ember.tensor([1.0], device="cuda"),
        lambda: ember.arange(3, device="cuda"),
        lambda: ember.rand(2, device="cuda"),
    ],
)
def test_cuda_without_a_cuda_backend_says_what_to_install(action: Any) -> None:
    with pytest.raises(ember.BackendNotFoundError, match="ember-cuda") as info:
        action()
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, ember.EmberError)
    assert "no backend for device type 'cuda'" in str(info.value)
    assert "cpu: numpy" in str(info.value)  # and lists what is available


@needs_no_cuda_backend
def test_cuda_module_reports_no_devices() -> None:
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0


def test_an_unknown_device_type_is_a_backend_not_found_error() -> None:
    # Device types are open to third-party backends, so "blah" parses; torch says RuntimeError.
    with pytest.raises(ember.BackendNotFoundError, match="no backend for device type 'blah'"):
        ember.ones(2).to("blah")
    with pytest.raises(LookupError):
        ember.zeros(2, device="blah")


@pytest.mark.parametrize("bad", [1.5, [1], object()])
def test_bad_device_arguments_are_type_errors(bad: Any) -> None:
    with pytest.raises(TypeError):
        ember.zeros(2, device=bad)
