//! Validation: Kubernetes schemas for every supported version (embedded, offline), CRDs from the
//! input, the server-side syntax rules, and the gitops-kit rule catalog — every finding located
//! at file, line and column with a JSON pointer and the object's identity.
//!
//! ```
//! use gitops_kit::validate::{validate_str, Options};
//! let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\ndata:\n  debug: yes\n";
//! let report = validate_str(text, "cm.yaml", &Options::default()).unwrap();
//! let f = &report.findings[0];
//! assert_eq!((f.rule.as_str(), f.line, f.column), ("GK-S003", 7, 10));
//! assert_eq!(f.pointer, "/data/debug");
//! ```

mod bundle;
mod catalog;
mod check;
mod config;
mod engine;
mod finding;
mod load;
mod render;
mod rules;
mod schema;

pub use bundle::{kubernetes_versions, schema_source};
pub use catalog::{RuleInfo, rule, rules};
pub use config::{Config, DEFAULT_TAG_PATTERN, Exclude, ParamsConfig, RuleSetting};
pub use engine::IGNORE_ANNOTATION;
pub use finding::{Finding, Report, ResourceRef, Severity, Summary};
pub use render::{OutputFormat, render};
pub use rules::syntax::check_quantity;

use std::path::Path;

/// Errors of validation (input problems are findings, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was malformed.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// No embedded schemas for the requested Kubernetes version.
    #[error("no schemas for Kubernetes {version:?} (available: {available})")]
    UnknownVersion {
        /// As requested.
        version: String,
        /// The embedded versions.
        available: String,
    },
    /// A rule id that is not in the catalog.
    #[error("unknown rule {0:?} (see `gitops-kit validate --list-rules`)")]
    UnknownRule(String),
    /// The `validation:` configuration is malformed.
    #[error("{location}: {message}")]
    Config {
        /// What is wrong.
        message: String,
        /// Where.
        location: crate::Location,
    },
}

impl Error {
    /// Stable code of the error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "validate.invalid-argument",
            Error::UnknownVersion { .. } => "validate.unknown-version",
            Error::UnknownRule(_) => "validate.unknown-rule",
            Error::Config { .. } => "validate.config",
        }
    }

    /// Where in an input the error is, if it is about a position.
    #[must_use]
    pub fn location(&self) -> Option<&crate::Location> {
        match self {
            Error::Config { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// Options of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Kubernetes version (`1.33`, `v1.33.2`); default: the config's, else the newest embedded.
    pub kubernetes_version: Option<String>,
    /// Unknown fields are errors (default: the config's, else `true`).
    pub strict: Option<bool>,
    /// Extra sources of CustomResourceDefinitions (files, directories, `git:REF:PATH`).
    pub crds: Vec<String>,
    /// The `validation:` configuration.
    pub config: Option<Config>,
    /// Rules not to run.
    pub skip_rules: Vec<String>,
}

impl Options {
    /// Reads options from a JSON object as the bindings receive them: `kubernetes_version`,
    /// `strict`, `crds` (list of paths), `config` (path of a gitops-kit.yaml), `config_text`
    /// (its text), `skip_rules`; camelCase accepted.
    ///
    /// # Errors
    /// `invalid-argument` for unknown keys or wrong types; config errors.
    pub fn from_json(value: &serde_json::Value) -> Result<Options, crate::Error> {
        let mut o = Options::default();
        let Some(map) = value.as_object() else {
            return if value.is_null() { Ok(o) } else { Err(bad("options must be an object")) };
        };
        for (key, v) in map {
            if v.is_null() {
                continue;
            }
            let string =
                || v.as_str().map(str::to_string).ok_or_else(|| bad(&format!("{key} must be a string")));
            let list = || -> Result<Vec<String>, crate::Error> {
                if let Some(s) = v.as_str() {
                    return Ok(vec![s.to_string()]);
                }
                v.as_array()
                    .and_then(|a| {
                        a.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| bad(&format!("{key} must be a list of strings")))
            };
            match key.as_str() {
                "kubernetes_version" | "kubernetesVersion" => o.kubernetes_version = Some(string()?),
                "strict" => o.strict = Some(v.as_bool().ok_or_else(|| bad("strict must be a boolean"))?),
                "crds" | "crd" => o.crds = list()?,
                "config" => o.config = Some(Config::from_file(Path::new(&string()?))?),
                "config_text" | "configText" => o.config = Some(Config::from_yaml(&string()?, "<config>")?),
                "skip_rules" | "skipRules" => o.skip_rules = list()?,
                other => return Err(bad(&format!("unknown validate option {other:?}"))),
            }
        }
        Ok(o)
    }
}

fn bad(message: &str) -> crate::Error {
    crate::Error::InvalidArgument(message.to_string())
}

/// Validates command-line style sources (files, directories, `-`, `git:REF:PATH`).
///
/// ```
/// use gitops_kit::validate::{validate, Options};
/// let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop");
/// let report = validate(&[examples], None, &Options::default()).unwrap();
/// assert_eq!(report.schema, "gitops-kit/validate/v1");
/// assert!(report.summary.resources > 0);
/// ```
///
/// # Errors
/// Unreadable or missing sources, an unknown Kubernetes version or rule, a bad config. Files
/// that do not parse are GK-S001 findings, not errors.
pub fn validate<S: AsRef<str>>(
    sources: &[S],
    repo_dir: Option<&Path>,
    options: &Options,
) -> Result<Report, crate::Error> {
    let inputs = load::read_sources(sources, repo_dir)?;
    engine::run(inputs, options)
}

/// Validates one text named `name`.
///
/// # Errors
/// As [`validate`].
pub fn validate_str(text: &str, name: &str, options: &Options) -> Result<Report, crate::Error> {
    engine::run(vec![load::Input { name: name.to_string(), bytes: text.as_bytes().to_vec() }], options)
}
