//! The exception hierarchy, and the conversion of core errors into it.
//!
//! Every core error becomes an instance of a [`GitopsKitError`] subclass chosen by the prefix of
//! its stable code (`yaml.`, `manifest.`, `git.`, `env.`, `image.`, `diff.`, `validate.`; anything
//! else is an invalid argument), with the
//! attributes `code`, `file`, `line` and `column` set on the instance (`None` when the error is
//! not about a position in a file). The message is the core error's `Display`.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    gitops_kit,
    GitopsKitError,
    PyException,
    "Base class of every gitops-kit error. Attributes: code (a stable dotted code such as \
     'yaml.duplicate-key'), file, line and column (None when the error has no location)."
);
create_exception!(
    gitops_kit,
    YamlError,
    GitopsKitError,
    "Malformed YAML or JSON, an input that breaks a limit, or a bad span edit (codes 'yaml.*')."
);
create_exception!(
    gitops_kit,
    ManifestError,
    GitopsKitError,
    "A manifest source could not be read or named (codes 'manifest.*')."
);
create_exception!(
    gitops_kit,
    GitError,
    GitopsKitError,
    "A git repository operation failed (codes 'git.*', e.g. 'git.conflict')."
);
create_exception!(
    gitops_kit,
    EnvError,
    GitopsKitError,
    "An invalid gitops-kit.yaml entry, an ambiguous branch, an unknown environment or a bad gate \
     argument (codes 'env.*', e.g. 'env.unknown-key', 'env.cycle')."
);
create_exception!(
    gitops_kit,
    ImageError,
    GitopsKitError,
    "An invalid image reference, a refused rewrite, a bad tag scheme or a tag that does not fit it \
     (codes 'image.*', e.g. 'image.invalid-reference', 'image.forbidden')."
);
create_exception!(
    gitops_kit,
    DiffError,
    GitopsKitError,
    "A diff option, ignore rule or diff configuration was rejected (codes 'diff.*', e.g. \
     'diff.invalid-rule')."
);
create_exception!(
    gitops_kit,
    ValidateError,
    GitopsKitError,
    "A validation option or configuration was rejected: an unknown Kubernetes version or rule, a \
     bad validation: section (codes 'validate.*')."
);
create_exception!(
    gitops_kit,
    InvalidArgumentError,
    GitopsKitError,
    "An argument was rejected by gitops-kit: an unknown parse option, a value of the wrong type \
     (code 'invalid-argument')."
);

/// The attributes every error instance carries; the base class holds `None` defaults.
const ATTRIBUTES: [&str; 4] = ["code", "file", "line", "column"];

/// Adds the exception classes to the module, with class-level `None` defaults for the attributes
/// (so an error raised from Python code still has them).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<GitopsKitError>();
    for name in ATTRIBUTES {
        base.setattr(name, py.None())?;
    }
    m.add("GitopsKitError", base)?;
    m.add("YamlError", py.get_type::<YamlError>())?;
    m.add("ManifestError", py.get_type::<ManifestError>())?;
    m.add("GitError", py.get_type::<GitError>())?;
    m.add("EnvError", py.get_type::<EnvError>())?;
    m.add("ImageError", py.get_type::<ImageError>())?;
    m.add("DiffError", py.get_type::<DiffError>())?;
    m.add("ValidateError", py.get_type::<ValidateError>())?;
    m.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    Ok(())
}

/// Converts a core error into the matching Python exception, with its attributes set.
pub fn to_py_err(py: Python<'_>, err: &gitops_kit::Error) -> PyErr {
    let code = err.code();
    let message = err.to_string();
    let py_err = if code.starts_with("yaml.") {
        YamlError::new_err(message)
    } else if code.starts_with("manifest.") {
        ManifestError::new_err(message)
    } else if code.starts_with("git.") {
        GitError::new_err(message)
    } else if code.starts_with("env.") {
        EnvError::new_err(message)
    } else if code.starts_with("image.") {
        ImageError::new_err(message)
    } else if code.starts_with("diff.") {
        DiffError::new_err(message)
    } else if code.starts_with("validate.") {
        ValidateError::new_err(message)
    } else {
        InvalidArgumentError::new_err(message)
    };
    if let Err(e) = set_attributes(py, &py_err, code, err.location()) {
        return e;
    }
    py_err
}

fn set_attributes(
    py: Python<'_>,
    err: &PyErr,
    code: &str,
    location: Option<&gitops_kit::Location>,
) -> PyResult<()> {
    let value = err.value(py);
    value.setattr("code", code)?;
    match location {
        Some(l) => {
            value.setattr("file", l.file.as_str())?;
            value.setattr("line", l.line)?;
            value.setattr("column", l.column)?;
        }
        None => {
            for name in &ATTRIBUTES[1..] {
                value.setattr(*name, py.None())?;
            }
        }
    }
    Ok(())
}

/// `result.or_raise(py)?`: turns any core error (module errors included) into a Python exception.
pub trait OrRaise<T> {
    /// The value, or the error converted by [`to_py_err`].
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T, E: Into<gitops_kit::Error>> OrRaise<T> for Result<T, E> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e.into()))
    }
}
