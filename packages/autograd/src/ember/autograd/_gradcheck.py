"""``gradcheck`` / ``gradgradcheck``: analytical gradients against central finite differences.

Inputs are perturbed in place (so non-contiguous and view inputs keep their
layout); the analytical Jacobian is built one output element at a time with
:func:`ember.autograd.grad`.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

from ember._tensor_base import TensorBase
from ember.autograd._engine import grad as autograd_grad
from ember.autograd._grad_mode import no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails."""


def _requires_grad(t: TensorBase) -> bool:
    return t._requires_grad or t._grad_fn is not None


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _outputs(func: Callable[..., Any], inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase) and o._dtype.category >= 2)


def _numerical(func: Callable[..., Any], inputs: tuple[Any, ...], x: Any, n_out: int, eps: float) -> list[Any]:
    """Columns d out / d x[i] by central differences, as a (x.numel, out.numel) host array per output."""
    import numpy as np

    outs0 = _outputs(func, inputs)
    jac = [np.zeros((x.numel(), o.numel())) for o in outs0]
    for k, idx in enumerate(itertools.product(*(range(s) for s in x.shape))):
        orig = float(x.detach()[idx].item()) if idx else float(x.item())
        _set(x, idx, orig + eps)
        plus = [o.detach().clone() for o in _outputs(func, inputs)]
        _set(x, idx, orig - eps)
        minus = [o.detach().clone() for o in _outputs(func, inputs)]
        _set(x, idx, orig)
        for j, (p, m) in enumerate(zip(plus, minus, strict=True)):
            jac[j][k] = ((p.double() - m.double()) / (2 * eps)).reshape(-1).cpu().numpy()
    return jac


def _set(x: Any, idx: tuple[int, ...], value: float) -> None:
    with no_grad():
        if idx:
            x[idx] = value
        else:
            x.fill_(value)


def _analytical(outputs: tuple[Any, ...], diff_inputs: list[Any]) -> list[list[Any]]:
    """``jac[o][i]``: the (input.numel, output.numel) Jacobian of output o w.r.t. input i."""
    import numpy as np

    import ember

    jac = [[np.zeros((x.numel(), o.numel())) for o in outputs] for x in diff_inputs]
    for j, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        flat = out.numel()
        for e in range(flat):
            go = ember.zeros(flat, dtype=out.dtype, device=out.device)
            go[e] = 1
            go = go.reshape(out.shape)
            grads = autograd_grad((out,), diff_inputs, (go,), retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][j][:, e] = g.detach().double().reshape(-1).cpu().numpy()
    return jac


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against finite differences (use float64 inputs).

    Returns True, or raises :class:`GradcheckError` (``raise_exception=False``: returns False)
    with PyTorch's message naming the output and input whose Jacobians differ.
    """
    import numpy as np

    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if isinstance(x, TensorBase) and _requires_grad(x)]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.")
    for i, x in enumerate(inputs):
        if isinstance(x, TensorBase) and _requires_grad(x) and x._dtype.name not in ("float64", "complex128"):
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                "This check will likely fail if all the inputs are not of double precision floating point or complex. ",
                UserWarning, stacklevel=2,
            )
    outputs = _outputs(func, inputs)
    analytical = _analytical(outputs, diff)
    for i, x in enumerate(diff):
        numerical = _numerical(func, inputs, x, len(outputs), eps)
        for j in range(len(outputs)):
            a, n = analytical[i][j], numerical[j]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                k = next(k for k, t in enumerate(inputs) if t is x)
                msg = (
                    f"Jacobian mismatch for output {j} with respect to input {k},\n"
                    f"numerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _fmt(a: Any) -> str:
    import ember

    return repr(ember.tensor(a, dtype=ember.float64))


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the backward of ``func`` (``create_graph=True``)."""
    import ember

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        gen = ember.Generator().manual_seed(0)
        grad_outputs = tuple(
            ember.randn(o.shape, dtype=o.dtype, generator=gen).to(o.device).requires_grad_(True) for o in outputs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, TensorBase) and _requires_grad(x)]

    def backward_of(*args: Any) -> tuple[Any, ...]:
        ins, gos = args[:n], args[n:]
        outs = _outputs(func, ins)
        used = [(o, g) for o, g in zip(outs, gos, strict=True) if o.requires_grad]
        if not used:
            return ()
        grads = autograd_grad([o for o, _ in used], [ins[i] for i in diff_idx], [g for _, g in used],
                              create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(backward_of, (*inputs, *grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
