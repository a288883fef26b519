//! Rename pairing of objects only one side has: kustomize hash-suffixed names first
//! (`app-config-7g2k9` → `app-config-b8m4c`), then content similarity (same group, kind and
//! namespace, at least 60 % of leaf values shared, at most 50 candidates per side, as dyff does).

use super::Key;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

const MIN_SIMILARITY: f64 = 0.6;
const MAX_CANDIDATES: usize = 50;

/// `app-config-7g2k9` → `Some("app-config")`: a last segment of 5 to 10 lowercase letters and
/// digits with at least one digit, as kustomize's name hashes are.
fn hash_base(name: &str) -> Option<&str> {
    let (base, suffix) = name.rsplit_once('-')?;
    let ok = (5..=10).contains(&suffix.len())
        && suffix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && suffix.chars().any(|c| c.is_ascii_digit());
    (ok && !base.is_empty()).then_some(base)
}

fn leaves(v: &Value, prefix: &mut String, out: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let len = prefix.len();
                prefix.push('/');
                prefix.push_str(k);
                leaves(c, prefix, out);
                prefix.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let len = prefix.len();
                prefix.push_str(&format!("/{i}"));
                leaves(c, prefix, out);
                prefix.truncate(len);
            }
        }
        other => {
            out.insert(format!("{prefix}={other}"));
        }
    }
}

fn similarity(a: &Value, b: &Value) -> f64 {
    let (mut la, mut lb) = (HashSet::new(), HashSet::new());
    leaves(a, &mut String::new(), &mut la);
    leaves(b, &mut String::new(), &mut lb);
    let max = la.len().max(lb.len());
    if max == 0 {
        return 1.0;
    }
    la.intersection(&lb).count() as f64 / max as f64
}

/// Pairs of (old index, new index) judged to be renames.
pub(crate) fn pair<E>(
    old: &[E],
    new: &[E],
    unmatched_old: &[usize],
    unmatched_new: &[usize],
    view: impl Fn(&E) -> (&Key<'_>, &Value),
) -> Vec<(usize, usize)> {
    type Group<'k> = (&'k str, &'k str, &'k str);
    let mut groups: BTreeMap<Group, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for &i in unmatched_old {
        let k = view(&old[i]).0;
        groups.entry((k.0, k.1, k.2)).or_default().0.push(i);
    }
    for &i in unmatched_new {
        let k = view(&new[i]).0;
        groups.entry((k.0, k.1, k.2)).or_default().1.push(i);
    }
    let mut pairs = Vec::new();
    for (_, (olds, news)) in groups {
        if olds.is_empty() || news.is_empty() {
            continue;
        }
        let mut used_old = HashSet::new();
        let mut used_new = HashSet::new();
        for &o in &olds {
            let Some(base) = hash_base(view(&old[o]).0.3) else { continue };
            let same: Vec<usize> = news
                .iter()
                .copied()
                .filter(|&n| !used_new.contains(&n) && hash_base(view(&new[n]).0.3) == Some(base))
                .collect();
            if let [n] = same[..] {
                pairs.push((o, n));
                used_old.insert(o);
                used_new.insert(n);
            }
        }
        let olds: Vec<usize> = olds.into_iter().filter(|o| !used_old.contains(o)).collect();
        let news: Vec<usize> = news.into_iter().filter(|n| !used_new.contains(n)).collect();
        if olds.len() > MAX_CANDIDATES || news.len() > MAX_CANDIDATES {
            continue;
        }
        let mut scored: Vec<(f64, usize, usize)> = Vec::new();
        for &o in &olds {
            for &n in &news {
                let s = similarity(view(&old[o]).1, view(&new[n]).1);
                if s >= MIN_SIMILARITY {
                    scored.push((s, o, n));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, o, n) in scored {
            if used_old.insert(o) {
                if used_new.insert(n) {
                    pairs.push((o, n));
                } else {
                    used_old.remove(&o);
                }
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kustomize_suffix() {
        assert_eq!(hash_base("app-config-7g2k9"), Some("app-config"));
        assert_eq!(hash_base("app-config-b8m4c"), Some("app-config"));
        assert_eq!(hash_base("web-server"), None);
        assert_eq!(hash_base("a-12"), None);
    }

    #[test]
    fn similar_objects() {
        let a = serde_json::json!({"data": {"a": "1", "b": "2", "c": "3"}});
        let b = serde_json::json!({"data": {"a": "1", "b": "2", "c": "4"}});
        assert!(similarity(&a, &b) >= 0.6);
        let c = serde_json::json!({"data": {"x": "9"}});
        assert!(similarity(&a, &c) < 0.6);
    }
}
