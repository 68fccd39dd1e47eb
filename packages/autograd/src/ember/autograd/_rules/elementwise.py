"""Derivative rules of elementwise math (``_ops_math``, ``_ops_math_extra``) and their operators."""

from __future__ import annotations

from typing import Any

from ember.autograd._rules import rule


def _needs(ctx: Any, i: int) -> bool:
    return ctx.needs_input_grad[i]


@rule("add", inputs=("self", "other"), aliases=("__add__", "__radd__"), inplace=("add_", "__iadd__"))
def add(ctx: Any, grad: Any) -> tuple[Any, ...]:
    alpha = ctx.alpha if ctx._node.binding.names.count("alpha") else 1
    return grad, (None if not _needs(ctx, 1) else (grad if alpha == 1 else grad * alpha))


@rule("sub", inputs=("self", "other"), aliases=("subtract", "__sub__"), inplace=("sub_", "__isub__"))
def sub(ctx: Any, grad: Any) -> tuple[Any, ...]:
    alpha = ctx.alpha if "alpha" in ctx._node.binding.names else 1
    return grad, (None if not _needs(ctx, 1) else (-grad if alpha == 1 else grad * -alpha))


@rule("__rsub__", inputs=("self", "other"), node="RsubBackward1")
def rsub(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return -grad, (grad if _needs(ctx, 1) else None)


@rule("mul", inputs=("self", "other"), save=("self", "other"), aliases=("multiply", "__mul__", "__rmul__"),
      inplace=("mul_", "__imul__"))
def mul(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * ctx.other.conj() if _is_t(ctx.other) else grad * ctx.other) if _needs(ctx, 0) else None, \
        (grad * ctx.self if _needs(ctx, 1) else None)


def _is_t(v: Any) -> bool:
    return hasattr(v, "_data") and v._dtype.category == 3


@rule("neg", inputs=("self",), aliases=("negative", "__neg__"), inplace=("neg_",))
def neg(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (-grad,)


@rule("exp", inputs=("self",), save_output=True, inplace=("exp_",))
def exp(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad * ctx.result,)


@rule("log", inputs=("self",), save=("self",))
def log(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (grad / ctx.self,)


def _pow_node(ctx: Any) -> str:
    return "PowBackward1" if hasattr(ctx.exponent, "_data") else "PowBackward0"


@rule("pow", inputs=("self", "exponent"), save=("self", "exponent"), node=_pow_node, inplace=("pow_",))
def pow(ctx: Any, grad: Any) -> tuple[Any, ...]:
    x, e = ctx.self, ctx.exponent
    gx = ge = None
    if _needs(ctx, 0):
        gx = grad * e * x ** (e - 1) if not (isinstance(e, (int, float)) and e == 0) else grad * 0
    if _needs(ctx, 1):
        import ember

        r = x ** e
        ge = grad * ember.where(x == 0, ember.zeros_like(r), r * x.log())
    return gx, ge
