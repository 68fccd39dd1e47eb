"""Misuse against live PyTorch: Ember raises the exception type torch raises.

Each row is one misuse written once for both libraries (``m`` is ``ember`` or
``torch``). The nearest built-in exception type must be the same (Ember's own
exception classes inherit the built-in a torch user catches). Rows where torch does
not raise check that Ember does not either.

Not here on purpose: ``t.to("nonsense")`` and ``t.to(1)`` (an unknown or unavailable
device is Ember's ``BackendNotFoundError``, a LookupError, by design), and
``x[..., ...]`` (torch accepts two ellipses; NumPy and Ember refuse).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

from _compat_helpers import outcome, params  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def setitem(x: Any, key: Any, value: Any) -> None:
    x[key] = value


MISUSES: dict[str, Callable[[Any], Any]] = {
    # broadcasting and shapes
    "add_shape_mismatch": lambda m: m.ones(2, 3) + m.ones(4),
    "mul_shape_mismatch": lambda m: m.ones(2, 3) * m.ones(3, 2),
    "where_shape_mismatch": lambda m: m.where(m.ones(2, dtype=m.bool), m.ones(3), m.zeros(2)),
    "broadcast_shapes_mismatch": lambda m: m.broadcast_shapes((2, 3), (4,)),
    "broadcast_shapes_negative": lambda m: m.broadcast_shapes((-2,), (1,)),
    "inplace_broadcast_output": lambda m: m.ones(2).add_(m.ones(3, 2)),
    "inplace_broadcast_0d_output": lambda m: m.tensor(1.0).add_(m.ones(4)),
    "inplace_broadcast_0d_bool_pow": lambda m: m.tensor(True).pow_(m.ones(4, dtype=m.bool)),
    # dims
    "sum_dim_out_of_range": lambda m: m.ones(2, 3).sum(2),
    "sum_negative_dim_out_of_range": lambda m: m.ones(2, 3).sum(-3),
    "sum_repeated_dim": lambda m: m.ones(2, 3).sum((0, 0)),
    "sum_float_dim": lambda m: m.ones(2, 3).sum(1.5),
    "sum_bool_dim": lambda m: m.ones(2).sum(True),
    "sum_dtype_string": lambda m: m.ones(2).sum(dtype="float32"),
    "prod_tuple_dim": lambda m: m.ones(2, 3).prod((0, 1)),
    "max_tuple_dim": lambda m: m.ones(2, 3).max((0, 1)),
    "max_str_dim": lambda m: m.ones(2).max(dim="a"),
    "argmax_tuple_dim": lambda m: m.ones(2, 3).argmax((0, 1)),
    "amax_dim_out_of_range": lambda m: m.ones(2, 3).amax(3),
    "all_dim_out_of_range": lambda m: m.ones(2, 3).all(2),
    "any_repeated_dim": lambda m: m.ones(2, 3).any((1, 1)),
    "size_dim_out_of_range": lambda m: m.ones(2).size(1),
    "size_of_0d": lambda m: m.tensor(1.0).size(0),
    "stride_dim_out_of_range": lambda m: m.ones(2).stride(2),
    "unbind_0d": lambda m: m.tensor(1.0).unbind(),
    "unbind_dim_out_of_range": lambda m: m.ones(2).unbind(1),
    "flatten_dim_out_of_range": lambda m: m.ones(3).flatten(5),
    # reductions
    "mean_of_int": lambda m: m.ones(3, dtype=m.int64).mean(),
    "mean_of_bool": lambda m: m.ones(3, dtype=m.bool).mean(),
    "mean_int_dtype_argument": lambda m: m.ones(3).mean(dtype=m.int32),
    "max_of_empty": lambda m: m.ones(0).max(),
    "argmax_of_empty": lambda m: m.ones(0).argmax(),
    "max_over_empty_dim": lambda m: m.ones(0, 3).max(0),
    "min_of_complex": lambda m: m.ones(3, dtype=m.complex64).min(),
    "argmax_of_complex": lambda m: m.ones(2, dtype=m.complex64).argmax(),
    "argmax_of_bool": lambda m: m.ones(2, dtype=m.bool).argmax(),
    # indexing
    "index_out_of_range": lambda m: m.ones(3)[3],
    "index_negative_out_of_range": lambda m: m.ones(3)[-4],
    "index_too_many": lambda m: m.ones(3)[0, 0],
    "index_0d": lambda m: m.tensor(1.0)[0],
    "index_float": lambda m: m.ones(3)[1.5],
    "index_str": lambda m: m.ones(3)["a"],
    "index_list_out_of_range": lambda m: m.ones(3)[[0, 3]],
    "index_after_none_out_of_range": lambda m: m.ones(3)[None, 3],
    "index_mask_shape": lambda m: m.ones(3)[m.tensor([True, False])],
    "index_long_tensor_out_of_range": lambda m: m.ones(3)[m.tensor([0, 5])],
    "index_float_tensor": lambda m: m.ones(3)[m.tensor([0.0, 1.0])],
    "index_0d_float_tensor": lambda m: m.ones(3)[m.tensor(1.0)],
    "index_negative_step": lambda m: m.ones(4)[::-1],
    "index_zero_step": lambda m: m.ones(4)[::0],
    "setitem_shape_mismatch": lambda m: setitem(m.ones(3), slice(None), m.ones(2)),
    "setitem_out_of_range": lambda m: setitem(m.ones(2), 5, 1.0),
    "setitem_mask_shape": lambda m: setitem(m.ones(3), m.tensor([True, False]), 1.0),
    "setitem_int_overflow": lambda m: setitem(m.ones(2, dtype=m.int8), 0, 1000),
    "setitem_nan_into_int": lambda m: setitem(m.ones(3, dtype=m.int64), 0, float("nan")),
    "setitem_complex_into_float": lambda m: setitem(m.ones(2), 0, 1j),
    "setitem_float_above_int8_max": lambda m: setitem(m.ones(2, dtype=m.int8), 0, 127.5),
    "setitem_negative_float_into_uint8": lambda m: setitem(m.ones(2, dtype=m.uint8), 0, -1.0),
    "python_list_indexed_by_float_tensor": lambda m: [10, 20][m.tensor(1.0)],
    "contains_str": lambda m: "a" in m.ones(2),
    # views and reshapes
    "view_incompatible_strides": lambda m: m.ones(2, 3).t().view(6),
    "view_wrong_numel": lambda m: m.ones(2, 3).view(4),
    "view_two_inferred": lambda m: m.ones(2, 3).view(-1, -1),
    "view_float_size": lambda m: m.ones(4).view(2.0, 2),
    "view_as_wrong_numel": lambda m: m.ones(2, 3).view_as(m.ones(5)),
    "reshape_wrong_numel": lambda m: m.ones(2, 3).reshape(5, -1),
    "reshape_negative": lambda m: m.ones(2, 3).reshape(-2, 3),
    "reshape_float_size": lambda m: m.ones(4).reshape(2.0, 2),
    "permute_wrong_length": lambda m: m.ones(2, 3).permute(0),
    "permute_repeated": lambda m: m.ones(2, 3).permute(0, 0),
    "permute_dim_out_of_range": lambda m: m.ones(2, 3).permute(0, 2),
    "permute_float": lambda m: m.ones(2, 2).permute(0.0, 1),
    "transpose_dim_out_of_range": lambda m: m.ones(2, 3).transpose(0, 2),
    "transpose_float_dim": lambda m: m.ones(2, 2).transpose(0.0, 1),
    "t_of_3d": lambda m: m.ones(2, 3, 4).t(),
    "expand_wrong_size": lambda m: m.ones(2, 3).expand(3, 3),
    "expand_fewer_dims": lambda m: m.ones(2, 3).expand(3),
    "expand_minus_one_leading": lambda m: m.ones(3).expand(-1, 3),
    "expand_negative": lambda m: m.ones(2).expand(-2),
    "expand_float": lambda m: m.ones(1).expand(2.0),
    "expand_as_wrong_size": lambda m: m.ones(2, 3).expand_as(m.ones(3, 3)),
    "squeeze_dim_out_of_range": lambda m: m.ones(2, 1).squeeze(2),
    "squeeze_float_dim": lambda m: m.ones(1).squeeze(0.0),
    "unsqueeze_dim_out_of_range": lambda m: m.ones(2).unsqueeze(3),
    "unsqueeze_float_dim": lambda m: m.ones(2).unsqueeze(0.5),
    "flatten_start_after_end": lambda m: m.ones(2, 3, 4).flatten(2, 1),
    "chunk_zero": lambda m: m.ones(4).chunk(0),
    "chunk_float": lambda m: m.ones(4).chunk(2.0),
    "chunk_0d": lambda m: m.tensor(1.0).chunk(2),
    "split_sizes_wrong_sum": lambda m: m.ones(4).split([1, 2]),
    "split_size_zero": lambda m: m.ones(4).split(0),
    "split_0d": lambda m: m.tensor(1.0).split(1),
    # bool arithmetic
    "bool_sub": lambda m: m.tensor([True]) - m.tensor([False]),
    "bool_sub_scalar": lambda m: m.tensor([True]) - True,
    "bool_rsub_scalar": lambda m: True - m.tensor([True]),
    "bool_neg": lambda m: -m.tensor([True]),
    "bool_sub_function": lambda m: m.sub(m.tensor([True]), m.tensor([True])),
    "bool_sub_alpha": lambda m: m.sub(m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool), alpha=2),
    "bool_abs": lambda m: m.ones(2, dtype=m.bool).abs(),
    "bool_floor": lambda m: m.ones(2, dtype=m.bool).floor(),
    "bool_relu": lambda m: m.relu(m.ones(2, dtype=m.bool)),
    # matrix products
    "matmul_shape_mismatch": lambda m: m.ones(2, 3) @ m.ones(2, 3),
    "matmul_vector_mismatch": lambda m: m.ones(3) @ m.ones(4),
    "matmul_vector_matrix_mismatch": lambda m: m.ones(3) @ m.ones(2, 2),
    "matmul_0d": lambda m: m.tensor(1.0) @ m.ones(2),
    "matmul_dtype_mismatch": lambda m: m.ones(2, 2) @ m.ones(2, 2, dtype=m.float64),
    "matmul_batch_mismatch": lambda m: m.ones(2, 2, 3) @ m.ones(3, 3, 4),
    "matmul_bool": lambda m: m.ones(2, 2, dtype=m.bool) @ m.ones(2, 2, dtype=m.bool),
    "matmul_python_number": lambda m: m.ones(2, 2) @ 2,
    "mm_1d": lambda m: m.mm(m.ones(3), m.ones(3, 2)),
    "mm_dtype_mismatch": lambda m: m.mm(m.ones(2, 2), m.ones(2, 2, dtype=m.int64)),
    "bmm_2d": lambda m: m.bmm(m.ones(2, 3), m.ones(3, 2)),
    "bmm_batch_mismatch": lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 2)),
    # joining
    "cat_size_mismatch": lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]),
    "cat_ndim_mismatch": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
    "cat_empty_list": lambda m: m.cat([]),
    "cat_0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat_dim_out_of_range": lambda m: m.cat([m.ones(2), m.ones(2)], 1),
    "cat_non_tensor": lambda m: m.cat([m.ones(2), 3]),
    "cat_tensor_argument": lambda m: m.cat(m.ones(2, 2)),
    "stack_size_mismatch": lambda m: m.stack([m.ones(2), m.ones(3)]),
    "stack_empty_list": lambda m: m.stack([]),
    "stack_dim_out_of_range": lambda m: m.stack([m.ones(2), m.ones(2)], 3),
    # factories
    "zeros_negative": lambda m: m.zeros(-1),
    "ones_negative": lambda m: m.ones(2, -3),
    "empty_negative": lambda m: m.empty(-1),
    "full_negative": lambda m: m.full((-1,), 1.0),
    "rand_negative": lambda m: m.rand(-2),
    "zeros_float_size": lambda m: m.zeros(2.5),
    "zeros_str_size": lambda m: m.zeros("a"),
    "zeros_none_size": lambda m: m.zeros(None),
    "ones_bool_size": lambda m: m.ones(True),
    "rand_float_size": lambda m: m.rand(2.0),
    "zeros_dtype_string": lambda m: m.zeros(2, dtype="float32"),
    "eye_negative": lambda m: m.eye(-1),
    "eye_float": lambda m: m.eye(2.5),
    "full_str": lambda m: m.full((2,), "a"),
    "full_complex_into_int": lambda m: m.full((2,), 1j, dtype=m.int64),
    "full_int_overflow": lambda m: m.full((2,), 300, dtype=m.int8),
    "full_huge_int": lambda m: m.full((2,), 2**70),
    "full_huge_int_into_float32": lambda m: m.full((2,), 2**200, dtype=m.float32),
    "tensor_ragged": lambda m: m.tensor([[1, 2], [3]]),
    "tensor_str": lambda m: m.tensor("abc"),
    "tensor_list_of_str": lambda m: m.tensor(["a"]),
    "tensor_nested_str": lambda m: m.tensor([[1, "a"]]),
    "tensor_none": lambda m: m.tensor([None]),
    "tensor_dict": lambda m: m.tensor({1: 2}),
    "tensor_object": lambda m: m.tensor(object()),
    "tensor_int_beyond_int64": lambda m: m.tensor([2**70]),
    "tensor_int8_overflow": lambda m: m.tensor([300], dtype=m.int8),
    "tensor_complex_into_float": lambda m: m.tensor([1j], dtype=m.float32),
    "tensor_complex_into_int": lambda m: m.tensor([1j], dtype=m.int64),
    "tensor_of_multi_element_tensors": lambda m: m.tensor([m.ones(2), m.ones(2)]),
    "arange_zero_step": lambda m: m.arange(0, 5, 0),
    "arange_step_truncated_to_zero": lambda m: m.arange(-2, 9, 0.1, dtype=m.int64),
    "arange_wrong_sign": lambda m: m.arange(0, 5, -1),
    "arange_infinite": lambda m: m.arange(0, float("inf")),
    "arange_nan": lambda m: m.arange(0, float("nan")),
    "arange_complex": lambda m: m.arange(1j),
    "arange_bool_dtype": lambda m: m.arange(3, dtype=m.bool),
    "arange_complex_dtype": lambda m: m.arange(3, dtype=m.complex64),
    "linspace_negative_steps": lambda m: m.linspace(0, 1, -1),
    "linspace_float_steps": lambda m: m.linspace(0, 1, 2.5),
    "linspace_bool_dtype": lambda m: m.linspace(0, 1, 3, dtype=m.bool),
    "linspace_complex_into_float": lambda m: m.linspace(0, 1j, 3, dtype=m.float32),
    "randint_low_above_high": lambda m: m.randint(5, 2, (3,)),
    "randint_without_size": lambda m: m.randint(5),
    "randint_int_size": lambda m: m.randint(0, 5, 3),
    "randint_out_of_dtype_range": lambda m: m.randint(0, 300, (2,), dtype=m.uint8),
    "rand_int_dtype": lambda m: m.rand(2, dtype=m.int64),
    "randn_bool_dtype": lambda m: m.randn(2, dtype=m.bool),
    "from_numpy_list": lambda m: m.from_numpy([1, 2]),
    "from_numpy_negative_strides": lambda m: m.from_numpy(np.ones(4)[::-1]),
    "requires_grad_int": lambda m: m.ones(2, dtype=m.int64, requires_grad=True),
    "set_default_dtype_int": lambda m: m.set_default_dtype(m.int64),
    # conversions
    "item_of_many": lambda m: m.ones(2).item(),
    "item_of_empty": lambda m: m.ones(0).item(),
    "item_with_argument": lambda m: m.ones(2).item(0),
    "bool_of_many": lambda m: bool(m.ones(2)),
    "bool_of_empty": lambda m: bool(m.ones(0)),
    "float_of_many": lambda m: float(m.ones(2)),
    "float_of_complex": lambda m: float(m.tensor(1 + 1j)),
    "int_of_many": lambda m: int(m.ones(2)),
    "int_of_complex": lambda m: int(m.tensor(1 + 1j)),
    "index_of_float": lambda m: m.ones(2).__index__(),
    "len_of_0d": lambda m: len(m.tensor(1.0)),
    "iter_of_0d": lambda m: iter(m.tensor(1.0)),
    "format_spec_of_1d": lambda m: format(m.ones(2), ".2f"),
    "to_dtype_name_string": lambda m: m.ones(2).to("float32"),
    "to_object": lambda m: m.ones(2).to(object()),
    "size_of_floats": lambda m: m.Size([1.5]),
    # operands
    "add_str": lambda m: m.ones(2) + "a",
    "add_none": lambda m: m.ones(2) + None,
    "add_list": lambda m: operator.add(m.ones(2), [1, 2]),
    "add_function_str": lambda m: m.add(m.ones(2), "a"),
    "add_function_str_input": lambda m: m.add("a", m.ones(2)),
    "add_float_alpha_on_ints": lambda m: m.add(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64), alpha=0.5),
    "add_bool_alpha_on_floats": lambda m: m.add(m.ones(2), m.ones(2), alpha=True),
    "eq_function_str": lambda m: m.eq(m.ones(2), "a"),
    "view_with_tensor": lambda m: m.ones(2).view(m.ones(2)),
    "where_non_bool_condition": lambda m: m.where(m.ones(2), m.ones(2), m.zeros(2)),
    "where_python_condition": lambda m: m.where(True, m.ones(1), m.zeros(1)),
    "where_list_condition": lambda m: m.where([True], m.ones(1), m.zeros(1)),
    "maximum_python_number": lambda m: m.maximum(m.ones(2), 1.0),
    "minimum_python_number": lambda m: m.minimum(m.ones(2), 1),
    "logical_and_python_bool": lambda m: m.logical_and(m.ones(2), True),
    "atan2_python_number": lambda m: m.atan2(m.ones(2), 1.0),
    "clamp_without_bounds": lambda m: m.ones(2).clamp(),
    "clamp_str": lambda m: m.ones(2).clamp("a"),
    "clamp_tensor_and_number_bounds": lambda m: m.ones(2).clamp(min=m.zeros(2), max=1.0),
    "numel_of_list": lambda m: m.numel([1]),
    "sum_of_list": lambda m: m.sum([1, 2]),
    "exp_of_number": lambda m: m.exp(1.0),
    "promote_types_int": lambda m: m.promote_types(m.float32, 3),
    "result_type_none": lambda m: m.result_type(m.ones(2), None),
    # dtypes without a kernel
    "bitwise_and_float": lambda m: m.ones(2) & m.ones(2),
    "bitwise_and_function_float": lambda m: m.bitwise_and(m.ones(2), m.ones(2)),
    "invert_float": lambda m: ~m.ones(2),
    "bitwise_not_function_float": lambda m: m.bitwise_not(m.ones(2)),
    "shift_float": lambda m: m.ones(2) << 1,
    "int_pow_negative_scalar": lambda m: m.tensor([2, 3]) ** -1,
    "int_pow_negative_scalar_function": lambda m: m.pow(m.tensor([2, 3]), -2),
    "int_floor_divide_by_zero": lambda m: m.tensor([1, 2]) // 0,
    "int_remainder_by_zero": lambda m: m.tensor([1, 2]) % 0,
    "int_floor_divide_by_zero_tensor": lambda m: m.tensor([1, 2]) // m.tensor([0, 1]),
    "int_trunc_divide_by_zero": lambda m: m.div(m.tensor([1, 2]), 0, rounding_mode="trunc"),
    "div_unknown_rounding_mode": lambda m: m.div(m.ones(2), 2, rounding_mode="round"),
    "complex_floor_divide": lambda m: m.ones(2, dtype=m.complex64) // 2,
    "complex_remainder": lambda m: m.ones(2, dtype=m.complex64) % 2,
    "complex_less_than": lambda m: m.ones(2, dtype=m.complex64) < 1,
    "complex_maximum": lambda m: m.maximum(m.ones(2, dtype=m.complex64), m.ones(2, dtype=m.complex64)),
    "complex_clamp": lambda m: m.ones(2, dtype=m.complex64).clamp(0, 1),
    "complex_floor": lambda m: m.ones(2, dtype=m.complex64).floor(),
    "complex_sign": lambda m: m.ones(2, dtype=m.complex64).sign(),
    "complex_relu": lambda m: m.relu(m.ones(2, dtype=m.complex64)),
    "complex_atan2": lambda m: m.atan2(m.ones(2, dtype=m.complex64), m.ones(2, dtype=m.complex64)),
    "int_frac": lambda m: m.ones(2, dtype=m.int64).frac(),
    # in-place writes that cannot hold the result
    "inplace_float_into_int": lambda m: m.ones(2, dtype=m.int64).add_(1.5),
    "inplace_true_divide_int": lambda m: m.ones(2, dtype=m.int64).div_(2),
    "inplace_int_into_bool": lambda m: m.ones(2, dtype=m.bool).mul_(2),
    "inplace_into_expanded": lambda m: m.ones(1).expand(3).add_(1),
}

_CHECK_ORDER = "checks the dtype's kernel before the in-place output shape; torch reports the shape first (RuntimeError, not NotImplementedError)"
ERROR_BUGS: dict[tuple[str], str] = {
    ("inplace_broadcast_0d_bool_pow",): _CHECK_ORDER,
    ("clamp_tensor_and_number_bounds",): "clamp(min=Tensor, max=number) is accepted; torch takes both bounds as numbers or both as tensors (TypeError)",
}


@pytest.mark.parametrize("name", params([(n,) for n in MISUSES], ERROR_BUGS))
def test_same_exception_type(name: str) -> None:
    misuse = MISUSES[name]
    expected = outcome(lambda: misuse(torch))
    got = outcome(lambda: misuse(ember))
    if expected[0] == "ok":
        assert got[0] == "ok", f"{name}: torch accepts this, ember raised {got[1].__name__}"
    else:
        assert got[0] == "raises", f"{name}: torch raises {expected[1].__name__}, ember does not"
        assert got[1] is expected[1], f"{name}: ember raised {got[1].__name__}, torch {expected[1].__name__}"
