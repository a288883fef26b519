//! Helpers shared by the CLI's black-box tests: run the binary, read its output, make git
//! fixture repositories. Not every test file uses every helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `gitops-kit` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gitops-kit"))
}

/// Runs `gitops-kit ARGS` in the test's working directory.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run gitops-kit")
}

/// Runs `gitops-kit ARGS` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin().current_dir(cwd).args(args).output().expect("run gitops-kit")
}

/// Runs `gitops-kit ARGS` with `input` on standard input.
pub fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The bundled example manifests.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop")
}

/// Runs `git ARGS` in `dir` with a fixed identity and date; returns its trimmed output.
pub fn git(dir: &Path, args: &[&str]) -> String {
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
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
