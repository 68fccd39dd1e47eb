"""Every elementwise rule, gradchecked in float64 over broadcast and non-contiguous inputs,
and gradgradchecked where the second derivative exists."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

# Input domains (open intervals kept away from kinks and poles).
POS = (0.5, 2.0)
ANY = (-2.0, 2.0)
UNIT = (-0.8, 0.8)
ABOVE1 = (1.2, 3.0)

# name: (function, domains of the tensor inputs, second derivative checked)
UNARY = {
    "neg": (lambda x: x.neg(), True), "negative": (lambda x: ember.negative(x), True),
    "__neg__": (lambda x: -x, True), "__pos__": (lambda x: +x, True),
    "abs": (lambda x: x.abs(), True), "__abs__": (lambda x: abs(x), True),
    "exp": (lambda x: x.exp(), True), "expm1": (lambda x: x.expm1(), True), "exp2": (lambda x: x.exp2(), True),
    "sin": (lambda x: x.sin(), True), "cos": (lambda x: x.cos(), True), "tan": (lambda x: (x * 0.5).tan(), True),
    "atan": (lambda x: x.atan(), True), "sinh": (lambda x: x.sinh(), True), "cosh": (lambda x: x.cosh(), True),
    "tanh": (lambda x: x.tanh(), True), "asinh": (lambda x: x.asinh(), True), "sigmoid": (lambda x: x.sigmoid(), True),
    "erf": (lambda x: x.erf(), True), "erfc": (lambda x: x.erfc(), True), "square": (lambda x: x.square(), True),
    "frac": (lambda x: x.frac(), True), "relu": (lambda x: x.relu(), True),
    "sign": (lambda x: x.sign(), True), "floor": (lambda x: x.floor(), True), "ceil": (lambda x: x.ceil(), True),
    "trunc": (lambda x: x.trunc(), True), "round": (lambda x: x.round(), True),
    "nan_to_num": (lambda x: x.nan_to_num(), True),
    "clamp": (lambda x: x.clamp(-0.5, 0.5), True), "clamp_min": (lambda x: x.clamp(min=0.1), True),
    "clip": (lambda x: x.clip(max=0.3), True),
}
UNARY_POS = {
    "log": lambda x: x.log(), "log1p": lambda x: x.log1p(), "log2": lambda x: x.log2(), "log10": lambda x: x.log10(),
    "sqrt": lambda x: x.sqrt(), "rsqrt": lambda x: x.rsqrt(), "reciprocal": lambda x: x.reciprocal(),
    "pow_scalar": lambda x: x ** 2.5, "pow_int": lambda x: x.pow(3), "rpow": lambda x: 2 ** x,
    "rtruediv": lambda x: 2 / x, "rsub": lambda x: 1 - x, "sub_number_first": lambda x: ember.sub(1, x),
    "div_number_first": lambda x: ember.div(3, x), "mul_number_first": lambda x: ember.mul(3, x),
}
UNARY_UNIT = {
    "asin": lambda x: x.asin(), "acos": lambda x: x.acos(), "atanh": lambda x: x.atanh(),
    "erfinv": lambda x: x.erfinv(), "arcsin": lambda x: ember.arcsin(x),
}
UNARY_ABOVE1 = {"acosh": lambda x: x.acosh()}

BINARY = {
    "add": (lambda a, b: a + b, ANY, ANY), "add_alpha": (lambda a, b: a.add(b, alpha=2.5), ANY, ANY),
    "sub": (lambda a, b: a - b, ANY, ANY), "sub_alpha": (lambda a, b: ember.sub(a, b, alpha=0.5), ANY, ANY),
    "mul": (lambda a, b: a * b, ANY, ANY), "div": (lambda a, b: a / b, ANY, POS),
    "divide": (lambda a, b: a.div(b), ANY, POS), "pow": (lambda a, b: a ** b, POS, ANY),
    "maximum": (lambda a, b: a.maximum(b), ANY, ANY), "minimum": (lambda a, b: ember.minimum(a, b), ANY, ANY),
    "atan2": (lambda a, b: a.atan2(b), ANY, POS), "hypot": (lambda a, b: a.hypot(b), POS, POS),
    "logaddexp": (lambda a, b: a.logaddexp(b), ANY, ANY), "logaddexp2": (lambda a, b: a.logaddexp2(b), ANY, ANY),
    "xlogy": (lambda a, b: a.xlogy(b), ANY, POS), "copysign": (lambda a, b: a.copysign(b), POS, ANY),
    "remainder": (lambda a, b: a.remainder(b), POS, (2.5, 3.0)), "fmod": (lambda a, b: a.fmod(b), POS, (2.5, 3.0)),
    "lerp_tensor": (lambda a, b: a.lerp(b, b * 0.3), ANY, ANY), "lerp_scalar": (lambda a, b: a.lerp(b, 0.3), ANY, ANY),
    "clamp_tensor": (lambda a, b: a.clamp(min=b), ANY, ANY),
    "where": (lambda a, b: ember.where(a > 0, a, b), ANY, ANY),
}
# Rules without a usable second derivative (or whose backward is not itself recorded yet).
NO_GRADGRAD = {"maximum", "minimum", "clamp_tensor", "where", "remainder", "fmod", "copysign"}


def make(shape, domain, seed, layout="contiguous", device="cpu"):
    rng = np.random.default_rng(seed)
    lo, hi = domain
    if layout == "transposed":
        arr = rng.uniform(lo, hi, size=shape[::-1])
        t = ember.tensor(arr, dtype=ember.float64, device=device).t()
    elif layout == "strided":
        arr = rng.uniform(lo, hi, size=(shape[0], shape[1] * 2))
        t = ember.tensor(arr, dtype=ember.float64, device=device)[:, ::2]
    else:
        t = ember.tensor(rng.uniform(lo, hi, size=shape), dtype=ember.float64, device=device)
    return t.detach().requires_grad_()


def _keep_away_from_kinks(x):
    # clamp / relu / frac / abs have kinks at 0, +-0.5, 0.1, 0.3, integers: move values off them
    with ember.no_grad():
        x.add_((x.frac().abs() < 0.02).to(ember.float64) * 0.05)
    return x


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, layout, device):
    fn, second = UNARY[name]
    x = _keep_away_from_kinks(make((2, 3), ANY, 1, layout, device))
    assert gradcheck(fn, (x,))
    if second and layout == "transposed":
        assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("domain,table", [(POS, UNARY_POS), (UNIT, UNARY_UNIT), (ABOVE1, UNARY_ABOVE1)])
def test_unary_domains(domain, table, device):
    for layout in ("contiguous", "strided"):
        for fn in table.values():
            x = make((2, 3), domain, 2, layout, device)
            assert gradcheck(fn, (x,))
            if layout == "strided":
                assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast_and_layouts(name, device):
    fn, da, db = BINARY[name]
    # broadcasting: (2, 3) with (3,)  and (2, 1) with (1, 3)
    for sa, sb in (((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))):
        a, b = make(sa, da, 3, device=device), make(sb, db, 4, device=device)
        assert gradcheck(fn, (a, b))
    a, b = make((2, 3), da, 5, "transposed", device), make((2, 3), db, 6, "strided", device)
    assert gradcheck(fn, (a, b))
    if name not in NO_GRADGRAD:
        assert gradgradcheck(fn, (a, b))


def test_binary_with_python_number_operand():
    x = make((2, 3), POS, 7, "transposed")
    for fn in (lambda t: t + 2, lambda t: t * 3.5, lambda t: t / 4, lambda t: t - 1, lambda t: t.pow(0.5),
               lambda t: t.atan2(ember.ones(3, dtype=ember.float64)), lambda t: t.xlogy(2.0)):
        assert gradcheck(fn, (x,))


def test_inplace_forms_match_out_of_place():
    cases = {
        "add_": lambda h, w: h.add_(w), "sub_": lambda h, w: h.sub_(w, alpha=2), "mul_": lambda h, w: h.mul_(w),
        "div_": lambda h, w: h.div_(w), "pow_": lambda h, w: h.pow_(w), "__iadd__": lambda h, w: h.__iadd__(w),
        "__imul__": lambda h, w: h.__imul__(w), "__itruediv__": lambda h, w: h.__itruediv__(w),
        "__ipow__": lambda h, w: h.__ipow__(w), "clamp_": lambda h, w: h.clamp_(min=w),
        "lerp_": lambda h, w: h.lerp_(w, 0.25), "hypot_": lambda h, w: h.hypot_(w),
        "xlogy_": lambda h, w: h.xlogy_(w), "copysign_": lambda h, w: h.copysign_(w),
        "exp_": lambda h, w: h.exp_(), "sqrt_": lambda h, w: h.sqrt_(), "neg_": lambda h, w: h.neg_(),
        "abs_": lambda h, w: h.abs_(), "erf_": lambda h, w: h.erf_(), "exp2_": lambda h, w: h.exp2_(),
        "nan_to_num_": lambda h, w: h.nan_to_num_(), "fmod_": lambda h, w: h.fmod_(w + 2),
    }
    for name, op in cases.items():
        x = make((2, 3), POS, 8)
        w = make((3,), POS, 9)

        def f(x, w, op=op):
            h = x * 1.5  # a non-leaf, written in place
            return op(h, w)

        assert gradcheck(f, (x, w)), name


def test_floor_divide_backward_not_implemented():
    x = ember.tensor([3.0, 5.0], requires_grad=True)
    y = x // 2
    assert y.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match=r"^derivative for aten::floor_divide is not implemented$"):
        y.backward(ember.ones(2))


def test_relu_and_abs_at_zero():
    x = ember.tensor([0.0, 0.0], requires_grad=True)
    x.relu().backward(ember.ones(2))
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0])
    x.grad = None
    x.abs().backward(ember.ones(2))
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0])


def test_maximum_tie_splits_gradient():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([1.0, 1.0], requires_grad=True)
    a.maximum(b).backward(ember.ones(2))
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


def test_pow_zero_base():
    x = ember.tensor([0.0, 2.0], dtype=ember.float64, requires_grad=True)
    e = ember.tensor([2.0, 2.0], dtype=ember.float64, requires_grad=True)
    (x ** e).backward(ember.ones(2, dtype=ember.float64))
    np.testing.assert_allclose(e.grad.numpy(), [0.0, 4 * np.log(2)])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 4.0])


def test_dtype_of_grad_follows_input():
    x = ember.tensor([1.0, 2.0], requires_grad=True)  # float32
    w = ember.tensor([3.0, 4.0], dtype=ember.float64, requires_grad=True)
    (x * w).backward(ember.ones(2, dtype=ember.float64))
    assert x.grad.dtype == ember.float32 and w.grad.dtype == ember.float64


def test_complex_mul_div_conjugate_convention():
    """PyTorch's convention: d(x * y)/dx applied to grad is ``grad * y.conj()`` (values from live torch)."""
    a = ember.tensor([1 + 2j, 3 - 1j], dtype=ember.complex128, requires_grad=True)
    b = ember.tensor([2 - 1j, 0.5 + 1j], dtype=ember.complex128, requires_grad=True)
    g = ember.tensor([1 - 1j, 2 + 0.5j], dtype=ember.complex128)
    cases = [
        (lambda: a * b, [3 - 1j, 1.5 - 1.75j], [-1 - 3j, 5.5 + 3.5j]),
        (lambda: a / b, [0.2 - 0.6j, 0.4 + 1.8j], [0.6 + 0.2j, 4.88 - 1.84j]),
        (lambda: 2 / a, [-0.08 - 0.56j, -0.38 + 0.16j], None),
        (lambda: a * (1 + 1j), [-2j, 2.5 - 1.5j], None),
    ]
    for f, ga, gb in cases:
        a.grad = b.grad = None
        f().backward(g)
        np.testing.assert_allclose(a.grad.numpy(), ga, rtol=1e-12)
        if gb is None:
            assert b.grad is None
        else:
            np.testing.assert_allclose(b.grad.numpy(), gb, rtol=1e-12)
