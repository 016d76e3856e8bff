//! The first line: byte order mark (PF103), line ending (PF005), quoted names (PF102), names in
//! the wrong case (PF104) and the columns' order (PF107), mapped to the schema exactly as the
//! header's checks map them.

use super::{shown, Enabled, Example, Tallies};
use crate::dialect::{split_line, Fields};
use crate::engine::columns::{column_for, Column};
use crate::rules;
use crate::schema::Schema;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The first line of a buffer (with its `\n`, if any) and the rest.
pub(crate) fn split_first_line(buf: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'\n', buf) {
        Some(p) => buf.split_at(p + 1),
        None => (buf, &[]),
    }
}

/// A line without its ending: the body, whether it ended in `\r\n`, whether it ended at all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub raw: &'a [u8],
    pub body: &'a [u8],
    pub bom: bool,
    pub crlf: bool,
    pub newline: bool,
}

/// Splits the header line into its byte order mark, body and ending.
pub(crate) fn strip_line(raw: &[u8]) -> Line<'_> {
    let (bom, rest) = match raw.strip_prefix(BOM) {
        Some(r) => (true, r),
        None => (false, raw),
    };
    let (newline, rest) = match rest.strip_suffix(b"\n") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (crlf, body) = match rest.strip_suffix(b"\r") {
        Some(r) if newline => (true, r),
        _ => (false, rest),
    };
    Line {
        raw,
        body,
        bom,
        crlf,
        newline,
    }
}

/// The header's names (unquoted), as the engine names them.
pub(crate) fn names(body: &[u8]) -> Vec<String> {
    crate::engine::header::header_names(body)
}

/// What the fix does to every line: the output column order and what each column holds.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The header as written (with its `\n` when the input had one).
    pub header_out: Vec<u8>,
    /// Output column `o` is input column `order[o]`.
    pub order: Vec<usize>,
    /// Whether `order` is not the identity.
    pub reorder: bool,
    /// What each input column holds.
    pub columns: Vec<Column>,
    /// The first line is a record, not a header (PF101): no header fix, no reordering.
    pub first_line_is_data: bool,
}

impl Plan {
    pub fn new(
        line: &Line<'_>,
        schema: Option<&Schema>,
        enabled: &Enabled,
        examples: usize,
        tallies: &mut Tallies,
    ) -> Plan {
        let mut fields = Fields::default();
        split_line(line.body, &mut fields);
        let n = fields.len();
        let cells: Vec<&[u8]> = (0..n).map(|i| fields.value(line.body, i)).collect();
        let mut names: Vec<String> = cells
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let identity: Vec<usize> = (0..n).collect();
        let mut plan = Plan {
            header_out: Vec::new(),
            order: identity.clone(),
            reorder: false,
            columns: names.iter().map(|n| Column::unknown(n)).collect(),
            first_line_is_data: false,
        };
        let example = |after: &[u8]| Example {
            line: 1,
            before: shown(line.body),
            after: Some(shown(after)),
        };

        // PF101: nothing in the first line names a schema field: it is data, kept as it is.
        let matches_any = schema.is_some_and(|s| {
            names.iter().any(|n| {
                s.fields
                    .iter()
                    .any(|f| f.name.eq_ignore_ascii_case(n.trim()))
            })
        });
        let schema = match schema {
            Some(s) if matches_any || s.fields.is_empty() => s,
            Some(_) => {
                plan.first_line_is_data = true;
                plan.finish_passthrough(line, enabled, tallies, examples);
                return plan;
            }
            None => {
                plan.finish_passthrough(line, enabled, tallies, examples);
                return plan;
            }
        };

        // Map the columns as the header's checks do: exact, else ignoring case and spaces.
        let mut used = vec![false; schema.fields.len()];
        let mut mapped: Vec<Option<usize>> = Vec::with_capacity(n);
        let mut seen = std::collections::HashSet::new();
        let mut renamed = vec![false; n];
        for (i, name) in names.iter().enumerate() {
            if !seen.insert(name.clone()) {
                mapped.push(None);
                continue;
            }
            if let Some(fi) = schema.fields.iter().position(|f| &f.name == name) {
                if !used[fi] {
                    used[fi] = true;
                    mapped.push(Some(fi));
                    continue;
                }
            }
            let folded = schema
                .fields
                .iter()
                .enumerate()
                .position(|(fi, f)| !used[fi] && f.name.eq_ignore_ascii_case(name.trim()));
            match folded {
                Some(fi) => {
                    used[fi] = true;
                    mapped.push(Some(fi));
                    renamed[i] = true;
                }
                None => mapped.push(None),
            }
        }
        for (i, m) in mapped.iter().enumerate() {
            if let Some(fi) = m {
                plan.columns[i] = column_for(&schema.fields[*fi], schema.dataset_type);
            }
        }

        // PF104: the schema's spelling.
        let rename = enabled.applies(&rules::PF104);
        for i in 0..n {
            if renamed[i] && rename {
                if let Some(fi) = mapped[i] {
                    names[i] = schema.fields[fi].name.clone();
                }
            }
        }
        // PF107: mapped columns in the schema's order, then the others as they were.
        if enabled.applies(&rules::PF107) {
            let mut order: Vec<usize> = (0..n).filter(|&i| mapped[i].is_some()).collect();
            order.sort_by_key(|&i| mapped[i]);
            order.extend((0..n).filter(|&i| mapped[i].is_none()));
            plan.reorder = order != identity;
            plan.order = order;
        }

        // The header as written: each cell unquoted when PF102 is fixed and nothing in it needs
        // quotes (a name with a comma stays as it was: unquoting would split it).
        let unquote = enabled.applies(&rules::PF102);
        let mut out = Vec::with_capacity(line.body.len() + 1);
        let mut unquoted_any = false;
        for (o, &i) in plan.order.iter().enumerate() {
            if o > 0 {
                out.push(b',');
            }
            let span = fields.spans[i];
            let plain_name = !names[i]
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\\' | b'\r' | b'\n'));
            if renamed[i] && rename {
                out.extend_from_slice(names[i].as_bytes());
                unquoted_any |= span.quoted;
            } else if span.quoted && unquote && plain_name {
                out.extend_from_slice(names[i].as_bytes());
                unquoted_any = true;
            } else {
                out.extend_from_slice(&line.body[span.raw_start..span.raw_end]);
            }
        }
        let renamed_count = renamed.iter().filter(|&&r| r).count();
        if unquoted_any {
            tallies.change(&rules::PF102, examples, || example(&out));
        }
        if rename && renamed_count > 0 {
            tallies.change(&rules::PF104, examples, || example(&out));
            tallies.get(&rules::PF104).changed += renamed_count as u64 - 1;
        }
        if plan.reorder {
            tallies.change(&rules::PF107, examples, || example(&out));
        }
        plan.line_ending(line, &mut out, enabled, tallies, examples);
        plan.header_out = out;
        plan
    }

    /// The header kept as it is, but for its byte order mark and line ending.
    fn finish_passthrough(
        &mut self,
        line: &Line<'_>,
        enabled: &Enabled,
        tallies: &mut Tallies,
        examples: usize,
    ) {
        let mut out = line.body.to_vec();
        self.line_ending(line, &mut out, enabled, tallies, examples);
        self.header_out = out;
    }

    /// Byte order mark (dropped, PF103) and line ending (LF, PF005) of the header.
    fn line_ending(
        &self,
        line: &Line<'_>,
        out: &mut Vec<u8>,
        enabled: &Enabled,
        tallies: &mut Tallies,
        examples: usize,
    ) {
        let example = |after: &[u8]| Example {
            line: 1,
            before: shown(line.raw.strip_suffix(b"\n").unwrap_or(line.raw)),
            after: Some(shown(after)),
        };
        if line.bom {
            if enabled.applies(&rules::PF103) {
                tallies.change(&rules::PF103, examples, || example(out));
            } else {
                out.splice(0..0, BOM.iter().copied());
            }
        }
        if line.crlf {
            if enabled.applies(&rules::PF005) {
                tallies.change(&rules::PF005, examples, || example(out));
            } else {
                out.push(b'\r');
            }
        }
        if line.newline {
            out.push(b'\n');
        }
    }
}
