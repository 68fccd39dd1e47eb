"""Type promotion against live PyTorch.

For every pair of the 11 dtypes both libraries hold: ``promote_types``, ``result_type``
and the dtype (and values) each op returns, as tensor with tensor (either side 0-d or
dimensioned) and tensor with a Python bool/int/float/complex on either side.

torch answers complex32 where a float16 operand meets a complex 0-d tensor or Python
complex; Ember has no complex32 and answers complex64 on purpose (``dtype_name`` maps
it). torch has almost no complex32 kernels, so the op results are compared only where
torch's dtype is not complex32.
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import pytest

import ember

torch = pytest.importorskip("torch")

from _compat_helpers import DTYPES, both, compare, dtype_name  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental:UserWarning")

PAIRS = list(itertools.product(DTYPES, DTYPES))
# (first operand dimensioned?, second operand dimensioned?)
RANKS = {"1d-1d": (True, True), "0d-1d": (False, True), "1d-0d": (True, False), "0d-0d": (False, False)}
TENSOR_OPS = (
    "add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "minimum", "atan2",
    "eq", "lt", "logical_and", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_left_shift",
)
SCALARS = {"bool": True, "int": 3, "float": 2.5, "complex": 1 - 2j}
# Python operators take a scalar on either side; torch's functions take it only as `other`.
SCALAR_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "==": operator.eq,
    "!=": operator.ne, "<": operator.lt, ">=": operator.ge, "&": operator.and_, "|": operator.or_,
    "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift,
}


def ones(m: Any, name: str, dimensioned: bool) -> Any:
    return m.ones((3,) if dimensioned else (), dtype=getattr(m, name))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_promote_types(a: str, b: str) -> None:
    (ea, ta), (eb, tb) = both(a), both(b)
    assert dtype_name(ember.promote_types(ea, eb)) == dtype_name(torch.promote_types(ta, tb))


@pytest.mark.parametrize("ranks", list(RANKS))
@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_tensor_with_tensor(a: str, b: str, ranks: str) -> None:
    da, db = RANKS[ranks]
    e = ones(ember, a, da), ones(ember, b, db)
    t = ones(torch, a, da), ones(torch, b, db)
    want = torch.result_type(*t)
    assert dtype_name(ember.result_type(*e)) == dtype_name(want), "result_type"
    if want == torch.complex32:
        return  # no torch kernels to compare with (see the module docstring)
    for op in TENSOR_OPS:
        compare(lambda m, x, y, op=op: getattr(m, op)(x, y), e, t, f"{op}({a} {ranks} {b})")
    cond_e, cond_t = ember.tensor([True, False, True]), torch.tensor([True, False, True])
    compare(lambda m, c, x, y: m.where(c, x, y), (cond_e, *e), (cond_t, *t), f"where({a} {ranks} {b})")
    compare(lambda m, x, y: m.cat([x.reshape(-1), y.reshape(-1)]), e, t, f"cat({a} {ranks} {b})")


@pytest.mark.parametrize("scalar", list(SCALARS))
@pytest.mark.parametrize("dimensioned", [True, False], ids=["1d", "0d"])
@pytest.mark.parametrize("a", DTYPES)
def test_tensor_with_python_scalar(a: str, dimensioned: bool, scalar: str) -> None:
    s = SCALARS[scalar]
    e, t = ones(ember, a, dimensioned), ones(torch, a, dimensioned)
    want = torch.result_type(t, s)
    assert dtype_name(ember.result_type(e, s)) == dtype_name(want), "result_type"
    if want == torch.complex32:
        return
    for name, fn in SCALAR_OPERATORS.items():
        compare(lambda m, x, fn=fn: fn(x, s), (e,), (t,), f"{a} {name} {scalar}")
        compare(lambda m, x, fn=fn: fn(s, x), (e,), (t,), f"{scalar} {name} {a}")
    for op in ("add", "sub", "mul", "div", "remainder", "pow", "eq", "bitwise_xor"):
        compare(lambda m, x, op=op: getattr(m, op)(x, s), (e,), (t,), f"{op}({a}, {scalar})")


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations_with_replacement(DTYPES, 2)))
def test_stack_promotes_like_torch(a: str, b: str) -> None:
    """stack (like cat) promotes all its inputs alike."""
    e = ember.ones(2, dtype=getattr(ember, a)), ember.ones(2, dtype=getattr(ember, b))
    t = torch.ones(2, dtype=getattr(torch, a)), torch.ones(2, dtype=getattr(torch, b))
    compare(lambda m, x, y: m.stack([x, y]), e, t, f"stack({a}, {b})")
