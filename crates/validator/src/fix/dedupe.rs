//! The unsafe dataset-level fixes, which need the whole file before the first record can be
//! written: event type spellings unified to the most frequent one (PF305), exact duplicate
//! interactions (PF308) and repeated IDs (PF307) dropped, keeping the last.
//!
//! The line pass writes the output and keeps, per record, a 128-bit fingerprint (the ID
//! for items, users and actions; for interactions every value, with the event type taken
//! case- and space-insensitively when its spellings are unified, so that records that become
//! identical once unified are seen as such) and the event types' counts. The last of each
//! fingerprint is kept. When something is to be dropped or renamed, the
//! output is read back (not the input) and written again without the dropped records and with
//! the unified spellings; when nothing is, the output is already the result.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use xxhash_rust::xxh3::xxh3_128;

use super::header::Plan;
use super::keys::Keys;
use super::{shown, Enabled, Example, FixError, Rewrite, Tallies};
use crate::diagnostic::Rule;
use crate::dialect::{split_line, Fields, QuoteIssueKind};
use crate::plan::keys::encode_field;
use crate::rules::{self, event_type_variants};
use crate::schema::{DatasetType, Schema};

/// What the first pass keeps for the dataset fixes.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// The fingerprints of the records written, partitioned (bounded memory: [`Keys`]); the
    /// pass hands them over when it ends.
    pub keys: Option<Keys>,
    /// Per block, in order: the index among the written records of its first record, and the
    /// 1-based input line of its first line.
    pub blocks: Vec<(u64, u64)>,
    /// Event type spellings and how often each is used.
    pub event_types: HashMap<Vec<u8>, Spelling>,
    /// Records the first pass wrote.
    pub records: u64,
    /// The first pass's workers, which deduplicate the partitions.
    pub pool: Option<std::sync::Arc<rayon::ThreadPool>>,
}

/// How often an event type spelling is used, and where first.
#[derive(Debug, Default)]
pub(crate) struct Spelling {
    pub count: u64,
    /// Its first records, as (index among the written records, input line): in one block,
    /// line within the block, until the pass makes them absolute.
    pub first: Vec<(u64, u64)>,
}

/// The dataset fixes that apply to one file.
#[derive(Debug)]
pub(crate) struct Dataset {
    /// Drop repeated records: PF307 (by ID) or PF308 (exact interactions).
    drop: Option<&'static Rule>,
    /// The input column of the ID (PF307).
    id: Option<usize>,
    /// The input column of EVENT_TYPE, when its spellings are unified (PF305).
    event_type: Option<usize>,
}

impl Dataset {
    /// The dataset fixes of a file, if any applies.
    pub fn new(plan: &Plan, schema: Option<&Schema>, enabled: &Enabled) -> Option<Dataset> {
        let schema = schema?;
        if plan.first_line_is_data || !enabled.unsafe_fixes {
            return None;
        }
        let ty = schema.dataset_type;
        let col = |name: &str| plan.columns.iter().position(|c| c.name == name);
        let event_type = (ty == DatasetType::Interactions && enabled.applies(&rules::PF305))
            .then(|| col("EVENT_TYPE"))
            .flatten();
        let (drop, id) = if ty.is_interactions() {
            (
                enabled.applies(&rules::PF308).then_some(&rules::PF308),
                None,
            )
        } else {
            match ty.id_field().and_then(col) {
                Some(c) if enabled.applies(&rules::PF307) => (Some(&rules::PF307), Some(c)),
                _ => (None, None),
            }
        };
        (drop.is_some() || event_type.is_some()).then_some(Dataset {
            drop,
            id,
            event_type,
        })
    }

    /// The EVENT_TYPE column whose spellings are counted.
    pub fn event_type_column(&self) -> Option<usize> {
        self.event_type
    }

    /// A well-formed record's fingerprint (values by input column, as written), if it has one:
    /// an ID record without an ID has none, and nothing is keyed when nothing is dropped.
    ///
    /// Interactions are keyed by their values as the engine's PF308 compares them: joined by
    /// commas when no value holds a comma, quote or backslash (then `line`, an unquoted line
    /// written as it was, is that form already), else each length-prefixed; the event type is
    /// taken case- and space-insensitively when its spellings are unified.
    pub fn key<'v>(
        &self,
        ncols: usize,
        value: &dyn Fn(usize) -> &'v [u8],
        line: Option<&[u8]>,
        buf: &mut Vec<u8>,
    ) -> Option<u128> {
        self.drop?;
        if let Some(id) = self.id {
            let v = value(id);
            return (!v.is_empty()).then(|| xxh3_128(v));
        }
        let normal = |v: &[u8]| {
            !v.iter()
                .any(|&b| b.is_ascii_uppercase() || !b.is_ascii() || b == b' ' || b == b'\t')
        };
        let event_as_is = self.event_type.is_none_or(|c| normal(value(c)));
        if let (Some(line), true) = (line, event_as_is) {
            return Some(xxh3_128(line));
        }
        let plain = (0..ncols).all(|c| {
            !value(c)
                .iter()
                .any(|&b| b == b',' || b == b'"' || b == b'\\')
        });
        buf.clear();
        for c in 0..ncols {
            let v = value(c);
            let folded;
            let v = if Some(c) == self.event_type && !normal(v) {
                folded = event_type_variants::variant_key(v);
                &folded[..]
            } else {
                v
            };
            if plain {
                if c > 0 {
                    buf.push(b',');
                }
            } else {
                buf.push(0xFF);
                buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
            }
            buf.extend_from_slice(v);
        }
        Some(xxh3_128(buf))
    }

    /// Drops and renames over what the first pass wrote to `out`, reading it back only when
    /// there is something to drop or rename; returns the records written.
    pub fn finish(
        self,
        facts: Facts,
        plan: &Plan,
        out: &mut dyn Rewrite,
        examples: usize,
        tallies: &mut Tallies,
        cancel: &AtomicBool,
    ) -> Result<u64, FixError> {
        let Facts {
            keys,
            blocks,
            event_types,
            records,
            pool,
        } = facts;
        // The records to drop, as (index among the written records, input line), ascending.
        let keys = keys.expect("the pass hands its fingerprints over");
        let dropped: Vec<(u64, u64)> = keys
            .earlier_copies(pool.as_deref())
            .map_err(FixError::Write)?
            .into_iter()
            .map(|(at, line)| {
                let (out_base, line_base) = blocks[(at >> 32) as usize];
                (out_base + (at & 0xFFFF_FFFF), line_base + u64::from(line))
            })
            .collect();
        // Each spelling that is not its group's unified one, and what it becomes.
        let mut rename: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        if self.event_type.is_some() {
            let mut groups: HashMap<Vec<u8>, Vec<(&[u8], u64)>> = HashMap::new();
            for (t, spelling) in &event_types {
                groups
                    .entry(event_type_variants::variant_key(t))
                    .or_default()
                    .push((t, spelling.count));
            }
            for g in groups.values().filter(|g| g.len() > 1) {
                let target = event_type_variants::unified_spelling(g).expect("a group");
                for (t, _) in g {
                    if *t != target {
                        rename.insert(t.to_vec(), target.to_vec());
                    }
                }
            }
        }
        if dropped.is_empty() && rename.is_empty() {
            // What the first pass wrote is the result.
            return Ok(records);
        }
        out.flush().map_err(FixError::Write)?;
        let written = out.take_written().map_err(FixError::Write)?;
        let mut r = BufReader::with_capacity(1 << 20, written);
        let mut line = Vec::new();
        // The header.
        r.read_until(b'\n', &mut line).map_err(FixError::Write)?;
        out.write_all(&line).map_err(FixError::Write)?;
        let rule = self.drop;
        let drop_example = |line: &[u8], in_line: u64| Example {
            line: in_line,
            before: shown(line.strip_suffix(b"\n").unwrap_or(line)),
            after: None,
        };
        if rename.is_empty() {
            // Only drops: the lines between two dropped records are copied as they are.
            let mut i = 0u64;
            for &(d, in_line) in &dropped {
                if cancel.load(Ordering::Relaxed) {
                    return Err(FixError::Interrupted);
                }
                copy_lines(&mut r, out, d - i).map_err(FixError::Write)?;
                line.clear();
                r.read_until(b'\n', &mut line).map_err(FixError::Write)?;
                let rule = rule.expect("dropping");
                tallies.drop_record(rule, examples, || drop_example(&line, in_line));
                i = d + 1;
            }
            std::io::copy(&mut r, out).map_err(FixError::Write)?;
            return Ok(records - dropped.len() as u64);
        }
        // The input lines of the first records of each renamed spelling, for the examples.
        let mut renamed_lines: Vec<(u64, u64)> = event_types
            .iter()
            .filter(|(t, _)| rename.contains_key(*t))
            .flat_map(|(_, s)| s.first.iter().copied())
            .collect();
        renamed_lines.sort_unstable();
        let ncols = plan.columns.len();
        let mut fields = Fields::default();
        let mut next_drop = dropped.iter().copied().peekable();
        let mut rebuilt = Vec::new();
        let mut written = 0u64;
        for i in 0..records {
            if i % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
                return Err(FixError::Interrupted);
            }
            line.clear();
            r.read_until(b'\n', &mut line).map_err(FixError::Write)?;
            if let Some(&(_, in_line)) = next_drop.peek().filter(|(d, _)| *d == i) {
                next_drop.next();
                let rule = rule.expect("dropping");
                tallies.drop_record(rule, examples, || drop_example(&line, in_line));
                continue;
            }
            written += 1;
            if let Some(ec) = self.event_type {
                let body = line.strip_suffix(b"\n").unwrap_or(&line);
                // The event type column is at its output position in the copy.
                let oc = plan.order.iter().position(|&c| c == ec).expect("in order");
                split_line(body, &mut fields);
                let ok = fields.len() == ncols
                    && !fields
                        .issues
                        .iter()
                        .any(|x| x.kind == QuoteIssueKind::Unclosed);
                if let Some(target) = ok.then(|| rename.get(fields.value(body, oc))).flatten() {
                    rebuilt.clear();
                    for c in 0..ncols {
                        if c > 0 {
                            rebuilt.push(b',');
                        }
                        if c == oc {
                            encode_field(target, &mut rebuilt);
                        } else {
                            let s = fields.spans[c];
                            rebuilt.extend_from_slice(&body[s.raw_start..s.raw_end]);
                        }
                    }
                    // A spelling's first records are known by their input line; a later one
                    // (when the first were dropped as copies) is counted without an example.
                    match renamed_lines.binary_search_by_key(&i, |&(o, _)| o) {
                        Ok(k) => tallies.change(&rules::PF305, examples, || Example {
                            line: renamed_lines[k].1,
                            before: shown(body),
                            after: Some(shown(&rebuilt)),
                        }),
                        Err(_) => tallies.get(&rules::PF305).changed += 1,
                    }
                    if line.ends_with(b"\n") {
                        rebuilt.push(b'\n');
                    }
                    out.write_all(&rebuilt).map_err(FixError::Write)?;
                    continue;
                }
            }
            out.write_all(&line).map_err(FixError::Write)?;
        }
        Ok(written)
    }
}

/// Copies the next `n` lines of `r` to `out` as they are.
fn copy_lines(r: &mut impl BufRead, out: &mut dyn Write, mut n: u64) -> std::io::Result<()> {
    while n > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let mut end = buf.len();
        for p in memchr::memchr_iter(b'\n', buf) {
            n -= 1;
            if n == 0 {
                end = p + 1;
                break;
            }
        }
        out.write_all(&buf[..end])?;
        r.consume(end);
    }
    Ok(())
}
