"""Without ember-autograd, tensors work and gradient features say which package to install.

Runs in a subprocess where ``ember.autograd`` cannot be imported (a meta-path finder
answers ``ModuleNotFoundError`` for it, exactly what Python raises when the
distribution is not installed), whatever way the packages were installed here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "ember.autograd" or name.startswith("ember.autograd."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    import ember
    from ember import MissingPackageError

    x = ember.tensor([1.0, 2.0])
    assert (x * 2).tolist() == [2.0, 4.0]
    assert not x.requires_grad and x.grad is None and x.grad_fn is None and x.is_leaf
    x.requires_grad_(False)
    x.grad = None
    checks = {
        "requires_grad=True": lambda: ember.tensor([1.0], requires_grad=True),
        "requires_grad_": lambda: x.requires_grad_(),
        "backward()": lambda: x.sum().backward(),
        "ember.no_grad": lambda: ember.no_grad,
        "setting .grad": lambda: setattr(x, "grad", ember.ones(2)),
    }
    for feature, call in checks.items():
        try:
            call()
        except MissingPackageError as exc:
            assert "pip install ember-autograd" in str(exc), (feature, str(exc))
            assert isinstance(exc, RuntimeError), type(exc).__mro__
        else:
            raise AssertionError(f"{feature}: no error without ember-autograd")
    assert "ember.autograd" not in sys.modules
    print("ok")
    """
)


def test_core_alone_gives_tensors_and_a_clear_error_for_gradients() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok")
