"""Public nn ops (softmax, dropout, norms, embedding, one_hot, pad, interpolate, pixel shuffle)
against NumPy references, over hypothesis shapes (0-d, empty and non-contiguous inputs
included), with PyTorch 2.13's exception types and messages for misuse."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pytest
from _core_helpers import raises_exactly
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
PROPERTY = settings(max_examples=40, deadline=None)
raises = partial(raises_exactly, numpy_phrases=("numpy", "ufunc", "axis "))


@st.composite
def float_tensors(draw: st.DrawFn, min_dims: int = 0, max_dims: int = 4, min_side: int = 0) -> tuple[np.ndarray, ember.Tensor]:
    """A float32/float64 array and an ember tensor with its values, sometimes a non-contiguous view."""
    dt = draw(st.sampled_from([np.float32, np.float64]))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4))
    a = draw(hnp.arrays(dt, shape, elements=st.floats(-10, 10, width=32)))
    t = ember.tensor(a)
    kind = draw(st.sampled_from(["plain", "transposed", "stepped"]))
    if kind == "transposed" and a.ndim >= 2:
        a, t = a.swapaxes(0, -1), t.transpose(0, -1)
    elif kind == "stepped" and a.ndim >= 1:
        a, t = a[..., ::2], t[..., ::2]
    return a, t


def tol(a: np.ndarray) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-6} if a.dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


def np_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- softmax ---------------------------------------------------------------------------------

@PROPERTY
@given(float_tensors(), st.data())
def test_softmax_log_softmax(pair: tuple[np.ndarray, ember.Tensor], data: st.DataObject) -> None:
    a, t = pair
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    if a.ndim == 0:
        expected = np.ones_like(a)
        logs = np.zeros_like(a)
    elif a.size == 0:
        expected = logs = a
    else:
        expected = np_softmax(a, dim % a.ndim)
        logs = np.log(expected)
    for got, exp in ((ember.softmax(t, dim), expected), (t.softmax(dim), expected),
                     (ember.log_softmax(t, dim), logs), (t.log_softmax(dim), logs)):
        assert got.dtype is t.dtype and tuple(got.shape) == a.shape
        np.testing.assert_allclose(got.numpy(), exp, **tol(a))


def test_softmax_stability_and_dtypes() -> None:
    x = ember.tensor([1000.0, 0.0, -1000.0])
    assert ember.softmax(x, 0).tolist() == [1.0, 0.0, 0.0]
    assert ember.log_softmax(x, 0).tolist() == [0.0, -1000.0, -2000.0]
    assert np.isnan(ember.softmax(ember.tensor([float("-inf")] * 2), 0).numpy()).all()
    assert ember.softmax(ember.tensor([1, 2]), 0, ember.float64).dtype is ember.float64
    assert ember.softmax(ember.tensor([1, 2]), 0, dtype=ember.float32).dtype is ember.float32
    half = ember.softmax(ember.tensor([[1.0, 2.0, 3.0]], dtype=ember.float16), 1)
    assert half.dtype is ember.float16
    np.testing.assert_allclose(half.numpy().astype(np.float64), np_softmax(np.array([[1.0, 2.0, 3.0]]), 1), rtol=1e-3)


def test_softmax_implicit_dim_warns() -> None:
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = ember.softmax(ember.ones(2, 3))
    np.testing.assert_allclose(out.numpy(), np.full((2, 3), 1 / 3), rtol=1e-6)


def test_softmax_errors() -> None:
    with raises(NotImplementedError, "softmax", "Long"):
        ember.softmax(ember.tensor([1, 2]), 0)
    with raises(NotImplementedError, "log_softmax", "ComplexFloat"):
        ember.log_softmax(ember.ones(2, dtype=ember.complex64), 0)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"):
        ember.softmax(ember.ones(2, 3), 2)
    with raises(TypeError, "softmax", "argument 'dim' must be int, not NoneType"):
        ember.ones(2).softmax(None)
    with raises(TypeError, "must be Tensor, not list"):
        ember.softmax([1.0], 0)


# -- dropout ---------------------------------------------------------------------------------

@PROPERTY
@given(float_tensors(), st.sampled_from([0.2, 0.5, 0.9]))
def test_dropout_values(pair: tuple[np.ndarray, ember.Tensor], p: float) -> None:
    a, t = pair
    out = ember.dropout(t, p, generator=ember.Generator().manual_seed(3)).numpy()
    assert out.shape == a.shape and out.dtype == a.dtype
    kept = out != 0
    np.testing.assert_allclose(out[kept], a[kept] / (1 - p), **tol(a))
    again = ember.dropout(t, p, generator=ember.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(out, again)  # one seed, one mask


def test_dropout_statistics_and_feature_masks() -> None:
    ember.manual_seed(0)
    x = ember.ones(200, 50)
    out = ember.dropout(x, 0.3).numpy()
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.03
    chans = ember.dropout2d(ember.ones(8, 16, 3, 3), 0.5).numpy()
    per_channel = chans.reshape(8, 16, 9)
    assert (per_channel == per_channel[..., :1]).all()  # one draw per (n, c)
    one = ember.dropout1d(ember.ones(6, 5), 0.5).numpy()  # unbatched (C, L)
    assert (one == one[:, :1]).all()
    three = ember.dropout3d(ember.ones(4, 2, 2, 2), 0.5).numpy()  # unbatched (C, D, H, W)
    assert (three.reshape(4, 8) == three.reshape(4, 8)[:, :1]).all()
    feat = ember.feature_alpha_dropout(ember.ones(4, 6, 5), 0.5, True).numpy()
    assert (feat == feat[..., :1]).all()


def test_alpha_dropout_keeps_selu_statistics() -> None:
    ember.manual_seed(1)
    x = ember.randn(400, 400)
    out = ember.alpha_dropout(x, 0.2, True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha**2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(out, -alpha * a + alpha * a * 0.2)
    assert abs(dropped.mean() - 0.2) < 0.01
    assert ember.alpha_dropout(x, 0.2) is x  # training defaults to False, as in F.alpha_dropout


def test_dropout_identity_cases_and_inplace() -> None:
    x = ember.ones(3, 4)
    assert ember.dropout(x, 0.0) is x and ember.dropout(x, 0.5, training=False) is x
    assert ember.dropout(ember.tensor([1, 2]), 0.0).dtype is ember.int64
    assert ember.dropout(x, 1.0).tolist() == [[0.0] * 4] * 3
    y = ember.ones(50)
    assert ember.dropout(y, 0.5, inplace=True) is y
    assert set(y.tolist()) <= {0.0, 2.0} and 0.0 in y.tolist()
    z = ember.ones(2, 3, 4)
    assert ember.dropout1d(z, 0.5, inplace=True) is z
    assert ember.dropout(ember.ones(0, 3), 0.5).shape == (0, 3)


def test_dropout_errors() -> None:
    x = ember.ones(2, 3)
    for fn in (ember.dropout, ember.alpha_dropout, ember.dropout1d, ember.dropout2d, ember.dropout3d,
               ember.feature_alpha_dropout):
        with raises(ValueError, "dropout probability has to be between 0 and 1, but got 1.5"):
            fn(x, 1.5)
    with raises(ValueError, "but got -0.1"):
        ember.dropout(x, -0.1)
    with raises(TypeError, "argument 'p' must be float, not str"):
        ember.dropout(x, "a")
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        ember.dropout(ember.tensor([1, 2]), 0.5)
    with raises(NotImplementedError, "ComplexFloat"):
        ember.dropout(ember.ones(2, dtype=ember.complex64), 0.5)
    with raises(RuntimeError, "dropout1d: Expected 2D or 3D input, but received a 4D input."):
        ember.dropout1d(ember.ones(1, 2, 3, 4), 0.5)
    with raises(RuntimeError, "Feature dropout requires at least 2 dimensions in the input"):
        ember.feature_dropout(ember.ones(2), 0.5, True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.dropout2d(ember.ones(2, 3, 4), 0.5)
        ember.dropout3d(ember.ones(2, 3), 0.5)
    messages = [str(w.message) for w in caught]
    assert any("assuming that channel-wise 1D dropout" in m for m in messages)
    assert any("Received a 2-D input to dropout3d" in m for m in messages)
    with raises(TypeError, "generator"):
        ember.dropout(x, 0.5, generator=3)
