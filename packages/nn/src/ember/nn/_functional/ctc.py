"""Connectionist temporal classification loss (``F.ctc_loss``), composed from Ember ops.

The forward (alpha) recursion of Graves et al. runs in log space, one vectorised step per
time step over the whole batch and the whole extended label sequence (the targets with a
blank before, between and after them: ``2 * S + 1`` states). Autograd differentiates the
recursion, so the gradient is the exact derivative of the loss with respect to
``log_probs`` (``-posterior``). torch's kernel instead returns ``exp(log_probs) - posterior``,
the gradient through a ``log_softmax`` it assumes was applied; both agree once the
``log_probs`` come from ``log_softmax`` (the usual case), since its backward removes the
difference.
"""

from __future__ import annotations

from collections.abc import Sequence

import ember
from ember import Tensor
from ember import _dtypes as D
from ember._nnops.activation import check_tensor
from ember._special_cases import no_kernel

__all__ = ["ctc_loss"]

_CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)"
_NEG_INF = float("-inf")


def _lse(*xs: Tensor) -> Tensor:
    """``log(sum(exp(x)))`` over same-shaped tensors; ``-inf`` (with zero, not nan, gradients) where all are."""
    st = ember.stack(xs, 0)
    # The shift is a constant (detached): the result does not depend on it, so neither does the gradient.
    m = st.amax(0).detach()
    m = ember.where(m.isinf(), 0.0, m)
    total = (st - m).exp().sum(0)
    live = total > 0
    return ember.where(live, ember.where(live, total, 1.0).log() + m, _NEG_INF)


def _lengths(lengths: Tensor | Sequence[int], name: str, batch: int) -> Tensor:
    """``input_lengths``/``target_lengths`` (a tensor, tuple or list of ints) as an int64 ``(N,)`` tensor."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.category != D.INTEGRAL:
            raise RuntimeError(f"{name} must be integral")
        out = lengths.reshape(-1).long()
    elif isinstance(lengths, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in lengths):
        out = ember.tensor(list(lengths), dtype=ember.int64).reshape(-1)
    else:
        raise TypeError(f"ctc_loss(): {name} must be a Tensor or a tuple of ints, but got {type(lengths).__name__}")
    if out.numel() != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return out


def _bounds(lengths: Tensor, name: str, most: int | None) -> tuple[int, int]:
    if not lengths.numel():
        return 0, 0
    lo, hi = (int(v.item()) for v in lengths.aminmax())
    if lo < 0:
        raise RuntimeError(f"Expected {name} to have value at least 0, but got value {lo}{_CHECKING}")
    if most is not None and hi > most:
        raise RuntimeError(f"Expected {name} to have value at most {most}, but got value {hi}{_CHECKING}")
    return lo, hi


def _padded_targets(targets: Tensor, target_lengths: Tensor, batch: int, longest: int) -> tuple[Tensor, Tensor]:
    """``(N, S)`` int64 labels (``S`` the longest target) and the mask of the real ones, from either layout."""
    steps = ember.arange(longest)
    real = steps.unsqueeze(0) < target_lengths.unsqueeze(1)
    if targets.ndim == 2:
        if targets.shape[0] != batch:
            raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets'{_CHECKING}")
        if targets.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                               f"{targets.shape[1]} for argument #2 'targets'{_CHECKING}")
        padded = targets[:, :longest].long()
    else:
        total = int(target_lengths.sum().item()) if batch else 0
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets'{_CHECKING}")
        if longest == 0:
            padded = ember.zeros((batch, 0), dtype=ember.int64)
        else:
            # Sample n's labels start where the earlier samples' end: gather them into rows of `longest`.
            starts = target_lengths.cumsum(0) - target_lengths
            index = ember.where(real, starts.unsqueeze(1) + steps.unsqueeze(0), 0)
            padded = targets.long()[index]
    return padded, real


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Tensor | Sequence[int],
             target_lengths: Tensor | Sequence[int], blank: int = 0, reduction: str = "mean",
             zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss: ``-log`` of the summed probability of every alignment.

    Args:
        log_probs: ``(T, N, C)`` log-probabilities (usually ``log_softmax`` output), or ``(T, C)`` unbatched.
        targets: ``(N, S)`` labels padded to ``S >= max(target_lengths)``, or every target concatenated (1-D).
        input_lengths: ``(N,)`` valid time steps of each sample (tensor, tuple or list of ints).
        target_lengths: ``(N,)`` label count of each sample.
        blank: the blank class.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` (each loss divided by its target length,
            then averaged over the batch) or ``'sum'``.
        zero_infinity: replace infinite losses (inputs too short to align) and their gradients by zero.

    >>> lp = ember.tensor([[[0.0, -50.0]], [[-50.0, 0.0]]])  # T=2, N=1, C=2: blank then label 1
    >>> F.ctc_loss(lp, ember.tensor([[1]]), (2,), (1,), reduction="sum")
    tensor(0.)
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    check_tensor(log_probs, "ctc_loss", "log_probs", 1)
    check_tensor(targets, "ctc_loss", "targets", 2)
    if log_probs.dtype not in (ember.float32, ember.float64):
        raise no_kernel("ctc_loss", log_probs.dtype)
    batched = log_probs.ndim == 3
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional tensor for "
                           f"argument #1 'log_probs'{_CHECKING}")
    lp = log_probs if batched else log_probs.unsqueeze(1)
    steps, batch, classes = lp.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if targets.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for "
                           f"argument #2 'targets'{_CHECKING}")
    in_len = _lengths(input_lengths, "input_lengths", batch)
    tgt_len = _lengths(target_lengths, "target_lengths", batch)
    longest = _bounds(tgt_len, "target_lengths", None)[1]
    padded, real = _padded_targets(targets, tgt_len, batch, longest)
    _bounds(in_len, "input_lengths", steps)
    if longest:
        bad = real & ((padded < 0) | (padded >= classes))
        if bool(bad.any().item()):
            raise RuntimeError(f"ctc_loss(): target label {int(padded[bad][0].item())} is out of range "
                               f"for {classes} classes (log_probs' last dimension)")
        padded = ember.where(real, padded, blank)

    # Extended labels: blank, l1, blank, l2, ..., lS, blank.
    states = 2 * longest + 1
    blanks = ember.full((batch, longest), blank, dtype=ember.int64)
    ext = ember.cat([ember.stack([blanks, padded], 2).reshape(batch, 2 * longest),
                     ember.full((batch, 1), blank, dtype=ember.int64)], 1)
    # s - 2 -> s (skipping a blank) is allowed only onto a label that differs from the previous label.
    skip = ember.cat([ember.zeros((batch, min(2, states)), dtype=ember.bool), ext[:, 2:] != ext[:, :-2]], 1)
    emit = lp.gather(2, ext.unsqueeze(0).expand(steps, batch, states))
    active = ember.arange(steps).unsqueeze(1) < in_len.unsqueeze(0)

    # alpha before the first step: the empty prefix, in state 0. Stepping from it gives the usual
    # initialisation (states 0 and 1), and a sample with no input steps keeps it, as in torch.
    dtype = lp.dtype
    alpha = ember.full((batch, states), _NEG_INF, dtype=dtype)
    alpha[:, 0] = 0.0
    pad = ember.full((batch, 2), _NEG_INF, dtype=dtype)
    for t in range(steps):
        shifted = ember.cat([pad, alpha], 1)
        step = _lse(alpha, shifted[:, 1:states + 1], ember.where(skip, shifted[:, :states], _NEG_INF)) + emit[t]
        alpha = ember.where(active[t].unsqueeze(1), step, alpha)

    # Alignments end in the last label (2 S_n - 1) or the blank after it (2 S_n).
    last = (2 * tgt_len).unsqueeze(1)
    ends = alpha.gather(1, ember.cat([last, (last - 1).clamp(min=0)], 1))
    ends = ember.where(ember.cat([ember.ones_like(last, dtype=ember.bool), last > 0], 1), ends, _NEG_INF)
    loss = -_lse(ends[:, 0], ends[:, 1])
    if zero_infinity:
        loss = ember.where(loss.isinf(), 0.0, loss)
    if reduction == "mean":
        return (loss / tgt_len.clamp(min=1).to(dtype)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.reshape(())
