"""Function forms of Tensor methods: ``ember.add(x, y)`` is ``x.add(y)``.

Each function checks that ``input`` is a tensor (PyTorch's TypeError otherwise)
and supports ``out=`` by writing the method's result into the given tensor.
As in torch, the arithmetic ones also take a Python number as ``input`` when
``other`` is a tensor: ``ember.sub(1, x)`` is ``1 - x``, ``ember.pow(2, x)`` is ``2 ** x``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember import (
    _ops_complex,
    _ops_index,
    _ops_layout,
    _ops_linalg,
    _ops_math,
    _ops_math_extra,
    _ops_reduce,
    _ops_scatter,
    _ops_shape,
    _ops_sort,
)
from ember._dtypes import scalar_dtype
from ember._elementwise import BINARY_OPS, binary
from ember._inplace import write_out
from ember._nnops import _methods as _nnops_methods
from ember._tensor import Tensor
from ember._tensor_base import to_scalar, wrap

__all__ = ["FUNCTIONS", "make_function"]

# Methods that also exist as ember.<name>(input, ...): each op module lists its own.
FUNCTIONS: tuple[str, ...] = (
    *_ops_math.FUNCTIONS, *_ops_reduce.FUNCTIONS, *_ops_sort.FUNCTIONS, *_ops_linalg.FUNCTIONS,
    *_ops_math_extra.FUNCTIONS, *_ops_complex.FUNCTIONS,
    *_ops_shape.FUNCTIONS, *_ops_layout.FUNCTIONS, *_ops_index.FUNCTIONS, *_ops_scatter.FUNCTIONS, *_nnops_methods.FUNCTIONS,
    "numel", "is_floating_point", "is_complex",
)
_HAS_OUT = {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow"}
# Functions torch lets take a Python number as ``input`` (its ``Scalar`` overloads), with their op.
_NUMBER_INPUT = {
    "add": "add", "sub": "sub", "subtract": "sub", "mul": "mul", "multiply": "mul", "div": "div",
    "divide": "div", "true_divide": "div", "floor_divide": "floor_divide", "remainder": "remainder",
    "pow": "pow", "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
    "bitwise_left_shift": "bitwise_left_shift", "bitwise_right_shift": "bitwise_right_shift",
}
_REFLECTED = {
    "add": "__radd__", "sub": "__rsub__", "mul": "__rmul__", "div": "__rtruediv__", "pow": "__rpow__",
    "remainder": "__rmod__", "floor_divide": "__rfloordiv__",
}


def _number_input(name: str, number: Any, other: Tensor, kwargs: dict[str, Any]) -> Any:
    """``ember.<name>(number, tensor)``: the reflected operation, promoted as a Python scalar is."""
    op = _NUMBER_INPUT[name]
    out = kwargs.pop("out", None)
    alpha = kwargs.pop("alpha", 1) if op in ("add", "sub") else 1
    rounding_mode = kwargs.pop("rounding_mode", None) if op == "div" else None
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    if alpha.__class__ is not int or alpha != 1:
        other = other.mul(alpha)  # number + alpha * other
    if rounding_mode is None and op in _REFLECTED and (other._requires_grad or other._grad_fn is not None):
        result = getattr(Tensor, _REFLECTED[op])(other, number)  # the operator, which autograd records
    elif rounding_mode is None:
        kernel, kind = BINARY_OPS[op]
        result = binary(other, number, kernel, name, kind, reflected=True)
    else:
        # Rare enough to spend a 0-d tensor on: the method has the exact integer paths.
        dt = scalar_dtype(number)
        number_tensor = wrap(other._backend.full((), number, dt, other._device.index), dt, other._device, other._backend)
        result = number_tensor.div(other, rounding_mode=rounding_mode)
    return result if out is None else write_out(result, out, name)


def make_function(name: str) -> Callable[..., Any]:
    # The method is looked up on every call: ember-autograd wraps Tensor's methods to record them.
    native_out = name in _HAS_OUT
    number_input = name in _NUMBER_INPUT

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            number = to_scalar(input) if number_input and args and isinstance(args[0], Tensor) else None
            if number is not None:
                if len(args) > 1:
                    raise TypeError(f"{name}(): takes 2 positional arguments but {1 + len(args)} were given")
                return _number_input(name, number, args[0], kwargs)
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        method = getattr(Tensor, name)
        if native_out or "out" not in kwargs:
            return method(input, *args, **kwargs)
        out = kwargs.pop("out")
        result = method(input, *args, **kwargs)
        return result if out is None else write_out(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = getattr(Tensor, name).__doc__
    function.__module__ = "ember"
    return function
