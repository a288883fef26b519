//! Preview namespaces: a template rendered from the branch, always a DNS-1123 label.

/// Placeholders a namespace template may use.
const PLACEHOLDERS: &[&str] = &["pr", "branch"];

/// Longest DNS-1123 label.
pub const MAX_LABEL: usize = 63;

/// Checks the placeholders of a namespace template (`{pr}`, `{branch}`).
///
/// # Errors
/// A message naming an unknown or unclosed placeholder.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close =
            after.find('}').ok_or_else(|| format!("unclosed {{ in namespace template {template:?}"))?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} in namespace template; known: {{pr}}, {{branch}}"
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Whether `s` is a DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
#[must_use]
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= MAX_LABEL
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

/// FNV-1a, 64 bits: tiny, stable across platforms and releases (the suffix must never change).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Renders the namespace of a preview. When the rendered text is already a DNS-1123 label it is
/// used as is; otherwise (too long, upper case, `/`, `_`, …) it is lowercased, every run of
/// other characters becomes `-`, it is cut so that `-` plus 8 hex digits of a hash of the
/// rendered text fit in 63 characters, and that suffix is added. Two branches that slug alike
/// therefore still get different namespaces, and the same branch always gets the same one.
///
/// ```
/// use gitops_kit::env::preview_namespace;
/// assert_eq!(preview_namespace("shop-pr-{pr}", "pr-42", "42"), "shop-pr-42");
/// let long = preview_namespace("shop-{branch}", &"Feature/".repeat(20), "");
/// assert!(long.len() <= 63 && long.starts_with("shop-feature-feature-"));
/// ```
#[must_use]
pub fn preview_namespace(template: &str, branch: &str, pr: &str) -> String {
    let mut rendered = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rendered.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        match &after[..close] {
            "pr" => rendered.push_str(pr),
            "branch" => rendered.push_str(branch),
            other => {
                rendered.push('{');
                rendered.push_str(other);
                rendered.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    rendered.push_str(rest);
    if is_dns_label(&rendered) {
        return rendered;
    }
    let mut slug = String::new();
    for c in rendered.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let h = fnv1a(&rendered);
    let suffix = format!("{:08x}", (h >> 32) ^ (h & 0xffff_ffff));
    let keep = MAX_LABEL - 1 - suffix.len();
    let mut prefix: String = slug.trim_start_matches('-').chars().take(keep).collect();
    while prefix.ends_with('-') {
        prefix.pop();
    }
    if prefix.is_empty() {
        prefix.push_str("preview");
    }
    format!("{prefix}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_dns_label("a") && is_dns_label("shop-pr-1") && !is_dns_label("-a") && !is_dns_label("A"));
        assert!(!is_dns_label(&"a".repeat(64)));
        let a = preview_namespace("x-{branch}", "Feature_A", "");
        let b = preview_namespace("x-{branch}", "feature-a", "");
        assert_ne!(a, b);
        assert!(is_dns_label(&a) && a.starts_with("x-feature-a-"));
        assert_eq!(b, "x-feature-a");
        let long = preview_namespace("{branch}", &"x".repeat(200), "");
        assert_eq!(long.len(), 63);
        assert!(is_dns_label(&long));
        assert_eq!(long, preview_namespace("{branch}", &"x".repeat(200), ""));
        assert!(is_dns_label(&preview_namespace("{branch}", "___", "")));
        assert!(
            check_template("a-{pr}").is_ok()
                && check_template("a-{sha}").is_err()
                && check_template("a-{pr").is_err()
        );
    }
}
