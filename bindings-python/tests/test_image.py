"""Images from Python: references, lints, sites, rewrites (golden files shared with Rust),
tag schemes and linking on a real git repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import gitops_kit

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "vectors" / "image" / "golden"
EXAMPLES = ROOT / "examples" / "shop"


def test_parse_image_forms_and_errors() -> None:
    r = gitops_kit.parse_image("index.docker.io/library/nginx:1.25")
    assert r["valid"] is True
    assert (r["domain"], r["path"], r["tag"]) == ("docker.io", "library/nginx", "1.25")
    assert r["canonical"] == "docker.io/library/nginx:1.25"
    assert r["familiar"] == "nginx:1.25"
    assert r["spans"]["tag"] == [30, 34]
    strict = gitops_kit.parse_image("user/app:1.0", mode="strict")
    assert strict["domain"] == "user"
    bad = gitops_kit.parse_image("ghcr.io/Org/app")
    assert bad["valid"] is False and bad["error"]["code"] == "image.uppercase-repository"
    with pytest.raises(gitops_kit.ImageError) as info:
        gitops_kit.parse_image("nginx", mode="sloppy")
    assert info.value.code == "image.invalid-argument"


def test_lint_sanitize_and_matching() -> None:
    codes = [lint["code"] for lint in gitops_kit.lint_image("nginx:latest")]
    assert codes == ["image.latest-tag"]
    assert gitops_kit.lint_image("nginx:qa", {"mutable_tags": ["qa"]})[0]["code"] == "image.mutable-tag"
    assert gitops_kit.sanitize_tag("feature/login") == "feature-login"
    assert gitops_kit.same_repository("nginx", "docker.io/library/nginx:1.25")
    assert gitops_kit.same_repository("m.example.com/a", "r.example.com/a", {"m.example.com": "r.example.com"})
    assert not gitops_kit.same_repository("nginx", "ghcr.io/nginx")


def test_sites_from_text_and_files() -> None:
    report = gitops_kit.load_image_sites(EXAMPLES)
    assert report["schema"] == "gitops-kit/images/v1"
    assert len(report["sites"]) == 3
    web = report["sites"][0]
    assert web["resource"]["kind"] == "Deployment"
    assert web["pointer"] == "/spec/template/spec/containers/0/image"
    text = "apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r}\nspec:\n  image: ghcr.io/org/r:1\n"
    extra = gitops_kit.image_sites(text, "r.yaml", {"extra_paths": [{"kind": "Runner", "pointer": "/spec/image"}]})
    assert [(s["image"], s["line"], s["column"]) for s in extra["sites"]] == [("ghcr.io/org/r:1", 5, 10)]


def golden_names() -> list[str]:
    return sorted(p.name.removesuffix(".input.yml") for p in GOLDEN.glob("*.input.yml"))


@pytest.mark.parametrize("name", golden_names())
def test_golden_rewrites(name: str) -> None:
    text = (GOLDEN / f"{name}.input.yml").read_bytes().decode()
    expected = (GOLDEN / f"{name}.expected.yml").read_bytes().decode()
    edits = [line.strip() for line in (GOLDEN / f"{name}.edits.txt").read_text().splitlines() if line.strip()]
    result = gitops_kit.set_images(text, edits, name)
    assert result["text"] == expected
    assert result["unmatched"] == []


def test_set_images_refusals_and_in_place(tmp_path: Path) -> None:
    pod = "kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25 # keep\n"
    with pytest.raises(gitops_kit.ImageError) as info:
        gitops_kit.set_images(pod, ["nginx=:latest"], "p.yaml", {"forbid_latest": True})
    assert (info.value.code, info.value.file, info.value.line) == ("image.forbidden", "p.yaml", 4)
    with pytest.raises(gitops_kit.ImageError):
        gitops_kit.set_images(pod, ["nginx=:a/b"])
    (tmp_path / "p.yaml").write_text(pod)
    (tmp_path / "q.yaml").write_text("kind: Pod\n")
    report = gitops_kit.set_images_in_paths(tmp_path, [{"selector": "nginx", "new": ":1.27"}], in_place=True)
    assert report["written"] is True
    assert [f["file"].endswith("p.yaml") for f in report["files"]] == [True]
    assert (tmp_path / "p.yaml").read_text() == pod.replace("1.25", "1.27")
    assert (tmp_path / "q.yaml").read_text() == "kind: Pod\n"


def git(cwd: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_DATE="1718000000 +0000",
        GIT_COMMITTER_DATE="1718000000 +0000",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def test_tag_schemes_and_linking(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    git(tmp_path, "tag", "v2.0.0")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "two")
    head = git(tmp_path, "rev-parse", "HEAD")
    first = git(tmp_path, "rev-parse", "HEAD~1")
    scheme = "{branch}-{sha:12}-{ts}"
    rendered = gitops_kit.tag_for_commit(scheme, tmp_path, "main", branch="main")
    assert rendered["tag"] == f"main-{head[:12]}-1718000000"
    assert gitops_kit.render_tag(scheme, rendered["facts"]) == rendered["tag"]
    parsed = gitops_kit.parse_tag(scheme, rendered["tag"])
    assert parsed["fields"]["sha"] == head[:12] and parsed["sort_key"] == [1718000000]
    link = gitops_kit.link_image(f"ghcr.io/org/app:{rendered['tag']}", scheme, gitops_kit.Repo(tmp_path), "main")
    assert (link["commit"], link["confidence"]) == (head, "high")
    assert gitops_kit.link_image("app:v2.0.0", "v{semver}", str(tmp_path))["commit"] == first
    order = gitops_kit.order_by_git([f"sha-{first[:7]}", f"sha-{head[:7]}"], "sha-{sha:7}", tmp_path, "main")
    assert [e["commit"] for e in order] == [head, first]
    with pytest.raises(gitops_kit.ImageError) as info:
        gitops_kit.render_tag("{branch}:{sha}", {"sha": head})
    assert info.value.code == "image.invalid-scheme"
