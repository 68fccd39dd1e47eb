"""nn.utils.rnn: pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence,
unpad/unpack_sequence and PackedSequence against NumPy references, gradients and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
from ember.autograd import gradcheck
from ember.nn.utils.rnn import (
    PackedSequence,
    invert_permutation,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

DTYPES = {"float32": ember.float32, "float64": ember.float64, "int64": ember.int64, "int32": ember.int32}


def np_pack(x, lengths, batch_first):
    """Time-major packing by the definition: step t of each sequence still running, longest first."""
    x = x.swapaxes(0, 1) if batch_first else x
    order = sorted(range(len(lengths)), key=lambda b: -lengths[b])  # stable, as ours
    rows, sizes = [], []
    for t in range(max(lengths)):
        live = [b for b in order if lengths[b] > t]
        sizes.append(len(live))
        rows += [x[t, b] for b in live]
    return np.stack(rows), sizes, order


def np_pad(seqs, batch_first, value, side="right", steps=None):
    steps = max(len(s) for s in seqs) if steps is None else steps
    out = np.full((len(seqs), steps, *seqs[0].shape[1:]), value, dtype=seqs[0].dtype)
    for b, s in enumerate(seqs):
        if side == "right":
            out[b, : len(s)] = s
        else:
            out[b, steps - len(s):] = s
    return out if batch_first else out.swapaxes(0, 1)


def layout(a, kind):
    """The array as an ember tensor, contiguous or as a non-contiguous view of the same values."""
    if kind == "strided":
        return ember.from_numpy(np.repeat(a, 2, axis=0).copy())[::2]
    if kind == "transposed" and a.ndim >= 2:
        return ember.from_numpy(np.ascontiguousarray(np.swapaxes(a, 0, 1))).transpose(0, 1)
    return ember.from_numpy(a.copy())


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4), extra=st.integers(0, 2),
       feat=st.sampled_from([(), (2,), (2, 3)]), batch_first=st.booleans(), enforce_sorted=st.booleans(),
       dtype=st.sampled_from(list(DTYPES)), kind=st.sampled_from(["contiguous", "transposed", "strided"]))
def test_pack_pad_roundtrip(lengths, extra, feat, batch_first, enforce_sorted, dtype, kind):
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    steps, batch = max(lengths) + extra, len(lengths)
    shape = (batch, steps, *feat) if batch_first else (steps, batch, *feat)
    x_np = (np.random.default_rng(0).standard_normal(shape) * 10).astype(dtype)
    x = layout(x_np, kind)
    packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    data, sizes, order = np_pack(x_np, lengths, batch_first)
    assert isinstance(packed, PackedSequence)
    np.testing.assert_array_equal(packed.data.numpy(), data)
    assert packed.data.dtype == DTYPES[dtype]
    assert packed.batch_sizes.tolist() == sizes and packed.batch_sizes.dtype == ember.int64
    if enforce_sorted:
        assert packed.sorted_indices is None and packed.unsorted_indices is None
    else:
        assert packed.sorted_indices.tolist() == order
        assert packed.sorted_indices[packed.unsorted_indices].tolist() == list(range(batch))
    padded, lens = pad_packed_sequence(packed, batch_first=batch_first, padding_value=-7,
                                       total_length=steps)
    assert lens.tolist() == lengths and lens.dtype == ember.int64
    seqs = [(x_np[b] if batch_first else x_np[:, b])[:n] for b, n in enumerate(lengths)]
    np.testing.assert_array_equal(padded.numpy(), np_pad(seqs, batch_first, -7, steps=steps))
    for got, want in zip(unpack_sequence(packed), seqs, strict=True):
        np.testing.assert_array_equal(got.numpy(), want)


@settings(max_examples=30, deadline=None)
@given(lengths=st.lists(st.integers(0, 4), min_size=1, max_size=4), feat=st.sampled_from([(), (3,)]),
       batch_first=st.booleans(), side=st.sampled_from(["left", "right"]),
       dtype=st.sampled_from(list(DTYPES)), kind=st.sampled_from(["contiguous", "strided"]),
       value=st.sampled_from([0.0, -1.0, 2.5]))
def test_pad_sequence(lengths, feat, batch_first, side, dtype, kind, value):
    rng = np.random.default_rng(1)
    seqs = [(rng.standard_normal((n, *feat)) * 10).astype(dtype) for n in lengths]
    got = pad_sequence([layout(s, kind) if len(s) else ember.from_numpy(s) for s in seqs],
                       batch_first=batch_first, padding_value=value, padding_side=side)
    want = np_pad(seqs, batch_first, value, side)
    assert got.dtype == DTYPES[dtype]
    np.testing.assert_array_equal(got.numpy(), want)
    if max(lengths) > 0:
        back = unpad_sequence(got, ember.tensor(lengths), batch_first=batch_first) if side == "right" else []
        for g, s in zip(back, seqs, strict=False):
            np.testing.assert_array_equal(g.numpy(), s)


def test_pad_sequence_of_a_tensor_and_pack_sequence():
    np.testing.assert_array_equal(pad_sequence(ember.ones(2, 3)).numpy(), np.ones((3, 2)))
    p = pack_sequence([ember.tensor([1.0]), ember.tensor([2.0, 3.0, 4.0])], enforce_sorted=False)
    assert p.data.tolist() == [2.0, 1.0, 3.0, 4.0] and p.batch_sizes.tolist() == [2, 1, 1]
    assert p.sorted_indices.tolist() == [1, 0] and p.unsorted_indices.tolist() == [1, 0]
    assert repr(pack_sequence([ember.tensor([1.0, 2.0])])) == (
        "PackedSequence(data=tensor([1., 2.]), batch_sizes=tensor([1, 1]), sorted_indices=None, "
        "unsorted_indices=None)")


def test_gradients_flow_through_pack_and_pad():
    x = ember.randn(4, 3, 2, dtype=ember.float64, requires_grad=True)

    def f(x):
        return pad_packed_sequence(pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False), padding_value=3.0)[0]

    assert gradcheck(f, (x,))
    seqs = [ember.randn(n, 2, dtype=ember.float64, requires_grad=True) for n in (3, 1, 2)]
    assert gradcheck(lambda *s: pad_sequence(list(s), padding_side="left"), tuple(seqs))
    pad_packed_sequence(pack_sequence(seqs, enforce_sorted=False))[0].sum().backward()
    for s in seqs:
        np.testing.assert_array_equal(s.grad.numpy(), np.ones(tuple(s.shape)))


def test_packed_sequence_methods():
    p = pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    assert p.double().data.dtype == ember.float64 and p.double().batch_sizes.tolist() == [2, 1, 1]
    assert p.to(ember.float32) is p
    assert p.long().data.dtype == ember.int64 and p.half().data.dtype == ember.float16
    assert p.cpu().data.device.type == "cpu" and not p.is_cuda and not p.is_pinned()
    data, batch_sizes, sorted_indices, unsorted_indices = p  # a named tuple, as torch's
    assert data is p.data and batch_sizes is p.batch_sizes
    assert sorted_indices is None and unsorted_indices is None
    q = PackedSequence(ember.ones(3), ember.tensor([2, 1]), ember.tensor([1, 0]))
    assert q.unsorted_indices.tolist() == [1, 0]
    assert invert_permutation(ember.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert invert_permutation(None) is None


def test_rnn_accepts_pack_sequence_output():
    lstm = nn.LSTM(2, 3)
    p = pack_sequence([ember.randn(4, 2), ember.randn(2, 2)])
    out, (h, c) = lstm(p)
    assert isinstance(out, PackedSequence) and tuple(out.data.shape) == (6, 3)
    assert out.batch_sizes.tolist() == [2, 2, 1, 1] and tuple(h.shape) == tuple(c.shape) == (1, 2, 3)


def test_errors():
    x = ember.randn(4, 3, 1)
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order when `enforce_sorted`"):
        pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [4, 0, 1], enforce_sorted=False)
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3\)"):
        pack_padded_sequence(x, [4, 2])
    with pytest.raises(RuntimeError, match="'lengths' argument should be a 1D CPU int64 tensor, but got 2D"):
        pack_padded_sequence(x, ember.tensor([[4, 2, 1]]))
    with pytest.raises(RuntimeError, match="a length of 5 exceeds the 4 time steps of input"):
        pack_padded_sequence(x, [5, 2, 1])
    p = pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest sequence "
                                         "in input, but got total_length=2 and max sequence length being 4"):
        pad_packed_sequence(p, total_length=2)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match=r"Expected padding_side to be one of left or right, but got x\."):
        pad_sequence([ember.ones(2)], padding_side="x")
    with pytest.raises(RuntimeError, match=r"sequence 1 has shape \(3, 3\)"):
        pad_sequence([ember.ones(2, 2), ember.ones(3, 3)])
