//! Kubernetes resource quantities (`500m`, `1Gi`, `1e3`) as exact numbers, so `1000m` = `1` and
//! `1G` ≠ `1Gi`.

/// A quantity in nano-units (10^-9), the finest precision the API server keeps.
pub type Nanos = i128;

/// Parses a quantity string; `None` if it is not one (the value is then compared raw).
///
/// ```
/// use gitops_kit::diff::quantity::parse;
/// assert_eq!(parse("1000m"), parse("1"));
/// assert_ne!(parse("1G"), parse("1Gi"));
/// ```
#[must_use]
pub fn parse(text: &str) -> Option<Nanos> {
    let text = text.trim();
    let (sign, body) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let digits_end = body.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(body.len());
    let (number, suffix) = body.split_at(digits_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for c in int_part.chars().chain(frac_part.chars()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(c.to_digit(10)? as u8))?;
    }
    // value = mantissa * 10^-frac_len * multiplier, expressed in nanos.
    let frac_len = i32::try_from(frac_part.len()).ok()?;
    let (binary, exp10) = match suffix {
        "" => (1i128, 0),
        "n" => (1, -9),
        "u" => (1, -6),
        "m" => (1, -3),
        "k" => (1, 3),
        "M" => (1, 6),
        "G" => (1, 9),
        "T" => (1, 12),
        "P" => (1, 15),
        "E" => (1, 18),
        "Ki" => (1 << 10, 0),
        "Mi" => (1 << 20, 0),
        "Gi" => (1 << 30, 0),
        "Ti" => (1 << 40, 0),
        "Pi" => (1 << 50, 0),
        "Ei" => (1 << 60, 0),
        s if s.starts_with(['e', 'E']) => (1, s[1..].parse::<i32>().ok().filter(|e| e.abs() <= 18)?),
        _ => return None,
    };
    let scale = exp10 - frac_len + 9;
    let value = mantissa.checked_mul(binary)?;
    let nanos = if scale >= 0 {
        value.checked_mul(10i128.checked_pow(scale as u32)?)?
    } else {
        // Below nano precision the server rounds up.
        let div = 10i128.checked_pow((-scale) as u32)?;
        value.saturating_add(div - 1) / div
    };
    Some(sign * nanos)
}

/// Rounds up to milli precision, as the API server stores ResourceList values (`0.0001` → `1m`).
#[must_use]
pub fn round_up_milli(nanos: Nanos) -> Nanos {
    const MILLI: i128 = 1_000_000;
    if nanos >= 0 { nanos.saturating_add(MILLI - 1) / MILLI * MILLI } else { nanos / MILLI * MILLI }
}

/// A JSON scalar read as a quantity (numbers and strings alike).
#[must_use]
pub fn of_json(value: &serde_json::Value) -> Option<Nanos> {
    match value {
        serde_json::Value::String(s) => parse(s),
        serde_json::Value::Number(n) => parse(&n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_spellings() {
        assert_eq!(parse("1000m"), parse("1"));
        assert_eq!(parse("0.5"), parse("500m"));
        assert_eq!(parse("1024Mi"), parse("1Gi"));
        assert_eq!(parse("1e3"), parse("1k"));
        assert_ne!(parse("1G"), parse("1Gi"));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1.2.3"), None);
        assert_eq!(parse(""), None);
        // Huge values never overflow.
        let huge = format!("{}.{}", "9".repeat(36), "9".repeat(30));
        let _ = parse(&huge).map(round_up_milli);
        assert_eq!(parse(&"9".repeat(60)), None);
    }

    #[test]
    fn milli_round_up() {
        assert_eq!(round_up_milli(parse("0.0001").unwrap()), parse("1m").unwrap());
        assert_ne!(parse("0.0001"), parse("1m"));
    }
}
