"""Tensor printing: exact strings captured from PyTorch 2.13 for the same values.

Every expected string in CASES was produced by ``repr()`` of a real torch tensor
holding the same values (``torch.`` replaced by ``ember.``). torch cannot make a
CUDA tensor on a CPU-only machine, so the ``device=`` cases were assembled from
torch's own ``_tensor_str`` and ``_add_suffixes`` in ``_str_intern``'s order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

import ember._dtypes as ember_dtypes
from ember._device import device
from ember._printing import format_tensor, get_printoptions, printoptions, set_printoptions

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore_printoptions() -> Iterator[None]:
    """Print options are process-global (conftest.py restores the default dtype)."""
    options = get_printoptions()
    yield
    set_printoptions(**options)


def case(
    case_id: str,
    values: np.ndarray,
    dt: ember_dtypes.dtype,
    *,
    expected: str,
    options: dict[str, Any] | None = None,
    default: ember_dtypes.dtype | None = None,
    device: str = "cpu",
    suffixes: Sequence[tuple[str, str]] = (),
    prefix: str = "tensor(",
) -> Any:
    settings = {
        "options": options or {},
        "default": default,
        "device": device,
        "suffixes": suffixes,
        "prefix": prefix,
    }
    return pytest.param(values, dt, settings, expected, id=case_id)


CASES = [
    case(
        'int', np.array([1, 2, 3]), ember_dtypes.int64,
        expected='tensor([1, 2, 3])',
    ),
    case(
        'int-negative', np.array([-5, 10, 200, -3000]), ember_dtypes.int64,
        expected='tensor([   -5,    10,   200, -3000])',
    ),
    case(
        'int-2d', np.array([[8, 2, 3], [1, 2, 3]]), ember_dtypes.int64,
        expected=(
            'tensor([[8, 2, 3],\n'
            '        [1, 2, 3]])'
        ),
    ),
    case(
        'float-integral', np.array([12.0, -12.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([ 12., -12.])',
    ),
    case(
        'float-decimals', np.array([1.5, -0.25, 3.14159], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([ 1.5000, -0.2500,  3.1416])',
    ),
    case(
        'float-rounding', np.array([0.1, 0.123456, 10.5], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([ 0.1000,  0.1235, 10.5000])',
    ),
    case(
        'float-zeros', np.zeros(3, dtype=np.float32), ember_dtypes.float32,
        expected='tensor([0., 0., 0.])',
    ),
    case(
        'float-negative-zero', np.array([-0.0, 1.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([-0., 1.])',
    ),
    case(
        'sci-large', np.array([1.0e9, 1.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([1.0000e+09, 1.0000e+00])',
    ),
    case(
        'sci-tiny', np.array([1.0e-5, 0.5], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([1.0000e-05, 5.0000e-01])',
    ),
    case(
        'sci-ratio', np.array([0.001, 2.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([1.0000e-03, 2.0000e+00])',
    ),
    case(
        'sci-integral', np.array([1.0e10, -3.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([ 1.0000e+10, -3.0000e+00])',
    ),
    case(
        'no-sci-ratio-1000', np.array([0.002, 2.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([0.0020, 2.0000])',
    ),
    case(
        'nan-inf', np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([   nan,    inf,   -inf, 1.5000])',
    ),
    case(
        'nan-inf-integral', np.array([np.nan, 2.0, -np.inf, 0.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([nan, 2., -inf, 0.])',
    ),
    case(
        'only-nonfinite', np.array([np.nan, np.inf, 0.0], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([nan, inf, 0.])',
    ),
    case(
        'nan-inf-sci', np.array([np.nan, 1.0e-6, np.inf], dtype=np.float32), ember_dtypes.float32,
        expected='tensor([       nan, 1.0000e-06,        inf])',
    ),
    case(
        'bool', np.array([True, False, True]), ember_dtypes.bool_,
        expected='tensor([ True, False,  True])',
    ),
    case(
        'bool-all-true', np.array([True, True]), ember_dtypes.bool_,
        expected='tensor([True, True])',
    ),
    case(
        'complex64', np.array([1 + 2j, -3.5 - 0.5j], dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor([ 1.0000+2.0000j, -3.5000-0.5000j])',
    ),
    case(
        'complex-integral', np.array([1 + 2j, 3 - 4j], dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor([1.+2.j, 3.-4.j])',
    ),
    case(
        'complex128', np.array([0.5 + 1.25j, 2 - 0j], dtype=np.complex128), ember_dtypes.complex128,
        expected='tensor([0.5000+1.2500j, 2.0000+0.0000j], dtype=ember.complex128)',
    ),
    case(
        'complex-sci', np.array([1e-6 + 1j, 1e5 - 2j], dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor([1.0000e-06+1.j, 1.0000e+05-2.j])',
    ),
    case(
        'complex-nan', np.array([complex(np.nan, np.nan), 1 + 1j], dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor([nan+nanj, 1.+1.j])',
    ),
    case(
        'complex-2d', np.array([[1 + 1j, 2.5 - 3j], [0j, -1 + 0.5j]], dtype=np.complex64), ember_dtypes.complex64,
        expected=(
            'tensor([[ 1.0000+1.0000j,  2.5000-3.0000j],\n'
            '        [ 0.0000+0.0000j, -1.0000+0.5000j]])'
        ),
    ),
    case(
        'scalar-int', np.array(3), ember_dtypes.int64,
        expected='tensor(3)',
    ),
    case(
        'scalar-float', np.array(3.0, dtype=np.float32), ember_dtypes.float32,
        expected='tensor(3.)',
    ),
    case(
        'scalar-decimal', np.array(0.1, dtype=np.float32), ember_dtypes.float32,
        expected='tensor(0.1000)',
    ),
    case(
        'scalar-sci', np.array(1.0e-8, dtype=np.float32), ember_dtypes.float32,
        expected='tensor(1.0000e-08)',
    ),
    case(
        'scalar-nan', np.array(np.nan, dtype=np.float32), ember_dtypes.float32,
        expected='tensor(nan)',
    ),
    case(
        'scalar-bool', np.array(False), ember_dtypes.bool_,
        expected='tensor(False)',
    ),
    case(
        'scalar-complex', np.array(1 - 2j, dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor(1.-2.j)',
    ),
    case(
        'scalar-int32', np.array(7, dtype=np.int32), ember_dtypes.int32,
        expected='tensor(7, dtype=ember.int32)',
    ),
    case(
        'empty-float', np.zeros(0, dtype=np.float32), ember_dtypes.float32,
        expected='tensor([])',
    ),
    case(
        'empty-int64', np.zeros(0, dtype=np.int64), ember_dtypes.int64,
        expected='tensor([], dtype=ember.int64)',
    ),
    case(
        'empty-int32', np.zeros(0, dtype=np.int32), ember_dtypes.int32,
        expected='tensor([], dtype=ember.int32)',
    ),
    case(
        'empty-bool', np.zeros(0, dtype=np.bool_), ember_dtypes.bool_,
        expected='tensor([], dtype=ember.bool)',
    ),
    case(
        'empty-complex64', np.zeros(0, dtype=np.complex64), ember_dtypes.complex64,
        expected='tensor([], dtype=ember.complex64)',
    ),
    case(
        'empty-0x3', np.zeros((0, 3), dtype=np.float32), ember_dtypes.float32,
        expected='tensor([], size=(0, 3))',
    ),
    case(
        'empty-2x0x4-int32', np.zeros((2, 0, 4), dtype=np.int32), ember_dtypes.int32,
        expected='tensor([], size=(2, 0, 4), dtype=ember.int32)',
    ),
    case(
        'int32', np.array([1, -2, 3], dtype=np.int32), ember_dtypes.int32,
        expected='tensor([ 1, -2,  3], dtype=ember.int32)',
    ),
    case(
        'int8', np.array([-128, 0, 127], dtype=np.int8), ember_dtypes.int8,
        expected='tensor([-128,    0,  127], dtype=ember.int8)',
    ),
    case(
        'uint8', np.array([0, 7, 255], dtype=np.uint8), ember_dtypes.uint8,
        expected='tensor([  0,   7, 255], dtype=ember.uint8)',
    ),
    case(
        'float64', np.array([1.5, 2.0, -0.001]), ember_dtypes.float64,
        expected='tensor([ 1.5000e+00,  2.0000e+00, -1.0000e-03], dtype=ember.float64)',
    ),
    case(
        'float16', np.array([0.1, 2.0, 65504.0], dtype=np.float16), ember_dtypes.float16,
        expected='tensor([9.9976e-02, 2.0000e+00, 6.5504e+04], dtype=ember.float16)',
    ),
    case(
        'float16-integral', np.array([1.0, -2.0], dtype=np.float16), ember_dtypes.float16,
        expected='tensor([ 1., -2.], dtype=ember.float16)',
    ),
    case(
        'bfloat16', np.array([1.5, -2.25, 0.125], dtype=np.float32), ember_dtypes.bfloat16,
        expected='tensor([ 1.5000, -2.2500,  0.1250], dtype=ember.bfloat16)',
    ),
    case(
        'default-f64-float32', np.array([1.5, 2.0], dtype=np.float32), ember_dtypes.float32,
        default=ember_dtypes.float64,
        expected='tensor([1.5000, 2.0000], dtype=ember.float32)',
    ),
    case(
        'default-f64-float64', np.array([1.5, 2.0]), ember_dtypes.float64,
        default=ember_dtypes.float64,
        expected='tensor([1.5000, 2.0000])',
    ),
    case(
        'default-f64-complex64', np.array([1 + 1j], dtype=np.complex64), ember_dtypes.complex64,
        default=ember_dtypes.float64,
        expected='tensor([1.+1.j], dtype=ember.complex64)',
    ),
    case(
        'default-f64-complex128', np.array([1 + 1j]), ember_dtypes.complex128,
        default=ember_dtypes.float64,
        expected='tensor([1.+1.j])',
    ),
    case(
        'default-f64-empty-float32', np.zeros(0, dtype=np.float32), ember_dtypes.float32,
        default=ember_dtypes.float64,
        expected='tensor([], dtype=ember.float32)',
    ),
    case(
        'device', np.array([1.0, 2.0], dtype=np.float32), ember_dtypes.float32,
        device='cuda:0',
        expected="tensor([1., 2.], device='cuda:0')",
    ),
    case(
        'device-scalar', np.array(5), ember_dtypes.int64,
        device='cuda:0',
        expected="tensor(5, device='cuda:0')",
    ),
    case(
        'device-dtype-requires-grad', np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float64), ember_dtypes.float64,
        device='cuda:1', suffixes=[('requires_grad', 'True')],
        expected=(
            'tensor([[1., 2.],\n'
            "        [3., 4.]], device='cuda:1', dtype=ember.float64, requires_grad=True)"
        ),
    ),
    case(
        'device-empty', np.zeros((0, 2), dtype=np.int32), ember_dtypes.int32,
        device='cuda:0',
        expected="tensor([], device='cuda:0', size=(0, 2), dtype=ember.int32)",
    ),
    case(
        'requires-grad', np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32), ember_dtypes.float32,
        suffixes=[('requires_grad', 'True')],
        expected=(
            'tensor([[1., 2.],\n'
            '        [3., 4.]], requires_grad=True)'
        ),
    ),
    case(
        'grad-fn-scalar', np.array(9.0, dtype=np.float32), ember_dtypes.float32,
        suffixes=[('grad_fn', '<PowBackward0>')],
        expected='tensor(9., grad_fn=<PowBackward0>)',
    ),
    case(
        'grad-fn-float64', np.array([0.5, 1.0]), ember_dtypes.float64,
        suffixes=[('grad_fn', '<MulBackward0>')],
        expected='tensor([0.5000, 1.0000], dtype=ember.float64, grad_fn=<MulBackward0>)',
    ),
    case(
        'grad-fn-wraps', np.arange(16, dtype=np.float32).reshape(2, 8) / 3, ember_dtypes.float32,
        suffixes=[('grad_fn', '<MulBackward0>')],
        expected=(
            'tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333],\n'
            '        [2.6667, 3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000]],\n'
            '       grad_fn=<MulBackward0>)'
        ),
    ),
    case(
        'grad-fn-wide-row-wraps', np.arange(10, dtype=np.float32) / 7, ember_dtypes.float32,
        suffixes=[('grad_fn', '<MulBackward0>')],
        expected=(
            'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n'
            '        1.2857], grad_fn=<MulBackward0>)'
        ),
    ),
    # 55 characters + ", grad_fn=<MulBackward0>)" is 80, yet torch wraps: it counts a first
    # line two characters longer than it is (rfind("\n") is -1 there)
    case(
        'grad-fn-wrap-boundary', np.arange(6, dtype=np.float32) / 7, ember_dtypes.float32,
        suffixes=[('grad_fn', '<MulBackward0>')],
        expected=(
            'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143],\n'
            '       grad_fn=<MulBackward0>)'
        ),
    ),
    case(
        '2d-float', np.array([[1.0, -2.5], [300.25, 4.0]], dtype=np.float32), ember_dtypes.float32,
        expected=(
            'tensor([[  1.0000,  -2.5000],\n'
            '        [300.2500,   4.0000]])'
        ),
    ),
    case(
        '3d', np.arange(24).reshape(2, 3, 4), ember_dtypes.int64,
        expected=(
            'tensor([[[ 0,  1,  2,  3],\n'
            '         [ 4,  5,  6,  7],\n'
            '         [ 8,  9, 10, 11]],\n'
            '\n'
            '        [[12, 13, 14, 15],\n'
            '         [16, 17, 18, 19],\n'
            '         [20, 21, 22, 23]]])'
        ),
    ),
    case(
        '4d', np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2), ember_dtypes.float32,
        expected=(
            'tensor([[[[ 0.,  1.],\n'
            '          [ 2.,  3.]],\n'
            '\n'
            '         [[ 4.,  5.],\n'
            '          [ 6.,  7.]]],\n'
            '\n'
            '\n'
            '        [[[ 8.,  9.],\n'
            '          [10., 11.]],\n'
            '\n'
            '         [[12., 13.],\n'
            '          [14., 15.]]]])'
        ),
    ),
    case(
        'size-1-dims', np.arange(3).reshape(1, 3, 1), ember_dtypes.int64,
        expected=(
            'tensor([[[0],\n'
            '         [1],\n'
            '         [2]]])'
        ),
    ),
    case(
        'summarise-arange-2000', np.arange(2000), ember_dtypes.int64,
        expected='tensor([   0,    1,    2,  ..., 1997, 1998, 1999])',
    ),
    case(
        'summarise-100x100', (np.arange(10000, dtype=np.float32) / 100).reshape(100, 100), ember_dtypes.float32,
        expected=(
            'tensor([[0.0000e+00, 1.0000e-02, 2.0000e-02,  ..., 9.7000e-01, 9.8000e-01,\n'
            '         9.9000e-01],\n'
            '        [1.0000e+00, 1.0100e+00, 1.0200e+00,  ..., 1.9700e+00, 1.9800e+00,\n'
            '         1.9900e+00],\n'
            '        [2.0000e+00, 2.0100e+00, 2.0200e+00,  ..., 2.9700e+00, 2.9800e+00,\n'
            '         2.9900e+00],\n'
            '        ...,\n'
            '        [9.7000e+01, 9.7010e+01, 9.7020e+01,  ..., 9.7970e+01, 9.7980e+01,\n'
            '         9.7990e+01],\n'
            '        [9.8000e+01, 9.8010e+01, 9.8020e+01,  ..., 9.8970e+01, 9.8980e+01,\n'
            '         9.8990e+01],\n'
            '        [9.9000e+01, 9.9010e+01, 9.9020e+01,  ..., 9.9970e+01, 9.9980e+01,\n'
            '         9.9990e+01]])'
        ),
    ),
    case(
        'summarise-only-first-dim', np.arange(2002).reshape(1001, 2), ember_dtypes.int64,
        expected=(
            'tensor([[   0,    1],\n'
            '        [   2,    3],\n'
            '        [   4,    5],\n'
            '        ...,\n'
            '        [1996, 1997],\n'
            '        [1998, 1999],\n'
            '        [2000, 2001]])'
        ),
    ),
    case(
        'summarise-3d', np.arange(1200).reshape(10, 10, 12), ember_dtypes.int64,
        expected=(
            'tensor([[[   0,    1,    2,  ...,    9,   10,   11],\n'
            '         [  12,   13,   14,  ...,   21,   22,   23],\n'
            '         [  24,   25,   26,  ...,   33,   34,   35],\n'
            '         ...,\n'
            '         [  84,   85,   86,  ...,   93,   94,   95],\n'
            '         [  96,   97,   98,  ...,  105,  106,  107],\n'
            '         [ 108,  109,  110,  ...,  117,  118,  119]],\n'
            '\n'
            '        [[ 120,  121,  122,  ...,  129,  130,  131],\n'
            '         [ 132,  133,  134,  ...,  141,  142,  143],\n'
            '         [ 144,  145,  146,  ...,  153,  154,  155],\n'
            '         ...,\n'
            '         [ 204,  205,  206,  ...,  213,  214,  215],\n'
            '         [ 216,  217,  218,  ...,  225,  226,  227],\n'
            '         [ 228,  229,  230,  ...,  237,  238,  239]],\n'
            '\n'
            '        [[ 240,  241,  242,  ...,  249,  250,  251],\n'
            '         [ 252,  253,  254,  ...,  261,  262,  263],\n'
            '         [ 264,  265,  266,  ...,  273,  274,  275],\n'
            '         ...,\n'
            '         [ 324,  325,  326,  ...,  333,  334,  335],\n'
            '         [ 336,  337,  338,  ...,  345,  346,  347],\n'
            '         [ 348,  349,  350,  ...,  357,  358,  359]],\n'
            '\n'
            '        ...,\n'
            '\n'
            '        [[ 840,  841,  842,  ...,  849,  850,  851],\n'
            '         [ 852,  853,  854,  ...,  861,  862,  863],\n'
            '         [ 864,  865,  866,  ...,  873,  874,  875],\n'
            '         ...,\n'
            '         [ 924,  925,  926,  ...,  933,  934,  935],\n'
            '         [ 936,  937,  938,  ...,  945,  946,  947],\n'
            '         [ 948,  949,  950,  ...,  957,  958,  959]],\n'
            '\n'
            '        [[ 960,  961,  962,  ...,  969,  970,  971],\n'
            '         [ 972,  973,  974,  ...,  981,  982,  983],\n'
            '         [ 984,  985,  986,  ...,  993,  994,  995],\n'
            '         ...,\n'
            '         [1044, 1045, 1046,  ..., 1053, 1054, 1055],\n'
            '         [1056, 1057, 1058,  ..., 1065, 1066, 1067],\n'
            '         [1068, 1069, 1070,  ..., 1077, 1078, 1079]],\n'
            '\n'
            '        [[1080, 1081, 1082,  ..., 1089, 1090, 1091],\n'
            '         [1092, 1093, 1094,  ..., 1101, 1102, 1103],\n'
            '         [1104, 1105, 1106,  ..., 1113, 1114, 1115],\n'
            '         ...,\n'
            '         [1164, 1165, 1166,  ..., 1173, 1174, 1175],\n'
            '         [1176, 1177, 1178,  ..., 1185, 1186, 1187],\n'
            '         [1188, 1189, 1190,  ..., 1197, 1198, 1199]]])'
        ),
    ),
    case(
        'summarise-widths-from-shown-values', np.concatenate([[0.5], np.ones(1000), [2.0]]).astype(np.float32), ember_dtypes.float32,
        expected='tensor([0.5000, 1.0000, 1.0000,  ..., 1.0000, 1.0000, 2.0000])',
    ),
    case(
        'summarise-middle-ints-ignored', np.concatenate([np.arange(3), [-100000], np.arange(2000)]), ember_dtypes.int64,
        expected='tensor([   0,    1,    2,  ..., 1997, 1998, 1999])',
    ),
    case(
        'summarise-middle-floats-ignored', np.concatenate([np.ones(3), [1.0e-9], np.full(1000, 2.5)]).astype(np.float32), ember_dtypes.float32,
        expected='tensor([1.0000, 1.0000, 1.0000,  ..., 2.5000, 2.5000, 2.5000])',
    ),
    case(
        'summarise-2d-middle-ignored', np.arange(2500).reshape(50, 50) % 1000, ember_dtypes.int64,
        expected=(
            'tensor([[  0,   1,   2,  ...,  47,  48,  49],\n'
            '        [ 50,  51,  52,  ...,  97,  98,  99],\n'
            '        [100, 101, 102,  ..., 147, 148, 149],\n'
            '        ...,\n'
            '        [350, 351, 352,  ..., 397, 398, 399],\n'
            '        [400, 401, 402,  ..., 447, 448, 449],\n'
            '        [450, 451, 452,  ..., 497, 498, 499]])'
        ),
    ),
    case(
        'summarise-complex', (np.arange(1001) * (1 + 1j)).astype(np.complex64), ember_dtypes.complex64,
        expected=(
            'tensor([   0.+0.j,    1.+1.j,    2.+2.j,  ...,  998.+998.j,\n'
            '         999.+999.j, 1000.+1000.j])'
        ),
    ),
    case(
        'wrap-30-floats', np.linspace(0, 1, 30, dtype=np.float32), ember_dtypes.float32,
        expected=(
            'tensor([0.0000, 0.0345, 0.0690, 0.1034, 0.1379, 0.1724, 0.2069, 0.2414, 0.2759,\n'
            '        0.3103, 0.3448, 0.3793, 0.4138, 0.4483, 0.4828, 0.5172, 0.5517, 0.5862,\n'
            '        0.6207, 0.6552, 0.6897, 0.7241, 0.7586, 0.7931, 0.8276, 0.8621, 0.8966,\n'
            '        0.9310, 0.9655, 1.0000])'
        ),
    ),
    case(
        'wrap-2d-rows', np.linspace(-1, 1, 40, dtype=np.float32).reshape(2, 20), ember_dtypes.float32,
        expected=(
            'tensor([[-1.0000, -0.9487, -0.8974, -0.8462, -0.7949, -0.7436, -0.6923, -0.6410,\n'
            '         -0.5897, -0.5385, -0.4872, -0.4359, -0.3846, -0.3333, -0.2821, -0.2308,\n'
            '         -0.1795, -0.1282, -0.0769, -0.0256],\n'
            '        [ 0.0256,  0.0769,  0.1282,  0.1795,  0.2308,  0.2821,  0.3333,  0.3846,\n'
            '          0.4359,  0.4872,  0.5385,  0.5897,  0.6410,  0.6923,  0.7436,  0.7949,\n'
            '          0.8462,  0.8974,  0.9487,  1.0000]])'
        ),
    ),
    case(
        'wrap-ints', np.arange(40) * 1000, ember_dtypes.int64,
        expected=(
            'tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n'
            '        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n'
            '        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n'
            '        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000])'
        ),
    ),
    case(
        'wrap-complex', np.linspace(0, 1, 12).astype(np.complex64) * (1 - 1j), ember_dtypes.complex64,
        expected=(
            'tensor([0.0000+0.0000j, 0.0909-0.0909j, 0.1818-0.1818j, 0.2727-0.2727j,\n'
            '        0.3636-0.3636j, 0.4545-0.4545j, 0.5455-0.5455j, 0.6364-0.6364j,\n'
            '        0.7273-0.7273j, 0.8182-0.8182j, 0.9091-0.9091j, 1.0000-1.0000j])'
        ),
    ),
    case(
        'precision-2', np.array([1.12345, -2.5], dtype=np.float32), ember_dtypes.float32,
        options={'precision': 2},
        expected='tensor([ 1.12, -2.50])',
    ),
    case(
        'precision-2-sci', np.array([1.0e-5, 1.0], dtype=np.float32), ember_dtypes.float32,
        options={'precision': 2},
        expected='tensor([1.00e-05, 1.00e+00])',
    ),
    case(
        'precision-0', np.array([1.5, 2.25], dtype=np.float32), ember_dtypes.float32,
        options={'precision': 0},
        expected='tensor([2, 2])',
    ),
    case(
        'sci-mode-false', np.array([1.0e-5, 1.0], dtype=np.float32), ember_dtypes.float32,
        options={'sci_mode': False},
        expected='tensor([0.0000, 1.0000])',
    ),
    case(
        'sci-mode-false-large', np.array([1.0e10, 1.0], dtype=np.float32), ember_dtypes.float32,
        options={'sci_mode': False},
        expected='tensor([10000000000.,           1.])',
    ),
    case(
        'sci-mode-true', np.array([1.5, 2.0], dtype=np.float32), ember_dtypes.float32,
        options={'sci_mode': True},
        expected='tensor([1.5000e+00, 2.0000e+00])',
    ),
    case(
        'threshold-5', np.arange(10), ember_dtypes.int64,
        options={'threshold': 5},
        expected='tensor([0, 1, 2,  ..., 7, 8, 9])',
    ),
    case(
        'edgeitems-1', np.arange(100).reshape(10, 10), ember_dtypes.int64,
        options={'threshold': 10, 'edgeitems': 1},
        expected=(
            'tensor([[ 0,  ...,  9],\n'
            '        ...,\n'
            '        [90,  ..., 99]])'
        ),
    ),
    case(
        'edgeitems-0', np.arange(100).reshape(10, 10), ember_dtypes.int64,
        options={'threshold': 10, 'edgeitems': 0},
        expected='tensor([...], size=(10, 10))',
    ),
    case(
        'edgeitems-0-small', np.arange(4), ember_dtypes.int64,
        options={'edgeitems': 0},
        expected='tensor([0, 1, 2, 3], size=(4,))',
    ),
    case(
        'linewidth-30', np.arange(20), ember_dtypes.int64,
        options={'linewidth': 30},
        expected=(
            'tensor([ 0,  1,  2,  3,  4,\n'
            '         5,  6,  7,  8,  9,\n'
            '        10, 11, 12, 13, 14,\n'
            '        15, 16, 17, 18, 19])'
        ),
    ),
    case(
        'linewidth-narrower-than-one-item', np.arange(3) * 1000, ember_dtypes.int64,
        options={'linewidth': 5},
        expected=(
            'tensor([   0,\n'
            '        1000,\n'
            '        2000])'
        ),
    ),
    case(
        'profile-short', np.linspace(0, 1, 2000, dtype=np.float32), ember_dtypes.float32,
        options={'profile': 'short'},
        expected='tensor([0.00e+00, 5.00e-04,  ..., 9.99e-01, 1.00e+00])',
    ),
    case(
        'parameter-prefix', np.ones((2, 2), dtype=np.float32), ember_dtypes.float32,
        suffixes=[('requires_grad', 'True')], prefix='Parameter containing:\ntensor(',
        expected=(
            'Parameter containing:\n'
            'tensor([[1., 1.],\n'
            '        [1., 1.]], requires_grad=True)'
        ),
    ),
]


@pytest.mark.parametrize(("values", "dt", "settings", "expected"), CASES)
def test_format_matches_torch(
    values: np.ndarray, dt: ember_dtypes.dtype, settings: dict[str, Any], expected: str
) -> None:
    set_printoptions(**settings["options"])
    if settings["default"] is not None:
        ember_dtypes.set_default_dtype(settings["default"])
    text = format_tensor(
        values, dt, device(settings["device"]), settings["suffixes"], prefix=settings["prefix"]
    )
    assert text == expected


def test_format_does_not_change_with_default_dtype_restored() -> None:
    ember_dtypes.set_default_dtype(ember_dtypes.float64)
    values = np.array([1.5, 2.0], dtype=np.float32)
    assert format_tensor(values, ember_dtypes.float32, device("cpu")) == (
        "tensor([1.5000, 2.0000], dtype=ember.float32)"
    )
    ember_dtypes.set_default_dtype(ember_dtypes.float32)
    assert format_tensor(values, ember_dtypes.float32, device("cpu")) == "tensor([1.5000, 2.0000])"


def test_get_printoptions_defaults() -> None:
    assert get_printoptions() == DEFAULTS


@pytest.mark.parametrize(
    ("profile", "changed"),
    [
        ("default", {}),
        ("short", {"precision": 2, "edgeitems": 2}),
        ("full", {"threshold": float("inf")}),
    ],
)
def test_profiles(profile: str, changed: dict[str, Any]) -> None:
    set_printoptions(precision=7, edgeitems=5)
    set_printoptions(profile=profile)
    assert get_printoptions() == {**DEFAULTS, **changed}


def test_explicit_options_override_profile() -> None:
    set_printoptions(profile="short", precision=6)
    assert get_printoptions()["precision"] == 6
    assert get_printoptions()["edgeitems"] == 2


def test_any_call_resets_sci_mode_like_torch() -> None:
    set_printoptions(sci_mode=False)
    assert get_printoptions()["sci_mode"] is False
    set_printoptions(precision=4)
    assert get_printoptions()["sci_mode"] is None


def test_set_printoptions_round_trips_get_printoptions() -> None:
    set_printoptions(precision=2, threshold=10, edgeitems=1, linewidth=60, sci_mode=True)
    saved = get_printoptions()
    set_printoptions(profile="default")
    set_printoptions(**saved)
    assert get_printoptions() == saved


def test_unknown_profile_is_an_error() -> None:
    # torch silently ignores a misspelt profile; ember names the choices instead
    with pytest.raises(ValueError, match="'default', 'short', 'full'"):
        set_printoptions(profile="ful")


def test_printoptions_context_manager_restores() -> None:
    values = np.array([1.12345], dtype=np.float32)
    with printoptions(precision=2):
        assert format_tensor(values, ember_dtypes.float32, device("cpu")) == "tensor([1.12])"
    assert get_printoptions() == DEFAULTS
    assert format_tensor(values, ember_dtypes.float32, device("cpu")) == "tensor([1.1235])"


def test_profile_full_never_summarises() -> None:
    values = np.arange(1001) % 10
    set_printoptions(profile="full")
    text = format_tensor(values, ember_dtypes.int64, device("cpu"))
    assert "..." not in text
    assert text.count(",") == 1000


def test_summarised_print_reads_only_the_edges() -> None:
    # a huge tensor must not be formatted element by element
    values = np.zeros((2000, 2000), dtype=np.float32)
    text = format_tensor(values, ember_dtypes.float32, device("cpu"))
    assert text.splitlines()[0] == "tensor([[0., 0., 0.,  ..., 0., 0., 0.],"
    assert len(text.splitlines()) == 7
