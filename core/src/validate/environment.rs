//! The environment a validation runs for (`--env NAME` or `--branch BRANCH`), resolved against
//! the `environments:` of `gitops-kit.yaml`: its target namespace, its effective policy
//! (defaults merged with its own), its configured images and tag schemes, and whether it is a
//! production environment.
//!
//! How the policy feeds the rules:
//! - `forbid_latest: false` turns GK-G001's latest/missing-tag findings off for the environment
//!   (an invalid reference is still GK-G001);
//! - `allowed_tag_pattern` replaces `validation.params.allowedTagPattern` for GK-G002;
//! - `require_digest: true` makes GK-G002 require an `@sha256:` digest (a matching tag is not
//!   enough);
//! - `forbid_replicas: true` makes every `spec.replicas` of a Deployment, StatefulSet,
//!   ReplicaSet or ReplicationController a GK-G004 finding (the HPA half of GK-G004 stays);
//! - `allowed_code_refs` (else the environment's `code_branch`) are the refs GK-G003 requires
//!   a linked commit to be reachable from.
//!
//! Production environments are those of `validation.params.productionEnvironments`, else the
//! environments no other environment lists in `after:` (the end of the promotion order); a
//! preview is never production unless listed. In production GK-G002 is an error and GK-R009
//! runs.

use super::Error;
use super::Options;
use super::config::Params;
use crate::env::{Config as EnvConfig, Resolution};
use crate::image::{Aliases, ImageRef, ParseMode, TagScheme};
use serde_json::Value;

/// The overlay paths GK-G010 allows to differ by default (diff ignore-rule paths): container
/// images, replicas, resources, env values, the namespace, labels and annotations.
pub const DEFAULT_OVERLAY_ALLOWED_PATHS: &[&str] = &[
    "metadata.namespace",
    "metadata.labels",
    "metadata.annotations",
    "spec.replicas",
    "spec.template.metadata.labels",
    "spec.template.metadata.annotations",
    "spec.template.spec.containers[*].image",
    "spec.template.spec.containers[*].resources",
    "spec.template.spec.containers[*].env[*].value",
    "spec.template.spec.initContainers[*].image",
    "spec.template.spec.initContainers[*].resources",
    "spec.template.spec.initContainers[*].env[*].value",
    "spec.jobTemplate.spec.template.spec.containers[*].image",
    "spec.jobTemplate.spec.template.spec.containers[*].resources",
    "spec.jobTemplate.spec.template.spec.containers[*].env[*].value",
    "spec.containers[*].image",
    "spec.containers[*].resources",
    "spec.containers[*].env[*].value",
];

/// An `images:` entry of the configuration.
pub(crate) struct ConfiguredImage {
    /// The entry's `id`.
    pub id: String,
    /// Its repository, normalised (`registry.example.com/team/api`).
    pub repository: String,
    /// Mirrors that are the same repository.
    pub aliases: Aliases,
    /// The tag scheme tags must have (the previews' for a preview environment).
    pub scheme: Option<TagScheme>,
}

impl ConfiguredImage {
    /// Whether `r` is this image (aliases resolved).
    pub fn matches(&self, r: &ImageRef) -> bool {
        self.aliases.repository(r) == self.repository
    }
}

/// The environment of a run, resolved.
pub(crate) struct EnvContext {
    /// Its name (a preview: its namespace).
    pub name: String,
    /// The namespace objects must be in, if the environment has one.
    pub namespace: Option<String>,
    /// A preview environment.
    pub preview: bool,
    /// A production environment.
    pub production: bool,
    /// `policy.forbid_replicas`.
    pub forbid_replicas: bool,
    /// Refs a linked commit must be reachable from (allowed_code_refs, else code_branch).
    pub code_refs: Vec<String>,
    /// Configured images.
    pub images: Vec<ConfiguredImage>,
}

fn config_error(message: String, file: &str) -> crate::Error {
    Error::Config { message, location: crate::Location { file: file.to_string(), line: 1, column: 1 } }.into()
}

/// Loads the environments of a `gitops-kit.yaml` for `--env`/`--branch`; a file without an
/// `environments:` section is a `validate.config` error located at its start.
///
/// ```
/// let text = "version: 1\nenvironments:\n  dev: {manifest_branch: dev}\n";
/// let cfg = gitops_kit::validate::load_environments(text, "gitops-kit.yaml").unwrap();
/// assert_eq!(cfg.order(), vec!["dev"]);
/// let err = gitops_kit::validate::load_environments("validation: {}\n", "g.yaml").unwrap_err();
/// assert_eq!(err.code(), "validate.config");
/// ```
///
/// # Errors
/// `validate.config` without `environments:`, else the `env.*` errors of the file.
pub fn load_environments(text: &str, file: &str) -> Result<EnvConfig, crate::Error> {
    let docs = crate::yaml::parse_str(text, file)?;
    let has = docs.first().and_then(|d| d.root()).is_some_and(|r| r.get("environments").is_some());
    if !has {
        return Err(config_error(
            format!(
                "{file} has no environments: section; --env and --branch need the environments of gitops-kit.yaml"
            ),
            file,
        ));
    }
    EnvConfig::from_str(text, file)
}

fn unknown(message: String, cfg: &EnvConfig) -> crate::Error {
    Error::UnknownEnvironment { message, known: cfg.order().join(", ") }.into()
}

/// Resolves `environment`/`branch` to a [`Resolution`]; `None` when neither is set.
fn resolution(options: &Options) -> Result<Option<(Resolution, &EnvConfig)>, crate::Error> {
    if options.environment.is_none() && options.branch.is_none() {
        return Ok(None);
    }
    let Some(cfg) = options.environments.as_deref() else {
        return Err(Error::InvalidArgument(
            "an environment or branch needs the environments of a gitops-kit.yaml (--config FILE or config_text)"
                .into(),
        )
        .into());
    };
    let by_branch = match &options.branch {
        Some(b) => Some(
            cfg.resolve(b)?.ok_or_else(|| unknown(format!("branch {b:?} deploys to no environment"), cfg))?,
        ),
        None => None,
    };
    let by_name = options.environment.as_deref().map(|name| resolution_of(cfg, name)).transpose()?;
    let chosen = match (by_name, by_branch) {
        (Some(a), Some(b)) if a.environment != b.environment => {
            return Err(Error::InvalidArgument(format!(
                "branch {:?} deploys to {:?}, not to the environment {:?}",
                b.branch, b.environment, a.environment
            ))
            .into());
        }
        (Some(_), Some(b)) | (None, Some(b)) => b,
        (Some(a), None) => a,
        (None, None) => return Ok(None),
    };
    Ok(Some((chosen, cfg)))
}

/// The resolution of an environment by its name (as `resolve` gives it for its branch).
fn resolution_of(cfg: &EnvConfig, name: &str) -> Result<Resolution, crate::Error> {
    let env = cfg.environment(name).ok_or_else(|| unknown(format!("no environment {name:?}"), cfg))?;
    Ok(cfg.resolution(env, &env.manifest_branch.text, "exact"))
}

/// Checks that the requested environment exists (the early error of [`Options::from_json`]).
pub(crate) fn check_request(options: &Options) -> Result<(), crate::Error> {
    let resolved = resolution(options)?;
    if resolved.is_none() && (options.commit.is_some() || options.code_repo.is_some()) {
        // Without an environment GK-G003 has nothing to compare with: refuse, never pass silently.
        return Err(Error::InvalidArgument(
            "commit and code_repo need an environment (--env NAME or --branch BRANCH)".into(),
        )
        .into());
    }
    Ok(())
}

/// The environment of the run and the parameters it changes; `None` without `--env`/`--branch`.
pub(crate) fn resolve(options: &Options, params: &mut Params) -> Result<Option<EnvContext>, crate::Error> {
    check_request(options)?;
    let Some((r, cfg)) = resolution(options)? else { return Ok(None) };
    let policy = &r.policy;
    let flag = |key: &str| policy.get(key).and_then(Value::as_bool);
    if flag("forbid_latest") == Some(false) {
        params.forbid_latest = false;
    }
    if flag("require_digest") == Some(true) {
        params.require_digest = true;
    }
    if let Some(p) = policy.get("allowed_tag_pattern").and_then(Value::as_str) {
        params.tag_pattern = regex::Regex::new(p)
            .map_err(|e| Error::InvalidArgument(format!("allowed_tag_pattern {p:?}: {e}")))?;
    }
    let preview = r.preview.is_some();
    let production = match &params.production_environments {
        Some(list) => list.contains(&r.environment),
        None => !preview && cfg.next(&r.environment)?.is_empty(),
    };
    params.production = production;
    let allowed: Vec<String> = policy
        .get("allowed_code_refs")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let code_refs = match (allowed.is_empty(), &r.code_branch) {
        (false, _) => allowed,
        (true, Some(b)) if !preview => vec![b.clone()],
        _ => Vec::new(),
    };
    let preview_scheme = r.preview.as_ref().and_then(|p| p.tag_scheme.clone());
    Ok(Some(EnvContext {
        images: images(cfg, preview.then_some(preview_scheme))?,
        name: r.environment,
        namespace: r.target.namespace,
        preview,
        production,
        forbid_replicas: flag("forbid_replicas") == Some(true),
        code_refs,
    }))
}

/// The `images:` entries; `preview` replaces every scheme with the previews' one.
fn images(cfg: &EnvConfig, preview: Option<Option<String>>) -> Result<Vec<ConfiguredImage>, crate::Error> {
    let Some(Value::Array(list)) = cfg.section_json("images") else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for item in &list {
        let text = |k: &str| item.get(k).and_then(Value::as_str);
        let (Some(id), Some(repo)) = (text("id"), text("repository")) else { continue };
        let reference = ImageRef::parse(repo, ParseMode::Normalize).map_err(|e| {
            Error::InvalidArgument(format!("images[{id}].repository {repo:?} is not an image name: {e}"))
        })?;
        let repository = reference.name();
        let mut aliases = Aliases::default();
        for alias in item.get("registry_aliases").and_then(Value::as_array).into_iter().flatten() {
            if let Some(a) = alias.as_str() {
                aliases = aliases.with(a, &repository);
            }
        }
        let scheme_text = match &preview {
            Some(p) => p.clone(),
            None => text("tag_scheme").map(str::to_string),
        };
        let scheme = scheme_text.map(|s| TagScheme::parse(&s)).transpose()?;
        out.push(ConfiguredImage { id: id.to_string(), repository, aliases, scheme });
    }
    Ok(out)
}
