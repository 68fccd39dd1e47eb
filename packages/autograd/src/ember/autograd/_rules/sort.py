"""Derivative rules of sorting and order statistics (``ember._ops_sort``): sort, topk,
kthvalue, median, nanmedian, mode; ``msort`` is a composite of ``sort``; ``argsort`` has no
gradient; ``unique`` and ``unique_consecutive`` are recorded with a backward that raises,
as in PyTorch.

Each gradient is the incoming one put back at the selected indices (``scatter``) or, for a
full ``median``/``nanmedian``, shared evenly among the elements equal to the result; all
support double backward (through the index family's ``scatter`` rule).
"""

from __future__ import annotations

from typing import Any

import ember
from ember._tensor_base import norm_dim
from ember.autograd._rules import composite, no_derivative, nondifferentiable, rule
from ember.autograd._rules.reduce import evenly_distribute, select_backward

__all__: list[str] = []


def _scatter_back(ctx: Any, grad: Any) -> Any:
    """Gradient of an op whose values are ``self`` gathered at ``indices`` along ``dim``."""
    shape = ctx.input_shape("self")
    if not shape or grad is None:
        return grad
    d = norm_dim(ctx.dim, len(shape), "backward")
    return ember.zeros(shape, dtype=grad.dtype, device=grad.device).scatter(d, ctx.result[1], grad)


@rule("sort", inputs=("self",), save_output=True)
def sort(ctx: Any, grad_values: Any, grad_indices: Any) -> tuple[Any, ...]:
    return (_scatter_back(ctx, grad_values),)


@rule("topk", inputs=("self",), save_output=True)
def topk(ctx: Any, grad_values: Any, grad_indices: Any) -> tuple[Any, ...]:
    return (_scatter_back(ctx, grad_values),)


def _selected(ctx: Any, grad: Any) -> tuple[Any, ...]:
    return (select_backward(grad, ctx.result[1], ctx.dim, ctx.input_shape("self"), ctx.keepdim),)


@rule("kthvalue", inputs=("self",), save_output=True)
def kthvalue(ctx: Any, grad_values: Any, grad_indices: Any) -> tuple[Any, ...]:
    return _selected(ctx, grad_values)


@rule("mode", inputs=("self",), save_output=True)
def mode(ctx: Any, grad_values: Any, grad_indices: Any) -> tuple[Any, ...]:
    return _selected(ctx, grad_values)


def _median(base: str) -> tuple[Any, Any]:
    def name(ctx: Any) -> str:
        return f"{base}Backward0" if ctx.dim is None else f"{base}Backward1"

    def backward(ctx: Any, grad: Any, grad_indices: Any = None) -> tuple[Any, ...]:
        if ctx.dim is None:  # the full median: ties share the gradient
            return (evenly_distribute(grad, ctx.self, ctx.result),)
        return _selected(ctx, grad)

    return name, backward


for _op, _base in (("median", "Median"), ("nanmedian", "Nanmedian")):
    _name, _backward = _median(_base)
    rule(_op, inputs=("self",), save=("self",), save_output=True, node=_name)(_backward)


def _not_implemented(op: str) -> Any:
    return no_derivative(f"the derivative for '{op}' is not implemented.", NotImplementedError)


rule("unique", inputs=("self",),
     node=lambda ctx: "Unique2Backward0" if ctx.dim is None else "UniqueDimBackward0")(
    lambda ctx, *grads: _not_implemented("_unique2" if ctx.dim is None else "unique_dim")(ctx, *grads))
rule("unique_consecutive", inputs=("self",), node="UniqueConsecutiveBackward0")(
    _not_implemented("unique_consecutive"))

composite("msort", family="sort")
nondifferentiable("argsort", family="sort")
