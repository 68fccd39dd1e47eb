"""DLPack exchange with PyTorch: zero-copy both ways, strides and dtypes preserved."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import ember  # noqa: E402

PAIRS = [(ember.float32, torch.float32), (ember.float64, torch.float64), (ember.int64, torch.int64),
         (ember.int32, torch.int32), (ember.uint8, torch.uint8), (ember.bool, torch.bool),
         (ember.float16, torch.float16), (ember.complex64, torch.complex64)]


@pytest.mark.parametrize(("edt", "tdt"), PAIRS, ids=[p[0].name for p in PAIRS])
def test_torch_to_ember_and_back_share_memory(edt: ember.dtype, tdt: object) -> None:
    src = torch.zeros(2, 3, dtype=tdt).t()
    e = ember.from_dlpack(src)
    assert e.dtype is edt and e.shape == (3, 2) and e.stride() == src.stride()
    assert e.data_ptr() == src.data_ptr()
    back = torch.from_dlpack(e)
    assert back.dtype == tdt and back.data_ptr() == src.data_ptr() and back.stride() == src.stride()


def test_writes_are_visible_across() -> None:
    src = torch.arange(4.0)
    e = ember.from_dlpack(src)
    e[1] = 10
    src[2] = 20
    assert src.tolist() == [0.0, 10.0, 20.0, 3.0] and e.tolist() == [0.0, 10.0, 20.0, 3.0]
