"""The update rules, one function per algorithm, on lists of tensors (PyTorch's ``torch.optim._functional``).

Each function updates ``params`` in place from ``grads`` and the state buffers it is
given (also updated in place), one parameter at a time with whole-tensor ops, so a
step costs a fixed number of vectorised kernels per parameter whatever its size.
The formulas are PyTorch's single-tensor ("for-loop") implementations.
"""

from __future__ import annotations

from ember._tensor import Tensor

__all__ = ["sgd"]

def sgd(
    params: list[Tensor],
    grads: list[Tensor],
    momentum_buffer_list: list[Tensor | None],
    *,
    weight_decay: float,
    momentum: float,
    lr: float,
    dampening: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """SGD with optional momentum (the first step stores the gradient itself as the buffer)."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = grad.detach().clone()
                momentum_buffer_list[i] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        param.add_(grad, alpha=-lr)

