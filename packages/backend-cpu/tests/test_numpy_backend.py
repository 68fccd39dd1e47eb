"""The NumPy backend's kernels keep the protocol's promises (views, 0-d arrays, strides, RNG)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import ember
from ember.backends import BINARY_KERNELS, REQUIRED_KERNELS, UNARY_KERNELS, Backend
from ember_cpu import NumpyBackend


@pytest.fixture(scope="module")
def bk() -> NumpyBackend:
    return NumpyBackend()


def test_registered_through_entry_point_only() -> None:
    from importlib.metadata import entry_points

    [ep] = [ep for ep in entry_points(group="ember") if ep.name == "numpy"]
    assert ep.value == "ember_cpu.plugin"
    assert ember.backends.get_backend("cpu").name == "numpy"


def test_implements_the_protocol(bk: NumpyBackend) -> None:
    assert isinstance(bk, Backend)
    assert [k for k in REQUIRED_KERNELS if not callable(getattr(bk, k, None))] == []
    assert bk.dtypes == frozenset(d for d in (
        ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64, ember.float16,
        ember.float32, ember.float64, ember.complex64, ember.complex128,
    ))


@pytest.mark.parametrize("kernel", [k for k in UNARY_KERNELS if k not in ("bitwise_invert", "logical_not")])
def test_unary_kernels_return_arrays_for_0d(bk: NumpyBackend, kernel: str) -> None:
    out = getattr(bk, kernel)(np.array(0.5))
    assert type(out) is np.ndarray and out.ndim == 0


@pytest.mark.parametrize("kernel", BINARY_KERNELS)
def test_binary_kernels_return_arrays_for_0d(bk: NumpyBackend, kernel: str) -> None:
    dt = np.int64 if kernel.startswith("bitwise") else np.float64
    out = getattr(bk, kernel)(np.array(3, dtype=dt), np.array(2, dtype=dt))
    assert type(out) is np.ndarray and out.ndim == 0


def test_reductions_return_arrays(bk: NumpyBackend) -> None:
    x = np.arange(6.0).reshape(2, 3)
    for out in (bk.sum(x, None, False, ember.float64), bk.max(x, None, False), bk.all(x, None, False),
                bk.prod(x, (1,), False, ember.float64), bk.argmax(x, None, False), bk.matmul(x[0], x[1])):
        assert type(out) is np.ndarray
    assert bk.sum(x, (0,), True, ember.float64).tolist() == [[3.0, 5.0, 7.0]]
    assert bk.argmin(x, 1, False).dtype == np.int64


def test_views_share_memory_and_report_layout(bk: NumpyBackend) -> None:
    base = np.arange(24.0)
    v = bk.reshape(base, (4, 6), False)
    assert np.shares_memory(v, base)
    t = bk.permute_dims(v, (1, 0))
    assert bk.strides(t) == (1, 6)
    s = bk.getitem(v, (slice(1, 3), slice(2, None, 2)))
    assert bk.storage_offset(s) == 8 and bk.strides(s) == (6, 2)
    assert bk.data_ptr(s) == bk.data_ptr(base) + 8 * 8
    with pytest.raises(ValueError):
        bk.reshape(t, (24,), False)  # not expressible as a view
    scalar = bk.getitem(v, (1, 2))
    assert type(scalar) is np.ndarray and scalar.ndim == 0
    scalar[...] = -1
    assert base[8] == -1


def test_as_strided_is_relative_to_first_element(bk: NumpyBackend) -> None:
    base = np.arange(10.0)
    tail = base[2:]
    w = bk.as_strided(tail, (3, 2), (2, 1), 1)
    assert w.tolist() == [[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]
    assert np.shares_memory(w, base)


def test_scatter_add_accumulates_repeats(bk: NumpyBackend) -> None:
    x = np.zeros((2, 3))
    idx = np.array([[0, 0, 2], [1, 1, 1]])
    bk.scatter_add(x, 1, idx, np.ones((2, 3)))
    assert x.tolist() == [[2.0, 0.0, 1.0], [0.0, 3.0, 0.0]]


def test_copy_into_casts_and_broadcasts(bk: NumpyBackend) -> None:
    dst = np.zeros((2, 3), dtype=np.int32)
    bk.copy_into(dst, np.array([1.7, 2.2, -3.9]))
    assert dst.tolist() == [[1, 2, -3], [1, 2, -3]]


def test_rng_is_reproducible(bk: NumpyBackend) -> None:
    a = bk.uniform(bk.new_generator(7, None), (5,), ember.float32, None)
    b = bk.uniform(bk.new_generator(7, None), (5,), ember.float32, None)
    assert a.dtype == np.float32 and np.array_equal(a, b) and ((a >= 0) & (a < 1)).all()
    n = bk.normal(bk.new_generator(7, None), (2000,), ember.float64, None)
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    i = bk.integers(bk.new_generator(7, None), -3, 4, (1000,), ember.int16, None)
    assert i.dtype == np.int16 and i.min() == -3 and i.max() == 3


def test_round_is_half_to_even(bk: NumpyBackend) -> None:
    assert bk.round(np.array([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]


def test_kernels_never_warn_but_user_numpy_still_does(bk: NumpyBackend) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any NumPy RuntimeWarning would raise
        assert np.isinf(bk.divide(np.array([1.0]), np.array([0.0])))[0]
        assert np.isnan(bk.log(np.array([-1.0])))[0]
        assert np.isinf(bk.multiply(np.array([1e38], np.float32), np.float32(10)))[0]
        assert np.isinf(bk.sum(np.full(3, 1e308), None, False, ember.float64))
        bk.astype(np.array([np.nan]), ember.int64)
        with pytest.raises(RuntimeWarning):
            np.divide(np.array([1.0]), np.array([0.0]))  # the error state is restored after each kernel


def test_round_keeps_integer_dtypes(bk: NumpyBackend) -> None:
    assert bk.round(np.array([1, 2], np.int32)).dtype == np.int32


def test_empty_arrays_report_contiguous_strides(bk: NumpyBackend) -> None:
    # NumPy says 0 for every stride of an empty array; torch reports C-contiguous strides.
    assert bk.strides(np.zeros((0, 2))) == (2, 1)
    assert bk.strides(np.zeros((2, 0))) == (1, 1)
    assert bk.strides(np.zeros((3, 0, 2))) == (2, 2, 1)


def test_full_keeps_signed_zero_and_dtype(bk: NumpyBackend) -> None:
    assert np.signbit(bk.full((2,), -0.0, ember.float32, None)).all()
    z = bk.full((2, 2), 0, ember.int16, None)
    assert z.dtype == np.int16 and not z.any()
    assert bk.full((), True, ember.bool, None).dtype == np.bool_


def _run(code: str, **env: str) -> str:
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, **env}
    ).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_malloc_tuning_applies_on_first_use_and_can_be_disabled() -> None:
    code = (
        "import ember, ember_cpu._malloc as m; print(m._done); ember.zeros(1); print(m._done)"
    )
    assert _run(code).split() == ["None", "True"]  # not at import, only when the backend is made
    assert _run(code, EMBER_CPU_MALLOC="default").split() == ["None", "False"]
