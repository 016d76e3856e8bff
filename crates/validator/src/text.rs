//! How facts are worded in messages: counts, shares, numbers and dates, the same way in every
//! rule.

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a count of items or actions is known, worded as what the dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// Counted in the files analysed (`insights`).
    Files,
    /// What the dataset holds after the job (`plan`).
    AfterJob,
    /// A lower bound on what the dataset holds after the job (the existing data is unknown).
    AtLeastAfterJob,
}

impl Holds {
    /// `the dataset holds`, `after the job the dataset holds (at least)`.
    pub fn phrase(self) -> &'static str {
        match self {
            Holds::Files => "the dataset holds",
            Holds::AfterJob => "after the job the dataset holds",
            Holds::AtLeastAfterJob => "after the job the dataset holds at least",
        }
    }
}

/// `part` as a share of `whole`, in percent with one decimal (`<0.1%` for a tiny share).
pub(crate) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// A number as people write it: no trailing `.0`, at most 4 decimals.
pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Days since 1970-01-01 as a civil (year, month, day), proleptic Gregorian.
pub(crate) fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The year (proleptic Gregorian, UTC) of a Unix time in seconds.
pub(crate) fn year_of(seconds: i64) -> i64 {
    civil(seconds.div_euclid(86_400)).0
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn day_label(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(day_label(19_723), "2024-01-01");
        assert_eq!(day_label(19_782), "2024-02-29");
        assert_eq!(day_label(-1), "1969-12-31");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-2.5), "-2.5");
        assert_eq!(num(1.0 / 3.0), "0.3333");
        assert_eq!(pct(1, 3), "33.3%");
        assert_eq!(pct(1, 10_000), "<0.1%");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
    }
}
