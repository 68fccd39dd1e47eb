"""``ember.utils``: helpers shared by Ember's packages (``ember.utils.hooks``).

A namespace shared like ``ember`` itself, so that other distributions can add
subpackages (``ember.utils.data``).
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
