"""Derivative rules of elementwise math: every method and operator of ``_ops_math`` and
``_ops_math_extra``, their in-place forms, and ``ember.where``.

Rules return gradients in the output's shape; the engine sums broadcast dimensions
away. Masks are written with ``where`` (not multiplication by a 0/1 tensor) where
the other branch may be inf or NaN, so that ``0 * inf`` never leaks a NaN.
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember._tensor_base import TensorBase
from ember.autograd._rules import composite, no_derivative, nondifferentiable, rule

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _is_tensor(v: Any) -> bool:
    return isinstance(v, TensorBase)


def _cj(v: Any) -> Any:
    """``v.conj()`` for complex tensors and numbers (PyTorch's convention: the gradient of
    ``x * y`` wrt ``x`` is ``grad * y.conj()``); real values as they are, at no cost."""
    if isinstance(v, ember.Tensor):
        return v if v._dtype.category < 3 else v.conj()
    return v.conjugate() if isinstance(v, complex) else v


def _zeros(g: Any) -> Any:
    return ember.zeros_like(g)


def _masked(cond: Any, g: Any) -> Any:
    """``g`` where ``cond`` holds, 0 elsewhere."""
    return ember.where(cond, g, _zeros(g))


def _tensor_variant(param: str, tensor_name: str, scalar_name: str) -> Any:
    def name(ctx: Any) -> str:
        return tensor_name if _is_tensor(ctx.arg(param)) else scalar_name

    return name


# -- arithmetic ------------------------------------------------------------------------------

@rule("add", inputs=("self", "other"), aliases=("__add__", "__radd__"), inplace=("add_", "__iadd__"))
def add(ctx: Any, grad: Any) -> tuple[Any, ...]:
    alpha = ctx.alpha if "alpha" in ctx.binding.names else 1
    return grad, (None if not ctx.needs_input_grad[1] else (grad if alpha == 1 else grad * alpha))


@rule("sub", inputs=("self", "other"), aliases=("subtract", "__sub__"), inplace=("sub_", "__isub__"))
def sub(ctx: Any, grad: Any) -> tuple[Any, ...]:
    alpha = ctx.alpha if "alpha" in ctx.binding.names else 1
    return grad, (None if not ctx.needs_input_grad[1] else (-grad if alpha == 1 else grad * -alpha))


@rule("__rsub__", inputs=("self", "other"), node="RsubBackward1")
def rsub(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return -grad, (grad if ctx.needs_input_grad[1] else None)


@rule("mul", inputs=("self", "other"), save=("self", "other"), aliases=("multiply", "__mul__", "__rmul__"),
      inplace=("mul_", "__imul__"))
def mul(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    return (grad * _cj(ctx.other) if need[0] else None, grad * _cj(ctx.self) if need[1] else None)


def _div_node(ctx: Any) -> str:
    if ctx.arg("rounding_mode") is None:
        return "DivBackward0"
    return "DivBackward2" if _is_tensor(ctx.other) else "DivBackward3"


@rule("div", inputs=("self", "other"), save=("self", "other"), node=_div_node,
      aliases=("divide", "true_divide"), inplace=("div_",))
def div(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    if ctx.rounding_mode is not None:  # a step function: zero almost everywhere
        return (grad * 0 if need[0] else None, grad * 0 if need[1] else None)
    other = _cj(ctx.other)
    gx = grad / other if need[0] else None
    gy = -grad * _cj(ctx.self) / (other * other) if need[1] else None
    return gx, gy


@rule("__truediv__", inputs=("self", "other"), save=("self", "other"), node="DivBackward0",
      inplace=("__itruediv__",))
def truediv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    other = _cj(ctx.other)
    return (grad / other if need[0] else None, -grad * _cj(ctx.self) / (other * other) if need[1] else None)


@rule("__rtruediv__", inputs=("self", "other"), save=("self", "other"), node="MulBackward0")
def rtruediv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, other = _cj(ctx.self), _cj(ctx.other)  # other / self
    return (-grad * other / (x * x), grad / x if ctx.needs_input_grad[1] else None)


@rule("reciprocal", inputs=("self",), save_output=True)
def reciprocal(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (-grad * _cj(r * r),)


def _pow_node(ctx: Any) -> str:
    return "PowBackward1" if _is_tensor(ctx.exponent) else "PowBackward0"


def _pow_base_grad(grad: Any, x: Any, e: Any) -> Any:
    if not _is_tensor(e):
        if e == 0:
            return grad * 0
        return grad * _cj(e * x ** (e - 1))
    return ember.where(e == 0, _zeros(grad), grad * _cj(e * x ** (e - 1)))


def _pow_exponent_grad(grad: Any, base: Any, result: Any, exponent: Any) -> Any:
    """d(base ** e)/de = result * log(base), taken as 0 where base == 0 and e >= 0 (as PyTorch)."""
    if _is_tensor(base):
        cond = (base == 0) & ((exponent.real if exponent.is_complex() else exponent) >= 0)
        return ember.where(cond, _zeros(grad), grad * _cj(result * base.log()))
    lg = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)
    g = grad * _cj(result) * lg
    if base != 0:
        return g
    return ember.where((exponent.real if exponent.is_complex() else exponent) >= 0, _zeros(grad), g)


@rule("pow", inputs=("self", "exponent"), save=("self", "exponent"), node=_pow_node, aliases=("__pow__",),
      inplace=("pow_", "__ipow__"))
def pow(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, e = ctx.self, ctx.exponent
    need = ctx.needs_input_grad
    gx = _pow_base_grad(grad, x, e) if need[0] else None
    ge = _pow_exponent_grad(grad, x, x ** e, e) if need[1] else None
    return gx, ge


@rule("__rpow__", inputs=("self", "other"), save=("self",), node="PowBackward2")
def rpow(ctx: Any, grad: Any) -> tuple[Any, ...]:
    e, base = ctx.self, ctx.other  # base ** self, base a number
    return (_pow_exponent_grad(grad, base, base ** e, e), None)


@rule("square", inputs=("self",), save=("self",), node="PowBackward0")
def square(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * 2 * _cj(ctx.self),)


# floor division is a step function PyTorch does not differentiate: its backward raises.
_FLOOR_DIVIDE = no_derivative("derivative for aten::floor_divide is not implemented")
rule("floor_divide", inputs=("self", "other"), node="NotImplemented", aliases=("__floordiv__",),
     inplace=("__ifloordiv__",))(_FLOOR_DIVIDE)
rule("__rfloordiv__", inputs=("self", "other"), node="NotImplemented")(_FLOOR_DIVIDE)
rule("__rmod__", inputs=("self", "other"), node="NotImplemented")(
    no_derivative("derivative for aten::remainder is not implemented"))


@rule("remainder", inputs=("self", "other"), save=("self", "other"),
      node=_tensor_variant("other", "RemainderBackward1", "RemainderBackward0"), aliases=("__mod__",),
      inplace=("__imod__",))
def remainder(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    gy = -grad * ctx.self.div(ctx.other, rounding_mode="floor") if need[1] else None
    return (grad if need[0] else None), gy


@rule("fmod", inputs=("self", "other"), save=("self", "other"),
      node=_tensor_variant("other", "FmodBackward1", "FmodBackward0"), inplace=("fmod_",))
def fmod(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    gy = -grad * ctx.self.div(ctx.other, rounding_mode="trunc") if need[1] else None
    return (grad if need[0] else None), gy


def _max_min(pick: str) -> Any:
    def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
        x, y = ctx.self, ctx.other
        wins = x > y if pick == "max" else x < y
        tie = x == y
        half = grad / 2
        gx = ember.where(wins, grad, ember.where(tie, half, _zeros(grad)))
        gy = ember.where(wins, _zeros(grad), ember.where(tie, half, grad))
        need = ctx.needs_input_grad
        return (gx if need[0] else None, gy if need[1] else None)

    return backward


rule("maximum", inputs=("self", "other"), save=("self", "other"))(_max_min("max"))
rule("minimum", inputs=("self", "other"), save=("self", "other"))(_max_min("min"))


@rule("atan2", inputs=("self", "other"), save=("self", "other"), aliases=("arctan2",))
def atan2(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, y = ctx.self, ctx.other
    denom = x * x + y * y
    need = ctx.needs_input_grad
    return (grad * y / denom if need[0] else None, -grad * x / denom if need[1] else None)


# -- unary -----------------------------------------------------------------------------------

@rule("neg", inputs=("self",), aliases=("negative", "__neg__"), inplace=("neg_",))
def neg(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (-grad,)


@rule("__pos__", inputs=("self",), node="CloneBackward0")
def pos(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad,)


@rule("abs", inputs=("self",), save=("self",), aliases=("absolute", "__abs__"), inplace=("abs_",))
def abs(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * ctx.self.sgn(),)  # |z|' as torch: sign for real, z / |z| for complex


def _zero_grad(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * 0,)


for _op in ("sign", "floor", "ceil", "trunc", "round"):
    rule(_op, inputs=("self",))(_zero_grad)


@rule("frac", inputs=("self",))
def frac(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad,)


@rule("exp", inputs=("self",), save_output=True, inplace=("exp_",))
def exp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.result),)


@rule("expm1", inputs=("self",), save_output=True)
def expm1(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.result + 1),)


@rule("exp2", inputs=("self",), save_output=True, inplace=("exp2_",))
def exp2(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.result) * _LN2,)


@rule("log", inputs=("self",), save=("self",))
def log(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / _cj(ctx.self),)


@rule("log1p", inputs=("self",), save=("self",))
def log1p(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / _cj(ctx.self + 1),)


@rule("log2", inputs=("self",), save=("self",))
def log2(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / (_cj(ctx.self) * _LN2),)


@rule("log10", inputs=("self",), save=("self",))
def log10(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / (_cj(ctx.self) * _LN10),)


@rule("sqrt", inputs=("self",), save_output=True, inplace=("sqrt_",))
def sqrt(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / (2 * _cj(ctx.result)),)


@rule("rsqrt", inputs=("self",), save_output=True)
def rsqrt(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (grad * -0.5 * _cj(r * r * r),)


@rule("sin", inputs=("self",), save=("self",))
def sin(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.self.cos()),)


@rule("cos", inputs=("self",), save=("self",))
def cos(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * -_cj(ctx.self.sin()),)


@rule("tan", inputs=("self",), save_output=True)
def tan(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (grad * _cj(1 + r * r),)


@rule("asin", inputs=("self",), save=("self",), aliases=("arcsin",))
def asin(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad * _cj((1 - x * x).rsqrt()),)


@rule("acos", inputs=("self",), save=("self",), aliases=("arccos",))
def acos(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (-grad * _cj((1 - x * x).rsqrt()),)


@rule("atan", inputs=("self",), save=("self",), aliases=("arctan",))
def atan(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad / _cj(1 + x * x),)


@rule("sinh", inputs=("self",), save=("self",))
def sinh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.self.cosh()),)


@rule("cosh", inputs=("self",), save=("self",))
def cosh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * _cj(ctx.self.sinh()),)


@rule("tanh", inputs=("self",), save_output=True)
def tanh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (grad * _cj(1 - r * r),)


@rule("asinh", inputs=("self",), save=("self",), aliases=("arcsinh",))
def asinh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad * _cj((x * x + 1).rsqrt()),)


@rule("acosh", inputs=("self",), save=("self",), aliases=("arccosh",))
def acosh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    # 1/sqrt(x-1) * 1/sqrt(x+1): acosh's derivative on its principal branch (as PyTorch; for
    # complex x, 1/sqrt(x*x - 1) can have the other sign).
    return (grad * _cj((x - 1).rsqrt() * (x + 1).rsqrt()),)


@rule("atanh", inputs=("self",), save=("self",), aliases=("arctanh",))
def atanh(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad / _cj(1 - x * x),)


@rule("sigmoid", inputs=("self",), save_output=True)
def sigmoid(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (grad * _cj(r * (1 - r)),)


@rule("relu", inputs=("self",), save_output=True)
def relu(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_masked(ctx.result > 0, grad),)


@rule("erf", inputs=("self",), save=("self",), inplace=("erf_",))
def erf(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad * _TWO_OVER_SQRT_PI * (-(x * x)).exp(),)


@rule("erfc", inputs=("self",), save=("self",), inplace=("erfc_",))
def erfc(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    return (grad * -_TWO_OVER_SQRT_PI * (-(x * x)).exp(),)


@rule("erfinv", inputs=("self",), save_output=True, inplace=("erfinv_",))
def erfinv(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    return (grad * _SQRT_PI_OVER_TWO * (r * r).exp(),)


@rule("nan_to_num", inputs=("self",), save=("self",), inplace=("nan_to_num_",))
def nan_to_num(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (_masked(ctx.self.isfinite(), grad),)


# -- clamp, lerp and the two-argument special functions ----------------------------------------

@rule("clamp", inputs=("self", "min", "max"), save=("self", "min", "max"),
      node=lambda ctx: "ClampBackward0" if _is_tensor(ctx.min) or _is_tensor(ctx.max) else "ClampBackward1",
      aliases=("clip",), inplace=("clamp_", "clip_"))
def clamp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, lo, hi = ctx.self, ctx.min, ctx.max
    need = ctx.needs_input_grad
    keep = None
    if lo is not None:
        keep = x >= lo
    if hi is not None:
        keep = x <= hi if keep is None else keep & (x <= hi)
    gx = _masked(keep, grad) if need[0] else None
    glo = ghi = None
    if need[1]:
        below = x < lo
        glo = _masked(below if hi is None else below & (lo <= hi), grad)
    if need[2]:
        above = x > hi
        ghi = _masked(above if lo is None else above | (lo > hi), grad)
    return gx, glo, ghi


@rule("lerp", inputs=("self", "end", "weight"), save=("self", "end", "weight"),
      node=_tensor_variant("weight", "LerpBackward1", "LerpBackward0"), inplace=("lerp_",))
def lerp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, end, w = ctx.self, ctx.end, ctx.weight
    need = ctx.needs_input_grad
    return (
        grad * (1 - w) if need[0] else None,
        grad * w if need[1] else None,
        grad * (end - x) if need[2] else None,
    )


@rule("logaddexp", inputs=("self", "other"), save=("self", "other"))
def logaddexp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, y = ctx.self, ctx.other
    need = ctx.needs_input_grad
    return (grad * (x - y).sigmoid() if need[0] else None, grad * (y - x).sigmoid() if need[1] else None)


@rule("logaddexp2", inputs=("self", "other"), save=("self", "other"))
def logaddexp2(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, y = ctx.self, ctx.other
    need = ctx.needs_input_grad
    return (
        grad * ((x - y) * _LN2).sigmoid() if need[0] else None,
        grad * ((y - x) * _LN2).sigmoid() if need[1] else None,
    )


@rule("hypot", inputs=("self", "other"), save=("self", "other"), save_output=True, inplace=("hypot_",))
def hypot(ctx: Any, grad: Any) -> tuple[Any, ...]:
    r = ctx.result
    need = ctx.needs_input_grad
    return (grad * ctx.self / r if need[0] else None, grad * ctx.other / r if need[1] else None)


@rule("copysign", inputs=("self", "other"), save=("self",), save_output=True,
      node=_tensor_variant("other", "CopysignBackward0", "CopysignBackward1"), inplace=("copysign_",))
def copysign(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x = ctx.self
    need = ctx.needs_input_grad
    ratio = ember.where(x == 0, _zeros(grad), ctx.result / x)
    return (grad * ratio if need[0] else None, grad * 0 if need[1] else None)


@rule("xlogy", inputs=("self", "other"), save=("self", "other"),
      node=_tensor_variant("other", "XlogyBackward0", "XlogyBackward2"), inplace=("xlogy_",))
def xlogy(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, y = ctx.self, ctx.other
    need = ctx.needs_input_grad
    gx = gy = None
    if need[0]:
        gx = ember.where((x == 0) & (y <= 0), _zeros(grad), grad.xlogy(y))
    if need[1]:
        gy = grad * x / y
    return gx, gy


@rule("where", function=True, inputs=("condition", "input", "other"))
def where(ctx: Any, grad: Any) -> tuple[Any, ...]:
    c = ctx.condition
    need = ctx.needs_input_grad
    zero = _zeros(grad)
    return (None, ember.where(c, grad, zero) if need[1] else None, ember.where(c, zero, grad) if need[2] else None)


# -- Tensor's own methods: casts, copies, fills ------------------------------------------------

@rule("to", inputs=("self",), node="ToCopyBackward0")
def to(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.to(device=ctx.input_device("self"), dtype=ctx.input_dtype("self")),)


@rule("copy_", inputs=("self", "src"), node="CopyBackwards", inplace=("copy_",))
def copy_(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    gsrc = None
    if need[1]:
        gsrc = grad.to(device=ctx.input_device("src"), dtype=ctx.input_dtype("src"))
    return (grad * 0 if need[0] else None), gsrc


@rule("fill_", inputs=("self", "value"), node=_tensor_variant("value", "FillBackward1", "FillBackward0"),
      inplace=("fill_",))
def fill_(ctx: Any, grad: Any) -> tuple[Any, ...]:
    need = ctx.needs_input_grad
    return (grad * 0 if need[0] else None), (grad.sum() if need[1] else None)


def _zero_fill(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * 0,)


# In-place fills forget the old values: zero gradient to the tensor's history (as PyTorch).
for _op in ("zero_", "uniform_", "normal_", "bernoulli_", "random_", "exponential_", "geometric_",
            "log_normal_", "cauchy_"):
    rule(_op, inputs=("self",), inplace=(_op,))(_zero_fill)
rule("bernoulli", inputs=("self",))(_zero_fill)

composite("float", "double", "half", "bfloat16", "cfloat", "cdouble", "cpu", "cuda", "type", family="elementwise")
composite("where", family="elementwise")


# -- complex parts (PyTorch's convention: the gradient of a real function of z is dL/dRe + i dL/dIm) --

@rule("conj", inputs=("self",), node="ConjBackward0")
def conj(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.conj(),)


rule("conj_physical", inputs=("self",))(conj)


@rule("real_part", inputs=("self",), node="RealBackward0")
def real_part(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad.to(ctx.input_dtype("self")),)  # grad + 0i


@rule("imag_part", inputs=("self",), node="ImagBackward0")
def imag_part(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return ((grad * 1j + 0).to(ctx.input_dtype("self")),)  # 0 + grad i (+ 0: no -0.0 real parts)


@rule("angle", inputs=("self",), save=("self",))
def angle(ctx: Any, grad: Any) -> tuple[Any, ...]:
    z = ctx.self
    if not z.is_complex():
        return (grad * 0,)  # piecewise constant
    zero = ember.zeros_like(z)
    return (ember.where(z == 0, zero, grad * z / z.abs().square() * 1j),)


@rule("sgn", inputs=("self",), save=("self",), save_output=True)
def sgn(ctx: Any, grad: Any) -> tuple[Any, ...]:
    z = ctx.self
    if not z.is_complex():
        return (grad * 0,)  # sign: piecewise constant
    s = ctx.result
    g = (grad - s * s * grad.conj()) / (2 * z.abs())
    return (ember.where(z == 0, ember.zeros_like(z), g),)


composite("resolve_conj", family="elementwise")  # the tensor itself
nondifferentiable("is_conj", family="elementwise")  # Tensor.where: the recorded function ember.where
nondifferentiable("long", "int", "short", "char", "byte", "bool", "multinomial", "detach", family="elementwise")
# Pinned copies are for feeding data to a GPU (a pinned tensor that requires grad is not tracked).
nondifferentiable("pin_memory", "is_pinned", family="elementwise")


nondifferentiable(
    "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__lshift__", "__rshift__",
    "__rlshift__", "__rrshift__", "__invert__", "__iand__", "__ior__", "__ixor__",
    "isnan", "isinf", "isfinite", "isclose", "allclose", "equal", "__hash__",
    family="elementwise",
)
