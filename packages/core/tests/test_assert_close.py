"""ember.testing.assert_close against torch.testing.assert_close.

Every expected message in CASES was captured from torch 2.13
(``torch.testing.assert_close`` on the same values, with ``torch.`` replaced by
``ember.``) and hard-coded here; torch is not imported. An expected exception
of ``None`` means the call must pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.testing import assert_close
from ember.testing._comparison import _tolerances

PROPERTY = settings(max_examples=100, deadline=None)


def T(data: Any, dtype: str | None = None) -> ember.Tensor:
    return ember.tensor(data, dtype=getattr(ember, dtype)) if dtype else ember.tensor(data)


# (id, build () -> (actual, expected), kwargs, expected exception type or None, torch's message)
CASES: list[tuple[str, Callable[[], tuple[Any, Any]], dict[str, Any], type[Exception] | None, str | None]] = [
    ('float32_one', lambda: (T([1.,2.5,3.]), T([1.,2.,3.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.25 at index (1,) (up to 1.3e-06 allowed)'),
    ('float32_msg_doc', lambda: (T([1.,4.,5.]), T([1.,2.,3.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\nGreatest absolute difference: 2.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 1.0 at index (1,) (up to 1.3e-06 allowed)'),
    ('float64_2d', lambda: (T([[1.,2.],[3.,4.5]],'float64'), T([[1.,2.],[3.,4.]],'float64')), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute difference: 0.5 at index (1, 1) (up to 1e-07 allowed)\nGreatest relative difference: 0.125 at index (1, 1) (up to 1e-07 allowed)'),
    ('float16', lambda: (T([1.,2.,3.5],'float16'), T([1.,2.,3.],'float16')), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 0.5 at index (2,) (up to 1e-05 allowed)\nGreatest relative difference: 0.1666259765625 at index (2,) (up to 0.001 allowed)'),
    ('int_equal', lambda: (T([1,2,3]), T([1,5,3])), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 3 at index (1,)\nGreatest relative difference: 0.6000000238418579 at index (1,)'),
    ('int_3d', lambda: (T([[[1,2],[3,4]]]), T([[[1,2],[7,4]]])), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute difference: 4 at index (0, 1, 0)\nGreatest relative difference: 0.5714285969734192 at index (0, 1, 0)'),
    ('int32_rel', lambda: (T([1,2,4],'int32'), T([1,3,3],'int32')), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 2 / 3 (66.7%)\nGreatest absolute difference: 1 at index (1,)\nGreatest relative difference: 0.3333333432674408 at index (1,)'),
    ('bool', lambda: (T([True,False]), T([True,True])), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1 at index (1,)\nGreatest relative difference: 1.0 at index (1,)'),
    ('complex', lambda: (T([1+1j,2+2j]), T([1+1j,2+3j])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.2773500978946686 at index (1,) (up to 1.3e-06 allowed)'),
    ('complex128', lambda: (T([1+1j,2+2j],'complex128'), T([1+1j,2.5+2j],'complex128')), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-07 allowed)\nGreatest relative difference: 0.15617376188860607 at index (1,) (up to 1e-07 allowed)'),
    ('nan_default', lambda: (T([1., float('nan')]), T([1., float('nan')])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: nan at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)'),
    ('nan_vs_num', lambda: (T([1., float('nan'), 3.]), T([1., 2., 3.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: nan at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)'),
    ('inf_mismatch', lambda: (T([float('inf'), 1.]), T([1e30, 1.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: inf at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: inf at index (0,) (up to 1.3e-06 allowed)'),
    ('inf_sign', lambda: (T([float('inf')]), T([float('-inf')])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: inf at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)'),
    ('zero_expected', lambda: (T([1., 0.5]), T([1., 0.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: inf at index (1,) (up to 1.3e-06 allowed)'),
    ('scalar_tensor', lambda: (T(1.5), T(1.)), {}, AssertionError, 'Scalars are not close!\n\nExpected 1.0 but got 1.5.\nAbsolute difference: 0.5 (up to 1e-05 allowed)\nRelative difference: 0.5 (up to 1.3e-06 allowed)'),
    ('scalar_tensor_int', lambda: (T(3), T(1)), {}, AssertionError, 'Scalars are not equal!\n\nExpected 1 but got 3.\nAbsolute difference: 2\nRelative difference: 2.0'),
    ('scalar_tensor_nan', lambda: (T(float('nan')), T(float('nan'))), {}, AssertionError, 'Scalars are not close!\n\nExpected nan but got nan.\nAbsolute difference: nan (up to 1e-05 allowed)\nRelative difference: nan (up to 1.3e-06 allowed)'),
    ('scalar_tensor_f32', lambda: (T(0.1), T(0.2)), {}, AssertionError, 'Scalars are not close!\n\nExpected 0.20000000298023224 but got 0.10000000149011612.\nAbsolute difference: 0.10000000149011612 (up to 1e-05 allowed)\nRelative difference: 0.5 (up to 1.3e-06 allowed)'),
    ('py_float', lambda: (1.5, 1.0), {}, AssertionError, 'Scalars are not close!\n\nExpected 1.0 but got 1.5.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.5 (up to 1e-07 allowed)'),
    ('py_int', lambda: (3, 1), {}, AssertionError, 'Scalars are not equal!\n\nExpected 1 but got 3.\nAbsolute difference: 2\nRelative difference: 2.0'),
    ('py_zero', lambda: (0.5, 0.0), {}, AssertionError, 'Scalars are not close!\n\nExpected 0.0 but got 0.5.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: inf (up to 1e-07 allowed)'),
    ('py_complex', lambda: (1+2j, 1+3j), {}, AssertionError, 'Scalars are not close!\n\nExpected (1+3j) but got (1+2j).\nAbsolute difference: 1.0 (up to 1e-07 allowed)\nRelative difference: 0.31622776601683794 (up to 1e-07 allowed)'),
    ('py_int_float', lambda: (1, 1.0), {}, AssertionError, "The (d)types do not match: <class 'int'> != <class 'float'>."),
    ('np_scalar', lambda: (np.float32(1.5), np.float32(1.0)), {}, AssertionError, 'Scalars are not close!\n\nExpected 1.0 but got 1.5.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.5 (up to 1e-07 allowed)'),
    ('doc_equal', lambda: (1e-9, 1e-10), {"rtol":0, "atol":0}, AssertionError, 'Scalars are not equal!\n\nExpected 1e-10 but got 1e-09.\nAbsolute difference: 9.000000000000001e-10\nRelative difference: 9.0'),
    ('bools', lambda: (True, False), {}, AssertionError, 'Booleans mismatch: True is not False'),
    ('none', lambda: (None, 1), {}, AssertionError, 'None mismatch: None is not 1'),
    ('shape', lambda: (T([1.,2.]), T([1.,2.,3.])), {}, AssertionError, "The values for attribute 'shape' do not match: ember.Size([2]) != ember.Size([3])."),
    ('shape_2d', lambda: (T([[1.,2.]]), T([1.,2.])), {}, AssertionError, "The values for attribute 'shape' do not match: ember.Size([1, 2]) != ember.Size([2])."),
    ('dtype', lambda: (T([1.,2.]), T([1.,2.],'float64')), {}, AssertionError, "The values for attribute 'dtype' do not match: ember.float32 != ember.float64."),
    ('dtype_int', lambda: (T([1,2]), T([1.,2.])), {}, AssertionError, "The values for attribute 'dtype' do not match: ember.int64 != ember.float32."),
    ('stride', lambda: (ember.ones(2,3).t(), ember.ones(3,2)), {"check_stride": True}, AssertionError, "The values for attribute 'stride()' do not match: (1, 3) != (2, 1)."),
    ('shape_before_dtype', lambda: (T([1,2]), T([1.,2.,3.],'float64')), {}, AssertionError, "The values for attribute 'shape' do not match: ember.Size([2]) != ember.Size([3])."),
    ('type_np_tensor', lambda: (np.array([1.,2.]), T([1.,2.])), {}, TypeError, "No comparison pair was able to handle inputs of type <class 'numpy.ndarray'> and <class 'ember.Tensor'>."),
    ('type_float_tensor', lambda: (1.0, T(1.)), {}, TypeError, "No comparison pair was able to handle inputs of type <class 'float'> and <class 'ember.Tensor'>."),
    ('str', lambda: ("a", "b"), {}, TypeError, "No comparison pair was able to handle inputs of type <class 'str'> and <class 'str'>."),
    ('np_arrays', lambda: (np.array([1.,2.,3.5]), np.array([1.,2.,3.])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 0.5 at index (2,) (up to 1e-07 allowed)\nGreatest relative difference: 0.16666666666666666 at index (2,) (up to 1e-07 allowed)'),
    ('np_arrays_f32_dtype', lambda: (np.array([1.,2.],np.float32), np.array([1.,2.])), {}, AssertionError, "The values for attribute 'dtype' do not match: ember.float32 != ember.float64."),
    ('np_0d', lambda: (np.array(2.0), np.array(1.0)), {}, AssertionError, 'Scalars are not close!\n\nExpected 1.0 but got 2.0.\nAbsolute difference: 1.0 (up to 1e-07 allowed)\nRelative difference: 1.0 (up to 1e-07 allowed)'),
    ('only_rtol', lambda: (T([1.]), T([1.])), {"rtol":1e-3}, ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    ('only_atol', lambda: (1.0, 1.0), {"atol":1e-3}, ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no rtol."),
    ('only_rtol_nested', lambda: ([T([1.]), 1.0], [T([1.]), 1.0]), {"rtol":1e-3}, ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol.\n\nThe failure occurred for item [0]"),
    ('seq_len', lambda: ([1.,2.], [1.,2.,3.]), {}, AssertionError, 'The length of the sequences mismatch: 2 != 3'),
    ('seq_len_msg', lambda: ([1.,2.], [1.,2.,3.]), {"msg": "custom"}, AssertionError, 'The length of the sequences mismatch: 2 != 3'),
    ('nested_seq', lambda: ([T([1.]), T([2.,3.])], (T([1.]), T([2.,3.5]))), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.1428571492433548 at index (1,) (up to 1.3e-06 allowed)\n\nThe failure occurred for item [1]'),
    ('nested_deep', lambda: ([1.0, [2.0, 3.0]], [1.0, [2.0, 4.0]]), {}, AssertionError, 'Scalars are not close!\n\nExpected 4.0 but got 3.0.\nAbsolute difference: 1.0 (up to 1e-07 allowed)\nRelative difference: 0.25 (up to 1e-07 allowed)\n\nThe failure occurred for item [1][1]'),
    ('map_keys', lambda: ({"a":1.,"b":2.}, {"a":1.,"c":2.,"d":3.}), {}, AssertionError, "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['c', 'd']\nAdditional keys in the actual mapping: ['b']"),
    ('map_item', lambda: ({"a":T([1.]),"b":[1., 2.]}, {"b":[1., 2.5],"a":T([1.])}), {}, AssertionError, "Scalars are not close!\n\nExpected 2.5 but got 2.0.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.2 (up to 1e-07 allowed)\n\nThe failure occurred for item ['b'][1]"),
    ('map_item_first', lambda: ({"b":T([9.]),"a":T([1.])}, {"a":T([2.]),"b":T([1.])}), {}, AssertionError, "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 1.0 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.5 at index (0,) (up to 1.3e-06 allowed)\n\nThe failure occurred for item ['a']"),
    ('msg_str', lambda: (T([1.,4.,5.]), T([1.,2.,3.])), {"msg":"Argh, the tensors are not close!"}, AssertionError, 'Argh, the tensors are not close!'),
    ('msg_callable', lambda: (T([1.,4.,5.]), T([1.,2.,3.])), {"msg": lambda m: f"Header\n\n{m}\n\nFooter"}, AssertionError, 'Header\n\nTensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\nGreatest absolute difference: 2.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 1.0 at index (1,) (up to 1.3e-06 allowed)\n\nFooter'),
    ('msg_callable_nested', lambda: ([1.0, 2.0], [1.0, 3.0]), {"msg": lambda m: f"<{m}>"}, AssertionError, '<Scalars are not close!\n\nExpected 3.0 but got 2.0.\nAbsolute difference: 1.0 (up to 1e-07 allowed)\nRelative difference: 0.3333333333333333 (up to 1e-07 allowed)\n\nThe failure occurred for item [1]>'),
    ('msg_str_shape', lambda: (T([1.]), T([1.,2.])), {"msg":"nope"}, AssertionError, 'nope'),
    ('explicit_tol_fail', lambda: (T([1.,2.]), T([1.,2.2])), {"rtol":0.01, "atol":0.1}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.20000004768371582 at index (1,) (up to 0.1 allowed)\nGreatest relative difference: 0.09090910851955414 at index (1,) (up to 0.01 allowed)'),
    ('many_mismatch', lambda: (T([[0.,1.,2.],[3.,4.,5.]]), T([[0.,1.5,2.],[3.,0.,5.5]])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 3 / 6 (50.0%)\nGreatest absolute difference: 4.0 at index (1, 1) (up to 1e-05 allowed)\nGreatest relative difference: inf at index (1, 1) (up to 1.3e-06 allowed)'),
    ('int_big', lambda: (T([2**62+1]), T([2**62])), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 1 at index (0,)\nGreatest relative difference: 2.168404344971009e-19 at index (0,)'),
    ('uint8', lambda: (T([0, 255],'uint8'), T([1, 0],'uint8')), {}, AssertionError, 'Tensor-likes are not equal!\n\nMismatched elements: 2 / 2 (100.0%)\nGreatest absolute difference: 255 at index (1,)\nGreatest relative difference: inf at index (1,)'),
    ('equal_nan_complex', lambda: (T([complex(float('nan'),0)]), T([complex(0,float('nan'))])), {"equal_nan": True}, None, None),
    ('complex_nan_noeq', lambda: (T([complex(float('nan'),0), 1]), T([complex(0,float('nan')), 1])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: nan at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)'),
    ('check_dtype_false', lambda: (T([1.,2.]), T([1.,2.5],'float64')), {"check_dtype": False}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.2 at index (1,) (up to 1.3e-06 allowed)'),
    ('check_dtype_false_int', lambda: (T([1,2]), T([1.,2.5],'float16')), {"check_dtype": False}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.199951171875 at index (1,) (up to 0.001 allowed)'),
    ('allow_subclasses_false_np', lambda: (np.float64(1.0), 1.0), {"allow_subclasses": False}, None, None),
    ('f32_rounding', lambda: (T([1.1, 2.2]), T([1.0, 2.0])), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 2 / 2 (100.0%)\nGreatest absolute difference: 0.20000004768371582 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.10000002384185791 at index (0,) (up to 1.3e-06 allowed)'),
    ('f16_rounding', lambda: (T([1.1, 2.2],'float16'), T([1.0, 2.0],'float16')), {}, AssertionError, 'Tensor-likes are not close!\n\nMismatched elements: 2 / 2 (100.0%)\nGreatest absolute difference: 0.19921875 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.099609375 at index (0,) (up to 0.001 allowed)'),
    # passing
    ('pass_within', lambda: (T([1.,2.]), T([1.,2.+1e-6])), {}, None, None),
    ('pass_nan', lambda: (T([1., float('nan')]), T([1., float('nan')])), {"equal_nan": True}, None, None),
    ('pass_inf', lambda: (T([float('inf'), float('-inf')]), T([float('inf'), float('-inf')])), {}, None, None),
    ('pass_nested', lambda: ({"a":[T([1.]), 2.0], "b": (3, None)}, {"b":[3, None], "a":(T([1.]), 2.0)}), {}, None, None),
    ('pass_scalars', lambda: (1.0 + 1e-9, 1.0), {}, None, None),
    ('pass_py_int_float', lambda: (1, 1.0), {"check_dtype": False}, None, None),
    ('pass_np', lambda: (np.array([1.,2.]), np.array([1.,2.])), {}, None, None),
    ('pass_empty', lambda: (T([]), T([])), {}, None, None),
    ('pass_dtype_false', lambda: (T([1,2]), T([1.,2.])), {"check_dtype": False}, None, None),
    ('pass_none', lambda: (None, None), {}, None, None),
    ('pass_bool', lambda: (np.bool_(True), True), {}, None, None),
    ('pass_np_scalar', lambda: (np.float32(1.0), np.float64(1.0)), {"check_dtype": False}, None, None),
    ('pass_stride_default', lambda: (ember.ones(2,3).t(), ember.ones(3,2)), {}, None, None),
]


@pytest.mark.parametrize(("build", "kwargs", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_torch(
    build: Callable[[], tuple[Any, Any]], kwargs: dict[str, Any], error: type[Exception] | None, message: str | None
) -> None:
    actual, expected = build()
    if error is None:
        assert_close(actual, expected, **kwargs)
        return
    with pytest.raises(error) as info:
        assert_close(actual, expected, **kwargs)
    assert type(info.value) is error
    assert str(info.value) == message


# dtype -> torch's default (rtol, atol)
DEFAULTS = [
    ("float16", 0.001, 1e-05),
    ("float32", 1.3e-06, 1e-05),
    ("float64", 1e-07, 1e-07),
    ("complex64", 1.3e-06, 1e-05),
    ("complex128", 1e-07, 1e-07),
]


@pytest.mark.parametrize(("name", "rtol", "atol"), DEFAULTS)
def test_default_tolerances_are_reported(name: str, rtol: float, atol: float) -> None:
    with pytest.raises(AssertionError) as info:
        assert_close(T([1.0, 2.0], name), T([1.0, 3.0], name))
    lines = str(info.value).splitlines()
    assert lines[3].endswith(f"(up to {atol} allowed)")
    assert lines[4].endswith(f"(up to {rtol} allowed)")


@pytest.mark.parametrize(("name", "rtol", "atol"), DEFAULTS)
def test_default_atol_boundary(name: str, rtol: float, atol: float) -> None:
    # expected == 0, so the allowance is atol alone
    assert_close(T([0.5 * atol], name), T([0.0], name))
    with pytest.raises(AssertionError, match="not close"):
        assert_close(T([2.0 * atol], name), T([0.0], name))


@pytest.mark.parametrize(("name", "rtol", "atol"), DEFAULTS)
def test_default_rtol_boundary(name: str, rtol: float, atol: float) -> None:
    # at |expected| = 1e4 the atol share is negligible next to rtol * 1e4
    big = 1e4
    assert_close(T([big * (1 + 0.5 * rtol)], name), T([big], name))
    with pytest.raises(AssertionError, match="not close"):
        assert_close(T([big * (1 + 3 * rtol)], name), T([big], name))


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_exact_dtypes_have_zero_tolerance(name: str) -> None:
    assert_close(T([1, 0], name), T([1, 0], name))
    with pytest.raises(AssertionError, match=r"^Tensor-likes are not equal!"):
        assert_close(T([1, 1], name), T([1, 0], name))
    assert _tolerances(getattr(ember, name), rtol=None, atol=None, id=()) == (0.0, 0.0)


def test_tolerance_table() -> None:
    assert _tolerances(ember.bfloat16, rtol=None, atol=None, id=()) == (0.016, 1e-5)  # no NumPy bfloat16 to test with
    assert _tolerances(ember.float16, ember.float64, rtol=None, atol=None, id=()) == (0.001, 1e-5)  # loosest of each
    assert _tolerances(ember.float16, rtol=0.5, atol=0.0, id=()) == (0.5, 0.0)


def test_int64_beyond_float64_precision_is_not_equal() -> None:
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 1"):
        assert_close(T([2**62 + 1]), T([2**62]))


def test_public_surface() -> None:
    import ember.testing

    assert ember.testing.__all__ == ["assert_close"]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(
    name=st.sampled_from(["float32", "float64"]),
    values=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=finite),
    scale=st.floats(min_value=0.0, max_value=4.0),
    data=st.data(),
)
def test_tiny_perturbation_matches_numpy_criterion(name: str, values: np.ndarray, scale: float, data: Any) -> None:
    rtol, atol = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}[name]
    signs = data.draw(hnp.arrays(np.float64, values.shape, elements=st.sampled_from([-1.0, 0.0, 1.0])))
    expected = values.astype(name)
    actual = (values + signs * scale * (atol + rtol * np.abs(values))).astype(name)
    e64, a64 = expected.astype(np.float64), actual.astype(np.float64)
    should_pass = bool(np.all(np.abs(a64 - e64) <= atol + rtol * np.abs(e64)))
    t_actual, t_expected = ember.tensor(actual), ember.tensor(expected)
    if should_pass:
        assert_close(t_actual, t_expected)
    else:
        with pytest.raises(AssertionError, match=r"^Tensor-likes are not close!"):
            assert_close(t_actual, t_expected)
