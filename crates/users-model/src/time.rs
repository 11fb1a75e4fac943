//! Timestamps in the server's wire form, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
//!
//! Pure civil-date arithmetic (Howard Hinnant's `days_from_civil` / `civil_from_days`) so the
//! model needs no date crate and never reads a clock: callers pass `now` in.

use std::fmt;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// A point in time with millisecond precision, counted from the Unix epoch (UTC).
///
/// `Display` prints exactly the form the Auth0 server uses for `created_at`, `updated_at`,
/// `last_password_reset`, ...: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// ```
/// use users_model::Timestamp;
/// let t = Timestamp::parse("2023-01-25T19:00:58.788Z").unwrap();
/// assert_eq!(t.as_millis(), 1_674_673_258_788);
/// assert_eq!(t.to_string(), "2023-01-25T19:00:58.788Z");
/// assert_eq!(Timestamp::from_millis(0).to_string(), "1970-01-01T00:00:00.000Z");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch, `1970-01-01T00:00:00.000Z`.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// A timestamp `millis` milliseconds after (or, if negative, before) the Unix epoch.
    pub const fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.fffZ` (1 to 3 fraction digits).
    ///
    /// Returns `None` for anything else, including out-of-range fields (month 13, February 30,
    /// hour 24, leap second 60) and fractions finer than a millisecond, which this type could
    /// only keep by silently truncating them.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 || b.last() != Some(&b'Z') {
            return None;
        }
        let sep = |i: usize, c: u8| b.get(i) == Some(&c);
        if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        let millis = match b.len() {
            20 => 0,
            22..=24 if sep(19, b'.') => {
                let n = b.len() - 21;
                let frac = digits(b, 20, n)?;
                frac * 10_i64.pow(3 - n as u32)
            }
            _ => return None,
        };
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = hour * 3600 + minute * 60 + second;
        Some(Timestamp(days * MILLIS_PER_DAY + secs * 1000 + millis))
    }
}

/// Reads `len` ASCII digits at `start`; `None` if any byte is not a digit.
fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = b.get(start..start.checked_add(len)?)?;
    slice.iter().try_fold(0_i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian `(year, month, day)` of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    /// Prints `YYYY-MM-DDTHH:MM:SS.mmmZ`. Years outside 0000-9999 print with more digits or a
    /// sign and then do not parse back; the server never produces them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let rem = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let (secs, millis) = (rem / 1000, rem % 1000);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl std::str::FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s).ok_or(InvalidTimestamp)
    }
}

/// The error of parsing a string that is not a `YYYY-MM-DDTHH:MM:SS(.fff)?Z` timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timestamp is not of the form YYYY-MM-DDTHH:MM:SS.mmmZ")]
#[non_exhaustive]
pub struct InvalidTimestamp;

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom(InvalidTimestamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(
            Timestamp::from_millis(0).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(-1).to_string(),
            "1969-12-31T23:59:59.999Z"
        );
        assert_eq!(
            Timestamp::parse("2000-02-29T12:34:56.7Z"),
            Some(Timestamp::from_millis(951_827_696_700))
        );
        assert_eq!(
            Timestamp::parse("0000-01-01T00:00:00Z")
                .map(|t| t.to_string())
                .as_deref(),
            Some("0000-01-01T00:00:00.000Z")
        );
        assert_eq!(
            Timestamp::parse("9999-12-31T23:59:59.999Z")
                .map(|t| t.to_string())
                .as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
    }

    #[test]
    fn extremes_print_without_overflow() {
        for millis in [i64::MIN, i64::MIN + 1, i64::MAX] {
            let shown = Timestamp::from_millis(millis).to_string();
            assert!(shown.ends_with('Z'), "{shown}");
            assert_eq!(Timestamp::parse(&shown), None, "{shown}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2023-01-25T19:00:58.788",
            "2023-01-25 19:00:58.788Z",
            "2023-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:60:00Z",
            "2023-01-01T00:00:60Z",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00.1234Z",
            "2023-01-01T00:00:00+00:00",
            "+023-01-01T00:00:00Z",
            "2023-01-01T00:00:0٣Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
