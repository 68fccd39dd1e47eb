"""Anomaly mode: a backward that fails or returns NaN names the forward op that made its node."""

from __future__ import annotations

import warnings
from typing import Any

from ember.autograd._grad_mode import STATE, _DecoratorContextManager
from ember.autograd._graph import Node

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "checked_apply"]


def is_anomaly_enabled() -> bool:
    return STATE.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return STATE.anomaly_nan


class detect_anomaly(_DecoratorContextManager):
    """Record each node's forward traceback; a failing backward shows it, NaN results raise."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled "
            "for debugging.", UserWarning, stacklevel=2,
        )

    def clone(self) -> detect_anomaly:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.__class__(self.check_nan)

    def __enter__(self) -> None:
        self.prev = (STATE.anomaly, STATE.anomaly_nan)
        STATE.anomaly, STATE.anomaly_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        STATE.anomaly, STATE.anomaly_nan = self.prev


class set_detect_anomaly(_DecoratorContextManager):
    """Turn anomaly mode on or off (at once, and back on exit when used with ``with``)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (STATE.anomaly, STATE.anomaly_nan)
        self.mode, self.check_nan = mode, check_nan
        STATE.anomaly, STATE.anomaly_nan = mode, check_nan

    def clone(self) -> set_detect_anomaly:
        return self.__class__(self.mode, self.check_nan)

    def __enter__(self) -> None:
        STATE.anomaly, STATE.anomaly_nan = self.mode, self.check_nan

    def __exit__(self, *exc: object) -> None:
        STATE.anomaly, STATE.anomaly_nan = self.prev


def _trace_warning(node: Node) -> None:
    trace = getattr(node, "_trace", None)
    if trace:
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{trace}",
            UserWarning, stacklevel=4,
        )


def checked_apply(node: Node, buf: list[Any], create_graph: bool) -> tuple[Any, ...]:
    try:
        outs = node.apply(buf, create_graph)
    except Exception:
        _trace_warning(node)
        raise
    if STATE.anomaly_nan:
        for i, g in enumerate(outs):
            if g is not None and g._dtype.category >= 2 and bool(g.isnan().any()):
                _trace_warning(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return outs
