"""``Identity``, ``Linear`` and ``Bilinear``, with torch's arguments and default initialisation.

>>> import ember.nn as nn
>>> nn.Linear(4, 2)
Linear(in_features=4, out_features=2, bias=True)
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember import Tensor
from ember.nn import init
from ember.nn._functional.linear import bilinear, linear
from ember.nn.modules.module import Module
from ember.nn.modules.parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear"]


def _register_weight_bias(module: Module, weight_shape: tuple[int, ...], out_features: int, bias: bool,
                          device: Any, dtype: ember.dtype | None) -> None:
    """Register an uninitialised ``weight`` of ``weight_shape`` and ``bias`` of ``(out_features,)`` (or None)."""
    module.register_parameter("weight", Parameter(ember.empty(*weight_shape, device=device, dtype=dtype)))
    module.register_parameter(
        "bias", Parameter(ember.empty(out_features, device=device, dtype=dtype)) if bias else None
    )


def _kaiming_reset(weight: Tensor, bias: Tensor | None, *, bias_without_fan_in: bool) -> None:
    """torch's default Linear/conv init: ``weight`` by ``kaiming_uniform_(a=sqrt(5))``, ``bias`` from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)); with ``fan_in == 0`` the bias is drawn from U(0, 0) if
    ``bias_without_fan_in`` (Linear) and left as it is otherwise (conv)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        if fan_in > 0 or bias_without_fan_in:
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are accepted and ignored.

    >>> nn.Identity(54, unused="x")(ember.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias`` over the last dim: ``(*, in_features) -> (*, out_features)``.

    ``weight`` is ``(out_features, in_features)`` from ``kaiming_uniform_(a=sqrt(5))``
    (U(-1/sqrt(in), 1/sqrt(in))), ``bias`` U(-1/sqrt(in), 1/sqrt(in)), as in torch.

    >>> nn.Linear(3, 5)(ember.ones(2, 3)).shape
    ember.Size([2, 5])
    """

    in_features: int
    out_features: int
    weight: Parameter
    bias: Parameter | None

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: ember.dtype | None = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        _register_weight_bias(self, (out_features, in_features), out_features, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` and ``bias`` with the default initialisation."""
        _kaiming_reset(self.weight, self.bias, bias_without_fan_in=True)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y = x1^T A x2 + b``: ``(*, in1), (*, in2) -> (*, out)``.

    ``weight`` is ``(out_features, in1_features, in2_features)`` and ``bias`` ``(out_features,)``,
    both U(-1/sqrt(in1), 1/sqrt(in1)), as in torch.

    >>> nn.Bilinear(2, 3, 4)(ember.ones(5, 2), ember.ones(5, 3)).shape
    ember.Size([5, 4])
    """

    in1_features: int
    in2_features: int
    out_features: int
    weight: Parameter
    bias: Parameter | None

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: ember.dtype | None = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        _register_weight_bias(self, (out_features, in1_features, in2_features), out_features, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` and ``bias`` from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
