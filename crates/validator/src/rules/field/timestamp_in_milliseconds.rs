//! PF215 `timestamp-in-milliseconds`.

use crate::diagnostic::{Family, Rule, Severity};
use crate::rules::Violation;
use crate::diagnostic::{quote_value, Applicability};
use crate::schema::spec;
use crate::text::{day_label, year_of};

declare_rule! {
    /// ## What it does
    /// Flags an interaction TIMESTAMP or a CREATION_TIMESTAMP with 13 or more digits, or one later
    /// than 2100-01-01 when read as seconds; and an action expiry (EXPIRATION_TIMESTAMP) with 13 or
    /// more digits.
    ///
    /// ## Why is this bad?
    /// Personalize expects Unix epoch seconds (1596238243 is 31 July 2020). What it does with
    /// milliseconds is not documented: the value is a valid `long`, so the import is expected to succeed
    /// while placing every event tens of thousands of years in the future. That silently breaks recency:
    /// which interactions count as the most recent (the ones kept for training) and how old items are.
    /// AWS's own samples divide JavaScript millisecond timestamps by 1000. The error is preflight's default.
    ///
    /// The help proposes a division only when it gives a plausible time: by 1000 for milliseconds
    /// (13 digits, or 12 for dates before September 2001), by 1,000,000 for microseconds, by
    /// 1,000,000,000 for nanoseconds. A 10-digit value after 2100 is not milliseconds (divided by
    /// 1000 it falls in 1970): the finding then asks where the value comes from instead.
    ///
    /// An action's expiry far in the future is a normal way to say "never expires", so a 10- to
    /// 12-digit EXPIRATION_TIMESTAMP (up to the year 33658) is accepted; 13 digits or more are
    /// still taken for milliseconds.
    ///
    /// ## Example
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243000
    /// ```
    ///
    /// Use instead (divide by 1000):
    /// ```csv
    /// USER_ID,ITEM_ID,TIMESTAMP
    /// u1,i1,1596238243
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/interactions-datasets.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/preparing-training-data.html>
    pub const PF215 = "PF215", "timestamp-in-milliseconds", Field, Error, fix = Unsafe;
}

/// A timestamp too large to be in seconds.
#[derive(Debug, Clone, Copy)]
pub struct TimestampInMilliseconds<'a> {
    /// The schema field of the value's column (its header name).
    pub name: &'a str,
    /// The value as read, before parsing, for the message.
    pub value: &'a [u8],
    /// The value parsed as an integer: seconds since the Unix epoch if the unit is right.
    pub seconds: i64,
    /// The limit it reaches, in seconds: 2100-01-01 for interactions and creation times,
    /// 13 digits for an expiry.
    pub limit: i64,
}

impl TimestampInMilliseconds<'_> {
    /// The message and help: the unit the value is probably in, and the value in seconds, when
    /// a power of 1000 makes it a time after 1973-03-03 and below the limit; otherwise no unit
    /// is proposed (dividing a 10-digit value by 1000 gives a date in 1970, which is never the
    /// fix).
    fn words(&self) -> (String, String) {
        let (name, n, limit) = (self.name, self.seconds, self.limit);
        let digits = self.value.iter().filter(|b| b.is_ascii_digit()).count();
        let value = quote_value(self.value, 30);
        let year = year_of(n);
        let as_seconds = if limit == spec::TIMESTAMP_MAX_SECONDS {
            "as seconds it is after 2100-01-01".to_string()
        } else {
            format!("as seconds it is in the year {year}")
        };
        match seconds_in_unit(n, limit) {
            Some((unit, divisor, seconds)) => (
                format!("`{name}` {value} has {digits} digits: it looks like {unit} ({as_seconds})"),
                format!("Personalize expects Unix epoch seconds: divide by {divisor} ({seconds})"),
            ),
            None => (
                format!("`{name}` {value} is after 2100-01-01 as Unix epoch seconds (the year {year})"),
                format!(
                    "write the time in Unix epoch seconds; this is not milliseconds either (divided by 1000 it is {}), so check how the column is computed",
                    day_label((n / 1000).div_euclid(86_400))
                ),
            ),
        }
    }
}

/// The fix: the value in seconds, only where the rule is sure it is in milliseconds (at or past
/// `limit` as seconds, and divided by 1000 a time from 1973-03-03 on and below the limit).
/// Microseconds, nanoseconds and values that are no time at all are left for the user.
pub(crate) fn milliseconds_to_seconds(n: i64, limit: i64) -> Option<i64> {
    if n < limit {
        return None;
    }
    match seconds_in_unit(n, limit) {
        Some(("milliseconds", _, seconds)) => Some(seconds),
        _ => None,
    }
}

impl Violation for TimestampInMilliseconds<'_> {
    const RULE: &'static Rule = &PF215;
    fn fix(&self) -> Option<Applicability> {
        milliseconds_to_seconds(self.seconds, self.limit).map(|_| Applicability::Unsafe)
    }
    fn message(&self) -> String {
        self.words().0
    }
    fn help(&self) -> Option<String> {
        Some(self.words().1)
    }
}

/// The unit a too-large timestamp is probably in: the smallest of milliseconds, microseconds and
/// nanoseconds that brings it below `limit` seconds, if the result is a plausible time (from
/// 10^8 seconds, 1973-03-03, on). Returns the unit, the divisor and the value in seconds.
fn seconds_in_unit(n: i64, limit: i64) -> Option<(&'static str, i64, i64)> {
    for (unit, divisor) in [
        ("milliseconds", 1_000),
        ("microseconds", 1_000_000),
        ("nanoseconds", 1_000_000_000),
    ] {
        let s = n / divisor;
        if s < limit {
            return (s >= 100_000_000).then_some((unit, divisor, s));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_of_a_too_large_timestamp() {
        let ts = spec::TIMESTAMP_MAX_SECONDS;
        // Milliseconds (13 digits, and 12 before September 2001), microseconds, nanoseconds.
        assert_eq!(
            seconds_in_unit(1_596_238_243_000, ts),
            Some(("milliseconds", 1000, 1_596_238_243))
        );
        assert_eq!(
            seconds_in_unit(874_965_758_000, ts),
            Some(("milliseconds", 1000, 874_965_758))
        );
        assert_eq!(
            seconds_in_unit(1_596_238_243_000_000, ts),
            Some(("microseconds", 1_000_000, 1_596_238_243))
        );
        assert_eq!(
            seconds_in_unit(1_596_238_243_000_000_000, ts),
            Some(("nanoseconds", 1_000_000_000, 1_596_238_243))
        );
        // A 10- or 11-digit value after 2100 is no smaller unit: dividing gives 1970.
        assert_eq!(seconds_in_unit(4_102_444_800, ts), None);
        assert_eq!(seconds_in_unit(99_999_999_999, ts), None);
        // Milliseconds after 2100 are no plausible time either.
        assert_eq!(seconds_in_unit(9_999_999_999_999, ts), None);
        // An expiry: any result below 13 digits is fine.
        let ex = spec::EXPIRY_MAX_SECONDS;
        assert_eq!(
            seconds_in_unit(9_999_999_999_999, ex),
            Some(("milliseconds", 1000, 9_999_999_999))
        );
        assert_eq!(
            seconds_in_unit(253_402_300_799_000, ex),
            Some(("milliseconds", 1000, 253_402_300_799))
        );
    }

    #[test]
    fn only_milliseconds_are_fixed() {
        let ts = spec::TIMESTAMP_MAX_SECONDS;
        assert_eq!(milliseconds_to_seconds(1_596_238_243_123, ts), Some(1_596_238_243));
        assert_eq!(milliseconds_to_seconds(1_596_238_243, ts), None);
        assert_eq!(milliseconds_to_seconds(1_596_238_243_000_000, ts), None);
        assert_eq!(milliseconds_to_seconds(5_000_000_000, ts), None);
    }

    #[test]
    fn a_ten_digit_timestamp_after_2100_is_not_called_milliseconds() {
        let found = |value: &'static [u8], seconds| TimestampInMilliseconds {
            name: "TIMESTAMP",
            value,
            seconds,
            limit: spec::TIMESTAMP_MAX_SECONDS,
        };
        let v = found(b"5000000000", 5_000_000_000);
        let (message, help) = (v.message(), v.help().unwrap());
        assert!(!message.contains("milliseconds"), "{message}");
        assert!(message.contains("the year 2128"), "{message}");
        assert!(!help.contains("divide by"), "{help}");
        assert!(help.contains("1970-02-27"), "{help}");
        let v = found(b"1596238243000", 1_596_238_243_000);
        let (message, help) = (v.message(), v.help().unwrap());
        assert_eq!(
            message,
            "`TIMESTAMP` `1596238243000` has 13 digits: it looks like milliseconds (as seconds it is after 2100-01-01)"
        );
        assert_eq!(
            help,
            "Personalize expects Unix epoch seconds: divide by 1000 (1596238243)"
        );
    }
}
