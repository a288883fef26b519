"""GitOps primitives for Kubernetes: located YAML, manifests, and git without a checkout.

Every function returns plain Python data (the JSON shapes the ``gitops-kit`` CLI prints) and
raises a :class:`GitopsKitError` subclass carrying ``code``, ``file``, ``line`` and ``column``.
Slow calls release the GIL, so they can run in threads.
"""

from ._native import (
    GitError,
    GitopsKitError,
    InvalidArgumentError,
    ManifestError,
    Repo,
    YamlError,
    __version__,
    apply_edits,
    load_manifests,
    locate,
    manifest_report,
    parse_manifests,
    to_yaml,
    yaml_hazards,
    yaml_to_json,
)

__all__ = [
    "GitError",
    "GitopsKitError",
    "InvalidArgumentError",
    "ManifestError",
    "Repo",
    "YamlError",
    "__version__",
    "apply_edits",
    "load_manifests",
    "locate",
    "manifest_report",
    "parse_manifests",
    "to_yaml",
    "yaml_hazards",
    "yaml_to_json",
]
