//! Ignore rules: a field path (dotted with list selectors, or a JSON pointer), scoped by kind,
//! name, namespace and group globs, a label selector, and a field manager.
//!
//! Rules are evaluated symmetrically: the scope predicates are read from the desired (new)
//! object when there is one, and a matching path is ignored on both sides at once, so the
//! verdict never depends on which side carries a label (reference e.22).

use super::Error;
use serde_json::Value;

/// One rule, as given by `--ignore`, the `diff.ignore` config list or an API option.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IgnoreRule {
    /// The rule as written (used in reports and explanations).
    pub text: String,
    /// Field path or pointer; `None` ignores every field the scope (or manager) selects.
    pub path: Option<String>,
    /// Kind glob.
    pub kind: Option<String>,
    /// API group glob.
    pub group: Option<String>,
    /// Name glob.
    pub name: Option<String>,
    /// Namespace glob.
    pub namespace: Option<String>,
    /// Label selector (`app=web,tier!=db,canary,!legacy`).
    pub labels: Option<String>,
    /// Field manager (from live `managedFields`) whose fields are ignored.
    pub manager: Option<String>,
    #[serde(skip)]
    pub(crate) segs: Vec<RuleSeg>,
}

/// One step of a rule path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RuleSeg {
    /// A mapping key (glob), or a pointer token that may also be a list index.
    Key(String),
    /// `[N]`.
    Index(usize),
    /// `[k=v,...]` with glob values.
    Select(Vec<(String, String)>),
    /// `[*]`.
    Any,
}

impl IgnoreRule {
    /// Reads a rule: a path string (`spec.replicas`, `/spec/replicas`,
    /// `spec.template.spec.containers[name=istio-proxy]`), or a mapping with `path`, `kind`,
    /// `group`, `name`, `namespace`, `labels`, `manager` (a string starting with `{` is read
    /// as a YAML flow mapping).
    ///
    /// ```
    /// use gitops_kit::diff::IgnoreRule;
    /// let r = IgnoreRule::from_json(&serde_json::json!({"path": "spec.replicas", "kind": "Deploy*"})).unwrap();
    /// assert_eq!(r.kind.as_deref(), Some("Deploy*"));
    /// ```
    ///
    /// # Errors
    /// `diff.invalid-rule` for an unknown key, a malformed path, or a rule that selects nothing.
    pub fn from_json(value: &Value) -> Result<IgnoreRule, Error> {
        let invalid = |m: String| Error::InvalidRule { rule: value.to_string(), message: m };
        let mut rule = IgnoreRule {
            text: String::new(),
            path: None,
            kind: None,
            group: None,
            name: None,
            namespace: None,
            labels: None,
            manager: None,
            segs: Vec::new(),
        };
        match value {
            Value::String(s) if s.trim_start().starts_with('{') => {
                let docs = crate::yaml::to_json_documents(s, "<rule>", &Default::default())
                    .map_err(|e| invalid(e.to_string()))?;
                let mut parsed = IgnoreRule::from_json(docs.first().unwrap_or(&Value::Null))?;
                parsed.text = s.clone();
                return Ok(parsed);
            }
            Value::String(s) => rule.path = Some(s.clone()),
            Value::Object(map) => {
                for (k, v) in map {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Null => continue,
                        _ => return Err(invalid(format!("{k} must be a string"))),
                    };
                    let slot = match k.as_str() {
                        "path" | "pointer" | "jsonPointer" => &mut rule.path,
                        "kind" => &mut rule.kind,
                        "group" => &mut rule.group,
                        "name" => &mut rule.name,
                        "namespace" => &mut rule.namespace,
                        "labels" | "selector" => &mut rule.labels,
                        "manager" => &mut rule.manager,
                        other => return Err(invalid(format!("unknown key {other:?}"))),
                    };
                    *slot = Some(s);
                }
            }
            _ => return Err(invalid("a rule is a path string or a mapping".into())),
        }
        if rule.path.is_none() && rule.manager.is_none() {
            return Err(invalid("a rule needs a path or a manager".into()));
        }
        if let Some(p) = &rule.path {
            rule.segs = parse_path(p).map_err(invalid)?;
        }
        if let Some(sel) = &rule.labels {
            parse_selector(sel).map_err(invalid)?;
        }
        rule.text = match value {
            Value::String(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        };
        Ok(rule)
    }

    /// Whether the rule's scope selects this object (read from the desired side).
    pub(crate) fn selects(
        &self,
        group: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        obj: Option<&Value>,
    ) -> bool {
        let ok = |g: &Option<String>, v: &str| g.as_deref().is_none_or(|g| glob(g, v));
        if !(ok(&self.kind, kind)
            && ok(&self.group, group)
            && ok(&self.name, name)
            && ok(&self.namespace, namespace))
        {
            return false;
        }
        match &self.labels {
            None => true,
            Some(sel) => {
                let labels = obj.and_then(|o| o.pointer("/metadata/labels")).and_then(Value::as_object);
                let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
                parse_selector(sel).is_ok_and(|terms| terms.iter().all(|t| t.matches(&get)))
            }
        }
    }
}

/// Parses `a.b[k=v].c`, `a["x.y"]`, `a[0]`, `a[*]` or a JSON pointer `/a/b/0`.
fn parse_path(text: &str) -> Result<Vec<RuleSeg>, String> {
    if let Some(rest) = text.strip_prefix('/') {
        return Ok(rest.split('/').map(|t| RuleSeg::Key(t.replace("~1", "/").replace("~0", "~"))).collect());
    }
    let mut segs = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut key = String::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if !key.is_empty() {
                    segs.push(RuleSeg::Key(std::mem::take(&mut key)));
                }
                i += 1;
            }
            '[' => {
                if !key.is_empty() {
                    segs.push(RuleSeg::Key(std::mem::take(&mut key)));
                }
                let end = chars[i..].iter().position(|&c| c == ']').ok_or("unclosed [")? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                segs.push(parse_selector_seg(inner.trim())?);
                i = end + 1;
            }
            c => {
                key.push(c);
                i += 1;
            }
        }
    }
    if !key.is_empty() {
        segs.push(RuleSeg::Key(key));
    }
    if segs.is_empty() {
        return Err("empty path".into());
    }
    Ok(segs)
}

fn parse_selector_seg(inner: &str) -> Result<RuleSeg, String> {
    if inner == "*" {
        return Ok(RuleSeg::Any);
    }
    if let Some(q) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Ok(RuleSeg::Key(q.to_string()));
    }
    if let Ok(n) = inner.parse::<usize>() {
        return Ok(RuleSeg::Index(n));
    }
    let pairs = inner
        .split(',')
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
                .ok_or_else(|| format!("bad list selector [{inner}]: expected key=value"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleSeg::Select(pairs))
}

/// One term of a label selector.
enum Term {
    Eq(String, String),
    Ne(String, String),
    Exists(String),
    Absent(String),
}

impl Term {
    fn matches<'a>(&self, get: &dyn Fn(&str) -> Option<&'a str>) -> bool {
        match self {
            Term::Eq(k, v) => get(k) == Some(v.as_str()),
            Term::Ne(k, v) => get(k) != Some(v.as_str()),
            Term::Exists(k) => get(k).is_some(),
            Term::Absent(k) => get(k).is_none(),
        }
    }
}

fn parse_selector(text: &str) -> Result<Vec<Term>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Ok(if let Some((k, v)) = t.split_once("!=") {
                Term::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
                Term::Eq(k.trim().into(), v.trim().into())
            } else if let Some(k) = t.strip_prefix('!') {
                Term::Absent(k.trim().into())
            } else if t.contains([' ', '(']) {
                return Err(format!("unsupported label selector term {t:?}"));
            } else {
                Term::Exists(t.into())
            })
        })
        .collect()
}

/// `*` and `?` globs.
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_parse() {
        let r = IgnoreRule::from_json(&json!("spec.template.spec.containers[name=istio-*].image")).unwrap();
        assert_eq!(r.segs.len(), 6);
        assert!(matches!(&r.segs[4], RuleSeg::Select(p) if p[0].1 == "istio-*"));
        let r = IgnoreRule::from_json(&json!("metadata.labels[\"helm.sh/chart\"]")).unwrap();
        assert_eq!(r.segs[2], RuleSeg::Key("helm.sh/chart".into()));
        let r = IgnoreRule::from_json(&json!("/metadata/labels/helm.sh~1chart")).unwrap();
        assert_eq!(r.segs[2], RuleSeg::Key("helm.sh/chart".into()));
        assert!(IgnoreRule::from_json(&json!("a[b")).is_err());
        assert!(IgnoreRule::from_json(&json!({"kind": "X"})).is_err());
        let r = IgnoreRule::from_json(&json!("{path: /spec/suspend, kind: CronJob}")).unwrap();
        assert_eq!(r.kind.as_deref(), Some("CronJob"));
    }

    #[test]
    fn globs() {
        assert!(glob("istio-*", "istio-proxy"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("istio-*", "app"));
    }

    #[test]
    fn selectors() {
        let r = IgnoreRule::from_json(&json!({"path": "spec", "labels": "a=b,!c"})).unwrap();
        let obj = json!({"metadata": {"labels": {"a": "b"}}});
        assert!(r.selects("", "X", "", "n", Some(&obj)));
        let obj = json!({"metadata": {"labels": {"a": "b", "c": "1"}}});
        assert!(!r.selects("", "X", "", "n", Some(&obj)));
    }
}
