"""ember.autograd: define-by-run reverse-mode automatic differentiation for Ember.

Installing ember-autograd is all a user does: core imports this package the
first time a tensor requires grad, and importing it wraps every op that has a
derivative rule so that calls on such tensors are recorded.

>>> import ember
>>> x = ember.tensor(3., requires_grad=True)
>>> y = x ** 2
>>> y
tensor(9., grad_fn=<PowBackward0>)
>>> y.backward()
>>> x.grad
tensor(6.)
"""

from __future__ import annotations

from ember.autograd import _function as function
from ember.autograd import _record, _tensor_api, functional
from ember.autograd._anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from ember.autograd._engine import backward, grad
from ember.autograd._function import Function, FunctionCtx, once_differentiable
from ember.autograd._grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.autograd._gradcheck import GradcheckError, gradcheck, gradgradcheck
from ember.autograd._graph import Node
from ember.autograd._tensor_api import set_grad, set_requires_grad
from ember.autograd.graph_dot import graph_to_dot

__all__ = [
    "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "is_inference_mode_enabled", "set_grad", "set_requires_grad", "Node", "gradcheck", "gradgradcheck",
    "GradcheckError", "Function", "FunctionCtx", "once_differentiable", "function", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled", "functional", "graph_to_dot",
]

_tensor_api.install()
_record.install()
