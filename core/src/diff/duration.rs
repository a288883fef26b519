//! Go durations (`metav1.Duration`: `90s`, `1m30s`, `1.5h`) as exact nanoseconds, so a field
//! the schema types as a duration compares by value: `90s` = `1m30s`, and a controller writing
//! `5m0s` back is no drift against `5m`.

/// Nanoseconds per unit, longest unit names first so `ms` is not read as `m`.
const UNITS: [(&str, i128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses a duration the way Go's `time.ParseDuration` reads it (a sign, then one or more
/// numbers with units; `0` alone); `None` if it is not one (the value is then compared raw).
/// Fractions finer than a nanosecond are cut, as Go does.
///
/// ```
/// use gitops_kit::diff::duration::parse;
/// assert_eq!(parse("90s"), parse("1m30s"));
/// assert_eq!(parse("1.5h"), parse("90m"));
/// assert_eq!(parse("0"), Some(0));
/// assert_eq!(parse("5"), None); // a number without a unit is not a duration
/// ```
#[must_use]
pub fn parse(text: &str) -> Option<i128> {
    let (sign, mut rest) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return None;
        }
        let (unit, per_unit) = UNITS.iter().find(|(u, _)| after.starts_with(u))?;
        total = total.checked_add(component(int_part, frac_part, *per_unit)?)?;
        rest = &after[unit.len()..];
    }
    // Go refuses durations beyond an int64 of nanoseconds.
    (total <= i128::from(i64::MAX)).then_some(sign * total)
}

/// `int.frac` units in nanoseconds, the fraction cut below a nanosecond.
fn component(int_part: &str, frac_part: &str, per_unit: i128) -> Option<i128> {
    let digits = |s: &str| -> Option<i128> {
        s.bytes().try_fold(0i128, |acc, b| acc.checked_mul(10)?.checked_add(i128::from(b - b'0')))
    };
    let whole = digits(int_part)?.checked_mul(per_unit)?;
    // At most 30 fraction digits count: past that the nanoseconds are all cut anyway.
    let frac = &frac_part[..frac_part.len().min(30)];
    let scale = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let part = digits(frac)?.checked_mul(per_unit)? / scale;
    whole.checked_add(part)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_durations_as_go_does() {
        let ns = |s| parse(s).unwrap_or(-1);
        assert_eq!(ns("1ns"), 1);
        assert_eq!(ns("1.5us"), 1_500);
        assert_eq!(ns("1\u{b5}s"), 1_000);
        assert_eq!(ns("1\u{3bc}s"), 1_000);
        assert_eq!(ns("2ms"), 2_000_000);
        assert_eq!(ns("1h2m3s4ms"), 3_723_004_000_000);
        assert_eq!(ns(".5s"), 500_000_000);
        assert_eq!(ns("5.s"), 5_000_000_000);
        assert_eq!(ns("-1m"), -60_000_000_000);
        assert_eq!(ns("+0"), 0);
        assert_eq!(ns("0.0000000001s"), 0);
        assert_eq!(ns("2562047h"), 2_562_047 * 3_600_000_000_000);
        for bad in ["", "s", ".s", "1", "1x", "1.2.3s", "1s2", "--1s", "9999999999999999999h", "1 s", "1S"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
