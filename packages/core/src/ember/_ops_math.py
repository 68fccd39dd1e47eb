"""``MathMixin``: arithmetic, comparisons and elementwise math as Tensor methods.

The methods are thin: dtype promotion and the op tables are in ``_elementwise``,
the integer and bool special cases in ``_special_cases``, ``out=`` and in-place
writes in ``_inplace`` and matrix products in ``_ops_linalg``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dtypes import result_type
from ember._elementwise import (
    INTEGRAL,
    PRED,
    SAME,
    TO_BOOL,
    TO_FLOAT,
    TRUEDIV,
    alpha_scaled,
    binary,
    binary_method,
    int_trunc_divide,
    is_operand,
    operand_scalar,
    operator_method,
    tensor_or_number,
    unary,
    unary_method,
)
from ember._elementwise import where as _where
from ember._inplace import check_inplace_result, inplace, inplace_arith, write_out
from ember._ops_linalg import bmm, matmul, mm
from ember._special_cases import no_kernel, storable
from ember._tensor_base import TensorBase, cast, check_partial_overlap, device_error, like

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__: list[str] = []  # what `import ember` re-exports

# Tensor methods that are also ember.<name>(input, ...) functions (see _functional).
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
    "isnan", "isinf", "isfinite",
)



def _arith_(t: Any, other: Any, kernel: str, op: str, kind: int = SAME) -> Tensor:
    """``t op= other``: straight into ``t`` where the backend can (``inplace_arith``), else
    computed out of place and copied in."""
    check_partial_overlap(t, other, op)
    done = inplace_arith(t, other, kernel, op)
    return done if done is not None else inplace(t, binary(t, other, kernel, op, kind), op)

class MathMixin(TensorBase):
    """Arithmetic, comparisons and elementwise math as Tensor methods and operators."""

    __slots__ = ()

    # -- arithmetic with torch's extra arguments ----------------------------------
    def add(self, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
        """``self + alpha * other``, promoted and broadcast.

        >>> ember.tensor([1, 2]).add(ember.tensor([10, 20]), alpha=2)
        tensor([21, 42])
        """
        if alpha.__class__ is not int or alpha != 1:  # alpha=True and alpha=1.0 have their own rules
            other = alpha_scaled(self, other, alpha, "add")
        r = binary(self, other, "add", "add")
        return r if out is None else write_out(r, out, "add")

    def sub(self, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
        """``self - alpha * other``."""
        if alpha.__class__ is not int or alpha != 1:  # alpha=True and alpha=1.0 have their own rules
            other = alpha_scaled(self, other, alpha, "sub")
        r = binary(self, other, "subtract", "sub")
        return r if out is None else write_out(r, out, "sub")

    subtract = sub

    def mul(self, other: Any, *, out: Any = None) -> Tensor:
        """Elementwise product."""
        r = binary(self, other, "multiply", "mul")
        return r if out is None else write_out(r, out, "mul")

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:
        """True division; ``rounding_mode`` "trunc" or "floor" rounds the quotient."""
        if rounding_mode is None:
            r = binary(self, other, "divide", "div", TRUEDIV)
        elif rounding_mode == "floor":
            r = binary(self, other, "floor_divide", "div")
        elif rounding_mode == "trunc":
            promoted = result_type(self, other if isinstance(other, TensorBase) else operand_scalar(other, "div"))
            if promoted.category < D.FLOATING:
                r = int_trunc_divide(self, other)
            else:
                r = unary(binary(self, other, "divide", "div", TRUEDIV), "trunc", "div")
        else:
            raise RuntimeError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
            )
        return r if out is None else write_out(r, out, "div")

    divide = true_divide = div

    def pow(self, exponent: Any, *, out: Any = None) -> Tensor:
        """``self ** exponent``; integer tensors to negative integer powers raise, as in PyTorch."""
        r = binary(self, exponent, "pow", "pow")
        return r if out is None else write_out(r, out, "pow")

    floor_divide = binary_method("floor_divide", "Division rounded towards negative infinity.")
    remainder = binary_method("remainder", "Python-style modulus: the result has the divisor's sign.")
    maximum = binary_method("maximum", "Elementwise maximum (NaN propagates).")
    minimum = binary_method("minimum", "Elementwise minimum (NaN propagates).")
    atan2 = binary_method("atan2", "Elementwise arctangent of ``self / other`` with quadrant.")
    arctan2 = atan2
    eq = binary_method("eq", "Elementwise ``==`` as a bool tensor.")
    ne = binary_method("ne", "Elementwise ``!=`` as a bool tensor.")
    lt = binary_method("lt", "Elementwise ``<`` as a bool tensor.")
    le = binary_method("le", "Elementwise ``<=`` as a bool tensor.")
    gt = binary_method("gt", "Elementwise ``>`` as a bool tensor.")
    ge = binary_method("ge", "Elementwise ``>=`` as a bool tensor.")
    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
    logical_and = binary_method("logical_and", "Elementwise logical AND (bool result).")
    logical_or = binary_method("logical_or", "Elementwise logical OR (bool result).")
    logical_xor = binary_method("logical_xor", "Elementwise logical XOR (bool result).")
    bitwise_and = binary_method("bitwise_and", "Elementwise bitwise AND of integer or bool tensors.")
    bitwise_or = binary_method("bitwise_or", "Elementwise bitwise OR of integer or bool tensors.")
    bitwise_xor = binary_method("bitwise_xor", "Elementwise bitwise XOR of integer or bool tensors.")
    bitwise_left_shift = binary_method("bitwise_left_shift", "Elementwise ``<<``.")
    bitwise_right_shift = binary_method("bitwise_right_shift", "Elementwise ``>>``.")

    # -- unary elementwise (kernels and dtype rules in _elementwise.UNARY_OPS) -------------
    neg = unary_method("neg")
    abs = unary_method("abs")
    sign = unary_method("sign")
    floor = unary_method("floor")
    ceil = unary_method("ceil")
    trunc = unary_method("trunc")
    square = unary_method("square")
    bitwise_not = unary_method("bitwise_not")
    exp = unary_method("exp")
    expm1 = unary_method("expm1")
    log = unary_method("log")
    log1p = unary_method("log1p")
    log2 = unary_method("log2")
    log10 = unary_method("log10")
    sqrt = unary_method("sqrt")
    sin = unary_method("sin")
    cos = unary_method("cos")
    tan = unary_method("tan")
    asin = unary_method("asin")
    acos = unary_method("acos")
    atan = unary_method("atan")
    sinh = unary_method("sinh")
    cosh = unary_method("cosh")
    tanh = unary_method("tanh")
    asinh = unary_method("asinh")
    acosh = unary_method("acosh")
    atanh = unary_method("atanh")
    isnan = unary_method("isnan")
    isinf = unary_method("isinf")
    isfinite = unary_method("isfinite")
    logical_not = unary_method("logical_not")
    negative, absolute = neg, abs
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    # -- operators --------------------------------------------------------------------
    # An operand that is neither a tensor nor a number gives NotImplemented, so Python
    # answers as it does for torch: ``t == None`` is False, ``t + "s"`` a TypeError.
    __add__ = __radd__ = operator_method("add", "add")
    __sub__ = operator_method("subtract", "sub")
    __rsub__ = operator_method("subtract", "sub", reflected=True)
    __mul__ = __rmul__ = operator_method("multiply", "mul")
    __truediv__ = operator_method("divide", "div", TRUEDIV)
    __rtruediv__ = operator_method("divide", "div", TRUEDIV, reflected=True)
    __floordiv__ = operator_method("floor_divide", "floor_divide")
    __rfloordiv__ = operator_method("floor_divide", "floor_divide", reflected=True)
    __mod__ = operator_method("remainder", "remainder")
    __rmod__ = operator_method("remainder", "remainder", reflected=True)
    __rpow__ = operator_method("pow", "pow", reflected=True)
    __and__ = __rand__ = operator_method("bitwise_and", "bitwise_and", INTEGRAL)
    __or__ = __ror__ = operator_method("bitwise_or", "bitwise_or", INTEGRAL)
    __xor__ = __rxor__ = operator_method("bitwise_xor", "bitwise_xor", INTEGRAL)
    __lshift__ = operator_method("bitwise_left_shift", "bitwise_left_shift", INTEGRAL)
    __rshift__ = operator_method("bitwise_right_shift", "bitwise_right_shift", INTEGRAL)
    __rlshift__ = operator_method("bitwise_left_shift", "bitwise_left_shift", INTEGRAL, reflected=True)
    __rrshift__ = operator_method("bitwise_right_shift", "bitwise_right_shift", INTEGRAL, reflected=True)
    __eq__ = operator_method("equal", "eq", PRED)
    __ne__ = operator_method("not_equal", "ne", PRED)
    __lt__ = operator_method("less", "lt", PRED)
    __le__ = operator_method("less_equal", "le", PRED)
    __gt__ = operator_method("greater", "gt", PRED)
    __ge__ = operator_method("greater_equal", "ge", PRED)

    def __pow__(self, other: Any) -> Tensor:
        if not is_operand(other):
            return NotImplemented
        return self.pow(other)

    def __matmul__(self, other: Any) -> Tensor:
        if not isinstance(other, TensorBase):
            return NotImplemented
        return matmul(self, other)

    __hash__ = object.__hash__  # tensors hash by identity, as in PyTorch

    def __neg__(self) -> Tensor:
        return unary(self, "negative", "neg")

    def __pos__(self) -> Tensor:
        return like(self, self._backend.copy(self._data))

    def __abs__(self) -> Tensor:
        return unary(self, "abs", "abs")

    def __invert__(self) -> Tensor:
        if self._dtype is D.bool_:
            return unary(self, "logical_not", "bitwise_not", TO_BOOL)
        if self._dtype.category > D.INTEGRAL:
            raise TypeError(
                f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, got {self._dtype}"
            )
        return unary(self, "bitwise_invert", "bitwise_not")

    # -- in-place ----------------------------------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In-place :meth:`add`."""
        check_partial_overlap(self, other, "add_")
        if type(alpha) is int and alpha == 1 and (done := inplace_arith(self, other, "add", "add_")) is not None:
            return done
        return inplace(self, self.add(other, alpha=alpha), "add_")

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In-place :meth:`sub`."""
        check_partial_overlap(self, other, "sub_")
        if type(alpha) is int and alpha == 1 and (done := inplace_arith(self, other, "subtract", "sub_")) is not None:
            return done
        return inplace(self, self.sub(other, alpha=alpha), "sub_")

    def mul_(self, other: Any) -> Tensor:
        """In-place :meth:`mul`."""
        return _arith_(self, other, "multiply", "mul_")

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In-place :meth:`div`."""
        check_partial_overlap(self, other, "div_")
        if rounding_mode is None and (done := inplace_arith(self, other, "divide", "div_")) is not None:
            return done
        return inplace(self, self.div(other, rounding_mode=rounding_mode), "div_")

    def pow_(self, exponent: Any) -> Tensor:
        """In-place :meth:`pow`."""
        return inplace(self, self.pow(exponent), "pow_")

    def __iadd__(self, other: Any) -> Tensor:
        return _arith_(self, other, "add", "add_")

    def __isub__(self, other: Any) -> Tensor:
        return _arith_(self, other, "subtract", "sub_")

    def __imul__(self, other: Any) -> Tensor:
        return _arith_(self, other, "multiply", "mul_")

    def __itruediv__(self, other: Any) -> Tensor:
        return _arith_(self, other, "divide", "div_", TRUEDIV)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "floor_divide", "floor_divide_"), "floor_divide_")

    def __imod__(self, other: Any) -> Tensor:
        return inplace(self, binary(self, other, "remainder", "remainder_"), "remainder_")

    def __ipow__(self, other: Any) -> Tensor:
        return inplace(self, self.pow(other), "pow_")

    # torch checks the in-place casting rule before the kernel: int_tensor &= 1.5 is a cast error.
    def __iand__(self, other: Any) -> Tensor:
        check_inplace_result(self, other, "bitwise_and_")
        return inplace(self, self & other, "bitwise_and_")

    def __ior__(self, other: Any) -> Tensor:
        check_inplace_result(self, other, "bitwise_or_")
        return inplace(self, self | other, "bitwise_or_")

    def __ixor__(self, other: Any) -> Tensor:
        check_inplace_result(self, other, "bitwise_xor_")
        return inplace(self, self ^ other, "bitwise_xor_")

    # -- matrix products --------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        """Matrix product with PyTorch's rules for 1-D operands and batch broadcasting."""
        return matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        """Product of two 2-D matrices (no broadcasting)."""
        return mm(self, mat2)

    def bmm(self, mat2: Any) -> Tensor:
        """Batched product of two 3-D tensors with equal batch sizes."""
        return bmm(self, mat2)

    # -- selection ----------------------------------------------------------------------------
    def where(self, condition: Any, y: Any) -> Tensor:
        """``self`` where ``condition`` is true, else ``y`` (``ember.where(condition, self, y)``)."""
        return _where(condition, self, y)

    # -- clamp --------------------------------------------------------------------------------
    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]`` (scalars or tensors); ``min > max`` gives ``max``."""
        if min is None and max is None:
            raise RuntimeError("clamp(): At least one of 'min' or 'max' must not be None")
        min, max = (None if b is None else tensor_or_number(b, name, "clamp") for b, name in ((min, "min"), (max, "max")))
        dt = result_type(self, *(b for b in (min, max) if b is not None))
        if dt is D.bool_:
            raise no_kernel("clamp", dt)
        if dt.category == D.COMPLEX:
            raise NotImplementedError(
                "clamp(): clamp is not supported for complex types (they have no ordering); clamp .real or .abs()"
            )
        args: list[Any] = []
        for b in (min, max):
            if isinstance(b, TensorBase):
                if b._device is not self._device:
                    raise device_error("clamp", self, b)
                args.append(cast(b, dt))
            else:
                args.append(None if b is None else storable(b, dt, "clamp"))
        x = cast(self, dt)
        lo, hi = args
        bk = self._backend
        # maximum then minimum: NaN propagates and min > max gives max, as in PyTorch.
        y = x if lo is None else bk.maximum(x, lo)
        return like(self, y if hi is None else bk.minimum(y, hi), dt)

    clip = clamp

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In-place :meth:`clamp`."""
        return inplace(self, self.clamp(min, max), "clamp_")

    clip_ = clamp_

    # -- composites ------------------------------------------------------------------------------
    def reciprocal(self) -> Tensor:
        """``1 / self`` (integer input gives the default float)."""
        return binary(self, 1, "divide", "reciprocal", TRUEDIV, reflected=True)

    def rsqrt(self) -> Tensor:
        """``1 / sqrt(self)``."""
        return unary(self, "sqrt", "rsqrt", TO_FLOAT).reciprocal()

    def sigmoid(self) -> Tensor:
        """The logistic function ``1 / (1 + exp(-self))``."""
        # Written with exp(-|x|) so large inputs of either sign never overflow.
        x = self._data
        dt = self._dtype
        bk = self._backend
        if dt.category < D.FLOATING:
            dt = D.get_default_dtype()
            x = bk.astype(x, dt)
        elif dt.category == D.COMPLEX:  # no ordering to split on: the textbook formula
            return like(self, bk.divide(1, bk.add(bk.exp(bk.negative(x)), 1)), dt)
        e = bk.exp(bk.negative(bk.abs(x)))
        pos = bk.divide(1, bk.add(e, 1))
        return like(self, bk.where(bk.greater_equal(x, 0), pos, bk.multiply(e, pos)), dt)

    def relu(self) -> Tensor:
        """``max(self, 0)``."""
        if self._dtype is D.bool_:
            raise RuntimeError("relu(): Boolean inputs not supported for relu")
        if self._dtype.category == D.COMPLEX:
            # torch's words (relu is a clamp at 0), with what to do instead
            raise NotImplementedError(
                "relu(): clamp is not supported for complex types (they have no ordering); apply relu to .real"
            )
        return like(self, self._backend.maximum(self._data, 0))

    def round(self, *, decimals: int | None = None) -> Tensor:
        """Round half to even; ``decimals`` rounds to that many places (floating tensors only,
        as in PyTorch, even ``decimals=0``)."""
        if decimals is None:
            return unary(self, "round", "round")
        if self._dtype.category < D.FLOATING:
            raise no_kernel("round", self._dtype)
        x = self.float() if self._dtype in (D.float16, D.bfloat16) else self  # type: ignore[attr-defined]
        if decimals == 0:
            r = unary(x, "round", "round")
        else:  # scaled in float32 for half types, as torch does, so |x| > 655 does not overflow
            scale = 10.0 ** decimals
            r = unary(x * scale, "round", "round") / scale
        return r if x is self else r.to(self._dtype)

    def frac(self) -> Tensor:
        """The fractional part ``self - trunc(self)``, keeping the sign."""
        if self._dtype.category != D.FLOATING:
            raise no_kernel("frac", self._dtype)
        return self - unary(self, "trunc", "frac")

    def abs_(self) -> Tensor:
        """In-place :meth:`abs` (not for complex tensors: their abs is real)."""
        if self._dtype.category == D.COMPLEX:
            raise RuntimeError("abs_(): In-place abs is not supported for complex tensors.")
        return inplace(self, unary(self, "abs", "abs_"), "abs_")

    def neg_(self) -> Tensor:
        """In-place :meth:`neg`."""
        return inplace(self, unary(self, "negative", "neg_"), "neg_")

    def exp_(self) -> Tensor:
        """In-place :meth:`exp`."""
        return inplace(self, unary(self, "exp", "exp_", TO_FLOAT), "exp_")

    def sqrt_(self) -> Tensor:
        """In-place :meth:`sqrt`."""
        return inplace(self, unary(self, "sqrt", "sqrt_", TO_FLOAT), "sqrt_")
