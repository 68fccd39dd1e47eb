"""Loss functions of ``torch.nn.functional``, composed from Ember ops.

Each loss checks its arguments with torch's exception types and messages, computes the
elementwise loss from differentiable core ops (so autograd needs no rule here) and
reduces it with ``reduction`` (``'none'``, ``'mean'``, ``'sum'``; the deprecated
``size_average``/``reduce`` flags map onto it with torch's warning).

Stability: ``cross_entropy`` goes through the ``log_softmax`` kernel (log-sum-exp, so
large logits neither overflow nor lose the small classes); the logit losses use a
``logsigmoid`` whose ``exp`` never sees a positive argument; ``binary_cross_entropy``
clamps its logs at -100 as torch does, without producing ``0 * inf`` gradients.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import ember
from ember import Tensor
from ember import _dtypes as D
from ember._nnops.activation import check_tensor
from ember._special_cases import no_kernel
from ember.nn._functional.activation import logsigmoid

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss",
    "margin_ranking_loss", "triplet_margin_loss", "hinge_embedding_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "pairwise_distance",
    "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


# -- reduction ------------------------------------------------------------------------------------

def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str, stacklevel: int = 3) -> str:
    """``reduction``, or the string torch derives (with its warning) from the deprecated flags."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{result}' instead.",
                  UserWarning, stacklevel=stacklevel + 1)
    return result


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _size_warning(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=3,
        )


def _weighted(loss: Tensor, input: Tensor, weight: Tensor | None, reduction: str, mean_by_weight: bool) -> Tensor:
    """Elementwise ``loss`` times ``weight`` (same size as ``input``), then reduced."""
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _pair(input: Any, target: Any, op: str) -> tuple[Tensor, Tensor]:
    check_tensor(input, op, "input", 1)
    check_tensor(target, op, "target", 2)
    return input, target


# -- regression -----------------------------------------------------------------------------------

def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Squared error ``(input - target) ** 2``, reduced (a ``weight`` mean divides by ``weight.sum()``).

    >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
    tensor(2.5000)
    """
    _pair(input, target, "mse_loss")
    _size_warning(input, target)
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction)) if weight is None else \
        legacy_reduction(size_average, reduce, reduction)
    diff = input - target
    return _weighted(diff * diff, input, weight, reduction, True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Absolute error ``|input - target|``, reduced (a ``weight`` mean divides by ``weight.sum()``).

    >>> F.l1_loss(ember.tensor([1.0, -2.0]), ember.tensor([0.0, 0.0]))
    tensor(1.5000)
    """
    _pair(input, target, "l1_loss")
    _size_warning(input, target)
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction)) if weight is None else \
        legacy_reduction(size_average, reduce, reduction)
    return _weighted((input - target).abs(), input, weight, reduction, True)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta`` (``d = input - target``).

    >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _pair(input, target, "smooth_l1_loss")
    _size_warning(input, target)
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = (input - target).abs()
    if beta == 0.0:
        return _reduce(d, reduction)
    return _reduce(ember.where(d < beta, (0.5 / beta) * d * d, d - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``.

    >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _pair(input, target, "huber_loss")
    _size_warning(input, target)
    if weight is None:
        _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = (input - target).abs()
    loss = ember.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _weighted(loss, input, weight, reduction, False)


# -- classification ---------------------------------------------------------------------------------

def _class_target_check(input: Tensor, target: Tensor) -> None:
    """torch's shape checks for class-index targets of ``(C)``, ``(N, C)`` or ``(N, C, d1, ...)`` input."""
    nd = input.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dtype not in (ember.int64, ember.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_TNAME[target.dtype]}")
    if nd <= 2:
        tbatch = target.shape[0] if target.ndim == 1 else 1
        if nd == 1 and tbatch != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {tbatch}")
        batch = input.shape[0] if nd == 2 else 1
        if batch != tbatch:
            raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({tbatch}).")
        return
    expected = (input.shape[0], *input.shape[2:])
    if nd == 4 and target.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{target.ndim}")
    if tuple(target.shape) != expected:
        if nd == 4:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")


_TNAME = {
    ember.float32: "Float", ember.float64: "Double", ember.float16: "Half", ember.bfloat16: "BFloat16",
    ember.int64: "Long", ember.int32: "Int", ember.int16: "Short", ember.int8: "Char", ember.uint8: "Byte",
    ember.bool: "Bool", ember.complex64: "ComplexFloat", ember.complex128: "ComplexDouble",
}


def _class_weight(weight: Tensor | None, c: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")


def _picked(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> tuple[Tensor, Tensor | None]:
    """``(input[n, target[n], ...] * w, w)`` for class-index targets, kept as ``(N, 1, ...)``.

    ``w`` folds in ``weight[target]`` and zeroes the ignored targets; it is None when every
    weight is 1 (no ``weight``, nothing ignored), which saves a multiply in the graph.
    Out-of-range targets (other than ``ignore_index``) raise torch's IndexError.
    """
    c = input.shape[1]
    safe = target.long()
    keep: Tensor | None = None
    if target.numel():
        lo, hi = safe.aminmax()
        # Fast path (one sync): every target is a class, and ignore_index is none of them.
        if lo.item() < 0 or hi.item() >= c or 0 <= ignore_index < c:
            ignored = safe == ignore_index
            safe = ember.where(ignored, 0, safe)
            bad = (safe < 0) | (safe >= c)
            if bad.any().item():
                raise IndexError(f"Target {int(target[bad].reshape(-1)[0].item())} is out of bounds.")
            if ignored.any().item():
                keep = (~ignored).to(input.dtype).unsqueeze(1)
    picked = input.gather(1, safe.unsqueeze(1))
    w: Tensor | None = None
    if weight is not None:
        w = weight.to(input.dtype)[safe].unsqueeze(1)
    if keep is not None:
        w = keep if w is None else w * keep
    return (picked if w is None else picked * w), w


def _as_batch(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
    """1-d input ``(C)`` with 0-d target as a batch of one (``squeeze`` says to undo it)."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1), True
    return input, target, False


def _nll(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str) -> Tensor:
    x, t, squeeze = _as_batch(input, target)
    picked, w = _picked(x, t, weight, ignore_index)
    # Few graph nodes on the hot path (gather, sum, one scalar multiply): this is the MLP step's loss.
    if reduction == "none":
        loss = -picked.squeeze(1)
        return loss.reshape(()) if squeeze else loss
    if reduction == "sum":
        return -picked.sum()
    if w is None:
        return picked.sum() * (-1.0 / picked.numel()) if picked.numel() else -picked.sum() / 0.0
    return -picked.sum() / w.sum()


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices, from log-probabilities ``(N, C, d1, ...)`` or ``(C)``.

    ``weight`` rescales each class; targets equal to ``ignore_index`` contribute nothing
    (a ``'mean'`` divides by the summed weights of the counted targets).

    >>> F.nll_loss(ember.tensor([[-1.0, -2.0]]), ember.tensor([1]))
    tensor(2.)
    """
    _pair(input, target, "nll_loss")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if input.dtype.category != D.FLOATING:
        raise no_kernel("nll_loss", input.dtype)
    _class_target_check(input, target)
    _class_weight(weight, input.shape[1] if input.ndim >= 2 else input.shape[0])
    return _nll(input, target, weight, ignore_index, reduction)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``(N, C, d1, ...)`` or ``(C)`` and class indices or class probabilities.

    ``log_softmax`` over the class dim (stable for large logits), then :func:`nll_loss` for
    index targets, or ``-sum(target * log_softmax)`` for probability targets (same shape as
    ``input``). ``label_smoothing`` mixes the target with the uniform distribution.

    >>> F.cross_entropy(ember.tensor([[0.0, 0.0]]), ember.tensor([0]))
    tensor(0.6931)
    """
    _pair(input, target, "cross_entropy")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dtype.category != D.FLOATING:
        raise no_kernel("log_softmax", input.dtype)
    class_dim = 1 if input.ndim >= 2 else 0
    if target.shape == input.shape:
        if target.dtype.category != D.FLOATING:
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_TNAME[target.dtype]}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim)
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    c = input.shape[class_dim]
    _class_target_check(input, target)
    _class_weight(weight, c)
    logp = input.log_softmax(class_dim)
    nll = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    # torch's smoothing term: -(sum over classes of w_c * logp_c), ignored targets zeroed,
    # a 'mean' normalised like the nll term (by the counted targets' weights).
    x, t, squeeze = _as_batch(logp, target)
    ignored = t == ignore_index
    if weight is not None:
        wshape = [1] * x.ndim
        wshape[1] = c
        smooth = -(x * weight.to(x.dtype).reshape(wshape)).sum(1)
    else:
        smooth = -x.sum(1)
    smooth = ember.where(ignored, 0.0, smooth)
    if reduction == "mean":
        if weight is not None:
            denom = ember.where(ignored, 0.0, weight.to(x.dtype)[ember.where(ignored, 0, t)]).sum()
        else:
            denom = (~ignored).sum().to(x.dtype)
        smooth_red = smooth.sum() / denom
    elif reduction == "sum":
        smooth_red = smooth.sum()
    else:
        smooth_red = smooth.reshape(()) if squeeze else smooth
    return (1.0 - label_smoothing) * nll + smooth_red * (label_smoothing / c)


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, class_dim: int) -> Tensor:
    c = input.shape[class_dim]
    _class_weight(weight, c)
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / c
    prod = logp * target
    if weight is not None:
        wshape = [1] * input.ndim
        wshape[class_dim] = c
        prod = prod * weight.to(input.dtype).reshape(wshape)
    if reduction == "mean":
        return -prod.sum() / (input.numel() // c if c else 0)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


# -- binary ---------------------------------------------------------------------------------------

def _clamped_log(x: Tensor) -> Tensor:
    """``max(log(x), -100)`` for ``x`` in [0, 1], with a zero (not nan) gradient where ``x == 0``."""
    pos = x > 0
    return ember.where(pos, ember.where(pos, x, 1.0).log().clamp(min=-100.0), -100.0)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` for probabilities ``x``; logs clamped at -100.

    >>> F.binary_cross_entropy(ember.tensor([0.5]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    _pair(input, target, "binary_cross_entropy")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if input.dtype.category != D.FLOATING:
        raise no_kernel("binary_cross_entropy", input.dtype)
    if input.numel() and bool(((input < 0) | (input > 1)).any().item()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * weight.expand(ember.broadcast_shapes(target.shape, weight.shape))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from logits.

    ``pos_weight`` (broadcast along the last dim, one per class) scales the positive term.

    >>> F.binary_cross_entropy_with_logits(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    _pair(input, target, "binary_cross_entropy_with_logits")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if input.dtype.category != D.FLOATING:
        raise no_kernel("binary_cross_entropy_with_logits", input.dtype)
    # (1 - t) * x - lw * logsigmoid(x): -log(1 - sigmoid(x)) = x - logsigmoid(x).
    ls = logsigmoid(input)
    if pos_weight is not None:
        log_weight = (pos_weight - 1.0) * target + 1.0
        loss = (1.0 - target) * input - log_weight * ls
    else:
        loss = (1.0 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# -- distributions --------------------------------------------------------------------------------

def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence ``target * (log(target) - input)`` with ``input`` given as log-probabilities.

    ``log_target=True`` takes ``target`` as log-probabilities too. ``reduction='batchmean'``
    divides the sum by the batch size (the mathematical KL); ``'mean'`` (default) divides by
    the element count and warns, as torch.

    >>> F.kl_div(ember.tensor([0.0]), ember.tensor([1.0]), reduction="sum")
    tensor(0.)
    """
    _pair(input, target, "kl_div")
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                UserWarning, stacklevel=2,
            )
        if reduction != "batchmean":
            _check_reduction(reduction)
    loss = target.exp() * (target - input) if log_target else target.xlogy(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``exp(input) - target * input`` (``log_input``), else
    ``input - target * log(input + eps)``; ``full`` adds Stirling's term where ``target > 1``.

    >>> F.poisson_nll_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    _pair(input, target, "poisson_nll_loss")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        big = target > 1
        t = ember.where(big, target, 1.0)
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + ember.where(big, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood ``0.5 * (log(var) + (input - target)**2 / var)``.

    ``var`` is one per element, or one per sample (one dim short, or one broadcast dim);
    it is clamped at ``eps`` for stability with the gradient passing through unchanged.

    >>> F.gaussian_nll_loss(ember.tensor([1.0]), ember.tensor([1.0]), ember.tensor([1.0]))
    tensor(0.)
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var_t = ember.full_like(input, float(var))
    else:
        var_t = var
        if bool((var_t < 0).any().item()):
            raise ValueError("var has negative entry/entries")
    if var_t.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var_t.shape):
            var_t = var_t.unsqueeze(-1)
        elif input.ndim == var_t.ndim and sum(v for i, v in zip(input.shape, var_t.shape, strict=True) if i != v) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    # torch clamps a clone under no_grad: the value is clamped, the gradient is the identity's.
    base = var_t.detach()
    var_t = var_t + (base.clamp(min=eps) - base)
    loss = 0.5 * (var_t.log() + (input - target) ** 2 / var_t)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- margins and embeddings -----------------------------------------------------------------------

def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where ``target == -1``.

    >>> F.cosine_embedding_loss(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 0.0]]), ember.tensor([1]))
    tensor(0.)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    td = target.ndim
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if td == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod = (input1 * input2).sum(td)
    mag = ((input1 * input1).sum(td) + eps) * ((input2 * input2).sum(td) + eps)
    cos = prod / mag.sqrt()
    zeros = ember.zeros_like(cos)
    loss = ember.where(target == 1, 1.0 - cos, zeros) + ember.where(target == -1, (cos - margin).relu(), zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``.

    >>> F.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).relu(), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``.

    >>> F.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([-1.0, 1.0]))
    tensor(1.3500)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    zeros = ember.zeros_like(input)
    loss = ember.where(target != 1, (margin - input).relu(), zeros) + ember.where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))`` (computed stably).

    >>> F.soft_margin_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    return _reduce(-logsigmoid(target * input), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """Multi-label one-versus-all logistic loss, averaged over the classes (last dim).

    >>> F.multilabel_soft_margin_loss(ember.tensor([[0.0, 0.0]]), ember.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    loss = -(target * logsigmoid(input) + (1.0 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    c = input.shape[-1] if input.ndim else 1
    loss = loss.sum(dim=input.ndim - 1) / c if input.ndim else loss
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``p``-norm distance over the last dim.

    ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance (distance swap).

    >>> F.triplet_margin_loss(ember.tensor([[0.0]]), ember.tensor([[0.0]]), ember.tensor([[3.0]]))
    tensor(0.)
    """
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    return _triplet(anchor, positive, negative, lambda a, b: pairwise_distance(a, b, p, eps), margin, swap, reduction)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim (of the broadcast shape).

    >>> F.pairwise_distance(ember.tensor([[3.0, 4.0]]), ember.tensor([[0.0, 0.0]]), eps=0.0)
    tensor([5.])
    """
    check_tensor(x1, "pairwise_distance", "x1", 1)
    check_tensor(x2, "pairwise_distance", "x2", 2)
    return ember.linalg.vector_norm(x1 - x2 + eps, p, dim=max(x1.ndim, x2.ndim) - 1, keepdim=keepdim)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` for any distance ``d`` (default :func:`pairwise_distance`).

    ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    >>> F.triplet_margin_with_distance_loss(ember.tensor([[0.0]]), ember.tensor([[1.0]]), ember.tensor([[0.5]]))
    tensor(1.5000)
    """
    _check_reduction(reduction)
    dist = pairwise_distance if distance_function is None else distance_function
    return _triplet(anchor, positive, negative, dist, margin, swap, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, dist: Callable[[Tensor, Tensor], Tensor],
             margin: float, swap: bool, reduction: str) -> Tensor:
    """The triplet losses: ``max(d(a, p) - d(a, n) + margin, 0)``, reduced."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


# -- multi-class margins --------------------------------------------------------------------------

def _margin_shape(input: Tensor) -> tuple[int, int]:
    """``(N, C)`` of a ``(C)`` or ``(N, C)`` input of the multi-class margin losses (``C > 0``)."""
    shape = tuple(input.shape)
    if input.ndim > 2 or (input.ndim >= 1 and shape[-1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(shape)}")
    return (shape[0] if input.ndim == 2 else 1), (shape[-1] if input.ndim else 1)


def _long_target(target: Tensor) -> None:
    if target.dtype != ember.int64:
        raise RuntimeError(f"expected scalar type Long but found {_TNAME[target.dtype]}")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} w[y] * max(0, margin - x[y] + x[i]) ** p / C`` per sample.

    ``input`` is ``(N, C)`` or ``(C)``, ``target`` the class index of each sample; ``p`` is 1 or 2.

    >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
    tensor(0.3250)
    """
    _pair(input, target, "multi_margin_loss")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    n, c = _margin_shape(input)
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch "
            f"size). Expected target size [{n}], but got {list(target.shape)}. Input has shape {list(input.shape)}.")
    _long_target(target)
    if input.dtype.category != D.FLOATING:
        raise no_kernel("multi_margin_loss", input.dtype)
    if weight is not None:
        if weight.numel() != c:
            raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_TNAME[input.dtype]} but found {_TNAME[weight.dtype]}")
    x = input.reshape(n, c)
    t = target.reshape(n, 1)
    if n and bool(((t < 0) | (t >= c)).any().item()):
        bad = int(t[(t < 0) | (t >= c)][0].item())
        raise RuntimeError(f"target out of range: multi_margin_loss got class {bad} for {c} classes")
    # Written with where(), not relu(): torch's kernel counts a term only where it is > 0, so 0 has gradient 0.
    z = margin - x.gather(1, t) + x
    z = ember.where(z > 0, z, 0.0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t]
    z = ember.where(ember.arange(c).unsqueeze(0) != t, z, 0.0)
    loss = z.sum(1) / c
    if reduction == "none":
        return loss.reshape(target.shape) if input.ndim < 2 else loss
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: ``sum_{j, i} max(0, 1 - (x[y_j] - x[i])) / C`` over target classes ``y_j``
    and non-target classes ``i``.

    ``target`` has ``input``'s shape, holding class indices, ended by the first ``-1``.

    >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    _pair(input, target, "multilabel_margin_loss")
    reduction = _check_reduction(legacy_reduction(size_average, reduce, reduction))
    n, c = _margin_shape(input)
    if (input.ndim == 2 and target.shape != input.shape) or (input.ndim < 2 and (target.ndim > 1 or
                                                                                 target.numel() != c)):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    _long_target(target)
    if input.dtype.category != D.FLOATING:
        raise no_kernel("multilabel_margin_loss", input.dtype)
    x = input.reshape(n, c)
    t = target.reshape(n, c)
    if n and bool(((t < -1) | (t >= c)).any().item()):
        bad = int(t[(t < -1) | (t >= c)][0].item())
        raise RuntimeError(f"argument #2 'target' is out of range: multilabel_margin_loss got class {bad} "
                           f"for {c} classes")
    # A sample's targets are the entries before its first -1 (duplicates count again, as in torch).
    listed = (t < 0).long().cumsum(1) == 0
    safe = ember.where(listed, t, 0)
    is_target = ember.zeros((n, c), dtype=input.dtype).scatter_add(1, safe, listed.to(input.dtype)) > 0
    z = 1.0 - x.gather(1, safe).unsqueeze(2) + x.unsqueeze(1)
    keep = listed.unsqueeze(2) & ~is_target.unsqueeze(1) & (z > 0)
    loss = ember.where(keep, z, 0.0).sum((1, 2)) / c
    if reduction == "none":
        return loss.reshape(()) if input.ndim < 2 else loss
    return _reduce(loss, reduction)
