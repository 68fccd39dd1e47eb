"""Backend discovery through pluggy entry points, loaded lazily.

Nothing here runs at ``import ember``: entry points in the ``ember`` group are
loaded the first time any device is needed. Each plugin loads in its own try
block; a failure is kept with the plugin's name, distribution and entry point
and raised only when a backend that is missing is asked for, so one broken
plugin never takes down the others.

Environment:
    EMBER_LOAD_PLUGINS: comma-separated entry-point names to load (unset: all;
        empty: none). Plugins registered with :func:`register_plugin` always load.
    EMBER_BACKEND_<DEVICE_TYPE>: the backend name to use for a device type,
        e.g. ``EMBER_BACKEND_CPU=numpy``; :func:`use` overrides it.

Default choice: with several backends for one device type and no choice made,
the one with the highest ``priority`` class attribute wins, then the
alphabetically first name (a stable, documented tie-break).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from ember._errors import BackendNotFoundError, DuplicateBackendError, PluginLoadError
from ember.backends._protocol import REQUIRED_KERNELS

__all__ = ["registry", "PluginFailure"]

ENTRY_POINT_GROUP = "ember"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that failed to load or register, kept until its backend is asked for."""

    plugin: str
    distribution: str | None
    entry_point: str | None
    error: BaseException

    def describe(self) -> str:
        where = f"entry point {self.entry_point!r}" if self.entry_point else "registered directly"
        dist = f" from distribution {self.distribution!r}" if self.distribution else ""
        return f"plugin {self.plugin!r}{dist} ({where}): {type(self.error).__name__}: {self.error}"


class _Registry:
    """All backends known to this process, by device type and name."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._pm: Any = None
        self._loaded = False
        self._backends: dict[str, dict[str, Any]] = {}  # device type -> name -> class/instance
        self._owner: dict[tuple[str, str], str] = {}  # (device type, name) -> plugin
        self.failures: list[PluginFailure] = []
        self._chosen: dict[str, str] = {}
        self._active: dict[str, Any] = {}  # device type -> backend instance (the hot lookup)

    # -- loading ---------------------------------------------------------------
    def _manager(self) -> Any:
        if self._pm is None:
            import pluggy

            from ember import hookspecs

            self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
            self._pm.add_hookspecs(hookspecs)
        return self._pm

    def ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            from importlib.metadata import entry_points

            wanted = os.environ.get("EMBER_LOAD_PLUGINS")
            allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if allowed is not None and ep.name not in allowed:
                    continue
                dist = getattr(getattr(ep, "dist", None), "name", None)
                try:
                    module = ep.load()
                except Exception as exc:  # a broken plugin must not break the others
                    self.failures.append(PluginFailure(ep.name, dist, ep.value, exc))
                    continue
                self._add(module, ep.name, dist, ep.value)
            self._loaded = True

    def register_plugin(self, plugin: Any, name: str | None = None) -> None:
        """Register a plugin object (module or instance with hook implementations) now."""
        with self._lock:
            self.ensure_loaded()
            self._add(plugin, str(name or getattr(plugin, "__name__", type(plugin).__name__)), None, None)

    def unregister_plugin(self, name: str) -> None:
        """Remove a plugin and the backends it registered (mainly for tests)."""
        with self._lock:
            pm = self._manager()
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)
            for key, owner in list(self._owner.items()):
                if owner == name:
                    del self._owner[key]
                    self._backends[key[0]].pop(key[1], None)
                    self._active.pop(key[0], None)
            self.failures = [f for f in self.failures if f.plugin != name]

    def _add(self, plugin: Any, name: str, dist: str | None, value: str | None) -> None:
        pm = self._manager()
        try:
            if pm.is_registered(plugin) or pm.get_plugin(name) is not None:
                raise DuplicateBackendError(f"a plugin named {name!r} is already registered")
            pm.register(plugin, name=name)
        except Exception as exc:
            self.failures.append(PluginFailure(name, dist, value, exc))
            return
        try:
            _check_hooks(pm, plugin)
            for impl in pm.hook.ember_register_backends.get_hookimpls():
                if impl.plugin is plugin:
                    impl.function(register=lambda backend: self._register(backend, name))
        except Exception as exc:
            pm.unregister(plugin)
            for key, owner in list(self._owner.items()):
                if owner == name:
                    del self._owner[key]
                    self._backends[key[0]].pop(key[1], None)
            self.failures.append(PluginFailure(name, dist, value, exc))

    def _register(self, backend: Any, plugin: str) -> None:
        for attr in ("name", "device_type"):
            if not isinstance(getattr(backend, attr, None), str) or not getattr(backend, attr):
                raise TypeError(f"register(): backend {backend!r} needs a non-empty string attribute {attr!r}")
        missing = [k for k in REQUIRED_KERNELS if not callable(getattr(backend, k, None))]
        if missing:
            raise TypeError(
                f"register(): backend {backend.name!r} lacks required kernels: {', '.join(missing)}; "
                "subclass ember.backends.ArrayAPIBackend to get defaults"
            )
        key = (backend.device_type, backend.name)
        if key in self._owner:
            raise DuplicateBackendError(
                f"backend {backend.name!r} for device type {backend.device_type!r} is registered by "
                f"both plugin {self._owner[key]!r} and plugin {plugin!r}"
            )
        self._owner[key] = plugin
        self._backends.setdefault(backend.device_type, {})[backend.name] = backend

    # -- choosing ------------------------------------------------------------------
    def use(self, device_type: str, name: str) -> None:
        with self._lock:
            self.ensure_loaded()
            self._lookup(device_type, name)  # fail now, not at the next tensor
            self._chosen[device_type] = name
            self._active.pop(device_type, None)

    def backend_if_active(self, device_type: str) -> Any:
        """The active backend for a device type if one was already chosen, else None (never loads)."""
        return self._active.get(device_type)

    def backend(self, device_type: str) -> Any:
        """The active backend instance for a device type."""
        hit = self._active.get(device_type)
        if hit is not None:
            return hit
        with self._lock:
            self.ensure_loaded()
            name = self._chosen.get(device_type) or os.environ.get(f"EMBER_BACKEND_{device_type.upper()}")
            if name is None:
                candidates = self._backends.get(device_type)
                if not candidates:
                    raise BackendNotFoundError(self._missing_message(device_type, None))
                name = sorted(candidates, key=lambda n: (-getattr(candidates[n], "priority", 0), n))[0]
            backend = self._lookup(device_type, name)
            if isinstance(backend, type):
                backend = backend()
                self._backends[device_type][name] = backend
            self._active[device_type] = backend
            return backend

    def available(self) -> dict[str, list[str]]:
        self.ensure_loaded()
        return {dt: sorted(names) for dt, names in sorted(self._backends.items()) if names}

    def _lookup(self, device_type: str, name: str) -> Any:
        found = self._backends.get(device_type, {}).get(name)
        if found is not None:
            return found
        for failure in self.failures:
            if failure.plugin == name:
                raise PluginLoadError(
                    f"backend {name!r} for device type {device_type!r} is unavailable because "
                    f"{failure.describe()}"
                ) from failure.error
        raise BackendNotFoundError(self._missing_message(device_type, name))

    def _missing_message(self, device_type: str, name: str | None) -> str:
        what = f"backend {name!r} for device type {device_type!r}" if name else f"backend for device type {device_type!r}"
        have = ", ".join(f"{dt}: {', '.join(n)}" for dt, n in self.available().items()) or "none"
        lines = [f"no {what}; registered backends: {have}"]
        if not self._backends.get(device_type) and name is None:
            hint = {"cpu": "ember-cpu", "cuda": "ember-cuda[cuda12]"}.get(device_type)
            if hint:
                lines.append(f"install one with: pip install {hint}")
        lines += [f"  {f.describe()}" for f in self.failures]
        if os.environ.get("EMBER_LOAD_PLUGINS") is not None:
            lines.append(f"  (EMBER_LOAD_PLUGINS={os.environ['EMBER_LOAD_PLUGINS']!r} limits which plugins load)")
        return "\n".join(lines)

    def reset(self) -> None:
        """Forget everything and rediscover on next use (for tests)."""
        with self._lock:
            self.__init__()  # type: ignore[misc]


def _check_hooks(pm: Any, plugin: Any) -> None:
    """A plugin whose hook names are not Ember hooks is misspelled: say so, with a suggestion."""
    from ember import hookspecs

    known = [n for n in dir(hookspecs) if n.startswith("ember_")]
    for caller in pm.get_hookcallers(plugin) or ():
        if not caller.has_spec():
            # Imported here, on this error path only, to keep `import ember` lean.
            from difflib import get_close_matches

            close = get_close_matches(caller.name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; Ember's hooks are {', '.join(known)}"
            raise PluginLoadError(f"{caller.name!r} is not an Ember hook{hint}")


registry = _Registry()
