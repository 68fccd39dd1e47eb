"""Variable-length sequences for the recurrent layers, as ``torch.nn.utils.rnn``.

``PackedSequence`` holds the rows of a batch of sequences time step by time step, longest first,
so an RNN runs each step on just the sequences still going. Padding, packing and unpacking are
each one gather (``index_select``) with an index built by tensor ops, so they are differentiable
and free of Python loops over time steps or batch items.

>>> import ember
>>> from ember.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([ember.tensor([1., 2., 3.]), ember.tensor([4.])])
>>> packed.batch_sizes
tensor([2, 1, 1])
>>> pad_packed_sequence(packed, batch_first=True)[0]
tensor([[1., 2., 3.],
        [4., 0., 0.]])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

import ember
from ember import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    out = ember.empty_like(permutation)
    out[permutation] = ember.arange(permutation.numel(), dtype=permutation.dtype, device=permutation.device)
    return out


class PackedSequence(_PackedSequenceFields):
    """Data and ``batch_sizes`` of a packed batch of sequences (a named tuple, as in torch).

    ``data`` (sum of lengths, *) holds step 0 of every sequence, then step 1 of those still going,
    and so on; ``batch_sizes[t]`` counts the sequences at step ``t``. ``sorted_indices`` maps
    packed order to the caller's batch order (None when the input was already sorted).
    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise TypeError("PackedSequence(): batch_sizes is required; build packed sequences with "
                            "pack_padded_sequence() or pack_sequence()")
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                             "created manually. They should be instantiated by functions like pack_sequence and "
                             "pack_padded_sequences in nn.utils.rnn. "
                             "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)``; the index tensors follow ``data`` to its device (batch_sizes stays on CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        return type(self)(data, self.batch_sizes,
                          None if self.sorted_indices is None else self.sorted_indices.to(dev),
                          None if self.unsorted_indices is None else self.unsorted_indices.to(dev))

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Move ``data`` (and the indices) to a CUDA device."""
        return self.to(*args, device="cuda", **kwargs) if not args else self.to(*args, **kwargs)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Move ``data`` (and the indices) to the CPU."""
        return self.to(*args, device="cpu", **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=ember.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=ember.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=ember.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=ember.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=ember.int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=ember.int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=ember.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=ember.uint8)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` lives on a CUDA device."""
        return bool(self.data.is_cuda)

    def is_pinned(self) -> bool:
        """Always False: Ember has no pinned host memory."""
        return False


def _lengths_list(lengths: Any, op: str) -> list[int]:
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D "
                               f"{lengths.device.type} {lengths.dtype} tensor")
        lengths = lengths.tolist()
    try:
        return [int(n) for n in lengths]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{op}(): lengths must be a 1-D tensor or a sequence of ints, got {lengths!r}") from exc


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``input`` (T, B, *) (``batch_first``: (B, T, *)) of sequences of ``lengths``.

    With ``enforce_sorted`` the lengths must be non-increasing; otherwise the batch is sorted
    here and the permutation kept in ``sorted_indices``.
    """
    lens = _lengths_list(lengths, "pack_padded_sequence")
    batch_dim = 0 if batch_first else 1
    if input.dim() < 2:
        raise RuntimeError(f"pack_padded_sequence(): expected input with at least 2 dimensions (time and batch), "
                           f"got {input.dim()}-D input")
    batch = input.size(batch_dim)
    if len(lens) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} "
                           f"(batch_size={batch})")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in pairwise(lens)):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                "if you do not need ONNX exportability.")
    else:
        sorted_indices = ember.tensor(lens, dtype=ember.int64).sort(descending=True, stable=True).indices
        lens = [lens[i] for i in sorted_indices.tolist()]
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(batch_dim, sorted_indices)
    if lens and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    steps = input.size(1 - batch_dim)
    if lens and lens[0] > steps:
        raise RuntimeError(f"pack_padded_sequence(): a length of {lens[0]} exceeds the {steps} time steps of input")
    x = input.transpose(0, 1) if batch_first else input
    longest = lens[0] if lens else 0
    mask = ember.arange(longest)[:, None] < ember.tensor(lens, dtype=ember.int64)[None, :]  # (T, B), t-major
    batch_sizes = mask.sum(1)
    rows = x[:longest].reshape(longest * batch, *x.shape[2:])
    index = mask.flatten().nonzero().flatten().to(input.device)
    return PackedSequence(rows.index_select(0, index), batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: the padded batch (T, B, *) and the int64 lengths (B,).

    ``total_length`` pads the time dimension to that many steps (at least the longest sequence).
    """
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = batch_sizes.tolist()
    steps, batch = len(sizes), (sizes[0] if sizes else 0)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    lengths = (batch_sizes[None, :] > ember.arange(batch)[:, None]).sum(1)  # (B,) in packed (sorted) order
    mask = (ember.arange(steps)[:, None] < lengths[None, :]).flatten()
    # Each padded slot reads its packed row, or the one padding row appended after the data.
    index = ember.where(mask, mask.cumsum(0) - 1, data.shape[0]).to(data.device)
    pad = ember.full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = ember.cat([data, pad]).index_select(0, index).view(steps, batch, *data.shape[1:])
    if unsorted_indices is not None:
        padded = padded.index_select(1, unsorted_indices)
        lengths = lengths.index_select(0, unsorted_indices.to(lengths.device))
    return (padded.transpose(0, 1) if batch_first else padded), lengths


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) (``batch_first``: (B, T, *)), T = max L_i.

    ``padding_side`` 'right' puts the padding after each sequence, 'left' before it.
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    seqs = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(seqs[0].shape[1:])
    for i, s in enumerate(seqs):
        if s.dim() == 0 or tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence(): every sequence needs the shape (L, *{trailing}) of sequence 0, "
                               f"but sequence {i} has shape {tuple(s.shape)}")
    device = seqs[0].device
    lens = ember.tensor([s.shape[0] for s in seqs], dtype=ember.int64)
    data = ember.cat(seqs)
    t = ember.arange(int(lens.max().item()))[None, :]  # (1, T) against (B, 1)
    starts = (lens.cumsum(0) - lens)[:, None]
    if padding_side == "right":
        index = ember.where(t < lens[:, None], starts + t, data.shape[0])
    else:
        shift = t.shape[1] - lens[:, None]
        index = ember.where(t >= shift, starts + t - shift, data.shape[0])
    if not batch_first:
        index = index.t()
    pad = ember.full((1, *trailing), padding_value, dtype=data.dtype, device=device)
    return ember.cat([data, pad]).index_select(0, index.flatten().to(device)).view(*index.shape, *trailing)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *); with ``enforce_sorted`` they must come longest first."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor | Iterable[int], batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its list of sequences (L_i, *)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_list(lengths, "unpad_sequence")
    return [padded_sequences[b, :n] for b, n in enumerate(lens)]  # a list out: one view per sequence


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences held in ``packed_sequences``, in the caller's original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
