"""``once_differentiable``: first-order gradients as usual; under ``create_graph=True`` the
results carry PyTorch's ``<Error>`` node and differentiating them again raises its error."""

from __future__ import annotations

import pytest

import ember
import ember.autograd as autograd
from ember.autograd import once_differentiable

MSG = "trying to differentiate twice a function that was marked with @once_differentiable"


class Square(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * g * x


def test_first_order_gradients():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (Square.apply(x) ** 2).sum().backward()
    assert x.grad.tolist() == [4.0, 32.0]  # 4 x^3


def test_grad_outputs_without_history_give_plain_results():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0]
    assert not g.requires_grad and g.grad_fn is None


def test_differentiating_twice_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad((Square.apply(x) ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [4.0, 32.0]
    assert g.requires_grad and repr(g.grad_fn).startswith("<Error object")
    assert "grad_fn=<Error>" in repr(g)
    with pytest.raises(RuntimeError, match=f"^{MSG}$"):
        g.sum().backward()


def test_no_error_node_without_create_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad((Square.apply(x) ** 2).sum(), x)
    assert g.grad_fn is None and not g.requires_grad
