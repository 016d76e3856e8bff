//! Each value's rules, by the check its column was given ([`super::columns`]): integers and
//! their roles (timestamps, action values), floats, booleans, IDs and strings. Called by
//! [`super::row`] for every non-empty value of a well-formed record; a finding's facts and wording
//! are built only when it is kept.

use super::columns::{Check, Column, IntRole, StrKind};
use super::observer::Observer;
use super::row::{BlockFlags, BlockOut, FileCtx};
use crate::diagnostic::{make_snippet, Diagnostic, Location};
use crate::dialect::{char_count, Fields};
use crate::rules::{
    ActionValueOutOfRange, CategoricalValueTooLong, CreationTimestampNotPositive,
    EmptyCategoricalValue, EventTypeTooLong, IdTooLong, IdUnsafeCharacters, ImpressionTooLong,
    InteractionTimestampNotPositive, InvalidBoolean, InvalidFloat, InvalidInteger,
    RepeatFrequencyOutOfRange, StringValueTooLong, TextualValueTruncated, TimestampInFuture,
    TimestampInMilliseconds,
};
use crate::schema::spec;
use crate::values::{check_float, parse_int};

/// Places a finding on one field of the line: its location and its snippet.
type Place<'p> = &'p dyn Fn(Diagnostic) -> Diagnostic;

#[expect(clippy::too_many_arguments, reason = "hot path")]
#[inline]
pub(super) fn check_value<O: Observer>(
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
    // The span is read only when a finding is kept: copying it for every value costs.
    let place = |d: Diagnostic| {
        let span = fields.spans[c];
        d.at(loc(Some(c), span.raw_start))
            .with_snippet(make_snippet(line, span.raw_start, span.raw_end, 100))
    };
    let name = column.name.as_str();
    match column.check {
        Check::Unknown => {}
        Check::Id => {
            if v.len() > spec::MAX_ID_CHARS {
                let n = char_count(v);
                if n > spec::MAX_ID_CHARS {
                    out.sink
                        .report(policy, || IdTooLong { name, chars: n }, place);
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
                out.sink
                    .report(policy, || IdUnsafeCharacters { name, value: v }, place);
            }
        }
        Check::Int { bits, role } => match parse_int(v, bits) {
            Err(error) => {
                out.sink.report(
                    policy,
                    || InvalidInteger {
                        name,
                        value: v,
                        bits,
                        error,
                    },
                    place,
                );
            }
            Ok(n) => {
                check_int_role(ctx, out, role, n, v, name, &place);
                return Some(n);
            }
        },
        Check::Float { double } => {
            if let Err(error) = check_float(v, double) {
                out.sink.report(
                    policy,
                    || InvalidFloat {
                        name,
                        value: v,
                        double,
                        error,
                    },
                    place,
                );
            }
        }
        Check::Bool => {
            if !crate::values::is_boolean(v) {
                out.sink
                    .report(policy, || InvalidBoolean { name, value: v }, place);
            }
        }
        Check::Str(kind) => check_string(ctx, out, kind, v, name, &place),
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
    place: Place<'_>,
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
                out.sink.report(
                    policy,
                    || TimestampInMilliseconds {
                        name,
                        value: v,
                        seconds: n,
                        limit,
                    },
                    place,
                );
            } else if n <= 0 {
                if role == IntRole::InteractionTimestamp {
                    out.sink.report(
                        policy,
                        || InteractionTimestampNotPositive { name, seconds: n },
                        place,
                    );
                } else {
                    out.sink.report(
                        policy,
                        || CreationTimestampNotPositive {
                            name,
                            seconds: n,
                            expiry,
                        },
                        place,
                    );
                }
            } else if n > ctx.now + 86_400 && !expiry {
                out.sink.report(
                    policy,
                    || TimestampInFuture {
                        name,
                        value: v,
                        days: (n - ctx.now) / 86_400,
                    },
                    place,
                );
            }
        }
        IntRole::ActionValue => {
            if !(1..=10).contains(&n) {
                out.sink
                    .report(policy, || ActionValueOutOfRange { value: n }, place);
            }
        }
        IntRole::RepeatFrequency => {
            if !(1..=30).contains(&n) {
                out.sink
                    .report(policy, || RepeatFrequencyOutOfRange { days: n }, place);
            }
        }
    }
}

#[inline]
fn check_string<O: Observer>(
    ctx: &FileCtx<'_, O>,
    out: &mut BlockOut<O::Block>,
    kind: StrKind,
    v: &[u8],
    name: &str,
    place: Place<'_>,
) {
    let policy = ctx.policy;
    let too_long = |limit: usize| v.len() > limit && char_count(v) > limit;
    match kind {
        StrKind::Plain => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(
                    policy,
                    || StringValueTooLong {
                        name,
                        chars: char_count(v),
                    },
                    place,
                );
            }
        }
        StrKind::Categorical => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(
                    policy,
                    || CategoricalValueTooLong {
                        name,
                        chars: char_count(v),
                    },
                    place,
                );
            }
            if v[0] == b'|' || v[v.len() - 1] == b'|' || memchr::memmem::find(v, b"||").is_some() {
                out.sink
                    .report(policy, || EmptyCategoricalValue { name, value: v }, place);
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
                    out.sink.report(
                        policy,
                        || TextualValueTruncated {
                            name,
                            chars: n,
                            limit,
                            cjk,
                        },
                        place,
                    );
                }
            }
        }
        StrKind::Impression => {
            if too_long(spec::MAX_VALUE_CHARS) {
                out.sink.report(
                    policy,
                    || ImpressionTooLong {
                        chars: char_count(v),
                    },
                    place,
                );
            }
        }
        StrKind::EventType { .. } => {
            if too_long(spec::MAX_EVENT_TYPE_CHARS) {
                out.sink.report(
                    policy,
                    || EventTypeTooLong {
                        chars: char_count(v),
                    },
                    place,
                );
            }
        }
    }
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
