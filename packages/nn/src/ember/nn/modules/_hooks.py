"""Hook plumbing for ``nn.Module``: removable handles, weak hook tables, and the full
backward hooks (torch's ``BackwardHook``), built on autograd ``Function``s."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ember._tensor import Tensor
from ember.autograd import Function, is_grad_enabled

if TYPE_CHECKING:
    from ember.nn.modules.module import Module

__all__: list[str] = []  # RemovableHandle is exported by module.py




class _WeakDict(dict):
    """A dict that can be weakly referenced (plain dicts cannot)."""

    __slots__ = ("__weakref__",)


class _WeakOrderedDict(OrderedDict):
    """An OrderedDict that can be weakly referenced (``move_to_end`` for ``prepend``)."""


def _backward_hook_function() -> Any:
    """The identity autograd Function whose node carries a module's full backward hooks (made lazily)."""
    global _BHF
    if _BHF is None:

        class BackwardHookFunction(Function):
            @staticmethod
            def forward(ctx: Any, *args: Any) -> Any:
                ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
                return args

            @staticmethod
            def backward(ctx: Any, *grads: Any) -> Any:
                return grads

        _BHF = BackwardHookFunction
    return _BHF


_BHF: Any = None


class BackwardHook:
    """Runs a module's full backward (pre-)hooks: identity nodes on its tensor inputs and outputs.

    The output node sees ``grad_output``; the input node sees ``grad_input`` and calls the hooks
    with both. When no input requires grad, the hooks run at the output node with ``None`` inputs.
    """

    def __init__(self, module: Module, user_hooks: list[Any], user_pre_hooks: list[Any]) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_outputs = -1
        self.output_index: list[int] | None = None
        self.n_inputs = -1
        self.input_index: list[int] | None = None

    @staticmethod
    def _pack(indices: list[int], values: Any, size: int) -> tuple[Any, ...]:
        res: list[Any] = [None] * size
        for i, v in zip(indices, values, strict=False):
            res[i] = v
        return tuple(res)

    def _wrap(self, args: tuple[Any, ...], on_node: Callable[[Any], None]) -> tuple[tuple[Any, ...], list[int] | None]:
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        new = _backward_hook_function().apply(*tensors)
        node = next(t.grad_fn for t in new if t.grad_fn is not None)
        on_node(node)
        out = list(args)
        for i, t in zip(idx, new, strict=True):
            out[i] = t
        return tuple(out), idx

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        def on_node(node: Any) -> None:
            def hook(grad_input: tuple[Any, ...], _: Any) -> Any:
                if self.grad_outputs is None:
                    return None  # the gradient reached the inputs without passing the outputs
                assert self.input_index is not None
                res = self._pack(self.input_index, grad_input, self.n_inputs)
                for user_hook in self.user_hooks:
                    out = user_hook(self.module, res, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(res):
                        raise RuntimeError(
                            f"Backward hook returned an invalid number of grad_input, got {len(out)}, "
                            f"but expected {len(res)}"
                        )
                    res = tuple(out)
                self.grad_outputs = None
                return tuple(res[i] for i in self.input_index)

            node.register_hook(hook)

        res, self.input_index = self._wrap(args, on_node)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result: Any) -> Any:
        def on_node(node: Any) -> None:
            def hook(_: Any, grad_output: tuple[Any, ...]) -> Any:
                assert self.output_index is not None
                self.grad_outputs = self._pack(self.output_index, grad_output, self.n_outputs)
                for pre_hook in self.user_pre_hooks:
                    new = pre_hook(self.module, self.grad_outputs)
                    if new is None:
                        continue
                    if len(new) != len(self.grad_outputs):
                        raise RuntimeError(
                            f"Backward pre hook returned an invalid number of grad_output, got {len(new)}, "
                            f"but expected {len(self.grad_outputs)}"
                        )
                    self.grad_outputs = tuple(new)
                local = self.grad_outputs
                if self.input_index is None:
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect to module outputs "
                        "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                        "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                        stacklevel=2,
                    )
                    grad_inputs = self._pack([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                            raise RuntimeError(
                                "Backward hook for Modules where no input requires gradient should always return "
                                "None or None for all gradients."
                            )
                    self.grad_outputs = None
                return tuple(local[i] for i in self.output_index)

            node.register_hook(hook)

        is_tuple = isinstance(result, tuple)
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(
                "For backward hooks to be called, module output should be a Tensor or a tuple of Tensors "
                f"but received {type(result)}",
                stacklevel=3,
            )
            return result
        args: tuple[Any, ...] = result if isinstance(result, tuple) else (result,)
        res, self.output_index = self._wrap(args, on_node)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]
