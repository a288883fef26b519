"""Type stubs of the native module ``gitops_kit._native`` (hand-written; checked by
``python -m mypy.stubtest gitops_kit``)."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, final

from typing_extensions import TypeAlias

__all__ = [
    "DiffError",
    "EnvConfig",
    "EnvError",
    "GitError",
    "GitopsKitError",
    "ImageError",
    "InvalidArgumentError",
    "ManifestError",
    "Repo",
    "ValidateError",
    "YamlError",
    "__version__",
    "apply_edits",
    "check_config",
    "diff",
    "diff_baseline",
    "diff_render",
    "diff_texts",
    "diff_texts_render",
    "gate",
    "image_sites",
    "kubernetes_versions",
    "link_image",
    "lint_image",
    "load_config",
    "load_config_file",
    "load_image_sites",
    "load_manifests",
    "locate",
    "manifest_report",
    "order_by_git",
    "parse_image",
    "parse_manifests",
    "parse_tag",
    "render_tag",
    "resolve",
    "same_repository",
    "sanitize_tag",
    "set_images",
    "set_images_in_paths",
    "tag_for_commit",
    "to_yaml",
    "validate",
    "validate_text",
    "validation_rules",
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

class EnvError(GitopsKitError):
    """An invalid gitops-kit.yaml entry, an ambiguous branch, an unknown environment or a bad
    gate argument (``env.*``)."""

class ImageError(GitopsKitError):
    """An invalid image reference, a refused rewrite, a bad tag scheme or a tag that does not
    fit it (``image.*``)."""

class DiffError(GitopsKitError):
    """A diff option, ignore rule or diff configuration was rejected (``diff.*``)."""

class ValidateError(GitopsKitError):
    """A validation option or configuration was rejected (``validate.*``)."""

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

# --- environments (gitops_kit.env) -------------------------------------------------------------

class _Target(TypedDict):
    cluster: str | None
    namespace: str | None

class _PreviewInfo(TypedDict):
    pattern: str
    pr: str
    namespace: str
    tag_scheme: str | None
    ttl: str | None

class _Resolution(TypedDict):
    schema: Literal["gitops-kit/env/v1"]
    environment: str
    branch: str
    matched_by: Literal["exact", "glob", "preview"]
    pattern: str
    preview: _PreviewInfo | None
    target: _Target
    code_branch: str | None
    promotion: dict[str, Any]
    policy: dict[str, Any]
    after: list[str]
    next: list[str]

class _EnvProblem(TypedDict):
    code: str
    message: str
    file: str
    line: int
    column: int
    pointer: str

class _WindowHit(TypedDict):
    kind: Literal["allow", "deny", "freeze"]
    description: str | None
    expression: str | None
    timezone: str
    start: str
    end: str
    overrun_until: str | None
    file: str
    line: int
    column: int
    pointer: str

class _IgnoredApproval(TypedDict):
    who: str
    reason: Literal["self-approval", "not-in-group"]

class _ApprovalOutcome(TypedDict):
    required: int
    received: int
    met: bool
    groups: list[str]
    approvers: list[str]
    ignored: list[_IgnoredApproval]

class _Gate(TypedDict):
    schema: Literal["gitops-kit/gate/v1"]
    environment: str
    at: str
    open: bool
    reasons: list[_EnvProblem]
    window: _WindowHit | None
    next_open: str | None
    approvals: _ApprovalOutcome | None

class _Approval(TypedDict, total=False):
    who: str
    groups: list[str]

_ApprovalArg: TypeAlias = _Approval | Mapping[str, Any] | str

class _EnvSummary(TypedDict):
    name: str
    manifest_branch: str
    code_branch: str | None
    target: _Target
    after: list[str]
    mode: str
    approvals_required: int
    windows: list[str]
    file: str
    line: int
    column: int

class _EnvList(TypedDict):
    schema: Literal["gitops-kit/env-list/v1"]
    file: str
    environments: list[_EnvSummary]
    previews: str | None

class _CheckReport(TypedDict):
    schema: Literal["gitops-kit/env-config/v1"]
    file: str
    valid: bool
    errors: list[_EnvProblem]
    warnings: list[_EnvProblem]
    environments: list[str]

_StrList: TypeAlias = list[str]
_EnvProblems: TypeAlias = list[_EnvProblem]

@final
class EnvConfig:
    """A loaded, validated gitops-kit.yaml (see ``load_config``)."""

    @property
    def file(self) -> str: ...
    def order(self) -> _StrList: ...
    def next(self, environment: str) -> _StrList: ...
    def previous(self, environment: str) -> _StrList: ...
    def resolve(self, branch: str) -> _Resolution | None: ...
    def gate(
        self,
        environment: str,
        at: str,
        approvals: Sequence[_ApprovalArg] | None = None,
        author: str | None = None,
    ) -> _Gate: ...
    def list(self) -> _EnvList: ...
    def warnings(self) -> _EnvProblems: ...
    def section(self, name: str) -> Any: ...

def load_config(text: str, file: str = "<string>") -> EnvConfig:
    """Loads and validates a gitops-kit.yaml; raises ``EnvError`` with a location."""

def load_config_file(path: _StrPath) -> EnvConfig:
    """Reads and loads a gitops-kit.yaml file."""

def check_config(text: str, file: str = "<string>") -> _CheckReport:
    """Every problem of a configuration (``gitops-kit/env-config/v1``)."""

def resolve(config: EnvConfig | str, branch: str, file: str = "<string>") -> _Resolution | None:
    """The environment ``branch`` deploys to (``gitops-kit/env/v1``), or None."""

def gate(
    config: EnvConfig | str,
    environment: str,
    at: str,
    approvals: Sequence[_ApprovalArg] | None = None,
    author: str | None = None,
    file: str = "<string>",
) -> _Gate:
    """May ``environment`` be deployed at ``at`` (RFC 3339)? (``gitops-kit/gate/v1``)"""

# --- validation (gitops_kit.validate) ----------------------------------------------------------

_Severity: TypeAlias = Literal["error", "warning", "info"]

class _FindingResource(TypedDict):
    apiVersion: str
    kind: str
    namespace: str | None
    name: str

class _Finding(TypedDict):
    rule: str
    severity: _Severity
    message: str
    help: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    pointer: str
    resource: _FindingResource | None

class _ValidateSummary(TypedDict):
    files: int
    resources: int
    errors: int
    warnings: int
    infos: int
    suppressed: int

class _ValidateReport(TypedDict):
    schema: Literal["gitops-kit/validate/v1"]
    summary: _ValidateSummary
    findings: list[_Finding]

class _RuleInfo(TypedDict):
    id: str
    severity: _Severity | None
    title: str
    help: str

def validate(
    sources: _StrPath | Sequence[_StrPath] | None = None,
    *,
    text: str | None = None,
    file: str = "<string>",
    kubernetes_version: str | None = None,
    strict: bool | None = None,
    crds: _StrPath | Sequence[_StrPath] | None = None,
    config: _StrPath | None = None,
    config_text: str | None = None,
    skip_rules: Sequence[str] | None = None,
    repo: _StrPath | None = None,
    environment: str | None = None,
    branch: str | None = None,
    commit: str | None = None,
    code_repo: _StrPath | None = None,
    against: _StrPath | Sequence[_StrPath] | None = None,
    against_text: str | None = None,
) -> _ValidateReport:
    """Validates sources or a text (``gitops-kit/validate/v1``)."""

def validate_text(
    text: str, file: str = "<string>", options: Mapping[str, Any] | None = None
) -> _ValidateReport:
    """The validation report of one text; ``options`` has the keyword names of ``validate``."""

def kubernetes_versions() -> list[str]:
    """The Kubernetes versions with embedded schemas, oldest first."""

def validation_rules() -> list[_RuleInfo]:
    """The rule catalog."""

# --- images (issue 5) ---------------------------------------------------------------------

class _RefError(TypedDict):
    code: str
    message: str

class _RefSpans(TypedDict):
    name: list[int]
    domain: list[int] | None
    path: list[int]
    tag: list[int] | None
    digest: list[int] | None

class _ImageParse(TypedDict):
    input: str
    valid: bool
    mode: Literal["normalize", "strict"]
    domain: str | None
    path: str | None
    tag: str | None
    digest: str | None
    name: str | None
    canonical: str | None
    familiar: str | None
    pinned: str | None
    spans: _RefSpans | None
    error: _RefError | None

class _ImageLint(TypedDict):
    code: str
    severity: Literal["error", "warning", "info"]
    message: str

class _ImageSite(TypedDict):
    image: str
    file: str
    document: int
    line: int
    column: int
    end_line: int
    end_column: int
    resource: dict[str, str | None]
    container: str | None
    field: str
    pointer: str
    style: str

class _SitesReport(TypedDict):
    schema: str
    sites: list[_ImageSite]

class _ImageChange(TypedDict):
    file: str
    document: int
    line: int
    column: int
    pointer: str
    field: str
    selector: str
    old: str
    new: str

class _SetResult(TypedDict):
    text: str
    changes: list[_ImageChange]
    unmatched: list[str]

class _SetFile(TypedDict):
    file: str
    changes: list[_ImageChange]
    text: str | None

class _SetReport(TypedDict):
    schema: str
    files: list[_SetFile]
    unmatched: list[str]
    written: bool

class _ParsedTag(TypedDict):
    tag: str
    scheme: str
    fields: dict[str, str]
    sort_key: list[int | str]

class _LinkEvidence(TypedDict):
    kind: str
    supports: bool
    detail: str

class _Link(TypedDict):
    schema: str
    image: str
    parsed: _ParsedTag
    commit: str
    confidence: Literal["high", "medium", "low"]
    evidence: list[_LinkEvidence]

class _TagForCommit(TypedDict):
    facts: dict[str, Any]
    tag: str

class _GitOrderEntry(TypedDict):
    tag: str
    commit: str
    position: int | None

_ImageEdits: TypeAlias = Sequence[str | Mapping[str, str]]
_Settings: TypeAlias = Mapping[str, Any] | None

def parse_image(reference: str, mode: str = "normalize") -> _ImageParse:
    """Parses an image reference; invalid ones have ``valid=False`` and an ``error``."""

def lint_image(reference: str, settings: _Settings = None) -> list[_ImageLint]:
    """Lints a reference (latest, missing tag, mutable tags, tag and digest, …)."""

def sanitize_tag(branch: str, lowercase: bool = False) -> str:
    """Turns a branch name into a legal tag."""

def same_repository(a: str, b: str, aliases: Mapping[str, str] | None = None) -> bool:
    """Whether two references name the same repository (normalised, with registry aliases)."""

def image_sites(text: str, file: str = "<string>", settings: _Settings = None) -> _SitesReport:
    """The ``gitops-kit/images/v1`` report of one text."""

def load_image_sites(
    paths: _StrPath | Sequence[_StrPath], settings: _Settings = None, options: _Options = None
) -> _SitesReport:
    """The ``gitops-kit/images/v1`` report of files and directories."""

def set_images(
    text: str, edits: _ImageEdits, file: str = "<string>", settings: _Settings = None
) -> _SetResult:
    """Rewrites images in one text with byte-span edits only."""

def set_images_in_paths(
    paths: _StrPath | Sequence[_StrPath],
    edits: _ImageEdits,
    settings: _Settings = None,
    in_place: bool = False,
) -> _SetReport:
    """``set_images`` over files and directories (``gitops-kit/image-set/v1``)."""

def render_tag(scheme: str, facts: Mapping[str, Any]) -> str:
    """Renders a tag from commit facts."""

def parse_tag(scheme: str, tag: str) -> _ParsedTag:
    """Parses a tag back into its fields and sort key."""

def tag_for_commit(
    scheme: str,
    repo: Repo | _StrPath,
    rev: str = "HEAD",
    branch: str | None = None,
    build: int | None = None,
    pr: int | None = None,
) -> _TagForCommit:
    """The tag a scheme gives a commit of a repository."""

def link_image(
    image: str, scheme: str, repo: Repo | _StrPath, branch: str | None = None
) -> _Link:
    """The code commit an image was built from (``gitops-kit/image-link/v1``)."""

def order_by_git(
    tags: Sequence[str], scheme: str, repo: Repo | _StrPath, branch: str
) -> list[_GitOrderEntry]:
    """Tags ordered by their commits' first-parent position on a branch, newest first."""

# diff (issue 4)
def diff(
    old: _StrPath | Sequence[_StrPath],
    new: _StrPath | Sequence[_StrPath],
    options: Mapping[str, Any] | None = None,
    repo: _StrPath | None = None,
) -> dict[str, Any]:
    """The ``gitops-kit/diff/v1`` report of OLD sources against NEW sources."""

def diff_texts(old: str, new: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``gitops-kit/diff/v1`` report of two texts (named ``<old>`` and ``<new>``)."""

def diff_texts_render(
    old: str,
    new: str,
    options: Mapping[str, Any] | None = None,
    format: Literal["text", "json", "markdown", "unified", "patch"] = "text",
) -> str:
    """A diff of two texts as the CLI prints it: text, json, markdown, unified (a unified YAML
    diff of the normalized documents) or patch (``gitops-kit/diff-patch/v1`` JSON Patch text)."""

def diff_render(
    old: _StrPath | Sequence[_StrPath],
    new: _StrPath | Sequence[_StrPath],
    options: Mapping[str, Any] | None = None,
    format: Literal["text", "json", "markdown", "unified", "patch"] = "text",
    repo: _StrPath | None = None,
) -> tuple[str, int]:
    """OLD sources against NEW sources rendered as ``diff_texts_render`` does, with the CLI's
    exit code: ``(output, exit_code)``."""

def diff_baseline(
    report: Mapping[str, Any], previous: Mapping[str, Any] | _StrPath | None = None
) -> dict[str, Any]:
    """The ``gitops-kit/diff-baseline/v1`` baseline accepting every counted change of a report,
    keeping the notes and expiries of ``previous``; pass it back as the ``baseline`` option."""
