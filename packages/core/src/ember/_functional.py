"""Function forms of Tensor methods: ``ember.add(x, y)`` is ``x.add(y)``.

Each function checks that ``input`` is a tensor (PyTorch's TypeError otherwise)
and supports ``out=`` by writing the method's result into the given tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._ops_math import write_out
from ember._tensor import Tensor

__all__ = ["FUNCTIONS", "make_function"]

# Methods that also exist as ember.<name>(input, ...).
FUNCTIONS: tuple[str, ...] = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "pow", "maximum", "minimum", "atan2", "arctan2", "eq", "ne", "lt", "le", "gt", "ge",
    "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    "neg", "negative", "abs", "absolute", "sign", "exp", "expm1", "log", "log1p", "log2", "log10",
    "sqrt", "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh",
    "floor", "ceil", "round", "trunc", "frac", "reciprocal", "sigmoid", "relu", "clamp", "clip",
    "isnan", "isinf", "isfinite", "matmul", "mm", "bmm",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t",
    "chunk", "split", "unbind", "clone", "numel", "is_floating_point", "is_complex",
)
_HAS_OUT = {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow"}


def make_function(name: str) -> Callable[..., Any]:
    method = getattr(Tensor, name)
    native_out = name in _HAS_OUT

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        if native_out or "out" not in kwargs:
            return method(input, *args, **kwargs)
        out = kwargs.pop("out")
        result = method(input, *args, **kwargs)
        return result if out is None else write_out(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    function.__module__ = "ember"
    return function
