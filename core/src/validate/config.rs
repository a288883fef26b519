//! The `validation:` section of `gitops-kit.yaml`: rules on/off, severities, parameters and
//! per-path excludes.
//!
//! ```yaml
//! validation:
//!   kubernetesVersion: "1.33"
//!   strict: true
//!   rules:
//!     GK-G005: {severity: error}
//!     GK-SEC011: off
//!   params:
//!     requiredLabels: [app.kubernetes.io/name, team]
//!     allowedTagPattern: '^v\d+\.\d+\.\d+$'
//!     allowedRegistries: [registry.example.com]
//!     maxLiteralEnv: 10
//!     productionEnvironments: [prd]
//!     overlayAllowedPaths: [spec.replicas, "spec.template.spec.containers[*].image"]
//!   exclude:
//!     - path: legacy/**
//!       rules: [GK-S006]
//! ```

use super::Error;
use super::finding::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A rule's setting: `off`/`false`, a severity, or `{enabled, severity}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleSetting {
    /// `Some(false)` turns the rule off; `Some(true)` turns on a rule that is off by default.
    pub enabled: Option<bool>,
    /// Severity replacing the rule's own.
    pub severity: Option<Severity>,
}

impl<'de> Deserialize<'de> for RuleSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            enabled: Option<bool>,
            severity: Option<Severity>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Word(String),
            Full(Full),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Bool(b) => RuleSetting { enabled: Some(b), severity: None },
            Raw::Word(w) if w == "off" || w == "ignore" => {
                RuleSetting { enabled: Some(false), severity: None }
            }
            Raw::Word(w) if w == "on" => RuleSetting { enabled: Some(true), severity: None },
            Raw::Word(w) => RuleSetting {
                enabled: Some(true),
                severity: Some(Severity::parse(&w).map_err(serde::de::Error::custom)?),
            },
            Raw::Full(f) => RuleSetting { enabled: f.enabled, severity: f.severity },
        })
    }
}

/// Findings of `rules` (all rules when empty) in files matching the glob `path` are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclude {
    /// Glob over input names: `*` within a path segment, `**` across segments, `?` one char.
    pub path: String,
    /// Rule ids; empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// Rule parameters, as written in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParamsConfig {
    /// Labels GK-G005 requires (default `app.kubernetes.io/name`, `app.kubernetes.io/part-of`).
    pub required_labels: Option<Vec<String>>,
    /// Regex a tag must match to count as pinned (GK-G002; default semver or a commit SHA).
    pub allowed_tag_pattern: Option<String>,
    /// Registries images may come from (GK-G002; default any).
    #[serde(default)]
    pub allowed_registries: Vec<String>,
    /// Most literal env values before GK-G008 (default 10).
    pub max_literal_env: Option<usize>,
    /// Environments that are production (GK-R009, GK-G002 as error); default: the
    /// environments no other environment lists in `after:`.
    pub production_environments: Option<Vec<String>>,
    /// Paths GK-G010 lets environment overlays differ in, as diff ignore rules (a path such as
    /// `spec.template.spec.containers[*].image`, or `{path, kind, name, …}`); replaces
    /// [`super::DEFAULT_OVERLAY_ALLOWED_PATHS`].
    pub overlay_allowed_paths: Option<Vec<serde_json::Value>>,
}

/// The `validation:` configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Default Kubernetes version.
    pub kubernetes_version: Option<String>,
    /// Strict schemas (default true).
    pub strict: Option<bool>,
    /// Per-rule settings by id.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSetting>,
    /// Rule parameters.
    #[serde(default)]
    pub params: ParamsConfig,
    /// Per-path excludes.
    #[serde(default)]
    pub exclude: Vec<Exclude>,
}

/// The default tag pattern: semver (optionally `v`-prefixed, with pre-release/build) or a
/// 7–40 hex commit SHA, alone or after a version (`1.2.3-abc1234`).
pub const DEFAULT_TAG_PATTERN: &str =
    r"^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40}|.*-[0-9a-f]{7,40})$";

/// Parameters resolved for the rules.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    pub required_labels: Vec<String>,
    pub tag_pattern: regex::Regex,
    pub allowed_registries: Vec<String>,
    pub max_literal_env: usize,
    /// GK-G001 reports missing and `latest` tags (an environment's `forbid_latest: false` clears it).
    pub forbid_latest: bool,
    /// GK-G002 requires a digest (an environment's `require_digest: true`).
    pub require_digest: bool,
    /// The run is for a production environment.
    pub production: bool,
    /// `productionEnvironments`, as configured.
    pub production_environments: Option<Vec<String>>,
    /// GK-G010's allow-list, as diff ignore rules.
    pub overlay_allowed: Vec<crate::diff::IgnoreRule>,
}

impl Config {
    /// Reads the `validation:` section of a `gitops-kit.yaml` text (a text without that section,
    /// or whose root is the section itself, is read as the section).
    ///
    /// ```
    /// let c = gitops_kit::validate::Config::from_yaml("validation:\n  rules:\n    GK-G005: off\n", "g.yaml").unwrap();
    /// assert_eq!(c.rules["GK-G005"].enabled, Some(false));
    /// ```
    ///
    /// # Errors
    /// `yaml.*` parse errors, `validate.config` for unknown keys, rule ids or bad values.
    pub fn from_yaml(text: &str, file: &str) -> Result<Config, crate::Error> {
        let docs = crate::yaml::parse_str(text, file)?;
        let Some(root) = docs.first().and_then(|d| d.root()) else { return Ok(Config::default()) };
        let (node, pointer) = match root.get("validation") {
            Some(v) => (v, "/validation"),
            None if root.get("rules").is_some()
                || root.get("params").is_some()
                || root.get("exclude").is_some() =>
            {
                (root, "")
            }
            None => return Ok(Config::default()),
        };
        let location = |n: &crate::yaml::NodeRef<'_>| crate::Location {
            file: file.to_string(),
            line: n.span().start.line,
            column: n.span().start.column,
        };
        // Rule settings first, one by one, so a bad one is reported at its own line.
        for (k, v) in node.get("rules").map(|r| r.entries().collect::<Vec<_>>()).unwrap_or_default() {
            let value = v.to_json()?;
            if let Err(e) = serde_json::from_value::<RuleSetting>(value) {
                let key = k.key_string().unwrap_or_default();
                let message = format!(
                    "rule {key}: {e} (expected off, on, error, warning, info or {{enabled, severity}})"
                );
                return Err(Error::Config { message, location: location(&v) }.into());
            }
        }
        let json = node.to_json()?;
        let config: Config = serde_json::from_value(json)
            .map_err(|e| Error::Config { message: e.to_string(), location: location(&node) })?;
        for id in config.rules.keys() {
            if super::catalog::rule(id).is_none() {
                let at = node
                    .pointer(&format!("/rules/{}", crate::yaml::escape_pointer_token(id)))
                    .unwrap_or(node);
                return Err(Error::Config {
                    message: format!("unknown rule {id:?} in {pointer}/rules"),
                    location: location(&at),
                }
                .into());
            }
        }
        config.params()?;
        Ok(config)
    }

    /// Reads a config file.
    ///
    /// # Errors
    /// `manifest.io` when it cannot be read, then as [`Config::from_yaml`].
    pub fn from_file(path: &std::path::Path) -> Result<Config, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::manifest::Error::io(path, &e))?;
        Config::from_yaml(&text, &path.display().to_string())
    }

    pub(crate) fn params(&self) -> Result<Params, Error> {
        let p = &self.params;
        let pattern = p.allowed_tag_pattern.as_deref().unwrap_or(DEFAULT_TAG_PATTERN);
        let tag_pattern = regex::Regex::new(pattern)
            .map_err(|e| Error::InvalidArgument(format!("allowedTagPattern {pattern:?}: {e}")))?;
        Ok(Params {
            required_labels: p
                .required_labels
                .clone()
                .unwrap_or_else(|| vec!["app.kubernetes.io/name".into(), "app.kubernetes.io/part-of".into()]),
            tag_pattern,
            allowed_registries: p.allowed_registries.clone(),
            max_literal_env: p.max_literal_env.unwrap_or(10),
            forbid_latest: true,
            require_digest: false,
            production: false,
            production_environments: p.production_environments.clone(),
            overlay_allowed: overlay_rules(p.overlay_allowed_paths.as_deref())?,
        })
    }
}

fn overlay_rules(paths: Option<&[serde_json::Value]>) -> Result<Vec<crate::diff::IgnoreRule>, Error> {
    let defaults: Vec<serde_json::Value> =
        super::DEFAULT_OVERLAY_ALLOWED_PATHS.iter().map(|p| serde_json::Value::from(*p)).collect();
    paths
        .unwrap_or(&defaults)
        .iter()
        .map(|v| {
            crate::diff::IgnoreRule::from_json(v)
                .map_err(|e| Error::InvalidArgument(format!("overlayAllowedPaths: {e}")))
        })
        .collect()
}

/// Whether the input name `path` matches `glob` (`*`, `**`, `?`); a glob without `/` matches
/// the file name at any depth too.
pub(crate) fn glob_match(glob: &str, path: &str) -> bool {
    let path = path.strip_prefix("./").unwrap_or(path);
    let glob = glob.strip_prefix("./").unwrap_or(glob);
    if !glob.contains('/') {
        let base = path.rsplit('/').next().unwrap_or(path);
        if glob_bytes(glob.as_bytes(), base.as_bytes()) {
            return true;
        }
    }
    glob_bytes(glob.as_bytes(), path.as_bytes())
}

fn glob_bytes(g: &[u8], p: &[u8]) -> bool {
    // Globs are short: plain backtracking is fine.
    match g {
        [] => p.is_empty(),
        [b'*', b'*', b'/', rest @ ..] => {
            glob_bytes(rest, p)
                || p.iter().enumerate().any(|(i, &c)| c == b'/' && glob_bytes(rest, &p[i + 1..]))
        }
        [b'*', b'*', rest @ ..] => (0..=p.len()).any(|i| glob_bytes(rest, &p[i..])),
        [b'*', rest @ ..] => glob_bytes(rest, p) || (!p.is_empty() && p[0] != b'/' && glob_bytes(g, &p[1..])),
        [c, rest @ ..] => {
            !p.is_empty() && ((*c == b'?' && p[0] != b'/') || *c == p[0]) && glob_bytes(rest, &p[1..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("legacy/**", "legacy/a/b.yaml"));
        assert!(glob_match("**/secret.yaml", "apps/x/secret.yaml"));
        assert!(glob_match("*.json", "deep/dir/x.json"));
        assert!(!glob_match("legacy/*.yaml", "legacy/a/b.yaml"));
        assert!(glob_match("legacy/*.yaml", "legacy/b.yaml"));
        assert!(!glob_match("apps/**", "other/x.yaml"));
    }

    #[test]
    fn settings() {
        let c = Config::from_yaml(
            "validation:\n  rules:\n    GK-G005: {severity: error}\n    GK-SEC011: off\n    GK-R007: warning\n",
            "g.yaml",
        )
        .unwrap();
        assert_eq!(c.rules["GK-G005"].severity, Some(Severity::Error));
        assert_eq!(c.rules["GK-SEC011"].enabled, Some(false));
        assert_eq!(c.rules["GK-R007"].severity, Some(Severity::Warning));
        let err = Config::from_yaml("validation:\n  rules:\n    GK-X999: off\n", "g.yaml").unwrap_err();
        assert_eq!(err.code(), "validate.config");
        assert_eq!(err.location().map(|l| l.line), Some(3));
    }
}
