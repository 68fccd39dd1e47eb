"""Every differentiable op of core has a derivative rule (or is declared a composite of
recorded ops, or non-differentiable); missing ones are reported by family."""

from __future__ import annotations

import pytest

import ember
import ember._dispatch as dispatch
import ember.autograd
from ember._tensor import Tensor
from ember.autograd import gradcheck
from ember.autograd._rules import (
    COMPOSITES,
    FUNCTION_COMPOSITES,
    FUNCTION_RULES,
    NONDIFFERENTIABLE,
    RULES,
)

# Which rule module answers for the methods of each core module.
FAMILY_OF_MODULE = {
    "ember._ops_math": "elementwise", "ember._ops_math_extra": "elementwise", "ember._tensor": "elementwise",
    "ember._ops_reduce": "reduce", "ember._ops_shape": "shape", "ember._ops_layout": "shape",
    "ember._ops_join": "shape", "ember._ops_index": "index", "ember._ops_scatter": "index",
    "ember._ops_linalg": "linalg", "ember.linalg": "linalg", "ember._ops_sort": "sort",
    "ember._elementwise": "elementwise",
}

# Tensor methods that are not ops: Python protocols, metadata, conversions out of Ember, autograd's own API.
NOT_OPS = {
    "__array__", "__array_wrap__", "__bool__", "__complex__", "__contains__", "__deepcopy__", "__dlpack__",
    "__dlpack_device__", "__float__", "__format__", "__index__", "__init__", "__int__", "__iter__", "__len__",
    "__new__", "__reduce_ex__", "__repr__", "__str__", "__hash__", "backward", "data_ptr", "dim", "element_size",
    "is_complex", "is_floating_point", "item", "ndimension", "nelement", "numel", "numpy", "register_hook",
    "requires_grad_", "retain_grad", "detach_", "size", "storage_offset", "stride", "tolist", "is_contiguous",
}


def _family(module: str) -> str:
    if module.startswith("ember._nnops"):
        return "nn"
    return FAMILY_OF_MODULE.get(module, module)


def tensor_methods() -> dict[str, str]:
    """Method name -> family, for every public op method of ember.Tensor."""
    out: dict[str, str] = {}
    for klass in reversed(Tensor.__mro__):
        if klass is object:
            continue
        for name, value in vars(klass).items():
            if isinstance(value, (property, type)) or not callable(value):
                continue
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                continue  # private helpers
            if name in NOT_OPS:
                continue
            original = getattr(value, "__wrapped__", value)
            out[name] = _family(getattr(original, "__module__", None) or klass.__module__)
    return out


def function_ops() -> dict[str, str]:
    return {op: _family(getattr(fn, "__module__", "")) for op, fn in dispatch.OPS.items()}


def _missing() -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for name, family in tensor_methods().items():
        if name not in RULES and name not in COMPOSITES and name not in NONDIFFERENTIABLE:
            missing.setdefault(family, []).append(f"Tensor.{name}")
    for op, family in function_ops().items():
        if op not in FUNCTION_RULES and op not in FUNCTION_COMPOSITES and op not in NONDIFFERENTIABLE:
            missing.setdefault(family, []).append(op)
    return missing


def test_every_differentiable_op_has_a_rule():
    missing = _missing()
    report = "\n".join(f"  {family}: {', '.join(sorted(names))}" for family, names in sorted(missing.items()))
    assert not missing, f"ops with no derivative rule, composite or non-differentiable declaration:\n{report}"


def test_elementwise_family_is_complete():
    assert "elementwise" not in _missing(), _missing().get("elementwise")


def test_rules_name_real_ops():
    methods = {n for klass in Tensor.__mro__ for n in vars(klass)}
    for name in RULES:
        assert name in methods, f"rule for unknown method {name!r}"
    for op in FUNCTION_RULES:
        assert op in dispatch.OPS, f"rule for unknown function {op!r}"


def test_recorded_methods_are_wrapped():
    for name in RULES:
        assert getattr(getattr(Tensor, name), "__ember_recorded__", False), name
    for op in FUNCTION_RULES:
        assert op in dispatch.RECORDERS, op


def test_nondifferentiable_results_do_not_require_grad():
    x = ember.tensor([1.5, -2.0, 0.0], requires_grad=True)
    for fn in (lambda t: t > 0, lambda t: t.isfinite(), lambda t: t.eq(t), lambda t: t.long()):
        r = fn(x)
        assert not r.requires_grad and r.grad_fn is None


@pytest.mark.parametrize("name", sorted(n for n, f in COMPOSITES.items() if f == "elementwise"))
def test_elementwise_composites_gradcheck(name):
    x = ember.tensor([[0.5, -1.5], [2.0, 0.25]], dtype=ember.float64, requires_grad=True)
    if name in ("matmul", "mm", "__matmul__"):
        if "matmul" not in FUNCTION_RULES and "mm" not in FUNCTION_RULES:
            pytest.skip("the linalg family's matmul rule is not registered yet")
        assert gradcheck(lambda t: getattr(t, name)(t), (x,))
    elif name == "bmm":
        if "bmm" not in FUNCTION_RULES:
            pytest.skip("the linalg family's bmm rule is not registered yet")
        assert gradcheck(lambda t: t.reshape(1, 2, 2).bmm(t.reshape(1, 2, 2)), (x,))
    elif name == "type":
        assert gradcheck(lambda t: t.type(ember.float64) * 2, (x,))
    elif name == "where":
        assert gradcheck(lambda t: t.where(t > 0, t * t), (x,))
        y = x.where(x > 0, 0.5)
        assert y.grad_fn.name() == "WhereBackward0"
        y.backward(ember.ones_like(y))
        assert x.grad.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    elif name == "cuda":
        pytest.skip("needs a CUDA device")
    elif name == "bfloat16" and ember.bfloat16 not in x._backend.dtypes:
        pytest.skip("the backend has no bfloat16")
    elif name in ("half", "bfloat16", "float"):
        y = getattr(x, name)()
        assert y.grad_fn.name() == "ToCopyBackward0"
        y.backward(ember.ones_like(y))
        assert x.grad.dtype == ember.float64
    elif name in ("cfloat", "cdouble"):
        assert getattr(x, name)().grad_fn.name() == "ToCopyBackward0"
    else:
        assert gradcheck(lambda t: getattr(t, name)() * 1, (x,))
