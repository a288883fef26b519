//! Reading 5,000 manifests at a ref: `gitops_kit::git::Repo::read_files` against the git CLI
//! (`git ls-tree -r` + `git cat-file --batch`) on the same generated repository.
//!
//! Run: `cargo bench -p gitops-kit-benches --bench git -- --warm-up-time 1 --measurement-time 3`.
//! After criterion's report, the ratio of medians of a few extra timed runs is printed as
//! `git-read ratio gix/git = X.XX` (below 1 means gix is faster).

use std::hint::black_box;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use gitops_kit::git::Repo;

const TEAMS: usize = 20;
const APPS: usize = 50;
const KINDS: [&str; 5] = ["deployment", "service", "configmap", "hpa", "ingress"];
const FILES: usize = TEAMS * APPS * KINDS.len();
const REV: &str = "main";
const PREFIX: &str = "manifests";

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR");
    cmd
}

fn manifest(team: usize, app: usize, kind: &str, version: usize) -> String {
    let name = format!("app-{app:02}");
    let ns = format!("team-{team:02}");
    let mut text = format!(
        "apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    \
         app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: {ns}\n    \
         app.kubernetes.io/version: \"1.{version}.{app}\"\nspec:\n"
    );
    for i in 0..(8 + (team * 7 + app * 3) % 24) {
        text.push_str(&format!("  field{i}: value-{team}-{app}-{i}-{version}  # setting {i} of {kind}\n"));
    }
    text
}

/// A bare repository with 5,000 YAML files under `manifests/<team>/<app>/`, three commits
/// (the later ones rewrite a fifth of the files each, so the pack holds deltas), packed by gc.
fn generate(dir: &Path) {
    let status = git(dir).args(["init", "-q", "--bare", "-b", REV, "."]).status().expect("git init");
    assert!(status.success());
    let mut stream = String::new();
    for version in 0..3 {
        let message = format!("version {version}\n");
        stream.push_str(&format!(
            "commit refs/heads/{REV}\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{message}",
            1_700_000_000 + version * 60,
            message.len()
        ));
        for team in 0..TEAMS {
            for app in 0..APPS {
                if version > 0 && (team + app) % 5 != version {
                    continue;
                }
                for kind in KINDS {
                    let body = manifest(team, app, kind, version);
                    stream.push_str(&format!(
                        "M 100644 inline {PREFIX}/team-{team:02}/app-{app:02}/{kind}.yaml\ndata {}\n{body}\n",
                        body.len()
                    ));
                }
            }
        }
    }
    let mut child =
        git(dir).args(["fast-import", "--quiet"]).stdin(Stdio::piped()).spawn().expect("git fast-import");
    child.stdin.take().expect("stdin").write_all(stream.as_bytes()).expect("feed fast-import");
    assert!(child.wait().expect("fast-import").success());
    let status = git(dir).args(["gc", "-q", "--prune=now"]).status().expect("git gc");
    assert!(status.success());
}

/// The git CLI equivalent of `read_files`: list with `ls-tree -r`, read with `cat-file --batch`.
fn git_read_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let listing = git(dir).args(["ls-tree", "-r", "-z", REV, "--", PREFIX]).output().expect("git ls-tree");
    assert!(listing.status.success());
    let mut paths = Vec::with_capacity(FILES);
    let mut request = Vec::with_capacity(FILES * 41);
    for record in listing.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        // "<mode> SP <type> SP <oid> TAB <path>"
        let text = std::str::from_utf8(record).expect("utf-8 listing");
        let (meta, path) = text.split_once('\t').expect("tab");
        let mut fields = meta.split(' ');
        let (_mode, kind, oid) = (fields.next(), fields.next(), fields.next());
        if kind != Some("blob") {
            continue;
        }
        request.extend_from_slice(oid.expect("oid").as_bytes());
        request.push(b'\n');
        paths.push(path.to_owned());
    }
    let mut child = git(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git cat-file");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&request));
    let mut out = BufReader::with_capacity(1 << 16, child.stdout.take().expect("stdout"));
    let mut files = Vec::with_capacity(paths.len());
    let mut header = String::new();
    for path in paths {
        header.clear();
        out.read_line(&mut header).expect("header");
        // "<oid> SP <type> SP <size> LF <content> LF"
        let size: usize = header.trim_end().rsplit(' ').next().and_then(|s| s.parse().ok()).expect("size");
        let mut data = vec![0; size + 1];
        out.read_exact(&mut data).expect("content");
        data.pop();
        files.push((path, data));
    }
    writer.join().expect("writer").expect("write request");
    assert!(child.wait().expect("cat-file").success());
    files
}

fn gix_read_files(repo: &Repo) -> Vec<gitops_kit::git::TreeFile> {
    repo.read_files(REV, PREFIX).expect("read_files")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");

    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("synth.git");
    std::fs::create_dir(&dir).expect("mkdir");
    generate(&dir);
    let repo = Repo::open(&dir).expect("open");

    // Both sides read the same files with the same bytes.
    let ours = gix_read_files(&repo);
    let theirs = git_read_files(&dir);
    assert_eq!(ours.len(), FILES);
    assert_eq!(theirs.len(), FILES);
    let bytes: usize = ours.iter().map(|f| f.data.len()).sum();
    for (a, (path, data)) in ours.iter().zip(&theirs) {
        assert_eq!(&a.path, path);
        assert_eq!(&a.data, data);
    }

    let mut c = Criterion::default().configure_from_args();
    {
        let mut group = c.benchmark_group(format!("git-read-{FILES}-files"));
        group.sample_size(10);
        group.throughput(criterion::Throughput::Bytes(bytes as u64));
        group.bench_function("gix_read_files", |b| {
            b.iter(|| black_box(gix_read_files(&repo)));
        });
        group.bench_function("gix_open_and_read_files", |b| {
            b.iter(|| {
                let fresh = Repo::open(&dir).expect("open");
                black_box(gix_read_files(&fresh))
            });
        });
        group.bench_function("git_ls_tree_cat_file", |b| {
            b.iter(|| black_box(git_read_files(&dir)));
        });
        group.finish();
    }
    c.final_summary();

    let runs = if quick { 1 } else { 15 };
    let (mut warm, mut cold, mut cli) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        black_box(gix_read_files(&repo));
        warm.push(t.elapsed());
        let t = Instant::now();
        black_box(gix_read_files(&Repo::open(&dir).expect("open")));
        cold.push(t.elapsed());
        let t = Instant::now();
        black_box(git_read_files(&dir));
        cli.push(t.elapsed());
    }
    let (warm, cold, cli) = (median(warm), median(cold), median(cli));
    println!(
        "git-read medians over {runs} runs, {FILES} files, {:.1} MB: gix {:.2} ms, \
         gix with open {:.2} ms, git CLI {:.2} ms",
        bytes as f64 / 1e6,
        warm.as_secs_f64() * 1e3,
        cold.as_secs_f64() * 1e3,
        cli.as_secs_f64() * 1e3
    );
    println!("git-read ratio gix-with-open/git = {:.2}", cold.as_secs_f64() / cli.as_secs_f64());
    println!("git-read ratio gix/git = {:.2}", warm.as_secs_f64() / cli.as_secs_f64());
}
