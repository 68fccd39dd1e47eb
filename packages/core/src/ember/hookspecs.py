"""The hooks a plugin may implement, with pluggy markers for project ``ember``.

A plugin is a module named by an entry point in the ``ember`` group::

    [project.entry-points.ember]
    mydev = "ember_mydev.plugin"

and implements any of the hooks below, decorated with :data:`hookimpl`::

    import ember

    @ember.hookimpl
    def ember_register_backends(register):
        register(MyBackend)

Hook arguments are append-only: new arguments may be added in later versions,
and pluggy passes each implementation only the arguments it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookspec", "hookimpl", "ember_register_backends", "PROJECT_NAME"]

PROJECT_NAME = "ember"

#: Marks a function in :mod:`ember.hookspecs` as a hook specification.
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Marks a plugin's function as the implementation of an Ember hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def ember_register_backends(register: Callable[[Any], None]) -> None:
    """Register the backends this plugin provides.

    Called once, the first time any device is needed. Call ``register`` once
    per backend with a backend class (or instance) that implements
    :class:`ember.backends.Backend`; its ``name`` and ``device_type`` class
    attributes identify it. Registering a second backend with the same name
    for the same device type raises :class:`ember.DuplicateBackendError`.

    Args:
        register: ``register(backend_class_or_instance)``.

    Example::

        @ember.hookimpl
        def ember_register_backends(register):
            register(NumpyBackend)
    """
