"""The Python API: manifests from text, files, directories and git; YAML helpers; git; errors;
hostile input; the GIL released during core calls."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import gitops_kit
from gitops_kit import (
    GitError,
    GitopsKitError,
    InvalidArgumentError,
    ManifestError,
    Repo,
    YamlError,
)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25 # pinned
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  debug: "true"
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
"""


def summary(api: str, kind: str, ns: str | None, name: str, file: str, **kw: Any) -> dict[str, Any]:
    out = {
        "apiVersion": api,
        "kind": kind,
        "namespace": ns,
        "name": name,
        "generateName": False,
        "file": file,
        "document": 0,
        "line": 1,
        "column": 1,
    }
    out.update(kw)
    return out


# ---------------------------------------------------------------------------------------------
# Manifests


def test_parse_manifests_from_text() -> None:
    got = gitops_kit.parse_manifests(DEPLOYMENT + "---\n" + CONFIGMAP, "app.yaml")
    assert got == [
        summary("apps/v1", "Deployment", "shop", "web", "app.yaml"),
        summary("v1", "ConfigMap", None, "settings", "app.yaml", document=1, line=13),
    ]


def test_parse_manifests_defaults_to_string_name() -> None:
    (res,) = gitops_kit.parse_manifests(CONFIGMAP)
    assert res["file"] == "<string>"


def test_manifest_report_has_problems() -> None:
    report = gitops_kit.manifest_report("foo: bar\n---\n" + CONFIGMAP, file="m.yaml")
    assert report["schema"] == "gitops-kit/manifests/v1"
    assert report["files"] == 1
    assert [r["name"] for r in report["resources"]] == ["settings"]
    assert [p["code"] for p in report["problems"]] == ["manifest.not-an-object"]


def test_lenient_option_and_camel_case_keys() -> None:
    text = CONFIGMAP + "kind: Secret\n"
    with pytest.raises(YamlError) as info:
        gitops_kit.parse_manifests(text)
    assert info.value.code == "yaml.duplicate-key"
    (res,) = gitops_kit.parse_manifests(text, options={"lenient": True, "maxDepth": 50})
    assert res["kind"] == "Secret"


@pytest.fixture()
def manifest_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "apps" / "web" / "deploy.yaml").write_text(DEPLOYMENT)
    (tmp_path / "apps" / "web" / "svc.yml").write_text(SERVICE)
    (tmp_path / "apps" / "cm.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}'
    )
    (tmp_path / "apps" / "notes.txt").write_text("not a manifest")
    (tmp_path / "apps" / ".hidden").mkdir()
    (tmp_path / "apps" / ".hidden" / "x.yaml").write_text(CONFIGMAP)
    return tmp_path


def test_load_manifests_file_as_str_and_pathlike(manifest_dir: pathlib.Path) -> None:
    path = manifest_dir / "apps" / "web" / "deploy.yaml"
    by_str = gitops_kit.load_manifests(str(path))
    by_path = gitops_kit.load_manifests(path)
    assert by_str == by_path == [summary("apps/v1", "Deployment", "shop", "web", str(path))]


def test_load_manifests_directory_sorted_recursive(manifest_dir: pathlib.Path) -> None:
    got = gitops_kit.load_manifests(manifest_dir / "apps")
    files = [os.path.relpath(r["file"], manifest_dir) for r in got]
    assert files == ["apps/cm.json", "apps/web/deploy.yaml", "apps/web/svc.yml"]


def test_load_manifests_sequence_keeps_order(manifest_dir: pathlib.Path) -> None:
    web = manifest_dir / "apps" / "web"
    got = gitops_kit.load_manifests([web / "svc.yml", str(web / "deploy.yaml")])
    assert [r["kind"] for r in got] == ["Service", "Deployment"]
    assert gitops_kit.load_manifests(()) == []


def test_load_manifests_errors(manifest_dir: pathlib.Path) -> None:
    missing = manifest_dir / "nope.yaml"
    with pytest.raises(ManifestError) as info:
        gitops_kit.load_manifests(missing)
    assert info.value.code == "manifest.not-found"
    assert str(missing) in str(info.value)
    with pytest.raises(ManifestError) as info:
        gitops_kit.load_manifests([""])
    assert info.value.code == "manifest.invalid-source"
    bad = manifest_dir / "bad.yaml"
    bad.write_text("a: 1\na: 2\n")
    with pytest.raises(YamlError) as yinfo:
        gitops_kit.load_manifests(bad)
    assert (yinfo.value.code, yinfo.value.file, yinfo.value.line) == ("yaml.duplicate-key", str(bad), 2)
    with pytest.raises(TypeError):
        gitops_kit.load_manifests(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gitops_kit.load_manifests([b"bytes.yaml"])  # type: ignore[list-item]


def test_load_manifests_opens_repo_only_when_needed(manifest_dir: pathlib.Path) -> None:
    path = manifest_dir / "apps" / "web" / "svc.yml"
    got = gitops_kit.load_manifests(path, repo=manifest_dir / "not-a-repo")
    assert [r["kind"] for r in got] == ["Service"]
    with pytest.raises(GitError) as info:
        gitops_kit.load_manifests("git:main:apps", repo=manifest_dir)
    assert info.value.code == "git.open"


def test_load_manifests_from_stdin(tmp_path: pathlib.Path) -> None:
    code = "import gitops_kit, json; print(json.dumps(gitops_kit.load_manifests(['-'])))"
    out = subprocess.run(
        [sys.executable, "-c", code], input=CONFIGMAP, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == (
        '[{"apiVersion": "v1", "kind": "ConfigMap", "namespace": null, "name": "settings", '
        '"generateName": false, "file": "<stdin>", "document": 0, "line": 1, "column": 1}]'
    )


# ---------------------------------------------------------------------------------------------
# YAML helpers


def test_yaml_to_json_reads_like_kubernetes() -> None:
    got = gitops_kit.yaml_to_json("a: yes\nb: 0755\nc: 1.5\nd: ~\n---\n")
    assert got == [{"a": True, "b": 493, "c": 1.5, "d": None}, None]
    assert type(got[0]["a"]) is bool and type(got[0]["b"]) is int


def test_yaml_hazards() -> None:
    (site,) = gitops_kit.yaml_hazards("data:\n  debug: on\n", "cm.yaml")
    assert site["hazard"] == "yaml11-bool"
    assert (site["file"], site["line"], site["column"], site["pointer"]) == ("cm.yaml", 2, 10, "/data/debug")


def test_locate_then_apply_edits_keeps_formatting() -> None:
    loc = gitops_kit.locate(DEPLOYMENT, "/spec/template/spec/containers/0/image", file="d.yaml")
    assert (loc["kind"], loc["text"], loc["line"], loc["column"]) == ("scalar", "nginx:1.25", 11, 18)
    edit = {"start": loc["start"], "end": loc["end"], "replacement": "nginx:1.27"}
    out = gitops_kit.apply_edits(DEPLOYMENT, [edit])
    assert out == DEPLOYMENT.replace("nginx:1.25 # pinned", "nginx:1.27 # pinned")


def test_locate_missing_pointer_and_document() -> None:
    with pytest.raises(YamlError) as info:
        gitops_kit.locate("a: 1\n", "/b")
    assert info.value.code == "yaml.pointer"
    with pytest.raises(YamlError) as info:
        gitops_kit.locate("a: 1\n", "/a", document=3)
    assert info.value.code == "yaml.pointer"
    with pytest.raises(OverflowError):
        gitops_kit.locate("a: 1\n", "/a", document=-1)


def test_apply_edits_argument_errors() -> None:
    with pytest.raises(YamlError) as info:
        gitops_kit.apply_edits("abc", [{"start": 2, "end": 9, "replacement": ""}], file="e.txt")
    assert (info.value.code, info.value.file) == ("yaml.edit", "e.txt")
    with pytest.raises(TypeError):
        gitops_kit.apply_edits("abc", [{"start": 0, "end": 1}])
    with pytest.raises(TypeError):
        gitops_kit.apply_edits("abc", [(0, 1, "x")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        gitops_kit.apply_edits("abc", {"start": 0, "end": 1, "replacement": ""})  # type: ignore[arg-type]
    with pytest.raises(YamlError):
        gitops_kit.apply_edits("é", [{"start": 0, "end": 1, "replacement": ""}])
    with pytest.raises(OverflowError):
        gitops_kit.apply_edits("abc", [{"start": -1, "end": 1, "replacement": ""}])
    assert gitops_kit.apply_edits("abc", []) == "abc"
    assert gitops_kit.apply_edits("abc", ({"start": 1, "end": 2, "replacement": "B"},)) == "aBc"


@pytest.mark.parametrize(("start", "end"), [(1, 2), (1, 9)])
def test_apply_edits_starting_inside_a_character(start: int, end: int) -> None:
    with pytest.raises(YamlError) as info:
        gitops_kit.apply_edits("é", [{"start": start, "end": end, "replacement": ""}])
    assert info.value.code == "yaml.edit"


def test_mappings_and_iterables_are_accepted() -> None:
    import types

    options = types.MappingProxyType({"lenient": True})
    assert gitops_kit.yaml_to_json("a: 1\na: 2\n", options=options) == [{"a": 2}]
    edits = ({"start": i, "end": i + 1, "replacement": c.upper()} for i, c in enumerate("ab"))
    assert gitops_kit.apply_edits("abc", list(edits)) == "ABc"
    gen = ({"start": i, "end": i + 1, "replacement": "-"} for i in range(2))
    assert gitops_kit.apply_edits("abc", gen) == "--c"  # type: ignore[arg-type]


def test_to_yaml_round_trips() -> None:
    value = {
        "metadata": {"name": "web", "labels": {"enabled": "yes", "mode": "0644"}},
        "ports": (80, 443),
        "ratio": 0.25,
        "big": 2**64 - 1,
        "neg": -(2**63),
        "flags": [True, False, None],
        "script": "echo hi\nexit 0\n",
        "empty": {},
    }
    text = gitops_kit.to_yaml(value)
    assert 'enabled: "yes"' in text
    back = gitops_kit.yaml_to_json(text)[0]
    assert back == {**value, "ports": [80, 443]}


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({1: "int key"}, TypeError),
        ({"b": b"bytes"}, TypeError),
        ({"s": {1, 2}}, TypeError),
        (object(), TypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (2**64, ValueError),
        (-(2**63) - 1, ValueError),
    ],
)
def test_to_yaml_rejects_non_json(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        gitops_kit.to_yaml(value)


def test_to_yaml_depth_bound_and_cycles() -> None:
    def nested(depth: int) -> list[Any]:
        root: list[Any] = []
        cur = root
        for _ in range(depth - 1):
            nxt: list[Any] = []
            cur.append(nxt)
            cur = nxt
        return root

    back = gitops_kit.yaml_to_json(gitops_kit.to_yaml(nested(1000)), options={"max_depth": 1000})[0]
    depth = 0
    while isinstance(back, list):
        depth, back = depth + 1, back[0] if back else None
    assert depth == 1000
    with pytest.raises(ValueError, match="deeper than 1000"):
        gitops_kit.to_yaml(nested(1001))
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError):
        gitops_kit.to_yaml(cycle)
    d: dict[str, Any] = {}
    d["self"] = d
    with pytest.raises(ValueError):
        gitops_kit.to_yaml(d)


# ---------------------------------------------------------------------------------------------
# Errors


def test_error_hierarchy() -> None:
    for cls in (YamlError, ManifestError, GitError, InvalidArgumentError):
        assert cls.__mro__[1:] == (GitopsKitError, Exception, BaseException, object)
        assert cls.__module__ == "gitops_kit"
    assert GitopsKitError.__module__ == "gitops_kit"
    plain = GitopsKitError("raised from Python")
    assert (plain.code, plain.file, plain.line, plain.column) == (None, None, None, None)


def test_error_attributes_located() -> None:
    with pytest.raises(YamlError) as info:
        gitops_kit.yaml_to_json("a: 1\nb: [1\n", file="broken.yaml")
    err = info.value
    assert err.code == "yaml.parse"
    assert err.file == "broken.yaml"
    assert isinstance(err.line, int) and isinstance(err.column, int)
    assert str(err).startswith(f"broken.yaml:{err.line}:{err.column}: ")


def test_error_attributes_unlocated() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        gitops_kit.yaml_to_json("a: 1", options={"depth": 1})
    err = info.value
    assert (err.code, err.file, err.line, err.column) == ("invalid-argument", None, None, None)
    assert str(err) == 'invalid argument: unknown parse option "depth"'
    assert isinstance(err, GitopsKitError)


def test_errors_pickle_with_their_attributes() -> None:
    import pickle

    with pytest.raises(YamlError) as info:
        gitops_kit.parse_manifests("a: 1\na: 2\n", "p.yaml")
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is YamlError
    assert (back.code, back.file, back.line, back.column) == ("yaml.duplicate-key", "p.yaml", 2, 1)
    assert str(back) == str(info.value)


def test_wrong_argument_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        gitops_kit.yaml_to_json(b"a: 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gitops_kit.yaml_to_json("a: 1", file=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gitops_kit.yaml_to_json("a: 1", bogus=1)  # type: ignore[call-arg]


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("billion laughs", lambda: gitops_kit.yaml_to_json(BILLION_LAUGHS)),
        ("billion laughs manifests", lambda: gitops_kit.parse_manifests(BILLION_LAUGHS)),
        ("deep block nesting", lambda: gitops_kit.yaml_to_json("- " * 100_000 + "x")),
        ("deep flow nesting", lambda: gitops_kit.yaml_to_json("[" * 100_000)),
        ("deep with limit raised", lambda: gitops_kit.yaml_to_json("- " * 100_000 + "x", options={"max_depth": 10**9})),
        ("deep hazards", lambda: gitops_kit.yaml_hazards("{a: " * 100_000)),
        ("deep locate", lambda: gitops_kit.locate("- " * 100_000 + "x", "/0")),
        ("NUL bytes", lambda: gitops_kit.yaml_to_json("a: b\x00c\n")),
        ("NUL manifest", lambda: gitops_kit.parse_manifests("\x00")),
        ("unterminated", lambda: gitops_kit.manifest_report('a: "x')),
        ("tiny scalar limit", lambda: gitops_kit.yaml_to_json("a: abcdef", options={"max_scalar_bytes": 2})),
        ("options not a dict", lambda: gitops_kit.yaml_to_json("a: 1", options="lenient")),  # type: ignore[arg-type]
        ("options list", lambda: gitops_kit.yaml_to_json("a: 1", options=[1])),  # type: ignore[arg-type]
        ("negative limit", lambda: gitops_kit.yaml_to_json("a: 1", options={"max_depth": -1})),
        ("limit of wrong type", lambda: gitops_kit.parse_manifests("a: 1", options={"max_nodes": "10"})),
        ("lenient not bool", lambda: gitops_kit.parse_manifests("a: 1", options={"lenient": 1})),
        ("unknown option", lambda: gitops_kit.manifest_report("a: 1", options={"strict": True})),
    ],
)
def test_hostile_input_raises_gitops_kit_errors(name: str, call: Any) -> None:
    with pytest.raises(GitopsKitError) as info:
        call()
    assert isinstance(info.value, (YamlError, InvalidArgumentError)), name
    assert info.value.code, name


def test_deep_values_in_a_small_thread_stack() -> None:
    """Values as deep as the depth cap (1000) allows convert and drop in a small thread stack;
    deeper input is refused by the cap whatever max_depth says."""
    results: list[Any] = []

    def work() -> None:
        with pytest.raises(YamlError):
            gitops_kit.yaml_to_json("- " * 1_001 + "x", options={"max_depth": 10**6})
        docs = gitops_kit.yaml_to_json("- " * 1_000 + "x", options={"max_depth": 10**6})
        depth, node = 0, docs[0]
        while isinstance(node, list):
            depth, node = depth + 1, node[0]
        results.append(depth)

    old = threading.stack_size(256 * 1024)
    try:
        t = threading.Thread(target=work)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert results == [1_000]


# ---------------------------------------------------------------------------------------------
# Git

T0 = 1_700_000_000


def git(cwd: pathlib.Path, *args: str, date: int | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Alice Author",
        "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Carl Committer",
        "GIT_COMMITTER_EMAIL": "carl@example.com",
    }
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{date} +0000"
    out = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


class Fixture:
    """main: c1 (deploy/web.yaml, deploy/cm.yaml, README.md; tags v1, v1-ann), c2 (web
    modified, svc added, README deleted); feature branched from c1 with c3, merged into main as
    m; stg points at m."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        root.mkdir()
        git(root, "init", "-q")
        deploy = root / "deploy"
        deploy.mkdir()
        (deploy / "web.yaml").write_text(DEPLOYMENT)
        (deploy / "cm.yaml").write_text(CONFIGMAP)
        (root / "README.md").write_text("# manifests\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial manifests", date=T0)
        self.c1 = git(root, "rev-parse", "HEAD")
        git(root, "tag", "v1")
        git(root, "tag", "-a", "v1-ann", "-m", "release 1", date=T0)
        (deploy / "web.yaml").write_text(DEPLOYMENT.replace("1.25", "1.26"))
        (deploy / "svc.yaml").write_text(SERVICE)
        (root / "README.md").unlink()
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "web: 1.26, add service", date=T0 + 100)
        self.c2 = git(root, "rev-parse", "HEAD")
        git(root, "checkout", "-q", "-b", "feature", self.c1)
        (root / "extra.txt").write_text("x\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "feature work", date=T0 + 200)
        self.c3 = git(root, "rev-parse", "HEAD")
        git(root, "checkout", "-q", "main")
        git(root, "merge", "-q", "--no-ff", "-m", "merge feature", "feature", date=T0 + 300)
        self.merge = git(root, "rev-parse", "HEAD")
        git(root, "branch", "stg", self.merge)


@pytest.fixture()
def fx(tmp_path: pathlib.Path) -> Fixture:
    return Fixture(tmp_path / "repo")


def test_repo_open_discover_repr(fx: Fixture, tmp_path: pathlib.Path) -> None:
    repo = Repo(fx.root)
    assert pathlib.Path(repo.path).resolve() == fx.root.resolve()
    assert repr(repo) == f"Repo({repo.path!r})"
    found = Repo.discover(fx.root / "deploy")
    assert pathlib.Path(found.path).resolve() == fx.root.resolve()
    with pytest.raises(GitError) as info:
        Repo(fx.root / "deploy")
    assert info.value.code == "git.open"
    assert (info.value.file, info.value.line) == (None, None)
    with pytest.raises(TypeError):
        Repo(42)  # type: ignore[arg-type]


def test_repo_discover_defaults_to_cwd(fx: Fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fx.root / "deploy")
    assert pathlib.Path(Repo.discover().path).resolve() == fx.root.resolve()


def test_resolve_and_tags(fx: Fixture) -> None:
    repo = Repo(str(fx.root))
    assert repo.resolve("main") == fx.merge
    assert repo.resolve("v1-ann") == fx.c1
    assert repo.resolve(fx.c2[:10]) == fx.c2
    assert repo.tags_pointing_at(fx.c1) == ["v1", "v1-ann"]
    assert repo.tags_pointing_at("main") == []
    assert repo.find_commit_by_prefix(fx.c3[:8].upper()) == fx.c3
    with pytest.raises(GitError) as info:
        repo.resolve("no-such-branch")
    assert info.value.code == "git.ref-not-found"
    with pytest.raises(GitError) as info:
        repo.find_commit_by_prefix("ab")
    assert info.value.code == "git.invalid-argument"


def test_read_tree(fx: Fixture) -> None:
    repo = Repo(fx.root)
    assert repo.list_files("v1") == ["README.md", "deploy/cm.yaml", "deploy/web.yaml"]
    assert repo.list_files("main", "deploy") == ["deploy/cm.yaml", "deploy/svc.yaml", "deploy/web.yaml"]
    assert repo.read_file("v1", "deploy/web.yaml") == DEPLOYMENT.encode()
    files = repo.read_files("main", prefix="deploy/")
    assert [p for p, _ in files] == ["deploy/cm.yaml", "deploy/svc.yaml", "deploy/web.yaml"]
    assert all(isinstance(d, bytes) for _, d in files)
    assert dict(files)["deploy/svc.yaml"] == SERVICE.encode()
    with pytest.raises(GitError) as info:
        repo.read_file("main", "README.md")
    assert info.value.code == "git.path-not-found"
    with pytest.raises(GitError) as info:
        repo.list_files("main", "nope")
    assert info.value.code == "git.path-not-found"


def test_changed_paths(fx: Fixture) -> None:
    repo = Repo(fx.root)
    assert repo.changed_paths("v1", fx.c2) == [
        {"path": "README.md", "change": "deleted"},
        {"path": "deploy/svc.yaml", "change": "added"},
        {"path": "deploy/web.yaml", "change": "modified"},
    ]
    assert repo.changed_paths("main", "main") == []


def test_log(fx: Fixture) -> None:
    repo = Repo(fx.root)
    log = repo.log("main")
    assert [c["id"] for c in log] == [fx.merge, fx.c3, fx.c2, fx.c1]
    first = log[-1]
    assert first == {
        "id": fx.c1,
        "author_name": "Alice Author",
        "author_email": "alice@example.com",
        "time": T0,
        "subject": "initial manifests",
        "parents": [],
    }
    assert log[0]["parents"] == [fx.c2, fx.c3]
    assert [c["subject"] for c in repo.log("main", exclude="v1")] == [
        "merge feature",
        "feature work",
        "web: 1.26, add service",
    ]
    assert [c["id"] for c in repo.log("main", exclude="v1", first_parent=True)] == [fx.merge, fx.c2]
    with pytest.raises(TypeError):
        repo.log("main", "v1")  # type: ignore[call-arg]


def test_commit_and_conflict(fx: Fixture) -> None:
    repo = Repo(fx.root)
    base = repo.resolve("stg")
    author = {"name": "Bot", "email": "bot@example.com", "time": T0 + 1000, "offset_minutes": 120}
    new = repo.commit(
        "stg",
        [
            {"path": "deploy/web.yaml", "data": DEPLOYMENT.replace("1.25", "1.27")},
            {"path": "deploy/new/cm.yaml", "data": CONFIGMAP.encode()},
            ("extra.txt", None),
        ],
        "promote web 1.27",
        author,
        expected_tip=base,
    )
    assert repo.resolve("refs/heads/stg") == new == git(fx.root, "rev-parse", "stg")
    assert git(fx.root, "log", "-1", "--format=%an <%ae> %at %ai|%cn|%s", "stg") == (
        f"Bot <bot@example.com> {T0 + 1000} 2023-11-15 00:30:00 +0200|Bot|promote web 1.27"
    )
    assert git(fx.root, "show", "stg:deploy/web.yaml") == DEPLOYMENT.replace("1.25", "1.27").strip()
    assert repo.changed_paths(base, "stg") == [
        {"path": "deploy/new/cm.yaml", "change": "added"},
        {"path": "deploy/web.yaml", "change": "modified"},
        {"path": "extra.txt", "change": "deleted"},
    ]
    assert repo.log("stg", exclude=base)[0]["parents"] == [base]
    # The main work tree is untouched: the commit was written without a checkout.
    assert (fx.root / "extra.txt").exists()

    committer = {"name": "CI", "email": "ci@example.com", "time": T0 + 2000, "offset_minutes": 0}
    with pytest.raises(GitError) as info:
        repo.commit("stg", [("x.yaml", "x: 1\n")], "stale", author, committer=committer, expected_tip=base)
    err = info.value
    assert err.code == "git.conflict"
    assert base in str(err) and new in str(err)
    assert repo.resolve("stg") == new
    third = repo.commit("stg", [("x.yaml", "x: 1\n")], "fresh", author, committer=committer)
    assert git(fx.root, "log", "-1", "--format=%cn %ct", third) == f"CI {T0 + 2000}"


def test_commit_argument_errors(fx: Fixture) -> None:
    repo = Repo(fx.root)
    author = {"name": "Bot", "email": "bot@example.com", "time": T0, "offset_minutes": 0}
    with pytest.raises(InvalidArgumentError) as info:
        repo.commit("stg", [("a", "b")], "m", {"name": "Bot", "time": T0})
    assert "email" in str(info.value)
    with pytest.raises(GitError) as ginfo:
        repo.commit("stg", [("../escape", "b")], "m", author)
    assert ginfo.value.code == "git.invalid-argument"
    with pytest.raises(GitError) as ginfo:
        repo.commit("stg", [("missing.yaml", None)], "m", author)
    assert ginfo.value.code == "git.path-not-found"
    with pytest.raises(GitError) as ginfo:
        repo.commit("no-branch", [("a", "b")], "m", author)
    assert ginfo.value.code == "git.ref-not-found"
    with pytest.raises(TypeError):
        repo.commit("stg", [{"path": "a"}], "m", author)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        repo.commit("stg", [("a", 1)], "m", author)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        repo.commit("stg", "a", "m", author)  # type: ignore[arg-type]
    assert repo.resolve("stg") == fx.merge


def test_load_manifests_from_git(fx: Fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(fx.root)
    got = repo.load_manifests("v1", "deploy")
    assert [(r["kind"], r["file"]) for r in got] == [
        ("ConfigMap", "git:v1:deploy/cm.yaml"),
        ("Deployment", "git:v1:deploy/web.yaml"),
    ]
    assert [r["kind"] for r in repo.load_manifests("main")] == ["ConfigMap", "Service", "Deployment"]
    with pytest.raises(GitError) as info:
        repo.load_manifests("main", "README.md")
    assert info.value.code == "git.path-not-found"
    with pytest.raises(GitError):
        repo.load_manifests("nope")

    # The module-level function: sources as the CLI reads them.
    assert gitops_kit.load_manifests("git:v1:deploy", repo=fx.root) == got
    assert gitops_kit.load_manifests(["git:v1:deploy/web.yaml"], repo=repo) == got[1:]
    monkeypatch.chdir(fx.root / "deploy")
    mixed = gitops_kit.load_manifests(["git:v1:deploy/cm.yaml", "svc.yaml"])
    assert [(r["kind"], r["file"]) for r in mixed] == [
        ("ConfigMap", "git:v1:deploy/cm.yaml"),
        ("Service", "svc.yaml"),
    ]


def test_repo_shared_between_threads(fx: Fixture) -> None:
    repo = Repo(fx.root)
    errors: list[BaseException] = []
    results: list[list[str]] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(repo.list_files("main"))
                assert repo.resolve("v1") == fx.c1
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 80 and all(r == results[0] for r in results)


# ---------------------------------------------------------------------------------------------
# The GIL is released while the core works


def big_manifests(n: int, tag: str) -> str:
    return "---\n".join(
        DEPLOYMENT.replace("name: web", f"name: web-{tag}-{i}").replace("1.25", f"1.{i % 50}")
        for i in range(n)
    )


def test_other_python_threads_run_during_a_parse() -> None:
    """A pure-Python thread keeps stamping the time while the main thread parses. If the GIL
    were held for the whole parse, no stamp could fall in the middle of the call (the other
    thread needs the GIL to run at all); with it released, stamps appear throughout. Timing
    noise on a busy machine can only lengthen the calls, which gives the ticker more chances."""
    n = 1000
    text = big_manifests(n, "gil")
    while True:  # calibrate: debug and release builds differ ~10x in speed
        start = time.perf_counter()
        gitops_kit.yaml_to_json(text)
        if time.perf_counter() - start > 0.1 or n >= 64_000:
            break
        n *= 2
        text = big_manifests(n, "gil")
    stamps: list[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        windows = []
        for _ in range(3):
            start = time.perf_counter()
            docs = gitops_kit.yaml_to_json(text)
            end = time.perf_counter()
            assert len(docs) == n
            windows.append((start, end))
    finally:
        stop.set()
        t.join()

    def inside(start: float, end: float) -> int:
        quarter = (end - start) / 4
        return sum(start + quarter < s < end - quarter for s in stamps)

    # At least one call (normally all) saw the other thread run in its middle half.
    assert max(inside(s, e) for s, e in windows) >= 3, (n, windows)


def test_four_threads_parse_concurrently() -> None:
    texts = [big_manifests(1500, str(k)) for k in range(4)]
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = gitops_kit.parse_manifests(texts[k], f"t{k}.yaml")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert sorted(results) == [0, 1, 2, 3]
    for k, res in results.items():
        assert len(res) == 1500
        assert res[7]["name"] == f"web-{k}-7" and res[7]["file"] == f"t{k}.yaml"


# ---------------------------------------------------------------------------------------------
# Package


def test_package_exports() -> None:
    assert gitops_kit.__version__.count(".") == 2
    assert sorted(gitops_kit.__all__) == sorted(gitops_kit._native.__all__)
    for name in gitops_kit.__all__:
        assert getattr(gitops_kit, name) is getattr(gitops_kit._native, name)
    assert (pathlib.Path(gitops_kit.__file__).parent / "py.typed").exists()
    assert Repo.__module__ == "gitops_kit"
    assert sys.modules["gitops_kit._native"] is gitops_kit._native
