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
//!
//! For an environment of `gitops-kit.yaml` (`--env`): its namespace, policy, images and place in
//! the promotion order feed GK-G001..G004, GK-G006 and GK-R009 (see [`Options::environment`]):
//!
//! ```
//! use gitops_kit::validate::{validate_str, Options};
//! let config = "version: 1\nenvironments:\n  stg: {manifest_branch: stg, target: {namespace: shop-stg}}\n";
//! let options = Options::from_json(&serde_json::json!({"config_text": config, "environment": "stg"})).unwrap();
//! let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n";
//! let report = validate_str(text, "cm.yaml", &options).unwrap();
//! let f = &report.findings[0];
//! assert_eq!((f.rule.as_str(), f.severity.as_str(), f.line, f.column), ("GK-G006", "error", 3, 34));
//! ```

mod bundle;
mod catalog;
mod check;
mod config;
mod engine;
mod environment;
mod finding;
mod load;
mod render;
mod rules;
mod schema;

pub use bundle::{kubernetes_versions, schema_source};
pub use catalog::{RuleInfo, rule, rules};
pub use config::{Config, DEFAULT_TAG_PATTERN, Exclude, ParamsConfig, RuleSetting};
pub use engine::IGNORE_ANNOTATION;
pub use environment::{DEFAULT_OVERLAY_ALLOWED_PATHS, load_environments};
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
    /// The `validation:` configuration is malformed, or lacks what an option needs (the
    /// `environments:` section for `--env`).
    #[error("{location}: {message}")]
    Config {
        /// What is wrong.
        message: String,
        /// Where.
        location: crate::Location,
    },
    /// `--env` or `--branch` names no environment of the configuration.
    #[error("{message} (known environments: {known})")]
    UnknownEnvironment {
        /// What was asked for and why it failed.
        message: String,
        /// The configured environments, in promotion order, comma-separated.
        known: String,
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
            Error::UnknownEnvironment { .. } => "validate.unknown-environment",
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
    /// The environments of `gitops-kit.yaml` (see [`Options::use_config`]); needed by
    /// `environment` and `branch`.
    pub environments: Option<std::sync::Arc<crate::env::Config>>,
    /// Validate for this environment (CLI `--env`): its policy, namespace, images and whether it
    /// is a production environment feed GK-G001..G003, GK-G004, GK-G006 and GK-R009.
    pub environment: Option<String>,
    /// Validate for the environment this manifest branch deploys to (CLI `--branch`; exact
    /// name, glob, then the preview pattern).
    pub branch: Option<String>,
    /// The code commit CI built or recorded for the environment (CLI `--commit`, 4–40 hex
    /// digits): image tags of configured images must carry it (GK-G003).
    pub commit: Option<String>,
    /// The code repository (CLI `--code-repo`): image tags are linked to its commits, which must
    /// be reachable from the environment's `allowed_code_refs` or `code_branch` (GK-G003).
    pub code_repo: Option<std::path::PathBuf>,
    /// Baseline sources (CLI `--against`, e.g. `git:stg:deploy`): fields that differ from them
    /// outside the allowed overlay paths are GK-G010 findings.
    pub against: Vec<String>,
    /// A baseline text (named `<against>`), the vector-friendly form of `against`.
    pub against_text: Option<String>,
}

impl Options {
    /// Reads options from a JSON object as the bindings receive them: `kubernetes_version`,
    /// `strict`, `crds` (list of paths), `config` (path of a gitops-kit.yaml), `config_text`
    /// (its text), `skip_rules`, `environment`, `branch`, `commit`, `code_repo`, `against`
    /// (list of sources), `against_text`; camelCase accepted.
    ///
    /// ```
    /// use gitops_kit::validate::Options;
    /// let config = "version: 1\nenvironments:\n  stg: {manifest_branch: stg}\n";
    /// let o = Options::from_json(&serde_json::json!({"configText": config, "environment": "stg"})).unwrap();
    /// assert_eq!(o.environments.unwrap().order(), vec!["stg"]);
    /// let err = Options::from_json(&serde_json::json!({"configText": config, "environment": "prd"})).unwrap_err();
    /// assert_eq!(err.code(), "validate.unknown-environment");
    /// ```
    ///
    /// # Errors
    /// `invalid-argument` for unknown keys or wrong types; config errors; an environment or
    /// branch the configuration does not know.
    pub fn from_json(value: &serde_json::Value) -> Result<Options, crate::Error> {
        let mut o = Options::default();
        let mut config: Option<(String, String)> = None;
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
                "config" => config = Some(read_config(Path::new(&string()?))?),
                "config_text" | "configText" => config = Some((string()?, "<config>".into())),
                "skip_rules" | "skipRules" => o.skip_rules = list()?,
                "environment" | "env" => o.environment = Some(string()?),
                "branch" => o.branch = Some(string()?),
                "commit" => o.commit = Some(string()?),
                "code_repo" | "codeRepo" => o.code_repo = Some(string()?.into()),
                "against" => o.against = list()?,
                "against_text" | "againstText" => o.against_text = Some(string()?),
                other => return Err(bad(&format!("unknown validate option {other:?}"))),
            }
        }
        // The config is read last: whether its environments are needed depends on other keys.
        if let Some((text, file)) = config {
            o.use_config(&text, &file)?;
        }
        environment::check_request(&o)?;
        Ok(o)
    }

    /// Reads a `gitops-kit.yaml` text: its `validation:` section into `config` and, when
    /// `environment` or `branch` is set, its environments into `environments` (set those
    /// first).
    ///
    /// ```
    /// use gitops_kit::validate::Options;
    /// let mut o = Options { environment: Some("prd".into()), ..Options::default() };
    /// let err = o.use_config("validation:\n  strict: true\n", "gitops-kit.yaml").unwrap_err();
    /// assert_eq!(err.code(), "validate.config"); // no environments: section
    /// assert_eq!(err.location().unwrap().line, 1);
    /// ```
    ///
    /// # Errors
    /// Config errors (`validate.config`, `env.*`), located in the file.
    pub fn use_config(&mut self, text: &str, file: &str) -> Result<(), crate::Error> {
        self.config = Some(Config::from_yaml(text, file)?);
        if self.environment.is_some() || self.branch.is_some() {
            self.environments = Some(std::sync::Arc::new(load_environments(text, file)?));
        }
        Ok(())
    }

    /// [`Options::use_config`] for a file.
    ///
    /// ```
    /// let mut options = gitops_kit::validate::Options { environment: Some("prd".into()), ..Default::default() };
    /// let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/gitops-kit.yaml");
    /// options.use_config_file(std::path::Path::new(config)).unwrap();
    /// let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: orders}\n";
    /// assert!(gitops_kit::validate::validate_str(cm, "cm.yaml", &options).is_ok());
    /// let mut unknown = gitops_kit::validate::Options { environment: Some("qa".into()), ..Default::default() };
    /// unknown.use_config_file(std::path::Path::new(config)).unwrap();
    /// let err = gitops_kit::validate::validate_str(cm, "cm.yaml", &unknown).unwrap_err();
    /// assert_eq!(err.code(), "validate.unknown-environment");
    /// ```
    ///
    /// # Errors
    /// `manifest.io` when the file cannot be read, then as [`Options::use_config`].
    pub fn use_config_file(&mut self, path: &Path) -> Result<(), crate::Error> {
        let (text, file) = read_config(path)?;
        self.use_config(&text, &file)
    }
}

fn read_config(path: &Path) -> Result<(String, String), crate::Error> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::manifest::Error::io(path, &e))?;
    Ok((text, path.display().to_string()))
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
    engine::run(inputs, repo_dir, options)
}

/// Validates one text named `name`.
///
/// # Errors
/// As [`validate`].
pub fn validate_str(text: &str, name: &str, options: &Options) -> Result<Report, crate::Error> {
    let input = load::Input { name: name.to_string(), bytes: text.as_bytes().to_vec() };
    engine::run(vec![input], None, options)
}
