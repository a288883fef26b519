//! Images: site finding on the shared corpus (checked against an independent count), rewrite
//! golden files, a property test of `set_images` over the corpus, tag schemes and linking on a
//! real git repository.

use gitops_kit::image::{
    self, ImageEdit, ImageRef, ParseMode, SetOptions, SiteOptions, TagScheme, link, order_by_git, set_images,
    tags_for_commit,
};
use gitops_kit::manifest::ManifestSet;
use gitops_kit::yaml::{self, ParseOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("GITOPS_KIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.is_dir().then_some(dir)
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/image/golden")
}

/// Independent count: walk the JSON form of a resource for container lists and image volumes.
fn json_images(value: &Value, out: &mut Vec<String>) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let list = child.as_array().filter(|_| {
                        matches!(k.as_str(), "containers" | "initContainers" | "ephemeralContainers")
                    });
                    for item in list.into_iter().flatten() {
                        if let Some(Value::String(s)) = item.get("image") {
                            out.push(s.clone());
                        }
                    }
                    if k == "volumes" {
                        for item in child.as_array().into_iter().flatten() {
                            if let Some(Value::String(s)) = item.pointer("/image/reference") {
                                out.push(s.clone());
                            }
                        }
                    }
                    stack.push(child);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

#[test]
fn corpus_every_image_is_found() {
    let Some(corpus) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let set = ManifestSet::from_path(&corpus, &ParseOptions::lenient()).expect("corpus loads");
    let report = image::sites(&set, &SiteOptions::default());
    let mut expected = Vec::new();
    for r in set.resources() {
        if r.id().kind != "CustomResourceDefinition" {
            json_images(&r.to_json().expect("json"), &mut expected);
        }
    }
    let mut found: Vec<String> = report.sites.iter().map(|s| s.image.clone()).collect();
    expected.sort();
    found.sort();
    assert!(found.len() > 100, "the corpus has images: {}", found.len());
    assert_eq!(found, expected);
    // Every site's position points at the value in its file.
    for s in report.sites.iter().take(2000) {
        let text = std::fs::read_to_string(&s.file).unwrap();
        let line = text.lines().nth(s.line as usize - 1).unwrap();
        let rest: String = line.chars().skip(s.column as usize - 1).collect();
        let raw = rest.trim_start_matches(['"', '\'']);
        assert!(
            raw.starts_with(s.image.lines().next().unwrap_or_default())
                || s.style != yaml::ScalarStyle::Plain,
            "{}:{}:{} {rest:?} vs {}",
            s.file,
            s.line,
            s.column,
            s.image
        );
    }
}

fn golden_edits(name: &str) -> Vec<ImageEdit> {
    std::fs::read_to_string(golden_dir().join(format!("{name}.edits.txt")))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| ImageEdit::parse(l.trim()).unwrap())
        .collect()
}

#[test]
fn golden_rewrites() {
    let mut names: Vec<String> = std::fs::read_dir(golden_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".input.yml").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let input = std::fs::read_to_string(golden_dir().join(format!("{name}.input.yml"))).unwrap();
        let expected = std::fs::read_to_string(golden_dir().join(format!("{name}.expected.yml"))).unwrap();
        let out = set_images(&input, &name, &golden_edits(&name), &SetOptions::default()).unwrap();
        assert_eq!(out.text, expected, "golden {name}");
        assert!(out.unmatched.is_empty(), "{name}: {:?}", out.unmatched);
        // Idempotent: applying the same edits again changes nothing.
        let again = set_images(&out.text, &name, &golden_edits(&name), &SetOptions::default()).unwrap();
        assert_eq!(again.text, out.text, "golden {name} twice");
        assert!(again.changes.is_empty(), "{name}");
    }
}

#[test]
fn files_without_a_match_are_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, "kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n").unwrap();
    std::fs::write(&b, "kind: Pod\nspec:\n  containers:\n  - image: redis:7 # x\n").unwrap();
    let before = std::fs::metadata(&b).unwrap().modified().unwrap();
    let edits = [ImageEdit::parse("nginx=:1.27").unwrap()];
    let report =
        image::set_images_in_paths(&[dir.path().to_path_buf()], &edits, &SetOptions::default(), true)
            .unwrap();
    assert_eq!(report.files.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "kind: Pod\nspec:\n  containers:\n  - image: nginx:1.27\n"
    );
    assert_eq!(std::fs::metadata(&b).unwrap().modified().unwrap(), before);
    assert!(report.unmatched.is_empty());
}

/// Tiny deterministic generator (no extra crates).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn set_pointer(doc: &mut Value, pointer: &str, new: &str) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = Value::String(new.to_string());
    }
}

/// After `set_images`, re-parsing gives the same tree except the changed scalars, and every byte
/// outside the edited spans is identical.
#[test]
fn property_rewrite_changes_only_the_edited_scalars() {
    let Some(corpus) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let set = ManifestSet::from_path(&corpus, &ParseOptions::lenient()).expect("corpus loads");
    let sites = image::sites(&set, &SiteOptions::default()).sites;
    let mut files: Vec<&str> = sites.iter().map(|s| s.file.as_str()).collect();
    files.dedup();
    let mut rng = Lcg(0x5eed);
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let Ok(docs) = yaml::parse_str(&text, file) else { continue };
        let file_sites: Vec<_> = sites.iter().filter(|s| s.file == file).collect();
        let pick = file_sites[(rng.next() as usize) % file_sites.len()];
        let Ok(r) = ImageRef::parse(&pick.image, ParseMode::Normalize) else { continue };
        let tag = format!("t{}", rng.next() % 100_000);
        let edits = [ImageEdit { selector: r.name(), new: format!(":{tag}") }];
        let out = match set_images(&text, file, &edits, &SetOptions::default()) {
            Ok(out) => out,
            Err(e) => panic!("{file}: {e}"),
        };
        assert!(!out.changes.is_empty(), "{file}: {}", pick.image);
        // 1. Same tree except the changed scalars.
        let mut want: Vec<Value> = yaml::to_json_documents(&text, file, &ParseOptions::default()).unwrap();
        for c in &out.changes {
            // Pointers of sites are relative to the resource; the corpus check uses top-level
            // resources only (List items keep their own pointers).
            let doc_root = &mut want[c.document];
            if doc_root.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List")) {
                continue;
            }
            set_pointer(doc_root, &c.pointer, &c.new);
        }
        let got = yaml::to_json_documents(&out.text, file, &ParseOptions::default()).unwrap();
        let is_list =
            want.iter().any(|d| d.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List")));
        if !is_list {
            assert_eq!(got, want, "{file}");
        }
        // 2. Bytes outside the edited spans are identical.
        let new_docs = yaml::parse_str(&out.text, file).unwrap();
        let mut cursor_in = 0;
        let mut cursor_out = 0;
        let mut spans: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = out
            .changes
            .iter()
            .filter_map(|c| {
                let old = docs[c.document].root()?.pointer(&c.pointer)?.byte_range();
                let new = new_docs[c.document].root()?.pointer(&c.pointer)?.byte_range();
                Some((old, new))
            })
            .collect();
        spans.sort_by_key(|(o, _)| o.start);
        spans.dedup_by_key(|(o, _)| o.start);
        for (old, new) in spans {
            assert_eq!(&text[cursor_in..old.start], &out.text[cursor_out..new.start], "{file}");
            cursor_in = old.end;
            cursor_out = new.end;
        }
        assert_eq!(&text[cursor_in..], &out.text[cursor_out..], "{file}");
        checked += 1;
    }
    assert!(checked > 50, "checked {checked} files");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "1718000000 +0000")
        .env("GIT_COMMITTER_DATE", "1718000000 +0000")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn code_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    for i in 0..3 {
        std::fs::write(p.join("f"), format!("{i}")).unwrap();
        git(p, &["add", "f"]);
        git(p, &["commit", "-q", "-m", &format!("c{i}")]);
    }
    git(p, &["tag", "v1.2.0", "HEAD~1"]);
    dir
}

#[test]
fn render_link_and_order_on_a_real_repository() {
    let dir = code_repo();
    let repo = gitops_kit::git::Repo::open(dir.path()).unwrap();
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    let scheme = TagScheme::parse("{branch}-{sha:12}-{ts}").unwrap();
    let rendered = tags_for_commit(&scheme, &repo, "main", Some("main"), None, None).unwrap();
    assert_eq!(rendered.tag, format!("main-{}-1718000000", &head[..12]));

    let image = format!("ghcr.io/org/app:{}", rendered.tag);
    let linked = link(&image, &scheme, &repo, Some("main")).unwrap();
    assert_eq!(linked.commit, head);
    assert_eq!(linked.confidence, "high");
    assert!(linked.evidence.iter().all(|e| e.supports), "{:?}", linked.evidence);

    // semver scheme links through the git tag
    let semver = TagScheme::parse("v{semver}").unwrap();
    let prev = git(dir.path(), &["rev-parse", "HEAD~1"]);
    assert_eq!(link("app:v1.2.0", &semver, &repo, None).unwrap().commit, prev);
    assert_eq!(tags_for_commit(&semver, &repo, "HEAD~1", None, None, None).unwrap().tag, "v1.2.0");

    // newest by first-parent order, whatever the tag text says
    let short = TagScheme::parse("sha-{sha:7}").unwrap();
    let first = git(dir.path(), &["rev-parse", "HEAD~2"]);
    let tags =
        vec![format!("sha-{}", &first[..7]), format!("sha-{}", &head[..7]), format!("sha-{}", &prev[..7])];
    let order = order_by_git(&tags, &short, &repo, "main").unwrap();
    let commits: Vec<&str> = order.iter().map(|e| e.commit.as_str()).collect();
    assert_eq!(commits, [head.as_str(), prev.as_str(), first.as_str()]);
    assert_eq!(order[0].position, Some(0));

    // a short prefix that matches nothing is a git error; a tag without a sha or semver cannot link
    let err = link("app:sha-0000000", &short, &repo, None).unwrap_err();
    assert!(err.code().starts_with("git."), "{}", err.code());
    let pr = TagScheme::parse("pr-{pr}").unwrap();
    assert_eq!(link("app:pr-4", &pr, &repo, None).unwrap_err().code(), "image.scheme-mismatch");
}

#[test]
fn ambiguous_prefix_lists_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    // Make enough commits that two share a 4-digit prefix.
    let mut seen = std::collections::HashMap::new();
    let mut pair = None;
    for i in 0..1200 {
        git(p, &["commit", "-q", "--allow-empty", "-m", &format!("c{i}")]);
        let id = git(p, &["rev-parse", "HEAD"]);
        if let Some(other) = seen.insert(id[..4].to_string(), id.clone()) {
            pair = Some((other, id));
            break;
        }
    }
    let (a, b) = pair.expect("a 4-digit collision within 1200 commits");
    let repo = gitops_kit::git::Repo::open(p).unwrap();
    let scheme = TagScheme::parse("sha-{sha:4}").unwrap();
    let err = link(&format!("app:sha-{}", &a[..4]), &scheme, &repo, None).unwrap_err();
    assert_eq!(err.code(), "git.ambiguous-prefix");
    let msg = err.to_string();
    assert!(msg.contains(&a) && msg.contains(&b), "{msg}");
}

#[test]
fn positions_in_later_documents_are_for_the_whole_stream() {
    let text = "kind: Pod\nspec:\n  containers:\n  - image: redis:7\n---\n# two\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1\n";
    let edits = [ImageEdit::parse("nginx=:2").unwrap()];
    let out = set_images(text, "s.yaml", &edits, &SetOptions::default()).unwrap();
    assert_eq!((out.changes[0].document, out.changes[0].line, out.changes[0].column), (1, 10, 12));
    assert_eq!(out.text, text.replace("nginx:1", "nginx:2"));
    let forbid = SetOptions { forbid_latest: true, ..SetOptions::default() };
    let err = set_images(text, "s.yaml", &[ImageEdit::parse("nginx=:latest").unwrap()], &forbid).unwrap_err();
    let loc = err.location().unwrap();
    assert_eq!((err.code(), loc.line, loc.column), ("image.forbidden", 10, 12));
    // A syntax error in a document holding a match is reported at its place in the stream.
    let broken = format!("{text}---\nkind: Pod\nspec: {{containers: [{{image: nginx:1}}]\n");
    let err = set_images(&broken, "s.yaml", &edits, &SetOptions::default()).unwrap_err();
    assert_eq!(err.code(), "yaml.parse");
    assert!(err.location().unwrap().line >= 12, "{err}");
}
