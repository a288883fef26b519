//! Integration tests of `gitops_kit::git`, checked against the git CLI's own answers on
//! fixture repositories built in temporary directories.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gitops_kit::git::{Change, ChangedPath, CommitRequest, Error, FileChange, Repo, Signature, TreeFile};

// ---------------------------------------------------------------------------------------------
// Fixture helpers

/// Run git in `dir` with a clean, fixed environment and return stdout (panics on failure).
fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir, args, None);
    assert!(
        out.status.success(),
        "git {args:?} failed in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git output is UTF-8")
}

fn git_cmd(dir: &Path, args: &[&str], date: Option<i64>) -> std::process::Output {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Alice Author")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "Carl Committer")
        .env("GIT_COMMITTER_EMAIL", "carl@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null());
    if let Some(t) = date {
        let date = format!("@{t} +0000");
        cmd.env("GIT_AUTHOR_DATE", &date).env("GIT_COMMITTER_DATE", &date);
    }
    cmd.output().expect("git runs")
}

/// A non-bare fixture repository with dev/stg/prd, tags, a merge and a remote branch.
struct Fixture {
    tmp: tempfile::TempDir,
    work: PathBuf,
    clock: Cell<i64>,
}

impl Fixture {
    fn empty() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).expect("mkdir");
        git_in(&work, &["init", "-q"]);
        Fixture { tmp, work, clock: Cell::new(1_700_000_000) }
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(&self.work, args)
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.work.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }

    fn remove(&self, path: &str) {
        self.git(&["rm", "-q", path]);
    }

    /// Commit everything with the next fixed date; returns the commit id.
    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.commit_staged(message)
    }

    fn commit_staged(&self, message: &str) -> String {
        let t = self.clock.get();
        self.clock.set(t + 60);
        let out = git_cmd(&self.work, &["commit", "-q", "-m", message], Some(t));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.rev_parse("HEAD")
    }

    fn merge(&self, branch: &str, message: &str) -> String {
        let t = self.clock.get();
        self.clock.set(t + 60);
        let out = git_cmd(&self.work, &["merge", "-q", "--no-ff", "-m", message, branch], Some(t));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.rev_parse("HEAD")
    }

    fn rev_parse(&self, rev: &str) -> String {
        rev_parse_in(&self.work, rev)
    }

    /// The standard fixture (see the module docs of each test for what it relies on).
    fn standard() -> Fixture {
        let f = Fixture::empty();
        f.write("README.md", "# fixture\n");
        f.write("top.yaml", "a: 1\n");
        f.write("a/y.yaml", "y: 1\n");
        f.write("a-b/x.yaml", "x: 1\n");
        f.write("a.yaml", "dot: 1\n");
        f.write("manifests/team-a/web/deploy.yaml", "kind: Deployment\nimage: web:1\n");
        f.write("manifests/team-a/web/svc.yaml", "kind: Service\n");
        f.write("manifests/team-b/api/deploy.yaml", "kind: Deployment\nimage: api:1\n");
        f.write("scripts/run.sh", "#!/bin/sh\necho run\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let script = f.work.join("scripts/run.sh");
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        f.git(&["add", "-A"]);
        f.git(&["update-index", "--chmod=+x", "scripts/run.sh"]);
        let c1 = f.commit_staged("initial import");
        f.git(&["tag", "-a", "-m", "first release", "v0.9"]);
        f.git(&["branch", "prd"]);
        f.git(&["update-ref", "refs/remotes/origin/prd", &c1]);

        f.write("manifests/team-a/web/deploy.yaml", "kind: Deployment\nimage: web:2\n");
        f.write("manifests/team-b/api/cm.yaml", "kind: ConfigMap\n");
        f.commit("web: bump to 2\n\nLonger body here.");
        f.git(&["branch", "stg"]);
        f.git(&["tag", "-a", "-m", "release 1.0", "v1.0"]);
        f.git(&["tag", "light"]);
        f.git(&["tag", "also-light"]);

        #[cfg(unix)]
        std::os::unix::fs::symlink("top.yaml", f.work.join("link.yaml")).unwrap();
        f.remove("manifests/team-a/web/svc.yaml");
        f.write("nested/deep/dir/file.yaml", "deep: true\n");
        f.commit("drop web service, add nested");
        f.git(&["checkout", "-q", "-b", "feature"]);
        f.write("manifests/team-b/api/deploy.yaml", "kind: Deployment\nimage: api:2\n");
        f.commit("api: bump\nto 2 (subject on two lines)");
        f.write("feature.yaml", "f: 1\n");
        f.commit("feature file");
        f.git(&["checkout", "-q", "main"]);
        f.write("top.yaml", "a: 2\n");
        f.commit("top: 2");
        f.merge("feature", "Merge branch 'feature'");
        f.write("after-merge.yaml", "m: 1\n");
        f.commit("after merge");
        f.git(&["branch", "dev"]);
        f
    }

    fn bare_clone(&self) -> PathBuf {
        let bare = self.root().join("bare.git");
        git_in(self.root(), &["clone", "-q", "--bare", "work", "bare.git"]);
        bare
    }
}

fn rev_parse_in(dir: &Path, rev: &str) -> String {
    git_in(dir, &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")]).trim().to_owned()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn sig(name: &str, time: i64) -> Signature {
    Signature {
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        time,
        offset_minutes: 120,
    }
}

fn write(path: &str, data: &str) -> FileChange {
    FileChange::Write { path: path.into(), data: data.as_bytes().to_vec() }
}

fn delete(path: &str) -> FileChange {
    FileChange::Delete { path: path.into() }
}

fn request(branch: &str, changes: Vec<FileChange>, expected_tip: Option<String>) -> CommitRequest {
    CommitRequest {
        branch: branch.into(),
        changes,
        message: "bot: update manifests".into(),
        author: sig("Gitops Bot", 1_700_100_000),
        committer: None,
        expected_tip,
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.expect_err("expected an error").code()
}

// ---------------------------------------------------------------------------------------------
// Opening

#[test]
fn repo_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Repo>();
    check::<Error>();
}

#[test]
fn open_and_discover() {
    let f = Fixture::standard();
    let bare = f.bare_clone();

    let work = Repo::open(&f.work).expect("open work tree");
    assert_eq!(work.path(), f.work.as_path());
    let dot_git = Repo::open(f.work.join(".git")).expect("open .git");
    assert_eq!(dot_git.resolve("dev").unwrap(), f.rev_parse("dev"));
    let bare_repo = Repo::open(&bare).expect("open bare");
    assert_eq!(bare_repo.path(), bare.as_path());
    assert_eq!(bare_repo.resolve("stg").unwrap(), f.rev_parse("stg"));

    // `open` is exact; `discover` walks up.
    let sub = f.work.join("manifests/team-a");
    let err = Repo::open(&sub).unwrap_err();
    assert_eq!(err.code(), "git.open");
    assert!(err.to_string().contains("team-a"), "{err}");
    let found = Repo::discover(&sub).expect("discover");
    assert_eq!(found.path(), f.work.as_path());
    assert_eq!(found.resolve("HEAD").unwrap(), f.rev_parse("HEAD"));

    // Not a repository at all.
    let plain = f.root().join("plain");
    std::fs::create_dir(&plain).unwrap();
    assert_eq!(code(Repo::open(&plain)), "git.open");
    assert_eq!(code(Repo::open(f.root().join("does-not-exist"))), "git.open");
    let file = f.root().join("plain/file.txt");
    std::fs::write(&file, "x").unwrap();
    assert_eq!(code(Repo::open(&file)), "git.open");
}

#[test]
fn shared_clone_reads_objects_through_alternates() {
    let f = Fixture::standard();
    git_in(f.root(), &["clone", "-q", "--shared", "work", "shared"]);
    let shared = f.root().join("shared");
    assert!(shared.join(".git/objects/info/alternates").exists());
    let repo = Repo::open(&shared).unwrap();
    assert_eq!(repo.resolve("origin/stg").unwrap(), f.rev_parse("stg"));
    let files = repo.read_files("origin/dev", "manifests").unwrap();
    assert_eq!(
        files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        git_ls_files(&f, "dev", "manifests")
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_files_holding_their_target() {
    let f = Fixture::standard();
    let repo = Repo::open(&f.work).unwrap();
    assert!(repo.list_files("dev", "").unwrap().contains(&"link.yaml".to_owned()));
    assert_eq!(repo.read_file("dev", "link.yaml").unwrap(), b"top.yaml");
    assert!(
        repo.changed_paths("stg", "dev")
            .unwrap()
            .contains(&ChangedPath { path: "link.yaml".into(), change: Change::Added })
    );
}

#[test]
fn partial_clones_report_missing_blobs_as_unsupported() {
    let f = Fixture::standard();
    f.git(&["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", f.work.display());
    git_in(f.root(), &["clone", "-q", "--bare", "--filter=blob:none", &url, "partial.git"]);
    let repo = Repo::open(f.root().join("partial.git")).unwrap();
    // Trees and commits are there.
    assert_eq!(repo.list_files("dev", "").unwrap(), git_ls_files(&f, "dev", ""));
    assert_eq!(repo.log(Some("stg"), "dev", false).unwrap().len(), 6);
    // Blobs are not, and are not fetched.
    let err = repo.read_file("dev", "top.yaml").unwrap_err();
    assert_eq!(err.code(), "git.unsupported", "{err}");
    assert!(err.to_string().contains("partial clone"), "{err}");
    assert_eq!(code(repo.read_files("dev", "manifests")), "git.unsupported");
}

#[test]
fn discover_outside_any_repo_fails() {
    let tmp = tempfile::tempdir().unwrap();
    // Guard against a repository above the temp dir (e.g. TMPDIR inside a checkout).
    if Command::new("git")
        .current_dir(tmp.path())
        .args(["rev-parse", "--git-dir"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return;
    }
    assert_eq!(code(Repo::discover(tmp.path())), "git.open");
}

#[test]
fn sha256_repos_are_unsupported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = git_cmd(tmp.path(), &["init", "-q", "--bare", "--object-format=sha256", "s.git"], None);
    if !out.status.success() {
        eprintln!("git without SHA-256 support; skipping");
        return;
    }
    let err = Repo::open(tmp.path().join("s.git")).unwrap_err();
    assert_eq!(err.code(), "git.unsupported", "{err}");
}

#[test]
fn reftable_repos_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = git_cmd(tmp.path(), &["init", "-q", "--ref-format=reftable", "rt"], None);
    if !out.status.success() {
        eprintln!("git without reftable support; skipping");
        return;
    }
    let err = Repo::open(tmp.path().join("rt")).unwrap_err();
    assert_eq!(err.code(), "git.unsupported", "{err}");
    assert!(err.to_string().contains("reftable"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Resolving

#[test]
fn resolve_matches_git_rev_parse() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    let head = f.rev_parse("HEAD");
    let short = &head[..7];
    let upper = head[..10].to_ascii_uppercase();
    let revs = [
        "dev",
        "stg",
        "prd",
        "main",
        "feature",
        "refs/heads/stg",
        "origin/prd",
        "refs/remotes/origin/prd",
        "v1.0",
        "v0.9",
        "light",
        "refs/tags/v1.0",
        "v1.0^{}",
        "HEAD",
        "dev~3",
        "dev~1^2",
        "dev~1^2~1",
        "HEAD^{commit}",
        short,
        &head,
    ];
    for repo in [Repo::open(&f.work).unwrap(), Repo::open(&bare).unwrap()] {
        for rev in revs {
            if repo.path() == bare.as_path() && rev.contains("origin/") {
                continue; // a bare clone has no remote branches
            }
            let got = repo.resolve(rev).unwrap_or_else(|e| panic!("{rev}: {e}"));
            assert_eq!(got, f.rev_parse(rev), "resolve({rev})");
        }
    }
    // Short ids in upper case are accepted as well.
    let repo = Repo::open(&f.work).unwrap();
    assert_eq!(repo.resolve(&upper).unwrap(), head);
}

#[test]
fn resolve_errors() {
    let f = Fixture::standard();
    let repo = Repo::open(&f.work).unwrap();

    let err = repo.resolve("no-such-branch").unwrap_err();
    assert_eq!(err.code(), "git.ref-not-found", "{err}");
    assert!(err.to_string().contains("no-such-branch"), "{err}");
    assert!(matches!(err, Error::RefNotFound { ref rev, .. } if rev == "no-such-branch"));

    assert_eq!(code(repo.resolve("origin/nope")), "git.ref-not-found");
    assert_eq!(code(repo.resolve("")), "git.invalid-argument");
    assert_eq!(code(repo.resolve("dev\0x")), "git.invalid-argument");
    // A short hex that matches nothing.
    assert_eq!(code(repo.resolve("fffffff0")), "git.ref-not-found");
    // A full id that is not in the repository.
    let missing = "0123456789abcdef0123456789abcdef01234567";
    assert_eq!(code(repo.resolve(missing)), "git.object-not-found");
    // A blob or tree is not a commit.
    let blob = f.git(&["rev-parse", "dev:top.yaml"]);
    let err = repo.resolve(blob.trim()).unwrap_err();
    assert_eq!(err.code(), "git.invalid-argument", "{err}");
    assert!(err.to_string().contains("blob"), "{err}");
    assert_eq!(code(repo.resolve("dev^{tree}")), "git.invalid-argument");
    // Beyond the root commit.
    let err = repo.resolve("dev~50").unwrap_err();
    assert_eq!(err.code(), "git.ref-not-found", "{err:?}");
    assert!(err.to_string().contains("dev~50"), "{err}");
    // Never panics on odd input.
    for odd in ["@{-1}", "^", "~", "..", "dev..stg", ":/", "HEAD@{99}", "a\u{7f}b", "é"] {
        let _ = repo.resolve(odd);
    }

    // An empty repository: HEAD is unborn.
    let empty = Fixture::empty();
    let repo = Repo::open(&empty.work).unwrap();
    assert_eq!(code(repo.resolve("HEAD")), "git.ref-not-found");
    assert_eq!(code(repo.list_files("HEAD", "")), "git.ref-not-found");
}

// ---------------------------------------------------------------------------------------------
// Trees

fn git_ls_files(f: &Fixture, rev: &str, prefix: &str) -> Vec<String> {
    let mut args = vec!["ls-tree", "-r", "--name-only", "-z", rev];
    if !prefix.is_empty() {
        args.extend(["--", prefix]);
    }
    f.git(&args).split('\0').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[test]
fn list_files_matches_git_ls_tree() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    for repo in [Repo::open(&f.work).unwrap(), Repo::open(&bare).unwrap()] {
        for rev in ["dev", "stg", "prd", "v1.0", "feature"] {
            for prefix in ["", "manifests", "manifests/team-a", "a", "nested/deep"] {
                if prefix == "nested/deep" && matches!(rev, "stg" | "prd" | "v1.0") {
                    continue;
                }
                let got = repo.list_files(rev, prefix).unwrap();
                let want = git_ls_files(&f, rev, prefix);
                assert!(!want.is_empty());
                assert_eq!(got, want, "list_files({rev}, {prefix:?})");
            }
        }
    }
    let repo = Repo::open(&f.work).unwrap();
    // Sorted by path bytes: `a-b/`, `a.yaml`, `a/`.
    let root = repo.list_files("dev", "").unwrap();
    let mut sorted = root.clone();
    sorted.sort();
    assert_eq!(root, sorted);
    // A trailing slash and "/" for the root are accepted.
    assert_eq!(repo.list_files("dev", "manifests/").unwrap(), repo.list_files("dev", "manifests").unwrap());
    assert_eq!(repo.list_files("dev", "/").unwrap(), root);
    // A prefix naming a file lists that file.
    assert_eq!(repo.list_files("dev", "top.yaml").unwrap(), ["top.yaml"]);
}

#[test]
fn read_files_matches_git_cat_file() {
    let f = Fixture::standard();
    let repo = Repo::open(f.bare_clone()).unwrap();
    for (rev, prefix) in [("dev", ""), ("stg", "manifests"), ("prd", "manifests/team-a/web")] {
        let files = repo.read_files(rev, prefix).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(names, git_ls_files(&f, rev, prefix));
        for file in &files {
            let want = f.git(&["cat-file", "blob", &format!("{rev}:{}", file.path)]);
            assert_eq!(file.data, want.as_bytes(), "{rev}:{}", file.path);
            assert_eq!(repo.read_file(rev, &file.path).unwrap(), want.as_bytes());
        }
    }
    // A single file as prefix.
    assert_eq!(
        repo.read_files("stg", "manifests/team-a/web/deploy.yaml").unwrap(),
        [TreeFile {
            path: "manifests/team-a/web/deploy.yaml".into(),
            data: b"kind: Deployment\nimage: web:2\n".to_vec(),
        }]
    );
    assert_eq!(
        repo.read_file("prd", "manifests/team-a/web/deploy.yaml").unwrap(),
        b"kind: Deployment\nimage: web:1\n"
    );
    assert_eq!(repo.read_file("v0.9", "scripts/run.sh").unwrap(), b"#!/bin/sh\necho run\n");
}

#[test]
fn tree_errors() {
    let f = Fixture::standard();
    let repo = Repo::open(&f.work).unwrap();

    let err = repo.read_file("dev", "manifests/nope.yaml").unwrap_err();
    assert_eq!(err.code(), "git.path-not-found");
    let text = err.to_string();
    assert!(text.contains("manifests/nope.yaml") && text.contains("dev"), "{text}");
    // Deleted on dev, present on stg.
    assert_eq!(code(repo.read_file("dev", "manifests/team-a/web/svc.yaml")), "git.path-not-found");
    assert!(repo.read_file("stg", "manifests/team-a/web/svc.yaml").is_ok());
    // Below a file.
    assert_eq!(code(repo.read_file("dev", "top.yaml/x")), "git.path-not-found");
    assert_eq!(code(repo.list_files("dev", "top.yaml/x")), "git.path-not-found");
    assert_eq!(code(repo.list_files("dev", "nope")), "git.path-not-found");
    assert_eq!(code(repo.read_files("dev", "nope/deeper")), "git.path-not-found");
    // A directory is not a file.
    assert_eq!(code(repo.read_file("dev", "manifests")), "git.invalid-argument");
    assert_eq!(code(repo.read_file("dev", "")), "git.invalid-argument");
    // Malformed paths.
    for bad in ["/etc/passwd", "../x", "a/../top.yaml", "a//y.yaml", "./top.yaml"] {
        assert_eq!(code(repo.read_file("dev", bad)), "git.invalid-argument", "{bad}");
        assert_eq!(code(repo.list_files("dev", bad)), "git.invalid-argument", "{bad}");
    }
    // Missing revision.
    assert_eq!(code(repo.read_file("nope", "top.yaml")), "git.ref-not-found");
    assert_eq!(code(repo.read_files("nope", "")), "git.ref-not-found");
}

#[test]
fn changed_paths_matches_git_diff() {
    let f = Fixture::standard();
    let repo = Repo::open(f.bare_clone()).unwrap();
    let pairs = [
        ("prd", "dev"),
        ("dev", "prd"),
        ("stg", "dev"),
        ("v0.9", "v1.0"),
        ("feature", "main"),
        ("dev~1", "dev"),
        ("dev", "dev"),
    ];
    for (from, to) in pairs {
        let got = repo.changed_paths(from, to).unwrap();
        let want: Vec<ChangedPath> = f
            .git(&["diff", "--no-renames", "--name-status", "-z", from, to])
            .split('\0')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .chunks(2)
            .map(|pair| ChangedPath {
                path: pair[1].to_owned(),
                change: match pair[0] {
                    "A" => Change::Added,
                    "M" => Change::Modified,
                    "D" => Change::Deleted,
                    other => panic!("unexpected status {other}"),
                },
            })
            .collect();
        let mut want = want;
        want.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(got, want, "changed_paths({from}, {to})");
    }
    let prd_dev = repo.changed_paths("prd", "dev").unwrap();
    assert!(
        prd_dev.contains(&ChangedPath { path: "nested/deep/dir/file.yaml".into(), change: Change::Added })
    );
    assert_eq!(code(repo.changed_paths("prd", "nope")), "git.ref-not-found");
    assert_eq!(code(repo.changed_paths("nope", "prd")), "git.ref-not-found");
}

// ---------------------------------------------------------------------------------------------
// History

fn git_log(f: &Fixture, range: &str, first_parent: bool) -> Vec<Vec<String>> {
    let mut args = vec!["log", "--format=%H%x00%an%x00%ae%x00%at%x00%s%x00%P"];
    if first_parent {
        args.push("--first-parent");
    }
    args.push(range);
    lines(&f.git(&args)).into_iter().map(|l| l.split('\0').map(str::to_owned).collect()).collect()
}

#[test]
fn log_matches_git_log() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    for repo in [Repo::open(&f.work).unwrap(), Repo::open(&bare).unwrap()] {
        let cases: [(Option<&str>, &str); 6] = [
            (Some("stg"), "dev"),
            (Some("prd"), "dev"),
            (Some("prd"), "stg"),
            (None, "dev"),
            (Some("dev"), "prd"),
            (Some("feature"), "dev"),
        ];
        for (from, to) in cases {
            for first_parent in [false, true] {
                let range = match from {
                    Some(from) => format!("{from}..{to}"),
                    None => to.to_owned(),
                };
                let got: Vec<Vec<String>> = repo
                    .log(from, to, first_parent)
                    .unwrap()
                    .into_iter()
                    .map(|c| {
                        vec![
                            c.id,
                            c.author_name,
                            c.author_email,
                            c.time.to_string(),
                            c.subject,
                            c.parents.join(" "),
                        ]
                    })
                    .collect();
                assert_eq!(got, git_log(&f, &range, first_parent), "log {range} first_parent={first_parent}");
            }
        }
    }
    let repo = Repo::open(&f.work).unwrap();
    let all = repo.log(None, "dev", false).unwrap();
    let first = repo.log(None, "dev", true).unwrap();
    assert!(first.len() < all.len(), "the merge brings in side commits");
    assert!(all.iter().any(|c| c.parents.len() == 2));
    assert!(all.iter().any(|c| c.subject == "api: bump to 2 (subject on two lines)"));
    assert!(repo.log(Some("dev"), "dev", false).unwrap().is_empty());
    assert_eq!(code(repo.log(Some("nope"), "dev", false)), "git.ref-not-found");
    assert_eq!(code(repo.log(None, "nope", false)), "git.ref-not-found");
}

#[test]
fn log_refuses_ranges_in_shallow_clones() {
    let f = Fixture::standard();
    let url = format!("file://{}", f.work.display());
    git_in(f.root(), &["clone", "-q", "--bare", "--depth", "2", "--branch", "dev", &url, "shallow.git"]);
    let repo = Repo::open(f.root().join("shallow.git")).unwrap();
    let err = repo.log(Some("dev~1"), "dev", false).unwrap_err();
    assert_eq!(err.code(), "git.unsupported", "{err}");
    assert!(err.to_string().contains("shallow"), "{err}");
    // Without a range the (truncated) history is what git shows too.
    let got: Vec<String> = repo.log(None, "dev", false).unwrap().into_iter().map(|c| c.id).collect();
    let want = lines(&git_in(&f.root().join("shallow.git"), &["log", "--format=%H", "dev"]));
    assert_eq!(got, want);
}

#[test]
fn tags_match_git_tag_points_at() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    for repo in [Repo::open(&f.work).unwrap(), Repo::open(&bare).unwrap()] {
        for rev in ["stg", "prd", "dev", "v1.0", "v0.9", "feature"] {
            let got = repo.tags_pointing_at(rev).unwrap();
            let want = lines(&f.git(&["tag", "--points-at", &format!("{rev}^{{commit}}")]));
            assert_eq!(got, want, "tags_pointing_at({rev})");
        }
    }
    let repo = Repo::open(&f.work).unwrap();
    assert_eq!(repo.tags_pointing_at("stg").unwrap(), ["also-light", "light", "v1.0"]);
    assert!(repo.tags_pointing_at("dev").unwrap().is_empty());
    assert_eq!(code(repo.tags_pointing_at("nope")), "git.ref-not-found");
}

/// A repository with 1,000 commits (each changing one file) made with `git fast-import`, so
/// that some 4-hex prefixes are shared by two commits, or by a commit and a blob or tree.
fn many_objects_repo() -> (tempfile::TempDir, PathBuf) {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many.git");
    git_in(tmp.path(), &["init", "-q", "--bare", "many.git"]);
    let mut stream = String::new();
    for i in 0..1000 {
        let body = format!("value: {i}\n");
        let msg = format!("commit {i}\n");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Bot <bot@example.com> {} +0000\ndata {}\n{msg}",
            1_700_000_000 + i,
            msg.len()
        ));
        stream.push_str(&format!("M 100644 inline file.txt\ndata {}\n{body}\n", body.len()));
    }
    let mut child = Command::new("git")
        .current_dir(&dir)
        .args(["fast-import", "--quiet"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    (tmp, dir)
}

fn objects_by_kind(dir: &Path) -> BTreeMap<String, String> {
    git_in(dir, &["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, kind)| (id.to_owned(), kind.to_owned()))
        .collect()
}

#[test]
fn find_commit_by_prefix_and_ambiguity() {
    let (_tmp, dir) = many_objects_repo();
    let repo = Repo::open(&dir).unwrap();
    let objects = objects_by_kind(&dir);
    let mut by_prefix: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (id, kind) in &objects {
        by_prefix.entry(&id[..4]).or_default().push((id, kind));
    }
    let commits_of = |group: &[(&str, &str)]| -> Vec<String> {
        group.iter().filter(|(_, k)| *k == "commit").map(|(id, _)| (*id).to_owned()).collect()
    };

    // Two commits sharing a 4-hex prefix: ambiguous, with sorted candidates.
    let (ambiguous, group) = by_prefix
        .iter()
        .find(|(_, g)| commits_of(g).len() >= 2)
        .expect("1,000 commits give a shared 4-hex prefix");
    let expected = commits_of(group);
    let err = repo.find_commit_by_prefix(ambiguous).unwrap_err();
    assert_eq!(err.code(), "git.ambiguous-prefix");
    match &err {
        Error::AmbiguousPrefix { prefix, candidates } => {
            assert_eq!(prefix, ambiguous);
            assert_eq!(candidates, &expected);
            let mut sorted = candidates.clone();
            sorted.sort();
            assert_eq!(candidates, &sorted);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(ambiguous));
    assert_eq!(code(repo.resolve(ambiguous)), "git.ambiguous-prefix");
    // A longer prefix of one of them is unique.
    assert_eq!(repo.find_commit_by_prefix(&expected[0][..12]).unwrap(), expected[0]);

    // One commit and some blobs/trees sharing a prefix: not ambiguous.
    let (shared, group) = by_prefix
        .iter()
        .find(|(_, g)| g.len() >= 2 && commits_of(g).len() == 1)
        .expect("a prefix shared by a commit and another object");
    let commit = commits_of(group).remove(0);
    assert_eq!(repo.find_commit_by_prefix(shared).unwrap(), commit);
    assert_eq!(repo.find_commit_by_prefix(&shared.to_uppercase()).unwrap(), commit);
    assert_eq!(repo.resolve(shared).unwrap(), commit);
    assert_eq!(rev_parse_in(&dir, shared), commit, "git agrees");

    // Every commit is found by its 7-char prefix, and by its full id.
    for (id, kind) in objects.iter().filter(|(_, k)| *k == "commit").take(50) {
        assert_eq!(kind, "commit");
        assert_eq!(repo.find_commit_by_prefix(&id[..7]).unwrap(), *id);
        assert_eq!(repo.find_commit_by_prefix(id).unwrap(), *id);
    }

    // A prefix of only non-commits, or of nothing.
    if let Some((only_blobs, _)) = by_prefix.iter().find(|(_, g)| commits_of(g).is_empty()) {
        assert_eq!(code(repo.find_commit_by_prefix(only_blobs)), "git.object-not-found");
    }
    let unused = (0..=0xffffu32)
        .map(|n| format!("{n:04x}"))
        .find(|p| !by_prefix.contains_key(p.as_str()))
        .expect("an unused prefix");
    assert_eq!(code(repo.find_commit_by_prefix(&unused)), "git.object-not-found");
    let blob = objects.iter().find(|(_, k)| *k == "blob").unwrap().0;
    assert_eq!(code(repo.find_commit_by_prefix(blob)), "git.object-not-found");

    // Malformed prefixes.
    for bad in ["", "abc", "xyz1", "12 4", "g123", &"a".repeat(41), "é123"] {
        assert_eq!(code(repo.find_commit_by_prefix(bad)), "git.invalid-argument", "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Writing commits

fn fsck(dir: &Path) {
    fsck_with(dir, &[]);
}

fn fsck_with(dir: &Path, extra: &[&str]) {
    let mut args = vec!["fsck", "--strict", "--no-progress"];
    args.extend(extra);
    let out = git_cmd(dir, &args, None);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn commit_writes_a_valid_commit_and_moves_the_branch() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    let repo = Repo::open(&bare).unwrap();
    let tip = repo.resolve("stg").unwrap();

    let mut req = request(
        "stg",
        vec![
            write("manifests/team-a/web/deploy.yaml", "kind: Deployment\nimage: web:3\n"),
            write("new/a/b/c.yaml", "c: 1\n"),
            write("scripts/run.sh", "#!/bin/sh\necho run v2\n"),
            delete("manifests/team-b/api/cm.yaml"),
        ],
        Some(tip.clone()),
    );
    req.message = "promote web 3\n\nBody line.".into();
    req.committer = Some(Signature {
        name: "Ci Committer".into(),
        email: "ci@example.com".into(),
        time: 1_700_200_000,
        offset_minutes: -330,
    });
    let id = repo.commit(&req).unwrap();
    assert_eq!(id.len(), 40);
    assert_eq!(rev_parse_in(&bare, "stg"), id);
    assert_eq!(repo.resolve("refs/heads/stg").unwrap(), id);
    fsck(&bare);

    let show = git_in(
        &bare,
        &["log", "-1", "--format=%H%n%an%n%ae%n%at%n%ai%n%cn%n%ce%n%ct%n%ci%n%s%n%P%n%B", "stg"],
    );
    let show: Vec<&str> = show.lines().collect();
    assert_eq!(
        show[..12],
        [
            id.as_str(),
            "Gitops Bot",
            "gitops.bot@example.com",
            "1700100000",
            "2023-11-16 04:00:00 +0200",
            "Ci Committer",
            "ci@example.com",
            "1700200000",
            "2023-11-17 00:16:40 -0530",
            "promote web 3",
            tip.as_str(),
            "promote web 3",
        ]
    );
    assert_eq!(show[13], "Body line.");

    let names = git_in(&bare, &["show", "--name-status", "--no-renames", "--format=", "stg"]);
    assert_eq!(
        lines(&names),
        [
            "M\tmanifests/team-a/web/deploy.yaml",
            "D\tmanifests/team-b/api/cm.yaml",
            "A\tnew/a/b/c.yaml",
            "M\tscripts/run.sh",
        ]
    );
    assert_eq!(git_in(&bare, &["cat-file", "blob", "stg:new/a/b/c.yaml"]), "c: 1\n");
    // The executable bit survives a rewrite; new files are regular.
    assert!(git_in(&bare, &["ls-tree", "stg", "scripts/run.sh"]).starts_with("100755 blob"));
    assert!(git_in(&bare, &["ls-tree", "stg", "new/a/b/c.yaml"]).starts_with("100644 blob"));
    // Our own reads agree.
    assert_eq!(
        repo.changed_paths(&tip, "stg").unwrap(),
        [
            ChangedPath { path: "manifests/team-a/web/deploy.yaml".into(), change: Change::Modified },
            ChangedPath { path: "manifests/team-b/api/cm.yaml".into(), change: Change::Deleted },
            ChangedPath { path: "new/a/b/c.yaml".into(), change: Change::Added },
            ChangedPath { path: "scripts/run.sh".into(), change: Change::Modified },
        ]
    );
    assert_eq!(repo.log(Some(&tip), "stg", true).unwrap()[0].subject, "promote web 3");

    // A second commit based on the stale tip is rejected and the ref is untouched.
    let stale = request("stg", vec![write("x.yaml", "x\n")], Some(tip.clone()));
    let err = repo.commit(&stale).unwrap_err();
    assert_eq!(err.code(), "git.conflict");
    assert_eq!(
        err,
        Error::Conflict { branch: "refs/heads/stg".into(), expected: tip.clone(), actual: id.clone() }
    );
    assert!(err.to_string().contains("refs/heads/stg"), "{err}");
    assert_eq!(rev_parse_in(&bare, "stg"), id);

    // Based on the current tip (given, or read now) it works.
    let second =
        repo.commit(&request("refs/heads/stg", vec![write("x.yaml", "x\n")], Some(id.clone()))).unwrap();
    let third = repo.commit(&request("stg", vec![delete("x.yaml"), delete("new/a/b/c.yaml")], None)).unwrap();
    assert_eq!(rev_parse_in(&bare, "stg"), third);
    assert_eq!(rev_parse_in(&bare, "stg~1"), second);
    // Deleting the last file of a directory removes the directory.
    assert_eq!(code(repo.list_files("stg", "new")), "git.path-not-found");
    assert_eq!(git_in(&bare, &["ls-tree", "-r", "--name-only", "stg", "--", "new"]), "");
    // Other branches are untouched.
    assert_eq!(rev_parse_in(&bare, "dev"), f.rev_parse("dev"));
    fsck(&bare);
}

#[test]
fn commit_in_a_non_bare_repo_leaves_the_work_tree_alone() {
    let f = Fixture::standard();
    let repo = Repo::open(&f.work).unwrap();
    let status_before = f.git(&["status", "--porcelain"]);
    let id = repo
        .commit(&request("prd", vec![write("manifests/team-a/web/deploy.yaml", "v: 9\n")], None))
        .unwrap();
    assert_eq!(f.rev_parse("prd"), id);
    assert_eq!(f.git(&["status", "--porcelain"]), status_before);
    // A reflog entry is written with the committer identity.
    let reflog = f.git(&["reflog", "-1", "--format=%gs", "prd"]);
    assert_eq!(reflog.trim(), "commit: bot: update manifests");
    fsck(&f.work);
}

#[test]
fn commit_errors_leave_the_branch_untouched() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    let repo = Repo::open(&bare).unwrap();
    let before = rev_parse_in(&bare, "stg");
    let check = |req: CommitRequest, want: &str| {
        let err = repo.commit(&req).unwrap_err();
        assert_eq!(err.code(), want, "{req:?}: {err}");
        assert_eq!(rev_parse_in(&bare, "stg"), before);
        err
    };

    let err = check(request("stg", vec![delete("nope.yaml")], None), "git.path-not-found");
    assert!(err.to_string().contains("nope.yaml"), "{err}");
    check(request("stg", vec![delete("manifests/nope/x.yaml")], None), "git.path-not-found");
    check(request("stg", vec![delete("top.yaml/below-a-file")], None), "git.path-not-found");
    let err = check(request("no-branch", vec![write("a.yaml", "a")], None), "git.ref-not-found");
    assert!(err.to_string().contains("refs/heads/no-branch"), "{err}");

    for bad in [
        "/abs.yaml",
        "../up.yaml",
        "a/../b.yaml",
        "a//b.yaml",
        "./a.yaml",
        "dir/",
        "",
        ".git/config",
        "sub/.git/hooks/x",
        "sub/.GIT/x",
    ] {
        check(request("stg", vec![write(bad, "x")], None), "git.invalid-argument");
        check(request("stg", vec![delete(bad)], None), "git.invalid-argument");
    }
    // Writing over a directory, below a file, deleting a directory.
    check(request("stg", vec![write("manifests", "x")], None), "git.invalid-argument");
    check(request("stg", vec![write("top.yaml/x.yaml", "x")], None), "git.invalid-argument");
    check(request("stg", vec![delete("manifests/team-a")], None), "git.invalid-argument");
    // The same path twice, or a path inside another changed path.
    check(request("stg", vec![write("a.yaml", "1"), delete("a.yaml")], None), "git.invalid-argument");
    check(request("stg", vec![delete("top.yaml"), write("top.yaml/x", "1")], None), "git.invalid-argument");
    check(request("stg", vec![], None), "git.invalid-argument");
    // Bad branch names, tips and signatures.
    check(request("refs/tags/v1.0", vec![write("a", "1")], None), "git.invalid-argument");
    check(request("bad..name", vec![write("a", "1")], None), "git.invalid-argument");
    check(request("", vec![write("a", "1")], None), "git.invalid-argument");
    check(request("stg", vec![write("a", "1")], Some(before[..7].to_owned())), "git.invalid-argument");
    check(request("stg", vec![write("a", "1")], Some("z".repeat(40))), "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.author.name = "Evil <x@y>".into();
    check(req, "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.author.email = "a\nb".into();
    check(req, "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.author.name = " ".into();
    check(req, "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.author.offset_minutes = 24 * 60;
    check(req, "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.author.time = -1;
    check(req, "git.invalid-argument");
    let mut req = request("stg", vec![write("a", "1")], None);
    req.message = "  \n".into();
    check(req, "git.invalid-argument");
    // A well-formed but wrong expected tip is a conflict.
    let other = rev_parse_in(&bare, "prd");
    check(request("stg", vec![write("a", "1")], Some(other)), "git.conflict");
    fsck(&bare);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

#[test]
fn repo_is_usable_from_four_threads() {
    let f = Fixture::standard();
    let repo = Repo::open(f.bare_clone()).unwrap();
    let files = repo.read_files("dev", "").unwrap();
    let log = repo.log(Some("prd"), "dev", false).unwrap();
    let diff = repo.changed_paths("prd", "dev").unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let repo = repo.clone();
            let (files, log, diff) = (&files, &log, &diff);
            s.spawn(move || {
                for i in 0..25 {
                    match (t + i) % 4 {
                        0 => assert_eq!(&repo.read_files("dev", "").unwrap(), files),
                        1 => assert_eq!(&repo.log(Some("prd"), "dev", false).unwrap(), log),
                        2 => assert_eq!(&repo.changed_paths("prd", "dev").unwrap(), diff),
                        _ => assert_eq!(repo.tags_pointing_at("stg").unwrap().len(), 3),
                    }
                }
            });
        }
    });
}

#[test]
fn concurrent_commits_lose_no_update() {
    let f = Fixture::standard();
    let bare = f.bare_clone();
    let repo = Repo::open(&bare).unwrap();
    let start = repo.resolve("stg").unwrap();
    let per_thread = 6;
    let conflicts = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..4 {
            let repo = &repo;
            let conflicts = &conflicts;
            s.spawn(move || {
                for i in 0..per_thread {
                    loop {
                        let tip = repo.resolve("stg").unwrap();
                        let path = format!("threads/t{t}/c{i}.yaml");
                        let req = request("stg", vec![write(&path, "x: 1\n")], Some(tip));
                        match repo.commit(&req) {
                            Ok(_) => break,
                            Err(e) if e.code() == "git.conflict" => {
                                conflicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            Err(e) => panic!("thread {t}: {e}"),
                        }
                    }
                }
            });
        }
    });
    let added = repo.log(Some(&start), "stg", false).unwrap();
    assert_eq!(added.len(), 4 * per_thread);
    assert_eq!(repo.list_files("stg", "threads").unwrap().len(), 4 * per_thread);
    // Commits that lost the race stay behind as dangling objects, as with git.
    fsck_with(&bare, &["--no-dangling"]);
}

// ---------------------------------------------------------------------------------------------
// Types

#[test]
fn error_codes_are_stable() {
    let cases = [
        (Error::Open { path: "p".into(), message: "m".into() }, "git.open"),
        (Error::RefNotFound { rev: "r".into(), message: "m".into() }, "git.ref-not-found"),
        (Error::ObjectNotFound { what: "w".into() }, "git.object-not-found"),
        (Error::PathNotFound { rev: "r".into(), path: "p".into() }, "git.path-not-found"),
        (
            Error::AmbiguousPrefix { prefix: "abcd".into(), candidates: vec!["a".into()] },
            "git.ambiguous-prefix",
        ),
        (Error::Conflict { branch: "b".into(), expected: "e".into(), actual: "a".into() }, "git.conflict"),
        (Error::Unsupported { message: "m".into() }, "git.unsupported"),
        (Error::InvalidArgument { message: "m".into() }, "git.invalid-argument"),
        (Error::Other { context: "c".into(), message: "m".into() }, "git.other"),
    ];
    for (err, want) in cases {
        assert_eq!(err.code(), want);
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn outputs_serialize_with_snake_case() {
    let json = serde_json::to_string(&ChangedPath { path: "a.yaml".into(), change: Change::Added }).unwrap();
    assert_eq!(json, r#"{"path":"a.yaml","change":"added"}"#);
    let f = Fixture::standard();
    let repo = Repo::open(&f.work).unwrap();
    let info = repo.log(None, "prd", false).unwrap().remove(0);
    let value = serde_json::to_value(&info).unwrap();
    for key in ["id", "author_name", "author_email", "time", "subject", "parents"] {
        assert!(value.get(key).is_some(), "{key} in {value}");
    }
}
