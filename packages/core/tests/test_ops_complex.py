"""Complex parts: ``real``/``imag`` views, ``conj``, ``angle``, ``sgn`` against NumPy, and torch's
behaviour on real tensors (``conj()``/``.real`` return the tensor, ``.imag`` is an error)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def _complex(shape: tuple[int, ...], seed: int, dtype: type = np.complex128) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if z.size:
        z.flat[0] = 0  # sgn and angle at 0
    return z


@settings(max_examples=40, deadline=None)
@given(shape=SHAPES, seed=st.integers(0, 1000), dtype=st.sampled_from([np.complex64, np.complex128]))
def test_parts_conj_angle_sgn_match_numpy(shape: tuple[int, ...], seed: int, dtype: type) -> None:
    z = _complex(shape, seed, dtype)
    t = ember.tensor(z)
    real_dt = ember.float32 if dtype is np.complex64 else ember.float64
    for got, want in ((t.real, z.real), (t.imag, z.imag), (ember.real(t), z.real), (ember.imag(t), z.imag)):
        assert got.dtype == real_dt and got.shape == z.shape
        np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(t.conj().numpy(), np.conj(z))
    np.testing.assert_array_equal(ember.conj_physical(t).numpy(), np.conj(z))
    assert t.angle().dtype == real_dt
    np.testing.assert_allclose(ember.angle(t).numpy(), np.angle(z), rtol=1e-6, atol=1e-7)
    mag = np.abs(z)
    want_sgn = np.where(mag == 0, 0, z / np.where(mag == 0, 1, mag))
    assert t.sgn().dtype == t.dtype
    np.testing.assert_allclose(ember.sgn(t).numpy(), want_sgn, rtol=1e-6, atol=1e-7)
    assert not t.is_conj() and t.resolve_conj() is t


def test_real_and_imag_are_views_that_write_through() -> None:
    t = ember.tensor([1 + 2j, -3 + 0.5j])
    re, im = t.real, t.imag
    assert re._base is t and im._base is t
    re.add_(10)
    im.mul_(-1)
    np.testing.assert_array_equal(t.numpy(), [11 - 2j, 7 - 0.5j])
    assert t._version is re._version  # one version counter for the tensor and its parts
    t.imag.zero_()
    np.testing.assert_array_equal(t.numpy(), [11, 7])


def test_real_tensors_follow_torch() -> None:
    x = ember.tensor([-1.0, 0.0, 1.0, math.nan, -math.inf, math.inf])
    assert x.real is x and x.conj() is x and x.conj_physical() is x and x.resolve_conj() is x
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"):
        _ = x.imag
    np.testing.assert_array_equal(x.angle().numpy(), np.float32([math.pi, 0, 0, math.nan, math.pi, 0]))
    np.testing.assert_array_equal(x.sgn().numpy(), np.sign(np.nan_to_num(x.numpy(), nan=0.0)))
    i = ember.tensor([3, -2, 0])
    assert i.angle().dtype == ember.float32
    np.testing.assert_allclose(i.angle().numpy(), [0, math.pi, 0], rtol=1e-7)
    assert i.sgn().tolist() == [1, -1, 0] and i.conj() is i
