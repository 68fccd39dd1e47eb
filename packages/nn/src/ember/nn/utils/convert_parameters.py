"""``parameters_to_vector`` and ``vector_to_parameters``, as ``torch.nn.utils.convert_parameters``.

>>> lin = nn.Linear(3, 2)
>>> v = nn.utils.parameters_to_vector(lin.parameters())
>>> v.shape
ember.Size([8])
>>> nn.utils.vector_to_parameters(ember.zeros(8), lin.parameters())
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import ember
from ember._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param: Tensor, old: Any) -> Any:
    if old is None:
        return param.device
    if param.device != old:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return old


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor of all ``parameters``, flattened and concatenated (differentiable)."""
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.reshape(-1))
    return ember.cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's data the next slice of the 1-D ``vec`` (views of ``vec``, no copy)."""
    if not isinstance(vec, Tensor):
        from ember.nn.modules.module import typename

        raise TypeError(f"expected ember.Tensor, but got: {typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        cast(Any, param).data = cast(Any, vec[pointer : pointer + n].view_as(param)).data
        pointer += n
