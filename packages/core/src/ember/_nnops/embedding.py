"""Embeddings: ``embedding``, ``embedding_bag`` and ``one_hot`` with ``torch.nn.functional``'s
signatures and errors. Lookups call the optional-tier kernels of
:mod:`ember.backends.reference.embedding`; ``one_hot`` is a comparison against ``arange``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ember import _dtypes as D
from ember._dispatch import install as _dispatch_install
from ember._nnops.activation import check_tensor
from ember._special_cases import tname
from ember._tensor_base import TensorBase, bump_version, check_same_device, check_writable, like
from ember.backends._optional import kernel

if TYPE_CHECKING:
    from ember._tensor import Tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _indices(input: TensorBase, op: str) -> Any:
    """``input``'s indices as int64 (PyTorch takes int32 and int64)."""
    if input._dtype not in (D.int64, D.int32):
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {tname(input._dtype)} instead (while checking arguments for {op})"
        )
    data = input._data
    return data if input._dtype is D.int64 else input._backend.astype(data, D.int64)


def _bounds(bk: Any, idx: Any, n: int) -> None:
    if idx.size and (bk.item(bk.min(idx, None, False)) < 0 or bk.item(bk.max(idx, None, False)) >= n):
        raise IndexError("index out of range in self")


def _padding_idx(padding_idx: int | None, n: int) -> int | None:
    if padding_idx is None:
        return None
    # PyTorch asserts these (AssertionError); raised explicitly so that python -O keeps the check.
    if padding_idx >= n or padding_idx < -n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + n if padding_idx < 0 else padding_idx


def _weight(weight: Any, input: TensorBase, op: str) -> None:
    check_tensor(weight, op, "weight", 2)
    check_same_device(op, (input, weight))
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")


def _renorm(weight: TensorBase, idx: Any, max_norm: float | None, norm_type: float) -> None:
    """``max_norm``: rescale, in place, the rows that are looked up, as PyTorch does."""
    if max_norm is None or not idx.size:
        return
    check_writable(weight, "embedding_renorm_")
    kernel(weight._backend, "embedding_renorm_")(weight._data, idx, float(max_norm), float(norm_type))
    bump_version(weight)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer ``input``: shape ``input.shape + (embedding_dim,)``.

    ``max_norm`` renormalizes the looked-up rows of ``weight`` in place; ``padding_idx`` and
    ``scale_grad_by_freq`` only shape the gradient. Ember has no sparse tensors, so ``sparse=True``
    gives the same (dense) result.

    >>> ember.embedding(ember.tensor([1]), ember.tensor([[0.0, 0.0], [1.0, 2.0]]))
    tensor([[1., 2.]])
    """
    check_tensor(input, "embedding")
    _weight(weight, input, "embedding")
    n = weight._data.shape[0]
    _padding_idx(padding_idx, n)
    bk = input._backend
    idx = _indices(input, "embedding")
    _bounds(bk, idx, n)
    _renorm(weight, idx, max_norm, norm_type)
    return like(weight, kernel(bk, "embedding")(weight._data, idx))


_MODES = ("sum", "mean", "max")


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima of bags of embeddings, without materializing the lookups' full result.

    1-D ``input`` is split into bags at ``offsets``; 2-D ``input`` is one bag per row. Empty bags give
    zeros; lookups of ``padding_idx`` are skipped.

    >>> w = ember.tensor([[1.0], [2.0], [4.0]])
    >>> ember.embedding_bag(ember.tensor([0, 1, 2]), w, ember.tensor([0, 2]), mode="sum")
    tensor([[3.],
            [4.]])
    """
    check_tensor(input, "embedding_bag")
    _weight(weight, input, "embedding_bag")
    if per_sample_weights is not None:
        check_tensor(per_sample_weights, "embedding_bag", "per_sample_weights")
        if tuple(per_sample_weights._data.shape) != tuple(input._data.shape):
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must have "
                f"the same shape as the input ({input.shape})"
            )
    bk = input._backend
    n, ndim = weight._data.shape[0], input._data.ndim
    if ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                f"sequences. However, found offsets of type {type(offsets).__name__}"
            )
        rows, length = input._data.shape
        offs = bk.multiply(bk.arange(0, rows, 1, D.int64, input._device.index), length)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        check_tensor(offsets, "embedding_bag", "offsets", 3)
        if offsets._data.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = _indices(offsets, "embedding_bag")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    idx = _indices(input, "embedding_bag")
    length = idx.shape[0]
    if offs.shape[0]:
        first, last = bk.item(bk.getitem(offs, (0,))), bk.item(bk.getitem(offs, (-1 + offs.shape[0],)))
        if first != 0:
            raise RuntimeError(
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
                f"However, got {first}"
            )
        if last > length:
            raise RuntimeError(
                f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] of {last}"
            )
        if offs.shape[0] > 1 and bk.item(bk.any(bk.less(bk.getitem(offs, (slice(1, None),)),
                                                         bk.getitem(offs, (slice(0, -1),))), None, False)):
            raise RuntimeError("embedding_bag(): offsets must be non-decreasing")
        if include_last_offset:  # offsets[-1] ends the last bag
            offs = bk.getitem(offs, (slice(0, -1),))
            idx = bk.getitem(idx, (slice(0, last),))
            if per_sample_weights is not None:
                per_sample_weights = per_sample_weights[:last]
    _bounds(bk, idx, n)
    pad = _padding_idx(padding_idx, n)
    _renorm(weight, idx, max_norm, norm_type)
    psw = None
    if per_sample_weights is not None:
        check_same_device("embedding_bag", (weight, per_sample_weights))
        psw = per_sample_weights._data
        if per_sample_weights._dtype is not weight._dtype:
            psw = bk.astype(psw, weight._dtype)
    out, _ = kernel(bk, "embedding_bag")(weight._data, idx, offs, mode, psw, pad)
    return like(weight, out)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: ``out[..., i] = (tensor[...] == i)`` for ``i < num_classes``
    (-1: one more than the largest value).

    >>> ember.one_hot(ember.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    check_tensor(tensor, "one_hot", "tensor")
    if tensor._dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    bk, x = tensor._backend, tensor._data
    if x.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        lo, hi = bk.item(bk.min(x, None, False)), bk.item(bk.max(x, None, False))
        if lo < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    if num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = bk.arange(0, num_classes, 1, D.int64, tensor._device.index)
    hits = bk.equal(bk.reshape(x, (*x.shape, 1), None), classes)
    return like(tensor, bk.astype(hits, D.int64), D.int64)


_dispatch_install(globals(), __all__)  # ember-autograd records these (see _dispatch)
