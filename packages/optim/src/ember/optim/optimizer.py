"""The :class:`Optimizer` base: parameter groups, per-parameter state, hooks and state dicts.

The structure follows ``torch.optim.Optimizer`` so that code written for PyTorch
(and its state dicts: integer parameter ids, per-group options) works unchanged.
Subclasses implement ``step``; the base wraps it (once per class) so step pre/post
hooks run around it and the update runs with autograd recording off.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any, ClassVar, TypeVar, cast

import ember
from ember._tensor import Tensor
from ember.utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required", "RemovableHandle", "ParamsT", "StateDict", "StateInit", "zeros", "step_to_tensor",
           "check_nonnegative"]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]
StateDict = dict[str, Any]
StateInit = Callable[[Tensor], Tensor]
"""Makes a fresh per-parameter state entry from the parameter (see :meth:`Optimizer._gather`)."""
R = TypeVar("R")
_SCALAR_STATE = frozenset({"step", "mu_product"})


class _RequiredParameter:
    """Marks an option a parameter group must give (no usable default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _RequiredParameter()




def _typename(obj: object) -> str:
    if isinstance(obj, Tensor):
        return "ember.Tensor"
    cls = type(obj)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _grad_mode(enabled: bool) -> contextlib.AbstractContextManager[Any]:
    # without ember-autograd loaded no tensor requires grad, so nothing could record
    autograd = sys.modules.get("ember.autograd")
    if autograd is None:
        return contextlib.nullcontext()
    return cast("contextlib.AbstractContextManager[Any]", autograd.set_grad_enabled(enabled))


def use_grad(step: Callable[..., R]) -> Callable[..., R]:
    """Run an optimizer's ``step`` with autograd recording off, unless built with ``differentiable=True``."""

    @functools.wraps(step)
    def no_grad_step(self: Any, *args: Any, **kwargs: Any) -> R:
        with _grad_mode(bool(self.defaults.get("differentiable", False))):
            return step(self, *args, **kwargs)

    return no_grad_step


def evaluate_closure(closure: Callable[[], Any] | None) -> Any:
    """Call ``closure`` (if any) with autograd recording on, returning its loss."""
    if closure is None:
        return None
    with _grad_mode(True):
        return closure()


def _hooked_step(func: Callable[..., R]) -> Callable[..., R]:
    """Wrap a subclass's ``step``: pre hooks (which may replace the arguments), no-grad update, post hooks."""

    @functools.wraps(func)
    def step(*args: Any, **kwargs: Any) -> R:
        self = cast(Optimizer, args[0])
        for pre_hook in list(self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{func} must return None or a tuple of (new_args, new_kwargs), but got {result}."
                    )
        out = func(*args, **kwargs)
        for post_hook in list(self._optimizer_step_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    step.hooked = True  # type: ignore[attr-defined]
    return step


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
            groups: ``{"params": [...], <option>: <value>}``) saying what to optimize.
        defaults: default values of the optimization options (used where a group gives none).

    Parameters must come in a deterministic order (a list, not a set): state dicts refer
    to them by position.
    """

    # options that older state dicts may lack, filled in by ``__setstate__`` (in this order)
    _group_defaults: ClassVar[tuple[tuple[str, Any], ...]] = ()
    # per-parameter counters that older state dicts kept as numbers (made float32 tensors on load)
    _tensor_counters: ClassVar[tuple[str, ...]] = ()

    OptimizerPreHook = Callable[["Optimizer", tuple[Any, ...], dict[str, Any]], "tuple[Any, Any] | None"]
    OptimizerPostHook = Callable[["Optimizer", tuple[Any, ...], dict[str, Any]], None]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + _typename(params)
            )
        self.state: defaultdict[Any, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(cast("dict[str, Any]", param_group))

    def _patch_step_function(self) -> None:
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _hooked_step(cls.step)  # type: ignore[method-assign]

    # -- pickling ---------------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, value in self._group_defaults:
                group.setdefault(key, value)
            if self._tensor_counters:
                for p in group["params"]:
                    p_state = self.state.get(p, {})
                    for key in self._tensor_counters:
                        step_to_tensor(p_state, key)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- hooks -----------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return new ``(args, kwargs)``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(table: OrderedDict[int, Callable[..., Any]], hook: Callable[..., Any], prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(table)
        table[handle.id] = hook
        if prepend:
            table.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` before :meth:`state_dict` builds its result."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on :meth:`state_dict`'s result; a returned dict replaces it."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` after :meth:`load_state_dict`."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dicts -----------------------------------------------------------------------------
    def state_dict(self) -> StateDict:
        """The optimizer's state: ``{"state": {param_id: {...}}, "param_groups": [{..., "params": [ids]}]}``.

        Parameters are replaced by their position over all groups (0, 1, ...); the
        tensors in ``state`` are this optimizer's own buffers (as in PyTorch; loading copies them).
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update(
                {id(p): i for i, p in enumerate(group["params"], start_index) if id(p) not in param_mappings}
            )
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        state_dict: StateDict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state_value(param: Tensor, value: Tensor, key: Hashable) -> Tensor:
        """A copy of a saved state tensor on the parameter's device (and dtype, for floating parameters).

        ``step`` keeps its own dtype (PyTorch's rule: it is a counter, not a buffer), and so does
        NAdam's scalar ``mu_product`` (PyTorch casts it to the parameter's dtype, which changes its
        rounding: an optimizer restored mid-training would then not continue exactly as the original).
        """
        if key not in _SCALAR_STATE and param.is_floating_point():
            out = value.to(dtype=param.dtype, device=param.device)
        else:
            out = value.to(device=param.device)
        # .to() returns the same tensor when nothing changes: copy so the optimizers never share buffers
        return out.clone() if out is value else out

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load state saved by :meth:`state_dict` (deep-copied: the two optimizers share no buffers).

        Raises:
            ValueError: the saved groups differ in number or size from this optimizer's.
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups, strict=True)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups), strict=True))

        def cast_value(param: Tensor, value: Any, key: Hashable = None) -> Any:
            if isinstance(value, Tensor):
                return self._cast_state_value(param, value, key)
            if isinstance(value, dict):
                return {k: cast_value(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast_value(param, v) for v in value)
            return deepcopy(value)

        state: defaultdict[Any, Any] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast_value(param, v)
            else:
                state[k] = deepcopy(v)

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups, strict=True)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # -- the training-loop API -------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default, else to zeros in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad = p.grad = grad.detach()
                    elif grad.requires_grad:
                        grad.requires_grad_(False)
                    grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def _gather(
        self,
        group: dict[str, Any],
        check: Callable[[Tensor], None] | None = None,
        lazy: bool = True,
        **buffers: StateInit | None,
    ) -> tuple[list[Tensor], list[Tensor], list[list[Tensor]]]:
        """The group's parameters that have a gradient, their gradients, and one list per state buffer.

        ``buffers`` maps each state key to the function making its initial value from the
        parameter (the entries are created in this order on a parameter's first step,
        unless ``lazy`` is false: state made at construction); a key given ``None`` is not
        used (its list stays empty). ``check(p)`` runs on each parameter before it is taken.
        """
        used = [(key, init) for key, init in buffers.items() if init is not None]
        params: list[Tensor] = []
        grads: list[Tensor] = []
        lists: dict[str, list[Tensor]] = {key: [] for key in buffers}
        for p in group["params"]:
            if p.grad is None:
                continue
            if check is not None:
                check(p)
            params.append(p)
            grads.append(p.grad)
            state = self.state[p]
            if lazy and len(state) == 0:
                for key, init in used:
                    state[key] = init(p)
            for key, _ in used:
                lists[key].append(state[key])
        return params, grads, list(lists.values())

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional per-group options).

        Useful for fine-tuning: frozen layers can join the optimizer as training goes on.

        Raises:
            TypeError: not a dict, a set of parameters, or a parameter that is not a tensor.
            ValueError: a non-leaf tensor, a missing required option, or a parameter
                already in another group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        tensors: list[Any] = []
        names: list[Any] = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or _retains_grad(param)):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        if len(tensors) != len(set(tensors)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                UserWarning, stacklevel=3,
            )
        param_set: set[Tensor] = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not param_set.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _retains_grad(t: Tensor) -> bool:
    return bool(getattr(t, "retains_grad", False))


def check_lr(lr: Any) -> None:
    """PyTorch's learning-rate check (shared by the algorithms)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(**values: Any) -> None:
    """PyTorch's ``if not value >= 0.0: raise ValueError("Invalid <name> value: <value>")`` checks, in order.

    A keyword ``eps`` is reported as ``epsilon``, as PyTorch words it.
    """
    for name, value in values.items():
        if not value >= 0.0:
            raise ValueError(f"Invalid {'epsilon' if name == 'eps' else name} value: {value}")


def zeros(p: Tensor) -> Tensor:
    """A zero state buffer shaped like ``p`` (a :data:`StateInit`)."""
    return ember.zeros_like(p)


def step_to_tensor(state: dict[str, Any], key: str = "step") -> None:
    """Old state dicts kept ``step`` as a number; make it the float32 tensor the update expects."""
    if state and key in state and not isinstance(state[key], Tensor):
        state[key] = ember.tensor(float(state[key]), dtype=ember.float32)


def to_float(x: Any) -> float:
    """A hyper-parameter or ``step`` counter as a Python float (one-element tensors allowed)."""
    return float(x.item()) if isinstance(x, Tensor) else float(x)
