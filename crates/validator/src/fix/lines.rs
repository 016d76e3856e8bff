//! Every line after the header, in parallel blocks written in file order: line endings
//! (PF005), blank lines (PF006), RFC-4180 `""` (PF203), a `long` written `1.0` (PF207), and with
//! unsafe fixes milliseconds (PF215) and IDs with spaces around them (PF224). A line is written
//! as it was unless a fix changes it; a changed line keeps the bytes of every field no fix
//! touched and re-encodes the others with the dialect's writer.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

use super::dedupe::{Dataset, Facts, Spelling};
use super::header::Plan;
use super::keys::{self, Entry, Keys, PARTITIONS};
use super::{shown, Enabled, Example, FixError, FixOptions, Tallies};
use crate::dialect::{split_line, Fields, QuoteIssueKind, Structural};
use crate::engine::columns::{Check, IntRole};
use crate::hash::FastMap;
use crate::plan::keys::encode_field;
use crate::rules::{self, id_unsafe_characters, invalid_integer, timestamp_in_milliseconds};
use crate::schema::spec;
use crate::values::parse_int;

/// What one block produced.
#[derive(Debug, Default)]
pub(crate) struct BlockOut {
    out: Vec<u8>,
    /// Lines read (blank ones included).
    lines: u64,
    records_out: u64,
    tallies: Tallies,
    /// Event type spellings: their counts and their first records, as (index among the
    /// block's written records, line in the block) (PF305 only).
    event_types: FastMap<Vec<u8>, Spelling>,
    /// A failure to write the fingerprints to their temporary files.
    spill_error: Option<std::io::Error>,
}

/// The pass over the lines of one input.
pub(crate) struct Pass<'a> {
    plan: &'a Plan,
    enabled: &'a Enabled,
    examples: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
    threads: usize,
    dataset: Option<&'a Dataset>,
    keys: Option<Arc<Keys>>,
    /// The 1-based input line of the next block's first line.
    next_line: u64,
    /// Blocks handed to a [`Fixer`] so far, and blocks written.
    dispatched: u32,
    records_in: u64,
    records_out: u64,
    facts: Option<Facts>,
}

/// Fixes a batch of blocks: the pass's references, free of the pass itself, so that the previous
/// batch is written (and the next one read) while this one is fixed.
pub(crate) struct Fixer<'a> {
    plan: &'a Plan,
    enabled: &'a Enabled,
    examples: usize,
    dataset: Option<&'a Dataset>,
    keys: Option<Arc<Keys>>,
    /// The number of the batch's first block in the file.
    first: u32,
}

impl Fixer<'_> {
    /// The batch's blocks fixed, in parallel on `pool` when there is one.
    pub fn fix(&self, batch: Vec<Vec<u8>>, pool: Option<&rayon::ThreadPool>) -> Vec<BlockOut> {
        let keys = self.keys.as_deref();
        let work = |(i, b): (usize, Vec<u8>)| {
            let block = self.first + i as u32;
            fix_block(
                b,
                self.plan,
                self.enabled,
                self.examples,
                self.dataset,
                keys,
                block,
            )
        };
        match pool {
            Some(pool) if batch.len() > 1 => {
                pool.install(|| batch.into_par_iter().enumerate().map(work).collect())
            }
            _ => batch.into_iter().enumerate().map(work).collect(),
        }
    }
}

impl<'a> Pass<'a> {
    pub fn new(
        plan: &'a Plan,
        enabled: &'a Enabled,
        opts: &FixOptions,
        dataset: Option<&'a Dataset>,
    ) -> Result<Pass<'a>, FixError> {
        let pool = crate::engine::thread_pool(opts.threads)?.map(Arc::new);
        let threads = pool.as_ref().map_or(1, |p| p.current_num_threads());
        Ok(Pass {
            plan,
            enabled,
            examples: opts.examples,
            pool,
            threads,
            dataset,
            keys: dataset.map(|_| Arc::new(Keys::new(opts.temp_dir.clone()))),
            next_line: 2,
            dispatched: 0,
            records_in: 0,
            records_out: 0,
            facts: dataset.map(|_| Facts::default()),
        })
    }

    /// Blocks to read before fixing them together (one per worker).
    pub fn batch_len(&self) -> usize {
        self.threads.max(1)
    }

    /// The workers, if more than one.
    pub fn pool(&self) -> Option<Arc<rayon::ThreadPool>> {
        self.pool.clone()
    }

    /// What fixes the next `n` blocks.
    pub fn fixer(&mut self, n: usize) -> Fixer<'a> {
        let first = self.dispatched;
        self.dispatched += n as u32;
        Fixer {
            plan: self.plan,
            enabled: self.enabled,
            examples: self.examples,
            dataset: self.dataset,
            keys: self.keys.clone(),
            first,
        }
    }

    /// Writes fixed blocks in order and adds up what they found.
    pub fn absorb(
        &mut self,
        outs: Vec<BlockOut>,
        sink: &mut dyn super::Rewrite,
        tallies: &mut Tallies,
    ) -> Result<(), FixError> {
        for mut b in outs {
            if let Some(e) = b.spill_error.take() {
                return Err(FixError::Write(e));
            }
            sink.write_block(std::mem::take(&mut b.out))
                .map_err(FixError::Write)?;
            let base = self.next_line;
            for (_, t) in &mut b.tallies.by_rule {
                for e in &mut t.examples {
                    e.line += base;
                }
            }
            tallies.merge(b.tallies, self.examples);
            if let Some(f) = &mut self.facts {
                let out_base = self.records_out;
                f.blocks.push((out_base, base));
                for (t, s) in b.event_types {
                    let all = f.event_types.entry(t).or_default();
                    all.count += s.count;
                    let room = self.examples.saturating_sub(all.first.len());
                    let first = s.first.iter().take(room);
                    all.first
                        .extend(first.map(|&(i, l)| (i + out_base, l + base)));
                }
            }
            self.next_line += b.lines;
            self.records_in += b.lines;
            self.records_out += b.records_out;
        }
        Ok(())
    }

    /// Records read, records written, and the facts the dataset fixes need (with the workers,
    /// which deduplicate).
    pub fn finish(self) -> (u64, u64, Option<Facts>) {
        let keys = self.keys;
        let facts = self.facts.map(|mut f| {
            f.records = self.records_out;
            f.pool = self.pool;
            f.keys = keys.and_then(Arc::into_inner);
            f
        });
        (self.records_in, self.records_out, facts)
    }
}

/// A value as written: the input's field (raw bytes kept) or a new value (re-encoded).
enum Out {
    Raw,
    New(Vec<u8>),
}

/// Fixes one block. The block's bytes are moved in and, when no line changes (the common
/// case), moved out again as the output: unchanged lines are never copied one by one, only the
/// runs between changed lines are, and only in a block that has a change.
fn fix_block(
    buf: Vec<u8>,
    plan: &Plan,
    enabled: &Enabled,
    examples: usize,
    dataset: Option<&Dataset>,
    keys: Option<&Keys>,
    block: u32,
) -> BlockOut {
    let mut out = BlockOut::default();
    // The output, made at the first change: the input's bytes up to `copied` are in it.
    let mut written: Option<Vec<u8>> = None;
    let mut copied = 0usize;
    let mut fields = Fields::default();
    let mut line_out: Vec<u8> = Vec::new();
    let ncols = plan.columns.len();
    let mut values: Vec<Out> = Vec::with_capacity(ncols);
    let mut fixed: Vec<&'static crate::diagnostic::Rule> = Vec::new();
    let mut key_buf: Vec<u8> = Vec::new();
    let mut parts: Vec<Vec<Entry>> = match keys {
        Some(_) => vec![Vec::new(); PARTITIONS],
        None => Vec::new(),
    };
    let crlf_fix = enabled.applies(&rules::PF005);
    let blank_fix = enabled.applies(&rules::PF006);
    let mut local: u64 = 0;
    // One structural scan of the block finds lines and unquoted fields, as the engine's
    // `check_block` does; a line with a quote is split again by the full state machine.
    let mut scan = Structural::new(&buf);
    let mut line_start = 0usize;
    let mut field_start = 0usize;
    let mut quoted = false;
    fields.begin();
    loop {
        let hit = scan.next();
        let end = match hit {
            Some(p) if buf[p] == b',' => {
                if !quoted {
                    fields.push_plain(field_start - line_start, p - line_start);
                }
                field_start = p + 1;
                continue;
            }
            Some(p) if buf[p] == b'"' => {
                quoted = true;
                continue;
            }
            Some(p) => p,
            None if line_start < buf.len() => buf.len(),
            None => break,
        };
        let newline = hit.is_some();
        let start = line_start;
        let next = if newline { end + 1 } else { end };
        let raw = &buf[start..end];
        let line_no = local;
        local += 1;
        let (body, crlf) = match raw.strip_suffix(b"\r") {
            Some(b) if newline => (b, true),
            _ => (raw, false),
        };
        if quoted {
            split_line(body, &mut fields);
        } else {
            fields.push_plain(field_start - line_start, body.len());
        }
        let was_quoted = quoted;
        line_start = next;
        field_start = next;
        quoted = false;
        let example = |after: Option<&[u8]>| Example {
            line: line_no,
            before: shown(raw),
            after: after.map(shown),
        };
        // Replaces this line's bytes in the output with `with` (nothing: the line is dropped).
        let mut replace = |with: &[u8]| {
            let w = written.get_or_insert_with(|| Vec::with_capacity(buf.len() + buf.len() / 64));
            w.extend_from_slice(&buf[copied..start]);
            w.extend_from_slice(with);
            copied = next;
        };

        if body.is_empty() && blank_fix {
            out.tallies
                .drop_record(&rules::PF006, examples, || example(None));
            if crlf && crlf_fix {
                out.tallies.get(&rules::PF005).changed += 1;
            }
            replace(b"");
            fields.begin();
            if !newline {
                break;
            }
            continue;
        }

        fixed.clear();
        let well_formed = fields.len() == ncols
            && !body.is_empty()
            && !fields
                .issues
                .iter()
                .any(|i| i.kind == QuoteIssueKind::Unclosed);
        let mut changed = false;
        values.clear();
        if well_formed {
            for c in 0..ncols {
                let v = fix_value(
                    c,
                    body,
                    &fields,
                    plan,
                    enabled,
                    &mut fixed,
                    &mut out.tallies,
                );
                changed |= matches!(v, Out::New(_));
                values.push(v);
            }
        }
        let rewrite = well_formed && (changed || plan.reorder);
        let as_was = !rewrite && (!crlf || !crlf_fix);
        if as_was && dataset.is_none() {
            // The common case: the line as it was, left where it is in the block.
            out.records_out += 1;
            fields.begin();
            if !newline {
                break;
            }
            continue;
        }
        if !as_was {
            line_out.clear();
            if rewrite {
                for (o, &c) in plan.order.iter().enumerate() {
                    if o > 0 {
                        line_out.push(b',');
                    }
                    match &values[c] {
                        Out::New(v) => encode_field(v, &mut line_out),
                        Out::Raw => {
                            let s = fields.spans[c];
                            line_out.extend_from_slice(&body[s.raw_start..s.raw_end]);
                        }
                    }
                }
            } else {
                line_out.extend_from_slice(body);
            }
            for rule in &fixed {
                out.tallies
                    .change(rule, examples, || example(Some(&line_out)));
            }
            if crlf {
                if crlf_fix {
                    out.tallies
                        .change(&rules::PF005, examples, || example(Some(&line_out)));
                } else {
                    line_out.push(b'\r');
                }
            }
            if newline {
                line_out.push(b'\n');
            }
            replace(&line_out);
        }

        if let Some(d) = dataset {
            if well_formed {
                let value = |c: usize| -> &[u8] {
                    match &values[c] {
                        Out::New(v) => v.as_slice(),
                        Out::Raw => fields.value(body, c),
                    }
                };
                // An unquoted line written as it was is its values joined by commas: the
                // key's plain form, hashed without copying.
                let as_is = (!rewrite && !was_quoted).then_some(body);
                if let Some(key) = d.key(ncols, &value, as_is, &mut key_buf) {
                    parts[Entry::partition(key)].push(Entry {
                        key,
                        at: keys::at(block, out.records_out as u32),
                        line: line_no as u32,
                    });
                }
                if let Some(ec) = d.event_type_column() {
                    let t = value(ec);
                    let here = (out.records_out, line_no);
                    match out.event_types.get_mut(t) {
                        Some(s) => {
                            s.count += 1;
                            if s.first.len() < examples {
                                s.first.push(here);
                            }
                        }
                        None => {
                            let first = if examples > 0 { vec![here] } else { Vec::new() };
                            out.event_types
                                .insert(t.to_vec(), Spelling { count: 1, first });
                        }
                    }
                }
            }
        }
        out.records_out += 1;
        fields.begin();
        if !newline {
            break;
        }
    }
    out.lines = local;
    out.out = match written {
        Some(mut w) => {
            w.extend_from_slice(&buf[copied..]);
            w
        }
        None => buf,
    };
    if let Some(keys) = keys {
        out.spill_error = keys.add(parts).err();
    }
    out
}

/// One value of a well-formed line, fixed by the rules of its column.
fn fix_value<'l>(
    c: usize,
    body: &'l [u8],
    fields: &'l Fields,
    plan: &Plan,
    enabled: &Enabled,
    fixed: &mut Vec<&'static crate::diagnostic::Rule>,
    tallies: &mut Tallies,
) -> Out {
    let note = |rule: &'static crate::diagnostic::Rule, fixed: &mut Vec<_>| {
        if !fixed
            .iter()
            .any(|r: &&crate::diagnostic::Rule| r.code == rule.code)
        {
            fixed.push(rule);
        }
    };
    let mut v: Option<Cow<'l, [u8]>> = None;
    // PF203: a quoted field whose only problem is `""`: re-encoded with `\"`.
    if fields.had_quote && fields.spans[c].quoted {
        let issues = fields.issues.iter().filter(|i| i.field == c);
        let mut doubled = false;
        let mut other = false;
        for i in issues {
            match i.kind {
                QuoteIssueKind::Doubled => doubled = true,
                _ => other = true,
            }
        }
        if doubled && !other && enabled.per_value.pf203 {
            v = Some(Cow::Borrowed(fields.value(body, c)));
            note(&rules::PF203, fixed);
        }
    }
    let current = |v: &Option<Cow<'l, [u8]>>| -> Cow<'l, [u8]> {
        match v {
            Some(x) => x.clone(),
            None => Cow::Borrowed(fields.value(body, c)),
        }
    };
    match plan.columns[c].check {
        Check::Int { bits, role } => {
            let cur = current(&v);
            let mut int: Cow<'l, [u8]> = cur.clone();
            if enabled.per_value.pf207 {
                if let Some(whole) = invalid_integer::without_zero_fraction(&cur, bits) {
                    int = Cow::Owned(whole.to_vec());
                    v = Some(int.clone());
                    note(&rules::PF207, fixed);
                }
            }
            let limit = match role {
                IntRole::InteractionTimestamp | IntRole::OtherTimestamp { future_ok: false } => {
                    Some(spec::TIMESTAMP_MAX_SECONDS)
                }
                IntRole::OtherTimestamp { future_ok: true } => Some(spec::EXPIRY_MAX_SECONDS),
                _ => None,
            };
            if let (Some(limit), true) = (limit, enabled.per_value.pf215_on) {
                if let Ok(n) = parse_int(&int, bits) {
                    if let Some(s) = timestamp_in_milliseconds::milliseconds_to_seconds(n, limit) {
                        if enabled.per_value.pf215 {
                            v = Some(Cow::Owned(s.to_string().into_bytes()));
                            note(&rules::PF215, fixed);
                        } else {
                            tallies.skip(&rules::PF215);
                        }
                    }
                }
            }
        }
        Check::Id if enabled.per_value.pf224_on => {
            let cur = current(&v);
            if let Some(t) = id_unsafe_characters::trimmed_id(&cur) {
                if enabled.per_value.pf224 {
                    v = Some(Cow::Owned(t.to_vec()));
                    note(&rules::PF224, fixed);
                } else {
                    tallies.skip(&rules::PF224);
                }
            }
        }
        _ => {}
    }
    match v {
        Some(x) => Out::New(x.into_owned()),
        None => Out::Raw,
    }
}
