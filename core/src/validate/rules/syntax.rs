//! Server-side syntax rules the OpenAPI schemas miss (k8s.io/apimachinery `validation.go`):
//! quantities, names, label and annotation keys, port names, ConfigMap/Secret keys.

/// Checks a resource quantity (`500m`, `1.5Gi`, `1e3`).
///
/// ```
/// use gitops_kit::validate::check_quantity;
/// assert!(check_quantity("128Mi").is_ok());
/// assert!(check_quantity("0.5").is_ok());
/// assert!(check_quantity("1GB").is_err());
/// assert!(check_quantity("0.5.0").is_err());
/// ```
///
/// # Errors
/// Why the text is not a quantity.
pub fn check_quantity(text: &str) -> Result<(), &'static str> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let num_len = body.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let (number, suffix) = body.split_at(num_len);
    if number.is_empty() || number == "." {
        return Err("a quantity starts with a number");
    }
    if number.matches('.').count() > 1 {
        return Err("more than one decimal point");
    }
    const SUFFIXES: [&str; 16] =
        ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if SUFFIXES.contains(&suffix) {
        return Ok(());
    }
    if let Some(exp) = suffix.strip_prefix(['e', 'E']) {
        let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(());
        }
    }
    Err("unknown suffix (binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an exponent e3)")
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63.
pub(crate) fn dns1123_label(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 63 {
        return Err(format!("must be 1 to 63 characters (has {})", b.len()));
    }
    if !is_alnum_lower(b[0])
        || !is_alnum_lower(b[b.len() - 1])
        || !b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
    {
        return Err(
            "must be lowercase letters, digits and '-', starting and ending with a letter or digit".into()
        );
    }
    Ok(())
}

/// DNS-1123 subdomain: DNS labels joined by `.`, at most 253.
pub(crate) fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 253 {
        return Err(format!("must be 1 to 253 characters (has {})", s.len()));
    }
    for part in s.split('.') {
        let b = part.as_bytes();
        if b.is_empty()
            || !is_alnum_lower(b[0])
            || !is_alnum_lower(b[b.len() - 1])
            || !b.iter().all(|&c| is_alnum_lower(c) || c == b'-')
        {
            return Err("must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit".into());
        }
    }
    Ok(())
}

/// DNS-1035 label: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63.
pub(crate) fn dns1035_label(s: &str) -> Result<(), String> {
    dns1123_label(s)?;
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err("must start with a lowercase letter".into());
    }
    Ok(())
}

fn qualified_name_part(name: &str) -> Result<(), String> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 63 {
        return Err(format!("name part must be 1 to 63 characters (has {})", b.len()));
    }
    let edge = |c: u8| c.is_ascii_alphanumeric();
    if !edge(b[0])
        || !edge(b[b.len() - 1])
        || !b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        return Err(
            "name part must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
                .into(),
        );
    }
    Ok(())
}

/// A label or annotation key: `[prefix/]name`.
pub(crate) fn qualified_name(key: &str) -> Result<(), String> {
    match key.split_once('/') {
        Some((prefix, name)) => {
            dns1123_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
            qualified_name_part(name)
        }
        None => qualified_name_part(key),
    }
}

/// A label value: empty, or a qualified name part.
pub(crate) fn label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    qualified_name_part(value).map_err(|e| e.replace("name part", "value"))
}

/// IANA service name (port names): ≤ 15, `[-a-z0-9]`, a letter, no edge or double hyphen.
pub(crate) fn port_name(name: &str) -> Result<(), String> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return Err(format!("must be 1 to 15 characters (has {})", b.len()));
    }
    if !b.iter().all(|&c| is_alnum_lower(c) || c == b'-') {
        return Err("must be lowercase letters, digits and '-'".into());
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Err("must contain at least one letter".into());
    }
    if b[0] == b'-' || b[b.len() - 1] == b'-' || name.contains("--") {
        return Err("must not start or end with '-' or contain '--'".into());
    }
    Ok(())
}

/// A ConfigMap or Secret data key.
pub(crate) fn config_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > 253 {
        return Err(format!("must be 1 to 253 characters (has {})", key.len()));
    }
    if !key.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')) {
        return Err("must be letters, digits, '-', '_' and '.'".into());
    }
    if key == "." || key == ".." {
        return Err("must not be '.' or '..'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in ["1", "500m", "1.5Gi", "1e3", "2E-2", "+1", ".5", "100Ki", "0"] {
            assert!(check_quantity(ok).is_ok(), "{ok}");
        }
        for bad in ["1GB", "0.5.0", "", "Gi", "1e", "1 Gi", "1gi"] {
            assert!(check_quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(dns1123_subdomain("web.shop").is_ok());
        assert!(dns1123_subdomain("UPPER_Name").is_err());
        assert!(dns1035_label("1-api").is_err());
        assert!(dns1123_label("1-api").is_ok());
        assert!(qualified_name("-bad_key/Name").is_err());
        assert!(qualified_name("app.kubernetes.io/name").is_ok());
        assert!(label_value(&"a".repeat(70)).is_err());
        assert!(port_name("http-metrics").is_ok());
        assert!(port_name("very-long-port-name-x").is_err());
        assert!(port_name("8080").is_err());
        assert!(config_key("app.properties").is_ok());
        assert!(config_key("a/b").is_err());
    }
}
