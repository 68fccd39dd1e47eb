"""Importing the optional dependencies of ``ember-examples`` with a message that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtraError", "import_extras"]

# Module the job imports -> (distribution, what the job uses it for). Imported by name at
# run time, never statically, so that type-checking Ember needs none of them installed.
TRAIN_EXTRA: dict[str, tuple[str, str]] = {
    "tqdm": ("tqdm", "the progress bar"),
    "sklearn.datasets": ("scikit-learn", "the 8x8 digits data set"),
    "matplotlib.figure": ("matplotlib", "the plot of the curves"),
}


class MissingExtraError(ModuleNotFoundError):
    """An optional dependency of ``ember-examples`` is not installed."""


def import_extras(names: list[str], extra: str = "train") -> dict[str, ModuleType]:
    """Import ``names`` (keys of the ``train`` extra), or fail naming every missing one.

    Raises:
        MissingExtraError: one or more are not installed; the message lists them and says
            ``pip install "ember-examples[<extra>]"``.
    """
    found: dict[str, ModuleType] = {}
    missing: list[str] = []
    for name in names:
        try:
            found[name] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (name == exc.name or name.startswith(f"{exc.name}.")):
                raise  # installed, but something it imports is missing: show the real error
            dist, purpose = TRAIN_EXTRA[name]
            missing.append(f"{dist} ({purpose})")
    if missing:
        raise MissingExtraError(
            f"ember.examples.train needs {', '.join(missing)}, not installed. Install the "
            f"'{extra}' extra: pip install \"ember-examples[{extra}]\" "
            f"(from a checkout of Ember: pip install \"./packages/examples[{extra}]\")"
        )
    return found
