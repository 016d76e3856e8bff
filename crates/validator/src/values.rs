//! Value syntax of the schema types, parsed from bytes without going through `str`.

/// Why a value is not an integer of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntError {
    /// Written as a decimal, like `1596238243.0`.
    Decimal,
    /// Written with an exponent, like `1e9`.
    Exponent,
    /// Leading or trailing spaces.
    Whitespace,
    /// Not a number at all.
    Syntax,
    /// Outside the type's range.
    Range,
}

/// Parses an integer literal: an optional sign and decimal digits. `bits` is 32 or 64.
#[inline]
pub fn parse_int(b: &[u8], bits: u32) -> Result<i64, IntError> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return Err(classify_int_error(b, digits));
    }
    // At most 19 digits: fits a u64 without overflow. One pass checks and adds up the digits.
    let mut v: u64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return Err(classify_int_error(b, digits));
        }
        v = v * 10 + u64::from(d);
    }
    let (max_pos, max_neg): (u64, u64) = if bits == 32 {
        (i32::MAX as u64, 1 << 31)
    } else {
        (i64::MAX as u64, 1 << 63)
    };
    if neg {
        if v > max_neg {
            return Err(IntError::Range);
        }
        Ok((v as i64).wrapping_neg())
    } else {
        if v > max_pos {
            return Err(IntError::Range);
        }
        Ok(v as i64)
    }
}

#[cold]
fn classify_int_error(all: &[u8], digits: &[u8]) -> IntError {
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        return IntError::Range; // more than 19 digits
    }
    if all.first().is_some_and(u8::is_ascii_whitespace)
        || all.last().is_some_and(u8::is_ascii_whitespace)
    {
        return IntError::Whitespace;
    }
    if is_float_syntax(all) {
        if all.iter().any(|&c| c == b'e' || c == b'E') {
            return IntError::Exponent;
        }
        return IntError::Decimal;
    }
    IntError::Syntax
}

/// Why a value is not a float of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatError {
    /// `NaN`, `inf`, `Infinity`.
    NotFinite,
    /// A comma as decimal separator or thousands separators (`1,5`, `1,000.5`, `1 000`).
    Separator,
    /// Leading or trailing spaces.
    Whitespace,
    /// Anything else.
    Syntax,
    /// Finite syntax whose value overflows the type (`1e400`, or beyond f32 for `float`).
    Range,
}

/// Whether `b` is `[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`.
#[inline]
pub fn is_float_syntax(b: &[u8]) -> bool {
    float_shape(b).is_some()
}

/// `Some(has_exponent)` when `b` has the syntax of [`is_float_syntax`], else `None`.
#[inline]
fn float_shape(b: &[u8]) -> Option<bool> {
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let exponent = i < b.len() && (b[i] == b'e' || b[i] == b'E');
    if exponent {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return None;
        }
    }
    (i == b.len()).then_some(exponent)
}

/// Exact powers of ten as `f64` (10^22 is the largest).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of a plain decimal (`[+-]?digits[.digits]`, no exponent, at most 17 digits)
/// whose digits make an integer of at most 2^53, else `None`: the common case of event values
/// and prices, without the general parser. The digits and the power of ten are both exact in
/// an `f64`, so the one division rounds correctly (Clinger's fast path) and the result is the
/// one `str::parse` gives, bit for bit (`fast_path_parses_as_the_standard_library_does`).
#[inline]
fn plain_decimal(b: &[u8]) -> Option<f64> {
    // 17 digits and a point at most: the integer fits a u64 before the 2^53 test.
    let (neg, m, scale) = decimal_parts(b, 18)?;
    if m > 1 << 53 {
        return None;
    }
    let v = m as f64 / POW10[scale];
    Some(if neg { -v } else { v })
}

/// The parts of a plain decimal of at most `max_chars` bytes after its sign (digits, at least
/// one, and at most one point; `max_chars` at most 19, so that the digits fit a `u64`): whether
/// it is negative, its digits as an integer, and how many of them follow the point. `None` for
/// anything else (an exponent, `inf`, a second point, too long).
#[inline]
pub(crate) fn decimal_parts(b: &[u8], max_chars: usize) -> Option<(bool, u64, usize)> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > max_chars {
        return None;
    }
    let mut m: u64 = 0;
    let mut point = None;
    for (i, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d <= 9 {
            m = m * 10 + u64::from(d);
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    if digits.len() == usize::from(point.is_some()) {
        return None;
    }
    Some((neg, m, point.map_or(0, |i| digits.len() - i - 1)))
}

/// Checks a `float` (`double == false`) or `double` value and returns it.
#[inline]
pub fn parse_float(b: &[u8], double: bool) -> Result<f64, FloatError> {
    if let Some(v) = plain_decimal(b) {
        // At most 2^53: finite, and within a `float`'s range.
        return Ok(v);
    }
    if !is_float_syntax(b) {
        return Err(classify_float_error(b));
    }
    // Syntax checked: ASCII only, so this cannot fail.
    let s = std::str::from_utf8(b).map_err(|_| FloatError::Syntax)?;
    let v: f64 = s.parse().map_err(|_| FloatError::Syntax)?;
    if !v.is_finite() || (!double && v.abs() > f64::from(f32::MAX)) {
        return Err(FloatError::Range);
    }
    Ok(v)
}

#[cold]
fn classify_float_error(b: &[u8]) -> FloatError {
    let lower: Vec<u8> = b.iter().map(u8::to_ascii_lowercase).collect();
    let t = lower
        .strip_prefix(b"-")
        .or_else(|| lower.strip_prefix(b"+"))
        .unwrap_or(&lower);
    if matches!(t, b"nan" | b"inf" | b"infinity") {
        return FloatError::NotFinite;
    }
    if b.first().is_some_and(u8::is_ascii_whitespace)
        || b.last().is_some_and(u8::is_ascii_whitespace)
    {
        return FloatError::Whitespace;
    }
    let stripped: Vec<u8> = b
        .iter()
        .copied()
        .filter(|&c| c != b',' && c != b' ' && c != b'_' && c != b'\'')
        .collect();
    if stripped.len() != b.len() && is_float_syntax(&stripped) {
        return FloatError::Separator;
    }
    let comma_as_point: Vec<u8> = b
        .iter()
        .map(|&c| if c == b',' { b'.' } else { c })
        .collect();
    if is_float_syntax(&comma_as_point) {
        return FloatError::Separator;
    }
    FloatError::Syntax
}

/// Checks a `float` or `double` value without computing it when it cannot overflow: a plain
/// decimal of at most 38 characters and no exponent is always finite in both types.
#[inline]
pub fn check_float(b: &[u8], double: bool) -> Result<(), FloatError> {
    match float_shape(b) {
        None => Err(classify_float_error(b)),
        Some(false) if b.len() <= 38 => Ok(()),
        Some(_) => parse_float(b, double).map(|_| ()),
    }
}

/// Whether the value is a valid `boolean` (`true` or `false`, lowercase).
#[inline]
pub fn is_boolean(b: &[u8]) -> bool {
    b == b"true" || b == b"false"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int(b"1596238243", 64), Ok(1596238243));
        assert_eq!(parse_int(b"-0", 64), Ok(0));
        assert_eq!(parse_int(b"+1", 64), Ok(1));
        assert_eq!(parse_int(b"9223372036854775807", 64), Ok(i64::MAX));
        assert_eq!(parse_int(b"9223372036854775808", 64), Err(IntError::Range));
        assert_eq!(parse_int(b"-9223372036854775808", 64), Ok(i64::MIN));
        assert_eq!(parse_int(b"2147483648", 32), Err(IntError::Range));
        assert_eq!(parse_int(b"1596238243.0", 64), Err(IntError::Decimal));
        assert_eq!(parse_int(b"1e9", 64), Err(IntError::Exponent));
        assert_eq!(parse_int(b" 12", 64), Err(IntError::Whitespace));
        assert_eq!(parse_int(b"2020-07-31", 64), Err(IntError::Syntax));
        assert_eq!(parse_int(&[b'9'; 400], 64), Err(IntError::Range));
        assert_eq!(parse_int(b"-", 64), Err(IntError::Syntax));
    }

    #[test]
    fn fast_path_parses_as_the_standard_library_does() {
        let cases = [
            "0",
            "-0",
            "-0.0",
            "+0.",
            ".5",
            "5.",
            "6.78",
            "0.1",
            "0.3",
            "-1.5",
            "123456789.123",
            "9007199254740992",
            "9007199254740993",
            "900719925474099.3",
            "0.00000000000000001",
            "12345678901234567",
            "1234567890.1234567",
            "99999999999999999",
            "3.14159265358979",
        ];
        for c in cases {
            let want: f64 = c.parse().unwrap();
            let got = parse_float(c.as_bytes(), true).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
        }
        for bad in ["", ".", "-", "+.", "1..2", "1.2.3", "1-2", "--1"] {
            assert!(plain_decimal(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_matches_str_parse(int in "[+-]?[0-9]{0,12}", frac in "[0-9]{0,9}", point: bool) {
            let s = if point { format!("{int}.{frac}") } else { format!("{int}{frac}") };
            match (s.parse::<f64>(), parse_float(s.as_bytes(), true)) {
                (Ok(want), Ok(got)) => proptest::prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", s),
                (Err(_), Err(_)) => {}
                (want, got) => proptest::prop_assert!(false, "{}: {:?} vs {:?}", s, want, got),
            }
        }
    }

    #[test]
    fn floats() {
        assert_eq!(parse_float(b"1.5", false), Ok(1.5));
        assert_eq!(parse_float(b".5", false), Ok(0.5));
        assert_eq!(parse_float(b"5.", false), Ok(5.0));
        assert_eq!(parse_float(b"-1e3", true), Ok(-1000.0));
        assert_eq!(parse_float(b"NaN", true), Err(FloatError::NotFinite));
        assert_eq!(parse_float(b"-inf", true), Err(FloatError::NotFinite));
        assert_eq!(parse_float(b"1,5", true), Err(FloatError::Separator));
        assert_eq!(parse_float(b"1,000.25", true), Err(FloatError::Separator));
        assert_eq!(parse_float(b"1e400", true), Err(FloatError::Range));
        assert_eq!(parse_float(b"1e39", false), Err(FloatError::Range));
        assert!(parse_float(b"1e39", true).is_ok());
        assert_eq!(parse_float(b"abc", true), Err(FloatError::Syntax));
        assert_eq!(parse_float(b".", true), Err(FloatError::Syntax));
    }

    /// The one-pass integer parse and the float check that looks at a value once agree with
    /// their definitions on numbers and near-numbers of every shape.
    mod same_as_definition {
        use super::super::*;
        use proptest::prelude::*;

        /// Two passes: every character a digit, then the value.
        fn int_by_definition(b: &[u8], bits: u32) -> Result<i64, IntError> {
            let digits = b
                .strip_prefix(b"-")
                .or_else(|| b.strip_prefix(b"+"))
                .unwrap_or(b);
            if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
                return Err(classify_int_error(b, digits));
            }
            let v: i128 = std::str::from_utf8(b).unwrap().parse().unwrap();
            let (lo, hi) = if bits == 32 {
                (i128::from(i32::MIN), i128::from(i32::MAX))
            } else {
                (i128::from(i64::MIN), i128::from(i64::MAX))
            };
            if v < lo || v > hi {
                return Err(IntError::Range);
            }
            Ok(v as i64)
        }

        proptest! {
            #[test]
            fn ints(s in "[-+]?[0-9]{0,19}[:/ .eEx]?[0-9]{0,3}|[-+]?[0-9 .eE,x:/]{0,22}", bits in prop_oneof![Just(32u32), Just(64)]) {
                prop_assert_eq!(parse_int(s.as_bytes(), bits), int_by_definition(s.as_bytes(), bits));
            }

            #[test]
            fn floats(s in "[-+]?[0-9]{0,42}[.]?[0-9]{0,6}([eE][-+]?[0-9]{0,4})?|[-+ .,eEnaif0-9]{0,8}", double: bool) {
                prop_assert_eq!(check_float(s.as_bytes(), double), parse_float(s.as_bytes(), double).map(|_| ()));
            }
        }
    }
}
