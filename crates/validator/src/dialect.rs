//! Personalize's CSV dialect: comma separated, `"` quotes, `\"` and `\\` escapes inside quotes,
//! one record per physical line (ARCHITECTURE.md#one-parser-one-record-per-line).
//!
//! [`split_line`] finds the fields of one line without allocating: field values point into the
//! line, or, for quoted fields with escapes, into a reusable scratch buffer. Lines without a
//! quote take a fast path of `memchr` searches for commas; only lines with a quote run the
//! state machine. Quoting problems are returned as [`QuoteIssue`]s, never as errors: the line is
//! always split somehow, the way Personalize's own reader would most plausibly split it.

use memchr::{memchr, memchr2, memchr2_iter};

/// Where a field's value is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    /// `line[start..end]`.
    Line(usize, usize),
    /// `scratch[start..end]` (a quoted value with escapes, unescaped).
    Scratch(usize, usize),
}

/// One field of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// Byte offset in the line where the field starts (its opening quote, if quoted).
    pub raw_start: usize,
    /// Byte offset in the line just past the field (before the comma).
    pub raw_end: usize,
    /// Where the value is: in the line, or in the scratch buffer when unescaping changed it.
    pub val: Val,
    /// Whether the field was quoted.
    pub quoted: bool,
}

/// A quoting problem on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteIssueKind {
    /// A quoted field still open at the end of the line.
    Unclosed,
    /// `""` inside a quoted field (RFC-4180 doubling).
    Doubled,
    /// `""` inside a quoted field followed by a comma in the same field: parses only as RFC-4180.
    RfcOnly,
    /// A `"` inside an unquoted field.
    StrayInUnquoted,
    /// Text between a closing quote and the next comma.
    TextAfterQuote,
}

/// A quoting problem with the field index (0-based) and byte position in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteIssue {
    /// Which quoting problem.
    pub kind: QuoteIssueKind,
    /// 0-based field index.
    pub field: usize,
    /// Byte offset in the line.
    pub pos: usize,
}

/// Reusable buffers for splitting lines.
#[derive(Debug, Default)]
pub struct Fields {
    /// The fields of the last line split.
    pub spans: Vec<FieldSpan>,
    /// Unescaped values of quoted fields with escapes.
    pub scratch: Vec<u8>,
    /// Quoting problems of the last line split.
    pub issues: Vec<QuoteIssue>,
    /// Whether the last line split contained a double quote.
    pub had_quote: bool,
}

impl Fields {
    /// The value of field `i` of `line` (the line passed to the last [`split_line`]).
    #[inline]
    pub fn value<'a>(&'a self, line: &'a [u8], i: usize) -> &'a [u8] {
        match self.spans[i].val {
            Val::Line(s, e) => &line[s..e],
            Val::Scratch(s, e) => &self.scratch[s..e],
        }
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no fields (never true after a split).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Positions of the structural bytes (`,`, `"`, `\n`) of a buffer, in order, found 64 bytes at
/// a time with a bitmask (the loop in [`mask64`] compiles to vector compares), so short lines
/// cost no per-line search calls.
#[derive(Debug)]
pub struct Structural<'a> {
    data: &'a [u8],
    chunk: usize,
    mask: u64,
}

impl<'a> Structural<'a> {
    /// Starts at the beginning of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        let mask = if data.is_empty() {
            0
        } else {
            chunk_mask(data, 0)
        };
        Structural {
            data,
            chunk: 0,
            mask,
        }
    }
}

impl Iterator for Structural<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.mask != 0 {
                let bit = self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                return Some(self.chunk * 64 + bit);
            }
            self.chunk += 1;
            if self.chunk * 64 >= self.data.len() {
                return None;
            }
            self.mask = chunk_mask(self.data, self.chunk);
        }
    }
}

#[inline]
fn chunk_mask(data: &[u8], chunk: usize) -> u64 {
    let rest = &data[chunk * 64..];
    match rest.get(..64) {
        Some(c) => mask64(c.try_into().expect("64 bytes")),
        None => {
            let mut buf = [0u8; 64];
            buf[..rest.len()].copy_from_slice(rest);
            mask64(&buf)
        }
    }
}

/// Bit `i` is set when `c[i]` is a comma, a quote or a newline. SWAR: eight bytes per
/// 64-bit word, exact (no false positives for bytes >= 0x80).
#[inline]
fn mask64(c: &[u8; 64]) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONES: u64 = 0x0101_0101_0101_0101;
    #[inline(always)]
    fn eq(w: u64, byte: u8) -> u64 {
        let x = w ^ (ONES * u64::from(byte));
        !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
    }
    let mut m = 0u64;
    for (i, word) in c.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let hits = eq(w, b',') | eq(w, b'"') | eq(w, b'\n');
        // Gather the high bit of every byte into 8 bits.
        let bits = ((hits >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        m |= bits << (i * 8);
    }
    m
}

impl Fields {
    /// Starts a line that the caller splits itself (see [`Structural`]).
    #[inline]
    pub fn begin(&mut self) {
        self.spans.clear();
        self.scratch.clear();
        self.issues.clear();
        self.had_quote = false;
    }

    /// Adds an unquoted field `start..end` (offsets in the line).
    #[inline]
    pub fn push_plain(&mut self, start: usize, end: usize) {
        self.spans.push(FieldSpan {
            raw_start: start,
            raw_end: end,
            val: Val::Line(start, end),
            quoted: false,
        });
    }
}

/// Splits one line (without its line terminator) into fields.
pub fn split_line(line: &[u8], out: &mut Fields) {
    out.spans.clear();
    out.scratch.clear();
    out.issues.clear();
    // One pass finds the commas; a quote sends the line to the slow path.
    let mut start = 0;
    for hit in memchr2_iter(b',', b'"', line) {
        if line[hit] == b'"' {
            out.spans.clear();
            out.had_quote = true;
            split_slow(line, out);
            return;
        }
        out.spans.push(FieldSpan {
            raw_start: start,
            raw_end: hit,
            val: Val::Line(start, hit),
            quoted: false,
        });
        start = hit + 1;
    }
    out.had_quote = false;
    out.spans.push(FieldSpan {
        raw_start: start,
        raw_end: line.len(),
        val: Val::Line(start, line.len()),
        quoted: false,
    });
}

fn split_slow(line: &[u8], out: &mut Fields) {
    let len = line.len();
    let mut pos = 0;
    loop {
        let field = out.spans.len();
        let raw_start = pos;
        if pos < len && line[pos] == b'"' {
            // Quoted field.
            pos += 1;
            let content_start = pos;
            let mut seg = pos; // start of the not yet copied segment
            let mut escaped = false;
            let scratch_start = out.scratch.len();
            let mut doubled_at: Option<usize> = None;
            let mut closed = false;
            while let Some(off) = memchr2(b'"', b'\\', &line[pos..]) {
                let i = pos + off;
                if line[i] == b'\\' {
                    if i + 1 < len && (line[i + 1] == b'"' || line[i + 1] == b'\\') {
                        out.scratch.extend_from_slice(&line[seg..i]);
                        out.scratch.push(line[i + 1]);
                        escaped = true;
                        pos = i + 2;
                        seg = pos;
                    } else {
                        pos = i + 1;
                    }
                    continue;
                }
                // A quote: doubled, or closing.
                if i + 1 < len && line[i + 1] == b'"' {
                    out.scratch.extend_from_slice(&line[seg..i]);
                    out.scratch.push(b'"');
                    escaped = true;
                    doubled_at.get_or_insert(i);
                    pos = i + 2;
                    seg = pos;
                    continue;
                }
                // Closing quote.
                let value_end = i;
                let val = if escaped {
                    out.scratch.extend_from_slice(&line[seg..value_end]);
                    Val::Scratch(scratch_start, out.scratch.len())
                } else {
                    Val::Line(content_start, value_end)
                };
                pos = i + 1;
                closed = true;
                if let Some(d) = doubled_at {
                    let comma_after = memchr(b',', &line[d..value_end]).is_some();
                    out.issues.push(QuoteIssue {
                        kind: if comma_after {
                            QuoteIssueKind::RfcOnly
                        } else {
                            QuoteIssueKind::Doubled
                        },
                        field,
                        pos: d,
                    });
                }
                // Text after the closing quote, up to the next comma.
                let next = memchr(b',', &line[pos..]).map_or(len, |o| pos + o);
                if next > pos {
                    out.issues.push(QuoteIssue {
                        kind: QuoteIssueKind::TextAfterQuote,
                        field,
                        pos,
                    });
                }
                out.spans.push(FieldSpan {
                    raw_start,
                    raw_end: next,
                    val,
                    quoted: true,
                });
                pos = next;
                break;
            }
            if !closed {
                // Open at the end of the line: the value runs to the end; the next line is a new record.
                let val = if escaped {
                    out.scratch.extend_from_slice(&line[seg..len]);
                    Val::Scratch(scratch_start, out.scratch.len())
                } else {
                    Val::Line(content_start, len)
                };
                if let Some(d) = doubled_at {
                    out.issues.push(QuoteIssue {
                        kind: QuoteIssueKind::Doubled,
                        field,
                        pos: d,
                    });
                }
                out.issues.push(QuoteIssue {
                    kind: QuoteIssueKind::Unclosed,
                    field,
                    pos: raw_start,
                });
                out.spans.push(FieldSpan {
                    raw_start,
                    raw_end: len,
                    val,
                    quoted: true,
                });
                pos = len;
            }
        } else {
            let end = memchr(b',', &line[pos..]).map_or(len, |o| pos + o);
            if let Some(q) = memchr(b'"', &line[pos..end]) {
                out.issues.push(QuoteIssue {
                    kind: QuoteIssueKind::StrayInUnquoted,
                    field,
                    pos: pos + q,
                });
            }
            out.spans.push(FieldSpan {
                raw_start,
                raw_end: end,
                val: Val::Line(pos, end),
                quoted: false,
            });
            pos = end;
        }
        if pos >= len {
            break;
        }
        // line[pos] == b','
        pos += 1;
        if pos == len {
            out.spans.push(FieldSpan {
                raw_start: len,
                raw_end: len,
                val: Val::Line(len, len),
                quoted: false,
            });
            break;
        }
    }
}

/// Number of characters in UTF-8 bytes (invalid bytes count as one each).
#[inline]
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> (Vec<String>, Vec<QuoteIssueKind>) {
        let mut f = Fields::default();
        split_line(s.as_bytes(), &mut f);
        let vals = (0..f.len())
            .map(|i| String::from_utf8(f.value(s.as_bytes(), i).to_vec()).unwrap())
            .collect();
        (vals, f.issues.iter().map(|i| i.kind).collect())
    }

    #[test]
    fn plain() {
        assert_eq!(split("a,b,,c").0, ["a", "b", "", "c"]);
        assert_eq!(split("").0, [""]);
        assert_eq!(split("a,").0, ["a", ""]);
    }

    #[test]
    fn quoted_with_backslash_escapes() {
        let (v, i) = split(r#"1,"say \"hi\", ok",x"#);
        assert_eq!(v, ["1", r#"say "hi", ok"#, "x"]);
        assert!(i.is_empty());
        let (v, _) = split(r#""a\\b",c"#);
        assert_eq!(v, [r"a\b", "c"]);
        assert_eq!(split(r#""",x"#).0, ["", "x"]);
        assert_eq!(split(r#"x,"""#).0, ["x", ""]);
    }

    #[test]
    fn doubled_quotes() {
        let (v, i) = split(r#"1,"say ""hi""",x"#);
        assert_eq!(v, ["1", r#"say "hi""#, "x"]);
        assert_eq!(i, [QuoteIssueKind::Doubled]);
        let (v, i) = split(r#"1,"a ""b"", c",x"#);
        assert_eq!(v, ["1", r#"a "b", c"#, "x"]);
        assert_eq!(i, [QuoteIssueKind::RfcOnly]);
    }

    #[test]
    fn broken_quotes() {
        let (v, i) = split(r#"1,"open,x"#);
        assert_eq!(v, ["1", "open,x"]);
        assert_eq!(i, [QuoteIssueKind::Unclosed]);
        let (v, i) = split(r#"1,ab"c,x"#);
        assert_eq!(v, ["1", "ab\"c", "x"]);
        assert_eq!(i, [QuoteIssueKind::StrayInUnquoted]);
        let (v, i) = split(r#"1,"ab"c,x"#);
        assert_eq!(v, ["1", "ab", "x"]);
        assert_eq!(i, [QuoteIssueKind::TextAfterQuote]);
        let (_, i) = split(r#"1,"ab\"#);
        assert_eq!(i, [QuoteIssueKind::Unclosed]);
    }

    #[test]
    fn structural_positions_match_a_byte_scan() {
        let mut data = Vec::new();
        for i in 0..300u32 {
            data.extend_from_slice(format!("u{i},\"x,{}\",{}\n", i * 7, i % 13).as_bytes());
        }
        for len in [0, 1, 63, 64, 65, 127, 128, 129, data.len()] {
            let d = &data[..len];
            let want: Vec<usize> = d
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b',' || b == b'"' || b == b'\n')
                .map(|(i, _)| i)
                .collect();
            assert_eq!(Structural::new(d).collect::<Vec<_>>(), want, "len {len}");
        }
    }

    #[test]
    fn chars() {
        assert_eq!(char_count("héllo".as_bytes()), 5);
        assert_eq!(char_count("日本".as_bytes()), 2);
    }
}
