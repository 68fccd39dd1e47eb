"""``nn.AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. (2016), as torch's.

Classes are split by ``cutoffs`` into a frequent shortlist, scored by the ``head`` together
with one entry per tail cluster, and rarer clusters, each scored by its own two-layer
projection (``in_features -> in_features // div_value ** (i + 1) -> cluster size``). A
class's log-probability is its head log-probability, or its cluster's head entry plus
its log-probability within the cluster. The loops below run over the clusters (a
handful), each cluster's rows handled in one batch.

>>> import ember.nn as nn
>>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4])
>>> asm(ember.randn(3, 8), ember.tensor([0, 5, 9])).output.shape
ember.Size([3])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import ember
from ember import Tensor
from ember.nn.modules.container import ModuleList, Sequential
from ember.nn.modules.linear import Linear
from ember.nn.modules.module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]


class _ASMoutput(NamedTuple):
    """``output``: each sample's target log-probability; ``loss``: their negated mean."""

    output: Tensor
    loss: Tensor


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: a cheap approximation of ``log_softmax`` + NLL for large, skewed label sets.

    Args:
        in_features: features of each input sample.
        n_classes: number of classes.
        cutoffs: increasing, unique class boundaries in ``[1, n_classes - 1]`` that split the tail clusters.
        div_value: shrink factor of each successive cluster's hidden size.
        head_bias: whether the head ``Linear`` has a bias.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int], div_value: float = 4.0,
                 head_bias: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        cuts = list(cutoffs)
        if len(cuts) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cuts != sorted(cuts) or min(cuts) <= 0 or max(cuts) > n_classes - 1 or len(set(cuts)) != len(cuts)
                or any(int(c) != c for c in cuts)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [*cuts, n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, device=device, dtype=dtype),
                                        Linear(hidden, size, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self) -> None:
        """Re-initialise the head and every cluster projection as ``__init__`` does."""
        self.head.reset_parameters()
        for layer in self.tail.modules():
            if isinstance(layer, Linear):
                layer.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        """``(output, loss)``: each target's log-probability ``(N)`` (or 0-d) and ``-output.mean()``."""
        if target_.ndim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input_.shape}")
        elif target_.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input_.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.ndim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        batch = target.shape[0]
        if batch:
            lo, hi = (int(v.item()) for v in target.aminmax())
            if lo < 0 or hi >= self.n_classes:
                raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                                   f"[{lo}, {hi}] were found. ")
        output = ember.zeros(batch, dtype=input.dtype, device=input.device)
        # The head entry each row reads: its own class in the shortlist, else its cluster's slot.
        head_index = target
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            in_cluster = (target >= low) & (target < high)
            rows = in_cluster.nonzero().reshape(-1)
            if not rows.numel():
                continue
            head_index = ember.where(in_cluster, self.shortlist_size + i, head_index)
            logprob = self.tail[i](input.index_select(0, rows)).log_softmax(1)
            local = logprob.gather(1, (target.index_select(0, rows) - low).unsqueeze(1)).squeeze(1)
            output = output.index_add(0, rows, local)
        head_logprob = self.head(input).log_softmax(1)
        output = output + head_logprob.gather(1, head_index.unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        head_logprob = head_output.log_softmax(1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            parts.append(projection(input).log_softmax(1) + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ember.cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of every class, ``(N, n_classes)``."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each row, ``(N)`` (``log_prob(input).argmax(1)``, skipping the tail
        clusters for rows whose head argmax is in the shortlist)."""
        head_output = self.head(input)
        output = head_output.argmax(1)
        outside = output >= self.shortlist_size
        if not bool(outside.any().item()):
            return output
        if bool(outside.all().item()):
            return self._full_log_prob(input, head_output).argmax(1)
        rows = outside.nonzero().reshape(-1)
        full = self._full_log_prob(input.index_select(0, rows), head_output.index_select(0, rows))
        return output.index_copy(0, rows, full.argmax(1))
