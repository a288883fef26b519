//! Validation of repository-relative paths given by callers.

use super::Error;

/// Longest path accepted, in bytes (git itself has no hard limit; this guards against abuse).
const MAX_PATH_LEN: usize = 4096;

/// Check a repository-relative path used to *read* a tree and return it without a trailing `/`.
///
/// `""` (and `"/"`) name the root. Rejected: a leading `/`, empty components (`a//b`), `.` and
/// `..` components, and NUL bytes. (A `\` is an ordinary character in git paths.)
pub(crate) fn normalize_read_path<'a>(what: &str, path: &'a str) -> Result<&'a str, Error> {
    if path.is_empty() || path == "/" {
        return Ok("");
    }
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    check_components(what, path, trimmed, false)?;
    Ok(trimmed)
}

/// Check a repository-relative path used to *write* a tree entry: like reading, but the path
/// must name a file (no trailing `/`, not the root) and no component may be `.git` (in any case).
pub(crate) fn check_write_path(path: &str) -> Result<(), Error> {
    if path.is_empty() {
        return Err(Error::invalid("file path is empty"));
    }
    if path.ends_with('/') {
        return Err(Error::invalid(format!(
            "file path '{path}' ends with '/': name a file, not a directory"
        )));
    }
    check_components("file path", path, path, true)
}

fn check_components(what: &str, original: &str, path: &str, writing: bool) -> Result<(), Error> {
    if path.len() > MAX_PATH_LEN {
        return Err(Error::invalid(format!("{what} is longer than {MAX_PATH_LEN} bytes")));
    }
    if path.starts_with('/') {
        return Err(Error::invalid(format!(
            "{what} '{original}' is absolute: paths are relative to the repository root"
        )));
    }
    if path.contains('\0') {
        return Err(Error::invalid(format!("{what} '{}' contains a NUL byte", original.escape_debug())));
    }
    for component in path.split('/') {
        let problem = match component {
            "" => Some("an empty component ('//')"),
            "." => Some("a '.' component"),
            ".." => Some("a '..' component"),
            c if writing && c.eq_ignore_ascii_case(".git") => Some("a '.git' component"),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(Error::invalid(format!("{what} '{original}' has {problem}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_paths() {
        assert_eq!(normalize_read_path("p", "").ok(), Some(""));
        assert_eq!(normalize_read_path("p", "/").ok(), Some(""));
        assert_eq!(normalize_read_path("p", "a/b/").ok(), Some("a/b"));
        assert_eq!(normalize_read_path("p", "a/b").ok(), Some("a/b"));
        for bad in ["/a", "a//b", "a/../b", "./a", "a/.", "a\0b", "a//"] {
            let err = normalize_read_path("p", bad).unwrap_err();
            assert_eq!(err.code(), "git.invalid-argument", "{bad:?}");
        }
    }

    #[test]
    fn write_paths() {
        assert!(check_write_path("a/b.yaml").is_ok());
        assert!(check_write_path(".gitignore").is_ok());
        for bad in ["", "a/", "/a", "a//b", "../a", ".git/config", "x/.GIT/y", "a/./b"] {
            assert_eq!(check_write_path(bad).unwrap_err().code(), "git.invalid-argument", "{bad:?}");
        }
    }
}
