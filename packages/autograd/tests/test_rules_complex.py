"""Gradients of complex inputs follow PyTorch's convention: for a real loss L of z = x + iy,
``z.grad`` is dL/dx + i dL/dy. Checked by central finite differences in float64 along the
real and the imaginary axis of every element (no reference library), for the holomorphic
elementwise functions (whose rules multiply by the conjugated derivative), the complex parts
(real, imag, conj, angle, sgn, abs) and a few reductions and products."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ember

_rng = np.random.default_rng(3)
Z = 0.4 * (_rng.standard_normal(4) + 1j * _rng.standard_normal(4)) + (0.3 + 0.2j)
W = 0.4 * (_rng.standard_normal(4) + 1j * _rng.standard_normal(4)) + (0.1 - 0.3j)
C = _rng.standard_normal(4) + 1j * _rng.standard_normal(4)  # mixes the output into a real loss

OPS: dict[str, Callable[[Any, Any], Any]] = {
    "exp": lambda z, w: z.exp(), "log": lambda z, w: z.log(), "sqrt": lambda z, w: z.sqrt(),
    "rsqrt": lambda z, w: z.rsqrt(), "sin": lambda z, w: z.sin(), "cos": lambda z, w: z.cos(),
    "tan": lambda z, w: z.tan(), "tanh": lambda z, w: z.tanh(), "sinh": lambda z, w: z.sinh(),
    "cosh": lambda z, w: z.cosh(), "sigmoid": lambda z, w: z.sigmoid(), "asin": lambda z, w: z.asin(),
    "acos": lambda z, w: z.acos(), "atan": lambda z, w: z.atan(), "asinh": lambda z, w: z.asinh(),
    "acosh": lambda z, w: z.acosh(), "atanh": lambda z, w: z.atanh(), "log1p": lambda z, w: z.log1p(),
    "expm1": lambda z, w: z.expm1(), "log2": lambda z, w: z.log2(), "log10": lambda z, w: z.log10(),
    "exp2": lambda z, w: z.exp2(), "reciprocal": lambda z, w: z.reciprocal(), "square": lambda z, w: z.square(),
    "pow_number": lambda z, w: z ** 2.5, "pow_tensor": lambda z, w: z ** w, "rpow": lambda z, w: 2 ** z,
    "mul": lambda z, w: z * w, "div": lambda z, w: z / w, "rdiv": lambda z, w: 3 / z,
    "real": lambda z, w: z.real * w, "imag": lambda z, w: z.imag * w, "conj": lambda z, w: z.conj() * w,
    "angle": lambda z, w: z.angle(), "sgn": lambda z, w: z.sgn(), "abs": lambda z, w: z.abs(),
    "prod": lambda z, w: (z * w).prod(), "cumprod": lambda z, w: z.cumprod(0), "dot": lambda z, w: z.dot(w),
    "vdot": lambda z, w: z.vdot(w), "matmul": lambda z, w: z.view(2, 2) @ w.view(2, 2),
}


def _loss(out: Any) -> Any:
    """A real loss that weighs every real and imaginary part of ``out`` differently."""
    c = ember.tensor(C[: out.numel()].reshape(tuple(out.shape)) if out.dim() else C[0])
    if out.is_complex():
        return (out * c.conj()).real.sum() + (out * out.conj()).real.sum() * 0.1
    return (out * c.real).sum() + (out * out).sum() * 0.1


def _numeric(fn: Callable[[Any, Any], Any], z: np.ndarray, w: np.ndarray, which: int, h: float = 1e-6) -> np.ndarray:
    """dL/dx + i dL/dy of argument ``which`` by central differences."""
    args = [z, w]
    grad = np.zeros(args[which].shape, dtype=complex)
    with ember.no_grad():
        for k in range(args[which].size):
            for step, unit in ((h, 1.0), (1j * h, 1j)):
                plus, minus = [a.copy() for a in args], [a.copy() for a in args]
                plus[which].flat[k] += step
                minus[which].flat[k] -= step
                lp = _loss(fn(ember.tensor(plus[0]), ember.tensor(plus[1]))).item()
                lm = _loss(fn(ember.tensor(minus[0]), ember.tensor(minus[1]))).item()
                grad.flat[k] += unit * (lp - lm) / (2 * h)
    return grad


@pytest.mark.parametrize("name", sorted(OPS))
def test_complex_gradients_match_finite_differences(name: str) -> None:
    fn = OPS[name]
    z = ember.tensor(Z, requires_grad=True)
    w = ember.tensor(W, requires_grad=True)
    gz, gw = ember.autograd.grad(_loss(fn(z, w)), (z, w), allow_unused=True)
    np.testing.assert_allclose(gz.numpy(), _numeric(fn, Z, W, 0), rtol=1e-5, atol=1e-6)
    if gw is not None:
        np.testing.assert_allclose(gw.numpy(), _numeric(fn, Z, W, 1), rtol=1e-5, atol=1e-6)


def test_zero_has_zero_gradient_for_sgn_and_angle_as_torch() -> None:
    z = ember.tensor([0j, 1 + 1j], requires_grad=True)
    for out in (z.sgn().real.sum(), z.angle().sum(), z.abs().sum()):
        (g,) = ember.autograd.grad(out, z)
        assert g[0].item() == 0
    x = ember.tensor([-2.0, 3.0], requires_grad=True)
    (g,) = ember.autograd.grad((x.angle() + x.sgn()).sum(), x)
    assert g.tolist() == [0.0, 0.0]


def test_a_real_input_gets_the_real_part_of_a_complex_gradient() -> None:
    x = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    out = (x * ember.tensor([1 + 2j, 3 - 1j])).real.sum()
    (g,) = ember.autograd.grad(out, x)
    assert g.dtype == ember.float64 and g.tolist() == [1.0, 3.0]
