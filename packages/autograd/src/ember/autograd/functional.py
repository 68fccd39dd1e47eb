"""Higher-level differentiation of whole functions: ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``vhp`` and ``hvp`` (``torch.autograd.functional``'s API: signatures, return structure and errors).

Everything here is built on :func:`ember.autograd.grad`. Ember has no forward-mode AD, so
forward products use the *double-backward trick*: for ``g(u) = J^T u`` (a backward with a
dummy ``u`` that requires grad), ``d<g(u), v>/du = J v``, which a second backward gives.
This needs the function's derivative rules to be differentiable (all rules written with
Ember ops are). ``jacobian(strategy="forward-mode")`` takes its columns that way.

Return structure, as in PyTorch: a result mirrors the inputs (a tuple when ``inputs`` was a
tuple, else one tensor) and, for ``jacobian``/``hessian``, is nested by outputs, then inputs.

>>> import ember
>>> from ember.autograd.functional import jacobian
>>> jacobian(lambda x: x ** 2, ember.tensor([1., 2.]))
tensor([[2., 0.],
        [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ember
from ember._tensor_base import TensorBase
from ember.autograd._engine import grad as _grad
from ember.autograd._function import Function
from ember.autograd._grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Tensors = Any  # a Tensor or a tuple of Tensors


# -- helpers (PyTorch's, same names and messages) ------------------------------------------------

def _as_tuple(inp: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Any, ...]]:
    """Whether ``inp`` was a tuple, and ``inp`` as a tuple of tensors (TypeError otherwise)."""
    is_tuple = isinstance(inp, tuple)
    if not is_tuple:
        inp = (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, TensorBase):
            where = f"the value at index {i} has type" if is_tuple else f"the given {arg_name} has type"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but {where} {type(el)}."
            )
    return is_tuple, inp


def _tuple_postprocess(res: Any, to_unpack: bool | tuple[bool, bool]) -> Any:
    """Undo :func:`_as_tuple` on a result (and on a nested one: outputs, then inputs)."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


class _Alias(Function):
    """A differentiable alias: what ``view_as`` gives while no ``view`` rule is registered."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.detach()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


def _alias(t: Any) -> Any:
    out = t.view_as(t)
    return out if out.grad_fn is not None else _Alias.apply(t)


def _grad_preprocess(inputs: tuple[Any, ...], create_graph: bool, need_graph: bool) -> tuple[Any, ...]:
    """Fresh tensor objects for the inputs, requiring grad when ``need_graph``.

    With ``create_graph`` an input that requires grad stays connected to its history (a
    differentiable alias, so that a nested call differentiates through this one); otherwise
    inputs are detached. Always a new object, so the function's captured globals are told apart.
    """
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(_alias(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs: Any, create_graph: bool) -> Any:
    """Results without history unless ``create_graph`` (nested tuples too)."""
    if len(inputs) and isinstance(inputs[0], TensorBase):
        return inputs if create_graph else tuple(inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v: tuple[Any, ...], other: tuple[Any, ...], is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other, strict=True)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.size()} but got {el_v.size()}.")


def _check_requires_grad(inputs: Sequence[Any], input_type: str, strict: bool) -> None:
    """In strict mode, refuse results that do not depend on the inputs (PyTorch's messages)."""
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if inp.requires_grad:
            continue
        if input_type == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is independent of the "
                "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                "differentiable and that the hessian depends on the inputs."
            )
        if input_type == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided function with respect "
                f"to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example)."
            )
        if input_type == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the user-provided "
                "function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs must be "
            "computed in a differentiable manner from the input when running in strict mode."
        )


def _autograd_grad(outputs: tuple[Any, ...], inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...] | None = None,
                   create_graph: bool = False, retain_graph: bool | None = None) -> tuple[Any, ...]:
    """``grad`` that skips outputs without history (None for every input when none has any)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    outs, gos = [], []
    for out, g in zip(outputs, grad_outputs, strict=True):
        if out is not None and out.requires_grad:
            outs.append(out)
            gos.append(g)
    if not outs:
        return (None,) * len(inputs)
    return _grad(tuple(outs), inputs, tuple(gos), retain_graph=retain_graph, create_graph=create_graph,
                 allow_unused=True)


_STAGE_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not "
                   "allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                         "double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads: Sequence[Any], refs: Sequence[Any], strict: bool, create_graph: bool,
                   stage: str) -> tuple[Any, ...]:
    """Zeros (shaped like ``refs``) where no gradient flowed, or strict mode's error."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STAGE_MESSAGES[stage].format(i=i))
            g = ember.zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is not allowed in "
                "strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _prepare_v(v: Any, refs: tuple[Any, ...], is_refs_tuple: bool, create_graph: bool, fn_name: str,
               none_message: str) -> Any:
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, refs, is_refs_tuple)
        return v
    if len(refs) != 1 or refs[0].nelement() != 1:
        raise RuntimeError(none_message)
    return None


# -- vector products -----------------------------------------------------------------------------

def vjp(func: Callable[..., Any], inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: takes the input tensors, returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: like ``func``'s output; may be left out when it is one single-element tensor.
        create_graph: results are differentiable (and keep the inputs' history).
        strict: raise instead of returning zeros when an input does not influence the outputs.

    Returns:
        ``(func_output, vjp)``; ``vjp`` is shaped like ``inputs``.

    >>> vjp(lambda x: 2 * x, ember.ones(2), ember.tensor([1., 3.]))[1]
    tensor([2., 6.])
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp",
                       "The vector v can only be None if the user-provided function returns a single Tensor "
                       "with a single element.")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_inputs_tuple)


def jvp(func: Callable[..., Any], inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (by the double-backward trick).

    ``v`` is shaped like ``inputs`` (optional for one single-element input). Returns
    ``(func_output, jvp)``; ``jvp`` is shaped like the output.

    >>> jvp(lambda x: x ** 2, ember.tensor([1., 2.]), ember.tensor([1., 1.]))[1]
    tensor([2., 4.])
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp",
                       "The vector v can only be None if the input to the user-provided function is a single "
                       "Tensor with a single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        # The backward is linear in grad_outputs, so their value does not matter (zeros, not NaN/inf).
        grad_outputs = tuple(ember.zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_outputs_tuple)


def vhp(func: Callable[..., Any], inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The vector-Hessian product ``v^T H`` of a scalar function ``func`` at ``inputs``.

    Returns ``(func_output, vhp)``; ``vhp`` is shaped like ``inputs``.

    >>> vhp(lambda x: x ** 3, ember.tensor(2.), ember.tensor(1.))[1]
    tensor(12.)
    """
    return _hessian_product("vhp", func, inputs, v, create_graph, strict)


def hvp(func: Callable[..., Any], inputs: Tensors, v: Tensors = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The Hessian-vector product ``H v`` of a scalar function ``func`` at ``inputs``
    (by the double-backward trick; equal to :func:`vhp` for twice continuously
    differentiable functions).

    Returns ``(func_output, hvp)``; ``hvp`` is shaped like ``inputs``.

    >>> hvp(lambda x: x ** 3, ember.tensor(2.), ember.tensor(1.))[1]
    tensor(12.)
    """
    return _hessian_product("hvp", func, inputs, v, create_graph, strict)


def _hessian_product(name: str, func: Callable[..., Any], inputs: Tensors, v: Tensors, create_graph: bool,
                     strict: bool) -> tuple[Any, Any]:
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, name,
                       "The vector v can only be None if the input to the user-provided function is a single "
                       "Tensor with a single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
        _check_requires_grad(outputs, "outputs", strict=strict)
        if is_outputs_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        if name == "hvp":
            grad_jac = tuple(ember.zeros_like(inp, requires_grad=True) for inp in inputs)
            double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
            _check_requires_grad(jac, "hessian", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        if name == "hvp":
            grad_res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
            result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
        else:
            grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
            result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_inputs_tuple)


# -- Jacobians and Hessians ----------------------------------------------------------------------

def _basis(ref: Any, k: int) -> Any:
    """The ``k``-th standard basis tensor shaped like ``ref`` (a constant: no history)."""
    flat = ember.zeros(ref.nelement(), dtype=ref.dtype, device=ref.device)
    flat[k] = 1
    return flat.reshape(tuple(ref.shape))


def _assemble(pieces: list[Any], lead: tuple[int, ...], trail: tuple[int, ...], dim: int, ref: Any) -> Any:
    """Stack one Jacobian block from its rows (``dim=0``) or columns (``dim=-1``) to ``lead + trail``."""
    shape = lead + trail
    if not pieces:  # an empty output or input: nothing to stack
        return ember.zeros(shape, dtype=ref.dtype, device=ref.device)
    if len(pieces) == 1:  # no stack, so that create_graph needs only the function's own rules
        p = pieces[0]
        return p if tuple(p.shape) == shape else p.reshape(shape)
    return ember.stack(pieces, dim=dim).reshape(shape)


def jacobian(func: Callable[..., Any], inputs: Tensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: entry ``[i][j]`` has shape ``output_i.shape + input_j.shape``.

    Args:
        func: takes the input tensors, returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        create_graph: the Jacobian is differentiable (for Hessians and higher derivatives).
        strict: raise when an output does not depend on an input instead of returning zeros.
        vectorize: accepted for compatibility; Ember has no vmap, so both settings run one
            backward per row (or per column) and give the same values.
        strategy: ``"reverse-mode"`` (one backward per output element) or ``"forward-mode"``
            (one double-backward-trick product per input element; better when outputs outnumber inputs).

    Returns:
        A tensor when ``inputs`` and the output are single tensors; a tuple over inputs (or over
        outputs) when one of them is a tuple; a tuple of tuples (outputs, then inputs) when both are.

    >>> jacobian(lambda x, y: x * y, (ember.tensor(2.), ember.tensor(3.)))
    (tensor(3.), tensor(2.))
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more '
            'outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use '
            '"reverse-mode".'
        )
    if strategy == "forward-mode" and strict:
        raise RuntimeError(
            "ember.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` are not supported "
            "together (yet). Please either set `strict=False` or `strategy=\"reverse-mode\"`."
        )
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict=strict)
        if vectorize and strict:
            raise RuntimeError(
                "ember.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported "
                "together. Please either set `strict=False` or `vectorize=False`."
            )
        if strategy == "forward-mode":
            jac = _jacobian_forward(outputs, inputs, create_graph)
        else:
            jac = _jacobian_reverse(outputs, inputs, create_graph, strict)
        jac = _grad_postprocess(jac, create_graph)
        return _tuple_postprocess(jac, (is_outputs_tuple, is_inputs_tuple))


def _jacobian_reverse(outputs: tuple[Any, ...], inputs: tuple[Any, ...], create_graph: bool,
                      strict: bool) -> tuple[tuple[Any, ...], ...]:
    """Rows of the Jacobian: one backward per output element, with a basis tensor as grad_output."""
    jacobian: list[tuple[Any, ...]] = []
    for i, out in enumerate(outputs):
        rows: list[list[Any]] = [[] for _ in inputs]
        for k in range(out.nelement()):
            vj = _autograd_grad((out,), inputs, (_basis(out, k),), retain_graph=True, create_graph=create_graph)
            for j, (g, inp) in enumerate(zip(vj, inputs, strict=True)):
                if g is not None:
                    if strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of input {i}. This is "
                            "not allowed in strict mode when create_graph=True."
                        )
                    rows[j].append(g)
                else:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input {j}. This is not "
                            "allowed in strict mode."
                        )
                    rows[j].append(ember.zeros_like(inp))
        jacobian.append(tuple(
            _assemble(r, tuple(out.shape), tuple(inp.shape), 0, inp) for r, inp in zip(rows, inputs, strict=True)
        ))
    return tuple(jacobian)


def _jacobian_forward(outputs: tuple[Any, ...], inputs: tuple[Any, ...],
                      create_graph: bool) -> tuple[tuple[Any, ...], ...]:
    """Columns of the Jacobian: ``J e_k`` for each input element by the double-backward trick."""
    grad_outputs = tuple(ember.zeros_like(out, requires_grad=True) for out in outputs)
    grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
    cols: list[list[list[Any]]] = [[[] for _ in inputs] for _ in outputs]
    for j, inp in enumerate(inputs):
        gi = grad_inputs[j]
        for k in range(inp.nelement()):
            if gi is None or not gi.requires_grad:  # no output depends on this input
                res: tuple[Any, ...] = (None,) * len(outputs)
            else:
                res = _grad((gi,), grad_outputs, (_basis(inp, k),), retain_graph=True, create_graph=create_graph,
                            allow_unused=True)
            for i, (g, out) in enumerate(zip(res, outputs, strict=True)):
                cols[i][j].append(ember.zeros_like(out) if g is None else g)
    return tuple(
        tuple(_assemble(cols[i][j], tuple(out.shape), tuple(inp.shape), -1, inp) for j, inp in enumerate(inputs))
        for i, out in enumerate(outputs)
    )


def hessian(func: Callable[..., Any], inputs: Tensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function ``func`` at ``inputs`` (the Jacobian of its gradient).

    Entry ``[i][j]`` has shape ``input_i.shape + input_j.shape``; a single tensor when
    ``inputs`` is one tensor. ``outer_jacobian_strategy`` picks the outer Jacobian's mode.

    >>> hessian(lambda x: x ** 3, ember.tensor(2.))
    tensor(12.)
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp: Any) -> Any:
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, TensorBase):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        single: Any = out
        if single.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return single if single.dim() == 0 else single.reshape(())

    def jac_func(*inp: Any) -> Any:
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))
