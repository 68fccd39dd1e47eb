"""DLPack: zero-copy exchange with any DLPack producer or consumer (NumPy here)."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def test_from_dlpack_shares_memory_both_ways() -> None:
    a = np.arange(6.0).reshape(2, 3)
    t = ember.from_dlpack(a)
    assert t.dtype is ember.float64 and t.shape == (2, 3) and t.data_ptr() == a.ctypes.data
    t[0, 0] = 9
    a[1, 2] = -1
    assert a[0, 0] == 9 and t[1, 2].item() == -1


def test_numpy_consumes_tensors_without_copying() -> None:
    t = ember.arange(6, dtype=ember.int32).view(2, 3).t()
    b = np.from_dlpack(t)
    assert b.dtype == np.int32 and b.shape == (3, 2) and b.strides == (4, 12)
    b[0, 1] = 42
    assert t[0, 1].item() == 42
    assert t.__dlpack_device__()[0] == 1  # kDLCPU


@pytest.mark.parametrize("dt", [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int64,
                                ember.float16, ember.float32, ember.complex64, ember.complex128])
def test_round_trip_keeps_dtype_and_values(dt: ember.dtype) -> None:
    t = ember.tensor([[1, 0], [2, 3]]).to(dt)
    back = ember.from_dlpack(np.from_dlpack(t))
    assert back.dtype is dt and back.tolist() == t.tolist()


def test_from_dlpack_of_a_tensor_is_a_view() -> None:
    t = ember.ones(3)
    v = ember.from_dlpack(t)
    v[0] = 5
    assert t[0].item() == 5.0


def test_bad_input() -> None:
    with pytest.raises(TypeError, match=r"from_dlpack\(\): expected an object implementing __dlpack__"):
        ember.from_dlpack([1, 2, 3])
