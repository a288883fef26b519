"""GitOps primitives for Kubernetes: located YAML, manifests, and git without a checkout.

Every function returns plain Python data (the JSON shapes the ``gitops-kit`` CLI prints) and
raises a :class:`GitopsKitError` subclass carrying ``code``, ``file``, ``line`` and ``column``.
Slow calls release the GIL, so they can run in threads.
"""

# The public names are those of the native module: its stub (_native.pyi) lists them once in
# __all__, and stubtest checks that list against the runtime module.
from ._native import *  # noqa: F403
from ._native import __all__ as __all__
