//! Checks one block of whole lines: the line rules, quoting and field counts here, each value's
//! rules in [`super::value`]; then feeds the dataset's accumulators and the observer with every
//! well-formed record. Runs in parallel on many blocks; allocates nothing per row or per field,
//! and has a finding worded only when it will be kept.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use super::columns::{Check, Column};
use super::dataset::{pos, BlockAcc, Shared};
use super::observer::{Observer, Record};
use super::value::check_value;
use crate::diagnostic::{make_snippet, Diagnostic, Location, Rule};
use crate::dialect::{split_line, Fields, QuoteIssueKind, Structural};
use crate::line_filter::LineSet;
use crate::report::Policy;
use crate::rules::{
    BlankLine, ControlCharacter, EmptyRequiredValue, FieldCountMismatch, InvalidUtf8,
    Rfc4180DoubledQuote, Rfc4180OnlyQuoting, StrayQuote, UnclosedQuote, Violation,
};
use crate::schema::DatasetType;

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
    /// Per column, the field hooks to call on its values (`rules::hooks::field_masks`): 0 for
    /// most columns, so the hot loop pays one test per value.
    pub field_hooks: &'a [u64],
}

/// A value as the field hooks see it (`rules::hooks::FieldHook`).
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct FieldCx<'a> {
    /// The column: its schema field name and what its values are checked for.
    pub column: &'a Column,
    /// The value, unquoted and unescaped; never empty (an empty value is PF206's or allowed).
    pub value: &'a [u8],
}

/// Where a field hook reports: the block's findings, the value's place in the file.
pub(crate) struct FieldOut<'a> {
    sink: &'a mut BlockSink,
    policy: &'a Policy,
    place: &'a dyn Fn(Diagnostic) -> Diagnostic,
}

impl FieldOut<'_> {
    /// Counts a finding; words it (`violation` runs) and places it on the value only if the
    /// rule's cap keeps it.
    #[inline]
    pub fn report<V: Violation>(&mut self, violation: impl FnOnce() -> V) {
        self.sink.report(self.policy, violation, self.place);
    }
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
    /// Counts a finding of `V`'s rule; keeps it, worded by the rule and placed by `place`, only
    /// while the rule is under its cap: `violation` and `place` run only then.
    #[inline]
    pub(super) fn report<V: Violation>(
        &mut self,
        policy: &Policy,
        violation: impl FnOnce() -> V,
        place: impl FnOnce(Diagnostic) -> Diagnostic,
    ) {
        let rule = V::RULE;
        if self.muted || !policy.enabled(rule) {
            return;
        }
        let e = self.per_rule.entry(rule.code).or_insert((0, 0, rule));
        e.1 += 1;
        if e.0 < policy.max_per_rule {
            e.0 += 1;
            self.keep(violation, place);
        }
    }

    /// Words and places a kept finding, out of line: the wording of every rule inlined into the
    /// hot loop made it too large to inline itself.
    #[cold]
    #[inline(never)]
    fn keep<V: Violation>(
        &mut self,
        violation: impl FnOnce() -> V,
        place: impl FnOnce(Diagnostic) -> Diagnostic,
    ) {
        self.kept.push(place(violation().diagnostic()));
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
    let mut out = BlockOut::<O::Block>::default();
    if ctx.keys.interactions {
        out.acc.reuse_buffers();
    }
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
#[inline(always)]
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
        out.sink.report(
            policy,
            || BlankLine,
            |d| {
                d.at(loc(None, 0))
                    .with_snippet(make_snippet(line, 0, 0, 100))
            },
        );
        return;
    }
    out.records += 1;

    // The caller has split the line: the findings below need the field a byte belongs to, and
    // a quoted field may contain commas.

    if !flags.utf8 {
        if let Err(e) = std::str::from_utf8(line) {
            let at = e.valid_up_to();
            let bad = &line[at..(at + e.error_len().unwrap_or(1)).min(line.len())];
            out.sink.report(
                policy,
                || InvalidUtf8::Record { bytes: bad },
                |d| {
                    d.at(loc(field_at(fields, at), at))
                        .with_snippet(make_snippet(line, at, at + bad.len(), 100))
                },
            );
        }
    }

    let ctrl_at = if flags.ctrl {
        line.iter().position(|&b| b < 0x20 && b != b'\t')
    } else {
        None
    };
    if let Some(at) = ctrl_at {
        out.sink.report(
            policy,
            || ControlCharacter { byte: line[at] },
            |d| {
                d.at(loc(field_at(fields, at), at))
                    .with_snippet(make_snippet(line, at, at + 1, 100))
            },
        );
    }

    for issue in &fields.issues {
        let i = *issue;
        let place = |d: Diagnostic| {
            d.at(loc(Some(i.field), i.pos))
                .with_snippet(make_snippet(line, i.pos, i.pos + 1, 100))
        };
        let sink = &mut out.sink;
        match i.kind {
            QuoteIssueKind::Unclosed => sink.report(policy, || UnclosedQuote, place),
            QuoteIssueKind::Doubled => sink.report(policy, || Rfc4180DoubledQuote, place),
            QuoteIssueKind::RfcOnly => sink.report(policy, || Rfc4180OnlyQuoting, place),
            QuoteIssueKind::StrayInUnquoted => {
                sink.report(policy, || StrayQuote::InUnquotedField, place);
            }
            QuoteIssueKind::TextAfterQuote => {
                sink.report(policy, || StrayQuote::AfterClosingQuote, place);
            }
        }
    }

    let ncols = ctx.columns.len();
    if fields.len() != ncols {
        let n = fields.len();
        let at = if n > ncols {
            fields.spans[ncols].raw_start
        } else {
            line.len()
        };
        out.sink.report(
            policy,
            || FieldCountMismatch {
                fields: n,
                columns: ncols,
            },
            |d| {
                d.at(loc(Some(n.min(ncols)), at))
                    .with_snippet(make_snippet(line, at, at, 100))
            },
        );
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
                let s = fields.spans[c];
                out.sink.report(
                    policy,
                    || EmptyRequiredValue { name: &column.name },
                    |d| {
                        d.at(loc(Some(c), s.raw_start)).with_snippet(make_snippet(
                            line,
                            s.raw_start,
                            s.raw_end,
                            100,
                        ))
                    },
                );
            }
            continue;
        }
        if let Some(n) = check_value(ctx, out, fields, line, c, column, v, &loc, flags) {
            if Some(c) == ctx.keys.timestamp {
                ts_value = Some(n);
            }
        }
        // The rules detected in their own files, for the columns they asked for.
        let hooks = ctx.field_hooks.get(c).copied().unwrap_or(0);
        if hooks != 0 {
            let s = fields.spans[c];
            let place = |d: Diagnostic| {
                d.at(loc(Some(c), s.raw_start)).with_snippet(make_snippet(
                    line,
                    s.raw_start,
                    s.raw_end,
                    100,
                ))
            };
            let mut hooked = FieldOut {
                sink: &mut out.sink,
                policy,
                place: &place,
            };
            let cx = FieldCx { column, value: v };
            crate::rules::hooks::field(hooks, &cx, &mut hooked);
        }
    }

    accumulate(ctx, out, fields, canon, line, pos(block, local), ts_value);
}

/// The 0-based index of the field containing byte `at` of the line last split into `fields`.
fn field_at(fields: &Fields, at: usize) -> Option<usize> {
    fields.spans.iter().rposition(|s| s.raw_start <= at)
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
        acc.add_fingerprint(fp, at);
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
