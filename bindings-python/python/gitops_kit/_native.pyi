"""Type stubs of the native module ``gitops_kit._native`` (hand-written; checked by
``python -m mypy.stubtest gitops_kit``)."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, final

from typing_extensions import TypeAlias

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

__version__: str

_StrPath: TypeAlias = str | os.PathLike[str]

class _ParseOptions(TypedDict, total=False):
    """Parse options (camelCase keys such as ``maxDepth`` are accepted too)."""

    lenient: bool
    max_depth: int | None
    max_nodes: int | None
    max_alias_expansion: int | None
    max_scalar_bytes: int | None
    max_input_bytes: int | None
    max_documents: int | None

_Options: TypeAlias = _ParseOptions | Mapping[str, Any] | None

class _ResourceSummary(TypedDict):
    apiVersion: str
    kind: str
    namespace: str | None
    name: str
    generateName: bool
    file: str
    document: int
    line: int
    column: int

class _Problem(TypedDict):
    code: str
    message: str
    file: str
    document: int
    line: int
    column: int

class _ManifestReport(TypedDict):
    schema: Literal["gitops-kit/manifests/v1"]
    files: int
    resources: list[_ResourceSummary]
    problems: list[_Problem]

class _HazardSite(TypedDict):
    file: str
    document: int
    line: int
    column: int
    pointer: str
    key: bool
    text: str
    hazard: str
    message: str

class _NodeLocation(TypedDict):
    file: str
    document: int
    kind: Literal["scalar", "sequence", "mapping"]
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    text: str

class _Edit(TypedDict):
    start: int
    end: int
    replacement: str

class _ChangedPath(TypedDict):
    path: str
    change: Literal["added", "modified", "deleted"]

class _CommitInfo(TypedDict):
    id: str
    author_name: str
    author_email: str
    time: int
    subject: str
    parents: list[str]

class _Signature(TypedDict):
    name: str
    email: str
    time: int
    offset_minutes: int

class _FileChange(TypedDict):
    path: str
    data: bytes | str | None

class GitopsKitError(Exception):
    """Base class of every gitops-kit error."""

    code: str | None
    """Stable dotted code, e.g. ``yaml.duplicate-key``; always set on errors raised by gitops-kit
    (None only on an instance created in Python)."""
    file: str | None
    line: int | None
    column: int | None

class YamlError(GitopsKitError):
    """Malformed YAML or JSON, a limit exceeded, or a bad span edit (``yaml.*``)."""

class ManifestError(GitopsKitError):
    """A manifest source could not be read or named (``manifest.*``)."""

class GitError(GitopsKitError):
    """A git repository operation failed (``git.*``)."""

class InvalidArgumentError(GitopsKitError):
    """An argument was rejected by gitops-kit (``invalid-argument``)."""

def yaml_to_json(text: str, file: str = "<string>", options: _Options = None) -> list[Any]:
    """Every document of a YAML (or JSON) text as Kubernetes reads it (None for empty ones)."""

def yaml_hazards(
    text: str, file: str = "<string>", options: _Options = None
) -> list[_HazardSite]:
    """Plain scalars that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently."""

def locate(
    text: str,
    pointer: str,
    file: str = "<string>",
    document: int = 0,
    options: _Options = None,
) -> _NodeLocation:
    """The node at a JSON pointer in one document, with its span."""

def apply_edits(
    text: str, edits: Sequence[_Edit | Mapping[str, Any]], file: str = "<string>"
) -> str:
    """Replaces byte ranges of ``text``; every other byte is kept."""

def to_yaml(value: Any) -> str:
    """Writes a JSON-like value as block-style YAML."""

def parse_manifests(
    text: str, file: str = "<string>", options: _Options = None
) -> list[_ResourceSummary]:
    """The resource summaries of one text."""

def manifest_report(
    text: str, file: str = "<string>", options: _Options = None
) -> _ManifestReport:
    """The ``gitops-kit/manifests/v1`` report of one text."""

def load_manifests(
    paths: _StrPath | Sequence[_StrPath],
    options: _Options = None,
    repo: Repo | _StrPath | None = None,
) -> list[_ResourceSummary]:
    """The resource summaries of files, directories, ``-`` (stdin) and ``git:REF:PATH`` sources."""

@final
class Repo:
    """A git repository, read and written without a checkout."""

    def __new__(cls, path: _StrPath) -> Repo: ...
    @staticmethod
    def discover(path: _StrPath = ".") -> Repo: ...
    @property
    def path(self) -> str: ...
    def resolve(self, rev: str) -> str: ...
    def list_files(self, rev: str, prefix: str = "") -> list[str]: ...
    def read_file(self, rev: str, path: str) -> bytes: ...
    def read_files(self, rev: str, prefix: str = "") -> list[tuple[str, bytes]]: ...
    def changed_paths(self, from_rev: str, to_rev: str) -> list[_ChangedPath]: ...
    def log(
        self, rev: str, *, exclude: str | None = None, first_parent: bool = False
    ) -> list[_CommitInfo]: ...
    def tags_pointing_at(self, rev: str) -> list[str]: ...
    def find_commit_by_prefix(self, prefix: str) -> str: ...
    def commit(
        self,
        branch: str,
        changes: Sequence[_FileChange | tuple[str, bytes | str | None]],
        message: str,
        author: _Signature | Mapping[str, Any],
        *,
        committer: _Signature | Mapping[str, Any] | None = None,
        expected_tip: str | None = None,
    ) -> str: ...
    def load_manifests(
        self, rev: str, path: str = "", options: _Options = None
    ) -> list[_ResourceSummary]: ...
