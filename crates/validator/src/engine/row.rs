//! Checks one block of whole lines: line rules, quoting, field counts and every field rule.
//! Runs in parallel on many blocks; allocates nothing per row or per field, and builds a
//! message only for findings that will be kept.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use super::columns::{Check, Column, IntRole, StrKind};
use super::dataset::{pos, BlockAcc, Shared};
use super::observer::{Observer, Record};
use crate::diagnostic::{make_snippet, quote_value, Diagnostic, Location, Rule};
use crate::dialect::{char_count, split_line, Fields, QuoteIssueKind, Structural};
use crate::line_filter::LineSet;
use crate::report::Policy;
use crate::rules;
use crate::schema::{spec, DatasetType};
use crate::values::{check_float, parse_int, FloatError, IntError};

/// Which columns feed the dataset-level accumulators.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Keys {
    pub interactions: bool,
    pub user: Option<usize>,
    pub id: Option<usize>,
    pub timestamp: Option<usize>,
    pub event_type: Option<usize>,
}

impl Keys {
    /// The key columns of a file with these columns, checked against a schema of this type.
    pub fn new(columns: &[Column], dataset_type: Option<DatasetType>) -> Keys {
        let find = |n: &str| columns.iter().position(|p| p.name == n);
        match dataset_type {
            Some(t) if t.is_interactions() => Keys {
                interactions: true,
                user: find("USER_ID"),
                id: None,
                timestamp: find("TIMESTAMP"),
                event_type: find("EVENT_TYPE"),
            },
            Some(t) => Keys {
                id: t.id_field().and_then(find),
                ..Keys::default()
            },
            None => Keys::default(),
        }
    }
}

/// Everything a block check needs about its file.
#[derive(Debug)]
pub(crate) struct FileCtx<'a, O: Observer> {
    pub file: &'a str,
    pub columns: &'a [Column],
    pub policy: &'a Policy,
    pub now: i64,
    pub keys: Keys,
    pub shared: &'a Shared,
    /// When set, row-level findings are reported only on these (absolute) lines.
    pub lines: Option<&'a LineSet>,
    /// What watches this file's records, if the observer watches it.
    pub observer: Option<&'a O::File>,
}

/// Bounded findings of one block, with block-local line numbers.
#[derive(Debug, Default)]
pub(crate) struct BlockSink {
    pub kept: Vec<Diagnostic>,
    pub per_rule: HashMap<&'static str, (usize, u64, &'static Rule)>,
    /// The current line is outside the line filter: its findings are neither kept nor counted.
    pub muted: bool,
}

impl BlockSink {
    #[inline]
    fn report(&mut self, policy: &Policy, rule: &'static Rule, make: impl FnOnce() -> Diagnostic) {
        if self.muted || !policy.enabled(rule) {
            return;
        }
        let e = self.per_rule.entry(rule.code).or_insert((0, 0, rule));
        e.1 += 1;
        if e.0 < policy.max_per_rule {
            e.0 += 1;
            self.kept.push(make());
        }
    }
}

/// The result of checking one block; `B` is what the observer gathered.
#[derive(Debug, Default)]
pub(crate) struct BlockOut<B> {
    /// Physical lines in the block.
    pub lines: u64,
    /// Non-blank lines.
    pub records: u64,
    /// Lines ending in `\r\n`, and the first one (block-local, 0-based).
    pub crlf: u64,
    pub first_crlf: Option<(u64, u64)>,
    pub sink: BlockSink,
    pub acc: BlockAcc,
    pub observed: B,
}

/// Facts about a whole block that let the per-line work skip scans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockFlags {
    /// The block is valid UTF-8.
    pub utf8: bool,
    /// The block has a control character other than `\n` and `\t` (including `\r`).
    pub ctrl: bool,
}

/// Checks `buf[start..]`, whose first byte is at file offset `offset + start`. `block` is the
/// block's global number (for positions). Line numbers in the findings are block-local and
/// 0-based; the merge makes them absolute. `first_line` is the absolute number of the block's
/// first line, used only with a line filter (`ctx.lines`).
pub(crate) fn check_block<O: Observer>(
    ctx: &FileCtx<'_, O>,
    buf: &[u8],
    start: usize,
    offset: u64,
    block: u64,
    first_line: u64,
) -> BlockOut<O::Block> {
    let mut out = BlockOut::default();
    let data = &buf[start..];
    let flags = BlockFlags {
        utf8: std::str::from_utf8(data).is_ok(),
        ctrl: has_control(data),
    };
    let mut fields = Fields::default();
    let mut canon = Vec::new();
    let mut line_starts: Vec<usize> = Vec::new();
    // One structural scan of the block splits lines and unquoted fields; a line with a quote
    // is split again by the full state machine.
    let mut local = 0u64;
    let mut line_start = 0usize;
    let mut field_start = 0usize;
    let mut quoted = false;
    let mut scan = Structural::new(data);
    let mut lines = ctx.lines.map(|l| l.cursor(first_line));
    fields.begin();
    loop {
        let hit = scan.next();
        let end = match hit {
            Some(p) if data[p] == b',' => {
                if !quoted {
                    fields.push_plain(field_start - line_start, p - line_start);
                }
                field_start = p + 1;
                continue;
            }
            Some(p) if data[p] == b'"' => {
                quoted = true;
                continue;
            }
            Some(p) => p,
            None if line_start < data.len() => data.len(),
            None => break,
        };
        let mut line = &data[line_start..end];
        let abs_start = start + line_start;
        if line.last() == Some(&b'\r') && hit.is_some() {
            line = &line[..line.len() - 1];
            out.crlf += 1;
            if out.first_crlf.is_none() {
                out.first_crlf = Some((local, offset + abs_start as u64));
            }
        }
        if quoted {
            split_line(line, &mut fields);
        } else {
            fields.push_plain(field_start - line_start, line.len());
        }
        if ctx.keys.id.is_some() {
            line_starts.push(abs_start);
        }
        if let Some(c) = &mut lines {
            out.sink.muted = !c.contains(first_line + local);
        }
        check_line(
            ctx,
            &mut out,
            &fields,
            &mut canon,
            line,
            local,
            offset + abs_start as u64,
            block,
            flags,
        );
        local += 1;
        if hit.is_none() {
            break;
        }
        line_start = end + 1;
        field_start = line_start;
        quoted = false;
        fields.begin();
    }
    out.lines = local;
    out.sink.muted = false;
    let id_col = ctx.keys.id;
    let id_text = |p: u64| -> Vec<u8> {
        let Some(col) = id_col else { return Vec::new() };
        let Some(&ls) = line_starts.get((p & 0xFFFF_FFFF) as usize) else {
            return Vec::new();
        };
        let rest = &buf[ls..];
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut f = Fields::default();
        split_line(line, &mut f);
        if col < f.len() {
            f.value(line, col).to_vec()
        } else {
            Vec::new()
        }
    };
    ctx.shared.absorb(&mut out.acc, &id_text);
    if let Some(f) = ctx.observer {
        O::end_block(f, &mut out.observed);
    }
    out
}

/// Whether `data` has a byte below 0x20 other than `\n` and `\t`. A branch-free fold over
/// chunks, so that it vectorises.
fn has_control(data: &[u8]) -> bool {
    data.chunks(64).any(|c| {
        c.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20) & (b != b'\n') & (b != b'\t'))
        })
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "the hot loop's state, passed flat to stay in registers"
)]
#[inline]
fn check_line<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    fields: &Fields,
    canon: &mut Vec<u8>,
    line: &[u8],
    local: u64,
    line_byte: u64,
    block: u64,
    flags: BlockFlags,
) {
    let policy = ctx.policy;
    let loc = |col: Option<usize>, at: usize| Location {
        file: Some(ctx.file.to_string()),
        line: Some(local),
        column: col.map(|c| c as u32 + 1),
        field: col.and_then(|c| ctx.columns.get(c)).map(|p| p.name.clone()),
        byte: Some(line_byte + at as u64),
    };

    if line.is_empty() {
        out.sink.report(policy, &rules::PF006, || {
            Diagnostic::new(&rules::PF006, "blank line")
                .with_help(
                    "remove the empty line: Personalize reads it as a record with one empty field",
                )
                .at(loc(None, 0))
                .with_snippet(make_snippet(line, 0, 0, 100))
        });
        return;
    }
    out.records += 1;

    // The caller has split the line: the findings below need the field a byte belongs to, and
    // a quoted field may contain commas.

    if !flags.utf8 {
        if let Err(e) = std::str::from_utf8(line) {
            let at = e.valid_up_to();
            out.sink.report(policy, &rules::PF002, || {
                let bad = &line[at..(at + e.error_len().unwrap_or(1)).min(line.len())];
                let hex: Vec<String> = bad.iter().map(|b| format!("{b:02X}")).collect();
                Diagnostic::new(
                    &rules::PF002,
                    format!("invalid UTF-8 byte sequence {}", hex.join(" ")),
                )
                .with_help("re-export the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)")
                .at(loc(field_at(fields, at), at))
                .with_snippet(make_snippet(line, at, at + bad.len(), 100))
            });
        }
    }

    let ctrl_at = if flags.ctrl {
        line.iter().position(|&b| b < 0x20 && b != b'\t')
    } else {
        None
    };
    if let Some(at) = ctrl_at {
        out.sink.report(policy, &rules::PF010, || {
            let what = match line[at] {
                0 => "a NUL byte".to_string(),
                b'\r' => "a carriage return inside the line".to_string(),
                b => format!("the control character 0x{b:02X}"),
            };
            Diagnostic::new(&rules::PF010, format!("the line contains {what}"))
                .with_help("remove control characters from the data; they usually come from a broken export")
                .at(loc(field_at(fields, at), at))
                .with_snippet(make_snippet(line, at, at + 1, 100))
        });
    }

    for issue in &fields.issues {
        let (rule, msg, help): (&'static Rule, &str, &str) = match issue.kind {
            QuoteIssueKind::Unclosed => (&rules::PF202, "quote opened here is still open at the end of the line", "close the quote; a record must fit on one line (remove line breaks from text), and escape quotes inside values as \\\""),
            QuoteIssueKind::Doubled => (&rules::PF203, "doubled quote `\"\"` inside a quoted field", "escape quotes inside values with a backslash: \\\" (Personalize's documented escape)"),
            QuoteIssueKind::RfcOnly => (&rules::PF204, "this field parses only with RFC-4180 doubled quotes: read with backslash escaping it splits at the comma", "escape quotes inside values with a backslash: \\\""),
            QuoteIssueKind::StrayInUnquoted => (&rules::PF205, "double quote inside an unquoted field", "quote the whole field and escape the inner quote: \"…\\\"…\""),
            QuoteIssueKind::TextAfterQuote => (&rules::PF205, "text after the closing quote of a field", "quote the whole field and escape inner quotes with a backslash"),
        };
        let i = *issue;
        out.sink.report(policy, rule, || {
            Diagnostic::new(rule, msg)
                .with_help(help)
                .at(loc(Some(i.field), i.pos))
                .with_snippet(make_snippet(line, i.pos, i.pos + 1, 100))
        });
    }

    let ncols = ctx.columns.len();
    if fields.len() != ncols {
        out.sink.report(policy, &rules::PF201, || {
            let n = fields.len();
            let at = if n > ncols {
                fields.spans[ncols].raw_start
            } else {
                line.len()
            };
            Diagnostic::new(
                &rules::PF201,
                format!(
                    "the record has {n} field{}, the header has {ncols}",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_help(if n > ncols {
                "quote values that contain commas (\"a, b\"), and escape quotes inside them as \\\""
            } else {
                "add the missing values (leave them empty between commas if the field is nullable)"
            })
            .at(loc(Some(n.min(ncols)), at))
            .with_snippet(make_snippet(line, at, at, 100))
        });
        // The values are shifted: checking them would only repeat this finding.
        return;
    }

    let mut ts_value = None;
    for (c, column) in ctx.columns.iter().enumerate() {
        if column.check == Check::Unknown {
            continue;
        }
        let v = fields.value(line, c);
        if v.is_empty() {
            if !column.nullable {
                out.sink.report(policy, &rules::PF206, || {
                    let s = fields.spans[c];
                    Diagnostic::new(&rules::PF206, format!("`{}` is empty, but its type does not allow null", column.name))
                        .with_help(format!("fill in `{}`, or drop the record (only fields declared as a union with \"null\" may be empty)", column.name))
                        .at(loc(Some(c), s.raw_start))
                        .with_snippet(make_snippet(line, s.raw_start, s.raw_end, 100))
                });
            }
            continue;
        }
        if let Some(n) = check_value(ctx, out, fields, line, c, column, v, &loc, flags) {
            if Some(c) == ctx.keys.timestamp {
                ts_value = Some(n);
            }
        }
    }

    accumulate(ctx, out, fields, canon, line, pos(block, local), ts_value);
}

/// The 0-based index of the field containing byte `at` of the line last split into `fields`.
fn field_at(fields: &Fields, at: usize) -> Option<usize> {
    fields.spans.iter().rposition(|s| s.raw_start <= at)
}

#[expect(clippy::too_many_arguments, reason = "hot path")]
#[inline]
fn check_value<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    fields: &Fields,
    line: &[u8],
    c: usize,
    column: &Column,
    v: &[u8],
    loc: &dyn Fn(Option<usize>, usize) -> Location,
    flags: BlockFlags,
) -> Option<i64> {
    let policy = ctx.policy;
    let span = fields.spans[c];
    let diag = |rule: &'static Rule, msg: String, help: String| {
        Diagnostic::new(rule, msg)
            .with_help(help)
            .at(loc(Some(c), span.raw_start))
            .with_snippet(make_snippet(line, span.raw_start, span.raw_end, 100))
    };
    let name = column.name.as_str();
    match column.check {
        Check::Unknown => {}
        Check::Id => {
            if v.len() > spec::MAX_ID_CHARS {
                let n = char_count(v);
                if n > spec::MAX_ID_CHARS {
                    out.sink.report(policy, &rules::PF210, || diag(&rules::PF210, format!("`{name}` is {n} characters long; the limit is 256"), "shorten the ID (for example, hash long keys); if IDs are short, check for a broken quote that merged fields".into()));
                }
            }
            let first = v[0];
            let last = v[v.len() - 1];
            if first == b' '
                || last == b' '
                || first == b'\t'
                || last == b'\t'
                || (fields.had_quote && memchr::memchr(b'"', v).is_some())
                || (flags.ctrl && v.iter().any(|&b| b < 0x20))
            {
                out.sink.report(policy, &rules::PF224, || diag(&rules::PF224, format!("`{name}` {} has quotes, control characters or surrounding spaces", quote_value(v, 60)), "strip spaces and remove quotes from IDs; otherwise the same ID differs between datasets and records no longer join".into()));
            }
        }
        Check::Int { bits, role } => match parse_int(v, bits) {
            Err(e) => {
                out.sink.report(policy, &rules::PF207, || {
                    let ty = if bits == 32 { "int" } else { "long" };
                    let (what, help) = match e {
                        IntError::Decimal => ("is a decimal, not an integer", format!("write it without the fraction, e.g. `{}`", String::from_utf8_lossy(v).split('.').next().unwrap_or(""))),
                        IntError::Exponent => ("uses an exponent", "write the integer in full digits".to_string()),
                        IntError::Whitespace => ("has surrounding spaces", "remove the spaces".to_string()),
                        IntError::Range => ("is out of range", format!("{} `{ty}` holds {}", if bits == 32 { "an" } else { "a" }, if bits == 32 { "-2147483648 to 2147483647" } else { "-9223372036854775808 to 9223372036854775807" })),
                        IntError::Syntax => ("is not an integer", if name.contains("TIMESTAMP") { "write Unix epoch seconds, e.g. 1596238243".to_string() } else { format!("write a whole number, or change the field's type from `{ty}`") }),
                    };
                    diag(&rules::PF207, format!("`{name}` value {} {what} (`{ty}`)", quote_value(v, 60)), help)
                });
            }
            Ok(n) => {
                check_int_role(ctx, out, role, n, v, name, &diag);
                return Some(n);
            }
        },
        Check::Float { double } => {
            if let Err(e) = check_float(v, double) {
                out.sink.report(policy, &rules::PF208, || {
                    let ty = if double { "double" } else { "float" };
                    let (what, help) = match e {
                        FloatError::NotFinite => (
                            "is not a finite number",
                            "leave the value empty (if the field is nullable) or write a number"
                                .to_string(),
                        ),
                        FloatError::Separator => (
                            "uses a comma or a thousands separator",
                            "use `.` as the decimal point and no thousands separators, e.g. 1234.5"
                                .to_string(),
                        ),
                        FloatError::Whitespace => {
                            ("has surrounding spaces", "remove the spaces".to_string())
                        }
                        FloatError::Range => (
                            "is out of range",
                            format!("the value does not fit a `{ty}`"),
                        ),
                        FloatError::Syntax => (
                            "is not a number",
                            "write a plain decimal number, e.g. 12.5".to_string(),
                        ),
                    };
                    diag(
                        &rules::PF208,
                        format!("`{name}` value {} {what} (`{ty}`)", quote_value(v, 60)),
                        help,
                    )
                });
            }
        }
        Check::Bool => {
            if !crate::values::is_boolean(v) {
                out.sink.report(policy, &rules::PF209, || {
                    diag(
                        &rules::PF209,
                        format!(
                            "`{name}` value {} is not `true` or `false`",
                            quote_value(v, 60)
                        ),
                        "write lowercase true or false".into(),
                    )
                });
            }
        }
        Check::Str(kind) => check_string(ctx, out, kind, v, name, &diag),
    }
    None
}

#[inline]
fn check_int_role<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    role: IntRole,
    n: i64,
    v: &[u8],
    name: &str,
    diag: &dyn Fn(&'static Rule, String, String) -> Diagnostic,
) {
    let policy = ctx.policy;
    match role {
        IntRole::Plain => {}
        IntRole::InteractionTimestamp | IntRole::OtherTimestamp { .. } => {
            // An expiry far in the future means "never expires" (any 10- to 12-digit value); only
            // 13 digits or more are taken for a smaller unit.
            let expiry = matches!(role, IntRole::OtherTimestamp { future_ok: true });
            let limit = if expiry {
                spec::EXPIRY_MAX_SECONDS
            } else {
                spec::TIMESTAMP_MAX_SECONDS
            };
            if n >= limit {
                out.sink.report(policy, &rules::PF215, || {
                    let (message, help) = too_large_timestamp(name, v, n, limit);
                    diag(&rules::PF215, message, help)
                });
            } else if n <= 0 {
                let rule = if role == IntRole::InteractionTimestamp {
                    &rules::PF217
                } else {
                    &rules::PF218
                };
                out.sink.report(policy, rule, || {
                    diag(
                        rule,
                        format!("`{name}` is {n}, at or before 1970-01-01"),
                        not_positive_help(role, name, n),
                    )
                });
            } else if n > ctx.now + 86_400
                && !matches!(role, IntRole::OtherTimestamp { future_ok: true })
            {
                out.sink.report(policy, &rules::PF216, || {
                    let days = (n - ctx.now) / 86_400;
                    diag(&rules::PF216, format!("`{name}` {} is in the future ({days} day{} from now)", quote_value(v, 30), if days == 1 { "" } else { "s" }), "check the clock or the unit of the source system; future events count as the most recent".into())
                });
            }
        }
        IntRole::ActionValue => {
            if !(1..=10).contains(&n) {
                out.sink.report(policy, &rules::PF220, || {
                    diag(
                        &rules::PF220,
                        format!("action `VALUE` is {n}; it must be between 1 and 10"),
                        "rescale values to 1–10".into(),
                    )
                });
            }
        }
        IntRole::RepeatFrequency => {
            if !(1..=30).contains(&n) {
                out.sink.report(policy, &rules::PF221, || {
                    diag(
                        &rules::PF221,
                        format!("`REPEAT_FREQUENCY` is {n} days; it must be between 1 and 30"),
                        "use a number of days from 1 to 30".into(),
                    )
                });
            }
        }
    }
}

/// The help of PF217 and PF218 for a timestamp `n` ≤ 0. An interaction in 1970 or before is
/// not real; an item's CREATION_TIMESTAMP before 1970 can be (a film from 1959), and an expiry is
/// nullable: empty means the action does not expire.
fn not_positive_help(role: IntRole, name: &str, n: i64) -> String {
    match role {
        IntRole::OtherTimestamp { future_ok: true } => format!(
            "leave `{name}` empty if the action does not expire (the field is nullable); otherwise write the expiry in epoch seconds"
        ),
        IntRole::OtherTimestamp { future_ok: false } if n < 0 => format!(
            "{n} is {} in epoch seconds: keep it if that is the real date; otherwise write the real time",
            crate::text::day_label(n.div_euclid(86_400))
        ),
        IntRole::OtherTimestamp { .. } => {
            "0 usually stands for an unknown date: write the real time in epoch seconds (an estimate if need be)".into()
        }
        _ => "a zero or negative timestamp is usually a missing value; write the real time in epoch seconds".into(),
    }
}

/// The message and help of PF215 for a timestamp `n` (the cell `v` of `name`) at or above
/// `limit` seconds: the unit it is probably in, and the value in seconds, when a power of 1000
/// makes it a time after 1973-03-03 and below `limit`; otherwise no unit is proposed (dividing a
/// 10-digit value by 1000 gives a date in 1970, which is never the fix).
pub(crate) fn too_large_timestamp(name: &str, v: &[u8], n: i64, limit: i64) -> (String, String) {
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let value = quote_value(v, 30);
    let year = crate::text::year_of(n);
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
                crate::text::day_label((n / 1000).div_euclid(86_400))
            ),
        ),
    }
}

/// The unit a too-large timestamp is probably in: the smallest of milliseconds, microseconds and
/// nanoseconds that brings it below `limit` seconds, if the result is a plausible time (from
/// 10^8 seconds, 1973-03-03, on). Returns the unit, the divisor and the value in seconds.
pub(crate) fn seconds_in_unit(n: i64, limit: i64) -> Option<(&'static str, i64, i64)> {
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

#[inline]
fn check_string<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    kind: StrKind,
    v: &[u8],
    name: &str,
    diag: &dyn Fn(&'static Rule, String, String) -> Diagnostic,
) {
    let policy = ctx.policy;
    let too_long = |limit: usize| v.len() > limit && char_count(v) > limit;
    match kind {
        StrKind::Plain => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(policy, &rules::PF212, || diag(&rules::PF212, format!("`{name}` is {} characters long; string values are limited to 1000", char_count(v)), "shorten the value, or make the field textual (Items only) if it is free text".into()));
            }
        }
        StrKind::Categorical => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(policy, &rules::PF211, || diag(&rules::PF211, format!("categorical `{name}` is {} characters long; the limit is 1000", char_count(v)), "shorten the values or split them into several categorical fields; a longer value fails the import".into()));
            }
            if v[0] == b'|' || v[v.len() - 1] == b'|' || memchr::memmem::find(v, b"||").is_some() {
                out.sink.report(policy, &rules::PF223, || {
                    diag(
                        &rules::PF223,
                        format!(
                            "categorical `{name}` {} has an empty value in its `|` list",
                            quote_value(v, 60)
                        ),
                        "remove the extra `|`".into(),
                    )
                });
            }
        }
        StrKind::Textual => {
            if v.len() > spec::MAX_TEXTUAL_CJK_CHARS {
                let n = char_count(v);
                let cjk = is_mostly_cjk(v);
                let limit = if cjk {
                    spec::MAX_TEXTUAL_CJK_CHARS
                } else {
                    spec::MAX_TEXTUAL_CHARS
                };
                if n > limit {
                    out.sink.report(policy, &rules::PF213, || diag(&rules::PF213, format!("textual `{name}` is {n} characters long; Personalize keeps only the first {limit}{}", if cjk { " of Chinese or Japanese text" } else { "" }), "shorten the text to its most useful part; the rest is silently dropped".into()));
                }
            }
        }
        StrKind::Impression => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(policy, &rules::PF214, || {
                    diag(
                        &rules::PF214,
                        format!(
                            "`IMPRESSION` is {} characters long; the limit is 1000 including `|`",
                            char_count(v)
                        ),
                        "list fewer impressed items".into(),
                    )
                });
            }
        }
        StrKind::EventType { action } => {
            if too_long(spec::MAX_EVENT_TYPE_CHARS) {
                out.sink.report(policy, &rules::PF219, || diag(&rules::PF219, format!("`EVENT_TYPE` is {} characters long; the limit is 256", char_count(v)), "check the column mapping: event types are short labels like click or purchase".into()));
            }
            if action && !is_action_event_type(v) {
                out.sink.report(policy, &rules::PF222, || diag(&rules::PF222, format!("action interaction `EVENT_TYPE` {} is not Taken, Not taken or Viewed", quote_value(v, 60)), "use Taken, Not taken or Viewed: Next-Best-Action scores actions only from these".into()));
            }
        }
    }
}

fn is_action_event_type(v: &[u8]) -> bool {
    let v = v.to_ascii_lowercase();
    matches!(&v[..], b"taken" | b"not taken" | b"not_taken" | b"viewed")
}

/// Whether more than half of the characters are CJK (Han, Hiragana, Katakana).
fn is_mostly_cjk(v: &[u8]) -> bool {
    let s = String::from_utf8_lossy(v);
    let (mut cjk, mut all) = (0usize, 0usize);
    for ch in s.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if matches!(ch as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
        {
            cjk += 1;
        }
    }
    all > 0 && cjk * 2 > all
}

/// Feeds the dataset-level accumulators with one well-formed record.
#[inline]
fn accumulate<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    fields: &Fields,
    canon: &mut Vec<u8>,
    line: &[u8],
    at: u64,
    ts: Option<i64>,
) {
    let keys = ctx.keys;
    if let Some(f) = ctx.observer {
        let record = Record {
            fields,
            line,
            timestamp: ts,
        };
        O::record(f, &mut out.observed, &record);
    }
    let acc = &mut out.acc;
    if keys.interactions {
        let fp = if !fields.had_quote {
            xxh3_64(line)
        } else {
            canonical(fields, line, canon);
            xxh3_64(canon)
        };
        acc.add_fingerprint(fp, at, ctx.shared.partitions());
        if let Some(u) = keys.user {
            acc.add_user(xxh3_64(fields.value(line, u)));
        }
        if let Some(ts) = ts {
            acc.ts_min = acc.ts_min.min(ts);
            acc.ts_max = acc.ts_max.max(ts);
            acc.ts_count += 1;
        }
        if let Some(e) = keys.event_type {
            acc.add_event_type(fields.value(line, e));
        }
    } else if let Some(id) = keys.id {
        let v = fields.value(line, id);
        if !v.is_empty() {
            acc.keyed.push((xxh3_64(v), at));
        }
    }
}

/// A record's identity independent of quoting: the values joined by commas when that is
/// unambiguous (so `"a",b` equals `a,b`), otherwise a length-prefixed encoding.
fn canonical(fields: &Fields, line: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let plain = (0..fields.len()).all(|i| {
        let v = fields.value(line, i);
        !v.iter().any(|&b| b == b',' || b == b'"' || b == b'\\')
    });
    for i in 0..fields.len() {
        let v = fields.value(line, i);
        if plain {
            if i > 0 {
                out.push(b',');
            }
        } else {
            out.push(0xFF);
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
        }
        out.extend_from_slice(v);
    }
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
    fn a_ten_digit_timestamp_after_2100_is_not_called_milliseconds() {
        let (message, help) = too_large_timestamp(
            "TIMESTAMP",
            b"5000000000",
            5_000_000_000,
            spec::TIMESTAMP_MAX_SECONDS,
        );
        assert!(!message.contains("milliseconds"), "{message}");
        assert!(message.contains("the year 2128"), "{message}");
        assert!(!help.contains("divide by"), "{help}");
        assert!(help.contains("1970-02-27"), "{help}");
        let (message, help) = too_large_timestamp(
            "TIMESTAMP",
            b"1596238243000",
            1_596_238_243_000,
            spec::TIMESTAMP_MAX_SECONDS,
        );
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
