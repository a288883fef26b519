//! Environments: `loadConfig`, `resolve`, `gate`, `checkConfig` and the `EnvConfig` class.
//! Results have the keys of the CLI's JSON (`gitops-kit/env/v1`, `gitops-kit/gate/v1`).

use crate::convert::{Json, json_from_js};
use crate::errors::{Failure, Outcome};
use crate::task::{call, run};
use crate::yaml::STRING_INPUT;
use gitops_kit::env::{Approval as CoreApproval, Config};
use napi::Env;
use napi::bindgen_prelude::{ClassInstance, Either, Unknown};
use napi_derive::napi;
use std::sync::Arc;

impl From<gitops_kit::env::Error> for Failure {
    fn from(error: gitops_kit::env::Error) -> Failure {
        gitops_kit::Error::from(error).into()
    }
}

/// A loaded, validated `gitops-kit.yaml`: branch → environment resolution, promotion order and
/// deploy gates. Made by `loadConfig(text, file)` or `EnvConfig.fromFile(path)`.
#[napi]
pub struct EnvConfig {
    inner: Arc<Config>,
}

fn approvals(env: &Env, value: Option<Unknown<'_>>) -> Outcome<Vec<CoreApproval>> {
    let json = match value {
        Some(v) => json_from_js(env, v, "approvals")?,
        None => serde_json::Value::Null,
    };
    Ok(CoreApproval::list_from_json(&json)?)
}

fn gate_job(
    config: &Config,
    environment: &str,
    at: &str,
    approvals: Outcome<Vec<CoreApproval>>,
    author: Option<&str>,
) -> Outcome<Json> {
    let gate = config.gate_at(environment, at, &approvals?, author)?;
    Json::of(&gate)
}

/// A config argument: an `EnvConfig`, or YAML text loaded first.
fn config_of(
    config: &Either<ClassInstance<'_, EnvConfig>, String>,
    file: Option<&str>,
) -> Outcome<Arc<Config>> {
    match config {
        Either::A(c) => Ok(c.inner.clone()),
        Either::B(text) => Ok(Arc::new(Config::from_str(text, file.unwrap_or(STRING_INPUT))?)),
    }
}

#[napi]
impl EnvConfig {
    /// Reads and loads a `gitops-kit.yaml` file.
    ///
    /// Throws `env.io` when it cannot be read, a located `env.*` or `yaml.*` error otherwise.
    #[napi(factory, catch_unwind)]
    pub fn from_file(env: &Env, path: String) -> napi::Result<EnvConfig> {
        call(env, || Ok(EnvConfig { inner: Arc::new(Config::from_path(std::path::Path::new(&path))?) }))
    }

    /// The file name the configuration was loaded from.
    #[napi(getter)]
    pub fn file(&self) -> String {
        self.inner.file().to_string()
    }

    /// Environment names in promotion order.
    #[napi]
    pub fn order(&self) -> Vec<String> {
        self.inner.order().into_iter().map(String::from).collect()
    }

    /// Environments that promote from `environment`. Throws `env.no-such-environment`.
    #[napi(catch_unwind)]
    pub fn next(&self, env: &Env, environment: String) -> napi::Result<Vec<String>> {
        call(env, || Ok(self.inner.next(&environment)?.into_iter().map(String::from).collect()))
    }

    /// Environments `environment` promotes from. Throws `env.no-such-environment`.
    #[napi(catch_unwind)]
    pub fn previous(&self, env: &Env, environment: String) -> napi::Result<Vec<String>> {
        call(env, || Ok(self.inner.previous(&environment)?.into_iter().map(String::from).collect()))
    }

    /// The environment `branch` deploys to (`gitops-kit/env/v1`), or `null`.
    /// Throws `env.ambiguous-branch` when two environment globs match.
    #[napi(catch_unwind, ts_return_type = "EnvResolution | null")]
    pub fn resolve<'env>(&self, env: &'env Env, branch: String) -> napi::Result<Unknown<'env>> {
        run(env, || Json::of(&self.inner.resolve(&branch)?))
    }

    /// May `environment` be deployed at `at` (RFC 3339)? `approvals`: `{who, groups}` objects
    /// or `"user:group"` strings; `author` cannot approve their own change when self-approval
    /// is prevented. Returns `gitops-kit/gate/v1`.
    #[napi(
        catch_unwind,
        ts_args_type = "environment: string, at: string, approvals?: Array<Approval | string> | undefined | null, author?: string | undefined | null",
        ts_return_type = "Gate"
    )]
    pub fn gate<'env>(
        &self,
        env: &'env Env,
        environment: String,
        at: String,
        approvals_arg: Option<Unknown<'env>>,
        author: Option<String>,
    ) -> napi::Result<Unknown<'env>> {
        let approvals = approvals(env, approvals_arg);
        run(env, || gate_job(&self.inner, &environment, &at, approvals, author.as_deref()))
    }

    /// Environments in promotion order with targets and windows in words (`gitops-kit/env-list/v1`).
    #[napi(catch_unwind, ts_return_type = "EnvList")]
    pub fn list<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        run(env, || Json::of(&self.inner.list()))
    }

    /// Warnings found while loading (e.g. `env.never-open`).
    #[napi(catch_unwind, ts_return_type = "Array<EnvProblem>")]
    pub fn warnings<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        run(env, || Json::of(self.inner.warnings()))
    }

    /// A top-level section (e.g. `validation`, `diff`) as plain data, or `null`.
    #[napi(catch_unwind, ts_return_type = "unknown")]
    pub fn section<'env>(&self, env: &'env Env, name: String) -> napi::Result<Unknown<'env>> {
        run(env, || Json::of(&self.inner.section_json(&name)))
    }
}

/// Loads and validates a `gitops-kit.yaml` from text. Throws the first invalid entry as a
/// located error (`env.unknown-key`, `env.cycle`, `env.invalid-cron`, …, or `yaml.*`).
#[napi(catch_unwind)]
pub fn load_config(env: &Env, text: String, file: Option<String>) -> napi::Result<EnvConfig> {
    call(env, || {
        Ok(EnvConfig { inner: Arc::new(Config::from_str(&text, file.as_deref().unwrap_or(STRING_INPUT))?) })
    })
}

/// Every problem of a configuration (`gitops-kit/env-config/v1`: valid, errors, warnings,
/// environments). Throws only when the text is not YAML.
#[napi(catch_unwind, ts_return_type = "EnvCheckReport")]
pub fn check_config<'env>(env: &'env Env, text: String, file: Option<String>) -> napi::Result<Unknown<'env>> {
    run(env, || Json::of(&Config::check(&text, file.as_deref().unwrap_or(STRING_INPUT))?))
}

/// `config.resolve(branch)`; `config` may also be YAML text (named `file` in errors).
#[napi(
    catch_unwind,
    ts_args_type = "config: EnvConfig | string, branch: string, file?: string | undefined | null",
    ts_return_type = "EnvResolution | null"
)]
pub fn resolve<'env>(
    env: &'env Env,
    config: Either<ClassInstance<'env, EnvConfig>, String>,
    branch: String,
    file: Option<String>,
) -> napi::Result<Unknown<'env>> {
    run(env, || Json::of(&config_of(&config, file.as_deref())?.resolve(&branch)?))
}

/// `config.gate(environment, at, approvals, author)`; `config` may also be YAML text.
#[napi(
    catch_unwind,
    ts_args_type = "config: EnvConfig | string, environment: string, at: string, approvals?: Array<Approval | string> | undefined | null, author?: string | undefined | null, file?: string | undefined | null",
    ts_return_type = "Gate"
)]
pub fn gate<'env>(
    env: &'env Env,
    config: Either<ClassInstance<'env, EnvConfig>, String>,
    environment: String,
    at: String,
    approvals_arg: Option<Unknown<'env>>,
    author: Option<String>,
    file: Option<String>,
) -> napi::Result<Unknown<'env>> {
    let approvals = approvals(env, approvals_arg);
    run(env, || {
        gate_job(&*config_of(&config, file.as_deref())?, &environment, &at, approvals, author.as_deref())
    })
}

/// An approval record.
#[napi(object)]
pub struct Approval {
    /// The approver's user name (compared case-insensitively).
    pub who: String,
    /// Groups of the approver.
    pub groups: Option<Vec<String>>,
}

// Types of the results (TypeScript declarations; the values are built from the core's JSON).

/// Cluster and namespace of an environment.
#[napi(object)]
pub struct EnvTarget {
    /// Cluster name.
    pub cluster: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
}

/// A preview environment made for a branch.
#[napi(object)]
pub struct EnvPreview {
    /// The branch pattern that matched.
    pub pattern: String,
    /// What the first wildcard matched (the PR number for `pr-*`).
    pub pr: String,
    /// A DNS-1123 label of at most 63 characters.
    pub namespace: String,
    /// Image tag scheme of previews.
    #[napi(js_name = "tag_scheme")]
    pub tag_scheme: Option<String>,
    /// Time to live.
    pub ttl: Option<String>,
}

/// `gitops-kit/env/v1`: the environment a branch deploys to.
#[napi(object)]
pub struct EnvResolution {
    /// `gitops-kit/env/v1`.
    pub schema: String,
    /// The environment (for a preview: its namespace).
    pub environment: String,
    /// The branch asked about.
    pub branch: String,
    /// How it matched.
    #[napi(js_name = "matched_by", ts_type = "'exact' | 'glob' | 'preview'")]
    pub matched_by: String,
    /// The name or pattern that matched.
    pub pattern: String,
    /// Preview details.
    pub preview: Option<EnvPreview>,
    /// Cluster and namespace.
    pub target: EnvTarget,
    /// Code branch.
    #[napi(js_name = "code_branch")]
    pub code_branch: Option<String>,
    /// Promotion settings (`mode` always present).
    #[napi(ts_type = "Record<string, unknown>")]
    pub promotion: serde_json::Value,
    /// Effective policy.
    #[napi(ts_type = "Record<string, unknown>")]
    pub policy: serde_json::Value,
    /// Environments promoted from.
    pub after: Vec<String>,
    /// Environments promoted to next.
    pub next: Vec<String>,
}

/// A located reason, warning or configuration error.
#[napi(object)]
pub struct EnvProblem {
    /// Stable code.
    pub code: String,
    /// Explanation.
    pub message: String,
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON pointer.
    pub pointer: String,
}

/// The window that decided a gate.
#[napi(object)]
pub struct WindowHit {
    /// Kind of window.
    #[napi(ts_type = "'allow' | 'deny' | 'freeze'")]
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Cron or RRULE text.
    pub expression: Option<String>,
    /// IANA zone.
    pub timezone: String,
    /// Start of the occurrence (UTC).
    pub start: String,
    /// End of the occurrence (UTC, exclusive).
    pub end: String,
    /// Until when a promotion started inside may finish.
    #[napi(js_name = "overrun_until")]
    pub overrun_until: Option<String>,
    /// File.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
    /// JSON pointer.
    pub pointer: String,
}

/// An approval that does not count.
#[napi(object)]
pub struct IgnoredApproval {
    /// The approver.
    pub who: String,
    /// Why it does not count.
    #[napi(ts_type = "'self-approval' | 'not-in-group'")]
    pub reason: String,
}

/// The approval evaluation of a gate.
#[napi(object)]
pub struct ApprovalOutcome {
    /// Approvers needed.
    pub required: u32,
    /// Valid approvers received.
    pub received: u32,
    /// Whether the requirement is met.
    pub met: bool,
    /// Groups approvers must belong to.
    pub groups: Vec<String>,
    /// Valid approvers.
    pub approvers: Vec<String>,
    /// Approvals that do not count.
    pub ignored: Vec<IgnoredApproval>,
}

/// `gitops-kit/gate/v1`: may an environment be deployed now?
#[napi(object)]
pub struct Gate {
    /// `gitops-kit/gate/v1`.
    pub schema: String,
    /// Environment.
    pub environment: String,
    /// The instant decided for (UTC).
    pub at: String,
    /// Whether a deploy may start.
    pub open: bool,
    /// Why it is closed.
    pub reasons: Vec<EnvProblem>,
    /// The window that decided.
    pub window: Option<WindowHit>,
    /// The next instant windows and freezes allow a deploy.
    #[napi(js_name = "next_open")]
    pub next_open: Option<String>,
    /// The approval evaluation.
    pub approvals: Option<ApprovalOutcome>,
}

/// One environment of `EnvConfig.list()`.
#[napi(object)]
pub struct EnvSummary {
    /// Name.
    pub name: String,
    /// Manifest branch or pattern.
    #[napi(js_name = "manifest_branch")]
    pub manifest_branch: String,
    /// Code branch.
    #[napi(js_name = "code_branch")]
    pub code_branch: Option<String>,
    /// Cluster and namespace.
    pub target: EnvTarget,
    /// Environments promoted from.
    pub after: Vec<String>,
    /// Promotion mode.
    pub mode: String,
    /// Approvals needed.
    #[napi(js_name = "approvals_required")]
    pub approvals_required: u32,
    /// Windows in words.
    pub windows: Vec<String>,
    /// File.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

/// `gitops-kit/env-list/v1`.
#[napi(object)]
pub struct EnvList {
    /// `gitops-kit/env-list/v1`.
    pub schema: String,
    /// The configuration file.
    pub file: String,
    /// Environments in promotion order.
    pub environments: Vec<EnvSummary>,
    /// Previews in words.
    pub previews: Option<String>,
}

/// `gitops-kit/env-config/v1`: every problem of a configuration.
#[napi(object)]
pub struct EnvCheckReport {
    /// `gitops-kit/env-config/v1`.
    pub schema: String,
    /// The file.
    pub file: String,
    /// Whether there are no errors.
    pub valid: bool,
    /// Errors in file order.
    pub errors: Vec<EnvProblem>,
    /// Warnings.
    pub warnings: Vec<EnvProblem>,
    /// Environments in promotion order.
    pub environments: Vec<String>,
}
