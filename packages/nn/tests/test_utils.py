"""nn.utils: clip_grad_norm_, clip_grad_value_, get_total_norm, parameters_to_vector, vector_to_parameters."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
from ember.nn.utils import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)

DTYPES = {"float32": (ember.float32, np.float32, 1e-5), "float64": (ember.float64, np.float64, 1e-12)}
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def _param_with_grad(g: np.ndarray, dt, layout: str) -> nn.Parameter:
    p = nn.Parameter(ember.zeros(g.shape, dtype=dt))
    if layout == "transposed" and g.ndim >= 2:
        p.grad = ember.tensor(np.ascontiguousarray(g.swapaxes(0, 1)), dtype=dt).transpose(0, 1)
    elif layout == "sliced":
        big = np.repeat(g[..., None], 2, axis=-1)
        p.grad = ember.tensor(big, dtype=dt)[..., 0]  # a strided view
    else:
        p.grad = ember.tensor(g, dtype=dt)
    return p


def _np_norm(grads: list[np.ndarray], p: float) -> float:
    flat = np.concatenate([g.reshape(-1) for g in grads]).astype(np.float64) if grads else np.zeros(0)
    if p == math.inf:
        return float(np.abs(flat).max()) if flat.size else 0.0
    return float((np.abs(flat) ** p).sum() ** (1.0 / p))


@settings(max_examples=40, deadline=None)
@given(
    shape_list=st.lists(shapes, min_size=1, max_size=4),
    dtype=st.sampled_from(sorted(DTYPES)),
    p=st.sampled_from([1.0, 2.0, 3.5, math.inf]),
    max_norm=st.floats(0.1, 10.0),
    layout=st.sampled_from(["contiguous", "transposed", "sliced"]),
    seed=st.integers(0, 2**16),
)
def test_clip_grad_norm_matches_numpy(shape_list, dtype, p, max_norm, layout, seed):
    dt, npdt, tol = DTYPES[dtype]
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s).astype(npdt) * 3 for s in shape_list]
    params = [_param_with_grad(g.copy(), dt, layout) for g in grads]
    grads = [prm.grad.numpy().copy() for prm in params]
    if p == math.inf and not sum(g.size for g in grads):
        with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
            clip_grad_norm_(params, max_norm, norm_type=p)  # torch: no identity for the max
        return
    total = clip_grad_norm_(params, max_norm, norm_type=p)
    ref = _np_norm(grads, p)
    assert total.dtype == dt and total.shape == ()
    np.testing.assert_allclose(total.item(), ref, rtol=tol * 10, atol=tol)
    coef = min(max_norm / (ref + 1e-6), 1.0)
    for prm, g in zip(params, grads, strict=True):
        np.testing.assert_allclose(prm.grad.numpy(), g * coef, rtol=tol * 10, atol=tol)


def test_clip_grad_norm_details():
    a = nn.Parameter(ember.ones(2))
    a.grad = ember.full((2,), 3.0)
    b = nn.Parameter(ember.ones(2, dtype=ember.float64))
    b.grad = ember.full((2,), 4.0, dtype=ember.float64)
    c = nn.Parameter(ember.ones(1))  # no grad: skipped
    total = clip_grad_norm_([a, b, c], 1.0)
    assert total.dtype == ember.float64  # torch: tensor(7.0711, dtype=torch.float64)
    np.testing.assert_allclose(total.item(), math.sqrt(50))
    np.testing.assert_allclose(a.grad.numpy(), 3.0 / (math.sqrt(50) + 1e-6), rtol=1e-6)
    assert c.grad is None
    # a single tensor, norm below max_norm: gradients unchanged
    a.grad = ember.tensor([0.3, 0.4])
    assert clip_grad_norm_(a, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(a.grad.numpy(), [0.3, 0.4])
    # 'inf' as a string, the 0-"norm" counts tensors with a nonzero entry (torch: tensor(1.))
    a.grad = ember.tensor([1.0, -3.0])
    assert clip_grad_norm_([a], 1.0, norm_type="inf").item() == 3.0  # type: ignore[arg-type]
    a.grad = ember.tensor([1.0, -3.0])
    assert clip_grad_norm_([a], 1.0, norm_type=0).item() == 1.0
    np.testing.assert_allclose(a.grad.numpy(), np.array([1.0, -3.0]) / (1 + 1e-6), rtol=1e-6)
    # nothing to clip
    assert clip_grad_norm_([], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="`parameters` is an empty generator, no gradient clipping will occur."):
        clip_grad_norm_((p for p in []), 1.0)
    # deprecated alias
    with pytest.warns(FutureWarning, match="deprecated"):
        clip_grad_norm([a], 1.0)
    # gradients are modified outside autograd
    a.grad = ember.tensor([3.0, 4.0])
    clip_grad_norm_([a], 1.0)
    assert a.grad.grad_fn is None


def test_clip_grad_norm_non_finite():
    a = nn.Parameter(ember.ones(2))
    a.grad = ember.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError) as info:
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert str(info.value) == (
        "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To "
        "disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
    )
    assert a.grad.tolist() == [math.inf, 1.0]  # untouched after the error
    a.grad = ember.tensor([math.nan, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total = clip_grad_norm_([a], 1.0)
    assert math.isnan(total.item())


def test_get_total_norm_of_tensors():
    ts = [ember.tensor([3.0]), ember.tensor([[4.0]])]
    assert get_total_norm(ts).item() == pytest.approx(5.0)
    assert get_total_norm(ts, 1).item() == pytest.approx(7.0)
    assert get_total_norm(ember.tensor([-2.0, 1.0]), math.inf).item() == 2.0
    expanded = ember.tensor([[3.0], [4.0]]).expand(2, 3)  # stride-0 view
    assert get_total_norm([expanded]).item() == pytest.approx(math.sqrt(3 * 25))


@settings(max_examples=25, deadline=None)
@given(shape_list=st.lists(shapes, min_size=0, max_size=4), clip=st.floats(0.0, 2.0), seed=st.integers(0, 2**16))
def test_clip_grad_value_matches_numpy(shape_list, clip, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * 2 for s in shape_list]
    params = [_param_with_grad(g.copy(), ember.float64, "contiguous") for g in grads]
    params.append(nn.Parameter(ember.ones(1)))  # without a grad
    assert clip_grad_value_(params, clip) is None
    for prm, g in zip(params, grads, strict=False):
        np.testing.assert_array_equal(prm.grad.numpy(), np.clip(g, -clip, clip))
    assert params[-1].grad is None
    one = nn.Parameter(ember.ones(2))
    one.grad = ember.tensor([-5.0, 0.5])
    clip_grad_value_(one, 1)
    assert one.grad.tolist() == [-1.0, 0.5]


def test_parameters_to_vector_and_back():
    lin = nn.Linear(3, 2)
    w = lin.weight.detach().numpy().copy()
    b = lin.bias.detach().numpy().copy()
    v = parameters_to_vector(lin.parameters())
    assert v.shape == (8,)
    np.testing.assert_array_equal(v.detach().numpy(), np.concatenate([w.reshape(-1), b]))
    v.sum().backward()  # differentiable
    assert lin.weight.grad.tolist() == [[1.0] * 3] * 2
    new = ember.arange(8.0)
    weight_obj = lin.weight
    vector_to_parameters(new, lin.parameters())
    assert lin.weight is weight_obj and isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert lin.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and lin.bias.tolist() == [6.0, 7.0]
    with ember.no_grad():
        new.add_(1.0)  # parameters now view the vector's memory, as in torch
    assert lin.bias.tolist() == [7.0, 8.0]
    with pytest.raises(TypeError, match=r"expected ember\.Tensor, but got: list"):
        vector_to_parameters([1.0], lin.parameters())  # type: ignore[arg-type]
    # non-contiguous parameter flattens too
    p = nn.Parameter(ember.tensor(np.arange(6.0).reshape(2, 3)).transpose(0, 1))
    np.testing.assert_array_equal(parameters_to_vector([p]).detach().numpy(), np.arange(6.0).reshape(2, 3).T.reshape(-1))
