//! Kubernetes' reading of plain scalars: a port of go-yaml v2's `resolve.go`, which
//! `sigs.k8s.io/yaml` (and so `kubectl` and the API server) uses to turn YAML into JSON.
//!
//! YAML 1.1 rules apply: `yes`/`on`/`y` are `true`, `0755` is octal 493, `1_000` is 1000,
//! `~` is null. Scalars whose meaning differs from YAML 1.2 (what most other tools read) are
//! reported as a [`Hazard`] so validation can warn about them.

/// The value of a scalar as Kubernetes decodes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarValue<'a> {
    /// `~`, `null`, `Null`, `NULL` or nothing.
    Null,
    /// A boolean, including the YAML 1.1 words.
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// Anything else, and every quoted or block scalar.
    Str(&'a str),
}

/// A plain scalar that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently, or that loses
/// precision through JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hazard {
    /// `yes`, `no`, `on`, `off`, `y`, `n` (any case): a boolean for Kubernetes, a string in YAML 1.2.
    Yaml11Bool,
    /// A number with a leading zero (`0755`): octal for Kubernetes, decimal in YAML 1.2.
    LegacyOctal,
    /// `0b1010`: an integer for Kubernetes, a string in YAML 1.2.
    BinaryNumber,
    /// `1_000`: a number for Kubernetes, a string in YAML 1.2.
    UnderscoreNumber,
    /// An integer beyond ±2^53, which JSON readers using float64 change.
    LargeInteger,
}

impl Hazard {
    /// A short explanation for findings.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Hazard::Yaml11Bool => {
                "read as a boolean by Kubernetes (YAML 1.1) but as a string by YAML 1.2 tools; quote it if a string is meant"
            }
            Hazard::LegacyOctal => {
                "a leading zero makes this an octal number for Kubernetes (YAML 1.1) but decimal for YAML 1.2 tools; quote it or write 0o…"
            }
            Hazard::BinaryNumber => {
                "read as a binary number by Kubernetes (YAML 1.1) but as a string by YAML 1.2 tools"
            }
            Hazard::UnderscoreNumber => {
                "underscores make this a number for Kubernetes (YAML 1.1) but a string for YAML 1.2 tools"
            }
            Hazard::LargeInteger => {
                "integer beyond 2^53 loses precision in JSON readers that use float64; quote it"
            }
        }
    }
}

/// Resolves a plain (unquoted, untagged) scalar as Kubernetes does.
///
/// ```
/// use gitops_kit::yaml::{resolve_plain, ScalarValue};
/// assert_eq!(resolve_plain("on"), ScalarValue::Bool(true));
/// assert_eq!(resolve_plain("0755"), ScalarValue::Int(493));
/// assert_eq!(resolve_plain("1_000"), ScalarValue::Int(1000));
/// assert_eq!(resolve_plain("~"), ScalarValue::Null);
/// assert_eq!(resolve_plain("2024-01-01"), ScalarValue::Str("2024-01-01"));
/// ```
#[must_use]
pub fn resolve_plain(text: &str) -> ScalarValue<'_> {
    let Some(&first) = text.as_bytes().first() else {
        return ScalarValue::Null;
    };
    let hint = match first {
        b'+' | b'-' | b'0'..=b'9' => Hint::Number,
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => Hint::Word,
        b'.' => Hint::Dot,
        _ => return ScalarValue::Str(text),
    };
    if let Some(v) = resolve_word(text) {
        return v;
    }
    match hint {
        Hint::Word => ScalarValue::Str(text),
        Hint::Dot => {
            if is_yaml_style_float(text) {
                text.parse::<f64>().map_or(ScalarValue::Str(text), ScalarValue::Float)
            } else {
                ScalarValue::Str(text)
            }
        }
        Hint::Number => resolve_number(text).unwrap_or(ScalarValue::Str(text)),
    }
}

/// Whether a plain scalar is a string without any resolution work: its first character is not
/// one that could start a boolean, null, number or special float (go-yaml v2's hint table).
pub(crate) fn resolves_to_itself(text: &str) -> bool {
    text.as_bytes().first().is_some_and(|b| !b"+-0123456789yYnNtTfFoO~.".contains(b))
}

enum Hint {
    Number,
    Word,
    Dot,
}

/// The fixed words of go-yaml v2's resolve map.
fn resolve_word(text: &str) -> Option<ScalarValue<'static>> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            ScalarValue::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            ScalarValue::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => ScalarValue::Null,
        ".nan" | ".NaN" | ".NAN" => ScalarValue::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => ScalarValue::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => ScalarValue::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Ints (Go `ParseInt(s, 0, 64)`, then `ParseUint`), then YAML-style floats; underscores removed
/// first, as go-yaml v2 does. (Timestamps stay strings when decoding into JSON, and no timestamp
/// is also a number, so they need no check here.)
fn resolve_number(text: &str) -> Option<ScalarValue<'_>> {
    let plain: std::borrow::Cow<'_, str> =
        if text.contains('_') { text.replace('_', "").into() } else { text.into() };
    if let Some(i) = go_parse_int(&plain) {
        return Some(ScalarValue::Int(i));
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Some(ScalarValue::UInt(u));
    }
    if is_yaml_style_float(&plain) {
        return plain.parse::<f64>().ok().map(ScalarValue::Float);
    }
    None
}

/// Splits Go's base prefix off (`0x`, `0o`, `0b`, or a leading `0` for octal).
fn split_radix(digits: &str) -> (u32, &str) {
    let bytes = digits.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' {
        match bytes[1] {
            b'x' | b'X' => return (16, &digits[2..]),
            b'o' | b'O' => return (8, &digits[2..]),
            b'b' | b'B' => return (2, &digits[2..]),
            _ => return (8, &digits[1..]),
        }
    }
    (10, digits)
}

fn parse_magnitude(digits: &str) -> Option<u128> {
    let (radix, body) = split_radix(digits);
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u128::from_str_radix(body, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_magnitude(digits)?;
    if negative {
        if magnitude > i64::MAX as u128 + 1 {
            return None;
        }
        Some((magnitude as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
fn go_parse_uint(s: &str) -> Option<u64> {
    u64::try_from(parse_magnitude(s)?).ok()
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The hazard of a plain scalar, if Kubernetes and YAML 1.2 read it differently.
///
/// ```
/// use gitops_kit::yaml::{plain_hazard, Hazard};
/// assert_eq!(plain_hazard("yes"), Some(Hazard::Yaml11Bool));
/// assert_eq!(plain_hazard("true"), None);
/// assert_eq!(plain_hazard("0644"), Some(Hazard::LegacyOctal));
/// assert_eq!(plain_hazard("644"), None);
/// ```
#[must_use]
pub fn plain_hazard(text: &str) -> Option<Hazard> {
    const SAFE_BOOLS: [&str; 6] = ["true", "True", "TRUE", "false", "False", "FALSE"];
    match resolve_plain(text) {
        ScalarValue::Bool(_) if !SAFE_BOOLS.contains(&text) => Some(Hazard::Yaml11Bool),
        ScalarValue::Int(_) | ScalarValue::UInt(_) | ScalarValue::Float(_) if text.contains('_') => {
            Some(Hazard::UnderscoreNumber)
        }
        ScalarValue::Int(_) | ScalarValue::UInt(_) | ScalarValue::Float(_)
            if has_legacy_octal_prefix(text) =>
        {
            Some(Hazard::LegacyOctal)
        }
        ScalarValue::Int(_) | ScalarValue::UInt(_)
            if text.trim_start_matches(['+', '-']).starts_with("0b")
                || text.trim_start_matches(['+', '-']).starts_with("0B") =>
        {
            Some(Hazard::BinaryNumber)
        }
        ScalarValue::Int(i) if i.unsigned_abs() > 1 << 53 => Some(Hazard::LargeInteger),
        ScalarValue::UInt(_) => Some(Hazard::LargeInteger),
        _ => None,
    }
}

fn has_legacy_octal_prefix(text: &str) -> bool {
    let digits = text.trim_start_matches(['+', '-']).as_bytes();
    digits.len() >= 2 && digits[0] == b'0' && digits[1].is_ascii_digit()
}

/// The JSON object key Kubernetes makes of a scalar key, or `None` for a null key (which
/// `sigs.k8s.io/yaml` rejects).
pub(crate) fn key_string(value: ScalarValue<'_>) -> Option<std::borrow::Cow<'_, str>> {
    Some(match value {
        ScalarValue::Null => return None,
        ScalarValue::Bool(b) => if b { "true" } else { "false" }.into(),
        ScalarValue::Int(i) => i.to_string().into(),
        ScalarValue::UInt(u) => u.to_string().into(),
        ScalarValue::Float(f) => format_go_key_float(f).into(),
        ScalarValue::Str(s) => s.into(),
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` as used for float keys, for the common cases.
fn format_go_key_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf".into() } else { "-.inf".into() }
    } else {
        format!("{}", f as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_yaml_v2_table() {
        use ScalarValue::*;
        let cases: &[(&str, ScalarValue<'_>)] = &[
            ("", Null),
            ("y", Bool(true)),
            ("NO", Bool(false)),
            ("Off", Bool(false)),
            ("0755", Int(493)),
            ("0o755", Int(493)),
            ("0x1F", Int(31)),
            ("-0x1F", Int(-31)),
            ("0b101", Int(5)),
            ("1e3", Float(1000.0)),
            ("08", Float(8.0)),
            ("+12", Int(12)),
            ("1_000", Int(1000)),
            ("9223372036854775808", UInt(9_223_372_036_854_775_808)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("1.5", Float(1.5)),
            (".5", Float(0.5)),
            ("1.", Float(1.0)),
            ("=", Str("=")),
            ("-", Str("-")),
            ("0x", Str("0x")),
            ("1.2.3", Str("1.2.3")),
            ("1e", Str("1e")),
            ("<<", Str("<<")),
            ("yesterday", Str("yesterday")),
        ];
        for (text, want) in cases {
            assert_eq!(resolve_plain(text), *want, "{text:?}");
        }
        assert!(matches!(resolve_plain(".inf"), Float(f) if f.is_infinite()));
        assert!(matches!(resolve_plain(".NaN"), Float(f) if f.is_nan()));
    }

    #[test]
    fn hazards() {
        assert_eq!(plain_hazard("on"), Some(Hazard::Yaml11Bool));
        assert_eq!(plain_hazard("1_000"), Some(Hazard::UnderscoreNumber));
        assert_eq!(plain_hazard("0b11"), Some(Hazard::BinaryNumber));
        assert_eq!(plain_hazard("12345678901234567"), Some(Hazard::LargeInteger));
        assert_eq!(plain_hazard("0.5"), None);
        assert_eq!(plain_hazard("0"), None);
        assert_eq!(plain_hazard("nginx"), None);
    }
}
