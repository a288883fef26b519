//! Branch → environment resolution, promotion order, and the listing of environments.

use super::config::{Config, Environment, Target};
use super::error::Error;
use super::gate::describe_window;
use super::preview::preview_namespace;
use super::schedule::format_duration;
use serde::Serialize;
use serde_json::Value;

/// A preview environment made for a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewInfo {
    /// The branch pattern that matched.
    pub pattern: String,
    /// What the first wildcard matched (the PR number for `pr-*`), else the branch.
    pub pr: String,
    /// The namespace: a DNS-1123 label of at most 63 characters.
    pub namespace: String,
    /// Image tag scheme of previews.
    pub tag_scheme: Option<String>,
    /// Time to live (e.g. `3d`).
    pub ttl: Option<String>,
}

/// The answer of [`Config::resolve`]: `gitops-kit/env/v1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// `gitops-kit/env/v1`.
    pub schema: &'static str,
    /// The environment (for a preview: its namespace).
    pub environment: String,
    /// The branch asked about.
    pub branch: String,
    /// `exact`, `glob` or `preview`.
    pub matched_by: &'static str,
    /// The manifest-branch name or pattern that matched.
    pub pattern: String,
    /// Preview details, when a preview matched.
    pub preview: Option<PreviewInfo>,
    /// Cluster and namespace.
    pub target: Target,
    /// The code branch of the environment.
    pub code_branch: Option<String>,
    /// Promotion settings (`mode` always present).
    pub promotion: Value,
    /// Effective policy.
    pub policy: Value,
    /// Environments promoted from.
    pub after: Vec<String>,
    /// Environments promoted to next.
    pub next: Vec<String>,
}

/// One environment in `env list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvSummary {
    /// Name.
    pub name: String,
    /// Manifest branch or pattern.
    pub manifest_branch: String,
    /// Code branch.
    pub code_branch: Option<String>,
    /// Cluster and namespace.
    pub target: Target,
    /// Environments promoted from.
    pub after: Vec<String>,
    /// Promotion mode.
    pub mode: String,
    /// Approvals needed (0 when none).
    pub approvals_required: u32,
    /// Windows in words (`allow: cron "0 9 * * 1-4" for 7h (Europe/Berlin) (business hours)`).
    pub windows: Vec<String>,
    /// File of the environment's name.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

/// The answer of [`Config::list`]: `gitops-kit/env-list/v1`, environments in promotion order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvList {
    /// `gitops-kit/env-list/v1`.
    pub schema: &'static str,
    /// The configuration file.
    pub file: String,
    /// Environments in promotion order.
    pub environments: Vec<EnvSummary>,
    /// Preview settings in words, if any.
    pub previews: Option<String>,
}

impl Config {
    /// Environment names in promotion order (a topological order of `after:`; ties keep file order).
    #[must_use]
    pub fn order(&self) -> Vec<&str> {
        self.order.iter().map(|&i| self.environments[i].name.as_str()).collect()
    }

    fn require(&self, name: &str) -> Result<&Environment, Error> {
        self.environment(name).ok_or_else(|| Error::NoSuchEnvironment(name.to_string()))
    }

    /// Environments that list `name` in their `after:`, in promotion order.
    ///
    /// # Errors
    /// `env.no-such-environment`.
    pub fn next(&self, name: &str) -> Result<Vec<&str>, Error> {
        self.require(name)?;
        Ok(self
            .order
            .iter()
            .map(|&i| &self.environments[i])
            .filter(|e| e.after.iter().any(|(a, _)| a == name))
            .map(|e| e.name.as_str())
            .collect())
    }

    /// The `after:` of `name`, in promotion order.
    ///
    /// # Errors
    /// `env.no-such-environment`.
    pub fn previous(&self, name: &str) -> Result<Vec<&str>, Error> {
        let env = self.require(name)?;
        Ok(self.order().into_iter().filter(|o| env.after.iter().any(|(a, _)| a == o)).collect())
    }

    /// The environment a manifest branch deploys to: an exact `manifest_branch` first, then a
    /// glob, then the preview pattern; `None` when nothing matches.
    ///
    /// ```
    /// let cfg = gitops_kit::env::Config::from_str(r#"
    /// version: 1
    /// environments:
    ///   dev: {manifest_branch: dev}
    ///   team: {manifest_branch: "team/*"}
    /// previews: {branch_pattern: "pr-*", namespace_template: "shop-pr-{pr}"}
    /// "#, "gitops-kit.yaml").unwrap();
    /// assert_eq!(cfg.resolve("team/a").unwrap().unwrap().environment, "team");
    /// assert!(cfg.resolve("team/a/b").unwrap().is_none()); // `*` does not cross `/`
    /// let pr = cfg.resolve("pr-42").unwrap().unwrap();
    /// assert_eq!(pr.target.namespace.as_deref(), Some("shop-pr-42"));
    /// ```
    ///
    /// # Errors
    /// `env.ambiguous-branch` when two environment globs match the branch.
    pub fn resolve(&self, branch: &str) -> Result<Option<Resolution>, Error> {
        if let Some(env) = self
            .environments
            .iter()
            .find(|e| !e.manifest_branch.is_glob() && e.manifest_branch.text == branch)
        {
            return Ok(Some(self.resolution(env, branch, "exact")));
        }
        let globs: Vec<&Environment> = self
            .environments
            .iter()
            .filter(|e| e.manifest_branch.is_glob() && e.manifest_branch.captures(branch).is_some())
            .collect();
        if let [first, second, ..] = globs.as_slice() {
            return Err(Error::AmbiguousBranch {
                branch: branch.to_string(),
                first: first.name.clone(),
                second: second.name.clone(),
                location: second.manifest_branch.site.location(),
            });
        }
        if let Some(env) = globs.first() {
            return Ok(Some(self.resolution(env, branch, "glob")));
        }
        let Some(previews) = &self.previews else { return Ok(None) };
        let Some(captures) = previews.pattern.captures(branch) else { return Ok(None) };
        let pr = captures.into_iter().next().unwrap_or_else(|| branch.to_string());
        let namespace = preview_namespace(&previews.namespace_template, branch, &pr);
        Ok(Some(Resolution {
            schema: "gitops-kit/env/v1",
            environment: namespace.clone(),
            branch: branch.to_string(),
            matched_by: "preview",
            pattern: previews.pattern.text.clone(),
            preview: Some(PreviewInfo {
                pattern: previews.pattern.text.clone(),
                pr,
                namespace: namespace.clone(),
                tag_scheme: previews.tag_scheme.clone(),
                ttl: previews.ttl.map(format_duration),
            }),
            target: Target { cluster: previews.cluster.clone(), namespace: Some(namespace) },
            code_branch: Some(branch.to_string()),
            promotion: serde_json::json!({"mode": "auto-commit"}),
            policy: self.default_policy.clone(),
            after: Vec::new(),
            next: Vec::new(),
        }))
    }

    /// The resolution of `env` for `branch`, found by `matched_by` (`exact`, `glob`).
    pub(crate) fn resolution(&self, env: &Environment, branch: &str, matched_by: &'static str) -> Resolution {
        Resolution {
            schema: "gitops-kit/env/v1",
            environment: env.name.clone(),
            branch: branch.to_string(),
            matched_by,
            pattern: env.manifest_branch.text.clone(),
            preview: None,
            target: env.target.clone(),
            code_branch: env.code_branch.clone(),
            promotion: env.promotion.clone(),
            policy: env.policy.clone(),
            after: self.previous(&env.name).unwrap_or_default().into_iter().map(String::from).collect(),
            next: self.next(&env.name).unwrap_or_default().into_iter().map(String::from).collect(),
        }
    }

    /// Every environment in promotion order with targets and windows in words.
    #[must_use]
    pub fn list(&self) -> EnvList {
        let environments = self
            .order
            .iter()
            .map(|&i| {
                let e = &self.environments[i];
                let mut windows: Vec<String> = Vec::new();
                windows.extend(e.windows.allow.iter().map(|w| format!("allow: {}", describe_window(w))));
                windows.extend(e.windows.deny.iter().map(|w| format!("deny: {}", describe_window(w))));
                windows.extend(e.windows.freezes.iter().map(|f| {
                    let d = f.description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
                    format!("freeze: {} to {} ({}){d}", f.from, f.to, f.zone.name)
                }));
                if e.windows.overrun > 0 {
                    windows.push(format!("overrun: {}", format_duration(e.windows.overrun)));
                }
                EnvSummary {
                    name: e.name.clone(),
                    manifest_branch: e.manifest_branch.text.clone(),
                    code_branch: e.code_branch.clone(),
                    target: e.target.clone(),
                    after: e.after.iter().map(|(a, _)| a.clone()).collect(),
                    mode: e.promotion["mode"].as_str().unwrap_or("manual").to_string(),
                    approvals_required: e.approvals.as_ref().map_or(0, |a| a.required),
                    windows,
                    file: e.site.file.clone(),
                    line: e.site.line,
                    column: e.site.column,
                }
            })
            .collect();
        let previews = self
            .previews
            .as_ref()
            .map(|p| format!("branches {:?} deploy to namespace {:?}", p.pattern.text, p.namespace_template));
        EnvList { schema: "gitops-kit/env-list/v1", file: self.file.clone(), environments, previews }
    }
}
